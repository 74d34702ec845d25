"""The order entity: the seed page's shape with the real API's additions, its links, consistent
totals and dates, web pages."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from halnav.sandbox import TRANSITIONS, SandboxURL

from .conftest import TIMEOUT, Api

ORDER_KEYS = {
    "_class", "_links", "id", "shop_id", "code", "status", "currency_code", "net_total", "total",
    "units", "created_on", "updated_on", "pending_on", "closed_on", "shipped_on",
    "shipping_total", "shipping_discount", "shipping_description", "discount_total",
    "tracking_code", "courier_name", "shipped_email_sent", "closed_email_sent",
    "total_weight_in_grams", "tags", "allowed_statuses", "payment_info", "fulfillment",
    "_embedded",
}  # fmt: skip
LINE_KEYS = {
    "_links", "product_id", "product_title", "unit_price", "units", "discount_total",
    "net_total", "total", "product_weight_in_grams", "weight_in_grams", "variant_id",
    "variant_title", "variant_sku", "requested_units", "_embedded",
}  # fmt: skip
ADDRESS_KEYS = {
    "_class", "id", "street", "street_2", "locality_name", "region_name", "country_name",
    "postal_code", "country_code", "lat_long",
}  # fmt: skip
CONTACT_KEYS = {"_class", "id", "name", "email", "phone_number", "rut"}
PROMOTION_KEYS = {"_class", "id", "name", "discount", "discount_type", "free_shipping"}
STATUSES = {"checkout", "pending", "invalid", "closed", "shipped", "delivered"}
UTC_SECOND = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


@pytest.fixture(scope="module")
def orders(reader: Api) -> list[dict[str, Any]]:
    return reader.all_orders()


def test_order_shape(orders: list[dict[str, Any]], shared: SandboxURL) -> None:
    for order in orders:
        assert set(order) == ORDER_KEYS
        assert order["_class"] == ["order"]
        assert order["shop_id"] == shared.shop_id
        assert len(order["code"]) == 7 and order["code"].isalnum()
        assert order["id"] > 500_000
        assert order["currency_code"] == "CLP"
        assert order["status"] in STATUSES
        assert order["units"] == sum(li["units"] for li in order["_embedded"]["line_items"])
        assert isinstance(order["tags"], list) and all(isinstance(t, str) for t in order["tags"])
        assert set(order["payment_info"]) == {"type", "name", "auth_code", "transaction_id"}
        assert order["fulfillment"]["fulfillment_method"] in ("shipping", "pickup")
        embedded = order["_embedded"]
        # an absent address or promotion is left out, not null
        assert {"contact", "discounts", "line_items"} <= set(embedded)
        assert set(embedded) <= {"address", "contact", "promotion", "discounts", "line_items"}
        assert None not in (embedded.get("address", {}), embedded.get("promotion", {}))
        if "address" in embedded:
            assert set(embedded["address"]) == ADDRESS_KEYS
            assert embedded["address"]["_class"] == ["address"]
        if embedded["contact"] is not None:
            assert set(embedded["contact"]) == CONTACT_KEYS
            assert embedded["contact"]["_class"] == ["contact"]
        if "promotion" in embedded:
            assert set(embedded["promotion"]) == PROMOTION_KEYS
            assert embedded["promotion"]["_class"] == ["promotion"]
        assert embedded["line_items"]
        for line in embedded["line_items"]:
            assert set(line) == LINE_KEYS
            assert set(line["_embedded"]) == {"discounts", "image"}
            image = line["_embedded"]["image"]
            assert image["class"] == ["image", "asset"]
            assert set(image["links"]) == {"thumbnail", "small", "medium", "large", "original"}


def test_dates_are_utc_to_the_second_with_z(orders: list[dict[str, Any]]) -> None:
    for order in orders:
        for name in ("created_on", "updated_on", "pending_on", "closed_on", "shipped_on"):
            assert order[name] is None or UTC_SECOND.fullmatch(order[name]), order[name]


def test_allowed_statuses_are_the_transitions_from_the_status(
    orders: list[dict[str, Any]],
) -> None:
    for order in orders:
        assert order["allowed_statuses"] == list(TRANSITIONS[order["status"]])


def test_the_data_is_varied(orders: list[dict[str, Any]]) -> None:
    embedded = [o["_embedded"] for o in orders]
    assert {o["status"] for o in orders} == STATUSES
    assert any("promotion" in e for e in embedded) and any("promotion" not in e for e in embedded)
    assert any(e["discounts"] for e in embedded)
    located = [e for e in embedded if "address" in e and e["address"]["lat_long"]]
    assert len(located) > len(orders) / 2  # "lat_long for most orders"
    assert any(len(e["line_items"]) > 1 for e in embedded)
    assert len({e["contact"]["email"] for e in embedded if e["contact"]}) > 50
    assert any(o["tags"] for o in orders) and any(not o["tags"] for o in orders)
    assert any(o["shipping_discount"] for o in orders)


def test_a_waived_shipping_is_a_free_shipping_promotion(orders: list[dict[str, Any]]) -> None:
    for order in orders:
        if order["shipping_discount"]:
            assert order["_embedded"]["promotion"]["free_shipping"] is True
            assert order["shipping_total"] == 0
            assert "address" in order["_embedded"]


def test_totals_add_up(orders: list[dict[str, Any]]) -> None:
    for order in orders:
        lines = order["_embedded"]["line_items"]
        for line in lines:
            assert line["net_total"] == line["unit_price"] * line["units"]
            assert line["total"] == line["net_total"] - line["discount_total"]
            assert line["weight_in_grams"] == line["product_weight_in_grams"] * line["units"]
            assert line["discount_total"] == sum(
                d["amount"] for d in line["_embedded"]["discounts"]
            )
        assert order["net_total"] == sum(line["net_total"] for line in lines)
        assert order["discount_total"] == sum(line["discount_total"] for line in lines) + sum(
            d["amount"] for d in order["_embedded"]["discounts"]
        )
        assert order["total"] == (
            order["net_total"] + order["shipping_total"] - order["discount_total"]
        )
        assert order["total_weight_in_grams"] == sum(line["weight_in_grams"] for line in lines)


def test_dates_are_consistent_with_the_status(orders: list[dict[str, Any]]) -> None:
    for order in orders:
        status = order["status"]
        if status in ("pending", "closed", "shipped", "delivered"):
            assert order["pending_on"] is not None
        if status in ("closed", "shipped", "delivered"):
            assert order["created_on"] <= order["pending_on"] <= order["closed_on"]
            assert order["closed_email_sent"] is True
        else:
            assert order["closed_on"] is None
        if status in ("shipped", "delivered"):
            assert order["closed_on"] <= order["shipped_on"]
            assert order["shipped_email_sent"] is True
        else:
            assert order["shipped_on"] is None
        if status == "checkout":
            assert order["pending_on"] is None
        dates = [order[k] for k in ("created_on", "pending_on", "closed_on", "shipped_on")]
        assert order["updated_on"] >= max(d for d in dates if d)


def test_order_links(orders: list[dict[str, Any]], reader: Api, shared: SandboxURL) -> None:
    order = next(o for o in orders if o["status"] != "checkout")
    links = order["_links"]
    base = f"{shared.base_url}/v1/shops/{shared.shop_id}/orders/{order['code']}"
    assert links["self"] == {"href": base}  # by code, as the real API addresses orders
    assert "shop" not in links
    assert "btc:update_order" not in links  # only orders in checkout can be updated
    assert links["btc:update_order_tracking"] == {
        "href": f"{base}/tracking",
        "method": "put",
        "title": "Update order tracking and status",
    }
    assert links["btc:events"]["href"] == f"{base}/events{{?page,per_page}}"
    assert links["btc:events"]["templated"] is True
    port = urlsplit(shared.base_url).port
    assert links["btc:web_checkout"]["href"] == (
        f"http://localhost:{port}/checkout/orders/{order['code']}"
    )
    assert links["btc:web_cart"]["href"] == f"/cart/{order['code']}"  # relative, as the real one
    for rel in ("btc:web_checkout", "btc:web_cart"):
        assert links[rel]["type"] == "text/html"
    # the checkout page is on another origin than the API's
    assert urlsplit(links["btc:web_checkout"]["href"]).netloc != urlsplit(shared.base_url).netloc
    single = reader.doc(links["self"]["href"])
    assert single["_links"]["curies"][0]["href"] == "https://api.bootic.net/rels/{rel}"
    assert {k: v for k, v in single["_links"].items() if k != "curies"} == links
    assert {k: v for k, v in single.items() if k != "_links"} == {
        k: v for k, v in order.items() if k != "_links"
    }


def test_only_orders_in_checkout_have_update_order(orders: list[dict[str, Any]]) -> None:
    for order in orders:
        link = order["_links"].get("btc:update_order")
        if order["status"] == "checkout":
            assert link == {
                "href": order["_links"]["self"]["href"],
                "method": "put",
                "title": "Update this order's items, contact and address",
            }
        else:
            assert link is None


def test_an_order_answers_by_code_by_id_and_by_id_json(
    reader: Api, orders: list[dict[str, Any]], shared: SandboxURL
) -> None:
    order = orders[3]
    base = f"{shared.base_url}/v1/shops/{shared.shop_id}/orders"
    by_code = reader.doc(reader.order_url(order["code"]))
    assert by_code["id"] == order["id"]
    assert reader.doc(f"{base}/{order['code'].lower()}") == by_code
    assert reader.doc(f"{base}/{order['id']}") == by_code
    assert reader.doc(f"{base}/{order['id']}.json") == by_code  # the orders seed page's form


def test_web_pages_are_html_without_auth(orders: list[dict[str, Any]], shared: SandboxURL) -> None:
    cart = urljoin(shared.base_url, orders[0]["_links"]["btc:web_cart"]["href"])
    for href in (orders[0]["_links"]["btc:web_checkout"]["href"], cart):
        response = requests.get(href, timeout=TIMEOUT)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert orders[0]["code"] in response.text
    missing = requests.get(cart[:-7] + "RNOPE00", timeout=TIMEOUT)
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "text/html; charset=utf-8"


def test_web_checkout_swaps_to_loopback_ip_when_asked_on_localhost(shared: SandboxURL) -> None:
    port = urlsplit(shared.base_url).port
    with Api(shared, shared.token) as session:
        orders = session.doc(f"http://localhost:{port}/v1/shops/{shared.shop_id}/orders.json")
    href = orders["_embedded"]["items"][0]["_links"]["btc:web_checkout"]["href"]
    assert href.startswith(f"http://127.0.0.1:{port}/checkout/orders/")
