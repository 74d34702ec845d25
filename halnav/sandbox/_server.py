"""Serving: a threaded werkzeug server with HTTP/1.1 keep-alive, and the :func:`serve` context manager.

werkzeug's own request handler closes every connection after one answer. Ours reuses werkzeug's
environ building but writes the answer itself, with a ``Content-Length``, so a client's connection
pool can reuse its connections; it also drains unread request bodies (so the next request line is
found), honours the app's "drop this connection" fault, and is silent unless asked to log.

Stopping (leaving :func:`serve`) goes: the app answers 503 from then on (a latency sleep ends at
once), the server stops accepting, idle keep-alive connections are closed, the threads still
answering get a few seconds to finish and are joined, and only then is the database closed.
"""

from __future__ import annotations

import http.client
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from werkzeug.exceptions import ClientDisconnected
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler
from werkzeug.wsgi import LimitedStream

from ._app import DROP_KEY, SandboxApp, check_port, make_app
from ._auth import CLIENT_ID, CLIENT_SECRET, READY_TOKENS
from ._db import Database
from ._faults import SandboxConfig
from ._seed import SHOP1_ID, SHOP2_ID

logger = logging.getLogger("halnav.sandbox")
_NO_BODY = frozenset({204, 304})
SHUTDOWN_GRACE = 5.0  # seconds the requests being answered get to finish when the sandbox stops


def _cut(connection: socket.socket) -> None:
    """End a connection now: a thread blocked reading it sees the end of the stream."""
    with suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)


class _Handler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # answers go out at once instead of waiting for an ACK
    timeout = 120  # seconds an idle keep-alive connection may hold its thread

    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.closed(self.connection)

    def parse_request(self) -> bool:
        # A whole request head has come: from here on the connection is busy, not idle.
        ready = super().parse_request()
        if ready:
            self.server.set_busy(self.connection, True)
        return ready

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        finally:
            if self.server.set_busy(self.connection, False):  # the server is stopping
                self.close_connection = True

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        environ = self.environ = self.make_environ()
        body: LimitedStream | None = None
        if environ.get("wsgi.input_terminated"):
            self.close_connection = True  # chunked upload: no reliable end to resume after
        else:
            try:
                length = max(0, int(environ.get("CONTENT_LENGTH") or 0))
            except ValueError:
                length, self.close_connection = 0, True
            body = LimitedStream(self.rfile, length)
            environ["wsgi.input"] = body

        started: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            started[:] = [status, headers]
            return chunks.append

        chunks: list[bytes] = []
        try:
            result = self.server.app(environ, start_response)
            try:
                chunks.extend(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except Exception:  # the app answers its own errors; this is for the unforeseen
            logger.exception("error in the sandbox app on %s", environ.get("PATH_INFO"))
            started[:] = ["500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")]]
            chunks[:] = [b"Internal sandbox error\n"]
            self.close_connection = True

        if environ.get(DROP_KEY):  # injected fault: the app already shut the socket
            self.close_connection = True
            return
        if body is not None:
            try:
                body.exhaust()  # whatever the app did not read would be taken for a request
            except ClientDisconnected:
                self.close_connection = True
                return

        status, headers = started
        code = int(status.split(None, 1)[0])
        payload = b"".join(chunks)
        names = {name.lower() for name, _ in headers}
        self.send_response_only(code, status.split(None, 1)[1] if " " in status else "")
        if "server" not in names:
            self.send_header("Server", self.version_string())
        if "date" not in names:
            self.send_header("Date", self.date_time_string())
        for name, value in headers:
            self.send_header(name, value)
        if "content-length" not in names and code not in _NO_BODY:
            self.send_header("Content-Length", str(len(payload)))
        if self.server.stopping:
            self.close_connection = True
        self.send_header("Connection", "close" if self.close_connection else "keep-alive")
        if environ["REQUEST_METHOD"] == "HEAD" or code in _NO_BODY:
            payload = b""
        # One write for head and body: a separate small write could wait on a delayed ACK.
        head = b"".join(self._headers_buffer) + b"\r\n"  # type: ignore[attr-defined]
        self._headers_buffer = []  # type: ignore[attr-defined]
        try:
            self.wfile.write(head + payload)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
            return
        if self.server.log_requests:
            self.log_request(code, len(payload))

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.server.log_requests:
            super().log_request(code, size)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log_requests:
            super().log_message(format, *args)

    def log_error(self, format: str, *args: Any) -> None:
        if self.server.log_requests:
            super().log_error(format, *args)


