"""A deadline per walk (issue 15, point 7: "and per walk").

``pages(deadline=...)`` and ``iterate(deadline=...)`` make one :class:`halnav.Deadline` when the
walk starts and give it to every page request, sequential or prefetched: with ``Retry-After:
60`` a walk's page used to wait 8 minutes before failing. No test measures time: each server
below would keep a walk waiting (a minute, or a byte at a time), and the walk must end in
:class:`halnav.DeadlineExceeded` naming its page.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from rawserver import RawServer, ScriptServer, answer, drip, head, read_request

import halnav
import halnav._deadline
from halnav._representation import Representation


def page(number: int, pages: int = 3) -> bytes:
    links: dict[str, Any] = {"self": {"href": f"/things?page={number}"}}
    links["last"] = {"href": f"/things?page={pages}"}
    if number < pages:
        links["next"] = {"href": f"/things?page={number + 1}"}
    items = [
        {"_links": {"self": {"href": f"/t/{number}-{n}"}}, "id": f"{number}-{n}"} for n in (1, 2)
    ]
    document = {
        "_links": links,
        "total_items": 2 * pages,
        "per_page": 2,
        "page": number,
        "_embedded": {"things": items},
    }
    return json.dumps(document).encode()


def dripping(body: bytes, stop: threading.Event) -> Callable[[socket.socket], None]:
    """The head at once, then the body a byte each 0.1 s."""

    def send(connection: socket.socket) -> None:
        connection.sendall(
            head(200, Content_Type="application/hal+json", Content_Length=str(len(body)))
        )
        drip(body, 0.1, stop)(connection)

    return send


@contextmanager
def routed(routes: dict[str, Any]) -> Iterator[RawServer]:
    """A server answering each request by its path and query: ``routes[target]`` is bytes to
    send, or a function given the connection."""

    def behaviour(connection: socket.socket) -> None:
        connection.settimeout(10)
        request = read_request(connection)
        if not request:
            return
        target = request.split(b" ", 2)[1].decode()
        action = routes[target]
        if callable(action):
            action(connection)
        else:
            connection.sendall(action)

    server = RawServer(behaviour)
    try:
        yield server
    finally:
        server.close()


def client_for(url: str, **options: Any) -> halnav.Client:
    options.setdefault("cache", False)
    options.setdefault("timeout", (1.0, 1.0))
    return halnav.Client(url, token="t0ken-s3cret", **options)


def test_retry_after_60_on_a_page_is_cut_by_the_walks_deadline(sleeps):
    busy = answer(b"", 429, "Too Many Requests", Retry_After="60")
    server = ScriptServer(answer(page(1)), busy)  # page 2 and every try after: 429, wait 60 s
    try:
        with client_for(server.url) as client:
            first = client.get("/things?page=1")
            seen = []
            with pytest.raises(halnav.DeadlineExceeded) as caught:
                for thing in first.iterate("things", deadline=100):
                    seen.append(thing["id"])
    finally:
        server.close()
    error = caught.value
    assert seen == ["1-1", "1-2"]
    assert error.page_url == f"{server.url}/things?page=2" and error.items_before == 2
    assert error.seconds == 100
    message = str(error)
    assert "the server asked to wait 60s (Retry-After, status 429)" in message
    assert "the deadline, not the server, ended the wait" in message
    assert "walk stopped by the walk's deadline (100s) at page" in message
    assert "t0ken" not in message
    # One wait of 60 s fitted in the 100 s; the second did not: 2 tries, not 9 and 8 minutes.
    assert sleeps == [60] and len(server.heads) == 3


@pytest.mark.parametrize("window", [0, 2])
def test_a_dripping_page_ends_at_the_walks_deadline(stop, window):
    routes = {
        "/things?page=1": answer(page(1)),
        "/things?page=2": dripping(page(2), stop),
        "/things?page=3": answer(page(3)),
    }
    with routed(routes) as server, client_for(server.url) as client:
        first = client.get("/things?page=1")
        walk = first.iterate("things", window, deadline=0.5)
        assert walk.prefetching is bool(window)
        seen = []
        with pytest.raises(halnav.DeadlineExceeded) as caught:
            for thing in walk:
                seen.append(thing["id"])
    assert seen == ["1-1", "1-2"]
    assert caught.value.page_url == f"{server.url}/things?page=2"
    assert caught.value.items_before == 2
    assert "by the walk's deadline (0.5s)" in str(caught.value)


def test_pages_take_a_deadline_too(stop):
    routes = {"/things?page=1": answer(page(1)), "/things?page=2": dripping(page(2), stop)}
    with routed(routes) as server, client_for(server.url) as client:
        first = client.get("/things?page=1")
        with pytest.raises(halnav.DeadlineExceeded) as caught:
            list(first.pages(deadline=halnav.Deadline(0.5)))
    assert caught.value.page_url == f"{server.url}/things?page=2"


def test_one_deadline_object_is_shared_by_every_page(sleeps):
    server = ScriptServer(answer(page(1)), answer(page(2)), answer(page(3)))
    budget = halnav.Deadline(10)
    try:
        with client_for(server.url) as client:
            walk = client.get("/things?page=1").iterate("things", deadline=budget)
            assert walk.deadline is budget
            assert [next(walk)["id"] for _ in range(3)] == ["1-1", "1-2", "2-1"]
            sleeps.append(11)  # the loop's own work outlasts the walk's budget
            with pytest.raises(halnav.DeadlineExceeded, match="before sending the request"):
                list(walk)
    finally:
        server.close()
    assert len(server.heads) == 2  # page 3 was never sent


def test_the_walks_deadline_is_made_when_the_walk_starts():
    server = ScriptServer(answer(page(1, pages=1)))
    try:
        with client_for(server.url) as client:
            walk = client.get("/things?page=1").iterate("things", deadline=30)
            assert isinstance(walk.deadline, halnav.Deadline) and walk.deadline.seconds == 30
            assert 0 < walk.deadline.remaining() <= 30
            assert [thing["id"] for thing in walk] == ["1-1", "1-2"]
            assert client.get("/things?page=1").iterate("things").deadline is None
    finally:
        server.close()


@pytest.mark.parametrize(
    ("client_deadline", "walk_deadline", "ended_by", "says_walk"),
    [(0.3, 60, 0.3, False), (60, 0.3, 0.3, True)],
)
def test_a_page_keeps_the_clients_deadline_too_whichever_ends_first(
    stop, client_deadline, walk_deadline, ended_by, says_walk
):
    routes = {"/things?page=1": answer(page(1)), "/things?page=2": dripping(page(2), stop)}
    with routed(routes) as server, client_for(server.url, deadline=client_deadline) as client:
        first = client.get("/things?page=1")
        with pytest.raises(halnav.DeadlineExceeded) as caught:
            list(first.iterate("things", deadline=walk_deadline))
    assert caught.value.seconds == ended_by
    assert ("by the walk's deadline" in str(caught.value)) is says_walk
    assert caught.value.page_url == f"{server.url}/things?page=2"


@pytest.mark.parametrize(("bad", "error"), [(0, ValueError), (-1, ValueError), ("5", TypeError)])
def test_a_walks_deadline_is_checked_when_the_walk_starts(bad, error):
    resource = halnav.Resource({"_links": {}}, url="https://api.example.test/things")
    with pytest.raises(error):
        resource.iterate("things", deadline=bad)
    with pytest.raises(error):
        resource.pages(deadline=bad)


class PlainFetcher:
    """A fetcher written before walks had deadlines: ``fetch`` takes no ``deadline``."""

    def __init__(self, documents: dict[str, Any]) -> None:
        self.documents = documents

    def fetch(self, method: str, url: str, **options: Any) -> Representation:
        assert "deadline" not in options
        return Representation(url, 200, {}, b"{}", "application/hal+json", self.documents[url])

    @contextmanager
    def walking(self, *, keep: bool = True) -> Iterator[None]:
        yield

    def cache_holds(self, body_size: int, count: int) -> bool:
        return True


def test_a_walk_without_a_deadline_asks_the_fetcher_for_none():
    base = "https://api.example.test/things"
    documents = {
        f"{base}?page={n}": {
            "_links": {"next": {"href": f"{base}?page={n + 1}"}} if n < 3 else {},
            "_embedded": {"things": [{"id": n}]},
        }
        for n in (1, 2, 3)
    }
    fetcher = PlainFetcher(documents)
    first = halnav.Resource.from_representation(
        fetcher.fetch("GET", f"{base}?page=1"),
        client=fetcher,  # a partial double: no prefetch_executor, no authenticates
    )
    assert [thing["id"] for thing in first.iterate("things")] == [1, 2, 3]
