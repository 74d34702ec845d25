"""Prefetch on any collection whose links show its pages, checked page by page.

Page 1 is fetched by URL (no templated link), as a new user does. The collections below are
shaped like the servers halnav was tried against: Eve (``_meta`` and relative ``?page=N``
links), Spring Data REST (a 0-based ``page`` parameter and ``page: {size, totalElements,
totalPages, number}``), JSON:API-style ``page[number]``, offset/limit with a total, and
drf-hal-json (bare-string links, ``count``).
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import responses

import halnav
from halnav._page_plans import LinkPlan, plan_from_links, with_parameter

API = "https://api.example.test"
BOOKS = f"{API}/books"
HAL = "application/hal+json"


class Collection:
    """A paginated collection of ``total`` books answered in one of several servers' styles."""

    def __init__(self, style: str, total: int = 50, size: int = 5, delay: float = 0.0) -> None:
        self.style, self.total, self.size, self.delay = style, total, size, delay
        self.seen: list[str] = []
        self.in_flight = self.most = 0
        self.lock = threading.Lock()
        #: Pages the server answers differently: number -> a function of the normal document.
        self.override: dict[int, object] = {}

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    # -- the styles ---------------------------------------------------------------------

    def position(self, query: dict[str, str]) -> int:
        """The 0-based page index a request asks for."""
        if self.style == "eve":
            return int(query.get("page", "1")) - 1
        if self.style == "spring":
            return int(query.get("page", "0"))
        if self.style == "jsonapi":
            return int(query.get("page[number]", "1")) - 1
        if self.style == "offset":
            return int(query.get("offset", "0")) // self.size
        return int(query.get("page", "1")) - 1  # drf

    def href(self, index: int) -> str:
        if self.style == "eve":
            return f"books?page={index + 1}"  # relative, as Eve writes them
        if self.style == "spring":
            return f"{BOOKS}?page={index}&size={self.size}"
        if self.style == "jsonapi":
            return f"{BOOKS}?{quote('page[number]')}={index + 1}&{quote('page[size]')}={self.size}"
        if self.style == "offset":
            return f"{BOOKS}?limit={self.size}&offset={index * self.size}"
        return f"{BOOKS}/?page={index + 1}"

    def document(self, index: int) -> dict:
        start = index * self.size
        items = [
            {"_links": {"self": {"href": f"{BOOKS}/{n}"}}, "id": n}
            for n in range(start, min(start + self.size, self.total))
        ]
        last = self.pages - 1
        links: dict = {"self": {"href": self.href(index)}}
        if index < last:
            links["next"] = {"href": self.href(index + 1)}
        document: dict = {"_links": links, "_embedded": {"books": items}}
        if self.style == "eve":
            links["self"] = {"title": "books", "href": "books"}  # the collection, not the page
            links["last"] = {"title": "last page", "href": self.href(last)}
            document["_meta"] = {"page": index + 1, "max_results": self.size, "total": self.total}
        elif self.style == "spring":
            links["first"] = {"href": self.href(0)}
            document["page"] = {
                "size": self.size,
                "totalElements": self.total,
                "totalPages": self.pages,
                "number": index,
            }
        elif self.style == "jsonapi":
            links["last"] = {"href": self.href(last)}
        elif self.style == "offset":
            document["total"] = self.total
        else:  # drf-hal-json: bare strings, a null previous, a count
            links["self"] = self.href(index)
            if "next" in links:
                links["next"] = self.href(index + 1)
            links["previous"] = self.href(index - 1) if index else None
            document["count"] = self.total
        change = self.override.get(index)
        return change(document) if callable(change) else document

    # -- serving ------------------------------------------------------------------------

    def answer(self, request):
        query = dict(parse_qsl(urlsplit(request.url).query))
        with self.lock:
            self.seen.append(request.url)
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        try:
            if self.delay:
                time.sleep(self.delay)
            index = min(self.position(query), self.pages - 1)  # clamped, as many servers do
            return 200, {"Content-Type": HAL}, json.dumps(self.document(index))
        finally:
            with self.lock:
                self.in_flight -= 1

    def serve(self, rsps) -> None:
        rsps.add_callback(responses.GET, re.compile(re.escape(BOOKS) + r".*"), callback=self.answer)

    def first_url(self) -> str:
        if self.style == "drf":
            return f"{BOOKS}/"
        return BOOKS if self.style != "offset" else f"{BOOKS}?limit={self.size}"


