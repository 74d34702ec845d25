"""Credentials stay home: the token goes to the root URL's origin only, and is never shown.

Origins are compared as (scheme, host, port): another host, another port, or plain http from an
https root all get requests without credentials, whether reached by a link or by a redirect.
"""

from __future__ import annotations

import io
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
import requests

import halnav

ROOT = "https://api.example/v1"
TOKEN = "tok-3f9a77c2e1"
HAL = "application/hal+json"


@pytest.fixture
def client() -> Iterator[halnav.Client]:
    with halnav.Client(ROOT, token=TOKEN, retries=0, cache=False) as c:
        yield c


def authorization(call: Any) -> str | None:
    return call.request.headers.get("Authorization")


def shown_everywhere(error: BaseException) -> str:
    """Every way an exception is shown: str, repr, and the whole chained traceback."""
    return "\n".join([str(error), repr(error), *traceback.format_exception(error)])


# -- links ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "sent"),
    [
        (f"{ROOT}/shops/1", True),
        ("https://API.example:443/v1/shops", True),  # same origin, spelled differently
        ("/v1/relative", True),
        ("https://cdn.example/image.png", False),  # another host
        ("https://evil.api.example/v1", False),  # a subdomain is another origin
        ("https://api.example:8443/v1", False),  # another port
        ("http://api.example/v1/shops", False),  # https -> plain http
    ],
)
def test_a_link_gets_the_token_only_on_the_root_origin(rsps, client, target, sent):
    rsps.get(ROOT, json={"_links": {"next": {"href": target}}}, content_type=HAL)
    absolute = requests.compat.urljoin(ROOT, target)
    rsps.get(absolute, json={}, content_type=HAL)
    client.root().follow("next")
    assert authorization(rsps.calls[0]) == f"Bearer {TOKEN}"
    assert authorization(rsps.calls[1]) == (f"Bearer {TOKEN}" if sent else None)
    assert client.authenticates(absolute) is sent


def test_an_http_root_does_not_send_its_token_to_https_either(rsps):
    rsps.get("https://api.example/v1/x", json={})
    with halnav.Client("http://api.example/v1", token=TOKEN, cache=False) as client:
        client.get("https://api.example/v1/x")
    assert authorization(rsps.calls[0]) is None


def test_an_authorization_header_given_for_another_origin_is_stripped(rsps, client):
    rsps.get("https://cdn.example/x", json={})
    client.request("GET", "https://cdn.example/x", headers={"Authorization": "Bearer leaked"})
    assert authorization(rsps.calls[0]) is None


# -- redirects ------------------------------------------------------------------------------


def test_a_same_origin_redirect_keeps_the_token(rsps, client):
    rsps.get(f"{ROOT}/old", status=301, headers={"Location": f"{ROOT}/new"})
    rsps.get(f"{ROOT}/new", json={"here": True})
    assert client.get(f"{ROOT}/old")["here"] is True
    assert [authorization(c) for c in rsps.calls] == [f"Bearer {TOKEN}"] * 2


@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://other.example/landing",
        "https://api.example:8443/v1/new",
        "http://api.example/v1/new",
    ],
)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_origin_drops_the_token(rsps, client, elsewhere, status):
    rsps.get(f"{ROOT}/old", status=status, headers={"Location": elsewhere})
    rsps.get(elsewhere, json={"there": True})
    resource = client.get(f"{ROOT}/old")
    assert resource["there"] is True and resource.url == elsewhere
    assert [authorization(c) for c in rsps.calls] == [f"Bearer {TOKEN}", None]


def test_a_chain_of_redirects_is_judged_at_every_hop(rsps, client):
    rsps.get(f"{ROOT}/a", status=302, headers={"Location": "https://other.example/b"})
    rsps.get("https://other.example/b", status=302, headers={"Location": "https://third.example/c"})
    rsps.get("https://third.example/c", json={})
    client.get(f"{ROOT}/a")
    assert [authorization(c) for c in rsps.calls] == [f"Bearer {TOKEN}", None, None]


def test_two_clients_sharing_a_session_each_redirect_carries_only_its_own_token(rsps):
    session = requests.Session()
    a = halnav.Client("https://a.example/v1", token="TOKEN-A", session=session, cache=False)
    guard = session.rebuild_auth
    b = halnav.Client("https://b.example/v1", token="TOKEN-B", session=session, cache=False)
    assert session.rebuild_auth is guard  # one guard per session, never stacked
    rsps.get("https://a.example/x", status=302, headers={"Location": "https://b.example/y"})
    rsps.get("https://b.example/x", status=302, headers={"Location": "https://a.example/y"})
    rsps.get("https://a.example/same", status=302, headers={"Location": "https://a.example/y"})
    rsps.get("https://b.example/same", status=302, headers={"Location": "https://b.example/y"})
    rsps.get("https://a.example/y", json={})
    rsps.get("https://b.example/y", json={})
    a.get("https://a.example/x")  # A's request, redirected to B's origin
    b.get("https://b.example/x")  # B's request, redirected to A's origin
    a.get("https://a.example/same")
    b.get("https://b.example/same")
    assert [authorization(c) for c in rsps.calls] == [
        "Bearer TOKEN-A",
        None,  # B's token is not added to A's request
        "Bearer TOKEN-B",
        None,
        "Bearer TOKEN-A",
        "Bearer TOKEN-A",
        "Bearer TOKEN-B",
        "Bearer TOKEN-B",
    ]


