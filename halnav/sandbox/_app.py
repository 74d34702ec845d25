"""The WSGI application: routing, faults, authentication, HTTP caching headers, and the handlers.

One :class:`SandboxApp` serves one database in one URL layout. Each request goes: route, latency
sleep, fault draw (API endpoints only), token check, handler, JSON answer with ``ETag``,
``Last-Modified``, ``Cache-Control`` and ``X-OAuth-Scopes``, answered 304 when the client's
``If-None-Match`` (or, without it, ``If-Modified-Since``) says it already has it. Once stopped
or closed it answers 503 to everything.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import logging
import socket
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from . import _store as store
from ._auth import Grant, OAuthError, authenticate, issue_token, require_admin
from ._db import Database, check_orders, is_sqlite_int, open_database
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


def check_token_lifetime(token_lifetime: float) -> None:
    if token_lifetime < 0:
        raise ValueError("token_lifetime must be >= 0")


def check_port(port: int) -> None:
    if not 0 <= port <= 65535:
        raise ValueError("port must be between 0 and 65535")


def check_options(
    *,
    orders: int = 14486,
    latency_ms: float = 0,
    fail_rate: float = 0.0,
    token_lifetime: float = 3600,
    layout: str = "default",
    port: int = 0,
) -> None:
    """Check a sandbox's options before anything is seeded or bound, with the very checks of
    their owners (:func:`open_database`, :class:`SandboxConfig`, :class:`SandboxApp`,
    ``serve``): a ``ValueError`` names the first bad one."""
    check_orders(orders)
    SandboxConfig(latency_ms=latency_ms, fail_rate=fail_rate)
    check_token_lifetime(token_lifetime)
    get_layout(layout)
    check_port(port)


def _not_modified(
    request: Request, etag: str, last_modified: datetime | None, ambiguous: bool
) -> bool:
    """Whether the client's copy is current (RFC 9110 13.2.2): ``If-None-Match`` decides when
    present, ``If-Modified-Since`` is then ignored; a date proves a copy current when it is not
    older than ``last_modified``, unless that second is ``ambiguous`` (two writes fell in it)."""
    if "If-None-Match" in request.headers:
        return request.if_none_match.contains_weak(etag.strip('"'))
    since = request.if_modified_since
    if since is None or last_modified is None:
        return False
    return last_modified < since or (last_modified == since and not ambiguous)


class RenderedPages:
    """Rendered order pages, least recently used out, bounded by bytes (thread-safe).

    Keys hold the data's state (``store.data_state``), so any write retires every page.
    """

    def __init__(self, max_bytes: int = 64 * 2**20) -> None:
        self.max_bytes = max_bytes
        self._pages: OrderedDict[Any, tuple[bytes, str, bool]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Any) -> tuple[bytes, str, bool] | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(
        self, key: Any, body: bytes, last_modified: str, ambiguous: bool
    ) -> tuple[bytes, str, bool]:
        page = (body, last_modified, ambiguous)
        with self._lock:
            if key not in self._pages:
                self._pages[key] = page
                self._size += len(body)
            while self._size > self.max_bytes and self._pages:
                _, (old, _, _) = self._pages.popitem(last=False)
                self._size -= len(old)
        return page


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
        check_token_lifetime(token_lifetime)
        self.db = db
        self.layout: Layout = get_layout(layout)
        self.config = config or SandboxConfig()
        self.token_lifetime = token_lifetime
        self.stopped = threading.Event()
        self.faults = FaultInjector(self.config, seed, self.stopped)
        self.pages = RenderedPages()
        with db.session() as conn:
            self._epoch = store.seed_epoch(conn)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        return self.respond(request)(environ, start_response)

    def stop(self) -> None:
        """Answer 503 from now on, and end latency sleeps at once (the database stays open for
        the requests being answered)."""
        self.stopped.set()

    def close(self) -> None:
        """Stop, then close the database."""
        self.stop()
        self.db.close()

    # -- plumbing ---------------------------------------------------------------------------

    def _stopping(self, request: Request) -> Response:
        return self._error(request, ApiError(503, "service", "The sandbox is shutting down"))

    def respond(self, request: Request) -> Response:
        if self.stopped.is_set():
            return self._stopping(request)
        adapter = self.layout.url_map.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
            if any(isinstance(v, int) and not is_sqlite_int(v) for v in values.values()):
                raise NotFound()  # no such id can exist
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
            if self.stopped.is_set():
                return self._stopping(request)
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
            if self.stopped.is_set():  # e.g. the database closed under a late request
                return self._stopping(request)
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
        ambiguous: bool = False,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> Response:
        """The JSON answer (``doc`` encoded, or ``body`` as given); a GET or HEAD answered 200
        becomes a 304 when the client's copy is current (``ambiguous``: ``last_modified`` cannot
        prove it, see ``store.shop_clock``)."""
        if body is None:
            body = dumps(doc)
        response = Response(body, status=status, content_type=JSON_TYPE)
        response.headers["Cache-Control"] = CACHE_CONTROL
        # A strong validator: a hash of the exact bytes (SHA-1 is faster than MD5 on current CPUs).
        etag = f'"{hashlib.sha1(body, usedforsecurity=False).hexdigest()[:32]}"'
        response.headers["ETag"] = etag
        modified = _http_time(last_modified) if last_modified is not None else None
        response.last_modified = modified
        if grant is not None:
            response.headers["X-OAuth-Scopes"] = grant.scope_header
        if headers:
            response.headers.update(headers)
        if (
            status == 200
            and request.method in ("GET", "HEAD")
            and _not_modified(request, etag, modified, ambiguous)
        ):
            response.status_code = 304  # werkzeug then sends no body and no entity headers
        return response

    def _error(self, request: Request, exc: ApiError) -> Response:
        # Like the create-order page's 422: ETag and Last-Modified on errors too.
        return self._json(
            request,
            errors_body(exc.errors),
            exc.status,
            grant=request.environ.get(GRANT_KEY),
            last_modified=self._epoch,
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
        # A page depends on the data, the shop, the host its links name, the page and the other
        # arguments in their order (its links keep them so, with ``page`` moved last): the same
        # page asked for again before any write is the same bytes, so it is rendered once.
        # ``?page=2&per_page=50`` and ``?per_page=50&page=2`` are one page, so one key.
        args = list(request.args.items(multi=True))
        kept = tuple((k, v) for k, v in args if k != "page")
        with self.db.session() as conn:
            key = (store.data_state(conn), shop_id, request.host_url, kept, query.page)
            page = self.pages.get(key)
            if page is None:
                total, rows, items = store.search_orders(conn, shop_id, query)
                newest, ambiguous = store.shop_clock(conn, shop_id)
        if page is None:
            doc = orders_page_doc(urls, shop_id, query, args, total, rows, items)
            page = self.pages.put(key, dumps(doc), newest or self._epoch, ambiguous)
        body, last_modified, ambiguous = page
        return self._json(
            request, None, grant=grant, last_modified=last_modified, ambiguous=ambiguous, body=body
        )

    def _order(
        self, request: Request, urls: Urls, order_id: int, shop_id: int | None = None
    ) -> Response:
        grant = self._admin(request)
        if shop_id is not None:
            self._owned_shop(grant, shop_id)
        # The shop's clock, not the order's updated_on: an order also changes with its contact,
        # which creating another order may update (and which has no date of its own).
        with self.db.session() as conn:
            row, lines = store.get_order(conn, order_id)
            newest, ambiguous = store.shop_clock(conn, row["shop_id"]) if row else (None, False)
        if row is None or (shop_id is not None and row["shop_id"] != shop_id):
            where = f" in shop {shop_id}" if shop_id is not None else ""
            raise ApiError(404, "id", f"Order {order_id} does not exist{where}")
        if shop_id is None:  # a layout whose order URL names no shop: check the order's own
            self._owned_shop(grant, row["shop_id"])
        if request.method == "PUT":
            update_order(self.db, order_id, self._json_body(request))
            with self.db.session() as conn:
                row, lines = store.get_order(conn, order_id)
                newest, ambiguous = store.shop_clock(conn, row["shop_id"])  # type: ignore[index]
        doc = order_doc(urls, row, lines, curies=True)  # type: ignore[arg-type]
        return self._json(
            request, doc, grant=grant, last_modified=newest or self._epoch, ambiguous=ambiguous
        )

    def _create_order(self, request: Request, urls: Urls, shop_id: int) -> Response:
        grant = self._admin(request)
        self._owned_shop(grant, shop_id)
        order_id = create_order(self.db, shop_id, self._json_body(request))
        with self.db.session() as conn:
            row, lines = store.get_order(conn, order_id)
            newest, _ = store.shop_clock(conn, shop_id)
        doc = order_doc(urls, row, lines, curies=True)  # type: ignore[arg-type]
        location = {"Location": doc["_links"]["self"]["href"]}
        return self._json(request, doc, 201, grant=grant, last_modified=newest, headers=location)

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
        with self.db.session() as conn:
            newest, _ = store.shop_clock(conn, shop_id)
        return self._json(request, doc, grant=grant, last_modified=newest or self._epoch)

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
    check_options(  # fail before seeding on a bad value
        orders=orders,
        latency_ms=latency_ms,
        fail_rate=fail_rate,
        token_lifetime=token_lifetime,
        layout=layout,
    )
    config = SandboxConfig(latency_ms=latency_ms, fail_rate=fail_rate)
    database = open_database(db, orders=orders, seed=seed)
    return SandboxApp(
        database, layout=layout, config=config, seed=seed, token_lifetime=token_lifetime
    )
