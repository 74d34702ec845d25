"""The order entity: the seed page's shape, its links, consistent totals and dates, web pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from halnav.sandbox import SandboxURL

from .conftest import TIMEOUT, Api

ORDER_KEYS = {
    "_links", "id", "shop_id", "code", "status", "net_total", "total", "created_on",
    "updated_on", "pending_on", "closed_on", "shipped_on", "shipping_total",
    "shipping_description", "discount_total", "tracking_code", "courier_name",
    "shipped_email_sent", "closed_email_sent", "total_weight_in_grams", "payment_info",
    "fulfillment", "_embedded",
}  # fmt: skip
LINE_KEYS = {
    "_links", "product_id", "product_title", "unit_price", "units", "discount_total",
    "net_total", "total", "product_weight_in_grams", "weight_in_grams", "variant_id",
    "variant_title", "variant_sku", "requested_units", "_embedded",
}  # fmt: skip
ADDRESS_KEYS = {
    "id", "street", "street_2", "locality_name", "region_name", "country_name", "postal_code",
    "country_code", "lat_long",
}  # fmt: skip


@pytest.fixture(scope="module")
def orders(reader: Api) -> list[dict[str, Any]]:
    return reader.all_orders()


def test_order_shape_is_the_seed_pages(orders: list[dict[str, Any]], shared: SandboxURL) -> None:
    for order in orders:
        assert set(order) == ORDER_KEYS
        assert order["shop_id"] == shared.shop_id
        assert len(order["code"]) == 7 and order["code"].isalnum()
        assert order["id"] > 500_000
        assert set(order["payment_info"]) == {"type", "name", "auth_code", "transaction_id"}
        assert order["fulfillment"]["fulfillment_method"] in ("shipping", "pickup")
        embedded = order["_embedded"]
        assert set(embedded) == {"address", "contact", "promotion", "discounts", "line_items"}
        if embedded["address"] is not None:
            assert set(embedded["address"]) == ADDRESS_KEYS
        if embedded["contact"] is not None:
            assert set(embedded["contact"]) == {"name", "email", "phone_number", "rut"}
        if embedded["promotion"] is not None:
            assert set(embedded["promotion"]) == {
                "name", "discount", "discount_type", "free_shipping"
            }  # fmt: skip
        assert embedded["line_items"]
        for line in embedded["line_items"]:
            assert set(line) == LINE_KEYS
            assert set(line["_embedded"]) == {"discounts", "image"}
            image = line["_embedded"]["image"]
            assert image["class"] == ["image", "asset"]
            assert set(image["links"]) == {"thumbnail", "small", "medium", "large", "original"}


def test_the_data_is_varied(orders: list[dict[str, Any]]) -> None:
    embedded = [o["_embedded"] for o in orders]
    assert {o["status"] for o in orders} == {"checkout", "pending", "closed", "shipped", "invalid"}
    assert any(e["promotion"] for e in embedded) and any(not e["promotion"] for e in embedded)
    assert any(e["discounts"] for e in embedded)
    located = [e for e in embedded if e["address"] and e["address"]["lat_long"]]
    assert len(located) > len(orders) / 2  # "lat_long for most orders"
    assert any(len(e["line_items"]) > 1 for e in embedded)
    assert len({e["contact"]["email"] for e in embedded if e["contact"]}) > 50


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
        if status in ("pending", "closed", "shipped"):
            assert order["pending_on"] is not None
        if status in ("closed", "shipped"):
            assert order["created_on"] <= order["pending_on"] <= order["closed_on"]
            assert order["closed_email_sent"] is True
        else:
            assert order["closed_on"] is None
        if status == "shipped":
            assert order["closed_on"] <= order["shipped_on"]
            assert order["shipped_email_sent"] is True
        else:
            assert order["shipped_on"] is None
        if status == "checkout":
            assert order["pending_on"] is None
        dates = [order[k] for k in ("created_on", "pending_on", "closed_on", "shipped_on")]
        assert order["updated_on"] >= max(d for d in dates if d)


def test_order_links(orders: list[dict[str, Any]], reader: Api, shared: SandboxURL) -> None:
    order = orders[0]
    links = order["_links"]
    base = f"{shared.base_url}/v1/shops/{shared.shop_id}"
    assert links["self"] == {"href": f"{base}/orders/{order['id']}.json"}
    assert links["shop"] == {"href": f"{base}.json"}
    assert links["btc:update_order"] == {"href": links["self"]["href"], "method": "put"}
    port = urlsplit(shared.base_url).port
    assert links["btc:web_checkout"]["href"] == (
        f"http://localhost:{port}/checkout/orders/{order['code']}"
    )
    assert links["btc:web_cart"]["href"] == f"http://localhost:{port}/cart/{order['code']}"
    for rel in ("btc:web_checkout", "btc:web_cart"):
        assert links[rel]["type"] == "text/html"
        # another origin than the API's
        assert urlsplit(links[rel]["href"]).netloc != urlsplit(shared.base_url).netloc
    single = reader.doc(links["self"]["href"])
    assert {k: v for k, v in single["_links"].items() if k != "curies"} == links
    assert {k: v for k, v in single.items() if k != "_links"} == {
        k: v for k, v in order.items() if k != "_links"
    }


def test_order_template_of_the_shop(reader: Api, orders: list[dict[str, Any]]) -> None:
    template = reader.shop()["_links"]["btc:order"]["href"]
    assert reader.doc(template.replace("{id}", str(orders[3]["id"])))["code"] == orders[3]["code"]


def test_web_pages_are_html_without_auth(orders: list[dict[str, Any]]) -> None:
    for rel in ("btc:web_checkout", "btc:web_cart"):
        response = requests.get(orders[0]["_links"][rel]["href"], timeout=TIMEOUT)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert orders[0]["code"] in response.text
    missing = requests.get(
        orders[0]["_links"]["btc:web_cart"]["href"][:-7] + "RNOPE00", timeout=TIMEOUT
    )
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "text/html; charset=utf-8"


def test_web_links_swap_to_loopback_ip_when_asked_on_localhost(shared: SandboxURL) -> None:
    port = urlsplit(shared.base_url).port
    with Api(shared, shared.token) as session:
        orders = session.doc(f"http://localhost:{port}/v1/shops/{shared.shop_id}/orders.json")
    href = orders["_embedded"]["items"][0]["_links"]["btc:web_cart"]["href"]
    assert href.startswith(f"http://127.0.0.1:{port}/cart/")