def test_a_session_redirect_of_a_request_no_client_sent_is_left_alone(rsps):
    session = requests.Session()
    halnav.Client("https://a.example/v1", token="TOKEN-A", session=session, cache=False)
    rsps.get("https://a.example/x", status=302, headers={"Location": "https://a.example/y"})
    rsps.get("https://a.example/y", json={})
    session.get("https://a.example/x", headers={"Authorization": "Bearer mine"})
    assert [authorization(c) for c in rsps.calls] == ["Bearer mine", "Bearer mine"]


# -- credentials given as a header ------------------------------------------------------------


def test_an_authorization_header_without_token_or_auth_goes_only_to_the_root_origin(rsps):
    header = {"Authorization": "Bearer from-headers"}
    rsps.get(ROOT, json={"_links": {"next": {"href": "https://cdn.example/x"}}}, content_type=HAL)
    rsps.get("https://cdn.example/x", json={})
    rsps.get("http://api.example/v1/plain", json={})
    rsps.get(f"{ROOT}/old", status=302, headers={"Location": "https://api.example:8443/v1/new"})
    rsps.get("https://api.example:8443/v1/new", json={})
    with halnav.Client(ROOT, headers=header, cache=False) as client:
        client.root().follow("next")
        client.get("http://api.example/v1/plain")
        client.get(f"{ROOT}/old")
        assert client.authenticates(ROOT) and not client.authenticates("https://cdn.example/x")
    assert [authorization(c) for c in rsps.calls] == [
        "Bearer from-headers",
        None,
        None,
        "Bearer from-headers",
        None,
    ]


def test_a_client_without_credentials_authenticates_nowhere(rsps):
    rsps.get("https://cdn.example/x", json={})
    with halnav.Client(ROOT, cache=False) as client:
        assert not client.authenticates(ROOT)
        client.request("GET", "https://cdn.example/x", headers={"Authorization": "Bearer x"})
        assert "auth=" not in repr(client)
    assert authorization(rsps.calls[0]) is None


# -- never shown ----------------------------------------------------------------------------


def test_the_token_is_in_no_repr(rsps, client):
    rsps.get(ROOT, json={"_links": {"self": {"href": ROOT}}}, content_type=HAL)
    root = client.root()
    texts = [repr(client), str(client), repr(root), root.describe(), repr(client._auth)]
    texts += [repr(client._auth.inner), str(client._auth.inner)]
    assert all(TOKEN not in text for text in texts)
    assert "hidden" in repr(client)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422, 429, 500, 503])
def test_the_token_is_in_no_http_error(rsps, client, status):
    rsps.get(ROOT, status=status, json={"message": "nope"}, headers={"WWW-Authenticate": "Bearer"})
    with pytest.raises(halnav.HTTPError) as info:
        client.root()
    assert TOKEN not in shown_everywhere(info.value)
    assert TOKEN not in repr(info.value.resource)


def test_the_token_is_in_no_transport_error():
    with (
        halnav.Client("http://127.0.0.1:9/v1", token=TOKEN, retries=0) as unreachable,
        pytest.raises(halnav.TransportError) as info,
    ):
        unreachable.root()
    assert TOKEN not in shown_everywhere(info.value)


def test_the_token_is_in_no_invalid_document_error(rsps, client):
    rsps.get(ROOT, body=b'{"_links": {"self": ', content_type=HAL)
    with pytest.raises(halnav.InvalidDocument) as info:
        client.root()
    assert TOKEN not in shown_everywhere(info.value)


def test_credentials_in_a_url_are_hidden_in_errors(rsps):
    rsps.get("https://api.example/v1?access_token=urltoken123", status=500, json={})
    with (
        halnav.Client("https://joe:pa55word@api.example/v1", retries=0, cache=False) as client,
        pytest.raises(halnav.ServerError) as info,
    ):
        client.get("https://api.example/v1?access_token=urltoken123")
    text = shown_everywhere(info.value)
    assert "urltoken123" not in str(info.value) and "pa55word" not in text
    assert "pa55word" not in repr(client)


def test_urls_repeated_in_a_transport_errors_reason_are_masked():
    # urllib3 repeats the URL in its reason: "LocationParseError: Failed to parse: http://...".
    url = "http://joe:pw5ecret@127.0.0.1:99999/x?access_token=tok5ecret&page=2"
    with (
        halnav.Client("http://127.0.0.1:9/v1", retries=0, cache=False) as client,
        pytest.raises(halnav.TransportError) as info,
    ):
        client.get(url)
    message = str(info.value)
    assert "Failed to parse" in message and "access_token=****" in message
    assert "tok5ecret" not in message and "pw5ecret" not in message
    assert "tok5ecret" not in info.value.url and "pw5ecret" not in info.value.url


