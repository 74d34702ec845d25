"""The alternate layout: the same API under unrelated URLs and with the reference's variant
spellings, reached only by following links."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin

import pytest
import requests

from halnav.sandbox import SandboxURL, serve

from .conftest import TIMEOUT, Api, message_of

DOTTED = (
    "q,page,per_page,status,code,product_id,payment_method,tags,contact_email,created_on.gte,"
    "created_on.lte,updated_on.gte,updated_on.lte,pending_on.gte,pending_on.lte,closed_on.gte,"
    "closed_on.lte,shipped_on.gte,shipped_on.lte,net_total.gte,net_total.lte,shipping_total.gte,"
    "shipping_total.lte,discount_total.gte,discount_total.lte,total.gte,total.lte,lat_long,"
    "distance,sort,histogram"
)


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
        assert links["btc:create_order"]["href"].endswith("/purchases/new")
        # the update-orders seed page's own spelling of the rel
        assert "btc:update_orders" not in links
        assert links["btc:update-orders"]["href"].endswith("/bulk-status")
        assert session.get(f"{alternate.base_url}/v1").status_code == 404


def test_the_reference_variant_spellings(alternate: SandboxURL) -> None:
    with Api(alternate, alternate.token) as session:
        root = session.doc(alternate)
        embedded = root["_embedded"]["shops"][0]
        shop = session.doc(embedded["_links"]["self"]["href"])
    # the older root's curie
    assert root["_links"]["curies"] == [
        {"name": "btc", "href": "http://developers.bootic.net/rels/{rel}", "templated": True}
    ]
    assert shop["_links"]["curies"] == root["_links"]["curies"]
    # the documented root has no btc:shop template: the client must not need it
    assert "btc:shop" not in root["_links"]
    # the root's shops link their orders plainly, the shop page with a template of dotted names
    purchases = f"{embedded['_links']['self']['href']}/purchases"
    assert embedded["_links"]["btc:orders"] == {"href": purchases, "title": "Orders of this shop"}
    assert shop["_links"]["btc:orders"] == {
        "href": f"{purchases}{{?{DOTTED}}}",
        "templated": True,
        "title": "Orders of this shop",
    }
    # btc:order written with {id} but without templated: true, as the real API does
    assert shop["_links"]["btc:order"] == {
        "href": f"{alternate.base_url}/api/purchase-records/{{id}}",
        "title": "An order of this shop",
    }


def test_the_untemplated_order_link_answers_when_expanded(alternate: SandboxURL) -> None:
    with Api(alternate, alternate.token) as session:
        root = session.doc(alternate)
        shop = session.doc(root["_embedded"]["shops"][0]["_links"]["self"]["href"])
        href = shop["_links"]["btc:order"]["href"]
        order_id, code = alternate.order_ids[5], alternate.order_codes[5]
        by_id = session.doc(href.replace("{id}", str(order_id)))
        by_code = session.doc(href.replace("{id}", code))
    assert by_id == by_code
    assert by_id["id"] == order_id
    assert by_id["_links"]["self"]["href"] == f"{alternate.base_url}/api/purchase-records/{code}"


def test_the_dotted_template_names_are_taken(alternate: SandboxURL) -> None:
    with Api(alternate, alternate.token) as session:
        root = session.doc(alternate)
        orders = root["_embedded"]["shops"][0]["_links"]["btc:orders"]["href"]
        dotted = session.doc(orders, **{"created_on.gte": "2015-01-01", "total.lte": "60000"})
        plain = session.doc(orders, created_on_gte="2015-01-01", total_lte="60000")
    assert dotted["total_items"] == plain["total_items"] > 0
    assert dotted["_embedded"]["items"] == plain["_embedded"]["items"]


def test_everything_works_by_following_links(alternate: SandboxURL) -> None:
    token = requests.post(
        alternate.token_url,
        data={"grant_type": "client_credentials"},
        auth=(alternate.client_id, alternate.client_secret),
        timeout=TIMEOUT,
    ).json()["access_token"]
    with Api(alternate, token) as session:
        shop = session.doc(
            session.doc(alternate)["_embedded"]["shops"][0]["_links"]["self"]["href"]
        )
        orders_href = shop["_links"]["btc:orders"]["href"].split("{")[0]
        page = session.doc(orders_href, per_page=15, status="pending,closed")
        assert page["total_items"] > 0
        assert "next" in page["_links"] or page["total_items"] <= 15
        order = page["_embedded"]["items"][0]
        assert "/api/purchase-records/" in order["_links"]["self"]["href"]
        assert session.doc(order["_links"]["self"]["href"])["id"] == order["id"]
        assert order["_links"]["btc:web_cart"]["href"] == f"/web/basket/{order['code']}"
        cart = urljoin(order["_links"]["self"]["href"], order["_links"]["btc:web_cart"]["href"])
        assert requests.get(cart, timeout=TIMEOUT).status_code == 200
        checkout = order["_links"]["btc:web_checkout"]["href"]
        assert requests.get(checkout, timeout=TIMEOUT).status_code == 200
        events = session.doc(order["_links"]["btc:events"]["href"].split("{")[0])
        assert events["_embedded"]["items"][0]["to_status"] == "checkout"

        variant = order["_embedded"]["line_items"][0]["variant_id"]
        created = session.post(
            shop["_links"]["btc:create_order"]["href"],
            json={"line_items": [{"variant_id": variant, "units": 1}]},
        )
        assert created.status_code == 201
        new = created.json()
        assert created.headers["Location"] == new["_links"]["self"]["href"]

        updated = session.put(
            new["_links"]["btc:update_order"]["href"],
            json={"line_items": [{"variant_id": variant, "units": 3}]},
        )
        assert updated.json()["units"] == 3
        tracked = session.put(
            new["_links"]["btc:update_order_tracking"]["href"], json={"status": "pending"}
        )
        assert tracked.json()["status"] == "pending"
        bulk = session.post(
            shop["_links"]["btc:update-orders"]["href"],
            json={"ids": [new["id"], 1], "additions": {"status": "closed"}},
        ).json()
        assert [item["id"] for item in bulk["_embedded"]["valid_items"]] == [new["id"]]
        assert [item["id"] for item in bulk["_embedded"]["invalid_items"]] == [1]
        contacts = session.doc(shop["_links"]["btc:contacts"]["href"].split("{")[0])
        assert contacts["total_items"] > 0
        products = session.doc(shop["_links"]["btc:products"]["href"].split("{")[0])
        line = order["_embedded"]["line_items"][0]
        assert session.doc(line["_links"]["btc:product"]["href"])["id"] == line["product_id"]
        assert products["total_items"] == 30


def test_orders_of_other_owners_are_403_without_a_shop_in_the_url(alternate: SandboxURL) -> None:
    with Api(alternate, alternate.tokens["shop2_admin"]) as other:
        response = other.get(f"{alternate.base_url}/api/purchase-records/{alternate.order_ids[0]}")
        assert response.status_code == 403
        assert message_of(response) == f"Shop {alternate.shop_id} is not owned by other-owner"
        code = alternate.order_codes[0]
        tracking = other.put(
            f"{alternate.base_url}/api/purchase-records/{code}/shipping", json={"status": "invalid"}
        )
        assert tracking.status_code == 403
        assert other.get(f"{alternate.base_url}/api/purchase-records/1").status_code == 404


def test_unknown_layout_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown layout"), serve(orders=1, layout="nope"):
        pass
