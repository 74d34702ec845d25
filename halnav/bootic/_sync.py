"""Keeping a local SQLite mirror of a shop's orders (``shop.sync_orders``, ``halnav bootic sync``).

The first run copies every order matching the filters; each later one asks only for those
updated since the mirror's high-water mark, by a stable walk (``updated_on_gte`` and
``sort=updated_on.asc``), and upserts them by id. The walk starts ``overlap`` before the mark:
the server stamps ``updated_on`` when it writes, and a write it stamped just before the last
page read may become visible only after it (a transaction slower than the read; the clocks of
the API's servers disagreeing by a few seconds). Orders read again there are compared with the
mirror's copy and counted as unchanged.

Every page is written with its new mark in one transaction, so a run stopped anywhere (an
error, Ctrl-C, ``kill -9``) leaves whole pages and a mark they cover: the next run goes on from
there, with nothing lost or written twice. Orders that stop matching the filters stay in the
mirror as they were last seen (the API has no feed of what left a query): mirror without a
``status`` filter to follow every order's status.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from .._exceptions import HALNavError
from .._json import is_object
from .._resource import Resource
from ._documented import MAX_PER_PAGE
from ._errors import InvalidFilter
from ._filters import order_query
from ._ids import id_key, parse_id
from ._keys import KEY_COLUMNS, Key, read_key
from ._labels import shop_label
from ._mirror import Mirror, MirrorError
from ._order import Order
from ._stable import StableWalk
from ._terms import QueryTerms

__all__ = ["DEFAULT_OVERLAP", "SyncError", "SyncReport", "sync_orders"]

#: How far before the mark a later run starts reading again, in seconds: two minutes, long
#: enough for a write stamped before the last page read but committed after it, or stamped by a
#: server whose clock is a little behind; short enough that a run right after another reads
#: little again.
DEFAULT_OVERLAP = 120.0
UPDATED_ON = KEY_COLUMNS["updated_on"]


@dataclass(frozen=True)
class SyncReport:
    """What one run of :meth:`Shop.sync_orders` did (so far, on a :class:`SyncError`)."""

    #: The mirror file.
    path: str
    #: The shop's id.
    shop_id: str
    #: The filters mirrored (their query text).
    filters: dict[str, str]
    #: Whether the mirror had no mark before: this run copies everything.
    first: bool
    #: The ``updated_on_gte`` the run started from (``None``: from the first order).
    since: str | None
    #: The orders the run's query matched when it started (the server's ``total_items``).
    total_items: int | None = None
    #: Pages fetched.
    pages: int = 0
    #: Orders read (each version once: one read again at a page's boundary is not counted).
    fetched: int = 0
    #: Orders new to the mirror.
    inserted: int = 0
    #: Orders whose copy changed.
    updated: int = 0
    #: Orders read again as they were (the overlap before the mark).
    unchanged: int = 0
    #: The high-water mark after the run: every matching order updated before it was read.
    mark: str | None = None
    #: Orders in the mirror after the run.
    orders: int = 0
    #: Whether the run reached the end.
    complete: bool = False
    #: How long it took.
    seconds: float = 0.0
    #: Whether the server refused date-times in ``updated_on_gte`` (the walk went by days).
    days: bool = field(default=False)

    def as_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dictionary."""
        return asdict(self)


class SyncError(HALNavError):
    """A sync that stopped: the mirror holds every page written before (consistent, with the
    mark they cover), and the next run goes on from there. ``report`` says how far it got; the
    cause is chained."""

    def __init__(self, message: str, *, report: SyncReport) -> None:
        super().__init__(message)
        self.report = report


