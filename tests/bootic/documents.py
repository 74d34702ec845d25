"""Bootic documents for the tests that run without a server (served by ``responses``)."""

from __future__ import annotations

from typing import Any

from responses import matchers

from halnav import Client, Resource
from halnav.bootic import Shop

API = "http://127.0.0.1:9"
ROOT = f"{API}/v1"
CURIES = [{"name": "btc", "href": "https://developers.bootic.net/rels/{rel}", "templated": True}]
ORDERS_TEMPLATE = (
    "/v1/shops/1/orders.json{?q,page,per_page,status,code,product_id,payment_method,"
    "created_on_gte,created_on_lte,updated_on_gte,updated_on_lte,pending_on_gte,pending_on_lte,"
    "closed_on_gte,closed_on_lte,shipped_on_gte,shipped_on_lte,net_total_gte,net_total_lte,"
    "shipping_total_gte,shipping_total_lte,discount_total_gte,discount_total_lte,total_gte,"
    "total_lte,lat_long,distance,sort}"
)
ORDERS_URL = f"{ROOT}/shops/1/orders.json"
CREATE_URL = f"{ROOT}/shops/1/orders"
UPDATERS_URL = f"{ROOT}/shops/1/orders/updaters.json"


def shop_document(update_rel: str = "btc:update_orders") -> dict[str, Any]:
    """A shop with the three order relations (the bulk one spelled ``update_rel``)."""
    return {
        "_links": {
            "curies": CURIES,
            "self": {"href": "/v1/shops/1.json"},
            "btc:orders": {"href": ORDERS_TEMPLATE, "templated": True},
            "btc:create_order": {"href": "/v1/shops/1/orders", "method": "post"},
            update_rel: {"href": "/v1/shops/1/orders/updaters.json", "method": "post"},
        },
        "id": 1,
        "subdomain": "acme",
    }


def order_document(order_id: int, status: str = "shipped", **extra: Any) -> dict[str, Any]:
    """A minimal order entity."""
    return {
        "_links": {"self": {"href": f"/v1/shops/1/orders/{order_id}.json"}},
        "id": order_id,
        "code": f"C{order_id}",
        "status": status,
        **extra,
    }


def make_shop(document: dict[str, Any] | None = None) -> Shop:
    """A :class:`Shop` as if fetched from ``/v1/shops/1.json``, made without any request."""
    client = Client(ROOT, token="secret-token", retries=0)
    resource = Resource(
        document or shop_document(), url=f"{ROOT}/shops/1.json", client=client, status_code=200
    )
    return resource.cast(Shop)


def unfiltered_page(**extra: Any) -> dict[str, Any]:
    """The first page of every order, as a server that declares no search form answers it:
    what ``Shop.orders`` reads once before it sends a first filtered query."""
    return {
        "_links": {"self": {"href": ORDERS_URL}},
        "total_items": 0,
        "per_page": 30,
        "page": 1,
        "_embedded": {"items": []},
        **extra,
    }


def serve_unfiltered(rsps: Any, url: str = ORDERS_URL, **extra: Any) -> None:
    """Answer the unfiltered first page (a GET of ``url`` without any query)."""
    rsps.get(url, match=[matchers.query_param_matcher({})], json=unfiltered_page(**extra))
