"""The alternate layout: the same API under unrelated URLs, reached only by following links."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from halnav.sandbox import SandboxURL, serve

from .conftest import TIMEOUT, Api, errors_of


@pytest.fixture(scope="module")
def alternate() -> Iterator[SandboxURL]:
    with serve(orders=40, layout="alternate") as url:
        yield url


def test_urls_are_unrelated_to_the_default_ones(alternate: SandboxURL) -> None:
    assert alternate == f"{alternate.base_url}/api/entry"
    assert alternate.token_url == f"{alternate.base_url}/api/oauth2/token"
    with Api(alternate, alternate.token) as session:
        root = session.doc(alternate)
        shop = root["_embedded"]["shops"][0]
        links = shop["_links"]
        assert links["self"]["href"] == f"{alternate.base_url}/api/stores/{alternate.shop_id}"
        assert links["btc:orders"]["href"].startswith(f"{links['self']['href']}/purchases{{?q,")
        assert links["btc:order"]["href"] == f"{alternate.base_url}/api/purchase-records/{{id}}"
        assert links["btc:create_order"]["href"].endswith("/purchases/new")
        # the update-orders seed page's own spelling of the rel
        assert "btc:update_orders" not in links
        assert links["btc:update-orders"]["href"].endswith("/bulk-status")
        assert session.get(f"{alternate.base_url}/v1").status_code == 404


def test_everything_works_by_following_links(alternate: SandboxURL) -> None:
    token = requests.post(
        alternate.token_url,
        data={"grant_type": "client_credentials"},
        auth=(alternate.client_id, alternate.client_secret),
        timeout=TIMEOUT,
    ).json()["access_token"]
    with Api(alternate, token) as session:
        shop = session.doc(session.doc(alternate)["_links"]["btc:shop"]["href"].replace(
            "{id}", str(alternate.shop_id)
        ))  # fmt: skip
        orders_href = shop["_links"]["btc:orders"]["href"].split("{")[0]
        page = session.doc(orders_href, per_page=15, status="pending,closed")
        assert page["total_items"] > 0
        assert "next" in page["_links"] or page["total_items"] <= 15
        order = page["_embedded"]["items"][0]
        assert "/api/purchase-records/" in order["_links"]["self"]["href"]
        assert session.doc(order["_links"]["self"]["href"])["id"] == order["id"]
        assert "/web/basket/" in order["_links"]["btc:web_cart"]["href"]
        assert (
            requests.get(order["_links"]["btc:web_checkout"]["href"], timeout=TIMEOUT).status_code
            == 200
        )

        variant = order["_embedded"]["line_items"][0]["variant_id"]
        created = session.post(
            shop["_links"]["btc:create_order"]["href"],
            json={"line_items": [{"variant_id": variant, "units": 1}]},
        )
        assert created.status_code == 201
        new = created.json()
        assert created.headers["Location"] == new["_links"]["self"]["href"]

        updated = session.put(new["_links"]["btc:update_order"]["href"], json={"status": "pending"})
        assert updated.json()["status"] == "pending"
        bulk = session.post(
            shop["_links"]["btc:update-orders"]["href"],
            json={"ids": [new["id"], 1], "additions": {"status": "closed"}},
        ).json()
        assert [item["id"] for item in bulk["_embedded"]["valid_items"]] == [new["id"]]
        assert [item["id"] for item in bulk["_embedded"]["invalid_items"]] == [1]


def test_orders_of_other_owners_are_403_without_a_shop_in_the_url(alternate: SandboxURL) -> None:
    with Api(alternate, alternate.tokens["shop2_admin"]) as other:
        response = other.get(f"{alternate.base_url}/api/purchase-records/{alternate.order_ids[0]}")
        assert response.status_code == 403
        assert "shop_id" in errors_of(response)
        assert other.get(f"{alternate.base_url}/api/purchase-records/1").status_code == 404


def test_unknown_layout_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown layout"), serve(orders=1, layout="nope"):
        pass
