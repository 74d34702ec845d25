"""Answers a broken or hostile server gives: a head cut short, bodies cut short, bodies too large.

A raw socket server on 127.0.0.1 (``tests/rawserver.py``) sends exactly the bytes each test
scripts. Python's HTTP parser takes a head that ends without its blank line for a whole one;
halnav must not (issue 15, point 1). A body may not grow without bound (point 4).
"""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from typing import Any

import pytest
from rawserver import ScriptServer, answer, chunked, endless, head

import halnav

HAL = "application/hal+json"
DOCUMENT = json.dumps({"_links": {"self": {"href": "/v1"}}, "id": 7}).encode()


def client_for(server: ScriptServer, **options: Any) -> halnav.Client:
    options.setdefault("cache", False)
    return halnav.Client(server.url + "/v1", token="s3cr3t-token", **options)


# -- point 1: a head cut short is a dropped connection, never an empty 200 ---------------------

CUT_HEADS = {
    "inside a header line": b"HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\nContent-Le",
    "after a header line": b"HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\n",
    "after the status line": b"HTTP/1.1 200 OK\r\n",
    "inside the status line": b"HTTP/1.1 200 O",
    "before the blank line's end": b"HTTP/1.1 201 Created\r\nLocation: /v1/orders/9\r\n\r",
}


@pytest.mark.parametrize("cut", list(CUT_HEADS.values()), ids=list(CUT_HEADS))
def test_a_head_cut_short_is_a_transport_error_not_an_empty_answer(script, sleeps, cut):
    server = script(cut)
    with client_for(server, retries=0) as client, pytest.raises(halnav.TransportError) as info:
        client.root()
    message = str(info.value)
    assert "cut short inside its header block" in message
    assert "blank line" in message and "s3cr3t" not in message
    assert info.value.method == "GET" and server.methods == ["GET"]


def test_a_get_whose_head_was_cut_is_retried_as_a_dropped_connection_is(script, sleeps):
    server = script(CUT_HEADS["after a header line"], answer(DOCUMENT))
    with client_for(server) as client:
        assert client.root()["id"] == 7
    assert server.methods == ["GET", "GET"]


def test_a_get_whose_head_is_always_cut_fails_after_its_tries(script, sleeps):
    server = script(CUT_HEADS["inside a header line"])
    with client_for(server, retries=2) as client, pytest.raises(halnav.TransportError) as info:
        client.root()
    assert len(server.heads) == 3
    assert "after 3 tries" in str(info.value) and "header block" in str(info.value)


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_write_whose_head_was_cut_is_not_sent_again_and_its_outcome_is_unknown(
    script, sleeps, method
):
    server = script(CUT_HEADS["before the blank line's end"], answer(DOCUMENT, 201, "Created"))
    with client_for(server) as client, pytest.raises(halnav.TransportError) as info:
        client.request(method, "/v1/orders", json={"line_items": []})
    assert server.methods == [method]
    message = str(info.value)
    assert "header block" in message
    assert f"({method} not retried; the outcome is unknown: the server may have applied it)" in (
        message
    )


def test_a_walk_whose_page_head_is_cut_fails_loudly_instead_of_ending(script, sleeps):
    def page(number: int, last: int) -> bytes:
        links: dict[str, Any] = {"self": {"href": f"/v1/orders?page={number}"}}
        if number < last:
            links["next"] = {"href": f"/v1/orders?page={number + 1}"}
        items = [{"id": number * 10 + n} for n in range(5)]
        return json.dumps({"_links": links, "_embedded": {"items": items}}).encode()

    server = script(answer(page(1, 2)), CUT_HEADS["after the status line"])
    walked: list[int] = []
    with client_for(server, retries=0) as client, pytest.raises(halnav.TransportError) as info:
        for item in client.get("/v1/orders?page=1").iterate():
            walked.append(item["id"])
    assert walked == [10, 11, 12, 13, 14]
    assert info.value.page_url is not None and info.value.page_url.endswith("page=2")
    assert info.value.items_before == 5


# -- bodies cut short -------------------------------------------------------------------------


def test_a_get_whose_body_was_cut_short_of_its_length_is_retried(script, sleeps):
    cut = head(200, Content_Type=HAL, Content_Length=str(len(DOCUMENT))) + DOCUMENT[:10]
    server = script(cut, answer(DOCUMENT))
    with client_for(server) as client:
        assert client.root()["id"] == 7
    assert server.methods == ["GET", "GET"]


def test_a_body_always_cut_short_fails_after_its_tries_saying_so(script, sleeps):
    cut = head(200, Content_Type=HAL, Content_Length=str(len(DOCUMENT))) + DOCUMENT[:10]
    server = script(cut)
    with client_for(server, retries=1) as client, pytest.raises(halnav.TransportError) as info:
        client.root()
    assert len(server.heads) == 2
    message = str(info.value)
    assert "cut short after 2 tries" in message and "IncompleteRead" in message


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_write_whose_body_was_cut_is_not_sent_again(script, sleeps, method):
    cut = head(201, Content_Type=HAL, Content_Length=str(len(DOCUMENT))) + DOCUMENT[:10]
    server = script(cut, answer(DOCUMENT))
    with client_for(server) as client, pytest.raises(halnav.TransportError) as info:
        client.request(method, "/v1/orders", json={})
    assert server.methods == [method]
    assert "cut short" in str(info.value) and "outcome is unknown" in str(info.value)


