"""The documented order filters and statuses, and their validation before any request is sent.

The table is the one of the Bootic orders page (``GET /v1/shops/{id}/orders.json``). An unknown
filter name or an undocumented value raises :class:`InvalidFilter` listing what is allowed;
dates may be given as :class:`datetime.date`, :class:`datetime.datetime` or ISO 8601 strings;
``status`` as a comma-separated string or a list.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict, cast

from ._errors import InvalidFilter

__all__ = [
    "ORDER_FILTERS",
    "ORDER_SORTS",
    "ORDER_STATUSES",
    "UPDATE_STATUSES",
    "OrderFilter",
    "OrderFilters",
    "check_update_status",
    "order_query",
]

#: Values of the ``status`` filter (``successful`` means closed or shipped).
ORDER_STATUSES: tuple[str, ...] = (
    "all",
    "checkout",
    "pending",
    "closed",
    "shipped",
    "invalid",
    "successful",
)
#: Statuses a bulk update (``btc:update_orders``) may set.
UPDATE_STATUSES: tuple[str, ...] = ("pending", "closed", "shipped", "invalid")
#: Values of the ``sort`` filter.
ORDER_SORTS: tuple[str, ...] = tuple(
    f"{column}.{direction}"
    for column in ("created_on", "updated_on", "pending_on", "closed_on", "shipped_on")
    for direction in ("asc", "desc")
)


#: A date filter's value: a date, a datetime, or ISO 8601 text (``2013-01-02``).
DateValue = _dt.date | str | None
#: A count or an amount in cents: a number, or its digits as text.
NumberValue = int | str | None


class OrderFilters(TypedDict, total=False):
    """The keyword arguments of ``Shop.orders()``/``iter_orders()``: the documented filters.

    A type checker then catches a misspelt filter; the server's own list is checked at run
    time, before any request. ``None`` leaves a filter out.
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


@dataclass(frozen=True)
class OrderFilter:
    """One documented query filter of the orders collection."""

    name: str
    #: ``text``, ``integer``, ``statuses``, ``date``, ``lat_long``, ``distance`` or ``sort``.
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
ORDER_FILTERS: Mapping[str, OrderFilter] = _filters(
    ("q", "text", "full text search", "shoes"),
    ("page", "integer", "page number (from 1)", "20"),
    ("per_page", "integer", "orders per page (default 30)", "20"),
    ("status", "statuses", "order status, comma-separated (default all)", "closed,shipped"),
    ("code", "text", "order code", "RES21W"),
    ("product_id", "integer", "orders holding this product", "32221122"),
    ("payment_method", "text", "payment method slug", "webpay"),
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

_DISTANCE = re.compile(r"^\d+(\.\d+)?(km|m)$")
_POSITIVE = frozenset({"page", "per_page"})


def order_query(filters: Mapping[str, object]) -> dict[str, str]:
    """The query variables for ``filters``, checked against the documented table.

    ``None`` values are left out. Raises :class:`InvalidFilter` for an unknown name or a value
    of the wrong shape, naming the allowed names or values.
    """
    query: dict[str, str] = {}
    for name, value in filters.items():
        spec = ORDER_FILTERS.get(name)
        if spec is None:
            raise InvalidFilter(
                f"unknown order filter {name!r}; the documented filters are: "
                + ", ".join(ORDER_FILTERS),
                name=name,
                value=value,
                allowed=ORDER_FILTERS,
            )
        if value is None:
            continue
        query[name] = _CHECKS[spec.kind](name, value)
    return query


def check_update_status(status: Any) -> str:
    """``status`` if a bulk update may set it, else :class:`InvalidFilter` listing those it may."""
    if not isinstance(status, str) or status not in UPDATE_STATUSES:
        raise InvalidFilter(
            f"an update cannot set status {status!r}; allowed: {', '.join(UPDATE_STATUSES)}",
            name="status",
            value=status,
            allowed=UPDATE_STATUSES,
        )
    return status


def parse_id(value: str) -> int | str:
    """An id given as text: an ``int`` when it is a whole number (``" 42 "``), else as given.

    Only decimal digits count: ``"²"`` is a digit to :meth:`str.isdigit` but not a number
    ``int()`` takes, so it stays a string (the server says whether such an id exists).
    """
    text = value.strip()
    return int(text) if text.isdecimal() else value


def order_ids(ids: Iterable[int | str]) -> list[int | str]:
    """The order ids of a bulk update, checked before any request: ints, or strings (whole
    numbers become ints), each once, in the order given."""
    if isinstance(ids, (str, bytes, int)):
        raise TypeError("update_orders() takes a list of order ids, e.g. [577048, 12001]")
    sent: list[int | str] = []
    seen: set[int | str] = set()
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise TypeError(f"an order id must be an int or a string, got {value!r}")
        if isinstance(value, str):
            value = parse_id(value)
        if value not in seen:
            seen.add(value)
            sent.append(value)
    if not sent:
        raise ValueError("update_orders() needs at least one order id")
    return sent


def _statuses(name: str, value: Any) -> str:
    items: list[object]
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",")]
    elif isinstance(value, Iterable):
        given = cast("Iterable[object]", value)
        items = [part.strip() if isinstance(part, str) else part for part in given]
    else:
        items = [value]
    bad = [item for item in items if item not in ORDER_STATUSES]
    if bad or not items:
        shown = ", ".join(repr(item) for item in bad) or "nothing"
        raise InvalidFilter(
            f"invalid {name} {shown}; allowed: {', '.join(ORDER_STATUSES)} "
            "(several may be given, comma-separated)",
            name=name,
            value=value,
            allowed=ORDER_STATUSES,
        )
    return ",".join(str(item) for item in items)


