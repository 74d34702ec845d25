"""The :class:`UpdateResult` of a bulk order update: which orders changed, which were refused."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._json import is_array
from .._resource import Resource
from ._ids import id_key
from ._navigation import embedded_as
from ._order import Order

__all__ = ["UpdateResult"]


class UpdateResult(Resource):
    """The answer of the bulk update: ``valid_items`` and ``invalid_items``, lists of
    :class:`Order`. On the live API they are summaries (``id``, ``code``, ``status`` and a
    ``self`` link: ``refresh()`` fetches the whole order). Updates are not transactional, so
    both may be filled; each invalid order carries its ``errors``.
    """

    __slots__ = ()

    @property
    def valid_items(self) -> list[Order]:
        """The orders updated (summaries: ``id``, ``code``, ``status``)."""
        return embedded_as(self, Order, "valid_items")

    @property
    def invalid_items(self) -> list[Order]:
        """The orders refused, each with ``errors`` saying why."""
        return embedded_as(self, Order, "invalid_items")

    @property
    def ok(self) -> bool:
        """Whether every order was updated."""
        return not self.invalid_items

    @property
    def ids(self) -> list[Any]:
        """The ids the server says it was asked to update (the ``ids`` property), if given."""
        value: object = self.get("ids")
        return list(value) if is_array(value) else []

    def unaccounted(self, sent: Iterable[Any]) -> tuple[list[Any], list[Any]]:
        """Of the ids ``sent``: those in neither list, and those in both (or twice in one)."""
        seen: dict[str, int] = {}
        for order in [*self.valid_items, *self.invalid_items]:
            key = id_key(order.get("id"))
            seen[key] = seen.get(key, 0) + 1
        missing = [i for i in sent if seen.get(id_key(i), 0) == 0]
        repeated = [i for i in sent if seen.get(id_key(i), 0) > 1]
        return missing, repeated

    def __repr__(self) -> str:
        valid = [order.get("id") for order in self.valid_items]
        invalid = [order.get("id") for order in self.invalid_items]
        return f"<UpdateResult valid={valid} invalid={invalid}>"
