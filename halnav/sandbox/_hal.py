"""Rendering: database rows to HAL documents in the seed pages' exact shapes, and to JSON bytes.

The sandbox renders HAL by itself (it imports nothing from halnav's client), so that a client test
against it proves something. All links are absolute, built from the request's origin by
:class:`~halnav.sandbox._layout.Urls`.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from ._auth import Grant
from ._filters import TEMPLATE_VARIABLES, OrderQuery
from ._layout import Layout, Urls
from ._store import Items, Row

Doc = dict[str, Any]

CURIES = [{"name": "btc", "href": "https://developers.bootic.net/rels/{rel}", "templated": True}]
DOCS_URL = "https://developers.bootic.net"
IMAGE_SIZES = ("thumbnail", "small", "medium", "large", "original")
ORDERS_TEMPLATE = "{?" + ",".join(TEMPLATE_VARIABLES) + "}"


# Documents are trees built here (never cyclic), so the encoder may skip its cycle check.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def _stdlib_dumps(doc: Doc) -> bytes:
    return _encode(doc).encode("utf-8")


try:  # the "speed" extra: ten times faster, and the same bytes for these documents
    from orjson import dumps as _orjson_dumps
except ImportError:  # pragma: no cover - depends on the environment
    _orjson_dumps = None


def dumps(doc: Doc) -> bytes:
    """Compact UTF-8 JSON in the documents' own key order, so output is byte-stable."""
    if _orjson_dumps is not None:
        return _orjson_dumps(doc)  # type: ignore[no-any-return]
    return _stdlib_dumps(doc)


def shop_doc(urls: Urls, layout: Layout, shop: Row, *, curies: bool = True) -> Doc:
    shop_id = shop["id"]
    links: Doc = {"curies": CURIES} if curies else {}
    links.update(
        {
            "self": {"href": urls("shop", shop_id=shop_id)},
            "btc:orders": {
                "href": urls("orders", shop_id=shop_id) + ORDERS_TEMPLATE,
                "templated": True,
            },
            "btc:order": {
                "href": urls("order", shop_id=shop_id, order_id="{id}"),
                "templated": True,
            },
            "btc:create_order": {"href": urls("create_order", shop_id=shop_id), "method": "post"},
            layout.update_orders_rel: {
                "href": urls("update_orders", shop_id=shop_id),
                "method": "post",
            },
        }
    )
    return {
        "_links": links,
        "id": shop_id,
        "name": shop["name"],
        "subdomain": shop["subdomain"],
        "url": shop["url"],
        "currency": shop["currency"],
        "contact_email": shop["contact_email"],
        "created_on": shop["created_on"],
    }


def root_doc(urls: Urls, layout: Layout, grant: Grant, shops: Sequence[Row]) -> Doc:
    return {
        "_links": {
            "curies": CURIES,
            "self": {"href": urls("root")},
            "btc:shop": {"href": urls("shop", shop_id="{id}"), "templated": True},
            "btc:docs": {"href": DOCS_URL, "type": "text/html", "title": "API documentation"},
        },
        "welcome": "Welcome to the Bootic sandbox (halnav)",
        "user_name": grant.user_name,
        "scopes": grant.scope_header,
        "_embedded": {"shops": [shop_doc(urls, layout, s, curies=False) for s in shops]},
    }


def _line_item(urls: Urls, shop_id: int, line: Row) -> Doc:
    (_, product_id, title, slug, unit_price, units, discount, description, net, total,
     product_weight, weight, variant_id, variant_title, sku, requested, image_id, image_file) = line  # fmt: skip
    return {
        "_links": {"product": {"href": urls.shared("product", shop_id=shop_id, slug=slug)}},
        "product_id": product_id,
        "product_title": title,
        "unit_price": unit_price,
        "units": units,
        "discount_total": discount,
        "net_total": net,
        "total": total,
        "product_weight_in_grams": product_weight,
        "weight_in_grams": weight,
        "variant_id": variant_id,
        "variant_title": variant_title,
        "variant_sku": sku,
        "requested_units": requested,
        "_embedded": {
            "discounts": (
                [{"class": ["discount"], "amount": discount, "description": description}]
                if discount
                else []
            ),
            "image": _image(shop_id, image_id, image_file),
        },
    }


@functools.lru_cache(maxsize=1024)
def _image(shop_id: int, image_id: int, file_name: str) -> Doc:
    """A product image, built once and shared by every line item showing it (never mutated)."""
    cdn = f"http://cdn.bootic.net/{shop_id}"
    return {
        "class": ["image", "asset"],
        "links": {size: {"href": f"{cdn}/{size}/{image_id}-{file_name}"} for size in IMAGE_SIZES},
        "file_name": file_name,
        "title": "",
    }


