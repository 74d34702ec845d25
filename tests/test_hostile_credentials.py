"""Credentials and private answers stay with whoever sent them (issue 15, points 2, 3, 6, 10).

* A shared cache never serves one credential's answer to another: entries are scoped by a keyed
  digest of the credentials actually sent (``token=``, ``auth=``, or headers), and ``Vary`` is
  honoured whole.
* A :class:`DiskCache` file, its key and its folder are readable by their owner only.
* Every credential header (``Authorization``, ``Cookie``, ``Proxy-Authorization``,
  ``X-Api-Key``, and those the caller names) goes to the root's origin only, redirects included.
* A POST that a 307/308 would send again goes at most once more, and only to its own origin.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses

import halnav

ROOT = "https://api.example/v1"
ORDERS = f"{ROOT}/orders"
HAL = "application/hal+json"
FRESH = {"Cache-Control": "private, max-age=600", "ETag": '"v1"'}


def private_page(rsps: responses.RequestsMock, owner: str, **headers: str) -> None:
    rsps.get(
        ORDERS,
        body=json.dumps({"owner": owner}),
        content_type=HAL,
        headers={**FRESH, **headers},
    )


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# -- point 2: a shared cache is scoped by the credentials sent ---------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Authorization",
        "authorization",
        "Cookie",
        "X-Api-Key",
        "Proxy-Authorization",
    ],
)
def test_credentials_given_as_headers_never_share_cache_entries(rsps, header):
    store = halnav.MemoryCache()
    private_page(rsps, "alice")
    private_page(rsps, "bob")
    with (
        halnav.Client(ROOT, headers={header: "alice-secret"}, cache=store) as alice,
        halnav.Client(ROOT, headers={header: "bob-secret"}, cache=store) as bob,
    ):
        assert alice.get(ORDERS)["owner"] == "alice"
        assert bob.get(ORDERS)["owner"] == "bob"  # sent, not served alice's answer
        assert alice.get(ORDERS)["owner"] == "alice"  # alice's own entry, still fresh
    assert len(rsps.calls) == 2
    assert "secret" not in repr(store._entries)
    assert all("secret" not in key for key in store._entries)


def test_a_basic_auth_with_another_password_is_never_served_the_cached_answer(rsps):
    store = halnav.MemoryCache()
    private_page(rsps, "joe")
    rsps.get(ORDERS, status=401, json={"error": "bad password"})
    with halnav.Client(ROOT, auth=requests.auth.HTTPBasicAuth("joe", "right"), cache=store) as c:
        c.get(ORDERS)
    wrong = requests.auth.HTTPBasicAuth("joe", "wrong")
    with halnav.Client(ROOT, auth=wrong, cache=store) as c, pytest.raises(halnav.Unauthorized):
        c.get(ORDERS)
    assert len(rsps.calls) == 2
    assert rsps.calls[1].request.headers["Authorization"] == basic("joe", "wrong")


def test_a_basic_auth_header_with_another_password_is_never_served_the_cached_answer(rsps):
    store = halnav.MemoryCache()
    private_page(rsps, "joe")
    rsps.get(ORDERS, status=401, json={"error": "bad password"})
    right = {"Authorization": basic("joe", "right")}
    wrong = {"Authorization": basic("joe", "wrong")}
    with halnav.Client(ROOT, headers=right, cache=store) as client:
        client.get(ORDERS)
    with (
        halnav.Client(ROOT, headers=wrong, cache=store) as client,
        pytest.raises(halnav.Unauthorized),
    ):
        client.get(ORDERS)
    assert len(rsps.calls) == 2


def test_per_call_credential_headers_scope_entries_too(rsps):
    private_page(rsps, "session-1")
    private_page(rsps, "session-2")
    with halnav.Client(ROOT) as client:
        one = client.request("GET", ORDERS, headers={"Cookie": "session=1"})
        two = client.request("GET", ORDERS, headers={"Cookie": "session=2"})
        again = client.request("GET", ORDERS, headers={"Cookie": "session=1"})
    assert (one["owner"], two["owner"], again["owner"]) == ("session-1", "session-2", "session-1")
    assert len(rsps.calls) == 2


def test_vary_authorization_is_honoured_and_the_entry_holds_no_credential(rsps):
    store = halnav.MemoryCache()
    private_page(rsps, "alice", Vary="Authorization, Accept")
    with halnav.Client(ROOT, token="alice-token", cache=store) as alice:
        alice.get(ORDERS)
        alice.get(ORDERS)  # fresh: served from the entry its Vary selects
    ((entry),) = store._entries.values()
    names = [name for name, _ in entry.vary]
    assert names == ["authorization", "accept"]
    assert "alice-token" not in repr(entry.vary) and len(rsps.calls) == 1


def test_vary_cookie_selects_by_the_cookie_sent(rsps):
    private_page(rsps, "first", Vary="Cookie")
    private_page(rsps, "second", Vary="Cookie")
    with halnav.Client(ROOT, headers={"Cookie": "a=1"}) as client:
        client.get(ORDERS)
        assert client.request("GET", ORDERS, headers={"Cookie": "a=2"})["owner"] == "second"
    assert len(rsps.calls) == 2


def test_answers_from_another_origin_are_public_whoever_asks(rsps):
    # No credential goes there, so the answer is the same for everyone: one scope, "".
    store = halnav.MemoryCache()
    rsps.get("https://cdn.example/logo.json", json={"public": True}, headers=FRESH)
    with (
        halnav.Client(ROOT, token="a", cache=store) as a,
        halnav.Client(ROOT, headers={"X-Api-Key": "b"}, cache=store) as b,
    ):
        a.get("https://cdn.example/logo.json")
        b.get("https://cdn.example/logo.json")
    assert len(rsps.calls) == 1
    assert "X-Api-Key" not in rsps.calls[0].request.headers


def test_the_scope_is_a_keyed_digest_no_other_store_can_recompute(rsps):
    one, two = halnav.MemoryCache(), halnav.MemoryCache()
    assert one.scope_of("authorization: Bearer x") != two.scope_of("authorization: Bearer x")
    assert one.scope_of("authorization: Bearer x") == one.scope_of("authorization: Bearer x")
    assert "Bearer" not in one.scope_of("authorization: Bearer x")


def test_a_disk_cache_finds_its_entries_in_the_next_run_through_its_key_file(rsps, tmp_path):
    path = tmp_path / "cache.sqlite"
    private_page(rsps, "alice")
    with halnav.Client(ROOT, headers={"Authorization": "Bearer alice"}, cache=str(path)) as c:
        c.get(ORDERS)
    key = (tmp_path / "cache.sqlite.key").read_bytes()
    with halnav.Client(ROOT, headers={"Authorization": "Bearer alice"}, cache=str(path)) as c:
        assert c.get(ORDERS)["owner"] == "alice"  # fresh, from the file: no request
    assert len(rsps.calls) == 1
    assert (tmp_path / "cache.sqlite.key").read_bytes() == key
    assert b"Bearer alice" not in path.read_bytes()


# -- point 3: a disk cache is its owner's only -------------------------------------------------


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # the common default: files 0644, folders 0755
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Any) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_disk_cache_and_the_folders_halnav_makes_for_it_are_private(rsps, tmp_path, open_umask):
    path = tmp_path / "made" / "by" / "halnav" / "cache.sqlite"
    rsps.get(ORDERS, json={"private": True}, headers=FRESH)
    with halnav.Client(ROOT, token="t", cache=str(path)) as client:
        client.get(ORDERS)
        written = [p for p in path.parent.iterdir()]
        modes = {p.name: mode(p) for p in written}
    assert modes["cache.sqlite"] == 0o600 and modes["cache.sqlite.key"] == 0o600
    assert {name: m for name, m in modes.items() if m != 0o600} == {}  # -wal, -shm too
    for folder in (path.parent, path.parent.parent, path.parent.parent.parent):
        assert mode(folder) == 0o700


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_an_existing_world_readable_cache_file_is_narrowed(tmp_path, open_umask):
    path = tmp_path / "old.sqlite"
    halnav.DiskCache(path).close()
    os.chmod(path, 0o644)
    (tmp_path / "old.sqlite.key").chmod(0o644)
    halnav.DiskCache(path).close()
    assert mode(path) == 0o600 and mode(tmp_path / "old.sqlite.key") == 0o600


def test_a_disk_cache_path_may_start_with_a_tilde(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    store = halnav.DiskCache("~/.cache/halnav/c.sqlite")
    store.close()
    assert (tmp_path / ".cache" / "halnav" / "c.sqlite").exists()


def test_a_cookie_the_server_sets_is_not_written_to_disk(rsps, tmp_path):
    path = tmp_path / "c.sqlite"
    rsps.get(ORDERS, json={}, headers={**FRESH, "Set-Cookie": "session=s3cr3t-cookie"})
    with halnav.Client(ROOT, cache=str(path)) as client:
        client.get(ORDERS)
    assert b"s3cr3t-cookie" not in path.read_bytes()
    for extra in ("-wal",):
        if (tmp_path / f"c.sqlite{extra}").exists():
            assert b"s3cr3t-cookie" not in (tmp_path / f"c.sqlite{extra}").read_bytes()


# -- point 10: credential headers go to the root's origin only ---------------------------------

CREDENTIALS = {
    "Authorization": "Bearer hdr",
    "Cookie": "session=c00kie",
    "X-Api-Key": "k3y",
    "Proxy-Authorization": "Basic cHJveHk=",
}


def sent_credentials(call: Any, names: Any = CREDENTIALS) -> dict[str, str]:
    headers = call.request.headers
    return {name: headers[name] for name in names if name in headers}


def test_credential_headers_go_to_the_root_origin_only(rsps):
    rsps.get(
        ROOT,
        json={"_links": {"cdn": {"href": "https://cdn.example/x"}, "plain": {"href": "/v1/y"}}},
        content_type=HAL,
    )
    rsps.get("https://cdn.example/x", json={})
    rsps.get(f"{ROOT}/y", json={})
    rsps.get("http://api.example/v1/z", json={})
    with halnav.Client(ROOT, headers=CREDENTIALS, cache=False) as client:
        root = client.root()
        root.follow("cdn")
        root.follow("plain")
        client.get("http://api.example/v1/z")  # plain http: another origin
        assert client.authenticates(ROOT)
        assert not client.authenticates("https://cdn.example/x")
    sent = [sent_credentials(call) for call in rsps.calls]
    assert sent == [CREDENTIALS, {}, CREDENTIALS, {}]


def test_header_names_are_matched_in_any_case(rsps):
    rsps.get("https://cdn.example/x", json={})
    headers = {"x-API-key": "k3y", "COOKIE": "a=b"}
    with halnav.Client(ROOT, headers=headers, cache=False) as client:
        client.request("GET", "https://cdn.example/x", headers={"x-api-KEY": "per-call"})
    assert sent_credentials(rsps.calls[0], ["X-Api-Key", "Cookie"]) == {}


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_credential_headers_are_dropped_on_a_redirect_to_another_origin(rsps, status):
    rsps.get(f"{ROOT}/old", status=status, headers={"Location": "https://other.example/new"})
    rsps.get("https://other.example/new", json={})
    rsps.get(f"{ROOT}/same", status=status, headers={"Location": f"{ROOT}/new"})
    rsps.get(f"{ROOT}/new", json={})
    with halnav.Client(ROOT, headers=CREDENTIALS, cache=False) as client:
        client.get(f"{ROOT}/old")
        client.get(f"{ROOT}/same")
    first, elsewhere, same, kept = (sent_credentials(call) for call in rsps.calls)
    assert first == CREDENTIALS and elsewhere == {}
    assert same == CREDENTIALS
    # requests itself re-derives Cookie (from its jar) and Proxy-Authorization (from the proxy
    # settings) on every hop; the rest is kept within the origin.
    assert kept == {"Authorization": "Bearer hdr", "X-Api-Key": "k3y"}


def test_headers_the_caller_marks_are_credentials_too(rsps, caplog):
    caplog.set_level(logging.DEBUG, logger="halnav")
    rsps.get(ROOT, json={"_links": {"cdn": {"href": "https://cdn.example/x"}}}, content_type=HAL)
    rsps.get("https://cdn.example/x", json={})
    with halnav.Client(
        ROOT,
        headers={"X-Shop-Token": "sh0p", "X-Trace": "t1"},
        credential_headers=["x-shop-token"],
        cache=False,
    ) as client:
        assert "x-shop-token" in client.credential_headers
        assert {"authorization", "cookie", "x-api-key"} <= client.credential_headers
        client.root().follow("cdn")
    assert rsps.calls[0].request.headers["X-Shop-Token"] == "sh0p"
    assert "X-Shop-Token" not in rsps.calls[1].request.headers
    assert rsps.calls[1].request.headers["X-Trace"] == "t1"  # not a credential: sent
    assert "sh0p" not in caplog.text and "'X-Shop-Token': '****'" in caplog.text


@pytest.mark.parametrize("bad", ["X-Key", [3], [""]])
def test_credential_headers_takes_header_names(bad):
    with pytest.raises(TypeError):
        halnav.Client(ROOT, credential_headers=bad)


# -- point 6: a write redirected is sent again at most once, and only home ----------------------


@pytest.mark.parametrize("status", [307, 308])
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_write_redirected_within_its_origin_is_sent_once_more_with_its_body(rsps, status, method):
    rsps.add(method, ORDERS, status=status, headers={"Location": f"{ROOT}/orders/new"})
    rsps.add(method, f"{ROOT}/orders/new", status=201, json={"id": 9})
    with halnav.Client(ROOT, token="t", cache=False) as client:
        created = client.request(method, ORDERS, json={"line_items": [1]})
    assert created["id"] == 9 and len(rsps.calls) == 2
    assert [call.request.body for call in rsps.calls] == [b'{"line_items":[1]}'] * 2


@pytest.mark.parametrize(
    "elsewhere",
    ["https://other.example/orders", "https://api.example:8443/v1/orders", "http://api.example/v1"],
)
@pytest.mark.parametrize("status", [307, 308])
def test_a_write_is_never_sent_to_another_origin(rsps, status, elsewhere):
    rsps.post(ORDERS, status=status, headers={"Location": elsewhere})
    with (
        halnav.Client(ROOT, token="t", cache=False) as client,
        pytest.raises(halnav.TransportError) as info,
    ):
        client.request("POST", ORDERS, json={"secret": "body"})
    assert len(rsps.calls) == 1  # nothing went elsewhere
    message = str(info.value)
    assert f"answered {status} to another origin" in message and elsewhere in message
    assert info.value.method == "POST" and info.value.url == ORDERS


@pytest.mark.parametrize("status", [307, 308])
def test_a_redirect_loop_of_posts_ends_after_the_first(rsps, status):
    rsps.post(ORDERS, status=status, headers={"Location": ORDERS})
    with (
        halnav.Client(ROOT, token="t", cache=False) as client,
        pytest.raises(halnav.TransportError, match="redirected again"),
    ):
        client.request("POST", ORDERS, json={"a": 1})
    assert len(rsps.calls) == 2


@pytest.mark.parametrize("status", [301, 302, 303])
def test_a_post_answered_301_302_303_becomes_a_get_as_requests_does(rsps, status):
    rsps.post(ORDERS, status=status, headers={"Location": f"{ROOT}/orders/9"})
    rsps.get(f"{ROOT}/orders/9", json={"id": 9})
    with halnav.Client(ROOT, token="t", cache=False) as client:
        assert client.request("POST", ORDERS, json={"a": 1})["id"] == 9
    assert [call.request.method for call in rsps.calls] == ["POST", "GET"]
    assert rsps.calls[1].request.body is None


def test_idempotent_methods_follow_redirects_as_before(rsps):
    rsps.put(ORDERS, status=307, headers={"Location": f"{ROOT}/a"})
    rsps.put(f"{ROOT}/a", status=307, headers={"Location": f"{ROOT}/b"})
    rsps.put(f"{ROOT}/b", json={"ok": True})
    with halnav.Client(ROOT, token="t", cache=False) as client:
        assert client.request("PUT", ORDERS, json={"a": 1})["ok"] is True
    assert len(rsps.calls) == 3
