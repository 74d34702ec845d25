"""A deadline bounds a request as a whole (issue 15, point 7).

A timeout bounds one wait; a server dripping a byte at a time never trips it. ``deadline=``
(``Client(deadline=...)``, or a call's own) bounds everything a request does: connecting, a slow
head or body, redirects, retries and the waits between them. No test here measures time: each
script would succeed (or wait a minute) without the deadline, and must end in
:class:`halnav.DeadlineExceeded` with it.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from rawserver import ScriptServer, answer, drip, head
from test_timeouts import unaccepting_port

import halnav
import halnav._deadline

BODY = b'{"_links": {"self": {"href": "/v1"}}, "dripped": true}'


def dripping_body(stop: threading.Event, every: float = 0.1) -> Any:
    """The head at once, then the body a byte each ``every`` seconds (5 s in all at 0.1)."""
    start = head(200, Content_Type="application/hal+json", Content_Length=str(len(BODY)))

    def send(connection: Any) -> None:
        connection.sendall(start)
        drip(BODY, every, stop)(connection)

    return send


def client_for(server: ScriptServer, **options: Any) -> halnav.Client:
    options.setdefault("cache", False)
    options.setdefault("timeout", (1.0, 1.0))
    return halnav.Client(server.url + "/v1", token="t0ken-s3cret", **options)


def test_a_dripping_body_ends_at_the_deadline_though_no_read_times_out(script, stop):
    server = script(dripping_body(stop))
    with (
        client_for(server, deadline=0.4) as client,
        pytest.raises(halnav.DeadlineExceeded) as info,
    ):
        client.root()
    error = info.value
    assert isinstance(error, halnav.TransportError) and error.seconds == 0.4
    assert str(error).startswith(f"GET {server.url}/v1 stopped by the deadline of 0.4s")
    assert "outcome" not in str(error) and "t0ken" not in str(error)
    assert len(server.heads) == 1  # a deadline is not retried


def test_a_dripping_head_ends_at_the_deadline(script, stop):
    server = script(drip(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" * 3, 0.1, stop))
    with client_for(server, deadline=0.4) as client, pytest.raises(halnav.DeadlineExceeded):
        client.root()


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_write_stopped_by_its_deadline_says_its_outcome_is_unknown(script, stop, method):
    server = script(dripping_body(stop))
    with client_for(server) as client, pytest.raises(halnav.DeadlineExceeded) as info:
        client.request(method, "/v1/orders", json={"a": 1}, deadline=0.4)
    assert "outcome is unknown" in str(info.value)
    assert server.methods == [method]


def test_the_deadline_ends_a_wait_the_server_asked_for_and_says_so(script, sleeps):
    server = script(answer(b"", 429, "Too Many Requests", Retry_After="60"), answer(BODY))
    with client_for(server, deadline=5) as client, pytest.raises(halnav.DeadlineExceeded) as info:
        client.root()
    message = str(info.value)
    assert "the server asked to wait 60s (Retry-After, status 429)" in message
    assert "the deadline, not the server, ended the wait" in message
    assert "stopped by the deadline of 5s before retry 1" in message
    assert sleeps == [] and len(server.heads) == 1  # no minute-long wait, no second try


def test_a_wait_that_fits_in_the_deadline_is_waited(script, sleeps):
    server = script(answer(b"", 503, "Busy", Retry_After="2"), answer(BODY))
    with client_for(server, deadline=30) as client:
        assert client.root()["dripped"] is True
    assert sleeps == [2] and len(server.heads) == 2


def test_a_walks_budget_of_retries_is_cut_by_the_deadline_too(script, sleeps):
    # Without a deadline, 9 tries and their Retry-After waits (8 x 30 s) would be made.
    busy = answer(b"", 503, "Busy", Retry_After="30")
    server = script(busy)
    with (
        client_for(server, deadline=45) as client,
        client.walking(),
        pytest.raises(halnav.DeadlineExceeded, match="before retry 2"),
    ):
        client.get("/v1/orders?page=2")
    assert len(server.heads) == 2 and sleeps == [30]


def test_redirects_share_the_requests_deadline(script, stop):
    def slow_redirect(to: str) -> Any:
        def send(connection: Any) -> None:
            if not stop.wait(0.2):
                connection.sendall(answer(b"", 302, "Found", Location=to))

        return send

    hops = [slow_redirect(f"/v1/hop{n}") for n in range(1, 12)]
    server = script(*hops, answer(BODY))
    with client_for(server, deadline=0.5) as client:
        with pytest.raises(halnav.DeadlineExceeded):
            client.root()
        assert len(server.heads) < 11
        # The same chain without a deadline: every hop is followed.
        server.heads.clear()
        assert client.request("GET", "/v1", deadline=None)["dripped"] is True
        assert len(server.heads) == 12


def test_a_calls_deadline_overrides_the_clients(script, stop):
    server = script(dripping_body(stop, every=0.002), dripping_body(stop))
    with client_for(server, deadline=0.05) as client:
        assert client.deadline == 0.05
        assert client.request("GET", "/v1", deadline=None)["dripped"] is True
        with pytest.raises(halnav.DeadlineExceeded, match="deadline of 0.3s"):
            client.request("GET", "/v1", deadline=0.3)


def test_one_deadline_object_bounds_several_calls_together(script, sleeps):
    server = script(answer(BODY))
    shared = halnav.Deadline(10)
    with client_for(server) as client:
        client.request("GET", "/v1", deadline=shared)
        sleeps.append(9.5)  # the clock moves on: half a second is left to share
        assert 0 < shared.remaining() <= 0.5
        client.request("GET", "/v1", deadline=shared)
        sleeps.append(1)
        with pytest.raises(halnav.DeadlineExceeded, match="deadline of 10s before sending"):
            client.request("GET", "/v1", deadline=shared)
    assert len(server.heads) == 2
    assert shared.expired and "10s" in repr(shared)


def test_a_deadline_already_passed_sends_nothing(script):
    server = script(answer(BODY))
    spent = halnav.Deadline(0.001)
    while spent.remaining() > -0.01:
        pass
    with client_for(server) as client, pytest.raises(halnav.DeadlineExceeded) as info:
        client.request("POST", "/v1/orders", json={}, deadline=spent)
    assert "before sending the request" in str(info.value)
    assert "(POST not retried; the request was not sent)" in str(info.value)
    assert server.heads == []


def test_connecting_is_bounded_by_the_deadline():
    with (
        unaccepting_port() as port,
        halnav.Client(f"http://127.0.0.1:{port}/v1", timeout=(30, 30), deadline=0.3) as client,
        pytest.raises(halnav.DeadlineExceeded) as info,
    ):
        client.request("POST", "/v1/orders", json={"a": 1})
    assert "while connecting" in str(info.value) or "before" in str(info.value)
    assert "the request was not sent" in str(info.value)


@pytest.mark.parametrize("bad", [0, -1, float("nan")])
def test_a_deadline_is_a_positive_number_of_seconds(bad):
    with pytest.raises(ValueError):
        halnav.Deadline(bad)
    with pytest.raises(ValueError):
        halnav.Client("http://127.0.0.1:9/v1", deadline=bad)


@pytest.mark.parametrize("bad", ["5", True, None])
def test_a_deadline_is_a_number(bad):
    with pytest.raises(TypeError):
        halnav.Deadline(bad)
