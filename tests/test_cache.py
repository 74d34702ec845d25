"""The private HTTP cache: validators, 304s reusing the parsed resource, invalidation, stores."""

from __future__ import annotations

import json

import pytest
import requests
import responses

import halnav
from halnav._cache_rules import cache_directives, cache_key_url, freshness_lifetime

ROOT = "https://api.example.test/v1"
ORDERS = f"{ROOT}/shops/1/orders.json"
ETAG = '"0728e2965bd03e20a7f1c33add2f8775"'
MODIFIED = "Fri, 20 Jun 2014 22:34:14 GMT"
BOOTIC_CACHE = {
    "ETag": ETAG,
    "Last-Modified": MODIFIED,
    "Cache-Control": "must-revalidate, private, max-age=0",
}


def orders_document() -> dict:
    return {
        "_links": {"self": {"href": ORDERS}, "shop": {"href": f"{ROOT}/shops/1.json"}},
        "total_items": 2,
        "_embedded": {
            "items": [
                {"_links": {"self": {"href": f"{ROOT}/shops/1/orders/{n}.json"}}, "id": n}
                for n in (1, 2)
            ]
        },
    }


def add_page(rsps, url=ORDERS, status=200, headers=None, body=None, **kwargs):
    rsps.add(
        responses.GET,
        url,
        body=json.dumps(orders_document() if body is None else body),
        status=status,
        content_type="application/hal+json",
        headers=BOOTIC_CACHE if headers is None else headers,
        **kwargs,
    )


def add_not_modified(rsps, url=ORDERS, headers=None):
    rsps.add(
        responses.GET,
        url,
        status=304,
        headers={"ETag": ETAG, "Date": "Sat, 21 Jun 2014 10:00:00 GMT", **(headers or {})},
    )


def test_a_304_gives_back_the_stored_parsed_resource_without_decoding(rsps):
    with halnav.Client(ROOT, token="t") as client:
        add_page(rsps)
        add_not_modified(rsps)
        first = client.get(ORDERS)
        items = list(first.iterate())
        second = client.get(ORDERS)

    conditional = rsps.calls[1].request.headers
    assert conditional["If-None-Match"] == ETAG
    assert conditional["If-Modified-Since"] == MODIFIED
    assert "If-None-Match" not in rsps.calls[0].request.headers
    # The same parsed document, links and embedded maps: nothing decoded or parsed again.
    assert second.document is first.document
    assert second.links is first.links
    assert second.status_code == 200
    assert [item["id"] for item in second.iterate()] == [item["id"] for item in items]
    # The 304's headers merged into the stored ones.
    assert second.headers["Date"] == "Sat, 21 Jun 2014 10:00:00 GMT"
    assert second.headers["Cache-Control"] == BOOTIC_CACHE["Cache-Control"]
    assert second.headers["Content-Type"] == "application/hal+json"
    assert second.client is client
    stats = client.cache.stats
    assert (stats.lookups, stats.misses, stats.not_modified, stats.hits) == (2, 1, 1, 1)
    assert stats.bodies_decoded == 1
    assert stats.bytes_received == len(first.content)


def test_a_changed_resource_is_decoded_and_replaces_the_entry(rsps):
    changed = {**orders_document(), "total_items": 3}
    with halnav.Client(ROOT) as client:
        add_page(rsps)
        add_page(rsps, body=changed, headers={**BOOTIC_CACHE, "ETag": '"v2"'})
        add_not_modified(rsps, headers={"ETag": '"v2"'})
        client.get(ORDERS)
        assert client.get(ORDERS)["total_items"] == 3
        assert client.get(ORDERS)["total_items"] == 3
    assert rsps.calls[2].request.headers["If-None-Match"] == '"v2"'
    assert client.cache.stats.bodies_decoded == 2