def order_doc(urls: Urls, row: Row, lines: Sequence[Row], *, curies: bool = False) -> Doc:
    """An order entity as on the orders seed page, plus the create page's ``btc:update_order``.

    ``row`` has the columns of ``_store.ORDER_COLUMNS``, unpacked by position: this runs for
    every order of every page, and a name lookup per column would double its cost.
    """
    (order_id, shop_id, code, status, net_total, total, created_on, updated_on, pending_on,
     closed_on, shipped_on, shipping_total, shipping_description, discount_total, tracking_code,
     courier_name, shipped_email_sent, closed_email_sent, total_weight, payment_type,
     payment_name, auth_code, transaction_id, fulfillment_method, coupon, coupon_description,
     address_id, street, street_2, locality_name, region_name, country_name, postal_code,
     country_code, lat, lng, contact_id, contact_name, contact_email, contact_phone, contact_rut,
     promotion_id, promotion_name, promotion_discount, promotion_discount_type,
     promotion_free_shipping) = row  # fmt: skip
    self_href = urls("order", shop_id=shop_id, order_id=order_id)
    links: Doc = {"curies": CURIES} if curies else {}
    links["self"] = {"href": self_href}
    links["shop"] = {"href": urls.shared("shop", shop_id=shop_id)}
    links["btc:web_checkout"] = {
        "href": urls.web("web_checkout", code),
        "type": "text/html",
        "title": "Web checkout page for this order",
    }
    links["btc:web_cart"] = {
        "href": urls.web("web_cart", code),
        "type": "text/html",
        "title": "Web cart page to manually edit this order",
    }
    links["btc:update_order"] = {"href": self_href, "method": "put"}
    return {
        "_links": links,
        "id": order_id,
        "shop_id": shop_id,
        "code": code,
        "status": status,
        "net_total": net_total,
        "total": total,
        "created_on": created_on,
        "updated_on": updated_on,
        "pending_on": pending_on,
        "closed_on": closed_on,
        "shipped_on": shipped_on,
        "shipping_total": shipping_total,
        "shipping_description": shipping_description,
        "discount_total": discount_total,
        "tracking_code": tracking_code,
        "courier_name": courier_name,
        "shipped_email_sent": bool(shipped_email_sent),
        "closed_email_sent": bool(closed_email_sent),
        "total_weight_in_grams": total_weight,
        "payment_info": {
            "type": payment_type,
            "name": payment_name,
            "auth_code": auth_code,
            "transaction_id": transaction_id,
        },
        "fulfillment": {"fulfillment_method": fulfillment_method},
        "_embedded": {
            "address": None
            if address_id is None
            else {
                "id": address_id,
                "street": street,
                "street_2": street_2,
                "locality_name": locality_name,
                "region_name": region_name,
                "country_name": country_name,
                "postal_code": postal_code,
                "country_code": country_code,
                "lat_long": None if lat is None else f"{lat:.6f},{lng:.6f}",
            },
            "contact": None
            if contact_id is None
            else {
                "name": contact_name,
                "email": contact_email,
                "phone_number": contact_phone,
                "rut": contact_rut,
            },
            "promotion": None
            if promotion_id is None
            else {
                "name": promotion_name,
                "discount": promotion_discount,
                "discount_type": promotion_discount_type,
                "free_shipping": bool(promotion_free_shipping),
            },
            "discounts": (
                [{"class": ["discount"], "amount": coupon, "description": coupon_description}]
                if coupon
                else []
            ),
            "line_items": [_line_item(urls, shop_id, line) for line in lines],
        },
    }


def orders_page_doc(
    urls: Urls,
    shop_id: int,
    query: OrderQuery,
    args: Sequence[tuple[str, str]],
    total: int,
    rows: Sequence[Row],
    items: Items,
) -> Doc:
    """The orders collection: ``total_items``, ``per_page``, ``page``, ``_embedded.items`` and the
    paging links, each keeping the request's filters (``next``/``prev`` only when they exist)."""
    base = urls("orders", shop_id=shop_id)
    kept = [(k, v) for k, v in args if k != "page" and v.strip() != ""]

    def page_link(page: int) -> Doc:
        return {"href": f"{base}?{urlencode([*kept, ('page', page)], safe=',:')}"}

    last = max(1, math.ceil(total / query.per_page))
    links: Doc = {"curies": CURIES, "self": page_link(query.page)}
    if query.page < last:
        links["next"] = page_link(query.page + 1)
    if query.page > 1:
        links["prev"] = page_link(query.page - 1)
    links["last"] = page_link(last)
    return {
        "_links": links,
        "total_items": total,
        "per_page": query.per_page,
        "page": query.page,
        "_embedded": {"items": [order_doc(urls, row, items[row["id"]]) for row in rows]},
    }


def product_doc(urls: Urls, product: Row, variants: Sequence[Row]) -> Doc:
    shop_id = product["shop_id"]
    return {
        "_links": {
            "curies": CURIES,
            "self": {"href": urls("product", shop_id=shop_id, slug=product["slug"])},
            "shop": {"href": urls("shop", shop_id=shop_id)},
        },
        "id": product["id"],
        "title": product["title"],
        "slug": product["slug"],
        "price": product["price"],
        "weight_in_grams": product["weight_in_grams"],
        "_embedded": {
            "variants": [
                {"id": v["id"], "title": v["title"], "sku": v["sku"], "price": product["price"]}
                for v in variants
            ]
        },
    }


def index_doc(urls: Urls) -> Doc:
    """The unauthenticated ``/``: where the API root and the token endpoint are."""
    return {
        "_links": {
            "self": {"href": urls("index")},
            "root": {"href": urls("root")},
            "token": {"href": urls("token")},
        },
        "name": "halnav Bootic sandbox",
    }
