"""The :class:`OrderPage`: one page of a shop's orders, with what the server says of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, overload

from .._deadline import DeadlineOption
from .._json import is_object
from .._pagination import parse_count
from .._resource import Resource
from ._navigation import embedded_as
from ._order import Order
from ._stable import StableWalk
from ._transitions import Transitions, read_transitions

__all__ = ["OrderPage"]


class OrderPage(Resource):
    """One page of the orders collection: ``total_items``, ``page``, ``per_page`` and its orders;
    on the live API also ``totals`` and the status ``transitions``."""

    __slots__ = ()

    @property
    def orders(self) -> list[Order]:
        """The orders embedded in this page."""
        return embedded_as(self, Order, "items")

    @property
    def total_items(self) -> int | None:
        """How many orders match the filters, across every page."""
        return parse_count(self.get("total_items"))

    @property
    def totals(self) -> dict[str, Any] | None:
        """``{"total", "mean", "min", "max"}`` of the orders' totals over every order matched
        (not only this page's), when the server gives them."""
        totals = self.get("totals")
        return dict(totals) if is_object(totals) else None

    @property
    def transitions(self) -> Transitions | None:
        """``{FROM: (TO, ...)}``: the statuses an order in each status may be set to, when the
        server gives them."""
        return read_transitions(self.document)

    def pages(self, prefetch: int = 0, *, deadline: DeadlineOption = None) -> Iterator[OrderPage]:
        """This page, then each one reached by following ``next``, as order pages."""
        for page in super().pages(prefetch=prefetch, deadline=deadline):
            yield page.cast(OrderPage)

    @overload
    def iter_orders(self, prefetch: int = 0, *, stable: Literal[True]) -> StableWalk: ...

    @overload
    def iter_orders(self, prefetch: int = 0, *, stable: bool = False) -> Iterator[Order]: ...

    def iter_orders(self, prefetch: int = 0, *, stable: bool = False) -> Iterator[Order]:
        """Every order from this page on, following ``next`` links.

        ``stable=True``: a stable walk of this page's query (its filters read from its ``self``
        link) from its first order on, through the shop its ``btc:shop`` link leads to (one
        request, answered by the cache when the shop was fetched before): see
        :meth:`Shop.iter_orders`.
        """
        if stable:
            return StableWalk.from_page(self, prefetch=prefetch)
        return self._walk_orders(prefetch)

    def _walk_orders(self, prefetch: int) -> Iterator[Order]:
        for item in self.iterate("items", prefetch=prefetch):
            yield item.cast(Order)
