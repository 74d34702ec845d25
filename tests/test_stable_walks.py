"""Stable walks over an offset-paginated collection that changes under them (issue 14).

A plain walk over ``status=pending`` pages that closes each order as it goes processed 122 of 242
pending orders and returned without a word: each closed order shifts the later ones back, past
the walk's position. Walking orders newest first while orders are created yielded 61 duplicates.
``iterate(stable=True)`` yields no item twice (by its ``self`` URL) and, when a page declares
fewer items in all than the page before, reads the pages before it again.

Unit tests use :mod:`shifting` (a collection served by ``responses`` that changes between
requests, in the shapes a sandbox does not produce); integration tests use the sandbox, whose
orders the loop closes through each order's own update link, with writer threads creating orders.
"""

from __future__ import annotations

import gc
import json
import logging
import re
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
from hypothesis import given, settings
from hypothesis import strategies as st
from shifting import THINGS, Shifting, href

import halnav


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def closing(walk: Any, shelf: Shifting) -> list[int]:
    """Walk, removing each item from the collection as it is met (closing a pending order)."""
    met = []
    for thing in walk:
        met.append(thing["id"])
        shelf.remove(thing["id"])
    return met


# -- the loop that closes what it meets -------------------------------------------------------


@pytest.mark.parametrize("missing", [False, True], ids=["empty-past-the-end", "404-past-the-end"])
@pytest.mark.parametrize("style", ["pages", "offset", "spring"])
@pytest.mark.parametrize(("count", "size"), [(242, 20), (23, 5), (10, 3), (5, 5)])
def test_a_loop_closing_each_item_meets_every_item_once(rsps, style, count, size, missing):
    shelf = Shifting(range(count), size=size, style=style)
    shelf.missing_past_the_end = missing
    shelf.serve(rsps)
    with halnav.Client(THINGS) as client:
        walk = client.get(shelf.first_url()).iterate("things", stable=True)
        met = closing(walk, shelf)
    assert met == list(range(count))  # every one, once, in the collection's order
    assert shelf.items == []
    if count > size:
        assert walk.pages_reread > 0


def test_the_plain_walk_misses_half_and_says_so(rsps, caplog):
    shelf = Shifting(range(242), size=20)
    shelf.serve(rsps)
    with halnav.Client(THINGS) as client:
        met = closing(client.get(shelf.first_url()).iterate("things"), shelf)
    assert len(met) == 122  # the measured failure: 122 of 242, ...
    assert len(shelf.items) == 120
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("changed during the walk" in line and "stable=True" in line for line in said)


def test_closing_with_prefetch_stops_prefetching_where_the_collection_changes(rsps):
    shelf = Shifting(range(60), size=5)
    shelf.serve(rsps)
    with halnav.Client(THINGS) as client:
        walk = client.get(shelf.first_url()).iterate("things", prefetch=4, stable=True)
        assert walk.prefetching
        met = closing(walk, shelf)
    assert met == list(range(60))
    assert not walk.prefetching
    assert walk.why_sequential is not None
    assert walk.why_sequential.startswith("the collection changed during the walk")


# -- other writers ------------------------------------------------------------------------------


def test_items_added_before_the_walk_are_not_yielded_twice(rsps):
    # Newest first, new items arriving: each page's first items are the last page's last.
    shelf = Shifting(range(40), size=6)
    fresh = iter(range(1000, 1100))
    shelf.before_each = lambda s: [s.add(next(fresh), at=0) for _ in range(2)]
    shelf.serve(rsps)
    with halnav.Client(THINGS) as client:
        first = client.get(shelf.first_url())
        plain = Counter(thing["id"] for thing in first.iterate("things"))
        shelf.items = list(range(40))
        walk = first.iterate("things", stable=True)
        stable = Counter(thing["id"] for thing in walk)
    assert sum(plain.values()) - len(plain) > 0  # the plain walk repeats some
    assert max(stable.values()) == 1
    assert set(range(40)) <= set(stable)
    assert walk.items_skipped > 0


def test_an_item_that_leaves_and_comes_back_is_yielded_once(rsps):
    shelf = Shifting(range(20), size=4)
    shelf.serve(rsps)
    with halnav.Client(THINGS) as client:
        met = []
        for thing in client.get(shelf.first_url()).iterate("things", stable=True):
            met.append(thing["id"])
            if thing["id"] == 1:
                shelf.remove(1)
            if thing["id"] == 9:
                shelf.add(1, at=12)  # back again, ahead of the walk
    assert sorted(met) == list(range(20))


