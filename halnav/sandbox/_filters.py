"""The orders collection's query string, checked and turned into an :class:`OrderQuery`.

Every filter of the orders seed page is here with its documented meaning. Bad values answer 400
with one error per offending parameter, named in ``field``. Empty values count as absent (a client
expanding the ``btc:orders`` template may send ``q=``); unknown parameters are ignored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ._db import is_sqlite_int
from ._errors import ErrorList
from ._seed import fold

STATUSES = ("checkout", "pending", "closed", "shipped", "invalid")
STATUS_FILTER_VALUES = ("all", *STATUSES, "successful")
SORT_COLUMNS = ("created_on", "updated_on", "pending_on", "closed_on", "shipped_on")
SORT_VALUES = tuple(f"{c}.{d}" for c in SORT_COLUMNS for d in ("asc", "desc"))
DATE_COLUMNS = SORT_COLUMNS
TOTAL_COLUMNS = ("net_total", "shipping_total", "discount_total", "total")
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 200
MAX_PAGE = 10**9  # far past any last page; keeps the SQL offset a 64-bit integer
DEFAULT_DISTANCE_KM = 5.0

# The variables of the btc:orders link template, in the seed page's order.
TEMPLATE_VARIABLES = (
    "q", "page", "per_page", "status", "code", "product_id", "payment_method",
    *(f"{c}_{b}" for c in DATE_COLUMNS for b in ("gte", "lte")),
    *(f"{c}_{b}" for c in TOTAL_COLUMNS for b in ("gte", "lte")),
    "lat_long", "distance", "sort",
)  # fmt: skip

_INTEGER = re.compile(r"[+-]?[0-9]+")
# Exactly what the 400 message promises, whatever the Python version: date.fromisoformat accepts
# 20130102, 2013-W01-1 or a Z suffix on 3.11 and later, and refuses them on 3.10.
_MOMENT = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2}):([0-9]{2}))?")
_DISTANCE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(km|m)?\s*", re.IGNORECASE)
_DATE_FORMAT = "must be a date (YYYY-MM-DD) or a date-time (YYYY-MM-DDTHH:MM:SS)"


@dataclass(frozen=True)
class OrderQuery:
    """A validated orders query; ``conditions`` are ``(column, operator, value)`` triples."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    q: str | None = None
    statuses: tuple[str, ...] | None = None  # None: every status
    code: str | None = None
    product_id: int | None = None
    payment_method: str | None = None
    conditions: tuple[tuple[str, str, object], ...] = ()
    near: tuple[float, float, float] | None = None  # latitude, longitude, radius in km
    sort_column: str = "created_on"
    descending: bool = True


def _parse_int(value: str) -> int | None:
    """An integer that SQLite can store (64 bits), else None."""
    if not _INTEGER.fullmatch(value.strip()):
        return None
    number = int(value)
    return number if is_sqlite_int(number) else None


def _parse_moment(value: str, upper: bool) -> tuple[str, str] | None:
    """A date filter as ``(operator, bound)`` over the stored ``YYYY-MM-DDTHH:MM:SS`` text.

    Only ``YYYY-MM-DD`` and ``YYYY-MM-DDTHH:MM:SS`` (UTC, as stored) are dates; a bare date
    covers its whole day: ``*_lte=2013-02-02`` includes orders of February 2nd.
    """
    match = _MOMENT.fullmatch(value.strip())
    if match is None:
        return None
    try:
        numbers = [int(part) for part in match.groups() if part is not None]
        if len(numbers) == 6:
            moment = datetime(*numbers)
            return ("<=" if upper else ">="), moment.isoformat(timespec="seconds")
        day = date(*numbers)
    except ValueError:  # no such day or time: 2013-02-30, 2013-01-01T24:00:00
        return None
    if not upper:
        return ">=", datetime.combine(day, time()).isoformat()
    if day == date.max:
        return "<=", datetime.combine(day, time.max).isoformat(timespec="seconds")
    return "<", datetime.combine(day + timedelta(days=1), time()).isoformat()


