"""The :class:`Shop`: a Bootic shop and its orders (list, walk, create, bulk update)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._exceptions import InvalidDocument, ServerError, TransportError
from .._pagination import parse_count
from .._resource import Resource
from ._errors import CreateOutcomeUnknown, UpdateOutcomeUnknown
from ._filters import OrderFilters, check_update_status, order_ids, order_query
from ._navigation import embedded_as, find_link, verb_for
from ._order import Order
from ._results import UpdateResult

if TYPE_CHECKING:  # typing.Unpack is Python 3.11's; type checkers always have typing_extensions
    from typing_extensions import Unpack

__all__ = ["OrderPage", "Shop"]

ORDERS_RELS = ("btc:orders", "orders")
CREATE_ORDER_RELS = ("btc:create_order", "create_order")
# The seed page of the bulk update is titled "update-orders": both spellings are accepted.
UPDATE_ORDERS_RELS = ("btc:update_orders", "btc:update-orders", "update_orders", "update-orders")
#: Failures after which an unsafe request may or may not have been applied by the server.
_IN_DOUBT = (TransportError, ServerError, InvalidDocument)


class OrderPage(Resource):
    """One page of the orders collection: ``total_items``, ``page``, ``per_page`` and its orders."""

    __slots__ = ()

    @property
    def orders(self) -> list[Order]:
        """The orders embedded in this page."""
        return embedded_as(self, Order, "items")

    @property
    def total_items(self) -> int | None:
        """How many orders match the filters, across every page."""
        return parse_count(self.get("total_items"))

    def pages(self, prefetch: int = 0) -> Iterator[OrderPage]:
        """This page, then each one reached by following ``next``, as order pages."""
        for page in super().pages(prefetch=prefetch):
            yield page.cast(OrderPage)

    def iter_orders(self, prefetch: int = 0) -> Iterator[Order]:
        """Every order from this page on, following ``next`` links."""
        for item in self.iterate("items", prefetch=prefetch):
            yield item.cast(Order)


class Shop(Resource):
    """A Bootic shop (a :class:`halnav.Resource`, so ``follow``, ``links``, ``pointer`` all work).

    >>> page = shop.orders(status="pending", sort="created_on.desc", per_page=50)
    >>> for order in shop.iter_orders(status="successful", closed_on_gte=date(2016, 5, 10)):
    ...     print(order["code"])
    >>> order = shop.create_order(line_items=[{"variant_id": 1234, "units": 3}])
    >>> result = shop.update_orders([577048, 12001], status="shipped")
    """

    __slots__ = ()

    @property
    def id(self) -> Any:
        """The shop's ``id`` property."""
        return self.get("id")

    @property
    def subdomain(self) -> str | None:
        """The shop's ``subdomain`` property."""
        subdomain = self.get("subdomain")
        return subdomain if isinstance(subdomain, str) else None

    # -- reading -----------------------------------------------------------------------------

    def orders(self, **filters: Unpack[OrderFilters]) -> OrderPage:
        """The first page of orders matching ``filters`` (see :data:`ORDER_FILTERS`).

        Filters are checked before any request: an unknown name or an undocumented value raises
        :class:`InvalidFilter`. Dates may be :class:`datetime.date` objects; ``status`` a list.
        """
        query = order_query(filters)
        holder, link = find_link(self, *ORDERS_RELS)
        if link.templated:
            page = holder.follow(link.rel, variables=query)
        else:
            # A plain link takes the filters as query parameters.
            page = holder.follow(link.rel, params=query)
        return page.cast(OrderPage)

    def iter_orders(self, prefetch: int = 0, **filters: Unpack[OrderFilters]) -> Iterator[Order]:
        """Every order matching ``filters``, across all pages, fetched as consumed."""
        first = self.orders(**filters)
        return first.iter_orders(prefetch=prefetch)

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
        :class:`CreateOutcomeUnknown` when the request got no usable answer.
        """
        items = [dict(item) for item in line_items]
        if not items:
            raise ValueError("create_order() needs at least one line item")
        body: dict[str, Any] = {"line_items": items, **attributes}
        if contact is not None:
            body["contact"] = dict(contact)
        if address is not None:
            body["address"] = {"id": address} if isinstance(address, (int, str)) else dict(address)
        holder, link = find_link(self, *CREATE_ORDER_RELS)
        try:
            answer = holder.invoke(link.rel, json=body, method=verb_for(link, "POST"))
        except _IN_DOUBT as exc:
            raise CreateOutcomeUnknown(
                f"creating an order in {_name(self)} failed ({exc}); the outcome is unknown: "
                "an order may or may not have been created, so look it up before trying again",
                body=body,
            ) from exc
        if answer.document is None and answer.location:
            answer = answer.refresh()
        return answer.cast(Order)

    def update_orders(self, ids: Iterable[int | str], *, status: str) -> UpdateResult:
        """Set ``status`` on many orders at once through ``btc:update_orders``.

        Not transactional: the result's ``valid_items`` and ``invalid_items`` together hold every
        id given, and invalid orders carry their ``errors``. ``status`` must be one of
        :data:`UPDATE_STATUSES` (checked before any request). Raises :class:`UpdateOutcomeUnknown`
        (with ``ids``) when the request got no usable answer, or an answer that does not account
        for every id.
        """
        check_update_status(status)
        sent = order_ids(ids)
        holder, link = find_link(self, *UPDATE_ORDERS_RELS)
        body = {"ids": sent, "additions": {"status": status}}
        try:
            answer = holder.invoke(link.rel, json=body, method=verb_for(link, "POST"))
        except _IN_DOUBT as exc:
            raise UpdateOutcomeUnknown(
                f"the bulk update to {status!r} failed ({exc}); the outcome is unknown: the "
                f"server may have updated some or all of the orders sent: {_listing(sent)}",
                ids=sent,
            ) from exc
        result = answer.cast(UpdateResult)
        missing, repeated = result.unaccounted(sent)
        if missing or repeated:
            flagged = {*missing, *repeated}
            doubtful = [i for i in sent if i in flagged]
            problems: list[str] = []
            if missing:
                problems.append(f"it lists neither as valid nor invalid: {_listing(missing)}")
            if repeated:
                problems.append(f"it lists more than once: {_listing(repeated)}")
            raise UpdateOutcomeUnknown(
                f"the bulk update to {status!r} answered, but {'; '.join(problems)}; the outcome "
                "for those orders is unknown",
                ids=doubtful,
                result=result,
            )
        return result


def _listing(ids: Sequence[Any]) -> str:
    return ", ".join(str(i) for i in ids)


def _name(shop: Shop) -> str:
    label = shop.get("subdomain") or shop.get("name")
    ident = shop.get("id")
    if label and ident is not None:
        return f"shop {ident} ({label})"
    if ident is not None:
        return f"shop {ident}"
    return f"shop {shop.url}" if shop.url else "the shop"