class _Server(ThreadedWSGIServer):
    """werkzeug's threaded server, plus its open connections (each idle or busy) and its handler
    threads, so that :meth:`stop_connections` can end idle keep-alive connections at once (their
    threads would otherwise wait for a next request) and join the threads still answering."""

    def __init__(self, host: str, port: int, app: SandboxApp, log_requests: bool) -> None:
        self.log_requests = log_requests
        self.stopping = False
        self._connections: dict[socket.socket, bool] = {}  # connection -> busy answering
        self._handler_threads: set[threading.Thread] = set()
        self._lock = threading.Lock()
        try:
            super().__init__(host, port, app, handler=_Handler)
        except SystemExit:  # werkzeug exits the process when it cannot bind; a library must not
            raise OSError(f"cannot listen on {host}:{port} (see the message above)") from None

    def process_request(self, request: Any, client_address: Any) -> None:
        # ThreadingMixIn's, with the thread remembered (daemon threads are not, by default).
        thread = threading.Thread(
            target=self._process,
            args=(request, client_address),
            name=f"halnav-sandbox-{self.port}-connection",
            daemon=True,
        )
        with self._lock:
            self._handler_threads.add(thread)
        thread.start()

    def _process(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._handler_threads.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not self.stopping:  # once stopping, a connection cut short is expected
            super().handle_error(request, client_address)

    def opened(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections[connection] = False
            stopping = self.stopping
        if stopping:  # accepted just before the server stopped accepting
            _cut(connection)

    def closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.pop(connection, None)

    def set_busy(self, connection: socket.socket, busy: bool) -> bool:
        """Mark a connection busy (answering a request) or idle; whether the server stops."""
        with self._lock:
            if connection in self._connections:
                self._connections[connection] = busy
            return self.stopping

    def stop_connections(self, grace: float = SHUTDOWN_GRACE) -> None:
        """Once the server accepts no more: cut idle connections now, give the threads still
        answering ``grace`` seconds to finish (their connections then close), cut whatever is
        left, and join every handler thread (bounded: they are daemons)."""
        with self._lock:
            self.stopping = True
            idle = [connection for connection, busy in self._connections.items() if not busy]
        for connection in idle:
            _cut(connection)
        self._join(time.monotonic() + grace)
        with self._lock:
            left = list(self._connections)
        for connection in left:
            _cut(connection)
        self._join(time.monotonic() + 1.0)

    def _join(self, deadline: float) -> None:
        with self._lock:
            threads = list(self._handler_threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))


class SandboxURL(str):
    """The root URL of a running sandbox (a ``str``), carrying what a test needs to use it.

    ``token`` (shop 1 owner, admin), ``tokens`` (every ready-made token by name), ``token_url``,
    ``client_id``/``client_secret`` (get admin tokens for shop 1's owner), ``shop_id`` and
    ``other_shop_id``, ``base_url`` (``scheme://host:port``), ``config`` (live latency and
    faults), ``db`` (the :class:`Database`: ``db.query(sql, params)``), ``app``, ``layout``;
    and, read from the data: ``order_ids``, ``variant_ids``, ``product_ids``,
    ``contact_emails`` and ``address_ids`` of shop 1.
    """

    token: str
    tokens: dict[str, str]
    token_url: str
    client_id: str
    client_secret: str
    shop_id: int
    other_shop_id: int
    base_url: str
    config: SandboxConfig
    db: Database
    app: SandboxApp
    layout: str

    def __new__(cls, url: str, **attributes: Any) -> SandboxURL:
        self = super().__new__(cls, url)
        self.__dict__.update(attributes)
        return self

    def _ids(self, sql: str) -> tuple[Any, ...]:
        return tuple(row[0] for row in self.db.query(sql, (self.shop_id,)))

    @property
    def order_ids(self) -> tuple[int, ...]:
        return self._ids("SELECT id FROM orders WHERE shop_id = ? ORDER BY id")

    @property
    def variant_ids(self) -> tuple[int, ...]:
        return self._ids("SELECT id FROM variants WHERE shop_id = ? ORDER BY id")

    @property
    def product_ids(self) -> tuple[int, ...]:
        return self._ids("SELECT id FROM products WHERE shop_id = ? ORDER BY id")

    @property
    def contact_emails(self) -> tuple[str, ...]:
        return self._ids("SELECT email FROM contacts WHERE shop_id = ? ORDER BY id")

    @property
    def address_ids(self) -> tuple[int, ...]:
        return self._ids("SELECT id FROM addresses WHERE shop_id = ? ORDER BY id")


def _wait_until_answering(host: str, port: int, deadline: float) -> None:
    """Poll ``GET /`` (no token, no faults) until the server answers."""
    while True:
        conn = http.client.HTTPConnection(host, port, timeout=2)
        try:
            conn.request("GET", "/")
            conn.getresponse().read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)
        finally:
            conn.close()


