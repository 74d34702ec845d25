"""Rendering: database rows to HAL documents in the real API's shapes, and to JSON bytes.

The sandbox renders HAL by itself (it imports nothing from halnav's client), so that a client test
against it proves something. API links are absolute, built from the request's origin by
:class:`~halnav.sandbox._layout.Urls` (the web cart's is relative, as the real API writes it).
Dates are stored as ``YYYY-MM-DDTHH:MM:SS`` (UTC) and rendered with a ``Z``.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from ._auth import Grant
from ._filters import (
    HISTOGRAM_INTERVALS,
    PARAMETERS,
    SORT_VALUES,
    STATUS_FILTER_VALUES,
    ListQuery,
    OrderQuery,
    template_variables,
)
from ._layout import Layout, Urls
from ._orders import TRANSITIONS
from ._store import Items, OrderStats, Row

Doc = dict[str, Any]

DOCS_URL = "https://developers.bootic.net"
IMAGE_SIZES = ("thumbnail", "small", "medium", "large", "original")
ALL_PRODUCTS_VARIABLES = "{?q,price.gte,price.lte,sort,page,per_page}"
SHOP_PRODUCTS_VARIABLES = "{?q,price.gte,price.lte,sort,page,per_page}"
CONTACTS_VARIABLES = "{?q,sort}"
EVENTS_VARIABLES = "{?page,per_page}"
FORM_TYPE = "application/x-www-form-urlencoded"

PROMPTS = {
    "q": "Search by code, contact name or email, or product title",
    "page": "Page",
    "per_page": "Orders per page",
    "status": "Status (comma-separated)",
    "code": "Order code",
    "product_id": "Product ID",
    "payment_method": "Payment method slug",
    "tags": "Tags (comma-separated, any of them)",
    "contact_email": "Contact email",
    "lat_long": "Shipping latitude,longitude",
    "distance": "Radius around lat_long",
    "sort": "Sort column and direction",
    "histogram": "Count by creation date interval",
}
_RANGE_PROMPTS = {"gte": "greater or equal", "lte": "less or equal"}
OPTIONS: dict[str, list[str]] = {
    "status": list(STATUS_FILTER_VALUES),
    "sort": list(SORT_VALUES),
    "histogram": list(HISTOGRAM_INTERVALS),
}
TRANSITIONS_DOC = {"status": {status: list(to) for status, to in TRANSITIONS.items()}}

# Documents are trees built here (never cyclic), so the encoder may skip its cycle check.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def _stdlib_dumps(doc: Doc) -> bytes:
    return _encode(doc).encode("utf-8")


_orjson_dumps: Callable[[Any], bytes] | None
try:  # the "speed" extra: ten times faster, and the same bytes for these documents
    from orjson import dumps as _orjson_dumps
except ImportError:  # pragma: no cover - depends on the environment
    _orjson_dumps = None


def dumps(doc: Doc) -> bytes:
    """Compact UTF-8 JSON in the documents' own key order, so output is byte-stable."""
    if _orjson_dumps is not None:
        return _orjson_dumps(doc)
    return _stdlib_dumps(doc)


def z(stamp: str | None) -> str | None:
    """A stored date as the API writes it: UTC, second precision, with ``Z``."""
    return None if stamp is None else stamp + "Z"


def curies(layout: Layout) -> list[Doc]:
    return [{"name": "btc", "href": layout.curie_href, "templated": True}]


def _prompt(name: str) -> str:
    if name in PROMPTS:
        return PROMPTS[name]
    column, _, bound = name.rpartition("_")
    return f"{column.replace('_', ' ').capitalize()}, {_RANGE_PROMPTS[bound]}"


# -- root and shops ---------------------------------------------------------------------------------