def test_the_304_resource_carries_the_link_it_was_fetched_by(rsps):
    root = {"_links": {"btc:orders": {"href": ORDERS + "{?page}", "templated": True}}}
    with halnav.Client(ROOT) as client:
        rsps.add(responses.GET, ROOT, json=root)
        add_page(rsps, url=ORDERS + "?page=2")
        add_not_modified(rsps, url=ORDERS + "?page=2")
        start = client.root()
        start.follow("btc:orders", page=2)
        again = start.follow("btc:orders", page=2)
    assert again.via is not None
    assert again.via[1] == {"page": 2}


def test_cache_false_turns_it_off(rsps):
    with halnav.Client(ROOT, cache=False) as client:
        add_page(rsps)
        add_page(rsps)
        client.get(ORDERS)
        client.get(ORDERS)
    assert client.cache is None
    assert "If-None-Match" not in rsps.calls[1].request.headers


@pytest.mark.parametrize(
    "headers",
    [
        {"ETag": ETAG, "Cache-Control": "no-store"},
        {"Cache-Control": "private, max-age=0"},
        {"ETag": ETAG, "Vary": "*"},
    ],
    ids=["no-store", "no-validator", "vary-star"],
)
def test_answers_that_may_not_be_reused_are_not_kept(rsps, headers):
    with halnav.Client(ROOT) as client:
        add_page(rsps, headers=headers)
        add_page(rsps, headers=headers)
        client.get(ORDERS)
        client.get(ORDERS)
    assert "If-None-Match" not in rsps.calls[1].request.headers
    assert len(client.cache) == 0


def test_vary_keeps_variants_apart(rsps):
    with halnav.Client(ROOT) as client:
        add_page(rsps, headers={**BOOTIC_CACHE, "Vary": "Accept"})
        add_page(rsps, headers={**BOOTIC_CACHE, "Vary": "Accept"})
        client.get(ORDERS)
        client.request("GET", ORDERS, headers={"Accept": "application/json"})
    assert "If-None-Match" not in rsps.calls[1].request.headers


def test_a_caller_validator_is_not_overridden(rsps):
    with halnav.Client(ROOT) as client:
        add_page(rsps)
        rsps.add(responses.GET, ORDERS, status=304)
        client.get(ORDERS)
        answer = client.request("GET", ORDERS, headers={"If-None-Match": '"mine"'})
    assert rsps.calls[1].request.headers["If-None-Match"] == '"mine"'
    assert "If-Modified-Since" not in rsps.calls[1].request.headers
    # The stored entry still answers the 304.
    assert answer.document == orders_document()


def test_a_fresh_answer_is_served_without_a_request(rsps):
    fresh = {"ETag": ETAG, "Cache-Control": "private, max-age=600"}
    with halnav.Client(ROOT) as client:
        add_page(rsps, headers=fresh)
        first = client.get(ORDERS)
        second = client.get(ORDERS)
    assert len(rsps.calls) == 1
    assert second.document is first.document
    assert client.cache.stats.fresh_hits == 1


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_unsafe_methods_invalidate_their_url_location_and_content_location(rsps, method):
    other = f"{ROOT}/shops/1/orders/9.json"
    moved = f"{ROOT}/shops/1/orders/10.json"
    with halnav.Client(ROOT) as client:
        for url in (ORDERS, other, moved):
            add_page(rsps, url=url)
        rsps.add(
            method,
            ORDERS,
            status=201,
            json={},
            headers={"Location": "/v1/shops/1/orders/9.json", "Content-Location": moved},
        )
        for url in (ORDERS, other, moved):
            client.get(url)
        assert len(client.cache) == 3
        client.request(method, ORDERS, json={"a": 1})
    assert len(client.cache) == 0
    assert client.cache.stats.invalidated == 3


def test_an_unsafe_request_that_fails_still_invalidates(rsps):
    with halnav.Client(ROOT, retries=0) as client:
        add_page(rsps)
        rsps.add(responses.POST, ORDERS, status=500, json={})
        client.get(ORDERS)
        with pytest.raises(halnav.ServerError):
            client.request("POST", ORDERS, json={})
    assert len(client.cache) == 0