@contextmanager
def serve(
    *,
    orders: int = 14486,
    seed: int = 0,
    db: str | Path | None = None,
    latency_ms: float = 0,
    fail_rate: float = 0.0,
    token_lifetime: float = 3600,
    host: str = "127.0.0.1",
    port: int = 0,
    layout: str = "default",
    log_requests: bool = False,
) -> Iterator[SandboxURL]:
    """Run a sandbox in a daemon thread; yield its root URL (a :class:`SandboxURL`).

    It seeds a database (``orders`` in shop 1, deterministic from ``seed``; in memory unless
    ``db`` names a file), listens on ``host:port`` (0: a free port), waits until it answers,
    and on exit answers 503 to whatever still comes, stops accepting, closes idle connections,
    joins the threads still answering (a few seconds at most), then closes the database.
    """
    check_port(port)
    app = make_app(
        orders=orders,
        seed=seed,
        db=db,
        latency_ms=latency_ms,
        fail_rate=fail_rate,
        token_lifetime=token_lifetime,
        layout=layout,
    )
    try:
        server = _Server(host, port, app, log_requests)
    except BaseException:
        app.close()
        raise
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"halnav-sandbox-{server.port}",
        daemon=True,
    )
    thread.start()
    try:
        # A wildcard address is reached through loopback; IPv6 literals need brackets in URLs.
        reach = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
        _wait_until_answering(reach, server.port, time.monotonic() + 10)
        netloc = f"[{reach}]:{server.port}" if ":" in reach else f"{reach}:{server.port}"
        base_url = f"http://{netloc}"
        formats = app.layout.formats
        tokens = {t.name: t.value for t in READY_TOKENS}
        yield SandboxURL(
            formats["root"].format(base=base_url),
            token=tokens["shop1_admin"],
            tokens=tokens,
            token_url=formats["token"].format(base=base_url),
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            shop_id=SHOP1_ID,
            other_shop_id=SHOP2_ID,
            base_url=base_url,
            config=app.config,
            db=app.db,
            app=app,
            layout=layout,
        )
    finally:
        app.stop()  # 503 from now on; requests sleeping out a latency answer at once
        server.shutdown()  # no more accepting (werkzeug closes the listening socket)
        thread.join()
        server.stop_connections()
        app.close()
