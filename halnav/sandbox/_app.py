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
import logging
import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from . import _store as store
from ._auth import Grant, OAuthError, authenticate, issue_token, require_admin
from ._db import Database, is_sqlite_int, open_database
from ._errors import ApiError, error_items
from ._faults import FaultInjector, SandboxConfig
from ._filters import ListQuery, parse_list_query, parse_order_query
from ._hal import (
    Doc,
    contacts_page_doc,
    dumps,
    events_doc,
    index_doc,
    last_page,
    order_doc,
    order_summary,
    orders_page_doc,
    product_doc,
    products_page_doc,
    root_doc,
    shop_doc,
)
from ._http import CLOSE_KEY, RenderedPages, form_body, http_time, json_body, not_modified
from ._layout import API_ENDPOINTS, Layout, Urls, get_layout
from ._options import (
    DEFAULT_MAX_BODY_BYTES,
    check_max_body_bytes,
    check_options,
    check_token_lifetime,
)
from ._orders import create_order, update_many, update_order, update_tracking, validate_bulk

logger = logging.getLogger("halnav.sandbox")

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
CACHE_CONTROL = "must-revalidate, private, max-age=0"
DROP_KEY = "halnav.sandbox.drop"  # set in the environ when the connection must be dropped
GRANT_KEY = "halnav.sandbox.grant"  # the request's valid grant, for X-OAuth-Scopes on errors
PRODUCT_SORTS = ("title.asc", "title.desc", "price.asc", "price.desc")
CONTACT_SORTS = ("name.asc", "name.desc", "email.asc", "email.desc")
EVENT_SORTS = ("created_on.asc",)

StartResponse = Callable[..., Any]


def _past_the_last(page: int, total: int, per_page: int, what: str) -> ApiError:
    last = last_page(total, per_page)
    return ApiError(
        404,
        message=f"Page {page} does not exist: {total} {what} at {per_page} per page end on"
        f" page {last}",
    )