def test_redact_reason_masks_every_url_in_the_text():
    from halnav._redact import redact_reason

    text = (
        "Failed to parse: http://[::1/?access_token=S1&page=2, "
        "'https://joe:S2@h.example/x?client_secret=S3' (url: /x?apikey=S4)"
    )
    masked = redact_reason(text)
    assert not any(secret in masked for secret in ("S1", "S2", "S3", "S4"))
    assert "page=2" in masked and "https://h.example/x?client_secret=****" in masked
    assert len(redact_reason("x" * 1000)) == 300


def test_explain_masks_the_token_in_its_curl_line(rsps, client):
    from halnav.cli._explain import explain

    rsps.get(ROOT, json={"_links": {"self": {"href": ROOT}}}, content_type=HAL)
    rsps.get("https://cdn.example/x", json={}, content_type=HAL)
    out = io.StringIO()
    explain(client.root(), file=out)
    assert "Authorization: Bearer ****" in out.getvalue() and TOKEN not in out.getvalue()
    out = io.StringIO()
    explain(client.get("https://cdn.example/x"), file=out)
    assert "Authorization" not in out.getvalue()  # curl would not send it there either


# -- logging --------------------------------------------------------------------------------


def test_each_request_is_logged_at_debug_with_authorization_masked(rsps, client, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, urllib3's included
    rsps.get(ROOT, json={}, content_type=HAL)
    rsps.post(f"{ROOT}/orders", status=422, json={})
    client.root()
    with pytest.raises(halnav.UnprocessableEntity):
        client.request("POST", f"{ROOT}/orders", json={"token": "not this one"})
    lines = [r.getMessage() for r in caplog.records if r.name == "halnav"]
    assert len(lines) == 2
    assert lines[0].startswith(f"GET {ROOT} -> 200 in ") and " ms" in lines[0]
    assert lines[1].startswith(f"POST {ROOT}/orders -> 422 in ")
    assert all("'Authorization': '****'" in line for line in lines)
    assert TOKEN not in caplog.text


def test_cache_misses_and_hits_are_logged(rsps, caplog):
    caplog.set_level(logging.DEBUG, logger="halnav")
    rsps.get(ROOT, json={}, headers={"Cache-Control": "private, max-age=60", "ETag": '"v1"'})
    with halnav.Client(ROOT, token=TOKEN) as client:  # the cache is on by default
        client.root()
        client.root()
    assert len(rsps.calls) == 1
    miss, hit = [r.getMessage() for r in caplog.records if r.name == "halnav"]
    assert miss.startswith(f"GET {ROOT} -> 200 in ") and "(cache miss)" in miss
    assert hit.startswith(f"GET {ROOT} -> 200 in ") and "(cache hit)" in hit
    assert TOKEN not in caplog.text


def test_a_failed_request_is_logged_too(caplog):
    caplog.set_level(logging.DEBUG, logger="halnav")
    with (
        halnav.Client("http://127.0.0.1:9/v1", token=TOKEN, retries=0) as client,
        pytest.raises(halnav.TransportError),
    ):
        client.root()
    (line,) = [r.getMessage() for r in caplog.records if r.name == "halnav"]
    assert line.startswith("GET http://127.0.0.1:9/v1 -> no answer")
    assert TOKEN not in caplog.text


def test_nothing_is_logged_unless_asked(rsps, client, caplog):
    caplog.set_level(logging.INFO)
    rsps.get(ROOT, json={})
    client.root()
    assert [r for r in caplog.records if r.name == "halnav"] == []


# -- against the sandbox: real HTTP, two origins on one server ----------------------------------


@pytest.mark.bootic_sandbox(orders=5)
def test_the_sandbox_web_checkout_on_localhost_is_fetched_without_the_token(bootic_sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    sent: list[tuple[str, str | None]] = []
    with halnav.Client(bootic_sandbox, token=bootic_sandbox.token) as client:
        client.session.hooks["response"].append(
            lambda r, *a, **k: sent.append((r.request.url, r.request.headers.get("Authorization")))
        )
        shop = client.root().follow("shops")
        order = next(iter(shop.follow("btc:orders").iterate()))
        checkout_link = order.link("btc:web_checkout")
        assert checkout_link.url().startswith("http://localhost:")
        page = order.follow("btc:web_checkout")
    assert page.status_code == 200 and page.document is None and "html" in page.content_type
    by_origin = {url.split("/")[2].split(":")[0]: auth for url, auth in sent}
    assert by_origin["127.0.0.1"] == f"Bearer {bootic_sandbox.token}"
    assert sent[-1][0] == checkout_link.url() and sent[-1][1] is None
    assert bootic_sandbox.token not in caplog.text
