"""The OAuth2 token endpoint: client_credentials grants, their errors, and token lifetimes."""

from __future__ import annotations

import pytest
import requests

from halnav.sandbox import SandboxURL

from .conftest import TIMEOUT, Api


def _grant(url: SandboxURL, **form: str) -> requests.Response:
    return requests.post(
        url.token_url,
        data={"grant_type": "client_credentials", **form},
        auth=(url.client_id, url.client_secret),
        timeout=TIMEOUT,
    )


def test_client_credentials_in_basic_auth(shared: SandboxURL) -> None:
    response = _grant(shared)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "admin"
    with Api(shared, body["access_token"]) as session:
        assert session.doc(session.orders_url())["total_items"] == 300


def test_client_credentials_in_the_form(shared: SandboxURL) -> None:
    response = requests.post(
        shared.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": shared.client_id,
            "client_secret": shared.client_secret,
        },
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert len(response.json()["access_token"]) >= 20


def test_each_grant_is_a_new_token(shared: SandboxURL) -> None:
    assert _grant(shared).json()["access_token"] != _grant(shared).json()["access_token"]


@pytest.mark.parametrize(
    ("auth", "form"),
    [
        (("sandbox-client", "wrong"), {}),
        (("nobody", "sandbox-secret"), {}),
        (None, {"client_id": "sandbox-client", "client_secret": "wrong"}),
        (None, {}),
    ],
)
def test_wrong_client_is_401_invalid_client(
    shared: SandboxURL, auth: tuple[str, str] | None, form: dict[str, str]
) -> None:
    response = requests.post(
        shared.token_url,
        data={"grant_type": "client_credentials", **form},
        auth=auth,
        timeout=TIMEOUT,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_other_grant_types_are_400(shared: SandboxURL) -> None:
    response = requests.post(
        shared.token_url,
        data={"grant_type": "authorization_code", "code": "c"},
        auth=(shared.client_id, shared.client_secret),
        timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    assert "client_credentials, password" in response.json()["error_description"]
    missing = requests.post(
        shared.token_url, data={}, auth=(shared.client_id, shared.client_secret), timeout=TIMEOUT
    )
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"


def test_scope_can_be_narrowed_but_not_widened(shared: SandboxURL) -> None:
    public = _grant(shared, scope="public").json()
    assert public["scope"] == "public"
    with Api(shared, public["access_token"]) as session:
        assert session.get(session.url).status_code == 200
        shop = f"{shared.base_url}/v1/shops/{shared.shop_id}.json"
        assert session.get(shop).status_code == 403
    widened = _grant(shared, scope="admin superuser")
    assert widened.status_code == 400
    assert widened.json()["error"] == "invalid_scope"


def test_only_post_is_allowed(shared: SandboxURL) -> None:
    response = requests.get(shared.token_url, timeout=TIMEOUT)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


@pytest.mark.bootic_sandbox(orders=10, token_lifetime=0)
def test_tokens_expire_after_their_lifetime(bootic_sandbox: SandboxURL) -> None:
    # A zero lifetime makes the token expired at once: no waiting needed to test a refresh.
    body = _grant(bootic_sandbox).json()
    assert body["expires_in"] == 0
    response = requests.get(
        bootic_sandbox, headers={"Authorization": f"Bearer {body['access_token']}"}, timeout=TIMEOUT
    )
    assert response.status_code == 401
    assert response.json() == {"_class": ["errors"], "message": "The access token has expired"}
    # the client can always get a fresh one
    assert _grant(bootic_sandbox).status_code == 200


@pytest.mark.bootic_sandbox(orders=10, token_lifetime=90)
def test_lifetime_is_configurable(bootic_sandbox: SandboxURL) -> None:
    assert _grant(bootic_sandbox).json()["expires_in"] == 90


def _password_grant(url: SandboxURL, **form: str) -> requests.Response:
    return requests.post(
        url.token_url,
        data={"grant_type": "password", **form},
        auth=(url.client_id, url.client_secret),
        timeout=TIMEOUT,
    )


def test_the_password_grant_gives_a_token_for_that_user(shared: SandboxURL) -> None:
    assert (shared.username, shared.password) == ("sandbox-owner", "sandbox-owner-password")
    response = _password_grant(shared, username=shared.username, password=shared.password)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "admin"
    with Api(shared, body["access_token"]) as session:
        assert session.doc(shared)["user_name"] == "sandbox-owner"
        assert session.doc(session.orders_url())["total_items"] == 300
    # the other ready-made user gets a token of their own, for their own shop
    other = _password_grant(
        shared, username="other-owner", password=shared.users["other-owner"], scope="public"
    ).json()
    assert other["scope"] == "public"
    with Api(shared, other["access_token"]) as session:
        root = session.doc(shared)
    assert root["user_name"] == "other-owner" and root["scopes"] == "public"
    assert [shop["id"] for shop in root["_embedded"]["shops"]] == [str(shared.other_shop_id)]


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"username": "sandbox-owner", "password": "wrong"}, 400, "invalid_grant"),
        ({"username": "nobody", "password": "sandbox-owner-password"}, 400, "invalid_grant"),
        ({"username": "sandbox-owner"}, 400, "invalid_request"),
        ({"password": "sandbox-owner-password"}, 400, "invalid_request"),
    ],
)
def test_the_password_grant_refuses_wrong_users(
    shared: SandboxURL, form: dict[str, str], status: int, error: str
) -> None:
    response = _password_grant(shared, **form)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert "sandbox-owner-password" not in response.text


def test_the_password_grant_needs_the_client_too(shared: SandboxURL) -> None:
    form = {"grant_type": "password", "username": shared.username, "password": shared.password}
    alone = requests.post(shared.token_url, data=form, timeout=TIMEOUT)
    assert alone.status_code == 401
    assert alone.json()["error"] == "invalid_client"
    in_form = requests.post(
        shared.token_url,
        data={**form, "client_id": shared.client_id, "client_secret": shared.client_secret},
        timeout=TIMEOUT,
    )
    assert in_form.status_code == 200


def test_a_token_request_beyond_the_body_limit_is_413(shared: SandboxURL) -> None:
    response = requests.post(
        shared.token_url,
        data={"grant_type": "client_credentials", "padding": "x" * (2 * 2**20)},
        auth=(shared.client_id, shared.client_secret),
        timeout=TIMEOUT,
    )
    assert response.status_code == 413
    assert response.json()["error"] == "invalid_request"
    assert "1048576 bytes" in response.json()["error_description"]