def ids(items) -> list[int]:
    return [item["id"] for item in items]


@pytest.mark.parametrize("style", ["eve", "spring", "jsonapi", "offset", "drf"])
def test_page_one_fetched_by_url_is_prefetched_from_its_own_links(rsps, style):
    books = Collection(style, total=48, size=5, delay=0.01)
    books.serve(rsps)
    with halnav.Client(API) as client:
        first = client.get(books.first_url())
        walk = first.iterate("books", prefetch=4)
        assert walk.prefetching and walk.why_sequential is None, walk.why_sequential
        assert len(walk.plan) == books.pages - 1
        assert ids(walk) == list(range(48))
        assert walk.prefetching  # every page agreed with the plan
    assert books.most > 1  # pages were in flight together
    assert len(books.seen) == books.pages  # each page fetched once


@pytest.mark.parametrize("style", ["eve", "spring", "jsonapi", "offset", "drf"])
def test_the_planned_urls_are_the_ones_next_links_give(rsps, style):
    books = Collection(style, total=23, size=5)
    books.serve(rsps)
    with halnav.Client(API) as client:
        first = client.get(books.first_url())
        sequential = ids(first.iterate("books"))
        sequential_urls = books.seen[1:]
        books.seen.clear()
        assert ids(first.iterate("books", prefetch=3)) == sequential
    assert books.seen == sequential_urls


def test_pages_walk_says_it_prefetches_too(rsps):
    books = Collection("spring", total=20, size=5)
    books.serve(rsps)
    with halnav.Client(API) as client:
        walk = client.get(BOOKS).pages(prefetch=2)
        assert isinstance(walk, halnav.Walk) and walk.prefetching
        assert [page["page"]["number"] for page in walk] == [0, 1, 2, 3]
        assert "prefetching 2" in repr(walk)


def test_without_prefetch_the_walk_says_so(rsps):
    books = Collection("eve", total=10, size=5)
    books.serve(rsps)
    with halnav.Client(API) as client:
        walk = client.get(BOOKS).iterate("books")
        assert not walk.prefetching and walk.plan is None
        assert walk.why_sequential == "no prefetch was asked (prefetch=0)"
        assert ids(walk) == list(range(10))


@pytest.mark.parametrize(
    ("links", "says"),
    [
        (
            {"next": {"href": "/books?page=2&sort=a"}, "last": {"href": "/books?page=9&sort=b"}},
            "differ in 2 query parameters (page, sort)",
        ),
        ({"next": {"href": "/books?cursor=abc"}}, "no parameter that counts pages"),
        ({"next": {"href": "/books?page=2"}}, "no page count"),
        (
            {"next": {"href": "/books?page=2"}, "last": {"href": "/other?page=9"}},
            "lead to other paths",
        ),
        ({"next": {"href": "/books?page=x"}, "last": {"href": "/books?page=9"}}, "not a number"),
        ({"next": {"href": "/books?page=2"}, "last": {"href": "/books?page=2"}}, "one page to go"),
    ],
)
def test_when_no_plan_can_be_made_the_walk_says_why(rsps, caplog, links, says):
    rsps.get(BOOKS, json={"_links": links, "_embedded": {"books": [{"id": 0}]}})
    caplog.set_level(logging.INFO, logger="halnav")
    with halnav.Client(API) as client:
        walk = client.get(BOOKS).iterate("books", prefetch=8)
        assert not walk.prefetching and walk.plan is None
        assert says in walk.why_sequential
        walk.close()
    [record] = [r for r in caplog.records if "no prefetch plan" in r.getMessage()]
    assert record.name == "halnav" and says in record.getMessage()


