"""The :class:`Order`: a Bootic order entity, with its web links and its update relation."""

from __future__ import annotations

from typing import Any

from .._resource import Resource
from ._navigation import error_entries, find_link, verb_for

__all__ = ["Order"]

UPDATE_ORDER_RELS = ("btc:update_order", "update_order")


class Order(Resource):
    """An order (a :class:`halnav.Resource`, so ``follow``, ``links``, ``pointer`` all work).

    >>> order["status"], order["code"]
    ('checkout', 'R1C3964')
    >>> order.checkout_url
    'https://checkout.bootic.net/orders/R1C3964'
    >>> order = order.update(status="closed")
    """

    __slots__ = ()

    @property
    def id(self) -> Any:
        """The order's ``id`` property (``None`` if the document has none)."""
        return self.get("id")

    @property
    def code(self) -> str | None:
        """The order's ``code`` (``R1C3964``), the reference a customer sees."""
        return _text(self.get("code"))

    @property
    def status(self) -> str | None:
        """``checkout``, ``pending``, ``closed``, ``shipped`` or ``invalid``."""
        return _text(self.get("status"))

    @property
    def checkout_url(self) -> str:
        """The absolute URL of ``btc:web_checkout``, where a person completes and pays the order."""
        return self.link("btc:web_checkout").url()

    @property
    def cart_url(self) -> str:
        """The absolute URL of ``btc:web_cart``, where a person edits the order's cart."""
        return self.link("btc:web_cart").url()

    @property
    def errors(self) -> list[dict[str, Any]]:
        """The entries of ``_embedded.errors`` (``field``, ``messages``): why an update refused it."""
        return error_entries(self.document)

    @property
    def line_items(self) -> list[Resource]:
        """The embedded ``line_items`` (empty when the document has none)."""
        if not self.has("line_items"):
            return []
        value = self.embedded["line_items"]
        return value if isinstance(value, list) else [value]

    def update(self, **attributes: Any) -> Order:
        """Send ``attributes`` through ``btc:update_order`` (its ``method``, PUT by default).

        Returns the updated order. An order embedded without the link is fetched by its ``self``
        link first. Raises :class:`halnav.UnprocessableEntity` when the server refuses.
        """
        if not attributes:
            raise ValueError("update() needs at least one attribute, e.g. status='closed'")
        holder, link = find_link(self, *UPDATE_ORDER_RELS)
        answer = holder.invoke(link.rel, json=attributes, method=verb_for(link, "PUT"))
        if answer.document is None:
            answer = answer.refresh() if answer.location else holder.refresh()
        return answer.cast(Order)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