def test_an_error_answer_drops_the_entry(rsps):
    with halnav.Client(ROOT) as client:
        add_page(rsps)
        rsps.add(responses.GET, ORDERS, status=404, json={})
        add_page(rsps)
        client.get(ORDERS)
        with pytest.raises(halnav.NotFound):
            client.get(ORDERS)
        client.get(ORDERS)
    assert "If-None-Match" not in rsps.calls[2].request.headers


def test_query_parameters_are_part_of_the_key(rsps):
    with halnav.Client(ROOT) as client:
        add_page(rsps, url=ORDERS + "?status=closed")
        add_not_modified(rsps, url=ORDERS + "?status=closed")
        add_page(rsps, url=ORDERS + "?status=open")
        client.get(ORDERS, status="closed")
        client.get(ORDERS, status="closed")
        client.get(ORDERS, status="open")
    assert client.cache.stats.not_modified == 1
    assert "If-None-Match" not in rsps.calls[2].request.headers
    assert cache_key_url(ORDERS, {"a": "1 2"}) == ORDERS + "?a=1+2"


def test_memory_store_is_bounded_least_recently_used_first_out(rsps):
    store = halnav.MemoryCache(max_entries=2)
    urls = [f"{ROOT}/things/{n}" for n in range(3)]
    with halnav.Client(ROOT, cache=store) as client:
        for url in urls:
            add_page(rsps, url=url)
        add_not_modified(rsps, url=urls[0])
        add_page(rsps, url=urls[1])
        client.get(urls[0])
        client.get(urls[1])
        client.get(urls[0])  # urls[0] is now the most recently used
        client.get(urls[2])  # evicts urls[1]
        client.get(urls[1])
    assert "If-None-Match" in rsps.calls[2].request.headers
    assert "If-None-Match" not in rsps.calls[4].request.headers
    assert store.stats.evicted >= 1
    assert len(store) == 2


def test_memory_store_is_bounded_by_body_bytes(rsps):
    store = halnav.MemoryCache(max_bytes=2500)
    urls = [f"{ROOT}/things/{n}" for n in range(3)]
    with halnav.Client(ROOT, cache=store) as client:
        for url in urls:
            add_page(rsps, url=url)
        for url in urls:
            client.get(url)
    assert store.size <= 2500
    assert len(store) == 1
    with pytest.raises(ValueError):
        halnav.MemoryCache(max_entries=0)


def test_clients_with_other_credentials_do_not_share_entries(rsps):
    store = halnav.MemoryCache()
    add_page(rsps)
    add_page(rsps)
    add_not_modified(rsps)
    with halnav.Client(ROOT, token="alice", cache=store) as alice:
        alice.get(ORDERS)
    with halnav.Client(ROOT, token="bob", cache=store) as bob:
        bob.get(ORDERS)
    with halnav.Client(ROOT, token="bob", cache=store) as bob_again:
        bob_again.get(ORDERS)
    assert "If-None-Match" not in rsps.calls[1].request.headers
    assert "If-None-Match" in rsps.calls[2].request.headers
    assert "alice" not in repr(store._entries) and "bob" not in repr(store._entries)


def test_disk_store_outlives_the_client_and_decodes_once_per_process(rsps, tmp_path):
    path = tmp_path / "cache.sqlite"
    add_page(rsps)
    add_not_modified(rsps)
    add_not_modified(rsps)
    with halnav.Client(ROOT, token="t", cache=str(path)) as first:
        first.get(ORDERS)
    assert path.exists()
    with halnav.Client(ROOT, token="t", cache=path) as second:
        again = second.get(ORDERS)
        assert again.document == orders_document()
        assert again.client is second
        assert [item["id"] for item in again.iterate()] == [1, 2]
        assert second.get(ORDERS).document is again.document
        stats = second.cache.stats
    assert rsps.calls[1].request.headers["If-None-Match"] == ETAG
    assert (stats.not_modified, stats.bodies_decoded, stats.bytes_received) == (2, 1, 0)


