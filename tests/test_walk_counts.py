"""A walk checks what it received against what its pages declared (issue 15, point 1).

An answer that comes back short or empty with a valid status used to end a walk early, or skip a
page, without a word ("a walk stops after 4 of 10 items with no error"). The walk now compares
what it received with the count every page declared (``total_items``, a page-metadata count, the
``last`` link) and raises :class:`halnav.WalkCountMismatch` at its end; a count that changed
during the walk (the collection changed under it) is logged instead.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import responses
from rawserver import ScriptServer, answer
from shifting import THINGS, Shifting

import halnav


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock


def walk_ids(walk: Any, into: list[int] | None = None) -> list[int]:
    found = [] if into is None else into
    for item in walk:
        found.append(item["id"])
    return found


def emptied(document: dict[str, Any]) -> dict[str, Any]:
    document["_embedded"]["things"] = []
    return document


@pytest.mark.parametrize("window", [0, 3])
def test_a_page_that_comes_back_empty_with_a_valid_status_fails_the_walk_at_its_end(rsps, window):
    shelf = Shifting(range(10), size=2)
    shelf.override[2] = emptied  # page 2: 200, valid HAL, its items gone
    shelf.serve(rsps)
    seen: list[int] = []
    with halnav.Client(THINGS) as client:
        first = client.get(shelf.first_url())
        with pytest.raises(halnav.WalkCountMismatch) as caught:
            walk_ids(first.iterate("things", prefetch=window), seen)
    assert seen == [0, 1, 4, 5, 6, 7, 8, 9]  # every item read was yielded first
    error = caught.value
    assert (error.unit, error.expected, error.received) == ("items", 10, 8)
    assert error.declared_by == "total_items"
    assert error.page_url == shelf.url(4) and error.items_before == 6  # before that page
    message = str(error)
    assert "ended with 8 items where its pages declared 10 (total_items" in message
    assert "fewer than promised" in message
    assert f"{shelf.url(1)} held 0 items, fewer than the first page" in message


def test_a_walk_cut_after_4_of_10_items_says_so(rsps):
    # The shape a head cut short used to give: an empty 200, no links, no items.
    shelf = Shifting(range(10), size=2)
    shelf.override[3] = lambda document: {}
    shelf.serve(rsps)
    seen: list[int] = []
    with halnav.Client(THINGS) as client:
        first = client.get(shelf.first_url())
        with pytest.raises(halnav.WalkCountMismatch, match="ended with 4 items") as caught:
            walk_ids(first.iterate("things"), seen)
    assert seen == [0, 1, 2, 3]
    assert caught.value.page_url == shelf.url(2)


def test_over_real_http_page_2_answers_an_empty_embedded_with_200():
    def page(number: int, items: list[int], last: bool = False) -> bytes:
        links = {"self": {"href": f"/things?page={number}"}}
        if not last:
            links["next"] = {"href": f"/things?page={number + 1}"}
        document = {
            "_links": links,
            "total_items": 6,
            "per_page": 2,
            "_embedded": {
                "things": [{"_links": {"self": {"href": f"/t/{n}"}}, "id": n} for n in items]
            },
        }
        return answer(json.dumps(document).encode())

    server = ScriptServer(page(1, [0, 1]), page(2, []), page(3, [4, 5], last=True))
    try:
        with halnav.Client(server.url, cache=False) as client:
            first = client.get("/things")
            seen: list[int] = []
            with pytest.raises(halnav.WalkCountMismatch) as caught:
                walk_ids(first.iterate("things"), seen)
    finally:
        server.close()
    assert seen == [0, 1, 4, 5]
    assert (caught.value.expected, caught.value.received) == (6, 4)
    assert caught.value.page_url == f"{server.url}/things?page=3"


def test_more_items_than_declared_fails_too(rsps):
    shelf = Shifting(range(6), size=2)

    def padded(document: dict[str, Any]) -> dict[str, Any]:
        document["_embedded"]["things"].append(
            {"_links": {"self": {"href": f"{THINGS}/99"}}, "id": 99}
        )
        return document

    shelf.override[2] = padded
    shelf.serve(rsps)
    with (
        halnav.Client(THINGS) as client,
        pytest.raises(halnav.WalkCountMismatch, match="more than"),
    ):
        list(client.get(shelf.first_url()).iterate("things"))


@pytest.mark.parametrize("style", ["pages", "offset", "spring", "cursor"])
def test_a_whole_walk_raises_nothing(rsps, style):
    shelf = Shifting(range(23), size=5, style=style)
    shelf.serve(rsps)
    with halnav.Client(THINGS) as client:
        first = client.get(shelf.first_url())
        assert walk_ids(first.iterate("things")) == list(range(23))
        assert len(list(first.pages())) == 5


def test_an_empty_collection_is_no_mismatch(rsps):
    shelf = Shifting([], size=5)
    shelf.serve(rsps)
    with halnav.Client(THINGS) as client:
        assert list(client.get(shelf.first_url()).iterate("things")) == []


def test_a_walk_resumed_in_the_middle_counts_from_where_it_starts(rsps):
    shelf = Shifting(range(20), size=4)
    shelf.serve(rsps)
    with halnav.Client(THINGS) as client:
        middle = client.get(shelf.url(2))  # page 3 of 5: "page": 3, 8 items before it
        assert walk_ids(middle.iterate("things")) == list(range(8, 20))
        shelf.override[4] = emptied
        with pytest.raises(halnav.WalkCountMismatch) as caught:
            list(middle.iterate("things"))
    assert (caught.value.expected, caught.value.received) == (12, 8)


def test_a_count_that_changed_during_the_walk_is_logged_not_raised(rsps, caplog):
    shelf = Shifting(range(10), size=2)
    shelf.serve(rsps)
    caplog.set_level(logging.INFO, logger="halnav")
    with halnav.Client(THINGS) as client:
        first = client.get(shelf.first_url())
        seen = []
        for thing in first.iterate("things"):
            seen.append(thing["id"])
            shelf.remove(thing["id"])  # the loop closes what it meets: the set shrinks
    assert len(seen) < 10  # a plain walk misses what shifted back ...
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # ... and says so once
    assert "the collection changed during the walk: total_items was 10" in warnings[0]
    assert "iterate(stable=True)" in warnings[0]


def test_pages_of_items_kept_elsewhere_are_checked_by_their_page_count(rsps):
    # Items in a property (Eve's _items), not in _embedded: pages() counts pages against last.
    shelf = Shifting(range(20), size=4)

    def elsewhere(document: dict[str, Any]) -> dict[str, Any]:
        document["_items"] = document.pop("_embedded")["things"]
        document.pop("total_items")
        return document

    for number in range(1, 6):
        shelf.override[number] = elsewhere
    shelf.serve(rsps)
    with halnav.Client(THINGS) as client:
        first = client.get(shelf.first_url())
        assert len(list(first.pages())) == 5

        def stops(document: dict[str, Any]) -> dict[str, Any]:
            document = elsewhere(document)
            del document["_links"]["next"]
            return document

        shelf.override[3] = stops
        with pytest.raises(halnav.WalkCountMismatch) as caught:
            list(first.pages(prefetch=2))
    error = caught.value
    assert (error.unit, error.expected, error.received) == ("pages", 5, 3)
    assert error.declared_by == "the last link"


def test_spring_page_metadata_is_a_count_too(rsps):
    shelf = Shifting(range(12), size=3, style="spring")
    shelf.override[3] = emptied
    shelf.serve(rsps)
    with halnav.Client(THINGS) as client, pytest.raises(halnav.WalkCountMismatch) as caught:
        list(client.get(shelf.first_url()).iterate("things", prefetch=2))
    assert caught.value.declared_by == "page.totalElements"
    assert (caught.value.expected, caught.value.received) == (12, 9)


def test_a_walk_stopped_early_checks_nothing(rsps):
    shelf = Shifting(range(10), size=2)
    shelf.override[5] = emptied
    shelf.serve(rsps)
    rsps.assert_all_requests_are_fired = False
    with halnav.Client(THINGS) as client:
        walk = client.get(shelf.first_url()).iterate("things")
        assert [next(walk)["id"] for _ in range(5)] == [0, 1, 2, 3, 4]
        walk.close()


def test_the_mismatch_is_a_halnav_error_with_the_walk_fields():
    assert issubclass(halnav.WalkCountMismatch, halnav.HALNavError)
    assert not issubclass(halnav.WalkCountMismatch, halnav.TransportError)


def test_a_relation_that_is_not_the_counted_items_is_not_checked_against_their_count(rsps):
    # Each page embeds its things (counted by total_items) and one "facet": walking the facets
    # across the pages is no reason to compare them with the things' total.
    shelf = Shifting(range(12), size=4)

    def with_facet(document: dict[str, Any]) -> dict[str, Any]:
        document["_embedded"]["facets"] = [{"id": f"facet-{document['page']}"}]
        return document

    for number in range(1, 4):
        shelf.override[number] = with_facet
    shelf.serve(rsps)
    with halnav.Client(THINGS) as client:
        facets = [f["id"] for f in client.get(shelf.first_url()).iterate("facets")]
    assert facets == ["facet-1", "facet-2", "facet-3"]
