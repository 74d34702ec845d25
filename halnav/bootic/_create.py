"""Creating an order (``btc:create_order``), and telling the caller when its outcome is unknown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._exceptions import HALNavError, InvalidDocument, ServerError, TransportError
from .._resource import Resource
from ._bodies import order_body
from ._labels import shop_label
from ._navigation import find_link, verb_for
from ._order import Order
from ._outcomes import CreateOutcomeUnknown

__all__ = ["CREATE_ORDER_RELS", "IN_DOUBT", "create_order"]

CREATE_ORDER_RELS = ("btc:create_order", "create_order")
#: Failures after which an unsafe request may or may not have been applied by the server.
IN_DOUBT = (TransportError, ServerError, InvalidDocument)


def create_order(
    shop: Resource,
    line_items: Sequence[Mapping[str, Any]],
    contact: Mapping[str, Any] | None,
    address: Mapping[str, Any] | int | str | None,
    attributes: Mapping[str, Any],
) -> Order:
    """POST a new order to ``shop``'s ``btc:create_order``; the order created."""
    body = {**order_body(line_items, contact, address), **attributes}
    if not body.get("line_items"):
        raise ValueError("create_order() needs at least one line item")
    body = {"line_items": body.pop("line_items"), **body}
    holder, link = find_link(shop, *CREATE_ORDER_RELS)
    try:
        answer = holder.invoke(link.rel, json=body, method=verb_for(link, "POST"))
    except IN_DOUBT as exc:
        raise CreateOutcomeUnknown(
            f"creating an order in {shop_label(shop)} failed ({exc}); the outcome is unknown: "
            "an order may or may not have been created, so look it up before trying again",
            body=body,
        ) from exc
    if answer.document is None and answer.location:
        answer = _fetch_created(shop, answer, body)
    return answer.cast(Order)


def _fetch_created(shop: Resource, answer: Resource, body: dict[str, Any]) -> Resource:
    """The new order, fetched from the ``Location`` of an answer without a body."""
    location = answer.location
    try:
        return answer.refresh()
    except HALNavError as exc:
        raise CreateOutcomeUnknown(
            f"{shop_label(shop)} created an order ({answer.status_code}, Location {location}) "
            f"but fetching it failed ({exc}); it exists: fetch it from its location rather than "
            "create it again",
            body=body,
            location=location,
        ) from exc
