"""The orders collection's query string, checked and turned into an :class:`OrderQuery`.

Every filter of the orders seed page is here with its documented meaning, with what the real API
adds (``delivered``, ``tags``, ``contact_email``, ``histogram``, the ``net_total`` sorts). Each range
filter is also taken with its dotted spelling (``created_on.gte``), as the real shop page's
template writes them. Bad values answer 400 with one error per offending parameter, named in
``field``. Empty values count as absent (a client expanding the ``btc:orders`` template may send
``q=``); unknown parameters are ignored.

The query also has a canonical form: its filters under their underscore names, with the server's
defaults (``distance``, ``per_page``, ``sort``), sorted by name. The page's links carry it, and it
keys the rendered pages, so that one page asked for in any spelling is rendered once.
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

# The real API's statuses, in its own order.
STATUSES = ("checkout", "pending", "invalid", "closed", "shipped", "delivered")
# "successful" predates "delivered" (the seed page says closed or shipped); a delivered order was
# shipped, so the sandbox counts it as successful too.
SUCCESSFUL = ("closed", "shipped", "delivered")
STATUS_FILTER_VALUES = (*STATUSES, "all", "successful")
SORT_COLUMNS = ("created_on", "updated_on", "pending_on", "closed_on", "shipped_on", "net_total")
SORT_VALUES = tuple(f"{c}.{d}" for c in SORT_COLUMNS for d in ("asc", "desc"))
DEFAULT_SORT = "created_on.desc"
DATE_COLUMNS = SORT_COLUMNS[:5]
TOTAL_COLUMNS = ("net_total", "shipping_total", "discount_total", "total")
HISTOGRAM_INTERVALS = ("day", "week", "month", "year")
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 200
MAX_PAGE = 10**9  # far past any last page; keeps the SQL offset a 64-bit integer
DEFAULT_DISTANCE = "5km"
RANGE_NAMES = tuple(f"{c}_{b}" for c in (*DATE_COLUMNS, *TOTAL_COLUMNS) for b in ("gte", "lte"))
# created_on.gte -> created_on_gte
ALIASES = {name[:-4] + "." + name[-3:]: name for name in RANGE_NAMES}

# Every parameter, in the order of the seed page's table (plus the real API's additions).
PARAMETERS = (
    "q", "page", "per_page", "status", "code", "product_id", "payment_method", "tags",
    "contact_email", *RANGE_NAMES, "lat_long", "distance", "sort", "histogram",
)  # fmt: skip
# The server's defaults, carried by the page's links as the real API's links carry them.
DEFAULTS = {"distance": DEFAULT_DISTANCE, "per_page": str(DEFAULT_PER_PAGE), "sort": DEFAULT_SORT}

_INTEGER = re.compile(r"[+-]?[0-9]+")
# Exactly what the 400 message promises, whatever the Python version: date.fromisoformat accepts
# 20130102, 2013-W01-1 or other forms on 3.11 and later, and refuses them on 3.10.
_MOMENT = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?Z?)?"
)
_DISTANCE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(km|m)?\s*", re.IGNORECASE)
_DATE_FORMAT = (
    "must be a date (YYYY-MM-DD) or a UTC date-time (YYYY-MM-DDTHH:MM:SS, optionally with"
    " fractions of a second and Z)"
)


def template_variables(dotted: bool) -> tuple[str, ...]:
    """The variables of the shop's ``btc:orders`` template (range names dotted or not)."""
    if not dotted:
        return PARAMETERS
    spelled = {name: alias for alias, name in ALIASES.items()}
    return tuple(spelled.get(name, name) for name in PARAMETERS)


@dataclass(frozen=True)
class OrderQuery:
    """A validated orders query; ``conditions`` are ``(column, operator, value)`` triples;
    ``canonical`` the query's filters as its links carry them, without ``page``."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    q: str | None = None
    statuses: tuple[str, ...] | None = None  # None: every status
    code: str | None = None
    product_id: int | None = None
    payment_method: str | None = None
    tags: tuple[str, ...] | None = None  # any of them
    contact_email: str | None = None  # casefolded
    conditions: tuple[tuple[str, str, str | int], ...] = ()
    near: tuple[float, float, float] | None = None  # latitude, longitude, radius in km
    sort_column: str = "created_on"
    descending: bool = True
    histogram: str | None = None
    canonical: tuple[tuple[str, str], ...] = tuple(sorted(DEFAULTS.items()))

    def link_query(self, page: int) -> list[tuple[str, str]]:
        """The query string of this query's page ``page``: its canonical form, page included."""
        return sorted([*self.canonical, ("page", str(page))])