def test_a_chunked_body_cut_short_is_a_transport_error(script, sleeps):
    cut = head(200, Content_Type=HAL, Transfer_Encoding="chunked") + chunked(
        DOCUMENT[:20], last=False
    )
    server = script(cut)
    with client_for(server, retries=0) as client, pytest.raises(halnav.TransportError) as info:
        client.root()
    assert "cut short" in str(info.value)


# -- point 4: a body's size is bounded while it is read -----------------------------------------

MIB = 2**20


def gzip_of_zeros(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(MIB)
    data = b"".join(compressor.compress(block) for _ in range(size // MIB))
    return data + compressor.flush()


def test_the_default_limit_is_64_mib_decoded():
    with halnav.Client("http://127.0.0.1:9/v1") as client:
        assert client.max_body_size == 64 * MIB
    with halnav.Client("http://127.0.0.1:9/v1", max_body_size=None) as client:
        assert client.max_body_size is None


def test_a_gzip_bomb_is_stopped_at_the_default_limit(script, sleeps):
    bomb = gzip_of_zeros(65 * MIB)  # some 65 kB on the wire
    assert len(bomb) < MIB
    server = script(answer(bomb, Content_Encoding="gzip", Content_Type="application/json"))
    with client_for(server) as client, pytest.raises(halnav.BodyTooLarge) as info:
        client.root()
    error = info.value
    assert isinstance(error, halnav.TransportError)
    assert error.limit == 64 * MIB and "64 MiB" in str(error)
    assert "max_body_size" in str(error) and error.url == server.url + "/v1"
    assert len(server.heads) == 1  # not retried


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compressed_body_is_counted_decoded(script, sleeps, encoding):
    plain = json.dumps({"filler": "x" * (3 * MIB)}).encode()
    packed = gzip.compress(plain) if encoding == "gzip" else zlib.compress(plain)
    server = script(answer(packed, Content_Encoding=encoding, Content_Type="application/json"))
    with (
        client_for(server, max_body_size=MIB) as client,
        pytest.raises(halnav.BodyTooLarge, match="1 MiB"),
    ):
        client.root()
    with client_for(server, max_body_size=4 * MIB) as client:
        assert len(client.root()["filler"]) == 3 * MIB
    with client_for(server, max_body_size=None) as client:
        assert len(client.root()["filler"]) == 3 * MIB


def test_a_declared_length_over_the_limit_is_refused_before_reading(script, sleeps):
    stop = threading.Event()

    def announce(connection: Any) -> None:
        connection.sendall(head(200, Content_Type=HAL, Content_Length=str(10 * MIB)))
        stop.wait(10)  # the body never comes: the client must not wait for it

    server = script(announce)
    try:
        with (
            client_for(server, max_body_size=MIB, timeout=5) as client,
            pytest.raises(halnav.BodyTooLarge) as info,
        ):
            client.root()
    finally:
        stop.set()
    assert f"Content-Length {10 * MIB}" in str(info.value)


@pytest.mark.parametrize("framing", ["close-delimited", "chunked"])
def test_an_endless_body_is_stopped_at_the_limit(script, sleeps, framing):
    stop = threading.Event()
    if framing == "chunked":
        action = endless(
            head(200, Content_Type="application/json", Transfer_Encoding="chunked"),
            chunked(b"x" * 65536, last=False),
            stop,
        )
    else:
        action = endless(head(200, Content_Type="application/json"), b"x" * 65536, stop)
    server = script(action)
    try:
        with (
            client_for(server, max_body_size=2 * MIB) as client,
            pytest.raises(halnav.BodyTooLarge, match="2 MiB"),
        ):
            client.root()
    finally:
        stop.set()


def test_a_body_of_exactly_the_limit_is_read(script, sleeps):
    body = json.dumps({"a": "y" * 1000}).encode()
    server = script(answer(body, Content_Type="application/json"))
    with client_for(server, max_body_size=len(body)) as client:
        assert client.root()["a"] == "y" * 1000
    server = script(
        head(200, Content_Type="application/json", Transfer_Encoding="chunked")
        + chunked(body[:500], body[500:])
    )
    with client_for(server, max_body_size=len(body)) as client:
        assert client.root()["a"] == "y" * 1000


def test_the_limit_holds_with_a_session_of_the_callers_too(script, sleeps):
    import requests

    server = script(answer(b"z" * (2 * MIB), Content_Type="text/plain"))
    with (
        halnav.Client(server.url, session=requests.Session(), max_body_size=MIB) as client,
        pytest.raises(halnav.BodyTooLarge),
    ):
        client.root()


@pytest.mark.parametrize("bad", [-1, 1.5, "64M", True])
def test_nonsense_limits_are_refused(bad):
    with pytest.raises((TypeError, ValueError)):
        halnav.Client("http://127.0.0.1:9/v1", max_body_size=bad)
