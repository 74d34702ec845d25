"""What the Bootic documentation says the orders API accepts: the fallback when a server is silent.

The layer prefers what a server declares (an orders page's search form and ``transitions``, the
variables of a templated ``btc:orders``); these tables are used when it declares nothing. They are
the seed pages' (the orders filter table, the bulk update's statuses) with what the reference of
the live API adds: the ``tags`` and ``contact_email`` filters, the ``delivered`` status, the
``net_total`` sorts and the status transitions.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypedDict

__all__ = [
    "MAX_PER_PAGE",
    "ORDER_FILTERS",
    "ORDER_SORTS",
    "ORDER_STATUSES",
    "ORDER_TRANSITIONS",
    "UPDATE_STATUSES",
    "OrderFilter",
    "OrderFilters",
]

#: Values of the ``status`` filter (``successful``: closed or shipped; ``all``: any).
ORDER_STATUSES: tuple[str, ...] = (
    "all",
    "checkout",
    "pending",
    "closed",
    "shipped",
    "invalid",
    "successful",
    "delivered",
)
#: Statuses a bulk update may set: the seed's four, and ``delivered``, which the reference's
#: transitions lead to (each is a status some other status may move to).
UPDATE_STATUSES: tuple[str, ...] = ("pending", "closed", "shipped", "invalid", "delivered")
#: Values of the ``sort`` filter.
ORDER_SORTS: tuple[str, ...] = tuple(
    f"{column}.{direction}"
    for column in ("created_on", "updated_on", "pending_on", "closed_on", "shipped_on", "net_total")
    for direction in ("asc", "desc")
)
#: The statuses an order in each status may be set to (its own included: setting it again
#: changes only the tracking fields), as the reference documents the orders page's ``transitions``.
ORDER_TRANSITIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "checkout": ("checkout", "pending", "invalid"),
        "pending": ("pending", "closed", "invalid"),
        "invalid": ("invalid", "pending"),
        "closed": ("closed", "pending", "invalid", "shipped"),
        "shipped": ("shipped", "pending", "invalid", "delivered"),
        "delivered": ("delivered", "pending", "invalid"),
    }
)
#: The most orders one page holds. The documentation states no maximum; the sandbox's is 200 (it
#: answers 400 beyond), so a larger ``per_page`` may be refused by a server.
MAX_PER_PAGE = 200


#: A date filter's value: a date, a datetime, or ISO 8601 text (``2013-01-02``).
DateValue = _dt.date | str | None
#: A count or an amount in cents: a number, or its digits as text.
NumberValue = int | str | None


class OrderFilters(TypedDict, total=False):
    """The keyword arguments of ``Shop.orders()``/``iter_orders()``: the documented filters.

    A type checker then catches a misspelt filter; what the server itself declares is checked at
    run time, before the filtered request is sent. ``None`` leaves a filter out.
    """

    q: str | None
    page: NumberValue
    per_page: NumberValue
    status: str | Sequence[str] | None
    code: str | None
    product_id: NumberValue
    payment_method: str | None
    tags: str | Sequence[str] | None
    contact_email: str | None
    created_on_gte: DateValue
    created_on_lte: DateValue
    updated_on_gte: DateValue
    updated_on_lte: DateValue
    pending_on_gte: DateValue
    pending_on_lte: DateValue
    closed_on_gte: DateValue
    closed_on_lte: DateValue
    shipped_on_gte: DateValue
    shipped_on_lte: DateValue
    net_total_gte: NumberValue
    net_total_lte: NumberValue
    shipping_total_gte: NumberValue
    shipping_total_lte: NumberValue
    discount_total_gte: NumberValue
    discount_total_lte: NumberValue
    total_gte: NumberValue
    total_lte: NumberValue
    lat_long: str | tuple[float, float] | None
    distance: str | float | None
    sort: str | None
    #: Listed by the live API's search form, not documented: accepted when a server declares it.
    histogram: str | None


@dataclass(frozen=True)
class OrderFilter:
    """One documented query filter of the orders collection."""

    name: str
    #: ``text``, ``list``, ``integer``, ``statuses``, ``date``, ``lat_long``, ``distance`` or
    #: ``sort``: how a value is checked and written.
    kind: str
    description: str
    example: str


def _filters(*rows: tuple[str, str, str, str]) -> dict[str, OrderFilter]:
    return {
        name: OrderFilter(name, kind, description, example)
        for name, kind, description, example in rows
    }


def _dates(column: str, label: str) -> list[tuple[str, str, str, str]]:
    return [
        (f"{column}_gte", "date", f"{label} on or after this date", "2013-01-02"),
        (f"{column}_lte", "date", f"{label} on or before this date", "2013-02-02"),
    ]


def _totals(column: str, label: str) -> list[tuple[str, str, str, str]]:
    return [
        (f"{column}_gte", "integer", f"{label}, greater or equal (cents)", "3000"),
        (f"{column}_lte", "integer", f"{label}, less or equal (cents)", "4000"),
    ]


#: Every documented filter of ``btc:orders``, by name, in the documentation's order.
ORDER_FILTERS: Mapping[str, OrderFilter] = MappingProxyType(
    _filters(
        ("q", "text", "full text search", "shoes"),
        ("page", "integer", "page number (from 1)", "20"),
        ("per_page", "integer", "orders per page (default 30)", "20"),
        ("status", "statuses", "order status, comma-separated (default all)", "closed,shipped"),
        ("code", "text", "order code", "RES21W"),
        ("product_id", "integer", "orders holding this product", "32221122"),
        ("payment_method", "text", "payment method slug", "webpay"),
        ("tags", "list", "orders with any of these tags, comma-separated", "vip,gift"),
        ("contact_email", "text", "the contact's email", "joe@bloggs.com"),
        *_dates("created_on", "created"),
        *_dates("updated_on", "updated"),
        *_dates("pending_on", "pending"),
        *_dates("closed_on", "closed"),
        *_dates("shipped_on", "shipped"),
        *_totals("net_total", "net total"),
        *_totals("shipping_total", "shipping total"),
        *_totals("discount_total", "discount total"),
        *_totals("total", "total"),
        ("lat_long", "lat_long", "shipping latitude,longitude pair", "0.54322222,1.4444422"),
        ("distance", "distance", "radius around lat_long (default 5km)", "10km"),
        ("sort", "sort", "sort column and direction (default created_on.desc)", "created_on.desc"),
    )
)
