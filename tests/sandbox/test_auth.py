"""Bearer tokens and scopes: 401 for missing, unknown or expired tokens, 403 and 404 for shops."""

from __future__ import annotations

import pytest
import requests

from halnav.sandbox import SandboxURL

from .conftest import TIMEOUT, Api, message_of

CHALLENGE = 'Bearer realm="bootic", error="invalid_token"'


def _endpoints(url: SandboxURL) -> list[str]:
    base = f"{url.base_url}/v1/shops/{url.shop_id}"
    order_id, code = url.order_ids[0], url.order_codes[0]
    return [
        str(url),
        f"{base}.json",
        f"{base}/orders.json",
        f"{base}/orders/{order_id}.json",
        f"{base}/orders/{code}",
        f"{base}/orders/{code}/events",
        f"{base}/contacts",
    ]


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
        assert "Authorization" in message_of(response) or "not valid" in message_of(response)
        assert "X-OAuth-Scopes" not in response.headers


def test_expired_token_is_401(shared: SandboxURL) -> None:
    response = requests.get(
        shared,
        headers={"Authorization": f"Bearer {shared.tokens['shop1_expired']}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == CHALLENGE
    assert message_of(response) == "The access token has expired"


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
            assert message_of(response) == (
                "This endpoint requires the admin scope (token has: public)"
            )
            assert response.headers["X-OAuth-Scopes"] == "public"
        posted = public.post(f"{shared.base_url}/v1/shops/{shared.shop_id}/orders", json={})
        assert posted.status_code == 403


def test_shop_of_another_user_is_403(shared: SandboxURL) -> None:
    with Api(shared, shared.tokens["shop2_admin"]) as other:
        base = f"{shared.base_url}/v1/shops/{shared.shop_id}"
        for href in _endpoints(shared)[1:]:
            response = other.get(href)
            assert response.status_code == 403, href
            assert message_of(response) == f"Shop {shared.shop_id} is not owned by other-owner"
            assert response.headers["X-OAuth-Scopes"] == "admin"
        updaters = other.post(f"{base}/orders/updaters.json", json={"ids": [], "additions": {}})
        assert updaters.status_code == 403


def test_unknown_shop_and_order_are_404(reader: Api, shared: SandboxURL) -> None:
    shop = reader.get(f"{shared.base_url}/v1/shops/999.json")
    assert shop.status_code == 404
    assert message_of(shop) == "Shop 999 does not exist"
    assert reader.get(f"{shared.base_url}/v1/shops/999/orders.json").status_code == 404
    base = f"{shared.base_url}/v1/shops/{shared.shop_id}/orders"
    for ref in ("1.json", "1", "RNOPE00", "99999999999999999999"):
        missing = reader.get(f"{base}/{ref}")
        assert missing.status_code == 404, ref
        number = ref.removesuffix(".json")
        assert message_of(missing) == f"Order {number} does not exist in shop {shared.shop_id}"


def test_order_of_the_other_shop_is_not_found_under_this_shop(shared: SandboxURL) -> None:
    other_order = shared.db.query(
        "SELECT id FROM orders WHERE shop_id = ? LIMIT 1", (shared.other_shop_id,)
    )[0][0]
    with Api(shared, shared.token) as session:
        response = session.get(
            f"{shared.base_url}/v1/shops/{shared.shop_id}/orders/{other_order}.json"
        )
    assert response.status_code == 404


def test_a_public_token_sees_only_the_public_face_of_its_shops(shared: SandboxURL) -> None:
    # The shop page refuses a public token (403): the root must not show it what that page
    # would, such as the shop's contact email or the links to its orders.
    with Api(shared, shared.tokens["shop1_public"]) as public:
        root = public.doc(shared)
        assert public.get(f"{shared.base_url}/v1/shops/{shared.shop_id}.json").status_code == 403
    (shop,) = root["_embedded"]["shops"]
    assert "contact_email" not in shop and "created_on" not in shop
    assert set(shop["_links"]) == {"btc:products"}
    assert shop["id"] == str(shared.shop_id) and shop["name"] == "Sandbox Shoes & Wine"
    # what it shows, it may follow
    with Api(shared, shared.tokens["shop1_public"]) as public:
        href = shop["_links"]["btc:products"]["href"].split("{")[0]
        assert public.doc(href)["total_items"] == 30
    # an admin token of the same user sees the whole shop
    with Api(shared, shared.token) as admin:
        full = admin.doc(shared)["_embedded"]["shops"][0]
    assert full["contact_email"] == "owner@example.com"
    assert "btc:orders" in full["_links"]
