"""What a walk's pages declare of their collection, and whether the walk received it.

A collection's pages declare counts: the items in all (``total_items``, Spring's
``page.totalElements``, Eve's ``_meta.total``, DRF's ``count``...), the pages in all
(``totalPages``...), and a ``last`` link. When every page of a walk that declares one declares
the same, and the walk ends with fewer or more items (or pages) than that, an answer came back
short or empty with a valid status (or the server's count is wrong): the walk raises
:class:`~halnav.WalkCountMismatch` naming what was promised, what was received and where the walk
stopped. When a declared count changed during the walk, the collection changed under it: that is
no fault of the answers, so it is logged (a stable walk re-reads what shifted), never raised.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ._document import first_link, raw_part
from ._exceptions import HALNavError, WalkCountMismatch
from ._json import is_object
from ._page_plans import (
    METADATA_KEYS,
    OFFSET_PARAMETERS,
    PAGE_PARAMETERS,
    TOTAL_ITEMS,
    TOTAL_PAGES,
    Page,
    Pager,
    declared_counts,
    is_offset,
    next_link_url,
)
from ._redact import redact_url

__all__ = ["Promise", "declared_total"]

logger = logging.getLogger("halnav")

#: The relations of a link to the page before (IANA ``prev``; ``previous`` as DRF writes it).
_PREVIOUS = ("prev", "previous")


def declared_total(page: Page) -> int | None:
    """The number of items ``page`` says its collection holds, if it says."""
    return declared_counts(page.document)["total"]


class Promise:
    """What the walk's first page declares of what is to come, and what the walk received.

    Made of the walk's first page (which may be any page: a resumed walk starts in the middle),
    told of every page the walk goes on to (:meth:`observe`), asked at the walk's end
    (:meth:`verdict`). ``stable``: the walk handles a changing collection itself, so a change is
    logged at INFO rather than WARNING.
    """

    __slots__ = (
        "_stable",
        "_declared",
        "_items",
        "_pages",
        "_received_items",
        "_received_pages",
        "_items_found",
        "_first_size",
        "_short",
        "_changed",
        "_last_url",
        "_last_before",
        "_last_items",
        "_full",
    )

    def __init__(self, first: Page, pager: Pager | None, *, stable: bool = False) -> None:
        self._stable = stable
        counts = declared_counts(first.document)
        self._declared = _declared(first)
        #: Items, and pages, expected from the first page on.
        self._items: int | None = None
        self._pages: int | None = None
        before = _items_before(first, counts["index"], counts["size"], pager)
        total = counts["total"]
        if total is not None and before is not None and total >= before:
            self._items = total - before
        pages, index = counts["pages"], counts["index"]
        if pages is not None and index is not None and pages > index:
            self._pages = pages - index
        else:
            self._pages = _pages_to_last(first, pager)
        #: How many items the first page holds when it is full (it has a next link and declares
        #: its page size).
        self._full = counts["size"] if counts["size"] and next_link_url(first) else None
        self._received_items = 0
        self._received_pages = 0
        self._items_found = False
        self._first_size: int | None = None
        #: The first page before the last that held fewer items than the first: (url, count).
        self._short: tuple[str, int] | None = None
        #: The first count that changed: (name, first value, value, page URL).
        self._changed: tuple[str, str, str, str] | None = None
        self._last_url = first.url or ""
        self._last_before = 0
        self._last_items: int | None = None

    @property
    def changed(self) -> bool:
        """Whether a page declared another count than the first page did."""
        return self._changed is not None

    def observe(self, page: Page, items: int, found: bool, before: int) -> None:
        """``page`` was read on the walk's way forward (not a page read again), holding
        ``items`` of the walk's relation (``found``: whether it has that relation at all),
        after ``before`` items were yielded. Items are counted once a page has the relation:
        a collection that embeds its items elsewhere (under another name, or in a property)
        is checked by its pages alone."""
        if self._received_pages:
            if self._changed is None:
                self._compare(page)
            # The page before this one was not the last: was it short?
            previous, first = self._last_items, self._first_size
            if (
                self._short is None
                and previous is not None
                and first is not None
                and previous < first
            ):
                self._short = (self._last_url, previous)
        else:
            self._first_size = items
            if found and self._full is not None and items != self._full:
                # A page with a next link is full: the walk's relation is not what the pages
                # count (another embedded relation than the collection's items).
                self._items = None
        self._received_pages += 1
        self._received_items += items
        self._items_found = self._items_found or found
        self._last_items = items
        self._last_url = page.url or self._last_url
        self._last_before = before

    def read_again(self, page: Page) -> None:
        """``page`` was read again (a stable walk going back over what shifted): its items are
        not counted, but a count it declares that differs says the collection changed."""
        if self._changed is None:
            self._compare(page)

    def _compare(self, page: Page) -> None:
        for name, value in _declared(page).items():
            first = self._declared.get(name)
            if first is not None and first != value:
                self._changed = (name, first[1], value[1], page.url or "(no URL)")
                return

    def verdict(self) -> None:
        """At the walk's end: raise :class:`WalkCountMismatch` when what it received is not what
        every page declared; log when the declared counts changed during the walk."""
        if self._changed is not None:
            name, was, now, url = self._changed
            log = logger.info if self._stable else logger.warning
            log(
                "walk: the collection changed during the walk: %s was %s on its first page and "
                "%s on %s%s",
                name,
                was,
                now,
                redact_url(url),
                "; a stable walk yields no item twice, and reads again what it sees shift back"
                if self._stable
                else "; items may have been missed or repeated (a stable walk, "
                "iterate(stable=True), re-reads what shifted and yields no item twice)",
            )
            return
        expected, received, unit = self._items, self._received_items, "items"
        if expected is None or not self._items_found:
            expected, received, unit = self._pages, self._received_pages, "pages"
            if expected is None or expected < 1:
                return
        if expected == received:
            return
        by = self._by_name(unit)
        shown = redact_url(self._last_url)
        how = "fewer" if received < expected else "more"
        message = (
            f"the walk ended with {received} {unit} where its pages declared {expected} ({by}, "
            f"the same on every page): {how} than promised. It stopped at {shown} (no next link)"
        )
        short = self._short
        if received < expected and short is not None:
            message += f"; {redact_url(short[0])} held {short[1]} items, fewer than the first page"
        message += (
            ". A page came back short or empty with a valid status, or the server's count is wrong"
        )
        raise WalkCountMismatch(
            message,
            unit=unit,
            expected=expected,
            received=received,
            declared_by=by,
            page_url=self._last_url or None,
            items_before=self._last_before,
        )

    def _by_name(self, unit: str) -> str:
        wanted = ("total",) if unit == "items" else ("pages", "last")
        names = [name for name, (kind, _) in self._declared.items() if kind in wanted]
        return names[0] if names else unit


def _declared(page: Page) -> dict[str, tuple[str, str]]:
    """The counts ``page`` declares, by name: ``{"total_items": ("total", "242"), ...}`` (a
    ``last`` link by its URL, its query's order aside)."""
    found: dict[str, tuple[str, str]] = {}
    document = page.document
    if not is_object(document):
        return found
    counts = declared_counts(document)
    if counts["total"] is not None:
        found[_name_of(document, counts["total"], "total")] = ("total", str(counts["total"]))
    if counts["pages"] is not None:
        found[_name_of(document, counts["pages"], "pages")] = ("pages", str(counts["pages"]))
    try:
        last = first_link(document, "last", page.url, page.url)
        if last is not None and not last.templated:
            found["the last link"] = ("last", _comparable(last.url()))
    except HALNavError:
        pass
    return found


def _name_of(document: dict[str, Any], value: int, kind: str) -> str:
    """Where ``document`` declares ``value`` (``total_items``, ``page.totalElements``...)."""
    names = TOTAL_ITEMS if kind == "total" else TOTAL_PAGES
    places: list[tuple[str, Any]] = [("", document)]
    for key in METADATA_KEYS:
        inner = document.get(key)
        if is_object(inner):
            places.append((f"{key}.", inner))
    for prefix, place in places:
        for name, item in place.items():
            if item == value and type(item) is int and name in names:
                return f"{prefix}{name}"
    return "the total" if kind == "total" else "the page count"


def _comparable(url: str) -> str:
    parts = urlsplit(url)
    query = "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}?{query}"


def _items_before(
    first: Page, index: int | None, size: int | None, pager: Pager | None
) -> int | None:
    """How many items of the collection come before ``first``, when its counts or URL say."""
    if index == 0:
        return 0
    if index is not None and size:
        return index * size
    if pager is not None:
        written = _written_value(first, pager)
        if written is None:
            return 0  # no paging parameter in its URL: the collection's first page
        if is_offset(pager.param):
            return written
        # A page number, 0- or 1-based: the first page when its first link names it, or, with
        # no first link, when it is page 0 or 1 and no link leads to a page before it.
        first_value = _link_value(first, "first", pager)
        if first_value is not None:
            return 0 if first_value == written else None
        return 0 if written <= 1 and not _has_previous(first) else None
    if not _has_previous(first) and _looks_first(first):
        return 0
    return None


def _pages_to_last(first: Page, pager: Pager | None) -> int | None:
    """How many pages, ``first`` included, its ``last`` link promises (by ``pager``'s parameter)."""
    if pager is None:
        return None
    last_value = _link_value(first, "last", pager)
    if last_value is None or last_value < pager.first:
        return None
    span = last_value - pager.first
    return None if span % pager.step else span // pager.step + 1


def _link_value(page: Page, rel: str, pager: Pager) -> int | None:
    """The paging parameter's value in ``page``'s ``rel`` link, if it has a usable one."""
    try:
        link = first_link(page.document, rel, page.url, page.url)
        return None if link is None or link.templated else pager.value_of(link.url())
    except HALNavError:
        return None


def _written_value(page: Page, pager: Pager) -> int | None:
    """The paging parameter's value ``page``'s URL (or its ``self``) writes, if any."""
    value = pager.value_of(page.url)
    return value if value is not None else _link_value(page, "self", pager)


def _has_previous(page: Page) -> bool:
    links = raw_part(page.document, "_links")
    return any(links.get(rel) not in (None, [], "") for rel in _PREVIOUS)


def _looks_first(page: Page) -> bool:
    """Whether ``page``'s URL has no parameter numbering pages or offsetting items."""
    query = dict(parse_qsl(urlsplit(page.url or "").query))
    return not any(
        query.get(key, "0") not in ("0", "1") for key in (*PAGE_PARAMETERS, *OFFSET_PARAMETERS)
    )