def test_disk_store_invalidates_and_trims(rsps, tmp_path):
    store = halnav.DiskCache(tmp_path / "c.sqlite", max_bytes=400)
    urls = [f"{ROOT}/things/{n}" for n in range(3)]
    with halnav.Client(ROOT, cache=store) as client:
        for url in urls:
            add_page(rsps, url=url)
        rsps.add(responses.DELETE, urls[2], status=204)
        for url in urls:
            client.get(url)
        assert len(store) == 1
        client.request("DELETE", urls[2])
        assert len(store) == 0
    store.clear()
    store.close()
    assert "c.sqlite" in repr(store)


def test_cache_argument_is_checked(rsps):
    with pytest.raises(TypeError, match="cache="):
        halnav.Client(ROOT, cache=42)


def test_cache_control_parsing(rsps):
    directives = cache_directives('must-revalidate, private, max-age=0, x="y"')
    assert directives == {"must-revalidate": None, "private": None, "max-age": "0", "x": "y"}
    assert freshness_lifetime(cache_directives("max-age=60"), {"Age": "10"}) == 50
    assert freshness_lifetime(cache_directives("max-age=60, no-cache"), {}) == 0
    assert freshness_lifetime(cache_directives("max-age=soon"), {}) == 0


def test_stats_reset_and_snapshot(rsps):
    stats = halnav.CacheStats(fresh_hits=1, not_modified=2)
    assert stats.snapshot()["hits"] == 3
    stats.reset()
    assert stats.hits == 0


# -- against the sandbox, over real HTTP -------------------------------------------------------


def orders_of(client, url, per_page: int = 50):
    shop = client.root().follow("btc:shop", id=url.shop_id)
    return shop.follow("btc:orders", per_page=per_page)


@pytest.mark.bootic_sandbox(orders=500)
def test_sandbox_warm_rewalk_is_all_304s_and_decodes_nothing(bootic_sandbox):
    url = bootic_sandbox
    store = halnav.MemoryCache(max_bytes=256 * 2**20)
    with halnav.Client(url, token=url.token, cache=store) as client:
        first = [order["id"] for order in orders_of(client, url).iterate()]
        cold = store.stats.snapshot()
        store.stats.reset()
        second = [order["id"] for order in orders_of(client, url).iterate()]
        warm = store.stats.snapshot()
    pages = 10
    assert first == second and len(first) == 500
    assert cold["misses"] == cold["stored"] == pages + 2  # root, shop and every page
    assert warm["lookups"] == warm["not_modified"] == pages + 2
    assert warm["bodies_decoded"] == 0
    assert warm["bytes_received"] == 0


@pytest.mark.bootic_sandbox(orders=60)
def test_sandbox_update_invalidates_the_order(bootic_sandbox):
    url = bootic_sandbox
    with halnav.Client(url, token=url.token) as client:
        # The real API edits an order by a PUT on the order itself (btc:update_order), and only
        # while it is in checkout: its line items, contact or address.
        order = next(o for o in orders_of(client, url).iterate() if o["status"] == "checkout")
        fetched = client.get(order.url)
        assert client.get(order.url).document is fetched.document  # revalidated: 304
        assert fetched.link("btc:update_order").url() == order.url
        line = fetched.pointer("/_embedded/line_items/0")
        units = line["units"] + 1
        edit = {"line_items": [{"variant_id": line["variant_id"], "units": units}]}
        client.request("PUT", order.url, json=edit)
        misses = client.cache.stats.misses
        again = client.get(order.url)
    assert client.cache.stats.misses == misses + 1
    assert again.pointer("/_embedded/line_items/0/units") == units
    assert again.document is not fetched.document


@pytest.mark.bootic_sandbox(orders=60)
def test_sandbox_disk_cache_serves_the_next_run(bootic_sandbox, tmp_path):
    url = bootic_sandbox
    path = tmp_path / "halnav-cache.sqlite"
    with halnav.Client(url, token=url.token, cache=str(path)) as client:
        before = [o["id"] for o in orders_of(client, url, per_page=20).iterate()]
    with halnav.Client(url, token=url.token, cache=str(path)) as client:
        after = [o["id"] for o in orders_of(client, url, per_page=20).iterate()]
        stats = client.cache.stats
    assert before == after
    assert stats.not_modified == stats.lookups == 3 + 2
    assert stats.bytes_received == 0
    assert stats.bodies_decoded == 5  # each body read from disk is decoded once