def shop_doc(urls: Urls, shop: Row, *, links_curies: bool = True, in_root: bool = False) -> Doc:
    """A shop as its owner with the admin scope sees it (``in_root``: as the root embeds it,
    whose ``btc:orders`` the alternate layout writes untemplated, as the documented root does)."""
    layout = urls.layout
    shop_id = shop["id"]
    orders = urls("orders", shop_id=shop_id)
    links: Doc = {"curies": curies(layout)} if links_curies else {}
    links["self"] = {"href": urls("shop", shop_id=shop_id), "title": "This shop"}
    if in_root and not layout.embedded_orders_templated:
        links["btc:orders"] = {"href": orders, "title": "Orders of this shop"}
    else:
        variables = ",".join(template_variables(layout.dotted_ranges))
        links["btc:orders"] = {
            "href": f"{orders}{{?{variables}}}",
            "templated": True,
            "title": "Orders of this shop",
        }
    order: Doc = {
        "href": urls("order", shop_id=shop_id, ref="{" + layout.order_variable + "}"),
        "title": "An order of this shop",
    }
    if layout.order_templated:
        order["templated"] = True
    links["btc:order"] = order
    links["btc:contacts"] = {
        "href": urls("contacts", shop_id=shop_id) + CONTACTS_VARIABLES,
        "templated": True,
        "title": "Contacts of this shop",
    }
    links["btc:products"] = _shop_products_link(urls, shop_id)
    links["btc:create_order"] = {
        "href": urls("create_order", shop_id=shop_id),
        "method": "post",
        "title": "Create an order",
    }
    links[layout.update_orders_rel] = {
        "href": urls("update_orders", shop_id=shop_id),
        "method": "post",
        "title": "Update the status of many orders",
    }
    return {
        "_class": ["shop"],
        "_links": links,
        **_public_shop_fields(shop),
        "contact_email": shop["contact_email"],
        "created_on": z(shop["created_on"]),
    }


def _shop_products_link(urls: Urls, shop_id: int) -> Doc:
    return {
        "href": urls("shop_products", shop_id=shop_id) + SHOP_PRODUCTS_VARIABLES,
        "templated": True,
        "title": "Products of this shop",
    }


def _public_shop_fields(shop: Row) -> Doc:
    return {
        "id": str(shop["id"]),
        "subdomain": shop["subdomain"],
        "name": shop["name"],
        "url": shop["url"],
        "currency_code": shop["currency_code"],
        "locale": shop["locale"],
        "description": shop["description"],
    }


def public_shop_doc(urls: Urls, shop: Row) -> Doc:
    """A shop as a token without the admin scope may see it: its public face and products."""
    return {
        "_class": ["shop"],
        "_links": {"btc:products": _shop_products_link(urls, shop["id"])},
        **_public_shop_fields(shop),
    }


def root_doc(urls: Urls, grant: Grant, user: Row, shops: Sequence[Row]) -> Doc:
    """The API root: the token's user, the catalogue's links and the user's shops (as much of
    each as the token may see)."""
    layout = urls.layout
    links: Doc = {"curies": curies(layout), "self": {"href": urls("root")}}
    if layout.root_shop_template:  # the sandbox's own; the documented root has none
        links["btc:shop"] = {"href": urls("shop", shop_id="{id}"), "templated": True}
    links["btc:all_products"] = {
        "href": urls("products") + ALL_PRODUCTS_VARIABLES,
        "templated": True,
        "title": "Products of all shops",
    }
    links["btc:product"] = {
        "href": urls("product", product_id="{id}"),
        "templated": True,
        "title": "A product",
    }
    links["btc:docs"] = {"href": DOCS_URL, "type": "text/html", "title": "API documentation"}
    if grant.is_admin:
        embedded = [shop_doc(urls, shop, links_curies=False, in_root=True) for shop in shops]
    else:
        embedded = [public_shop_doc(urls, shop) for shop in shops]
    return {
        "_class": ["root"],
        "_links": links,
        "welcome": "Welcome to the Bootic sandbox (halnav)",
        "uid": user["uid"],
        "email": user["email"],
        "user_name": user["user_name"],
        "role": user["role"],
        "provider": user["provider"],
        "last_logged_on": z(user["last_logged_on"]),
        "scopes": grant.scope_header,
        "_embedded": {"shops": embedded},
    }


