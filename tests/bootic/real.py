"""The URLs of ``fixtures/real/`` (the live API's shapes), for the tests served by ``responses``."""

from __future__ import annotations

from typing import Any

from halnav.bootic import BooticClient, Shop

API = "https://api.bootic.net/v1"
SHOP = f"{API}/shops/47"
ORDERS = f"{SHOP}/orders"
PENDING = f"{ORDERS}/T4B13B0"
CHECKOUT = f"{ORDERS}/R1C3964"


def with_bulk_link(root: dict[str, Any], rel: str = "btc:update-orders") -> dict[str, Any]:
    """The root, its shop offering the bulk update (no documented shop shows it; its page is
    titled update-orders)."""
    links = root["_embedded"]["shops"][0]["_links"]
    links[rel] = {"href": f"{ORDERS}/updaters.json", "method": "post"}
    return root


def shop_page(bootic: BooticClient) -> Shop:
    """The shop as fetched from its own page (``SHOP`` must be served)."""
    return bootic.client.get(SHOP).cast(Shop)
