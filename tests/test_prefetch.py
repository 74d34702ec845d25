"""Walking collections: prefetched pages in sequential order, fallbacks, errors naming the page."""

from __future__ import annotations

import json
import re
import threading
import time
from concurrent.futures import Future
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
import responses

import halnav
from halnav._pagination import plan_pages, same_page
from halnav._session import PREFETCH_THREADS

ROOT = "https://api.example.test/v1"
ORDERS = f"{ROOT}/shops/1/orders.json"
TEMPLATE = "/v1/shops/1/orders.json{?q,page,per_page,status}"
PAGES = 6
PER_PAGE = 3


def root_document(template: str = TEMPLATE) -> dict:
    return {"_links": {"self": {"href": ROOT}, "orders": {"href": template, "templated": True}}}


def page_document(
    number: int,
    pages: int = PAGES,
    *,
    count: bool = True,
    last: bool = True,
    next_href: str | None = None,
    query: dict[str, str] | None = None,
) -> dict:
    """Page ``number`` of ``pages``, as a Bootic server writes it (``page`` first, then filters)."""

    def href(n: int) -> str:
        return f"{ORDERS}?" + urlencode({"page": n, "per_page": PER_PAGE, **(query or {})})

    links = {"self": {"href": href(number)}}
    if number < pages:
        links["next"] = {"href": next_href or href(number + 1)}
    if last:
        links["last"] = {"href": href(pages)}
    document = {
        "_links": links,
        "page": number,
        "_embedded": {
            "items": [{"id": (number - 1) * PER_PAGE + i, "n": i} for i in range(PER_PAGE)]
        },
    }
    if count:
        document.update(total_items=pages * PER_PAGE, per_page=PER_PAGE)
    return document


def serve_pages(rsps, pages: int = PAGES, fail: dict[int, int] | None = None, delay: float = 0.0):
    """Answer any page of the collection by its ``page`` parameter; record concurrency."""
    state = {"in_flight": 0, "most": 0, "seen": []}
    lock = threading.Lock()

    def answer(request):
        query = dict(parse_qsl(urlsplit(request.url).query))
        number = int(query.pop("page", "1"))
        query.pop("per_page", None)
        with lock:
            state["in_flight"] += 1
            state["most"] = max(state["most"], state["in_flight"])
            state["seen"].append(number)
        try:
            if delay:
                time.sleep(delay)
            if fail and number in fail:
                return fail[number], {"Content-Type": "application/json"}, "{}"
            return (
                200,
                {"Content-Type": "application/hal+json", "ETag": f'"page-{number}"'},
                json.dumps(page_document(number, pages, query=query)),
            )
        finally:
            with lock:
                state["in_flight"] -= 1

    rsps.add_callback(responses.GET, re.compile(re.escape(ORDERS) + r".*"), callback=answer)
    return state


def first_page(rsps, client, template: str = TEMPLATE, **variables):
    rsps.add(responses.GET, ROOT, json=root_document(template))
    return client.root().follow("orders", per_page=PER_PAGE, **variables)


def ids(resources) -> list[int]:
    return [item["id"] for item in resources]


@pytest.mark.parametrize("window", [1, 2, 4, 8])
def test_prefetch_yields_the_same_pages_and_items_as_the_sequential_walk(rsps, window):
    serve_pages(rsps)
    with halnav.Client(ROOT) as client:
        page = first_page(rsps, client)
        sequential = ids(page.iterate())
        prefetched = ids(page.iterate(prefetch=window))
        pages = [p["page"] for p in page.pages(prefetch=window)]
    assert prefetched == sequential == list(range(PAGES * PER_PAGE))
    assert pages == list(range(1, PAGES + 1))


def test_prefetched_urls_come_from_the_template_with_the_same_variables(rsps):
    serve_pages(rsps)
    with halnav.Client(ROOT) as client:
        page = first_page(rsps, client, status="closed")
        plan = plan_pages(page)
        list(page.pages(prefetch=3))
    assert plan is not None
    assert plan.numbers == range(2, PAGES + 1)
    assert plan.url(4) == f"{ORDERS}?page=4&per_page={PER_PAGE}&status=closed"
    prefetched = [call.request.url for call in rsps.calls][2:]
    assert all("status=closed" in url for url in prefetched)
    assert "page=4" in repr(plan) or "pages 2..6" in repr(plan)