def test_credential_scope_is_a_stable_hash_never_the_secret(rsps):
    from halnav._auth import BearerToken, ScopedAuth
    from halnav._cache_rules import credential_scope

    origin = ("https", "api.example.test", 443)

    class OAuthLike:
        client_id, scope, _token = "app-1", "admin", {"access_token": "changes-every-hour"}

    alice = credential_scope(ScopedAuth(BearerToken("alice-secret"), origin))
    assert alice == credential_scope(ScopedAuth(BearerToken("alice-secret"), origin))
    assert alice != credential_scope(ScopedAuth(BearerToken("bob-secret"), origin))
    assert "alice" not in alice
    oauth = credential_scope(ScopedAuth(OAuthLike(), origin))
    OAuthLike._token = {"access_token": "renewed"}
    assert credential_scope(ScopedAuth(OAuthLike(), origin)) == oauth
    assert credential_scope(None) == ""


# -- review fixes ------------------------------------------------------------------------------


def test_an_unsafe_answer_whose_location_is_not_a_url_still_succeeds_and_invalidates(rsps):
    moved = f"{ROOT}/shops/1/orders/10.json"
    with halnav.Client(ROOT) as client:
        for url in (ORDERS, moved):
            add_page(rsps, url=url)
        rsps.add(
            responses.POST,
            ORDERS,
            status=201,
            json={"id": 1},
            headers={"Location": "http://[oops/1", "Content-Location": moved},
        )
        client.get(ORDERS)
        client.get(moved)
        created = client.request("POST", ORDERS, json={"a": 1})
    # The server applied the POST: its answer is given back, not a ValueError.
    assert created.status_code == 201 and created["id"] == 1
    # The URL and the Content-Location that parses are dropped; the other is skipped.
    assert len(client.cache) == 0
    assert client.cache.stats.invalidated == 2
    with pytest.raises(halnav.InvalidDocument, match="Location header") as info:
        _ = created.location
    assert "http://[oops/1" in str(info.value)


def test_a_fresh_hit_is_counted_by_the_call_that_serves_it_not_by_the_lookup(rsps):
    class StaleAfterLookup(halnav.MemoryCache):
        """The entry expires between the store's lookup and the client's freshness check."""

        def lookup(self, scope, url, request_headers):
            entry = super().lookup(scope, url, request_headers)
            if entry is not None:
                entry.expires_at = 0.0
            return entry

    store = StaleAfterLookup()
    with halnav.Client(ROOT, cache=store) as client:
        add_page(rsps, headers={"ETag": ETAG, "Cache-Control": "private, max-age=600"})
        add_not_modified(rsps)
        client.get(ORDERS)
        client.get(ORDERS)  # revalidated: the entry was stale when the client looked
    assert len(rsps.calls) == 2
    assert (store.stats.fresh_hits, store.stats.not_modified, store.stats.hits) == (0, 1, 1)


def test_a_fresh_hit_is_counted_once(rsps):
    with halnav.Client(ROOT) as client:
        add_page(rsps, headers={"ETag": ETAG, "Cache-Control": "private, max-age=600"})
        for _ in range(3):
            client.get(ORDERS)
        stats = client.cache.stats
    assert len(rsps.calls) == 1
    assert (stats.lookups, stats.misses, stats.fresh_hits, stats.hits) == (3, 1, 2, 2)