def _parse_lat_long(value: str) -> tuple[float, float] | None:
    parts = value.split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lng = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng


def _parse_distance(value: str) -> float | None:
    match = _DISTANCE.fullmatch(value)
    if not match:
        return None
    amount = float(match.group(1))
    return amount / 1000 if (match.group(2) or "km").lower() == "m" else amount


def parse_order_query(args: Mapping[str, str]) -> OrderQuery:
    """Check the orders query string: a 400 :class:`ApiError` names every bad parameter."""
    errors = ErrorList()
    given = {k: v for k, v in args.items() if v.strip() != ""}
    fields: dict[str, object] = {}

    for name, high in (("page", MAX_PAGE), ("per_page", MAX_PER_PAGE)):
        if name in given:
            number = _parse_int(given[name])
            if number is None or not 1 <= number <= high:
                errors.add(name, f"must be an integer between 1 and {high}")
            else:
                fields[name] = number

    if "q" in given:
        fields["q"] = fold(given["q"].strip())  # as the search columns were written

    if "status" in given:
        wanted: set[str] = set()
        everything = False
        for raw in given["status"].split(","):
            status = raw.strip().lower()
            if not status:
                continue
            if status not in STATUS_FILTER_VALUES:
                errors.add(
                    "status",
                    f"unknown status {raw.strip()!r}; allowed: {', '.join(STATUS_FILTER_VALUES)}",
                )
            elif status == "all":
                everything = True
            elif status == "successful":  # documented: closed or shipped
                wanted.update(("closed", "shipped"))
            else:
                wanted.add(status)
        if wanted and not everything:
            fields["statuses"] = tuple(s for s in STATUSES if s in wanted)

    if "code" in given:
        fields["code"] = given["code"].strip().upper()

    if "product_id" in given:
        product_id = _parse_int(given["product_id"])
        if product_id is None:
            errors.add("product_id", "must be an integer")
        fields["product_id"] = product_id

    if "payment_method" in given:
        fields["payment_method"] = given["payment_method"].strip().lower()

    conditions: list[tuple[str, str, object]] = []
    for column in DATE_COLUMNS:
        for bound in ("gte", "lte"):
            name = f"{column}_{bound}"
            if name in given:
                parsed = _parse_moment(given[name], upper=bound == "lte")
                if parsed is None:
                    errors.add(name, _DATE_FORMAT)
                else:
                    conditions.append((column, *parsed))
    for column in TOTAL_COLUMNS:
        for bound, operator in (("gte", ">="), ("lte", "<=")):
            name = f"{column}_{bound}"
            if name in given:
                number = _parse_int(given[name])
                if number is None:
                    errors.add(name, "must be an integer amount (cents)")
                else:
                    conditions.append((column, operator, number))
    fields["conditions"] = tuple(conditions)

    distance = DEFAULT_DISTANCE_KM
    if "distance" in given:
        parsed_distance = _parse_distance(given["distance"])
        if parsed_distance is None:
            errors.add("distance", "must be a distance like 5km, 34km or 800m")
        else:
            distance = parsed_distance
        if "lat_long" not in given:
            errors.add("distance", "needs lat_long")
    if "lat_long" in given:
        point = _parse_lat_long(given["lat_long"])
        if point is None:
            errors.add(
                "lat_long",
                "must be 'latitude,longitude' in decimal degrees, e.g. -33.4489,-70.6693",
            )
        else:
            fields["near"] = (*point, distance)

    if "sort" in given:
        sort = given["sort"].strip()
        if sort not in SORT_VALUES:
            errors.add("sort", f"unknown sort {sort!r}; allowed: {', '.join(SORT_VALUES)}")
        else:
            column, _, direction = sort.partition(".")
            fields["sort_column"] = column
            fields["descending"] = direction == "desc"

    errors.raise_if_any(400)
    return OrderQuery(**fields)  # type: ignore[arg-type]