def test_the_window_bounds_requests_in_flight(rsps):
    state = serve_pages(rsps, delay=0.02)
    with halnav.Client(ROOT) as client:
        page = first_page(rsps, client)
        state["most"] = 0
        assert len(ids(page.iterate(prefetch=3))) == PAGES * PER_PAGE
    assert 1 < state["most"] <= 3


def test_the_connection_pool_is_sized_once_for_the_prefetch_threads(rsps):
    serve_pages(rsps)
    with halnav.Client(ROOT, pool_size=2) as client:
        page = first_page(rsps, client)
        adapter = client.session.get_adapter(ROOT)
        pool_manager = adapter.poolmanager
        list(page.pages(prefetch=6))
        assert adapter._pool_maxsize == PREFETCH_THREADS >= 6
        assert adapter.poolmanager is pool_manager  # never swapped under requests in flight
        assert client.prefetch_executor(4) is client.prefetch_executor(6)


def test_the_page_count_may_come_from_the_last_link_alone(rsps):
    serve_pages(rsps)
    with halnav.Client(ROOT) as client:
        page = first_page(rsps, client)
    document = page_document(1, count=False)
    resource = halnav.Resource(document, url=page.url, client=client, via=page.via)
    plan = plan_pages(resource)
    assert plan is not None and plan.numbers == range(2, PAGES + 1)
    nothing = halnav.Resource(
        page_document(1, count=False, last=False), url=page.url, client=client, via=page.via
    )
    assert plan_pages(nothing) is None


def test_without_a_template_the_walk_follows_next(rsps):
    serve_pages(rsps)
    with halnav.Client(ROOT) as client:
        page = client.get(f"{ORDERS}?page=1&per_page={PER_PAGE}")
        assert page.via is None and plan_pages(page) is None
        assert ids(page.iterate(prefetch=4)) == list(range(PAGES * PER_PAGE))


@pytest.mark.parametrize(
    "template",
    ["/v1/shops/1/orders.json{?per_page}", "/v1/shops/1/other.json{?page,per_page}"],
    ids=["no-page-variable", "next-link-disagrees"],
)
def test_a_template_that_does_not_give_the_next_page_falls_back_to_next(rsps, template):
    serve_pages(rsps)
    if "other" in template:
        rsps.add(responses.GET, f"{ROOT}/shops/1/other.json", json=page_document(1))
    with halnav.Client(ROOT) as client:
        page = first_page(rsps, client, template=template)
        assert plan_pages(page) is None
        assert ids(page.iterate(prefetch=4)) == list(range(PAGES * PER_PAGE))


def test_same_page_compares_parameters_not_spelling():
    assert same_page(f"{ORDERS}?per_page=3&page=2", f"{ORDERS}?page=2&per_page=3")
    assert same_page(f"{ORDERS}?page=2", f"{ORDERS}?page=2&sort=created_on.desc")
    assert not same_page(f"{ORDERS}?page=2&status=x", f"{ORDERS}?page=2")
    assert not same_page(f"{ORDERS}?page=3", f"{ORDERS}?page=2")
    assert not same_page(f"{ORDERS}?p=2", f"{ORDERS}?p=2")
    assert not same_page(f"{ROOT}/a?page=2", f"{ROOT}/b?page=2")


@pytest.mark.parametrize("window", [0, 3])
def test_a_failing_page_is_raised_after_every_earlier_item(rsps, window):
    serve_pages(rsps, fail={4: 500})
    seen = []
    with halnav.Client(ROOT, retries=0) as client:
        page = first_page(rsps, client)
        with pytest.raises(halnav.ServerError) as caught:
            for item in page.iterate(prefetch=window):
                seen.append(item["id"])
    assert seen == list(range(3 * PER_PAGE))
    error = caught.value
    assert error.items_before == 3 * PER_PAGE
    assert "page=4" in error.page_url
    assert f"walk stopped at page {error.page_url} after 9 items" in str(error)
    assert "client.get(page_url).iterate()" in str(error)