def test_a_single_page_needs_no_plan(rsps):
    rsps.get(BOOKS, json={"_links": {"self": {"href": BOOKS}}, "_embedded": {"books": []}})
    with halnav.Client(API) as client:
        walk = client.get(BOOKS).iterate("books", prefetch=8)
        assert walk.why_sequential == "the first page has no next link: there is no later page"
        assert list(walk) == []


def test_a_collection_that_shrank_repeats_nothing(rsps):
    # The plan says 10 pages; by the time the later ones are fetched there are 8, and the
    # server answers the pages past its end with its last page (clamped).
    books = Collection("spring", total=50, size=5)
    books.serve(rsps)
    with halnav.Client(API) as client:
        first = client.get(BOOKS)
        books.total = 40
        walk = first.iterate("books", prefetch=4)
        walked = ids(walk)
        assert not walk.prefetching
        assert "no next link" in walk.why_sequential or "says it is" in walk.why_sequential
    assert walked == list(range(40))


def test_a_page_whose_self_names_another_page_is_not_yielded(rsps):
    books = Collection("jsonapi", total=30, size=5)

    def moved(document):
        document["_links"]["self"] = {"href": books.href(5)}
        return document

    books.override[2] = moved  # the third page claims to be the sixth
    books.serve(rsps)
    with halnav.Client(API) as client:
        walk = client.get(BOOKS).iterate("books", prefetch=3)
        walked = ids(walk)
        assert "says it is" in walk.why_sequential
    # The walk went on by next from the second page: it fetched the third page again and
    # yielded it once, as a sequential walk does.
    assert walked == list(range(30))


def test_a_next_link_that_leaves_the_plan_is_followed(rsps):
    books = Collection("eve", total=30, size=5)
    extra = f"{API}/archive?page=1"

    def detour(document):
        document["_links"]["next"] = {"href": extra}
        return document

    books.override[3] = detour
    books.serve(rsps)
    rsps.get(extra, json={"_links": {}, "_embedded": {"books": [{"id": 999}]}})
    walked = []
    with halnav.Client(API) as client:
        walk = client.get(BOOKS).iterate("books", prefetch=2)
        # The detour ends the walk 9 books short of the 30 every page declared: said at the end.
        with pytest.raises(halnav.WalkCountMismatch, match="ended with 21 items"):
            walked.extend(book["id"] for book in walk)
        assert not walk.prefetching and "where the plan has" in walk.why_sequential
    assert walked == [*range(20), 999]


def test_a_failing_prefetched_page_names_where_to_resume(rsps):
    books = Collection("offset", total=30, size=5)
    books.serve(rsps)
    with halnav.Client(API, retries=0) as client:
        first = client.get(f"{BOOKS}?limit=5")
        rsps.replace(responses.GET, re.compile(re.escape(BOOKS) + r".*"), status=503, json={"x": 1})
        seen = []
        with pytest.raises(halnav.ServerError) as caught:
            for book in first.iterate("books", prefetch=3):
                seen.append(book["id"])
    assert seen == list(range(5))
    assert caught.value.items_before == 5 and "offset=5" in caught.value.page_url


def test_a_deprecated_next_warns_once_per_walk(rsps):
    books = Collection("spring", total=20, size=5)

    def deprecated(document):
        if "next" in document["_links"]:
            document["_links"]["next"]["deprecation"] = "https://docs.example.test/paging"
        return document

    for index in range(4):
        books.override[index] = deprecated
    books.serve(rsps)
    with halnav.Client(API) as client:
        first = client.get(BOOKS)
        for window in (0, 2):
            with pytest.warns(halnav.DeprecatedLinkWarning) as record:
                assert ids(first.iterate("books", prefetch=window)) == list(range(20))
            assert len(record) == 1
            assert "https://docs.example.test/paging" in str(record[0].message)


def test_iterate_on_pages_without_the_relation_raises_naming_those_there(rsps):
    books = Collection("eve", total=30, size=5)
    books.serve(rsps)
    rsps.assert_all_requests_are_fired = False
    with halnav.Client(API) as client:
        first = client.get(BOOKS)
        with pytest.raises(halnav.LinkNotFound) as caught:
            list(first.iterate("items", prefetch=0))
    assert "no embedded 'items'" in str(caught.value) and "embedded: books" in str(caught.value)
    assert caught.value.available == ("books",)
    assert len(books.seen) == 1  # no later page was fetched


