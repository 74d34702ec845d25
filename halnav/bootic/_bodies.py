"""The JSON bodies of creating and editing an order: ``line_items``, ``contact``, ``address``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["order_body"]


def order_body(
    line_items: Sequence[Mapping[str, Any]] | None,
    contact: Mapping[str, Any] | None,
    address: Mapping[str, Any] | int | str | None,
) -> dict[str, Any]:
    """The body holding the parts given (``None`` parts are left out); ``address`` may be an
    address id, sent as ``{"id": ...}``."""
    body: dict[str, Any] = {}
    if line_items is not None:
        if isinstance(line_items, (str, bytes, Mapping)):
            raise TypeError('line_items is a list of {"variant_id": ..., "units": ...}')
        body["line_items"] = [dict(item) for item in line_items]
    if contact is not None:
        body["contact"] = dict(contact)
    if address is not None:
        body["address"] = {"id": address} if isinstance(address, (int, str)) else dict(address)
    return body