class SandboxApp:
    """The Bootic-compatible API as a WSGI callable (``app(environ, start_response)``).

    ``db`` is its :class:`~halnav.sandbox._db.Database`, ``config`` the live
    :class:`SandboxConfig` (latency and faults), ``layout`` the URL :class:`Layout`,
    ``max_body_bytes`` the largest request body it reads (413 beyond).
    """

    def __init__(
        self,
        db: Database,
        *,
        layout: str = "default",
        config: SandboxConfig | None = None,
        seed: int = 0,
        token_lifetime: float = 3600,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        check_token_lifetime(token_lifetime)
        check_max_body_bytes(max_body_bytes)
        self.db = db
        self.layout: Layout = get_layout(layout)
        self.config = config or SandboxConfig()
        self.token_lifetime = token_lifetime
        self.max_body_bytes = max_body_bytes
        self.stopped = threading.Event()
        self.faults = FaultInjector(self.config, seed, self.stopped)
        self.pages = RenderedPages()
        with db.session() as conn:
            self._epoch = store.seed_epoch(conn)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = self.max_body_bytes
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
        return self._error(request, ApiError(503, message="The sandbox is shutting down"))

    def respond(self, request: Request) -> Response:
        """The answer to one request (what ``__call__`` sends)."""
        if self.stopped.is_set():
            return self._stopping(request)
        adapter = self.layout.url_map.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
            if any(isinstance(v, int) and not is_sqlite_int(v) for v in values.values()):
                raise NotFound()  # no such id can exist
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(exc.valid_methods or ()))  # a set: a stable order
            message = f"{request.method} is not allowed here; allowed: {allowed}"
            return self._error(request, ApiError(405, message=message, headers={"Allow": allowed}))
        except NotFound:
            return self._error(request, ApiError(404, message=f"Nothing at {request.path}"))
        except HTTPException as redirect:  # e.g. a redirect to a path without doubled slashes
            return redirect.get_response(request.environ)

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
                failure = ApiError(503, message=message, headers={"Retry-After": "0"})
                return self._error(request, failure)

        urls = Urls(self.layout, request.scheme, request.host)
        handler: Callable[..., Response] = getattr(self, f"_{endpoint}")
        try:
            return handler(request, urls, **values)
        except ApiError as error:
            return self._error(request, error)
        except HTTPException as error:  # werkzeug's own, e.g. a body cut short
            status = error.code or 400
            return self._error(request, ApiError(status, message=error.description))
        except Exception:
            if self.stopped.is_set():  # e.g. the database closed under a late request
                return self._stopping(request)
            logger.exception("sandbox error on %s %s", request.method, request.full_path)
            return self._error(request, ApiError(500, message="Internal sandbox error"))

    def _json(
        self,
        request: Request,
        doc: Doc | None,
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
            body = dumps(doc or {})
        response = Response(body, status=status, content_type=JSON_TYPE)
        response.headers["Cache-Control"] = CACHE_CONTROL
        # A strong validator: a hash of the exact bytes (SHA-1 is faster than MD5 on current CPUs).
        etag = f'"{hashlib.sha1(body, usedforsecurity=False).hexdigest()[:32]}"'
        response.headers["ETag"] = etag
        modified = http_time(last_modified) if last_modified is not None else None
        response.last_modified = modified
        if grant is not None:
            response.headers["X-OAuth-Scopes"] = grant.scope_header
        if headers:
            response.headers.update(headers)
        if (
            status == 200
            and request.method in ("GET", "HEAD")
            and not_modified(request, etag, modified, ambiguous)
        ):
            response.status_code = 304  # werkzeug then sends no body and no entity headers
        return response

    def _error(self, request: Request, error: ApiError) -> Response:
        # Like the create-order page's 422: ETag and Last-Modified on errors too.
        return self._json(
            request,
            error.body(),
            error.status,
            grant=request.environ.get(GRANT_KEY),
            last_modified=self._epoch,
            headers=error.headers,
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
        """The request's grant, any scope (else 401)."""
        grant = authenticate(self.db, request.headers.get("Authorization"))
        request.environ[GRANT_KEY] = grant
        return grant

    def _admin(self, request: Request) -> Grant:
        """The request's grant, which must have the ``admin`` scope (else 401 / 403)."""
        grant = self._grant(request)
        require_admin(grant)
        return grant

    def _shop_row(self, shop_id: int) -> store.Row:
        with self.db.session() as conn:
            shop = store.get_shop(conn, shop_id)
        if shop is None:
            raise ApiError(404, "shop_id", f"Shop {shop_id} does not exist")
        return shop

    def _owned_shop(self, grant: Grant, shop_id: int) -> store.Row:
        """The shop, if the grant's user owns it (else 404 / 403)."""
        shop = self._shop_row(shop_id)
        if shop["user_id"] != grant.user_id:
            raise ApiError(403, "shop_id", f"Shop {shop_id} is not owned by {grant.user_name}")
        return shop

    def _order_id(self, grant: Grant, ref: str | int, shop_id: int | None) -> int:
        """The id of the order ``ref`` (a code or an id) names, once the grant's right to it is
        checked (404 / 403); ``shop_id`` None: a layout whose order URLs name no shop."""
        if shop_id is not None:
            self._owned_shop(grant, shop_id)
        with self.db.session() as conn:
            order_id = store.order_id_of(conn, ref)
            row = None if order_id is None else store.order_row(conn, order_id)
        if row is None or order_id is None or (shop_id is not None and row["shop_id"] != shop_id):
            where = f" in shop {shop_id}" if shop_id is not None else ""
            raise ApiError(404, "id", f"Order {ref} does not exist{where}")
        if shop_id is None:
            self._owned_shop(grant, row["shop_id"])
        return order_id

    def _order_answer(
        self,
        request: Request,
        urls: Urls,
        grant: Grant,
        order_id: int,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        # The shop's clock, not the order's updated_on: an order also changes with its contact,
        # which creating another order may update (and which has no date of its own).
        with self.db.session() as conn:
            row, lines = store.get_order(conn, order_id)
            if row is None:
                raise ApiError(404, "id", f"Order {order_id} does not exist")
            newest, ambiguous = store.shop_clock(conn, row["shop_id"])
        doc = order_doc(urls, row, lines, links_curies=True)
        if headers is None and status == 201:
            headers = {"Location": doc["_links"]["self"]["href"]}
        return self._json(
            request,
            doc,
            status,
            grant=grant,
            last_modified=newest or self._epoch,
            ambiguous=ambiguous,
            headers=headers,
        )

    # -- API endpoints ----------------------------------------------------------------------

    def _index(self, request: Request, urls: Urls) -> Response:
        return self._json(request, index_doc(urls), last_modified=self._epoch)

    def _root(self, request: Request, urls: Urls) -> Response:
        grant = self._grant(request)
        with self.db.session() as conn:
            user = store.get_user(conn, grant.user_id)
            shops = store.shops_of_user(conn, grant.user_id)
        if user is None:  # a token whose user is gone (only by editing the database)
            raise ApiError(401, "access_token", "The access token's user does not exist")
        doc = root_doc(urls, grant, user, shops)
        return self._json(request, doc, grant=grant, last_modified=self._epoch)

    def _shop(self, request: Request, urls: Urls, shop_id: int) -> Response:
        grant = self._admin(request)
        doc = shop_doc(urls, self._owned_shop(grant, shop_id))
        return self._json(request, doc, grant=grant, last_modified=self._epoch)

    def _orders(self, request: Request, urls: Urls, shop_id: int) -> Response:
        grant = self._admin(request)
        self._owned_shop(grant, shop_id)
        query = parse_order_query(request.args)
        # A page depends on the data, the shop, the host its links name and its query (in its
        # canonical form: the same page asked for in any spelling or order is the same bytes):
        # asked for again before any write, it is not rendered again.
        fresh = None
        with self.db.session() as conn:
            key = (store.data_state(conn), shop_id, request.host_url, query.canonical, query.page)
            page = self.pages.get(key)
            if page is None:
                stats = store.order_stats(conn, shop_id, query)
                if query.page > last_page(stats.count, query.per_page):
                    raise _past_the_last(query.page, stats.count, query.per_page, "orders")
                rows, items = store.order_page(conn, shop_id, query)
                histogram = None
                if query.histogram is not None:
                    histogram = store.order_histogram(conn, shop_id, query, query.histogram)
                newest, ambiguous = store.shop_clock(conn, shop_id)
                # rendered out of the lock (rows are plain values by now)
                fresh = (stats, rows, items, histogram, newest or self._epoch, ambiguous)
        if fresh is not None:
            stats, rows, items, histogram, newest, ambiguous = fresh
            doc = orders_page_doc(urls, shop_id, query, stats, rows, items, histogram)
            page = self.pages.put(key, dumps(doc), newest, ambiguous)
        assert page is not None  # found, or rendered just now
        body, last_modified, ambiguous = page
        return self._json(
            request, None, grant=grant, last_modified=last_modified, ambiguous=ambiguous, body=body
        )

    def _order(
        self, request: Request, urls: Urls, ref: str | int, shop_id: int | None = None
    ) -> Response:
        grant = self._admin(request)
        order_id = self._order_id(grant, ref, shop_id)
        if request.method == "PUT":
            update_order(self.db, order_id, json_body(request))
        return self._order_answer(request, urls, grant, order_id)

    def _order_json(self, request: Request, urls: Urls, order_id: int, shop_id: int) -> Response:
        # The orders seed page's /orders/{id}.json: the same order as /orders/{code}.
        return self._order(request, urls, order_id, shop_id)

    def _tracking(
        self, request: Request, urls: Urls, ref: str, shop_id: int | None = None
    ) -> Response:
        grant = self._admin(request)
        order_id = self._order_id(grant, ref, shop_id)
        update_tracking(self.db, order_id, json_body(request))
        return self._order_answer(request, urls, grant, order_id)

    def _events(
        self, request: Request, urls: Urls, ref: str, shop_id: int | None = None
    ) -> Response:
        grant = self._admin(request)
        order_id = self._order_id(grant, ref, shop_id)
        query = parse_list_query(request.args, EVENT_SORTS)
        with self.db.session() as conn:
            order = store.order_row(conn, order_id)
            events = store.events_of(conn, order_id)
            newest, ambiguous = store.shop_clock(conn, order["shop_id"]) if order else (None, False)
        if order is None:
            raise ApiError(404, "id", f"Order {ref} does not exist")
        total = len(events)
        if query.page > last_page(total, query.per_page):
            raise _past_the_last(query.page, total, query.per_page, "events")
        start = (query.page - 1) * query.per_page
        page = events[start : start + query.per_page]
        doc = events_doc(urls, order, query, total, page)
        return self._json(
            request, doc, grant=grant, last_modified=newest or self._epoch, ambiguous=ambiguous
        )

    def _create_order(self, request: Request, urls: Urls, shop_id: int) -> Response:
        grant = self._admin(request)
        self._owned_shop(grant, shop_id)
        order_id = create_order(self.db, shop_id, json_body(request))
        return self._order_answer(request, urls, grant, order_id, 201)

    def _update_orders(self, request: Request, urls: Urls, shop_id: int) -> Response:
        grant = self._admin(request)
        self._owned_shop(grant, shop_id)
        ids, additions, removals = validate_bulk(json_body(request))
        result = update_many(self.db, shop_id, ids, additions["status"])
        valid = [order_summary(urls, result.orders[i]) for i in result.valid]
        invalid: list[Doc] = []
        for order_id, errors in result.invalid:
            row = result.orders.get(order_id)
            # an unknown id (or another shop's order) can only be shown by its id
            item: Doc = {"id": order_id} if row is None else order_summary(urls, row)
            item["_embedded"] = {"errors": error_items(errors)}
            invalid.append(item)
        doc = {
            "_embedded": {"invalid_items": invalid, "valid_items": valid},
            "additions": additions,
            "ids": ids,
            "removals": removals,
        }
        with self.db.session() as conn:
            newest, _ = store.shop_clock(conn, shop_id)
        return self._json(request, doc, grant=grant, last_modified=newest or self._epoch)

    def _contacts(self, request: Request, urls: Urls, shop_id: int) -> Response:
        grant = self._admin(request)
        self._owned_shop(grant, shop_id)
        query = parse_list_query(request.args, CONTACT_SORTS)
        with self.db.session() as conn:
            total, rows = store.search_contacts(conn, shop_id, query)
            newest, ambiguous = store.shop_clock(conn, shop_id)
        if query.page > last_page(total, query.per_page):
            raise _past_the_last(query.page, total, query.per_page, "contacts")
        doc = contacts_page_doc(urls, shop_id, query, total, rows)
        # Contacts change with orders (creating one may add or rename one): the orders' clock.
        return self._json(
            request, doc, grant=grant, last_modified=newest or self._epoch, ambiguous=ambiguous
        )

    def _products_page(
        self, request: Request, urls: Urls, grant: Grant, shop_id: int | None, base: str
    ) -> Response:
        query: ListQuery = parse_list_query(request.args, PRODUCT_SORTS, prices=True)
        with self.db.session() as conn:
            total, rows, variants = store.search_products(conn, shop_id, query)
        if query.page > last_page(total, query.per_page):
            raise _past_the_last(query.page, total, query.per_page, "products")
        doc = products_page_doc(urls, base, query, total, rows, variants)
        return self._json(request, doc, grant=grant, last_modified=self._epoch)

    def _products(self, request: Request, urls: Urls) -> Response:
        # Products are the shops' public catalogue: any valid token reads them.
        grant = self._grant(request)
        return self._products_page(request, urls, grant, None, urls("products"))

    def _shop_products(self, request: Request, urls: Urls, shop_id: int) -> Response:
        grant = self._grant(request)
        self._shop_row(shop_id)
        base = urls("shop_products", shop_id=shop_id)
        return self._products_page(request, urls, grant, shop_id, base)

    def _product_answer(
        self, request: Request, urls: Urls, grant: Grant, product: store.Row | None, what: str
    ) -> Response:
        if product is None:
            raise ApiError(404, "product", f"Product {what} does not exist")
        with self.db.session() as conn:
            _, variants = store.get_product(conn, product["id"])
        doc = product_doc(urls, product, variants)
        return self._json(request, doc, grant=grant, last_modified=self._epoch)

    def _product(self, request: Request, urls: Urls, product_id: int) -> Response:
        grant = self._grant(request)
        with self.db.session() as conn:
            product, _ = store.get_product(conn, product_id)
        return self._product_answer(request, urls, grant, product, str(product_id))

    def _product_by_slug(self, request: Request, urls: Urls, shop_id: int, slug: str) -> Response:
        grant = self._grant(request)
        self._shop_row(shop_id)
        with self.db.session() as conn:
            product, _ = store.get_product(conn, shop_id=shop_id, slug=slug)
        return self._product_answer(request, urls, grant, product, f"{slug!r} of this shop")

    # -- OAuth2 and web pages (no faults, no bearer token) ------------------------------------

    def _token(self, request: Request, urls: Urls) -> Response:
        try:
            body = issue_token(
                self.db,
                request.headers.get("Authorization"),
                form_body(request),
                self.token_lifetime,
            )
            status = 200
        except OAuthError as refused:
            body = {"error": refused.error, "error_description": refused.description}
            status = refused.status
        except ApiError as error:  # 413
            body, status = {"error": "invalid_request", "error_description": error.text}, 413
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
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> SandboxApp:
    """A ready WSGI application over a seeded database (in memory, or the file ``db``)."""
    check_options(  # fail before seeding on a bad value
        orders=orders,
        latency_ms=latency_ms,
        fail_rate=fail_rate,
        token_lifetime=token_lifetime,
        layout=layout,
        max_body_bytes=max_body_bytes,
    )
    config = SandboxConfig(latency_ms=latency_ms, fail_rate=fail_rate)
    database = open_database(db, orders=orders, seed=seed)
    return SandboxApp(
        database,
        layout=layout,
        config=config,
        seed=seed,
        token_lifetime=token_lifetime,
        max_body_bytes=max_body_bytes,
    )


__all__ = ["CLOSE_KEY", "DROP_KEY", "SandboxApp", "check_options", "make_app"]
