"""The :class:`Shop`: a Bootic shop and its orders (list, walk, look up, create, bulk update)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from .._resource import Resource
from ._bulk import DEFAULT_BATCH_SIZE, update_orders
from ._create import create_order
from ._documented import OrderFilters
from ._ids import parse_id
from ._lookup import find_order
from ._order import Order
from ._page import OrderPage
from ._query import query_orders
from ._results import UpdateResult
from ._stable import StableWalk
from ._sync import DEFAULT_OVERLAP, SyncReport, sync_orders
from ._where import update_orders_where

if TYPE_CHECKING:  # typing.Unpack is Python 3.11's; type checkers always have typing_extensions
    from typing_extensions import Unpack

__all__ = ["Shop"]


class Shop(Resource):
    """A Bootic shop (a :class:`halnav.Resource`, so ``follow``, ``links``, ``pointer`` all work).

    >>> page = shop.orders(status="pending", sort="created_on.desc", per_page=50)
    >>> for order in shop.iter_orders(status="successful", closed_on_gte=date(2016, 5, 10)):
    ...     print(order["code"])
    >>> order = shop.order("R1C3964")
    >>> order = shop.create_order(line_items=[{"variant_id": 1234, "units": 3}])
    >>> result = shop.update_orders([577048, 12001], status="shipped")
    >>> for order in shop.iter_orders(status="pending", stable=True):
    ...     order.set_status("closed")
    >>> result = shop.update_orders_where({"status": "pending"}, status="closed")
    >>> report = shop.sync_orders("orders.sqlite")
    """

    __slots__ = ()

    @property
    def id(self) -> int | str | None:
        """The shop's ``id``: an ``int`` whether the server writes ``29`` or ``"29"`` (an id
        that is not a whole number stays as written)."""
        value = self.get("id")
        if isinstance(value, str):
            return parse_id(value)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def subdomain(self) -> str | None:
        """The shop's ``subdomain`` property."""
        subdomain = self.get("subdomain")
        return subdomain if isinstance(subdomain, str) else None

    # -- reading -----------------------------------------------------------------------------

    def orders(self, **filters: Unpack[OrderFilters]) -> OrderPage:
        """The first page of orders matching ``filters`` (see :data:`ORDER_FILTERS`).

        Filters are checked before the filtered request is sent, against what the server
        declares: its orders page's search form (fields and allowed values), else the variables
        of its ``btc:orders`` template, else the documented table. A name or value it does not
        accept raises :class:`InvalidFilter` naming what it does. The first filtered query of a
        shop through a client fetches the unfiltered first page once to read the form (one
        more request; none when an earlier page of that shop showed it). Dates may be
        :class:`datetime.date` objects; ``status`` and ``tags`` lists.
        """
        return query_orders(self, filters).cast(OrderPage)

    @overload
    def iter_orders(
        self, prefetch: int = 0, *, stable: Literal[True], **filters: Unpack[OrderFilters]
    ) -> StableWalk: ...

    @overload
    def iter_orders(
        self, prefetch: int = 0, *, stable: bool = False, **filters: Unpack[OrderFilters]
    ) -> Iterator[Order]: ...

    def iter_orders(
        self, prefetch: int = 0, *, stable: bool = False, **filters: Unpack[OrderFilters]
    ) -> Iterator[Order]:
        """Every order matching ``filters``, across all pages, fetched as consumed.

        By page number (``next`` links) unless ``stable=True``: then every order that matches
        the filters for the whole walk is yielded exactly once, whatever is created, updated or
        moved meanwhile (by other clients, or by the loop's own body), and an order that joins
        or leaves the set is yielded at most once. The walk moves by the sort's column and its
        ``_gte``/``_lte`` filter (``created_on.asc`` when no sort is given), asking one order
        more per page than ``per_page``; it returns a :class:`StableWalk`, which counts what
        it fetched. A sort with no such filter, a nullable date sorted on without a bound on
        it, or a ``page`` raise :class:`InvalidFilter` before any filtered request.
        ``prefetch`` fetches the next page while the current one is consumed (one page ahead
        at most: each query is made of the page before).
        """
        if stable:
            return StableWalk(self, filters, prefetch=prefetch)
        first = self.orders(**filters)
        return first.iter_orders(prefetch=prefetch)

    def order(self, code_or_id: int | str) -> Order:
        """One order, by its code (``"R1C3964"``) or its id, through ``btc:order`` whatever its
        spelling (a template, or an href holding ``{id}`` as the live API writes it), else
        through the ``code`` filter. Raises :class:`OrderNotFound` when there is none.
        """
        return find_order(self, code_or_id)

    # -- writing -----------------------------------------------------------------------------

    def create_order(
        self,
        line_items: Sequence[Mapping[str, Any]],
        *,
        contact: Mapping[str, Any] | None = None,
        address: Mapping[str, Any] | int | None = None,
        **attributes: Any,
    ) -> Order:
        """Create an order (in the ``checkout`` state) through ``btc:create_order``.

        ``line_items`` are ``{"variant_id": ..., "units": ...}``; ``contact`` full contact data
        or just an ``email``; ``address`` an address id (or ``{"id": ...}``) to copy.
        Raises :class:`halnav.UnprocessableEntity` (with ``errors``) when the server refuses, and
        :class:`CreateOutcomeUnknown` when the request got no usable answer (with ``location``
        when the server created the order but it could not be fetched).
        """
        return create_order(self, line_items, contact, address, attributes)

    def update_orders(
        self, ids: Iterable[int | str], *, status: str, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> UpdateResult:
        """Set ``status`` on many orders at once through ``btc:update-orders`` (or
        ``btc:update_orders``), ``batch_size`` ids a request.

        Not transactional: the result's ``valid_items`` and ``invalid_items`` together hold every
        id given, and invalid orders carry their ``errors``; several batches' answers are
        combined in one result. ``status`` must be one the server's ``transitions`` lead to (from
        an orders page this client fetched), else one of :data:`UPDATE_STATUSES`: checked before
        any request. A batch that gets no usable answer, or one that does not account for every
        id, ends the run with :class:`UpdateOutcomeUnknown`: its ``ids`` are in doubt,
        ``result`` combines what was answered, ``unsent`` lists the ids of the batches not sent
        (nothing is sent twice). :class:`halnav.LinkNotFound` when the shop offers no bulk
        update.
        """
        return update_orders(self, ids, status, batch_size)

    @overload
    def update_orders_where(
        self,
        where: OrderFilters,
        *,
        status: str,
        batch_size: int = ...,
        dry_run: Literal[False] = False,
    ) -> UpdateResult: ...

    @overload
    def update_orders_where(
        self, where: OrderFilters, *, status: str, batch_size: int = ..., dry_run: Literal[True]
    ) -> list[int | str]: ...

    @overload
    def update_orders_where(
        self, where: OrderFilters, *, status: str, batch_size: int = ..., dry_run: bool
    ) -> UpdateResult | list[int | str]: ...

    def update_orders_where(
        self,
        where: OrderFilters,
        *,
        status: str,
        batch_size: int = DEFAULT_BATCH_SIZE,
        dry_run: bool = False,
    ) -> UpdateResult | list[int | str]:
        """Set ``status`` on every order matching the filters ``where``
        (``{"status": "pending", "created_on_lte": "2016-01-01"}``), ``batch_size`` ids a
        request, as :meth:`update_orders` does.

        The orders are selected first, all of them, by a stable walk (each once, however the
        orders change meanwhile); then the batches are sent. ``dry_run=True`` returns the ids
        it would update and sends nothing. ``where`` must hold at least one filter (say
        ``{"status": "all"}`` to mean every order); its filters and ``status`` are checked
        before any filtered request.
        """
        return update_orders_where(self, where, status, batch_size, dry_run)

    def sync_orders(
        self,
        path: str | os.PathLike[str],
        *,
        overlap: float | dt.timedelta = DEFAULT_OVERLAP,
        on_page: Callable[[SyncReport], object] | None = None,
        **filters: Unpack[OrderFilters],
    ) -> SyncReport:
        """Keep the SQLite file ``path`` a mirror of this shop's orders matching ``filters``.

        The first run copies every order (table ``orders``: ``id``, ``code``, ``status``,
        ``updated_on``, ``document``, the order's JSON as served); each later one fetches only
        the orders updated since the mirror's high-water mark, less ``overlap`` seconds
        (:data:`DEFAULT_OVERLAP`), by ``updated_on_gte`` and ``sort=updated_on.asc``, and upserts
        them by id. Each page is committed with the new mark in one transaction: a run stopped
        anywhere leaves the mirror consistent, and the next one goes on. ``per_page`` (default
        :data:`MAX_PER_PAGE`) sets the page size; ``sort`` and ``page`` are refused.

        A file that is no mirror, another shop's, one of other filters, or one that cannot be
        written raises :class:`MirrorError` before any request; a run that stops raises
        :class:`SyncError` (its ``report`` says how far it got). ``on_page(report)`` is called
        after each page is committed. Returns the :class:`SyncReport`.
        """
        return sync_orders(self, path, filters, overlap=overlap, on_page=on_page)
