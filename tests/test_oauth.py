"""OAuth2 client credentials: fetching, renewing before expiry and after a 401, threads, secrecy.

Against the sandbox's token endpoint (plain http on loopback, so the tests set
``OAUTHLIB_INSECURE_TRANSPORT``), and with ``responses`` where an answer must be forced.
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
from typing import Any

import pytest
import requests
from requests.auth import AuthBase

import halnav

pytest.importorskip("oauthlib")

TOKEN_URL = "https://auth.example/oauth/token"
API = "https://api.example/v1"
HAL = "application/hal+json"
SECRET = "client-secret-value"


@pytest.fixture(autouse=True)
def _loopback_http(monkeypatch: pytest.MonkeyPatch) -> None:
    # Client credentials go over https only, or plain http to loopback, unless told otherwise.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def credentials(sandbox: Any, **options: Any) -> halnav.ClientCredentials:
    options.setdefault("scope", "admin")
    return halnav.ClientCredentials(
        sandbox.token_url, sandbox.client_id, sandbox.client_secret, **options
    )


def bearer(request: Any) -> str:
    return request.headers.get("Authorization", "")


def token_answer(value: str, expires_in: int = 3600) -> dict[str, Any]:
    return {"access_token": value, "token_type": "Bearer", "expires_in": expires_in}


# -- against the sandbox --------------------------------------------------------------------


@pytest.mark.bootic_sandbox(orders=10)
def test_the_first_request_fetches_a_token_and_on_new_token_gets_it(bootic_sandbox):
    saved: list[dict[str, Any]] = []
    auth = credentials(bootic_sandbox, on_new_token=saved.append)
    assert auth.token is None
    with halnav.Client(bootic_sandbox, auth=auth, cache=False) as client:
        root = client.root()
        assert root["scopes"] == "admin"
        client.root()
    assert auth.fetch_count == 1 and len(saved) == 1
    assert saved[0]["access_token"] == auth.token["access_token"]
    assert saved[0]["token_type"].lower() == "bearer" and saved[0]["expires_at"] > time.time()


@pytest.mark.bootic_sandbox(orders=10)
def test_a_saved_token_is_reused_without_fetching(bootic_sandbox):
    saved: list[dict[str, Any]] = []
    with halnav.Client(
        bootic_sandbox, auth=credentials(bootic_sandbox, on_new_token=saved.append)
    ) as c:
        c.root()
    again = credentials(bootic_sandbox, token=saved[0])
    with halnav.Client(bootic_sandbox, auth=again, cache=False) as client:
        assert client.root()["scopes"] == "admin"
    assert again.fetch_count == 0


@pytest.mark.bootic_sandbox(orders=10)
def test_a_token_close_to_expiry_is_renewed_before_it_is_used(bootic_sandbox):
    nearly = {
        "access_token": bootic_sandbox.token,
        "token_type": "Bearer",
        "expires_in": 3600,
        "expires_at": time.time() + 10,  # within the 30 s leeway
    }
    auth = credentials(bootic_sandbox, token=nearly, leeway=30)
    with halnav.Client(bootic_sandbox, auth=auth, cache=False) as client:
        client.root()
    assert auth.fetch_count == 1 and auth.token["access_token"] != bootic_sandbox.token


@pytest.mark.bootic_sandbox(orders=10, token_lifetime=4)
def test_short_lived_tokens_are_renewed_and_no_request_fails(bootic_sandbox):
    auth = credentials(bootic_sandbox)
    refused = []
    with halnav.Client(bootic_sandbox, auth=auth, cache=False) as client:
        client.session.hooks["response"].append(
            lambda r, *a, **k: refused.append(r.url) if r.status_code == 401 else None
        )
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            assert client.root()["scopes"] == "admin"
            time.sleep(0.05)
    # A four-second token, renewed at half its life: two seconds of margin for a stalled
    # machine before a request could carry an expired token.
    assert auth.fetch_count >= 2
    assert refused == []


@pytest.mark.bootic_sandbox(orders=10)
@pytest.mark.parametrize("stale", ["not-a-token", "sandbox-shop1-expired-token"])
def test_a_401_renews_the_token_once_and_the_request_is_sent_again(bootic_sandbox, stale):
    auth = credentials(
        bootic_sandbox, token=token_answer(stale) | {"expires_at": time.time() + 3600}
    )
    with halnav.Client(bootic_sandbox, auth=auth, cache=False) as client:
        assert client.root()["scopes"] == "admin"
    assert auth.fetch_count == 1 and auth.token["access_token"] != stale


@pytest.mark.bootic_sandbox(orders=10)
def test_many_threads_refused_together_cause_one_renewal(bootic_sandbox):
    stale = token_answer("revoked-token") | {"expires_at": time.time() + 3600}
    auth = credentials(bootic_sandbox, token=stale)
    barrier = threading.Barrier(8)
    results: list[Any] = []
    with halnav.Client(bootic_sandbox, auth=auth, cache=False, pool_size=8) as client:

        def work() -> None:
            barrier.wait()
            try:
                results.append(client.root()["scopes"])
            except Exception as exc:  # collected, asserted below
                results.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert results == ["admin"] * 8
    assert auth.fetch_count == 1


@pytest.mark.bootic_sandbox(orders=10)
def test_many_threads_starting_together_fetch_one_token(bootic_sandbox):
    auth = credentials(bootic_sandbox)
    barrier = threading.Barrier(8)
    results: list[Any] = []
    with halnav.Client(bootic_sandbox, auth=auth, cache=False, pool_size=8) as client:

        def work() -> None:
            barrier.wait()
            results.append(client.root()["scopes"])

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert results == ["admin"] * 8 and auth.fetch_count == 1


@pytest.mark.bootic_sandbox(orders=10)
def test_wrong_credentials_and_scopes_raise_halnav_errors_without_the_secret(bootic_sandbox):
    wrong = halnav.ClientCredentials(
        bootic_sandbox.token_url, bootic_sandbox.client_id, "nope-secret"
    )
    with (
        halnav.Client(bootic_sandbox, auth=wrong) as client,
        pytest.raises(halnav.Unauthorized) as info,
    ):
        client.root()
    assert "invalid_client" in str(info.value) and "nope-secret" not in str(info.value)
    assert info.value.url == bootic_sandbox.token_url and info.value.method == "POST"
    greedy = credentials(bootic_sandbox, scope="everything")
    with (
        halnav.Client(bootic_sandbox, auth=greedy) as client,
        pytest.raises(halnav.BadRequest) as info,
    ):
        client.root()
    assert "invalid_scope" in str(info.value)
    assert bootic_sandbox.client_secret not in str(info.value)


@pytest.mark.bootic_sandbox(orders=10)
def test_nothing_secret_in_reprs_or_debug_logs(bootic_sandbox, caplog):
    caplog.set_level(logging.DEBUG)  # every logger: halnav, oauthlib, urllib3
    auth = credentials(bootic_sandbox)
    with halnav.Client(bootic_sandbox, auth=auth) as client:
        client.root()
        token = auth.token["access_token"]
        shown = [repr(auth), str(auth), repr(client), repr(client.root())]
    assert caplog.records, "debug logging produced nothing"
    assert any(r.name == "halnav" and "GET" in r.getMessage() for r in caplog.records)
    import base64

    basic = base64.b64encode(f"{bootic_sandbox.client_id}:{bootic_sandbox.client_secret}".encode())
    for secret in (token, bootic_sandbox.client_secret, basic.decode()):
        assert secret not in caplog.text
        assert all(secret not in text for text in shown)


# -- with responses: answers the sandbox does not give ----------------------------------------


def test_the_token_request_goes_to_the_token_url_with_basic_auth_never_a_bearer(rsps):
    rsps.post(TOKEN_URL, json=token_answer("T1"))
    rsps.get(API, json={}, content_type=HAL)
    auth = halnav.ClientCredentials(TOKEN_URL, "my-id", SECRET, scope=["admin", "public"])
    with halnav.Client(API, auth=auth, cache=False) as client:
        client.root()
    token_call, api_call = rsps.calls
    assert bearer(token_call.request).startswith("Basic ")
    assert "grant_type=client_credentials" in token_call.request.body
    assert "scope=admin+public" in token_call.request.body
    assert SECRET not in token_call.request.body  # in the Basic header, not the form
    assert bearer(api_call.request) == "Bearer T1"


def test_a_second_401_is_raised_after_one_renewal(rsps):
    rsps.post(TOKEN_URL, json=token_answer("T1"))
    rsps.post(TOKEN_URL, json=token_answer("T2"))
    rsps.get(API, status=401, json={})
    rsps.get(API, status=401, json={})
    auth = halnav.ClientCredentials(TOKEN_URL, "id", SECRET)
    with halnav.Client(API, auth=auth, cache=False) as client, pytest.raises(halnav.Unauthorized):
        client.root()
    assert [bearer(c.request)[:6] for c in rsps.calls] == ["Basic ", "Bearer", "Basic ", "Bearer"]
    assert auth.fetch_count == 2


def test_a_post_refused_with_401_is_sent_again_once_with_the_new_token(rsps):
    rsps.post(TOKEN_URL, json=token_answer("T1"))
    rsps.post(f"{API}/orders", status=401, json={})
    rsps.post(TOKEN_URL, json=token_answer("T2"))
    rsps.post(f"{API}/orders", status=201, json={"id": 1})
    auth = halnav.ClientCredentials(TOKEN_URL, "id", SECRET)
    with halnav.Client(API, auth=auth, cache=False) as client:
        assert client.request("POST", f"{API}/orders", json={"a": 1})["id"] == 1
    api_calls = [c for c in rsps.calls if c.request.url.startswith(API)]
    assert [bearer(c.request) for c in api_calls] == ["Bearer T1", "Bearer T2"]
    assert api_calls[1].request.body == b'{"a":1}'


def test_a_401_from_another_origin_renews_nothing(rsps):
    rsps.get("https://elsewhere.example/x", status=401, json={})
    auth = halnav.ClientCredentials(TOKEN_URL, "id", SECRET)
    with (
        halnav.Client(API, auth=auth, cache=False) as client,
        pytest.raises(halnav.Unauthorized),
    ):
        client.get("https://elsewhere.example/x")
    assert auth.fetch_count == 0 and len(rsps.calls) == 1
    assert "Authorization" not in rsps.calls[0].request.headers


def test_any_auth_with_refresh_gets_one_renewal_after_a_401(rsps):
    class Rotating(AuthBase):
        def __init__(self) -> None:
            self.value, self.refreshed = "old", 0

        def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
            request.headers["Authorization"] = f"Bearer {self.value}"
            return request

        def refresh(self) -> None:
            self.refreshed += 1
            self.value = "new"

    rsps.get(API, status=401, json={})
    rsps.get(API, json={"ok": True})
    auth = Rotating()
    with halnav.Client(API, auth=auth, cache=False) as client:
        assert client.root()["ok"] is True
    assert auth.refreshed == 1
    assert [bearer(c.request) for c in rsps.calls] == ["Bearer old", "Bearer new"]


def test_a_plain_bearer_token_has_nothing_to_renew(rsps):
    rsps.get(API, status=401, json={})
    with (
        halnav.Client(API, token="fixed", cache=False) as client,
        pytest.raises(halnav.Unauthorized),
    ):
        client.root()
    assert len(rsps.calls) == 1


def test_a_failing_token_endpoint_is_a_server_error(rsps):
    rsps.post(TOKEN_URL, status=502, body="<html>bad gateway</html>", content_type="text/html")
    auth = halnav.ClientCredentials(TOKEN_URL, "id", SECRET, retries=0)
    with halnav.Client(API, auth=auth) as client, pytest.raises(halnav.ServerError) as info:
        client.root()
    assert info.value.status_code == 502 and "token request" in str(info.value)


def test_a_token_answer_without_a_token_is_an_error(rsps):
    rsps.post(TOKEN_URL, json={"token_type": "Bearer"})
    auth = halnav.ClientCredentials(TOKEN_URL, "id", SECRET)
    with halnav.Client(API, auth=auth) as client, pytest.raises(halnav.HTTPError) as info:
        client.root()
    assert "token" in str(info.value)


def test_an_unreachable_token_endpoint_is_a_transport_error():
    auth = halnav.ClientCredentials("http://127.0.0.1:9/oauth/token", "id", SECRET, retries=0)
    with halnav.Client(API, auth=auth) as client, pytest.raises(halnav.TransportError) as info:
        client.root()
    assert "127.0.0.1:9/oauth/token" in str(info.value) and SECRET not in str(info.value)


def test_a_retried_token_request_does_not_claim_it_was_not_retried():
    # The token POST is retried (a second token is harmless): the message must not say otherwise.
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nobody listens there now
    auth = halnav.ClientCredentials(f"http://127.0.0.1:{port}/oauth/token", "id", SECRET, retries=2)
    with pytest.raises(halnav.TransportError) as info:
        auth.refresh()
    message = str(info.value)
    assert "after 3 tries" in message and "refused" in message.lower()
    assert "not retried" not in message and SECRET not in message


@pytest.mark.bootic_sandbox(orders=5)
def test_close_closes_the_token_connections_and_a_client_leaves_them_to_the_caller(
    bootic_sandbox,
):
    auth = credentials(bootic_sandbox)
    pools = auth._session.get_adapter(bootic_sandbox.token_url).poolmanager.pools
    with halnav.Client(bootic_sandbox, auth=auth, cache=False) as client:
        client.root()
    assert len(pools) == 1  # the client was closed, not the auth it was given
    auth.close()
    assert len(pools) == 0
    assert auth.refresh()["access_token"]  # a later fetch opens a new connection
    auth.close()


def test_refresh_fetches_a_new_token_on_demand(rsps):
    rsps.post(TOKEN_URL, json=token_answer("T1"))
    rsps.post(TOKEN_URL, json=token_answer("T2"))
    auth = halnav.ClientCredentials(TOKEN_URL, "id", SECRET)
    assert auth.refresh()["access_token"] == "T1"
    assert auth.refresh()["access_token"] == "T2" and auth.fetch_count == 2
    assert auth.expires_at is not None and auth.expires_at > time.time() + 3000


def test_plain_http_token_urls_need_the_oauthlib_switch(monkeypatch):
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT")
    with pytest.raises(ValueError, match="OAUTHLIB_INSECURE_TRANSPORT"):
        halnav.ClientCredentials("http://auth.example/token", "id", SECRET)


def test_a_missing_extra_names_the_pip_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "oauthlib.oauth2", None)
    with pytest.raises(ImportError, match=r"pip install 'halnav\[oauth\]'"):
        halnav.ClientCredentials(TOKEN_URL, "id", SECRET)