def _parse_int(value: str) -> int | None:
    """An integer that SQLite can store (64 bits), else None."""
    if not _INTEGER.fullmatch(value.strip()):
        return None
    number = int(value)
    return number if is_sqlite_int(number) else None


def _parse_moment(value: str, upper: bool) -> tuple[str, str] | None:
    """A date filter as ``(operator, bound)`` over the stored ``YYYY-MM-DDTHH:MM:SS`` text.

    A bare date covers its whole day: ``*_lte=2013-02-02`` includes orders of February 2nd. A
    date-time is exact, to the second the API stores; a fraction of a second rounds the bound
    inwards (``_gte=...10.5`` starts at 11 s, ``_lte=...10.5`` ends at 10 s).
    """
    match = _MOMENT.fullmatch(value.strip())
    if match is None:
        return None
    year, month, day_, hour, minute, second, fraction = match.groups()
    try:
        day = date(int(year), int(month), int(day_))
        if hour is None:
            if not upper:
                return ">=", datetime.combine(day, time()).isoformat()
            if day == date.max:
                return "<=", datetime.combine(day, time.max).isoformat(timespec="seconds")
            return "<", datetime.combine(day + timedelta(days=1), time()).isoformat()
        moment = datetime.combine(day, time(int(hour), int(minute), int(second)))
    except ValueError:  # no such day or time: 2013-02-30, 2013-01-01T24:00:00
        return None
    if fraction is not None and int(fraction) and not upper:
        if moment == datetime.max.replace(microsecond=0):
            return None
        moment += timedelta(seconds=1)
    return ("<=" if upper else ">="), moment.isoformat(timespec="seconds")


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


def _given(args: Mapping[str, str], errors: ErrorList) -> dict[str, str]:
    """The non-empty parameters under their underscore names (a name given in both spellings
    with two different values is an error)."""
    given: dict[str, str] = {}
    for raw_name, raw_value in args.items():
        value = raw_value.strip()
        if not value:
            continue
        name = ALIASES.get(raw_name, raw_name)
        if name in given and given[name] != value:
            errors.add(name, f"given twice ({name} and {raw_name}) with different values")
        given.setdefault(name, value)
    return given


def _statuses(value: str, errors: ErrorList) -> tuple[str, ...] | None:
    wanted: set[str] = set()
    everything = False
    for raw in value.split(","):
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
        elif status == "successful":
            wanted.update(SUCCESSFUL)
        else:
            wanted.add(status)
    if not wanted or everything:
        return None
    return tuple(s for s in STATUSES if s in wanted)


