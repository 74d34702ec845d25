"""The session a client makes: bodies read whole in one call, the proxy environment per origin.

A raw socket server on 127.0.0.1 plays the server (and the proxy): what goes over the wire is
what is checked.
"""

from __future__ import annotations

import gzip
import json
import socket

import pytest
import requests
from rawserver import Behaviour, read_request

import halnav
from halnav._session import ClientSession, RetryAdapter

DOCUMENT = {"_links": {"self": {"href": "/v1"}}, "name": "Ünïcödé " * 2000}


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def answering(body: bytes, *headers: str, lines: list[bytes] | None = None) -> Behaviour:
    """Answer every request of a connection with ``body`` and ``headers``; note request lines."""

    def behaviour(connection: socket.socket) -> None:
        while request := read_request(connection):
            if lines is not None:
                lines.append(request.split(b"\r\n", 1)[0])
            head = ["HTTP/1.1 200 OK", "Content-Type: application/hal+json", *headers]
            connection.sendall("\r\n".join(head).encode() + b"\r\n\r\n" + body)

    return behaviour


def chunked(body: bytes, size: int = 7000) -> bytes:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (json.dumps(DOCUMENT).encode(), ()),
        (chunked(json.dumps(DOCUMENT).encode()), ("Transfer-Encoding: chunked",)),
        (gzip.compress(json.dumps(DOCUMENT).encode()), ("Content-Encoding: gzip",)),
        (
            chunked(gzip.compress(json.dumps(DOCUMENT).encode()), 500),
            ("Content-Encoding: gzip", "Transfer-Encoding: chunked"),
        ),
    ],
    ids=["content-length", "chunked", "gzip", "gzip-chunked"],
)
def test_a_body_is_read_whole_and_decoded_whatever_its_framing(raw, body, headers):
    length = () if "Transfer-Encoding: chunked" in headers else (f"Content-Length: {len(body)}",)
    server = raw(answering(body, *headers, *length))
    with halnav.Client(server.url + "/v1", cache=False) as client:
        first = client.root()
        second = client.root()  # the connection was given back whole, and used again
    assert first.document == second.document == DOCUMENT
    assert first.content == json.dumps(DOCUMENT).encode()
    assert server.connections == 1


def test_a_streamed_body_is_left_to_the_caller(raw):
    body = json.dumps(DOCUMENT).encode()
    server = raw(answering(body, f"Content-Length: {len(body)}"))
    session = ClientSession()
    session.mount("http://", RetryAdapter())
    with session:
        response = session.get(server.url + "/v1", stream=True, timeout=5)
        assert b"".join(response.iter_content(1000)) == body


def test_the_environments_proxy_is_used_and_kept_per_origin(raw, monkeypatch):
    body = json.dumps(DOCUMENT).encode()
    seen: list[bytes] = []
    proxy = raw(answering(body, f"Content-Length: {len(body)}", lines=seen))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with halnav.Client("http://shop.example.test/v1", token="t", cache=False) as client:
        assert client.root()["name"] == DOCUMENT["name"]
        # Read at the first request to the origin, then kept: a later change is not seen.
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
        client.root()
    assert seen == [b"GET http://shop.example.test/v1 HTTP/1.1"] * 2


def test_no_proxy_sends_straight_to_the_origin(raw, monkeypatch):
    body = json.dumps(DOCUMENT).encode()
    seen: list[bytes] = []
    proxy = raw(answering(body, f"Content-Length: {len(body)}"))
    server = raw(answering(body, f"Content-Length: {len(body)}", lines=seen))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with halnav.Client(server.url + "/v1", cache=False) as client:
        client.root()
    assert seen == [b"GET /v1 HTTP/1.1"]
    assert proxy.connections == 0


def test_a_session_passed_in_reads_the_environment_as_requests_does(raw, monkeypatch):
    body = json.dumps(DOCUMENT).encode()
    first: list[bytes] = []
    second: list[bytes] = []
    proxies = [
        raw(answering(body, f"Content-Length: {len(body)}", lines=seen)) for seen in (first, second)
    ]
    monkeypatch.setenv("HTTP_PROXY", proxies[0].url)
    with halnav.Client("http://shop.example.test/v1", session=requests.Session()) as client:
        client.get("/v1/a")
        monkeypatch.setenv("HTTP_PROXY", proxies[1].url)
        client.get("/v1/b")
    assert first == [b"GET http://shop.example.test/v1/a HTTP/1.1"]
    assert second == [b"GET http://shop.example.test/v1/b HTTP/1.1"]