# -- orders -----------------------------------------------------------------------------------------


def _line_item(urls: Urls, shop_id: int, line: Row) -> Doc:
    (_, product_id, title, slug, unit_price, units, discount, description, net, total,
     product_weight, weight, variant_id, variant_title, sku, requested, image_id, image_file) = line  # fmt: skip
    return {
        "_links": {
            "product": {"href": urls.shared("product_by_slug", shop_id=shop_id, slug=slug)},
            "btc:product": {"href": urls.shared("product", product_id=product_id)},
        },
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


def order_doc(urls: Urls, row: Row, lines: Sequence[Row], *, links_curies: bool = False) -> Doc:
    """An order entity: the orders seed page's, with the real API's additions and links.

    ``row`` has the columns of ``_store.ORDER_COLUMNS``, unpacked by position: this runs for
    every order of every page, and a name lookup per column would double its cost.
    """
    (order_id, shop_id, code, status, net_total, total, created_on, updated_on, pending_on,
     closed_on, shipped_on, shipping_total, shipping_description, discount_total, tracking_code,
     courier_name, shipped_email_sent, closed_email_sent, total_weight, payment_type,
     payment_name, auth_code, transaction_id, fulfillment_method, coupon, coupon_description,
     currency_code, shipping_discount, tags,
     address_id, street, street_2, locality_name, region_name, country_name, postal_code,
     country_code, lat, lng, contact_id, contact_name, contact_email, contact_phone, contact_rut,
     promotion_id, promotion_name, promotion_discount, promotion_discount_type,
     promotion_free_shipping) = row  # fmt: skip
    self_href = urls("order", shop_id=shop_id, ref=code)
    links: Doc = {"curies": curies(urls.layout)} if links_curies else {}
    links["self"] = {"href": self_href}
    links["btc:web_checkout"] = {
        "href": urls.web("web_checkout", code),
        "type": "text/html",
        "title": "Web checkout page for this order",
    }
    links["btc:web_cart"] = {
        "href": urls.relative("web_cart", code=code),
        "type": "text/html",
        "title": "Web cart page to manually edit this order",
    }
    links["btc:update_order_tracking"] = {
        "href": urls("tracking", shop_id=shop_id, ref=code),
        "method": "put",
        "title": "Update order tracking and status",
    }
    links["btc:events"] = {
        "href": urls("events", shop_id=shop_id, ref=code) + EVENTS_VARIABLES,
        "templated": True,
        "title": "Events of this order",
    }
    if status == "checkout":
        links["btc:update_order"] = {
            "href": self_href,
            "method": "put",
            "title": "Update this order's items, contact and address",
        }
    embedded: Doc = {}
    if address_id is not None:
        embedded["address"] = {
            "_class": ["address"],
            "id": address_id,
            "street": street,
            "street_2": street_2,
            "locality_name": locality_name,
            "region_name": region_name,
            "country_name": country_name,
            "postal_code": postal_code,
            "country_code": country_code,
            "lat_long": None if lat is None else f"{lat:.6f},{lng:.6f}",
        }
    embedded["contact"] = (
        None
        if contact_id is None
        else {
            "_class": ["contact"],
            "id": contact_id,
            "name": contact_name,
            "email": contact_email,
            "phone_number": contact_phone,
            "rut": contact_rut,
        }
    )
    if promotion_id is not None:
        embedded["promotion"] = {
            "_class": ["promotion"],
            "id": promotion_id,
            "name": promotion_name,
            "discount": promotion_discount,
            "discount_type": promotion_discount_type,
            "free_shipping": bool(promotion_free_shipping),
        }
    embedded["discounts"] = (
        [{"class": ["discount"], "amount": coupon, "description": coupon_description}]
        if coupon
        else []
    )
    embedded["line_items"] = [_line_item(urls, shop_id, line) for line in lines]
    return {
        "_class": ["order"],
        "_links": links,
        "id": order_id,
        "shop_id": shop_id,
        "code": code,
        "status": status,
        "currency_code": currency_code,
        "net_total": net_total,
        "total": total,
        "units": sum(line[5] for line in lines),
        "created_on": created_on + "Z",
        "updated_on": updated_on + "Z",
        "pending_on": z(pending_on),
        "closed_on": z(closed_on),
        "shipped_on": z(shipped_on),
        "shipping_total": shipping_total,
        "shipping_discount": shipping_discount,
        "shipping_description": shipping_description,
        "discount_total": discount_total,
        "tracking_code": tracking_code,
        "courier_name": courier_name,
        "shipped_email_sent": bool(shipped_email_sent),
        "closed_email_sent": bool(closed_email_sent),
        "total_weight_in_grams": total_weight,
        "tags": tags.split(",") if tags else [],
        "allowed_statuses": list(TRANSITIONS[status]),
        "payment_info": {
            "type": payment_type,
            "name": payment_name,
            "auth_code": auth_code,
            "transaction_id": transaction_id,
        },
        "fulfillment": {"fulfillment_method": fulfillment_method},
        "_embedded": embedded,
    }


def order_summary(urls: Urls, row: Row) -> Doc:
    """An order as a bulk update lists it: its link, id, code and status."""
    return {
        "_links": {"self": {"href": urls("order", shop_id=row["shop_id"], ref=row["code"])}},
        "id": row["id"],
        "code": row["code"],
        "status": row["status"],
    }


def _search_action(href: str, values: Mapping[str, str]) -> Doc:
    """The orders page's ``search`` form: every parameter the server takes, with its value in
    this query (or the server's default) and its allowed values where they are few."""
    fields = [
        {
            "name": name,
            "prompt": _prompt(name),
            "value": values.get(name),
            "options": OPTIONS.get(name),
        }
        for name in PARAMETERS
    ]
    return {
        "prompt": "Search orders",
        "method": "GET",
        "type": FORM_TYPE,
        "href": href,
        "fields": fields,
    }


def _paging_links(base: str, page: int, last: int, query: Callable[[int], list[Any]]) -> Doc:
    def link(number: int) -> Doc:
        return {"href": f"{base}?{urlencode(query(number), safe=',:')}"}

    links: Doc = {"self": link(page)}
    if page < last:
        links["next"] = link(page + 1)
    if page > 1:
        links["prev"] = link(page - 1)
    links["last"] = link(last)
    return links


def last_page(total: int, per_page: int) -> int:
    """The last page of ``total`` items (1 when there are none: an empty first page)."""
    return max(1, math.ceil(total / per_page))


def orders_page_doc(
    urls: Urls,
    shop_id: int,
    query: OrderQuery,
    stats: OrderStats,
    rows: Sequence[Row],
    items: Items,
    histogram: Sequence[tuple[str, int, int]] | None = None,
) -> Doc:
    """The orders collection: the seed page's ``total_items``, ``per_page``, ``page`` and
    ``_embedded.items``, with the real API's ``totals``, ``transitions`` and search form; the
    paging links carry the query's canonical form (``next``/``prev`` only when they exist)."""
    base = urls("orders", shop_id=shop_id)
    links: Doc = {"curies": curies(urls.layout)}
    links.update(
        _paging_links(base, query.page, last_page(stats.count, query.per_page), query.link_query)
    )
    links["btc:shop"] = {"href": urls.shared("shop", shop_id=shop_id), "title": "The shop"}
    values = {**dict(query.canonical), "page": str(query.page)}
    doc: Doc = {
        "_class": ["results", "orders"],
        "_links": links,
        "_actions": {"search": _search_action(base, values)},
        "total_items": stats.count,
        "per_page": query.per_page,
        "page": query.page,
        "totals": {"total": stats.total, "mean": stats.mean, "min": stats.min, "max": stats.max},
        "transitions": TRANSITIONS_DOC,
    }
    if histogram is not None:
        doc["histogram"] = [
            {"period": period, "count": count, "total": total} for period, count, total in histogram
        ]
    doc["_embedded"] = {"items": [order_doc(urls, row, items[row["id"]]) for row in rows]}
    return doc


def events_doc(urls: Urls, order: Row, query: ListQuery, total: int, events: Sequence[Row]) -> Doc:
    """An order's events: its status changes, oldest first (the first one is its creation)."""
    base = urls("events", shop_id=order["shop_id"], ref=order["code"])
    links: Doc = {"curies": curies(urls.layout)}
    links.update(
        _paging_links(base, query.page, last_page(total, query.per_page), query.link_query)
    )
    links["btc:order"] = {"href": urls("order", shop_id=order["shop_id"], ref=order["code"])}
    return {
        "_class": ["results", "events"],
        "_links": links,
        "total_items": total,
        "per_page": query.per_page,
        "page": query.page,
        "_embedded": {
            "items": [
                {
                    "_class": ["event"],
                    "id": event["id"],
                    "type": "status",
                    "from_status": event["from_status"],
                    "to_status": event["to_status"],
                    "created_on": z(event["created_on"]),
                }
                for event in events
            ]
        },
    }


# -- contacts and products --------------------------------------------------------------------------


def contacts_page_doc(
    urls: Urls, shop_id: int, query: ListQuery, total: int, rows: Sequence[Row]
) -> Doc:
    """A page of a shop's contacts, each linking to its orders."""
    base = urls("contacts", shop_id=shop_id)
    orders = urls("orders", shop_id=shop_id)
    links: Doc = {"curies": curies(urls.layout)}
    links.update(
        _paging_links(base, query.page, last_page(total, query.per_page), query.link_query)
    )
    links["btc:shop"] = {"href": urls("shop", shop_id=shop_id), "title": "The shop"}
    items = [
        {
            "_class": ["contact"],
            "_links": {
                "btc:orders": {
                    "href": f"{orders}?{urlencode({'contact_email': row['email']})}",
                    "title": "Orders of this contact",
                }
            },
            "id": row["id"],
            "name": row["name"],
            "email": row["email"],
            "phone_number": row["phone_number"],
            "rut": row["rut"],
        }
        for row in rows
    ]
    return {
        "_class": ["results", "contacts"],
        "_links": links,
        "total_items": total,
        "per_page": query.per_page,
        "page": query.page,
        "_embedded": {"items": items},
    }


def product_doc(
    urls: Urls, product: Row, variants: Sequence[Row], *, links_curies: bool = True
) -> Doc:
    """A product with its variants (what a line item's ``btc:product`` names)."""
    shop_id = product["shop_id"]
    links: Doc = {"curies": curies(urls.layout)} if links_curies else {}
    links["self"] = {"href": urls.shared("product", product_id=product["id"])}
    links["btc:shop"] = {"href": urls.shared("shop", shop_id=shop_id), "title": "The shop"}
    price = product["price"]
    return {
        "_class": ["product"],
        "_links": links,
        "id": product["id"],
        "shop_id": shop_id,
        "title": product["title"],
        "slug": product["slug"],
        "price": price,
        "weight_in_grams": product["weight_in_grams"],
        "_embedded": {
            "variants": [
                {
                    "_class": ["variant"],
                    "id": v["id"],
                    "title": v["title"],
                    "sku": v["sku"],
                    "price": price,
                }
                for v in variants
            ]
        },
    }


def products_page_doc(
    urls: Urls, base: str, query: ListQuery, total: int, rows: Sequence[Row], variants: Items
) -> Doc:
    """A page of products (of a shop, or of every shop at ``base``)."""
    links: Doc = {"curies": curies(urls.layout)}
    links.update(
        _paging_links(base, query.page, last_page(total, query.per_page), query.link_query)
    )
    return {
        "_class": ["results", "products"],
        "_links": links,
        "total_items": total,
        "per_page": query.per_page,
        "page": query.page,
        "_embedded": {
            "items": [
                product_doc(urls, row, variants[row["id"]], links_curies=False) for row in rows
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