@pytest.mark.parametrize("window", [0, 2])
def test_pages_errors_count_the_items_of_the_pages_yielded(rsps, window):
    serve_pages(rsps, fail={3: 404})
    with halnav.Client(ROOT) as client:
        page = first_page(rsps, client)
        walk = page.pages(prefetch=window)
        assert [p["page"] for p in (next(walk), next(walk))] == [1, 2]
        with pytest.raises(halnav.NotFound) as caught:
            next(walk)
    assert caught.value.items_before == 2 * PER_PAGE


def test_a_transport_error_names_the_page_too(rsps):
    serve_pages(rsps, pages=2)
    with halnav.Client(ROOT, retries=0) as client:
        page = first_page(rsps, client)
        rsps.replace(
            responses.GET,
            re.compile(re.escape(ORDERS) + r".*"),
            body=requests.exceptions.ConnectionError("refused"),
        )
        with pytest.raises(halnav.TransportError) as caught:
            list(page.pages())
    assert caught.value.items_before == PER_PAGE
    assert caught.value.page_url.endswith(f"page=2&per_page={PER_PAGE}")


def test_stopping_early_cancels_the_pages_not_started(rsps):
    rsps.assert_all_requests_are_fired = False
    state = serve_pages(rsps, pages=40, delay=0.01)
    with halnav.Client(ROOT) as client:
        page = first_page(rsps, client)
        walk = page.pages(prefetch=2)
        next(walk)
        next(walk)
        walk.close()
        time.sleep(0.05)
    assert len(state["seen"]) < 10


def test_a_collection_that_grew_is_finished_by_next(rsps):
    grown = page_document(PAGES)
    grown["_links"]["next"] = {"href": f"{ROOT}/shops/1/extra.json"}
    grown["total_items"] += 1  # it grew: a changed count is logged, not raised
    extra = {"_links": {}, "_embedded": {"items": [{"id": 999}]}}
    serve_pages(rsps)
    with halnav.Client(ROOT) as client:
        page = first_page(rsps, client)
        rsps.replace(
            responses.GET,
            re.compile(re.escape(ORDERS) + r".*"),
            json=grown,
        )
        rsps.upsert(responses.GET, f"{ROOT}/shops/1/extra.json", json=extra)
        walked = ids(page.iterate(prefetch=2))
    assert walked[:PER_PAGE] == [0, 1, 2]
    assert walked[-1] == 999


@pytest.mark.parametrize("window", [0, 3])
def test_a_walk_the_cache_cannot_hold_does_not_churn_it(rsps, window):
    serve_pages(rsps)
    small = halnav.MemoryCache(max_bytes=PAGES * 600)  # a couple of pages, not six
    with halnav.Client(ROOT, cache=small) as client:
        page = first_page(rsps, client)
        assert len(small) == 1  # the first page was kept, as any answer
        assert len(ids(page.iterate(prefetch=window))) == PAGES * PER_PAGE
        assert len(small) == 1
        assert small.stats.stored == 1
    large = halnav.MemoryCache()
    with halnav.Client(ROOT, cache=large) as client:
        page = first_page(rsps, client)
        list(page.pages(prefetch=window))
        assert len(large) == PAGES
        large.stats.reset()
        assert ids(page.iterate(prefetch=window)) == list(range(PAGES * PER_PAGE))
        assert large.stats.lookups == PAGES - 1  # each later page revalidated


def test_prefetch_must_not_be_negative(rsps):
    serve_pages(rsps, pages=1)
    with halnav.Client(ROOT) as client:
        page = first_page(rsps, client)
        with pytest.raises(ValueError):
            list(page.pages(prefetch=-1))


def test_close_stops_the_prefetch_threads(rsps):
    serve_pages(rsps)
    client = halnav.Client(ROOT)
    page = first_page(rsps, client)
    list(page.pages(prefetch=3))
    executor = client.prefetch_executor(3)
    client.close()
    with pytest.raises(RuntimeError):
        executor.submit(print)


# -- against the sandbox, over real HTTP -------------------------------------------------------


def sandbox_orders(client, url, per_page: int):
    shop = client.root().follow("btc:shop", id=url.shop_id)
    return shop.follow("btc:orders", per_page=per_page)


