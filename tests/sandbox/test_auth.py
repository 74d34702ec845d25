"""Bearer tokens and scopes: 401 for missing, unknown or expired tokens, 403 and 404 for shops."""

from __future__ import annotations

import pytest
import requests

from halnav.sandbox import SandboxURL

from .conftest import TIMEOUT, Api, errors_of

CHALLENGE = 'Bearer realm="bootic", error="invalid_token"'


def _endpoints(url: SandboxURL) -> list[str]:
    base = f"{url.base_url}/v1/shops/{url.shop_id}"
    order_id = url.order_ids[0]
    return [str(url), f"{base}.json", f"{base}/orders.json", f"{base}/orders/{order_id}.json"]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer nope", "Bearer ", "Basic c2FuZGJveDpzZWNyZXQ=", "sandbox-shop1-admin-token"],
)
def test_missing_or_bad_token_is_401(shared: SandboxURL, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    for href in _endpoints(shared):
        response = requests.get(href, headers=headers, timeout=TIMEOUT)
        assert response.status_code == 401, href
        assert response.headers["WWW-Authenticate"] == CHALLENGE
        assert "access_token" in errors_of(response)
        assert "X-OAuth-Scopes" not in response.headers


def test_expired_token_is_401(shared: SandboxURL) -> None:
    response = requests.get(
        shared,
        headers={"Authorization": f"Bearer {shared.tokens['shop1_expired']}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == CHALLENGE
    assert errors_of(response)["access_token"] == ["The access token has expired"]


def test_scheme_is_case_insensitive(shared: SandboxURL) -> None:
    response = requests.get(
        shared, headers={"Authorization": f"bearer {shared.token}"}, timeout=TIMEOUT
    )
    assert response.status_code == 200


def test_token_without_admin_reads_root_but_not_shops(shared: SandboxURL) -> None:
    with Api(shared, shared.tokens["shop1_public"]) as public:
        root = public.get(shared)
        assert root.status_code == 200
        assert root.json()["scopes"] == "public"
        assert root.headers["X-OAuth-Scopes"] == "public"
        for href in _endpoints(shared)[1:]:
            response = public.get(href)
            assert response.status_code == 403, href
            assert "admin" in errors_of(response)["scope"][0]
            assert response.headers["X-OAuth-Scopes"] == "public"
        posted = public.post(f"{shared.base_url}/v1/shops/{shared.shop_id}/orders", json={})
        assert posted.status_code == 403


def test_shop_of_another_user_is_403(shared: SandboxURL) -> None:
    with Api(shared, shared.tokens["shop2_admin"]) as other:
        base = f"{shared.base_url}/v1/shops/{shared.shop_id}"
        for href in (
            f"{base}.json",
            f"{base}/orders.json",
            f"{base}/orders/{shared.order_ids[0]}.json",
        ):
            response = other.get(href)
            assert response.status_code == 403, href
            assert errors_of(response)["shop_id"] == [
                f"Shop {shared.shop_id} is not owned by other-owner"
            ]
            assert response.headers["X-OAuth-Scopes"] == "admin"
        updaters = other.post(f"{base}/orders/updaters.json", json={"ids": [], "additions": {}})
        assert updaters.status_code == 403


def test_unknown_shop_and_order_are_404(reader: Api, shared: SandboxURL) -> None:
    assert "shop_id" in errors_of(reader.get(f"{shared.base_url}/v1/shops/999.json"))
    assert reader.get(f"{shared.base_url}/v1/shops/999/orders.json").status_code == 404
    missing = reader.get(f"{shared.base_url}/v1/shops/{shared.shop_id}/orders/1.json")
    assert missing.status_code == 404
    assert errors_of(missing)["id"] == [f"Order 1 does not exist in shop {shared.shop_id}"]


def test_order_of_the_other_shop_is_not_found_under_this_shop(shared: SandboxURL) -> None:
    other_order = shared.db.query(
        "SELECT id FROM orders WHERE shop_id = ? LIMIT 1", (shared.other_shop_id,)
    )[0][0]
    with Api(shared, shared.token) as session:
        response = session.get(
            f"{shared.base_url}/v1/shops/{shared.shop_id}/orders/{other_order}.json"
        )
    assert response.status_code == 404