def test_iterate_on_eve_items_that_are_not_embedded_says_so(rsps):
    page = {
        "_items": [{"_id": "1"}],
        "_links": {"self": {"href": "books"}, "next": {"href": "books?page=2"}},
        "_meta": {"page": 1, "max_results": 1, "total": 2},
    }
    rsps.get(BOOKS, json=page)
    with halnav.Client(API) as client, pytest.raises(halnav.LinkNotFound, match="embedded: ."):
        list(client.get(BOOKS).iterate("items"))


def test_a_later_page_without_the_relation_raises_naming_the_page(rsps):
    books = Collection("spring", total=20, size=5)

    def other(document):
        document["_embedded"] = {"authors": [{"id": -1}]}
        return document

    books.override[2] = other
    books.serve(rsps)
    with halnav.Client(API) as client:
        seen = []
        with pytest.raises(halnav.LinkNotFound) as caught:
            for book in client.get(BOOKS).iterate("books", prefetch=2):
                seen.append(book["id"])
    assert seen == list(range(10))
    assert caught.value.items_before == 10 and "page=2" in caught.value.page_url
    assert "embedded: authors" in str(caught.value)


def test_an_empty_collection_walks_nothing(rsps):
    rsps.get(BOOKS, json={"_links": {"self": {"href": BOOKS}}, "total": 0})
    with halnav.Client(API) as client:
        assert list(client.get(BOOKS).iterate("books", prefetch=4)) == []


# -- the planner alone ------------------------------------------------------------------------


class FakePage:
    def __init__(self, document, url=BOOKS):
        self.document, self.url, self.content, self.via = document, url, b"", None
        self.curies = halnav.Curies()


@pytest.mark.parametrize(
    ("url", "links", "extra", "param", "values"),
    [
        (BOOKS, {"next": "/books?page=2", "last": "/books?page=12"}, {}, "page", range(2, 13)),
        (
            BOOKS,
            {"next": "/books?page=1&size=20"},
            {"page": {"number": 0, "totalPages": 12, "size": 20, "totalElements": 231}},
            "page",
            range(1, 12),
        ),
        (
            f"{BOOKS}?page=3",
            {"next": "/books?page=4", "last": "/books?page=7"},
            {},
            "page",
            range(4, 8),
        ),
        (
            BOOKS,
            {"next": "/books?offset=20&limit=20"},
            {"total": 95},
            "offset",
            range(20, 81, 20),
        ),
        (
            BOOKS,
            {"next": "/books?limit=20&offset=20", "last": "/books?limit=20&offset=80"},
            {},
            "offset",
            range(20, 81, 20),
        ),
        (
            BOOKS,
            {"next": "/books?page%5Bnumber%5D=2", "last": "/books?page%5Bnumber%5D=4"},
            {},
            "page[number]",
            range(2, 5),
        ),
        (
            BOOKS,
            {"next": "/books?page=2"},
            {"total_items": 31, "per_page": 10, "page": 1},
            "page",
            range(2, 5),
        ),
        (
            BOOKS,
            {"next": "/books?page=2"},
            {"_meta": {"page": 1, "max_results": 25, "total": 51}},
            "page",
            range(2, 4),
        ),
    ],
)
def test_plans_from_links_and_counts(url, links, extra, param, values):
    document = {"_links": {rel: {"href": href} for rel, href in links.items()}, **extra}
    plan, why = plan_from_links(FakePage(document, url))
    assert why == "" and isinstance(plan, LinkPlan)
    assert (plan.param, plan.values) == (param, values)
    assert plan.url(values[0]) == halnav.Resource(document, url=url).link("next").url()


def test_with_parameter_keeps_the_rest_as_written():
    url = f"{BOOKS}?filter%5Bq%5D=a+b&page%5Bnumber%5D=2&z"
    assert (
        with_parameter(url, "page[number]", 7) == f"{BOOKS}?filter%5Bq%5D=a+b&page%5Bnumber%5D=7&z"
    )