@pytest.mark.bootic_sandbox(orders=500)
@pytest.mark.parametrize("window", [4, 8])
def test_sandbox_prefetch_order_equals_sequential_order(bootic_sandbox, window):
    url = bootic_sandbox
    with halnav.Client(url, token=url.token) as client:
        orders = sandbox_orders(client, url, per_page=20)
        assert plan_pages(orders) is not None  # the sandbox's template gives its next links
        sequential = [order["id"] for order in orders.iterate()]
        prefetched = [order["id"] for order in orders.iterate(prefetch=window)]
        pages = [page["page"] for page in orders.pages(prefetch=window)]
    assert prefetched == sequential
    assert len(sequential) == len(set(sequential)) == 500
    assert pages == list(range(1, 26))


@pytest.mark.bootic_sandbox(orders=300)
def test_sandbox_connections_are_kept_alive_and_at_most_the_window(bootic_sandbox, caplog):
    url = bootic_sandbox
    caplog.set_level("DEBUG", logger="urllib3.connectionpool")
    with halnav.Client(url, token=url.token, cache=False) as client:
        orders = sandbox_orders(client, url, per_page=10)
        assert len(list(orders.iterate())) == 300
        sequential = _new_connections(caplog)
        caplog.clear()
        assert len(list(orders.iterate(prefetch=4))) == 300
        prefetched = _new_connections(caplog)
    assert sequential == 1  # 32 requests over one kept-alive connection
    assert 1 <= prefetched <= 4 - 1  # the sequential walk's connection is reused, too


def _new_connections(caplog) -> int:
    return sum("Starting new HTTP connection" in record.getMessage() for record in caplog.records)


@pytest.mark.bootic_sandbox(orders=100)
@pytest.mark.parametrize("window", [0, 3])
def test_sandbox_failed_page_names_where_to_resume(bootic_sandbox, window):
    url = bootic_sandbox
    seen: list[int] = []
    with halnav.Client(url, token=url.token, retries=0, cache=False) as client:
        orders = sandbox_orders(client, url, per_page=10)
        with pytest.raises(halnav.HALNavError) as caught:
            for order in orders.iterate(prefetch=window):
                seen.append(order["id"])
                if len(seen) == 20:
                    url.config.fail_rate = 1.0  # pages already in flight may still arrive
        url.config.fail_rate = 0.0
        error = caught.value
        assert error.items_before == len(seen)
        assert len(seen) >= 20 and len(seen) % 10 == 0
        rest = [order["id"] for order in client.get(error.page_url).iterate()]
    assert len(seen) + len(rest) == 100
    assert len(set(seen + rest)) == 100
    assert "walk stopped at page" in str(error)


# -- review fixes ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "٣", "-1", "1.0", "", "0x2", True, 2.0, None, [2]])
def test_parse_count_takes_only_plain_numbers_and_never_raises(value):
    from halnav._pagination import parse_count

    assert parse_count(value) is None
    assert parse_count("12") == parse_count(12) == 12
    assert parse_count(0) == 0


@pytest.mark.parametrize("where", ["document", "last"])
def test_a_page_number_that_is_not_a_number_means_no_plan_not_an_error(rsps, where):
    odd = page_document(1)
    if where == "document":
        odd["page"] = "²"
    else:  # the count must come from the last link alone
        del odd["total_items"], odd["per_page"]
        odd["_links"]["last"] = {"href": f"{ORDERS}?page=%C2%B2&per_page={PER_PAGE}"}
    rsps.add(responses.GET, ROOT, json=root_document())
    rsps.add(responses.GET, f"{ORDERS}?per_page={PER_PAGE}", json=odd)  # before the others
    serve_pages(rsps)
    with halnav.Client(ROOT) as client:
        page = client.root().follow("orders", per_page=PER_PAGE)
        assert plan_pages(page) is None
        # Prefetch falls back to following next, one page at a time.
        assert ids(page.iterate(prefetch=3)) == list(range(PAGES * PER_PAGE))