#: Changes another writer makes before a page is answered: (kind, where in 0..1).
Changes = st.lists(
    st.tuples(st.sampled_from(["add first", "add anywhere", "remove"]), st.floats(0, 0.999)),
    max_size=3,
)


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(0, 40),
    size=st.integers(1, 7),
    close=st.booleans(),
    schedule=st.lists(Changes, max_size=25),
    newest_first=st.booleans(),
    window=st.sampled_from([0, 3]),
)
def test_any_writers_never_make_an_item_repeat_and_seen_shifts_lose_nothing(
    count, size, close, schedule, newest_first, window
):
    """Whatever other writers do, no item is yielded twice; when they only add items before the
    walk's position (newest first), every item there from start to end is met, prefetched or
    not, whether the loop closes what it meets or not."""
    shelf = Shifting(range(count), size=size)
    fresh = iter(range(10_000, 20_000))
    removed: set[int] = set()
    answered = iter(schedule)

    def writer(s: Shifting) -> None:
        for kind, where in next(answered, []):
            if kind == "remove" and s.items:
                item = s.items[int(where * len(s.items))]
                removed.add(item)
                s.remove(item)
            elif kind == "add first" or newest_first:
                s.add(next(fresh), at=0)
            else:
                s.add(next(fresh), at=int(where * (len(s.items) + 1)))

    with responses.RequestsMock() as mock, halnav.Client(THINGS, cache=False) as client:
        shelf.serve(mock)
        first = client.get(shelf.first_url())
        shelf.before_each = writer
        met = Counter()
        for thing in first.iterate("things", window, stable=True):
            met[thing["id"]] += 1
            if close:
                shelf.remove(thing["id"])
    assert all(times == 1 for times in met.values())
    if newest_first:
        # Items are only added before the walk's position: every shift shows in the totals, so
        # every item there from start to end was met.
        assert set(range(count)) - removed <= set(met)


# -- what it costs, and what it cannot do -------------------------------------------------------


@pytest.mark.parametrize("window", [0, 3])
@pytest.mark.parametrize("style", ["pages", "offset", "spring", "cursor"])
def test_when_nothing_changes_a_stable_walk_reads_what_a_plain_walk_reads(rsps, window, style):
    shelf = Shifting(range(53), size=6, style=style)
    shelf.serve(rsps)
    with halnav.Client(THINGS) as client:
        first = client.get(shelf.first_url())
        shelf.requests.clear()
        plain = [thing["id"] for thing in first.iterate("things", window)]
        plain_requests = sorted(shelf.requests)
        shelf.requests.clear()
        walk = first.iterate("things", window, stable=True)
        assert [thing["id"] for thing in walk] == plain == list(range(53))
    assert sorted(shelf.requests) == plain_requests
    assert walk.prefetching is bool(window and style != "cursor")
    assert walk.pages_reread == walk.items_skipped == 0


def test_pages_that_cannot_be_addressed_are_not_read_again_and_the_walk_says_so(rsps, caplog):
    shelf = Shifting(range(20), size=5, style="cursor")
    shelf.serve(rsps)
    with halnav.Client(THINGS) as client:
        met = closing(client.get(shelf.first_url()).iterate("things", stable=True), shelf)
    assert len(met) == len(set(met)) < 20
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum("cannot be read again (no parameter that counts its pages)" in s for s in said) == 1


def test_items_without_a_self_link_are_yielded_as_read(rsps, caplog):
    shelf = Shifting(range(12), size=4)
    shelf.anonymous = True
    shelf.serve(rsps)
    with halnav.Client(THINGS) as client:
        met = [
            thing["id"] for thing in client.get(shelf.first_url()).iterate("things", stable=True)
        ]
    assert met == list(range(12))
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum("without a self link" in s for s in said) == 1


def test_an_error_in_a_stable_walk_counts_the_items_it_yielded(rsps):
    shelf = Shifting(range(30), size=5)
    shelf.serve(rsps)
    with halnav.Client(THINGS, retries=0) as client:
        first = client.get(shelf.first_url())
        walk = first.iterate("things", stable=True)
        met = [next(walk)["id"] for _ in range(10)]
        shelf.failing.add(3)
        with pytest.raises(halnav.ServerError) as caught:
            met += [thing["id"] for thing in walk]
    assert met == list(range(10))
    assert caught.value.page_url == shelf.url(2) and caught.value.items_before == 10