class KeyAuth(requests.auth.AuthBase):
    """An API-key auth of a user's own: no client_id, no username."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, request):
        request.headers["X-Api-Key"] = self.key
        return request


class NamedKeyAuth(KeyAuth):
    """The same, naming its credentials for the cache (and so sharing entries across runs)."""

    def __init__(self, key: str, account: str) -> None:
        super().__init__(key)
        self.cache_scope = account


def test_custom_auths_without_a_name_for_their_credentials_never_share_entries(rsps):
    store = halnav.MemoryCache()
    add_page(rsps)
    add_page(rsps)
    add_not_modified(rsps)
    with halnav.Client(ROOT, auth=KeyAuth("key-a"), cache=store) as a:
        a.get(ORDERS)
        with halnav.Client(ROOT, auth=KeyAuth("key-b"), cache=store) as b:
            b.get(ORDERS)
        a.get(ORDERS)
    assert "If-None-Match" not in rsps.calls[1].request.headers  # b did not see a's entry
    assert rsps.calls[2].request.headers["If-None-Match"] == ETAG  # a still sees its own
    assert rsps.calls[1].request.headers["X-Api-Key"] == "key-b"
    assert "key-a" not in repr(store._entries) and "key-b" not in repr(store._entries)


def test_an_auth_made_after_another_was_freed_gets_a_scope_of_its_own(rsps):
    from halnav._cache_rules import credential_scope

    first = KeyAuth("key-a")
    scope = credential_scope(first)
    assert credential_scope(first) == scope  # stable for the same object
    del first
    # CPython reuses a freed object's address (its id()) for the next one of its size.
    later = [KeyAuth("key-b") for _ in range(20)]
    assert scope not in {credential_scope(auth) for auth in later}
    assert len({credential_scope(auth) for auth in later}) == len(later)


def test_an_auth_may_name_its_credentials_with_cache_scope(rsps, tmp_path):
    from halnav._cache_rules import credential_scope

    assert credential_scope(NamedKeyAuth("k1", "shop-1")) == credential_scope(
        NamedKeyAuth("k1", "shop-1")
    )
    assert credential_scope(NamedKeyAuth("k1", "shop-1")) != credential_scope(
        NamedKeyAuth("k1", "shop-2")
    )
    path = tmp_path / "cache.sqlite"
    add_page(rsps)
    add_not_modified(rsps)
    with halnav.Client(ROOT, auth=NamedKeyAuth("k1", "shop-1"), cache=str(path)) as first:
        first.get(ORDERS)
    with halnav.Client(ROOT, auth=NamedKeyAuth("k1", "shop-1"), cache=str(path)) as again:
        again.get(ORDERS)
    assert rsps.calls[1].request.headers["If-None-Match"] == ETAG


def _disk_rows(path) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(path) as db:
        return db.execute("SELECT key, headers, etag, expires_at, size FROM entries").fetchall()


def test_a_stored_body_that_no_longer_decodes_is_a_miss_and_dropped(rsps, tmp_path):
    import sqlite3

    path = tmp_path / "cache.sqlite"
    add_page(rsps)
    add_page(rsps)
    with halnav.Client(ROOT, token="t", cache=str(path)) as first:
        first.get(ORDERS)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE entries SET body = ?", (b'{"_links": {"self": ',))
    with halnav.Client(ROOT, token="t", cache=str(path)) as second:
        again = second.get(ORDERS)
        stats = second.cache.stats
    assert again.document == orders_document()
    assert "If-None-Match" not in rsps.calls[1].request.headers  # sent as a miss
    assert (stats.lookups, stats.misses, stats.stored) == (1, 1, 1)
    assert len(_disk_rows(path)) == 1  # the damaged row was replaced by the new answer


def test_disk_store_keeps_a_running_total_instead_of_summing_the_file(rsps, tmp_path):
    path = tmp_path / "c.sqlite"
    page_size = len(json.dumps(orders_document()).encode())
    store = halnav.DiskCache(path, max_bytes=3 * page_size + 10)
    statements: list[str] = []
    urls = [f"{ROOT}/things/{n}" for n in range(6)]
    with halnav.Client(ROOT, cache=store) as client:
        for url in urls:
            add_page(rsps, url=url)
        add_page(rsps, url=urls[0])
        rsps.add(responses.DELETE, urls[5], status=204)
        store._db.set_trace_callback(statements.append)
        for url in urls[:3]:
            client.get(url)
        client.get(urls[0])  # stored again: replaces its row
        assert not [s for s in statements if "SUM(" in s.upper()]  # within the bound
        assert store._disk_size == 3 * page_size
        for url in urls[3:]:
            client.get(url)  # over the bound: the oldest go
        store._db.set_trace_callback(None)
        rows = _disk_rows(path)
        assert store._disk_size == sum(row[-1] for row in rows) <= store.max_disk_bytes
        assert store.stats.evicted == len(urls) - len(rows) > 0
        client.request("DELETE", urls[5])
        assert store._disk_size == sum(row[-1] for row in _disk_rows(path))
    store.close()


def test_disk_store_writes_a_304s_headers_and_expiry_back(rsps, tmp_path):
    path = tmp_path / "cache.sqlite"
    add_page(rsps)
    add_not_modified(rsps, headers={"Cache-Control": "private, max-age=600"})
    with halnav.Client(ROOT, token="t", cache=str(path)) as first:
        first.get(ORDERS)
    with halnav.Client(ROOT, token="t", cache=str(path)) as second:
        second.get(ORDERS)  # revalidated: now fresh for 600 s
    ((_, headers, etag, expires_at, _),) = _disk_rows(path)
    assert json.loads(headers)["Date"] == "Sat, 21 Jun 2014 10:00:00 GMT"
    assert etag == ETAG and expires_at > 0
    with halnav.Client(ROOT, token="t", cache=str(path)) as third:
        served = third.get(ORDERS)  # fresh, from the file: no request
        stats = third.cache.stats
    assert len(rsps.calls) == 2
    assert served.document == orders_document()
    assert (stats.fresh_hits, stats.bodies_decoded) == (1, 1)


@pytest.mark.parametrize(
    "header",
    [{"Cache-Control": "no-cache"}, {"Cache-Control": "max-age=0"}, {"Pragma": "no-cache"}],
)
def test_a_request_that_says_no_cache_revalidates_a_fresh_entry(rsps, header):
    with halnav.Client(ROOT) as client:
        add_page(rsps, headers={"ETag": ETAG, "Cache-Control": "private, max-age=600"})
        add_not_modified(rsps)
        first = client.get(ORDERS)
        again = client.request("GET", ORDERS, headers=header)
    assert len(rsps.calls) == 2  # asked the server, though the entry was fresh
    assert rsps.calls[1].request.headers["If-None-Match"] == ETAG
    assert again.document is first.document  # and the 304 still decoded nothing
    assert client.cache.stats.not_modified == 1


def test_a_stable_walk_never_takes_a_page_fresh_from_the_cache(rsps):
    page_2 = f"{ROOT}/collection/2"
    first = {"total_items": 2, "_links": {"next": {"href": page_2}}, "_embedded": {"items": []}}
    first["_embedded"]["items"] = [{"_links": {"self": {"href": f"{ORDERS}/1"}}, "id": 1}]
    second = {
        "total_items": 2,
        "_embedded": {"items": [{"_links": {"self": {"href": f"{ORDERS}/2"}}, "id": 2}]},
    }
    fresh_for_long = {"ETag": ETAG, "Cache-Control": "private, max-age=600"}
    rsps.add(responses.GET, f"{ROOT}/collection", json=first, headers=fresh_for_long)
    rsps.add(responses.GET, page_2, json=second, headers=fresh_for_long)
    rsps.add(responses.GET, page_2, json=second, headers=fresh_for_long)
    with halnav.Client(ROOT) as client:
        client.get(page_2)  # now in the cache, fresh for ten minutes
        ids = [item["id"] for item in client.get(f"{ROOT}/collection").iterate(stable=True)]
    assert ids == [1, 2]
    assert rsps.calls[-1].request.url == page_2
    assert rsps.calls[-1].request.headers["Cache-Control"] == "no-cache"