def _sort(name: str, value: Any) -> str:
    if value not in ORDER_SORTS:
        raise InvalidFilter(
            f"invalid {name} {value!r}; allowed: {', '.join(ORDER_SORTS)}",
            name=name,
            value=value,
            allowed=ORDER_SORTS,
        )
    return str(value)


def _date(name: str, value: Any) -> str:
    if isinstance(value, _dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return _dt.date.fromisoformat(text).isoformat()
            _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return text
        except ValueError:
            pass
    raise InvalidFilter(
        f"invalid {name} {value!r}; expected a date (datetime.date, datetime.datetime or "
        "'YYYY-MM-DD')",
        name=name,
        value=value,
    )


def _integer(name: str, value: Any) -> str:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdecimal():
        number = int(value.strip())
    least = 1 if name in _POSITIVE else 0
    if number is None or number < least:
        raise InvalidFilter(
            f"invalid {name} {value!r}; expected a whole number of at least {least}",
            name=name,
            value=value,
        )
    return str(number)


def _text(name: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidFilter(f"invalid {name} {value!r}; expected a string", name=name, value=value)
    return str(value)


def _lat_long(name: str, value: Any) -> str:
    parts: list[Any]
    if isinstance(value, str):
        parts = [part.strip() for part in value.split(",")]
    elif isinstance(value, (tuple, list)):
        parts = list(cast("Iterable[object]", value))
    else:
        parts = []
    try:
        if len(parts) != 2:
            raise ValueError
        latitude, longitude = (float(part) for part in parts)
    except (TypeError, ValueError):
        raise InvalidFilter(
            f"invalid {name} {value!r}; expected 'latitude,longitude' or a pair of numbers",
            name=name,
            value=value,
        ) from None
    return f"{parts[0]},{parts[1]}" if isinstance(value, str) else f"{latitude},{longitude}"


def _distance(name: str, value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return f"{value}km"
    if isinstance(value, str) and _DISTANCE.match(value.strip()):
        return value.strip()
    raise InvalidFilter(
        f"invalid {name} {value!r}; expected a distance like '1km' or '34km' (or a number of km)",
        name=name,
        value=value,
    )


_CHECKS = {
    "text": _text,
    "integer": _integer,
    "statuses": _statuses,
    "sort": _sort,
    "date": _date,
    "lat_long": _lat_long,
    "distance": _distance,
}