def test_a_dropped_stable_walk_holds_no_page_in_a_reference_cycle(rsps):
    shelf = Shifting(range(30), size=5)
    shelf.serve(rsps)
    rsps.assert_all_requests_are_fired = False

    def walk_generators() -> list[Any]:
        return [
            o
            for o in gc.get_objects()
            if type(o).__name__ == "generator" and "_pagination" in o.gi_code.co_filename
        ]

    with halnav.Client(THINGS, cache=False) as client:
        first = client.get(shelf.first_url())
        gc.collect()
        gc.disable()
        try:
            walk = first.iterate("things", stable=True)
            met = [next(walk)["id"] for _ in range(7)]  # into the second page
            shelf.remove(0)
            assert walk_generators()
            del walk
            assert walk_generators() == []  # freed at once: no cycle waits for the collector
        finally:
            gc.enable()
    assert met == list(range(7))


# -- keyset walks: next_page= ---------------------------------------------------------------------


def keyset_collection(rsps: responses.RequestsMock, dates: list[int], size: int) -> list[str]:
    """Items dated ``dates`` (newest first), pages of ``size`` asked by ``?before=DATE``: each
    page holds the items dated at or before it (so the boundary's items come again)."""
    asked: list[str] = []

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        asked.append(request.url or "")
        before = int(dict(parse_qsl(urlsplit(request.url or "").query)).get("before", 10**9))
        window = [(n, d) for n, d in enumerate(dates) if d <= before][:size]
        items = [{"_links": {"self": {"href": href(n)}}, "id": n, "date": d} for n, d in window]
        document = {"_embedded": {"things": items}}
        return 200, {"Content-Type": "application/hal+json"}, json.dumps(document)

    rsps.add_callback(
        responses.GET, re.compile(re.escape(f"{THINGS}/by-date") + r".*"), callback=answer
    )
    return asked


def test_a_keyset_walk_by_next_page_yields_each_boundary_item_once(rsps):
    dates = [90, 90, 80, 80, 80, 70, 60, 60, 50, 40]
    asked = keyset_collection(rsps, dates, size=4)

    def next_page(page: halnav.Resource) -> str | None:
        items = page.document["_embedded"]["things"]
        if len(items) < 4:
            return None
        return f"{THINGS}/by-date?before={items[-1]['date']}"

    with halnav.Client(THINGS) as client:
        first = client.get(f"{THINGS}/by-date")
        walk = first.iterate("things", stable=True, next_page=next_page)
        assert [thing["id"] for thing in walk] == list(range(10))
    assert walk.items_skipped > 0 and len(asked) == 4


def test_a_keyset_walk_that_would_loop_raises(rsps):
    keyset_collection(rsps, [50] * 10, size=4)  # more items of one date than a page holds
    with halnav.Client(THINGS) as client:
        first = client.get(f"{THINGS}/by-date")
        walk = first.iterate(
            "things", stable=True, next_page=lambda page: f"{THINGS}/by-date?before=50"
        )
        with pytest.raises(halnav.HALNavError, match="read already; following it would loop"):
            list(walk)


# -- against the sandbox: closing orders through their own links, writers creating orders -------

PER_PAGE = 10


def set_status(order: halnav.Resource, status: str) -> None:
    """PUT ``{"status": ...}`` through the order's own link (the live API's tracking link, or
    the sandbox's update link)."""
    rel = (
        "btc:update_order_tracking"
        if order.has("btc:update_order_tracking")
        else "btc:update_order"
    )
    order.invoke(rel, json={"status": status})


def pending_orders(shop: halnav.Resource) -> list[str]:
    first = shop.follow("btc:orders", status="pending", per_page=200)
    return [order.url or "" for order in first.iterate()]


@pytest.mark.bootic_sandbox(orders=1000)
@pytest.mark.parametrize("window", [0, 4])
def test_sandbox_closing_each_pending_order_as_the_walk_goes_closes_every_one_once(
    bootic_sandbox, window
):
    with halnav.Client(bootic_sandbox, token=bootic_sandbox.token) as client:
        shop = client.root().follow("shops")
        pending = pending_orders(shop)
        assert len(pending) > 3 * PER_PAGE
        first = shop.follow("btc:orders", status="pending", per_page=PER_PAGE)
        walk = first.iterate(prefetch=window, stable=True)
        met = []
        for order in walk:
            assert order["status"] == "pending"
            met.append(order.url)
            set_status(order, "closed")
        assert pending_orders(shop) == []
    assert sorted(met) == sorted(pending)  # every one, once
    assert walk.pages_reread > 0


@pytest.mark.bootic_sandbox(orders=1000)
def test_sandbox_a_plain_walk_closing_pending_orders_misses_some_and_says_so(
    bootic_sandbox, caplog
):
    with halnav.Client(bootic_sandbox, token=bootic_sandbox.token) as client:
        shop = client.root().follow("shops")
        pending = pending_orders(shop)
        met = []
        for order in shop.follow("btc:orders", status="pending", per_page=PER_PAGE).iterate():
            met.append(order.url)
            set_status(order, "closed")
        left = pending_orders(shop)
    assert len(met) + len(left) == len(pending) and left
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("changed during the walk" in line for line in said)


