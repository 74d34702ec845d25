"""Where things live: the two URL layouts, as werkzeug routing rules, link formats and spellings.

Each endpoint's path is written once, in werkzeug's rule syntax; the link format is derived from it,
so routing and the links in documents cannot disagree. ``default`` mirrors the real API
(``/v1/shops/29/orders.json``). ``alternate`` serves the same API under unrelated paths and with the
reference's variant spellings (the old curie, a plain ``btc:orders`` on the root's shops, dotted
template names, an untemplated ``btc:order``, no ``btc:shop`` template on the root, the rel
``btc:update-orders``): a client that passes against both builds no URL by hand and reads links as
the real API writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from werkzeug.routing import BaseConverter, Map, Rule

from ._options import LAYOUT_NAMES, check_layout

GET, PUT, POST = ("GET",), ("PUT",), ("POST",)

# Endpoints that are the API proper: they need a token and are subject to fault injection.
API_ENDPOINTS = frozenset(
    {
        "root", "shop", "orders", "create_order", "order", "order_json", "tracking", "events",
        "update_orders", "contacts", "shop_products", "product_by_slug", "products", "product",
    }
)  # fmt: skip
# Endpoints served on the "other origin" (see Urls.web).
WEB_ENDPOINTS = frozenset({"web_checkout", "web_cart"})


class RefConverter(BaseConverter):
    """An order's code or id in a path segment: letters and digits only, so that
    ``updaters.json`` and ``20.json`` are never taken for one."""

    regex = "[A-Za-z0-9]+"


@dataclass(frozen=True)
class Layout:
    """One way of laying out the API: its routes and the spellings its documents use."""

    name: str
    # endpoint -> (werkzeug rule path, methods); the first entry of an endpoint is its link.
    routes: tuple[tuple[str, str, tuple[str, ...]], ...]
    update_orders_rel: str
    curie_href: str
    root_shop_template: bool  # the root links btc:shop{id} (the documented root has none)
    embedded_orders_templated: bool  # btc:orders of the root's shops is a template
    dotted_ranges: bool  # range filters spelled created_on.gte in the shop's btc:orders
    order_variable: str  # the variable of the shop's btc:order link
    order_templated: bool  # whether btc:order says templated: true
    url_map: Map = field(init=False, compare=False, repr=False)
    formats: dict[str, str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        rules = [Rule(path, endpoint=ep, methods=list(m)) for ep, path, m in self.routes]
        url_map = Map(rules, strict_slashes=False, converters={"ref": RefConverter})
        object.__setattr__(self, "url_map", url_map)
        formats: dict[str, str] = {}
        for endpoint, path, _ in self.routes:
            formats.setdefault(endpoint, "{base}" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path))
        object.__setattr__(self, "formats", formats)


DEFAULT = Layout(
    name="default",
    routes=(
        ("index", "/", GET),
        ("root", "/v1", GET),
        ("products", "/v1/products", GET),
        ("product", "/v1/products/<int:product_id>", GET),
        ("shop", "/v1/shops/<int:shop_id>.json", GET),
        ("shop", "/v1/shops/<int:shop_id>", GET),
        ("orders", "/v1/shops/<int:shop_id>/orders.json", GET),
        ("orders", "/v1/shops/<int:shop_id>/orders", GET),  # the seed's "successful" example
        ("create_order", "/v1/shops/<int:shop_id>/orders", POST),
        ("order", "/v1/shops/<int:shop_id>/orders/<ref:ref>", GET + PUT),
        ("order_json", "/v1/shops/<int:shop_id>/orders/<int:order_id>.json", GET + PUT),
        ("tracking", "/v1/shops/<int:shop_id>/orders/<ref:ref>/tracking", PUT),
        ("events", "/v1/shops/<int:shop_id>/orders/<ref:ref>/events", GET),
        ("update_orders", "/v1/shops/<int:shop_id>/orders/updaters.json", POST),
        ("contacts", "/v1/shops/<int:shop_id>/contacts", GET),
        ("shop_products", "/v1/shops/<int:shop_id>/products", GET),
        ("product_by_slug", "/v1/shops/<int:shop_id>/products/<slug>", GET),
        ("token", "/oauth/token", POST),
        ("web_checkout", "/checkout/orders/<code>", GET),
        ("web_cart", "/cart/<code>", GET),
    ),
    update_orders_rel="btc:update_orders",
    curie_href="https://api.bootic.net/rels/{rel}",
    root_shop_template=True,
    embedded_orders_templated=True,
    dotted_ranges=False,
    order_variable="code",
    order_templated=True,
)

ALTERNATE = Layout(
    name="alternate",
    routes=(
        ("index", "/", GET),
        ("root", "/api/entry", GET),
        ("products", "/api/catalogue", GET),
        ("product", "/api/catalogue/<int:product_id>", GET),
        ("shop", "/api/stores/<int:shop_id>", GET),
        ("orders", "/api/stores/<int:shop_id>/purchases", GET),
        ("create_order", "/api/stores/<int:shop_id>/purchases/new", POST),
        ("order", "/api/purchase-records/<ref:ref>", GET + PUT),
        ("tracking", "/api/purchase-records/<ref:ref>/shipping", PUT),
        ("events", "/api/purchase-records/<ref:ref>/history", GET),
        ("update_orders", "/api/stores/<int:shop_id>/bulk-status", POST),
        ("contacts", "/api/stores/<int:shop_id>/people", GET),
        ("shop_products", "/api/stores/<int:shop_id>/goods", GET),
        ("product_by_slug", "/api/stores/<int:shop_id>/goods/<slug>", GET),
        ("token", "/api/oauth2/token", POST),
        ("web_checkout", "/web/pay/<code>", GET),
        ("web_cart", "/web/basket/<code>", GET),
    ),
    update_orders_rel="btc:update-orders",
    curie_href="http://developers.bootic.net/rels/{rel}",
    root_shop_template=False,
    embedded_orders_templated=False,
    dotted_ranges=True,
    order_variable="id",
    order_templated=False,
)

LAYOUTS = {layout.name: layout for layout in (DEFAULT, ALTERNATE)}
assert tuple(LAYOUTS) == LAYOUT_NAMES  # the options' check names exactly these


def get_layout(name: str) -> Layout:
    """The layout called ``name`` (a ``ValueError`` names the choices)."""
    check_layout(name)
    return LAYOUTS[name]


def split_host(host: str) -> tuple[str, str]:
    """``("127.0.0.1", ":8000")`` from ``127.0.0.1:8000`` (IPv6 literals keep their brackets)."""
    if host.startswith("["):
        name, _, rest = host.partition("]")
        return name + "]", rest
    name, colon, port = host.partition(":")
    return name, colon + port


class Urls:
    """Links for one request: API links absolute on the request's own origin, the web checkout
    page on another origin of the same server (``localhost`` vs ``127.0.0.1``), the web cart
    relative (as the real API writes it)."""

    __slots__ = ("api", "web_base", "layout", "_formats", "_memo")

    def __init__(self, layout: Layout, scheme: str, host: str) -> None:
        self.api = f"{scheme}://{host}"
        name, port = split_host(host)
        other = "127.0.0.1" if name.lower() == "localhost" else "localhost"
        self.web_base = f"{scheme}://{other}{port}"
        self.layout = layout
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
        """A web page on the other origin (absolute)."""
        return self._formats[endpoint].format(base=self.web_base, code=code)

    def relative(self, endpoint: str, **values: object) -> str:
        """A path on this origin, without scheme and host."""
        return self._formats[endpoint].format(base="", **values)