@pytest.mark.parametrize("window", [0, 3])
def test_iterate_resolves_the_relation_once_per_page(rsps, window, monkeypatch):
    from halnav._document import EmbeddedMap

    calls = []
    resolve = EmbeddedMap.resolve

    def counting(self, rel):
        calls.append(rel)
        return resolve(self, rel)

    monkeypatch.setattr(EmbeddedMap, "resolve", counting)
    serve_pages(rsps)
    with halnav.Client(ROOT) as client:
        page = first_page(rsps, client)
        assert ids(page.iterate(prefetch=window)) == list(range(PAGES * PER_PAGE))
    assert calls == ["items"] * PAGES


class _FailingExecutor:
    """Stands for the client's thread pool: every page's future is cancelled (``error`` None)
    or ends with ``error``."""

    def __init__(self, error):
        self.error = error

    def submit(self, *args, **kwargs):
        future = Future()
        if self.error is None:
            future.cancel()
        else:
            future.set_exception(self.error)
        return future


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (None, "was cancelled: the client was closed during the walk"),
        (TypeError("a bug in a worker"), "failed in a prefetch thread: TypeError: a bug"),
    ],
)
def test_a_page_whose_future_fails_otherwise_is_a_transport_error_naming_the_page(
    rsps, monkeypatch, error, says
):
    serve_pages(rsps, pages=3)
    with halnav.Client(ROOT) as client:
        page = first_page(rsps, client)
        monkeypatch.setattr(client, "prefetch_executor", lambda window: _FailingExecutor(error))
        walked = []
        with pytest.raises(halnav.TransportError) as caught:
            for item in page.iterate(prefetch=2):
                walked.append(item["id"])
    assert walked == [0, 1, 2]
    assert says in str(caught.value)
    assert caught.value.page_url.endswith(f"page=2&per_page={PER_PAGE}")
    assert caught.value.items_before == PER_PAGE
    assert "walk stopped at page" in str(caught.value)


def test_closing_the_client_during_a_prefetched_walk_raises_a_transport_error(rsps):
    rsps.assert_all_requests_are_fired = False
    serve_pages(rsps, pages=20)
    client = halnav.Client(ROOT)
    page = first_page(rsps, client)
    walk = page.iterate(prefetch=2)
    walked = [next(walk)["id"]]
    client.close()
    with pytest.raises(halnav.TransportError) as caught:
        walked.extend(item["id"] for item in walk)
    assert walked == list(range(len(walked)))  # every item before the error, in order
    assert len(walked) < 20 * PER_PAGE
    assert caught.value.items_before == len(walked)
    assert caught.value.page_url is not None
    assert "the client was closed during the walk" in str(caught.value)


@pytest.mark.parametrize("window", [1, 4])
def test_prefetch_threads_send_and_the_walks_thread_decodes(rsps, window, monkeypatch):
    """A page's objects are made and freed by one thread: the one walking."""
    state = serve_pages(rsps)
    sent_by: list[int] = []
    decoded_by: list[int] = []
    original_answer = rsps.registered()[-1].callback

    def recording(request):
        sent_by.append(threading.get_ident())
        return original_answer(request)

    rsps.registered()[-1].callback = recording
    original_loads = halnav._json.loads

    def loads(data):
        decoded_by.append(threading.get_ident())
        return original_loads(data)

    monkeypatch.setattr(halnav._json, "loads", loads)
    with halnav.Client(ROOT) as client:
        page = first_page(rsps, client)
        decoded_by.clear()
        sent_by.clear()
        assert ids(page.iterate(prefetch=window)) == list(range(PAGES * PER_PAGE))
    walker = threading.get_ident()
    assert len(sent_by) == PAGES - 1 and walker not in sent_by
    assert decoded_by == [walker] * (PAGES - 1)
    assert sorted(state["seen"][1:]) == list(range(2, PAGES + 1))


def test_a_bug_making_a_prefetched_page_is_raised_as_the_sequential_walk_raises_it(
    rsps, monkeypatch
):
    serve_pages(rsps, pages=3)

    def broken(data):
        raise TypeError("a bug in decoding")

    with halnav.Client(ROOT) as client:
        page = first_page(rsps, client)
        monkeypatch.setattr(halnav._json, "loads", broken)
        walked = []
        with pytest.raises(TypeError, match="a bug in decoding"):
            for item in page.iterate(prefetch=2):
                walked.append(item["id"])
    assert walked == [0, 1, 2]  # the first page, decoded before the bug was put in
