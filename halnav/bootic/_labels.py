"""How the layer names a shop, an order and a list of ids in its messages."""

from __future__ import annotations

from collections.abc import Sequence

from .._resource import Resource

__all__ = ["listing", "order_label", "shop_label"]


def shop_label(shop: Resource) -> str:
    """``shop 29 (sandbox-shop)``, or what is known of it."""
    label = shop.get("subdomain") or shop.get("name")
    ident = shop.get("id")
    if label and ident is not None:
        return f"shop {ident} ({label})"
    if ident is not None:
        return f"shop {ident}"
    return f"shop {shop.url}" if shop.url else "the shop"


def order_label(order: Resource) -> str:
    """``order R1C3964``, or its id, or its URL."""
    for key in ("code", "id"):
        value = order.get(key)
        if value is not None and value != "":
            return f"order {value}"
    return f"order {order.url}" if order.url else "the order"


def listing(ids: Sequence[object]) -> str:
    """``1, 2, 3``."""
    return ", ".join(str(i) for i in ids)