def sync_orders(
    shop: Resource,
    path: str | os.PathLike[str],
    filters: Mapping[str, object],
    *,
    overlap: float | _dt.timedelta = DEFAULT_OVERLAP,
    on_page: Callable[[SyncReport], object] | None = None,
) -> SyncReport:
    """Bring the mirror at ``path`` up to date with ``shop``'s orders matching ``filters``."""
    given = {name: value for name, value in filters.items() if value is not None}
    for name in ("sort", "page"):
        if name in given:
            raise InvalidFilter(
                f"a sync walks every page by updated_on.asc itself; it takes no {name} "
                f"(got {name}={given[name]!r})",
                name=name,
                value=given[name],
            )
    per_page = given.pop("per_page", MAX_PER_PAGE)
    wanted = _identity(given)
    back = _overlap(overlap)
    shop_id, shop_url = _shop_identity(shop)
    started = time.monotonic()
    new = not os.path.exists(path)
    with Mirror.open(path) as mirror:
        state = mirror.check(shop_id, shop_url, wanted)
        mark = read_key(UPDATED_ON, state.mark) if state is not None and state.mark else None
        start = mark.earlier(back) if mark is not None else None
        query: dict[str, object] = {**given, "sort": "updated_on.asc", "per_page": per_page}
        own = read_key(UPDATED_ON, given.get("updated_on_gte"))
        if start is not None and (own is None or start.value > own.value):
            query.pop("updated_on_gte", None)
        else:
            start = None  # the filters' own bound is later: it starts the walk
        try:
            walk = StableWalk(shop, query, prefetch=1, start=start, keep=False)
        except BaseException:
            if new:  # refused before anything was recorded: leave no empty mirror behind
                mirror.close()
                _remove(mirror.path)
            raise
        mirror.begin(shop_id, shop_url, wanted)
        report = SyncReport(
            path=mirror.path,
            shop_id=shop_id,
            filters=wanted,
            first=mark is None,
            since=start.text if start is not None else None,
            mark=mark.text if mark is not None else None,
            orders=mirror.count(),
        )
        written: dict[str, bytes] = {}
        try:
            for orders in walk.pages(repeats=True):
                report, mark = _write(mirror, orders, written, report, mark)
                report = replace(
                    report,
                    pages=walk.pages_fetched,
                    total_items=walk.total_items,
                    days=walk.days,
                    seconds=time.monotonic() - started,
                )
                if on_page is not None:
                    on_page(report)
            mirror.finish()
        except (HALNavError, OSError, sqlite3.Error) as exc:
            report = replace(
                report,
                pages=walk.pages_fetched,
                total_items=walk.total_items,
                orders=mirror.count(),
                seconds=time.monotonic() - started,
            )
            raise SyncError(_stopped_message(report, exc), report=report) from exc
        return replace(
            report,
            pages=walk.pages_fetched,
            total_items=walk.total_items,
            orders=mirror.count(),
            complete=True,
            days=walk.days,
            seconds=time.monotonic() - started,
        )


def sync_identity(filters: Mapping[str, object]) -> dict[str, str]:
    """The filters a mirror records (their query text, by name), checked for their shape;
    ``per_page`` is not one of them (it changes how, not what, is mirrored)."""
    given = {n: v for n, v in filters.items() if v is not None and n != "per_page"}
    return _identity(given)


def _identity(given: Mapping[str, object]) -> dict[str, str]:
    # Any name: the server's form decides which it takes, when the walk starts.
    terms = QueryTerms("the filters given", tuple(given))
    return order_query(given, terms)


def _overlap(overlap: float | _dt.timedelta) -> _dt.timedelta:
    seconds = overlap.total_seconds() if isinstance(overlap, _dt.timedelta) else overlap
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise ValueError(f"overlap must be 0 or more seconds, got {overlap!r}")
    return _dt.timedelta(seconds=seconds)


def _shop_identity(shop: Resource) -> tuple[str, str]:
    """The shop's id and ``self`` URL: what a mirror is of."""
    ident = shop.get("id")
    url: str | None = None
    try:
        if "self" in shop.links:
            url = shop.link("self").url()
    except HALNavError:
        url = None
    url = url or shop.url
    if ident is None or not url:
        raise HALNavError(f"{shop_label(shop)} has no id or no self link to name it in a mirror")
    return id_key(ident), url


def _write(
    mirror: Mirror,
    orders: list[Order],
    written: dict[str, bytes],
    report: SyncReport,
    mark: Key | None,
) -> tuple[SyncReport, Key | None]:
    """Write one page's orders (those read before in this run, as they were, left out) and the
    mark they take it to."""
    documents: list[tuple[int, dict[str, Any]]] = []
    for order in orders:
        found: object = order.document
        if not is_object(found):
            raise MirrorError(
                f"an order of the page is not a JSON object ({found!r}); nothing of the "
                "page was written",
                path=mirror.path,
            )
        document = found
        ident = _order_id(document.get("id"))
        digest = hashlib.blake2b(
            json.dumps(document, sort_keys=True).encode("utf-8"), digest_size=16
        ).digest()
        if written.get(str(ident)) == digest:
            continue  # a page's boundary read again: the same version, already written
        written[str(ident)] = digest
        key = read_key(UPDATED_ON, document.get("updated_on"))
        if key is not None and (mark is None or key.value > mark.value):
            mark = key
        documents.append((ident, document))
    counts = mirror.write_page(documents, mark.text if mark is not None else None)
    return (
        replace(
            report,
            fetched=report.fetched + len(documents),
            inserted=report.inserted + counts.inserted,
            updated=report.updated + counts.updated,
            unchanged=report.unchanged + counts.unchanged,
            orders=report.orders + counts.inserted,
            mark=mark.text if mark is not None else None,
        ),
        mark,
    )


def _order_id(value: object) -> int:
    ident = parse_id(value) if isinstance(value, str) else value
    if isinstance(ident, bool) or not isinstance(ident, int):
        raise HALNavError(
            f"an order has the id {value!r}: a mirror keys its orders by whole-number ids; "
            "nothing of its page was written"
        )
    return ident


def _remove(path: str) -> None:
    for name in (path, f"{path}-wal", f"{path}-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(name)


def _stopped_message(report: SyncReport, exc: BaseException) -> str:
    where = (
        f"the mirror is whole up to updated_on {report.mark}"
        if report.mark
        else "nothing was written"
    )
    return (
        f"the sync to {report.path} stopped after {report.pages} pages and {report.fetched} "
        f"orders ({exc}); {where}: run it again to go on from there"
    )