class Writer:
    """Another client creating orders in a thread of its own, ``per_batch`` each time the walk
    finishes a page (the walk waits for it: the interleaving is the same on every run), at most
    ``limit`` in all; with ``status``, each new order is then set to it."""

    def __init__(self, sandbox: Any, per_batch: int, limit: int, status: str | None = None):
        self.client = halnav.Client(sandbox, token=sandbox.token)
        self.shop = self.client.root().follow("shops")
        self.body = {"line_items": [{"variant_id": sandbox.variant_ids[0], "units": 1}]}
        self.per_batch, self.limit, self.status = per_batch, limit, status
        self.created: list[str] = []
        self.errors: list[BaseException] = []
        self._go = threading.Semaphore(0)
        self._done = threading.Semaphore(0)
        self._closed = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while self._go.acquire(timeout=60) and not self._closed:
            try:
                for _ in range(min(self.per_batch, self.limit - len(self.created))):
                    order = self.shop.invoke("btc:create_order", json=self.body)
                    if self.status is not None:
                        set_status(order, self.status)
                    self.created.append(order.url or "")
            except BaseException as exc:  # reported by the test
                self.errors.append(exc)
            finally:
                self._done.release()

    def page_done(self) -> None:
        """The walk finished a page: write a batch now, and wait until it is written."""
        self._go.release()
        assert self._done.acquire(timeout=30)

    def close(self) -> None:
        self._closed = True
        self._go.release()
        self._thread.join(30)
        self.client.close()


@pytest.mark.bootic_sandbox(orders=300)
def test_sandbox_orders_created_during_a_walk_newest_first_are_not_met_twice(bootic_sandbox):
    def walk_all(stable: bool) -> tuple[list[str], list[str]]:
        writer = Writer(bootic_sandbox, per_batch=2, limit=30)
        try:
            with halnav.Client(bootic_sandbox, token=bootic_sandbox.token) as client:
                shop = client.root().follow("shops")
                first = shop.follow("btc:orders", per_page=20, sort="created_on.desc")
                before = [
                    order.url or "" for order in shop.follow("btc:orders", per_page=200).iterate()
                ]
                met = []
                for number, order in enumerate(first.iterate(stable=stable), 1):
                    met.append(order.url or "")
                    if number % 20 == 0:
                        writer.page_done()
        finally:
            writer.close()
        assert writer.errors == []
        return before, met

    before, plain = walk_all(stable=False)
    assert len(plain) > len(set(plain))  # the measured failure: duplicates
    before, stable = walk_all(stable=True)
    assert len(stable) == len(set(stable))
    assert set(before) <= set(stable)


@pytest.mark.bootic_sandbox(orders=1000)
def test_sandbox_closing_pending_orders_while_a_writer_adds_pending_ones(bootic_sandbox):
    writer = Writer(bootic_sandbox, per_batch=3, limit=24, status="pending")
    try:
        with halnav.Client(bootic_sandbox, token=bootic_sandbox.token) as client:
            shop = client.root().follow("shops")
            pending = pending_orders(shop)
            first = shop.follow("btc:orders", status="pending", per_page=PER_PAGE)
            met = []
            for number, order in enumerate(first.iterate(stable=True), 1):
                met.append(order.url)
                set_status(order, "closed")
                if number % PER_PAGE == 7:  # in the middle of a page
                    writer.page_done()
    finally:
        writer.close()
    assert writer.errors == [] and writer.created
    assert len(met) == len(set(met))  # no order met (and closed) twice
    assert set(pending) <= set(met)  # every order pending from the start was closed


@pytest.mark.bootic_sandbox(orders=600)
@pytest.mark.parametrize("window", [0, 4])
def test_sandbox_a_stable_walk_of_an_unchanging_collection_costs_no_more_pages(
    bootic_sandbox, window
):
    gets: list[str] = []

    def count(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.request.method == "GET" and "orders" in (response.url or ""):
            gets.append(response.url)

    with halnav.Client(bootic_sandbox, token=bootic_sandbox.token) as client:
        client.session.hooks["response"].append(count)
        first = client.root().follow("shops").follow("btc:orders", per_page=50)
        gets.clear()
        plain = [order.url for order in first.iterate(prefetch=window)]
        plain_gets = sorted(gets)
        gets.clear()
        stable = [order.url for order in first.iterate(prefetch=window, stable=True)]
    assert stable == plain and len(plain) == 600
    assert sorted(gets) == plain_gets
