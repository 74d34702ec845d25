"""An orders collection served through ``responses``, over a list the test changes between pages.

The double answers ``GET /v1/shops/1/orders.json`` as the API does: filters by ``status`` and by
the ``*_gte``/``*_lte`` of the key columns (a date covers its day, a date-time is exact), sorts
with ties broken by id (orders without the date last), pages by number with ``next`` links and
``total_items``. It can refuse date-times (as a server that takes dates only would), or ignore
the range filters (a broken server). ``before_page`` runs before each answer: the test's writers,
interleaved with the walk deterministically.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import responses

from .documents import ORDERS_URL

COLUMNS = ("created_on", "updated_on", "pending_on", "closed_on", "shipped_on", "net_total")
_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})(T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z?)?$")


def order(ident: int, created_on: str, status: str = "pending", **extra: Any) -> dict[str, Any]:
    """An order of the double (``updated_on`` defaults to ``created_on``)."""
    return {
        "_links": {"self": {"href": f"/v1/shops/1/orders/{ident}.json"}},
        "id": ident,
        "code": f"C{ident}",
        "status": status,
        "created_on": created_on,
        "updated_on": extra.pop("updated_on", created_on),
        "net_total": extra.pop("net_total", 1000),
        **extra,
    }


def moment(seconds: int) -> str:
    """``2016-01-01T00:00:00Z`` plus ``seconds``."""
    start = dt.datetime(2016, 1, 1)
    return (start + dt.timedelta(seconds=seconds)).isoformat() + "Z"


class OrdersDouble:
    """The collection: ``orders`` (a list the test may change), and how it answers."""

    def __init__(
        self,
        orders: list[dict[str, Any]],
        *,
        dates_only: bool = False,
        ignore_ranges: bool = False,
    ) -> None:
        self.orders = orders
        self.dates_only = dates_only
        self.ignore_ranges = ignore_ranges
        #: Called with the number of the request (from 1) before each answer.
        self.before_page: list[Callable[[int], None]] = []
        #: The queries answered, in order.
        self.queries: list[dict[str, str]] = []

    def install(self, rsps: responses.RequestsMock) -> None:
        rsps.add_callback(
            responses.GET, re.compile(re.escape(ORDERS_URL) + r"(\?.*)?$"), self._answer
        )

    def _answer(self, request: Any) -> tuple[int, dict[str, str], str]:
        query = dict(parse_qsl(urlsplit(request.url).query))
        self.queries.append(query)
        for hook in self.before_page:
            hook(len(self.queries))
        errors = []
        chosen = list(self.orders)
        if "status" in query and query["status"] != "all":
            wanted = set(query["status"].split(","))
            chosen = [o for o in chosen if o["status"] in wanted]
        for name, value in query.items():
            column, _, side = name.rpartition("_")
            if column not in COLUMNS or side not in ("gte", "lte"):
                continue
            bound = _bound(column, value, side, self.dates_only)
            if bound is None:
                errors.append({"field": name, "messages": [f"{name}: expected a date"]})
                continue
            if self.ignore_ranges:
                continue
            chosen = [o for o in chosen if _within(o.get(column), bound, side)]
        if errors:
            body = {"_class": ["errors"], "message": "bad filters", "_embedded": {"errors": errors}}
            return 400, {"Content-Type": "application/json"}, _json(body)
        column, _, direction = query.get("sort", "created_on.desc").partition(".")
        present = [o for o in chosen if o.get(column) is not None]
        absent = [o for o in chosen if o.get(column) is None]
        present.sort(key=lambda o: (_sortable(o[column]), o["id"]), reverse=direction == "desc")
        chosen = present + sorted(absent, key=lambda o: o["id"])
        per_page = int(query.get("per_page", 30))
        page = int(query.get("page", 1))
        items = chosen[(page - 1) * per_page : page * per_page]
        links: dict[str, Any] = {"self": {"href": _url(query, page)}}
        if page * per_page < len(chosen):
            links["next"] = {"href": _url(query, page + 1)}
        body = {
            "_links": links,
            "total_items": len(chosen),
            "per_page": per_page,
            "page": page,
            "_embedded": {"items": [dict(o) for o in items]},
        }
        return 200, {"Content-Type": "application/json"}, _json(body)


def _url(query: dict[str, str], page: int) -> str:
    return f"{ORDERS_URL}?{urlencode(sorted({**query, 'page': str(page)}.items()))}"


def _json(body: Any) -> str:
    return json.dumps(body)


def _sortable(value: Any) -> Any:
    return value.rstrip("Z") if isinstance(value, str) else value


def _bound(column: str, value: str, side: str, dates_only: bool) -> tuple[str, Any] | None:
    if column == "net_total":
        return ("number", int(value)) if value.lstrip("-").isdecimal() else None
    match = _MOMENT.match(value)
    if match is None:
        return None
    if match.group(2) is None:  # a date: its whole day
        return ("day", match.group(1))
    if dates_only:
        return None
    return ("moment", f"{match.group(1)}T{match.group(3)}:{match.group(4)}:{match.group(5)}")


def _within(value: Any, bound: tuple[str, Any], side: str) -> bool:
    if value is None:
        return False
    kind, limit = bound
    if kind == "number":
        return value >= limit if side == "gte" else value <= limit
    text = _sortable(value)
    if kind == "day":
        day = text[:10]
        return day >= limit if side == "gte" else day <= limit
    seconds = text[:19]
    return seconds >= limit if side == "gte" else seconds <= limit
