"""The WSGI application: routing, faults, authentication, HTTP caching headers, and the handlers.

One :class:`SandboxApp` serves one database in one URL layout. Each request goes: route, latency
sleep, fault draw (API endpoints only), token check, handler, JSON answer with ``ETag``,
``Last-Modified``, ``Cache-Control`` and ``X-OAuth-Scopes``, answered 304 when the client's
``If-None-Match`` / ``If-Modified-Since`` say it already has it.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import logging
import socket
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from . import _store as store
from ._auth import Grant, OAuthError, authenticate, issue_token, require_admin
from ._db import Database, open_database
from ._errors import ApiError, error_items, errors_body
from ._faults import FaultInjector, SandboxConfig
from ._filters import parse_order_query
from ._hal import (
    dumps,
    index_doc,
    order_doc,
    orders_page_doc,
    product_doc,
    root_doc,
    shop_doc,
)
from ._layout import API_ENDPOINTS, Layout, Urls, get_layout
from ._orders import create_order, update_many, update_order, validate_bulk

logger = logging.getLogger("halnav.sandbox")

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
CACHE_CONTROL = "must-revalidate, private, max-age=0"
DROP_KEY = "halnav.sandbox.drop"  # set in the environ when the connection must be dropped
GRANT_KEY = "halnav.sandbox.grant"  # the request's valid grant, for X-OAuth-Scopes on errors


def _http_time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp).replace(tzinfo=timezone.utc)


class SandboxApp:
    """The Bootic-compatible API as a WSGI callable (``app(environ, start_response)``).

    ``db`` is its :class:`~halnav.sandbox._db.Database`, ``config`` the live
    :class:`SandboxConfig` (latency and faults), ``layout`` the URL :class:`Layout`.
    """

    def __init__(
        self,
        db: Database,
        *,
        layout: str = "default",
        config: SandboxConfig | None = None,
        seed: int = 0,
        token_lifetime: float = 3600,
    ) -> None:
        if token_lifetime < 0:
            raise ValueError("token_lifetime must be >= 0")
        self.db = db
        self.layout: Layout = get_layout(layout)
        self.config = config or SandboxConfig()
        self.token_lifetime = token_lifetime
        self.faults = FaultInjector(self.config, seed)
        with db.session() as conn:
            self._epoch = store.seed_epoch(conn)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        return self.respond(request)(environ, start_response)

    def close(self) -> None:
        self.db.close()

    # -- plumbing ---------------------------------------------------------------------------

    def respond(self, request: Request) -> Response:
        adapter = self.layout.url_map.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
            if any(isinstance(v, int) and v >= 2**63 for v in values.values()):
                raise NotFound()  # no such id can exist (SQLite integers are 64 bits)
        except MethodNotAllowed as exc:
            allowed = ", ".join(exc.valid_methods or ())
            return self._error(
                request,
                ApiError(
                    405,
                    "method",
                    f"{request.method} is not allowed here; allowed: {allowed}",
                    headers={"Allow": allowed},
                ),
            )
        except NotFound:
            return self._error(request, ApiError(404, "path", f"Nothing at {request.path}"))
        except HTTPException as exc:  # e.g. a redirect to a path without doubled slashes
            return exc.get_response(request.environ)  # type: ignore[return-value]

        if endpoint != "index":  # "/" answers at once: it is what serve() polls until ready
            self.faults.delay()
        if endpoint in API_ENDPOINTS:
            fault = self.faults.draw()
            if fault == "drop":
                return self._drop(request)
            if fault == "503":
                message = "Injected fault (fail_rate): service unavailable, retry"
                exc = ApiError(503, "service", message, headers={"Retry-After": "0"})
                return self._error(request, exc)

        urls = Urls(self.layout, request.scheme, request.host)
        try:
            return getattr(self, f"_{endpoint}")(request, urls, **values)  # type: ignore[no-any-return]
        except ApiError as exc:
            return self._error(request, exc)
        except Exception:
            logger.exception("sandbox error on %s %s", request.method, request.full_path)
            return self._error(request, ApiError(500, "server", "Internal sandbox error"))

    def _json(
        self,
        request: Request,
        doc: Any,
        status: int = 200,
        *,
        grant: Grant | None = None,
        last_modified: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        body = dumps(doc)
        response = Response(body, status=status, content_type=JSON_TYPE)
        response.headers["Cache-Control"] = CACHE_CONTROL
        # A strong validator: a hash of the exact bytes (SHA-1 is faster than MD5 on current CPUs).
        response.headers["ETag"] = f'"{hashlib.sha1(body, usedforsecurity=False).hexdigest()[:32]}"'
        if last_modified is not None:
            response.last_modified = _http_time(last_modified)
        if grant is not None:
            response.headers["X-OAuth-Scopes"] = grant.scope_header
        if headers:
            response.headers.update(headers)
        if status == 200 and request.method in ("GET", "HEAD"):
            response.make_conditional(request)  # 304 on a matching If-None-Match/If-Modified-Since
        return response

    def _error(self, request: Request, exc: ApiError) -> Response:
        return self._json(
            request,
            errors_body(exc.errors),
            exc.status,
            grant=request.environ.get(GRANT_KEY),
            headers=exc.headers,
        )

    def _drop(self, request: Request) -> Response:
        """Close the connection without answering. The server (ours or werkzeug's) sees the
        socket shut and sends nothing; without a socket (a test client) this raises instead."""
        sock = request.environ.get("werkzeug.socket")
        if sock is None:
            raise ConnectionAbortedError("injected fault (fail_rate): connection dropped")
        request.environ[DROP_KEY] = True
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        return Response(b"", status=503)

    def _grant(self, request: Request) -> Grant:
        grant = authenticate(self.db, request.headers.get("Authorization"))
        request.environ[GRANT_KEY] = grant
        return grant

    def _admin(self, request: Request) -> Grant:
        """The request's grant, which must have the ``admin`` scope (else 401 / 403)."""
        grant = self._grant(request)
        require_admin(grant)
        return grant

    def _owned_shop(self, grant: Grant, shop_id: int) -> store.Row:
        """The shop, if the grant's user owns it (else 404 / 403)."""
        with self.db.session() as conn:
            shop = store.get_shop(conn, shop_id)
        if shop is None:
            raise ApiError(404, "shop_id", f"Shop {shop_id} does not exist")
        if shop["user_id"] != grant.user_id:
            raise ApiError(403, "shop_id", f"Shop {shop_id} is not owned by {grant.user_name}")
        return shop

    @staticmethod
    def _json_body(request: Request) -> Any:
        data = request.get_data()
        if not data.strip():
            raise ApiError(400, "body", "is required: a JSON object")
        try:
            body = json.loads(data)
            # "\ud800" is valid JSON but no text: it could be neither stored nor rendered.
            json.dumps(body, ensure_ascii=False).encode("utf-8")
        except ValueError as exc:  # JSONDecodeError, undecodable bytes, lone surrogates
            raise ApiError(400, "body", f"is not valid JSON text: {exc}") from None
        return body

    # -- API endpoints ----------------------------------------------------------------------

    def _index(self, request: Request, urls: Urls) -> Response:
        return self._json(request, index_doc(urls), last_modified=self._epoch)

    def _root(self, request: Request, urls: Urls) -> Response:
        grant = self._grant(request)
        with self.db.session() as conn:
            shops = store.shops_of_user(conn, grant.user_id)
        doc = root_doc(urls, self.layout, grant, shops)
        return self._json(request, doc, grant=grant, last_modified=self._epoch)

    def _shop(self, request: Request, urls: Urls, shop_id: int) -> Response:
        grant = self._admin(request)
        doc = shop_doc(urls, self.layout, self._owned_shop(grant, shop_id))
        return self._json(request, doc, grant=grant, last_modified=self._epoch)

    def _orders(self, request: Request, urls: Urls, shop_id: int) -> Response:
        grant = self._admin(request)
        self._owned_shop(grant, shop_id)
        query = parse_order_query(request.args)
        with self.db.session() as conn:
            total, rows, items = store.search_orders(conn, shop_id, query)
        args = list(request.args.items(multi=True))
        doc = orders_page_doc(urls, shop_id, query, args, total, rows, items)
        newest = max((row["updated_on"] for row in rows), default=self._epoch)
        return self._json(request, doc, grant=grant, last_modified=newest)

    def _order(
        self, request: Request, urls: Urls, order_id: int, shop_id: int | None = None
    ) -> Response:
        grant = self._admin(request)
        if shop_id is not None:
            self._owned_shop(grant, shop_id)
        with self.db.session() as conn:
            row, lines = store.get_order(conn, order_id)
        if row is None or (shop_id is not None and row["shop_id"] != shop_id):
            where = f" in shop {shop_id}" if shop_id is not None else ""
            raise ApiError(404, "id", f"Order {order_id} does not exist{where}")
        if shop_id is None:  # a layout whose order URL names no shop: check the order's own
            self._owned_shop(grant, row["shop_id"])
        if request.method == "PUT":
            update_order(self.db, order_id, self._json_body(request))
            with self.db.session() as conn:
                row, lines = store.get_order(conn, order_id)
        doc = order_doc(urls, row, lines, curies=True)  # type: ignore[arg-type]
        return self._json(request, doc, grant=grant, last_modified=row["updated_on"])  # type: ignore[index]

    def _create_order(self, request: Request, urls: Urls, shop_id: int) -> Response:
        grant = self._admin(request)
        self._owned_shop(grant, shop_id)
        order_id = create_order(self.db, shop_id, self._json_body(request))
        with self.db.session() as conn:
            row, lines = store.get_order(conn, order_id)
        doc = order_doc(urls, row, lines, curies=True)  # type: ignore[arg-type]
        location = {"Location": doc["_links"]["self"]["href"]}
        updated = row["updated_on"]  # type: ignore[index]
        return self._json(request, doc, 201, grant=grant, last_modified=updated, headers=location)

    def _update_orders(self, request: Request, urls: Urls, shop_id: int) -> Response:
        grant = self._admin(request)
        self._owned_shop(grant, shop_id)
        ids, additions, removals = validate_bulk(self._json_body(request))
        result = update_many(self.db, shop_id, ids, additions["status"])
        valid = [order_doc(urls, result.orders[i], result.items[i]) for i in result.valid]
        invalid = []
        for order_id, errors in result.invalid:
            row = result.orders.get(order_id)
            if row is None:  # unknown here: only its id can be shown
                invalid.append({"id": order_id, "_embedded": {"errors": error_items(errors)}})
            else:
                refused = order_doc(urls, row, result.items[order_id])
                refused["_embedded"]["errors"] = error_items(errors)
                invalid.append(refused)
        doc = {
            "_embedded": {"invalid_items": invalid, "valid_items": valid},
            "additions": additions,
            "ids": ids,
            "removals": removals,
        }
        newest = max((row["updated_on"] for row in result.orders.values()), default=self._epoch)
        return self._json(request, doc, grant=grant, last_modified=newest)

    def _product(self, request: Request, urls: Urls, shop_id: int, slug: str) -> Response:
        grant = self._admin(request)
        self._owned_shop(grant, shop_id)
        with self.db.session() as conn:
            product, variants = store.get_product(conn, shop_id, slug)
        if product is None:
            raise ApiError(404, "slug", f"Product {slug!r} does not exist in this shop")
        doc = product_doc(urls, product, variants)
        return self._json(request, doc, grant=grant, last_modified=self._epoch)

    # -- OAuth2 and web pages (no faults, no bearer token) ------------------------------------

    def _token(self, request: Request, urls: Urls) -> Response:
        try:
            body = issue_token(
                self.db,
                request.headers.get("Authorization"),
                request.form.to_dict(),
                self.token_lifetime,
            )
            status = 200
        except OAuthError as exc:
            body, status = {"error": exc.error, "error_description": exc.description}, exc.status
        response = Response(dumps(body), status=status, content_type=JSON_TYPE)
        response.headers["Cache-Control"] = "no-store"  # RFC 6749 5.1
        response.headers["Pragma"] = "no-cache"
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Basic realm="bootic"'
        return response

    def _web_page(self, code: str, heading: str) -> Response:
        with self.db.session() as conn:
            order = store.get_order_by_code(conn, code)
        if order is None:
            title, text = "Not found", f"There is no order {code}."
        else:
            title = f"{heading} {order['code']}"
            text = f"Order {order['code']}: status {order['status']}, total {order['total']}."
        page = (
            f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head>\n<body><h1>{html.escape(title)}</h1>"
            f"<p>{html.escape(text)}</p><p>(halnav Bootic sandbox)</p></body></html>\n"
        )
        response = Response(page, status=404 if order is None else 200, content_type=HTML_TYPE)
        response.headers["Cache-Control"] = "no-cache"
        return response

    def _web_checkout(self, request: Request, urls: Urls, code: str) -> Response:
        return self._web_page(code, "Checkout for order")

    def _web_cart(self, request: Request, urls: Urls, code: str) -> Response:
        return self._web_page(code, "Cart of order")


def make_app(
    *,
    orders: int = 14486,
    seed: int = 0,
    db: str | Path | None = None,
    latency_ms: float = 0,
    fail_rate: float = 0.0,
    token_lifetime: float = 3600,
    layout: str = "default",
) -> SandboxApp:
    """A ready WSGI application over a seeded database (in memory, or the file ``db``)."""
    get_layout(layout)  # fail before seeding on a bad name
    config = SandboxConfig(latency_ms=latency_ms, fail_rate=fail_rate)
    database = open_database(db, orders=orders, seed=seed)
    return SandboxApp(
        database, layout=layout, config=config, seed=seed, token_lifetime=token_lifetime
    )
