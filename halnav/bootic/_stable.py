"""Stable walks: every order matching the filters for the whole walk, exactly once, while the
orders change.

A walk by page number loses orders when the set shrinks under it (each one closed moves the
rest up a page) and repeats them when it grows. A stable walk moves by the sort's own column
instead (keyset): each query asks for the orders from the last one's value on
(``created_on_gte=...``), through the same ``btc:orders`` link and checked filters as any query.

- The last order of each page is asked again (``_gte`` includes it), so each query asks for one
  order more than ``per_page`` (and as many more as the orders sharing that last value, within
  :data:`MAX_PER_PAGE`): the walk fetches as many pages as a walk by page number would, and a
  set of ids leaves out what was yielded already.
- More orders sharing one value than a page can ask for again (a block) cannot move the bound:
  they are paged through by number (``X_gte=K&X_lte=K&page=2``), each page checked; when an
  order left the value meanwhile they are walked by another column (see :class:`_Keyset`),
  then the walk moves one unit past the value.
- Orders whose key moves against the walk's direction while it runs would be passed over: a
  descending walk by a date (dates move forward, to the time of a write) ends by walking up
  from where it started (``X_gte=first``); a walk by ``net_total`` (which changes either way)
  ends by walking the orders updated since it started (``updated_on_gte=...``, learnt by one
  small query before the walk). Those orders come after the others.
- A server that refuses a date-time in a date filter (400 or 422 naming it) is walked by whole
  days instead, with the same paging within a day.

Each next query is made of the page before, so a stable walk cannot fetch several pages ahead;
``prefetch=N`` fetches the next page while the orders of the current one are consumed.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Generator, Iterator, Mapping
from concurrent.futures import Future
from urllib.parse import parse_qsl, urlsplit

from .._exceptions import BadRequest, HALNavError, HTTPError, InvalidDocument, UnprocessableEntity
from .._fetcher import Fetcher
from .._pagination import parse_count
from .._resource import Resource
from ._documented import MAX_PER_PAGE, ORDER_SORTS
from ._errors import InvalidFilter
from ._ids import id_key
from ._keys import KEY_COLUMNS, Key, KeyColumn, key_column, read_key
from ._labels import shop_label
from ._navigation import embedded_as, find_link
from ._order import Order
from ._query import order_terms, query_orders
from ._terms import canonical
from ._values import check_value

__all__ = ["DEFAULT_PER_PAGE", "DEFAULT_STABLE_SORT", "StableWalk"]

logger = logging.getLogger("halnav")

#: The sort of a stable walk given none (oldest first: new orders come at the end).
DEFAULT_STABLE_SORT = "created_on.asc"
#: Orders per page when none is given: the documented default.
DEFAULT_PER_PAGE = 30
#: How often the orders sharing two values are read again from their first page because one
#: before the last read left them, before the walk gives up saying so (it never skips one).
MAX_BLOCK_RESTARTS = 50
SHOP_RELS = ("btc:shop", "shop")
#: The column a block (orders sharing one value of the walk's column) is walked by: one that
#: never moves, or, inside a block of the one that never moves, one that only moves forward.
_BLOCK_COLUMNS = {
    name: KEY_COLUMNS["updated_on" if name == "created_on" else "created_on"]
    for name in KEY_COLUMNS
}
#: A page's orders as read, and those of them not yielded before.
_Read = tuple[list[Order], list[Order]]


class StableWalk(Iterator[Order]):
    """The orders of a stable walk (:meth:`Shop.iter_orders` with ``stable=True``), fetched as
    consumed, with counts of what it cost.

    Every order that matches the filters for the whole walk is yielded exactly once, whatever
    is created, updated or moved meanwhile (by others or by the loop's own body); an order that
    joins or leaves the set during the walk is yielded at most once. :meth:`pages` gives the
    same orders page by page instead (use one or the other).
    """

    def __init__(
        self,
        shop: Resource,
        filters: Mapping[str, object],
        *,
        prefetch: int = 0,
        first: Resource | None = None,
        start: Key | None = None,
        keep: bool | None = None,
    ) -> None:
        if prefetch < 0:
            raise ValueError(f"prefetch must be 0 or more, got {prefetch}")
        self._shop = shop
        self._plan = _plan(shop, filters)
        #: Pages (and the one small query of a ``net_total`` walk) fetched so far.
        self.pages_fetched = 0
        #: Orders read on those pages, repeats included.
        self.orders_read = 0
        #: Orders yielded.
        self.yielded = 0
        #: The orders matching the filters when the walk's first page was fetched.
        self.total_items: int | None = None
        #: The window asked for; at most one page is ever fetched ahead.
        self.prefetch = prefetch
        #: Whether the server refused date-times, so that the walk moves by whole days.
        self.days = False
        self._start = start
        self._keep = keep
        self._seen: set[str] = set()
        self._future: Future[Resource] | None = None
        self._pages = self._walk(first)
        self._orders: Iterator[Order] | None = None

    # -- what it is ---------------------------------------------------------------------------

    @property
    def sort(self) -> str:
        """The sort the walk moves by (``created_on.asc`` unless one was given)."""
        return self._plan.sort

    @property
    def key(self) -> str:
        """The column the walk moves by (``created_on``)."""
        return self._plan.column.name

    @property
    def per_page(self) -> int:
        """Orders asked for per page: one more than the ``per_page`` given (the last order of
        each page is asked again), unless that is more than :data:`MAX_PER_PAGE`."""
        return self._plan.per_page

    @property
    def repeats(self) -> int:
        """Orders read again and not yielded (page boundaries, orders that moved)."""
        return self.orders_read - self.yielded

    @property
    def prefetching(self) -> bool:
        """Whether the next page is fetched while the current one's orders are consumed."""
        return self.prefetch > 0

    @property
    def why_sequential(self) -> str | None:
        """Why no more than one page is fetched ahead."""
        if self.prefetch == 0:
            return "no prefetch was asked (prefetch=0)"
        return (
            "a stable walk makes each query of the last order of the page before: the next "
            "page is fetched while this one is consumed, never more"
        )

    # -- iterating ----------------------------------------------------------------------------

    def __next__(self) -> Order:
        if self._orders is None:
            self._orders = (order for _, new in self._pages for order in new)
        return next(self._orders)

    def __iter__(self) -> StableWalk:
        return self

    def pages(self, *, repeats: bool = False) -> Iterator[list[Order]]:
        """The walk page by page: for each page fetched, the orders it brought that were not
        yielded before (an empty list for a page of repeats); with ``repeats=True``, every
        order read on it (an order updated since it was read comes again: a sync compares)."""
        return (read if repeats else new for read, new in self._pages)

    def close(self) -> None:
        """Stop the walk (a page being fetched ahead is cancelled or left to finish)."""
        self._pages.close()

    def __repr__(self) -> str:
        return (
            f"<StableWalk {self.sort} by {self.key}{' (days)' if self.days else ''}: "
            f"{self.yielded} orders, {self.pages_fetched} pages>"
        )

    def _walk(self, first: Resource | None) -> Generator[_Read, None, None]:
        plan = self._plan
        try:
            since: Key | None = None
            if plan.column.moves == "any":
                since = self._last_updated()
            main = _Keyset(plan.column, plan.descending, plan.query(), bound=self._start)
            yield from self._run(main, first)
            catch_up = self._catch_up(main, since)
            if catch_up is not None:
                yield from self._run(catch_up, None)
        finally:
            if self._future is not None:
                self._future.cancel()
                self._future = None

    def _catch_up(self, main: _Keyset, since: Key | None) -> _Keyset | None:
        """The walk up from where the main walk started, for orders that moved against it."""
        plan = self._plan
        if plan.column.moves == "forward" and plan.descending and main.first is not None:
            start, column = main.first, plan.column
        elif plan.column.moves == "any" and since is not None:
            start, column = since, KEY_COLUMNS["updated_on"]
        else:
            return None
        query = plan.query(sort=f"{column.name}.asc")
        query.pop(column.low, None)
        keyset = _Keyset(column, False, query, bound=start)
        if self.days:
            keyset.to_days()
        return keyset

    def _last_updated(self) -> Key | None:
        """The newest ``updated_on`` among the orders matching the filters (one small query)."""
        query = self._plan.query(sort="updated_on.desc")
        query["per_page"] = 1
        page = self._fetch(query, keep=True)
        for order in embedded_as(page, Order, "items"):
            return read_key(KEY_COLUMNS["updated_on"], order.get("updated_on"))
        return None

    def _run(self, keyset: _Keyset, first: Resource | None) -> Iterator[_Read]:
        page = first if first is not None else self._query(keyset, self._keep is not False)
        if self.total_items is None:
            self.total_items = parse_count(page.get("total_items"))
        keep = self._keep if self._keep is not None else self._holds(page)
        while True:
            orders = embedded_as(page, Order, "items")
            idents = [_identity(order) for order in orders]
            self.orders_read += len(orders)
            reading = keyset.active()
            more = keyset.advance(
                [self._key(reading, order) for order in orders], idents, _has_next(page)
            )
            if more and self.prefetch:
                self._future = self._ahead(keyset, keep)
            new: list[Order] = []
            for order, ident in zip(orders, idents, strict=True):
                if ident not in self._seen:
                    self._seen.add(ident)
                    new.append(order)
            self.yielded += len(new)
            yield orders, new
            if not more:
                return
            page = self._next(keyset, keep)

    def _key(self, keyset: _Keyset, order: Order) -> Key:
        value = order.get(keyset.column.name)
        key = read_key(keyset.column, value, days=keyset.days)
        if key is None:
            raise InvalidDocument(
                f"order {order.code or order.id} has {keyset.column.name} {value!r}, not a "
                f"{'number' if keyset.column.kind == 'number' else 'date'}: the stable walk "
                "moves by that column and cannot place it"
            )
        return key

    def _ahead(self, keyset: _Keyset, keep: bool) -> Future[Resource]:
        """The next page, fetched by one of the client's prefetch threads."""
        return _fetcher(self._shop).prefetch_executor(1).submit(self._fetch, keyset.query(), keep)

    def _next(self, keyset: _Keyset, keep: bool) -> Resource:
        future, self._future = self._future, None
        if future is None:
            return self._query(keyset, keep)
        try:
            return future.result()
        except HTTPError as exc:
            if keyset.refused_moment(exc):
                return self._by_days(keyset, keep)
            raise self._stopped(exc, keyset) from None
        except HALNavError as exc:
            raise self._stopped(exc, keyset) from None

    def _query(self, keyset: _Keyset, keep: bool) -> Resource:
        """The page of ``keyset``'s next query; by whole days from then on when the server
        refuses a date-time."""
        try:
            return self._fetch(keyset.query(), keep)
        except HTTPError as exc:
            if not keyset.refused_moment(exc):
                raise self._stopped(exc, keyset) from None
        except HALNavError as exc:
            raise self._stopped(exc, keyset) from None
        return self._by_days(keyset, keep)

    def _by_days(self, keyset: _Keyset, keep: bool) -> Resource:
        self.days = True
        logger.info(
            "stable walk: the server refuses date-times in %s; walking by whole days",
            keyset.active().column.low,
        )
        try:
            return self._fetch(keyset.query(), keep)
        except HALNavError as exc:
            raise self._stopped(exc, keyset) from None

    def _fetch(self, query: dict[str, object], keep: bool) -> Resource:
        client = _fetcher(self._shop)
        with client.walking(keep=keep):
            page = query_orders(self._shop, query)
        self.pages_fetched += 1
        return page

    def _holds(self, page: Resource) -> bool:
        """Whether the client's cache can hold the walk's pages (else they are not kept)."""
        total = parse_count(page.get("total_items"))
        if total is None:
            return True
        pages = math.ceil(total / max(1, self._plan.per_page - 1)) + 1
        return _fetcher(self._shop).cache_holds(len(page.content), pages)

    def _stopped(self, exc: HALNavError, keyset: _Keyset) -> HALNavError:
        """``exc``, saying where the walk stopped."""
        where = keyset.where()
        exc.message += (
            f" (the stable walk by {self.sort} stopped after {self.yielded} orders"
            + (f", at {where}" if where else "")
            + ")"
        )
        exc.args = (exc.message,)
        return exc

    @classmethod
    def from_page(cls, page: Resource, *, prefetch: int = 0) -> StableWalk:
        """The stable walk of ``page``'s query from its first order on: its filters read from
        its ``self`` link, queries sent through the shop its ``btc:shop`` link leads to."""
        holder, link = find_link(page, *SHOP_RELS)
        shop = holder.follow(link.rel)
        filters = _page_filters(page)
        sort = str(filters.get("sort") or DEFAULT_STABLE_SORT)
        column = key_column(sort.partition(".")[0])
        orders = embedded_as(page, Order, "items")
        number = parse_count(page.get("page"))
        first: Resource | None = page
        if column is not None and orders and number is not None and number > 1:
            # From a later page: the walk starts at this page's first order.
            start = read_key(column, orders[0].get(column.name))
            if start is not None:
                filters[column.high if sort.endswith(".desc") else column.low] = start.text
        if column is not None and column.moves == "any":
            first = None  # the walk learns where updates start before its first page
        return cls(shop, filters, prefetch=prefetch, first=first)


class _Plan:
    """What a stable walk asks: the user's filters, the sort and its column, the page size."""

    __slots__ = ("filters", "sort", "column", "descending", "per_page")

    def __init__(
        self,
        filters: dict[str, object],
        sort: str,
        column: KeyColumn,
        descending: bool,
        per_page: int,
    ) -> None:
        self.filters = filters
        self.sort = sort
        self.column = column
        self.descending = descending
        self.per_page = per_page

    def query(self, *, sort: str | None = None) -> dict[str, object]:
        """The filters of every query of the walk (before its bound)."""
        return {**self.filters, "sort": sort or self.sort, "per_page": self.per_page}


def _plan(shop: Resource, filters: Mapping[str, object]) -> _Plan:
    """Check what a stable walk is asked, before any filtered request."""
    given = {name: value for name, value in filters.items() if value is not None}
    sort = given.pop("sort", None)
    sort = DEFAULT_STABLE_SORT if sort is None else check_value("sort", "sort", sort, None)
    name, _, direction = sort.partition(".")
    column = key_column(name)
    if column is None or direction not in ("asc", "desc"):
        movable = [s for s in ORDER_SORTS if s.partition(".")[0] in KEY_COLUMNS]
        raise InvalidFilter(
            f"a stable walk moves by its sort's column and that column's _gte/_lte filter, and "
            f"sort {sort!r} has none; sorts it can move by: {', '.join(movable)}",
            name="sort",
            value=sort,
            allowed=movable,
        )
    if "page" in given:
        raise InvalidFilter(
            f"a stable walk goes through every page itself; it takes no page "
            f"(got page={given['page']!r}): drop it, or walk from a page with "
            "page.iter_orders(stable=True)",
            name="page",
            value=given["page"],
        )
    size = given.pop("per_page", None)
    per_page = (
        DEFAULT_PER_PAGE if size is None else int(check_value("integer", "per_page", size, None))
    )
    # One more than asked, as the last order of each page is read again; at the server's
    # largest page, a page then brings one order fewer than a walk by page number's.
    asked = per_page + 1 if per_page < MAX_PER_PAGE else per_page
    descending = direction == "desc"
    if column.nullable and column.low not in given and column.high not in given:
        raise InvalidFilter(
            f"a stable walk by {sort} reaches only the orders that have a {column.name}, by "
            f"{column.low}/{column.high}; orders without one would be left out silently. Give "
            f"{column.low} (e.g. {column.low}='2000-01-01') to walk those that have one, or "
            "sort by created_on or updated_on, which every order has",
            name="sort",
            value=sort,
        )
    terms = order_terms(shop, {**given, "sort": sort, "per_page": per_page})
    missing = [f for f in (column.low, column.high) if not terms.accepts(f)]
    if missing:
        raise InvalidFilter(
            f"a stable walk by {sort} needs the filters {column.low} and {column.high}, and "
            f"{terms.source} does not take {', '.join(missing)}; {terms.listing()}",
            name="sort",
            value=sort,
            allowed=terms.names,
        )
    return _Plan(given, sort, column, descending, asked)


class _Keyset:
    """Where one keyset walk is: its bound, or the block of orders sharing one value that it
    goes through; :meth:`query` is the next query, :meth:`advance` reads a page.

    A block is paged through by number, from the last order read, and each of its pages is
    checked: its first order must be that last one (the first page is asked for so that it
    overlaps by one), or, for later pages, a one-order query of that position made after the
    page (a probe) must still find it there, or one before it (an order that came is read
    twice, never skipped). When the check fails (an order before left the value meanwhile),
    the block is walked again by a keyset of its own on another column (``sub``):
    ``created_on``, which never moves, inside a block of a column that does; ``updated_on``,
    which only moves forward (an order moving stays ahead), inside a ``created_on`` block.
    Orders leaving the block then shift nothing. A block within a block whose check fails is
    read again from its first page, at most :data:`MAX_BLOCK_RESTARTS` times.
    """

    __slots__ = (
        "column",
        "descending",
        "base",
        "size",
        "depth",
        "bound",
        "extra",
        "block",
        "sub",
        "block_page",
        "block_size",
        "expect",
        "probing",
        "last_read",
        "block_more",
        "restarts",
        "days",
        "first",
    )

    def __init__(
        self,
        column: KeyColumn,
        descending: bool,
        base: dict[str, object],
        *,
        bound: Key | None = None,
        depth: int = 0,
    ) -> None:
        self.column = column
        self.descending = descending
        #: The filters, sort and page size of every query.
        self.base = base
        size = base.get("per_page")
        self.size = size if isinstance(size, int) else DEFAULT_PER_PAGE + 1
        #: 0 for the walk, 1 for the walk of a block.
        self.depth = depth
        #: The walk's side of the range: orders from this value on.
        self.bound = bound
        #: Orders at the bound's value read already, but the one a page asks for anyway.
        self.extra = 0
        #: The value whose orders the walk goes through, and the walk doing it (else by number).
        self.block: Key | None = None
        self.sub: _Keyset | None = None
        #: Paging a block by number: the page to read and its size.
        self.block_page = 1
        self.block_size = self.size
        #: The order the next answer must start with (or with one before it).
        self.expect: str | None = None
        #: Whether the next query is the probe of the page before's last order.
        self.probing = False
        #: The last order of the block page before the one just read, and whether the block
        #: has pages after the one just read.
        self.last_read: str | None = None
        self.block_more = False
        self.restarts = 0
        self.days = False
        #: The key of the first order read (a descending walk's catch-up starts there).
        self.first: Key | None = None

    @property
    def side(self) -> str:
        """The filter the walk moves: ``_lte`` going down, ``_gte`` going up."""
        return self.column.high if self.descending else self.column.low

    def active(self) -> _Keyset:
        """The walk whose column the next page's orders are read by (a block's, in a block)."""
        return self.sub.active() if self.sub is not None else self

    def query(self) -> dict[str, object]:
        """The next query's filters."""
        if self.sub is not None:
            return self.sub.query()
        query = dict(self.base)
        if self.block is not None:
            query[self.column.low] = query[self.column.high] = self.block.text
            if self.probing:
                # The last order of page block_page - 2, alone: its position is the page's.
                query["page"] = (self.block_page - 2) * self.block_size
                query["per_page"] = 1
            else:
                query["page"] = self.block_page
                query["per_page"] = self.block_size
        elif self.bound is not None:
            query[self.side] = self.bound.text
            if self.extra and self.size < MAX_PER_PAGE:
                # The orders sharing the bound's value come first again: ask for that many
                # more, so that the page still brings as many new ones.
                query["per_page"] = min(self.size + self.extra, MAX_PER_PAGE)
        return query

    def where(self) -> str:
        """The next query's bound, as a query (for a message)."""
        if self.block is not None:
            inner = self.sub.where() if self.sub is not None else f"page {self.block_page}"
            return f"{self.column.name}={self.block.text}" + (f", {inner}" if inner else "")
        if self.bound is not None:
            return f"{self.side}={self.bound.text}"
        return ""

    def advance(self, keys: list[Key], idents: list[str], has_next: bool) -> bool:
        """Read a page's keys (by :meth:`active`'s column) and order identities, in order;
        whether there is a next query."""
        if self.sub is not None:
            if self.sub.advance(keys, idents, has_next):
                return True
            return self._leave_block()
        if self.first is None and keys:
            self.first = keys[0]
        self._check(keys)
        if self.block is not None:
            return self._advance_block(idents, has_next)
        if not has_next or not keys:
            return False
        last = keys[-1]
        # The page's orders of its last value are the first of that value, by id (the API's
        # tie-break): the next query, from that value on, starts with them again.
        count = sum(1 for key in keys if key.value == last.value)
        room = MAX_PER_PAGE - self.size if self.size < MAX_PER_PAGE else 0
        if count - 1 <= room or (count < self.size and count - 1 < self.size // 2):
            # Ask for them again, with as many more as a page can hold.
            self.bound, self.extra = last, min(count - 1, room)
            return True
        # Too many to ask for again: page through that value by number, from the last order
        # read (page 2 of pages of count - 1 starts with it, and must).
        self.block, self.block_page, self.block_size = last, 2, count - 1
        self.expect, self.probing, self.last_read = idents[-1], False, None
        return True

    def _walk_block_by_another_column(self) -> bool:
        """Walk the block by a keyset of its own on another column, from its start: orders
        that leave it then shift nothing (a block within a block is paged through anyway)."""
        block = self.block
        assert block is not None
        inner = _BLOCK_COLUMNS.get(self.column.name) if self.depth == 0 else None
        if inner is None:
            return self._restart(block)
        within = {**self.base, self.column.low: block.text, self.column.high: block.text}
        within["sort"] = f"{inner.name}.asc"
        self.sub = _Keyset(inner, False, within, depth=self.depth + 1)
        if self.days:
            self.sub.days = True
        return True

    def _leave_block(self) -> bool:
        block = self.block
        assert block is not None
        self.block, self.sub = None, None
        self.bound = block.step(-1 if self.descending else 1)
        self.extra = 0
        return True

    def _advance_block(self, idents: list[str], has_next: bool) -> bool:
        block = self.block
        assert block is not None
        if self.expect is not None and not _starts_with(idents, self.expect):
            # An order before the last one read left the value meanwhile.
            return self._walk_block_by_another_column()
        self.expect = None
        if self.probing:  # the page before's last order is where it was: the page holds
            self.probing = False
            more = self.block_more
        elif self.last_read is not None:
            # A later page: checked by a probe of the last order before it, made after it.
            self.probing, self.expect = True, self.last_read
            self.last_read, self.block_more = idents[-1] if idents else None, has_next
            self.block_page += 1
            return True
        else:
            more = has_next
            self.last_read = idents[-1] if idents else None
            self.block_page += 1
        if more and self.last_read is not None:
            return True
        return self._leave_block()

    def _restart(self, block: Key) -> bool:
        """An order before the last one read left the block: read it again from its start."""
        self.restarts += 1
        if self.restarts > MAX_BLOCK_RESTARTS:
            raise HALNavError(
                f"the orders with {self.column.name} {block.text} kept changing while the "
                f"stable walk paged through them ({self.restarts} times read again from "
                "their first page); stopped rather than risk skipping one"
            )
        self.block_page, self.block_size = 1, self.size
        self.expect, self.probing, self.last_read = None, False, None
        return True

    def _check(self, keys: list[Key]) -> None:
        """A server that ignored the bound would walk in circles: refuse its page."""
        bad: list[Key] = []
        wanted = ""
        if self.block is not None:
            bad = [key for key in keys if key.value != self.block.value]
            wanted = f"{self.column.name} = {self.block.text}"
        elif self.bound is not None:
            bound = self.bound.value
            bad = [
                key for key in keys if (key.value > bound if self.descending else key.value < bound)
            ]
            wanted = f"{self.side}={self.bound.text}"
        if not bad:
            for before, after in zip(keys, keys[1:], strict=False):
                if (
                    (after.value > before.value)
                    if self.descending
                    else (after.value < before.value)
                ):
                    bad = [after]
                    wanted = f"sorted by {self.column.name} {'desc' if self.descending else 'asc'}"
                    break
        if bad:
            raise InvalidDocument(
                f"asked for orders with {wanted}, the server answered one with "
                f"{self.column.name} {bad[0].text}: it does not apply the filter or the sort "
                "a stable walk moves by"
            )

    def to_days(self) -> None:
        """Move by whole days from now on (a block being walked is walked again as its day)."""
        self.days = True
        self.extra = 0
        if self.block is not None:
            self.bound = self.block
            self.block, self.sub = None, None
            self.expect, self.probing, self.last_read = None, False, None
        if self.bound is not None:
            self.bound = self.bound.day()

    def refused_moment(self, exc: HTTPError) -> bool:
        """Whether ``exc`` refuses a date-time this walk sent in a date filter (then the walk
        moves by whole days from now on); the error is left alone otherwise."""
        if self.days or not isinstance(exc, (BadRequest, UnprocessableEntity)):
            return False
        names: set[str] = set()
        sent: list[Key] = []
        walk: _Keyset | None = self
        while walk is not None:
            if walk.column.kind == "moment":
                names |= {walk.column.low, walk.column.high}
            sent += [key for key in (walk.block, walk.bound) if key is not None]
            walk = walk.sub
        if not any(key.digits is not None and key.digits >= 0 for key in sent):
            return False
        names |= {name.replace("_gte", ".gte").replace("_lte", ".lte") for name in names}
        fields = {str(entry.get("field")) for entry in exc.errors}
        said = " ".join([exc.detail or "", *(str(e.get("messages")) for e in exc.errors)])
        if not (fields & names or any(name in said for name in names)):
            return False
        self.to_days()
        return True


def _starts_with(idents: list[str], expected: str) -> bool:
    """Whether a block page starts with the order ``expected``, or with one before it (orders
    sorted by id: one came before it, and the page reads an order twice rather than skip one).
    """
    if not idents:
        return False
    first = idents[0]
    if first == expected:
        return True
    if first.isdecimal() and expected.isdecimal():
        return int(first) < int(expected)
    return False


def _has_next(page: Resource) -> bool:
    try:
        return "next" in page.links
    except HALNavError:
        return False


def _identity(order: Order) -> str:
    """What an order is known by across pages: its id, else its ``self`` href."""
    ident = order.get("id")
    if ident is not None:
        return id_key(ident)
    try:
        if "self" in order.links:
            return "self " + order.link("self").url()
    except HALNavError:
        pass
    raise InvalidDocument(
        "an order on the page has neither an id nor a self link: a stable walk cannot tell "
        "whether it was yielded already"
    )


def _fetcher(resource: Resource) -> Fetcher:
    client = resource.client
    if client is None:
        raise HALNavError(f"{shop_label(resource)} was made without a client to follow its links")
    return client


def _page_filters(page: Resource) -> dict[str, object]:
    """The filters of ``page``'s query, read from its ``self`` link (else its URL)."""
    url: str | None = None
    try:
        if "self" in page.links:
            url = page.link("self").url()
    except HALNavError:
        url = None
    url = url or page.url or ""
    filters: dict[str, object] = {}
    for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=False):
        filters[canonical(name)] = value
    filters.pop("page", None)
    if "lat_long" not in filters:
        filters.pop("distance", None)  # the server's default, meaningless alone
    return filters
