"""Servers that go silent or cut their answer short: clear errors, within the configured timeout.

A raw socket server on 127.0.0.1 plays the misbehaving server. A read timeout is not retried
(the request ends within the timeout the caller set); a body cut short is a transport error; a
complete answer whose JSON is truncated is an :class:`InvalidDocument` naming URL and position.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

import pytest
from rawserver import RawServer

import halnav


@pytest.mark.parametrize("method", ["GET", "PUT", "POST"])
def test_a_server_that_accepts_and_never_answers_ends_in_transport_error(raw, method):
    holder: list[RawServer] = []

    def silent(connection: socket.socket) -> None:
        holder[0].read_request(connection)
        holder[0].stop.wait(10)  # accept, read, say nothing

    server = raw(silent)
    holder.append(server)
    with (
        halnav.Client(server.url + "/v1", token="t", timeout=0.3, cache=False) as client,
        pytest.raises(halnav.TransportError) as info,
    ):
        client.request(method, "/v1/orders/1", json={} if method != "GET" else None)
    assert "timed out" in str(info.value) and "0.3" in str(info.value)
    assert info.value.method == method and info.value.url == server.url + "/v1/orders/1"
    assert server.connections == 1  # a read timeout is not retried, whatever the method


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_post_read_timeout_says_the_outcome_is_unknown(raw, method):
    holder: list[RawServer] = []

    def silent(connection: socket.socket) -> None:
        holder[0].read_request(connection)
        holder[0].stop.wait(10)  # took the request, may be applying it

    server = raw(silent)
    holder.append(server)
    with (
        halnav.Client(server.url + "/v1", timeout=0.3, cache=False) as client,
        pytest.raises(halnav.TransportError) as info,
    ):
        client.request(method, "/v1/orders", json={"a": 1})
    message = str(info.value)
    assert "timed out" in message
    assert f"({method} not retried; the outcome is unknown: the server may have applied it)" in (
        message
    )


def test_a_get_read_timeout_makes_no_claim_about_the_outcome(raw):
    holder: list[RawServer] = []
    server = raw(lambda connection: holder[0].stop.wait(10))
    holder.append(server)
    with (
        halnav.Client(server.url, timeout=0.3, cache=False) as client,
        pytest.raises(halnav.TransportError) as info,
    ):
        client.root()
    assert "timed out" in str(info.value) and "outcome" not in str(info.value)


@contextlib.contextmanager
def unaccepting_port() -> Iterator[int]:
    """A port whose accept queue is full: a new connection waits, then the connect times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(8):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def test_a_post_connect_timeout_says_the_request_was_not_sent():
    with (
        unaccepting_port() as port,
        halnav.Client(f"http://127.0.0.1:{port}/v1", timeout=(0.3, 5), cache=False) as client,
        pytest.raises(halnav.TransportError) as info,
    ):
        client.request("POST", "/v1/orders", json={"a": 1})
    message = str(info.value)
    assert "timed out (timeout: connect 0.3s, read 5s)" in message
    assert "(POST not retried; the request was not sent)" in message


def test_a_connect_and_read_timeout_pair_is_honoured(raw):
    holder: list[RawServer] = []
    server = raw(lambda connection: holder[0].stop.wait(10))  # never even reads
    holder.append(server)
    with (
        halnav.Client(server.url, timeout=(1.0, 0.2), cache=False) as client,
        pytest.raises(halnav.TransportError) as info,
    ):
        client.root()
    assert "read 0.2s" in str(info.value)


def test_a_body_that_stalls_halfway_ends_in_transport_error(raw):
    holder: list[RawServer] = []

    def stall(connection: socket.socket) -> None:
        holder[0].read_request(connection)
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\n"
            b'Content-Length: 100\r\n\r\n{"_links": {'
        )
        holder[0].stop.wait(10)

    server = raw(stall)
    holder.append(server)
    with (
        halnav.Client(server.url, timeout=0.3, cache=False) as client,
        pytest.raises(halnav.TransportError),
    ):
        client.root()


def test_a_body_cut_short_of_its_content_length_is_a_transport_error(raw):
    holder: list[RawServer] = []

    def cut(connection: socket.socket) -> None:
        holder[0].read_request(connection)
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\n"
            b'Content-Length: 100\r\n\r\n{"_links": {"self": '
        )

    server = raw(cut)
    holder.append(server)
    with (
        halnav.Client(server.url, retries=0, cache=False) as client,
        pytest.raises(halnav.TransportError) as info,
    ):
        client.root()
    assert "cut short" in str(info.value) and "IncompleteRead" in str(info.value)


def test_a_truncated_json_answer_is_an_invalid_document_naming_url_and_position(raw):
    holder: list[RawServer] = []
    body = b'{"_links": {"self": {"href": "/v1"}}, "name": "trunc'

    def truncated(connection: socket.socket) -> None:
        holder[0].read_request(connection)
        # No Content-Length: the body ends when the connection does, so nothing looks cut.
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\nConnection: close\r\n\r\n"
            + body
        )

    server = raw(truncated)
    holder.append(server)
    with (
        halnav.Client(server.url + "/v1", token="t", cache=False) as client,
        pytest.raises(halnav.InvalidDocument) as info,
    ):
        client.root()
    message = str(info.value)
    assert info.value.url == server.url + "/v1" and server.url + "/v1" in message
    assert f"of {len(body)})" in message and "line 1 column" in message
    assert info.value.pointer == ""