def parse_order_query(args: Mapping[str, str]) -> OrderQuery:
    """Check the orders query string: a 400 :class:`ApiError` names every bad parameter."""
    errors = ErrorList()
    given = _given(args, errors)
    page, per_page = 1, DEFAULT_PER_PAGE
    q = code = payment_method = contact_email = histogram = None
    statuses: tuple[str, ...] | None = None
    product_id: int | None = None
    tags: tuple[str, ...] | None = None
    near: tuple[float, float, float] | None = None
    sort_column, descending = "created_on", True

    for name, high in (("page", MAX_PAGE), ("per_page", MAX_PER_PAGE)):
        if name in given:
            number = _parse_int(given[name])
            if number is None or not 1 <= number <= high:
                errors.add(name, f"must be an integer between 1 and {high}")
            elif name == "page":
                page = number
            else:
                per_page = number

    if "q" in given:
        q = fold(given["q"])  # as the search columns were written
    if "status" in given:
        statuses = _statuses(given["status"], errors)
    if "code" in given:
        code = given["code"].upper()
    if "product_id" in given:
        product_id = _parse_int(given["product_id"])
        if product_id is None:
            errors.add("product_id", "must be an integer")
    if "payment_method" in given:
        payment_method = given["payment_method"].lower()
    if "tags" in given:
        tags = tuple(dict.fromkeys(t.strip().lower() for t in given["tags"].split(",")))
        tags = tuple(t for t in tags if t) or None
    if "contact_email" in given:
        contact_email = fold(given["contact_email"])

    conditions: list[tuple[str, str, str | int]] = []
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

    # The distance is the radius around lat_long; alone it is harmless (the real API's own
    # links carry its default), but it must still be a distance.
    distance = _parse_distance(given.get("distance", DEFAULT_DISTANCE))
    if distance is None:
        errors.add("distance", "must be a distance like 5km, 34km or 800m")
    if "lat_long" in given:
        point = _parse_lat_long(given["lat_long"])
        if point is None:
            errors.add(
                "lat_long",
                "must be 'latitude,longitude' in decimal degrees, e.g. -33.4489,-70.6693",
            )
        elif distance is not None:
            near = (*point, distance)

    if "sort" in given:
        sort = given["sort"]
        if sort not in SORT_VALUES:
            errors.add("sort", f"unknown sort {sort!r}; allowed: {', '.join(SORT_VALUES)}")
        else:
            column, _, direction = sort.partition(".")
            sort_column, descending = column, direction == "desc"

    if "histogram" in given:
        histogram = given["histogram"].lower()
        if histogram not in HISTOGRAM_INTERVALS:
            errors.add(
                "histogram",
                f"unknown interval {given['histogram']!r};"
                f" allowed: {', '.join(HISTOGRAM_INTERVALS)}",
            )

    errors.raise_if_any(400)
    kept = {name: value for name, value in given.items() if name in PARAMETERS and name != "page"}
    canonical = tuple(sorted({**DEFAULTS, **kept}.items()))
    return OrderQuery(
        page=page,
        per_page=per_page,
        q=q,
        statuses=statuses,
        code=code,
        product_id=product_id,
        payment_method=payment_method,
        tags=tags,
        contact_email=contact_email,
        conditions=tuple(conditions),
        near=near,
        sort_column=sort_column,
        descending=descending,
        histogram=histogram,
        canonical=canonical,
    )


@dataclass(frozen=True)
class ListQuery:
    """A validated query of a small collection (contacts, products): paging, search, sort."""

    page: int
    per_page: int
    q: str | None
    sort_column: str
    descending: bool
    price_gte: int | None = None
    price_lte: int | None = None
    canonical: tuple[tuple[str, str], ...] = ()

    def link_query(self, page: int) -> list[tuple[str, str]]:
        return sorted([*self.canonical, ("page", str(page))])


def parse_list_query(
    args: Mapping[str, str], sorts: tuple[str, ...], *, prices: bool = False
) -> ListQuery:
    """Check a small collection's query (``q``, ``sort`` among ``sorts``, ``page``,
    ``per_page``; with ``prices``, ``price.gte``/``price.lte``): a 400 names every bad one."""
    errors = ErrorList()
    given = {name.replace(".", "_"): value.strip() for name, value in args.items() if value.strip()}
    numbers: dict[str, int] = {"page": 1, "per_page": DEFAULT_PER_PAGE}
    for name, high in (("page", MAX_PAGE), ("per_page", MAX_PER_PAGE)):
        if name in given:
            number = _parse_int(given[name])
            if number is None or not 1 <= number <= high:
                errors.add(name, f"must be an integer between 1 and {high}")
            else:
                numbers[name] = number
    bounds: dict[str, int | None] = {"price_gte": None, "price_lte": None}
    if prices:
        for name in bounds:
            if name in given:
                bounds[name] = _parse_int(given[name])
                if bounds[name] is None:
                    errors.add(name.replace("_", "."), "must be an integer amount (cents)")
    sort = given.get("sort", sorts[0])
    if sort not in sorts:
        errors.add("sort", f"unknown sort {sort!r}; allowed: {', '.join(sorts)}")
        sort = sorts[0]
    errors.raise_if_any(400)
    names = {"q", "sort", "per_page", *(("price_gte", "price_lte") if prices else ())}
    kept = {
        name.replace("price_", "price."): value
        for name, value in {**given, "sort": sort, "per_page": str(numbers["per_page"])}.items()
        if name in names
    }
    column, _, direction = sort.partition(".")
    return ListQuery(
        page=numbers["page"],
        per_page=numbers["per_page"],
        q=fold(given["q"]) if "q" in given else None,
        sort_column=column,
        descending=direction == "desc",
        price_gte=bounds["price_gte"],
        price_lte=bounds["price_lte"],
        canonical=tuple(sorted(kept.items())),
    )
