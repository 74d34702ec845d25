"""Where things live: the two URL layouts, as werkzeug routing rules and as link formats.

Each endpoint's path is written once, in werkzeug's rule syntax; the link format is derived from it,
so routing and the links in documents cannot disagree. ``default`` mirrors the real API
(``/v1/shops/29/orders.json``). ``alternate`` serves the same API under unrelated paths and spells
the bulk-update rel ``btc:update-orders``: a client that passes against both builds no URL by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from werkzeug.routing import Map, Rule

GET, PUT, POST = ("GET",), ("PUT",), ("POST",)

# Endpoints that are the API proper: they need a token and are subject to fault injection.
API_ENDPOINTS = frozenset(
    {"root", "shop", "orders", "create_order", "order", "update_orders", "product"}
)
# Endpoints served on the "other origin" (see Urls.web).
WEB_ENDPOINTS = frozenset({"web_checkout", "web_cart"})


@dataclass(frozen=True)
class Layout:
    name: str
    # endpoint -> (werkzeug rule path, methods); the first entry of an endpoint is its link.
    routes: tuple[tuple[str, str, tuple[str, ...]], ...]
    update_orders_rel: str
    url_map: Map = field(init=False, compare=False, repr=False)
    formats: dict[str, str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        rules = [Rule(path, endpoint=ep, methods=list(m)) for ep, path, m in self.routes]
        object.__setattr__(self, "url_map", Map(rules, strict_slashes=False))
        formats: dict[str, str] = {}
        for endpoint, path, _ in self.routes:
            formats.setdefault(endpoint, "{base}" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path))
        object.__setattr__(self, "formats", formats)


DEFAULT = Layout(
    name="default",
    routes=(
        ("index", "/", GET),
        ("root", "/v1", GET),
        ("shop", "/v1/shops/<int:shop_id>.json", GET),
        ("shop", "/v1/shops/<int:shop_id>", GET),
        ("orders", "/v1/shops/<int:shop_id>/orders.json", GET),
        ("orders", "/v1/shops/<int:shop_id>/orders", GET),  # the seed's "successful" example
        ("create_order", "/v1/shops/<int:shop_id>/orders", POST),
        ("order", "/v1/shops/<int:shop_id>/orders/<int:order_id>.json", GET + PUT),
        ("order", "/v1/shops/<int:shop_id>/orders/<int:order_id>", GET + PUT),
        ("update_orders", "/v1/shops/<int:shop_id>/orders/updaters.json", POST),
        ("product", "/v1/shops/<int:shop_id>/products/<slug>", GET),
        ("token", "/oauth/token", POST),
        ("web_checkout", "/checkout/orders/<code>", GET),
        ("web_cart", "/cart/<code>", GET),
    ),
    update_orders_rel="btc:update_orders",
)

ALTERNATE = Layout(
    name="alternate",
    routes=(
        ("index", "/", GET),
        ("root", "/api/entry", GET),
        ("shop", "/api/stores/<int:shop_id>", GET),
        ("orders", "/api/stores/<int:shop_id>/purchases", GET),
        ("create_order", "/api/stores/<int:shop_id>/purchases/new", POST),
        ("order", "/api/purchase-records/<int:order_id>", GET + PUT),
        ("update_orders", "/api/stores/<int:shop_id>/bulk-status", POST),
        ("product", "/api/stores/<int:shop_id>/goods/<slug>", GET),
        ("token", "/api/oauth2/token", POST),
        ("web_checkout", "/web/pay/<code>", GET),
        ("web_cart", "/web/basket/<code>", GET),
    ),
    update_orders_rel="btc:update-orders",
)

LAYOUTS = {layout.name: layout for layout in (DEFAULT, ALTERNATE)}


def get_layout(name: str) -> Layout:
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(f"unknown layout {name!r}; choose one of {', '.join(LAYOUTS)}") from None


def split_host(host: str) -> tuple[str, str]:
    """``("127.0.0.1", ":8000")`` from ``127.0.0.1:8000`` (IPv6 literals keep their brackets)."""
    if host.startswith("["):
        name, _, rest = host.partition("]")
        return name + "]", rest
    name, colon, port = host.partition(":")
    return name, colon + port


class Urls:
    """Absolute links for one request: API links on the request's own origin, the web checkout
    and cart pages on another origin of the same server (``localhost`` vs ``127.0.0.1``)."""

    __slots__ = ("api", "web_base", "_formats", "_memo")

    def __init__(self, layout: Layout, scheme: str, host: str) -> None:
        self.api = f"{scheme}://{host}"
        name, port = split_host(host)
        other = "127.0.0.1" if name.lower() == "localhost" else "localhost"
        self.web_base = f"{scheme}://{other}{port}"
        self._formats = layout.formats
        self._memo: dict[tuple[object, ...], str] = {}

    def __call__(self, endpoint: str, **values: object) -> str:
        return self._formats[endpoint].format(base=self.api, **values)

    def shared(self, endpoint: str, **values: object) -> str:
        """Like calling, but remembered: for the links a page repeats (shop, products)."""
        key = (endpoint, *values.values())
        href = self._memo.get(key)
        if href is None:
            href = self._memo[key] = self(endpoint, **values)
        return href

    def web(self, endpoint: str, code: str) -> str:
        return self._formats[endpoint].format(base=self.web_base, code=code)
