"""Serving: a threaded werkzeug server with HTTP/1.1 keep-alive, and the :func:`serve` context manager.

werkzeug's own request handler closes every connection after one answer. Ours reuses werkzeug's
environ building but writes the answer itself, with a ``Content-Length``, so a client's connection
pool can reuse its connections; it also drains unread request bodies (so the next request line is
found), honours the app's "drop this connection" fault, and is silent unless asked to log.

Connections are served by at most ``max_connections`` threads. Beyond that, new connections wait
in a bounded queue, and make room: an answer given while some wait closes its connection, and the
longest idle keep-alive connection is closed at once; beyond the queue, a connection gets a 503
and is closed. A request body larger than the app's limit is answered 413 (without ``100
Continue``) and its connection closed.

Stopping (leaving :func:`serve`) goes: the app answers 503 from then on (a latency sleep ends at
once), the server stops accepting, waiting and idle keep-alive connections are closed, the threads
still answering get a few seconds to finish and are joined, and only then is the database closed.
"""

from __future__ import annotations

import http.client
import logging
import socket
import threading
import time
from collections import deque
from collections.abc import Generator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from werkzeug.exceptions import ClientDisconnected
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler
from werkzeug.wsgi import LimitedStream

from ._accounts import CLIENT_ID, CLIENT_SECRET, READY_TOKENS, READY_USERS
from ._app import CLOSE_KEY, DROP_KEY, SandboxApp, make_app
from ._db import Database
from ._faults import SandboxConfig
from ._options import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS,
    check_host,
    check_max_connections,
    check_port,
)
from ._seed import SHOP1_ID, SHOP2_ID

logger = logging.getLogger("halnav.sandbox")
_NO_BODY = frozenset({204, 304})
SHUTDOWN_GRACE = 5.0  # seconds the requests being answered get to finish when the sandbox stops
DRAIN_LIMIT = 8 * 2**20  # an oversized body up to this is read (and dropped) to answer cleanly
_REFUSED_BODY = b'{"_class":["errors"],"message":"The sandbox has too many connections; retry"}'
REFUSED = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
    b"Retry-After: 1\r\nConnection: close\r\n"
    + f"Content-Length: {len(_REFUSED_BODY)}\r\n\r\n".encode()
    + _REFUSED_BODY
)


def _cut(connection: socket.socket) -> None:
    """End a connection now: a thread blocked reading it sees the end of the stream."""
    with suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)


def _refuse(connection: socket.socket) -> None:
    """Answer 503 on a connection that will not be served, and close it (a small write on a
    new connection: its send buffer takes it at once)."""
    with suppress(OSError):
        connection.settimeout(1)
        connection.sendall(REFUSED)
        connection.shutdown(socket.SHUT_WR)
    with suppress(OSError):
        connection.close()


class _Handler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # answers go out at once instead of waiting for an ACK
    timeout = 120  # seconds an idle keep-alive connection may hold its thread

    @property
    def sandbox(self) -> _Server:
        """The server this handler serves for (werkzeug types it as its base class)."""
        return cast(_Server, self.server)

    def setup(self) -> None:
        super().setup()
        self.sandbox.opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.sandbox.closed(self.connection)

    def parse_request(self) -> bool:
        # A whole request head has come: from here on the connection is busy, not idle.
        ready = super().parse_request()
        if ready:
            self.sandbox.set_busy(self.connection, True)
        return ready

    def handle_expect_100(self) -> bool:
        # http.server answers "100 Continue" as soon as it parses the head; run_wsgi decides
        # instead, once it knows whether the body will be read at all.
        return True

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        finally:
            if self.sandbox.set_busy(self.connection, False):  # stopping, or others wait
                self.close_connection = True

    def run_wsgi(self) -> None:
        environ = self.environ = self.make_environ()
        body: LimitedStream | None = None
        length = 0
        if environ.get("wsgi.input_terminated"):
            self.close_connection = True  # chunked upload: no reliable end to resume after
        else:
            try:
                length = max(0, int(environ.get("CONTENT_LENGTH") or 0))
            except ValueError:
                length, self.close_connection = 0, True
            body = LimitedStream(cast(IO[bytes], self.rfile), length)
            environ["wsgi.input"] = body
        too_large = length > self.sandbox.app.max_body_bytes
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            if too_large:  # the client then waits for the final answer instead of sending
                body, self.close_connection = None, True
            else:
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")

        started: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            started[:] = [status, headers]
            return chunks.append

        chunks: list[bytes] = []
        try:
            result = self.sandbox.app(environ, start_response)
            try:
                chunks.extend(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception:  # the app answers its own errors; this is for the unforeseen
            logger.exception("error in the sandbox app on %s", environ.get("PATH_INFO"))
            started[:] = ["500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")]]
            chunks[:] = [b"Internal sandbox error\n"]
            self.close_connection = True

        if environ.get(DROP_KEY):  # injected fault: the app already shut the socket
            self.close_connection = True
            return
        if environ.get(CLOSE_KEY):  # the body was refused: what is left is not worth reading
            self.close_connection = True
            if length > DRAIN_LIMIT:
                body = None
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
        if self.sandbox.stopping or self.sandbox.has_waiting():
            self.close_connection = True  # make room for a waiting connection
        self.send_header("Connection", "close" if self.close_connection else "keep-alive")
        if environ["REQUEST_METHOD"] == "HEAD" or code in _NO_BODY:
            payload = b""
        # One write for head and body: a separate small write could wait on a delayed ACK.
        buffered: list[bytes] = getattr(self, "_headers_buffer", [])
        head = b"".join(buffered) + b"\r\n"
        buffered.clear()
        try:
            self.wfile.write(head + payload)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
            return
        if self.sandbox.log_requests:
            self.log_request(code, len(payload))

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.sandbox.log_requests:
            super().log_request(code, size)

    def log_message(self, format: str, *args: Any) -> None:
        if self.sandbox.log_requests:
            super().log_message(format, *args)

    def log_error(self, format: str, *args: Any) -> None:
        if self.sandbox.log_requests:
            super().log_error(format, *args)


@dataclass
class _Connection:
    """What the server knows of an open connection."""

    busy: bool = False  # answering a request
    served: int = 0  # requests answered
    idle_since: float = 0.0


class _Server(ThreadedWSGIServer):
    """werkzeug's threaded server with a cap on its handler threads and a queue of connections
    waiting for one, plus its open connections (each idle or busy), so that idle keep-alive
    connections can be ended to make room or to stop, and the threads still answering joined."""

    app: SandboxApp

    def __init__(
        self,
        host: str,
        port: int,
        app: SandboxApp,
        log_requests: bool,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        check_max_connections(max_connections)
        self.log_requests = log_requests
        self.stopping = False
        self.max_connections = max_connections
        self.max_waiting = max(8, 4 * max_connections)
        self._waiting: deque[tuple[socket.socket, Any]] = deque()
        self._workers = 0
        self._connections: dict[socket.socket, _Connection] = {}
        self._handler_threads: set[threading.Thread] = set()
        self._lock = threading.Lock()
        try:
            super().__init__(host, port, app, handler=_Handler)
        except SystemExit:  # werkzeug exits the process when it cannot bind; a library must not
            raise OSError(f"cannot listen on {host}:{port} (see the message above)") from None

    def process_request(self, request: Any, client_address: Any) -> None:
        # Called by the accepting thread: never block it.
        idle: socket.socket | None = None
        worker: threading.Thread | None = None
        with self._lock:
            if self._workers < self.max_connections:
                self._workers += 1
                worker = threading.Thread(
                    target=self._work,
                    args=(request, client_address),
                    name=f"halnav-sandbox-{self.port}-connection",
                    daemon=True,
                )
                self._handler_threads.add(worker)
            elif len(self._waiting) < self.max_waiting:
                self._waiting.append((request, client_address))
                idle = self._longest_idle()
            else:
                _refuse(request)
        if worker is not None:
            worker.start()
        elif idle is not None:
            _cut(idle)  # its thread then takes the waiting connection

    def _longest_idle(self) -> socket.socket | None:
        """The keep-alive connection idle the longest (one that has answered a request: a new
        connection's request may be on its way)."""
        idle = [
            (state.idle_since, connection)
            for connection, state in self._connections.items()
            if not state.busy and state.served
        ]
        return min(idle, key=lambda pair: pair[0])[1] if idle else None

    def _work(self, request: Any, client_address: Any) -> None:
        """Serve a connection, then the waiting ones, until none waits.

        Finding the queue empty and leaving happen under one lock: a connection queued in
        between would otherwise wait for a thread that has decided to end."""
        done = False
        try:
            while True:
                self.process_request_thread(request, client_address)
                with self._lock:
                    if self._waiting and not self.stopping:
                        request, client_address = self._waiting.popleft()
                        continue
                    done = self._leave()
                    return
        finally:
            if not done:  # an unforeseen error: the slot is free all the same
                with self._lock:
                    self._leave()

    def _leave(self) -> bool:
        """Give up this thread's slot (the lock held)."""
        self._workers -= 1
        self._handler_threads.discard(threading.current_thread())
        return True

    def has_waiting(self) -> bool:
        with self._lock:
            return bool(self._waiting)

    @property
    def serving(self) -> int:
        """How many connections have a thread serving them now."""
        with self._lock:
            return self._workers

    @property
    def waiting(self) -> int:
        """How many connections wait for a thread."""
        with self._lock:
            return len(self._waiting)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not self.stopping:  # once stopping, a connection cut short is expected
            super().handle_error(request, client_address)

    def opened(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections[connection] = _Connection(idle_since=time.monotonic())
            stopping = self.stopping
        if stopping:  # accepted just before the server stopped accepting
            _cut(connection)

    def closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.pop(connection, None)

    def set_busy(self, connection: socket.socket, busy: bool) -> bool:
        """Mark a connection busy (answering a request) or idle; whether it should close (the
        server stops, or connections wait for a thread)."""
        with self._lock:
            state = self._connections.get(connection)
            if state is not None:
                if state.busy and not busy:
                    state.served += 1
                    state.idle_since = time.monotonic()
                state.busy = busy
            return self.stopping or bool(self._waiting)

    def stop_connections(self, grace: float = SHUTDOWN_GRACE) -> None:
        """Once the server accepts no more: close the waiting connections and cut idle ones
        now, give the threads still answering ``grace`` seconds to finish (their connections
        then close), cut whatever is left, and join every handler thread (bounded: they are
        daemons)."""
        with self._lock:
            self.stopping = True
            waiting = list(self._waiting)
            self._waiting.clear()
            idle = [connection for connection, state in self._connections.items() if not state.busy]
        for connection, _ in waiting:
            _refuse(connection)
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

    ``token`` (shop 29's owner, admin), ``tokens`` (every ready-made token by name),
    ``token_url``, ``client_id``/``client_secret`` (get admin tokens for shop 29's owner),
    ``username``/``password`` (shop 29's owner, for the password grant), ``users`` (every
    ready-made user's password by name), ``shop_id`` and ``other_shop_id``, ``base_url``
    (``scheme://host:port``), ``config`` (live latency and faults), ``db`` (the
    :class:`Database`: ``db.query(sql, params)``), ``app``, ``layout``; and, read from the
    data: ``order_ids``, ``order_codes``, ``variant_ids``, ``product_ids``, ``contact_emails``
    and ``address_ids`` of shop 29; ``server``: the running server (``serving`` and ``waiting``
    count its connections).
    """

    token: str
    tokens: dict[str, str]
    token_url: str
    client_id: str
    client_secret: str
    username: str
    password: str
    users: dict[str, str]
    shop_id: int
    other_shop_id: int
    base_url: str
    config: SandboxConfig
    db: Database
    app: SandboxApp
    layout: str
    server: _Server

    def __new__(cls, url: str, **attributes: Any) -> SandboxURL:
        self = super().__new__(cls, url)
        self.__dict__.update(attributes)
        return self

    def __repr__(self) -> str:  # the URL only: never the credentials it carries
        return f"SandboxURL({str(self)!r})"

    def _ids(self, sql: str) -> tuple[Any, ...]:
        return tuple(row[0] for row in self.db.query(sql, (self.shop_id,)))

    @property
    def order_ids(self) -> tuple[int, ...]:
        return self._ids("SELECT id FROM orders WHERE shop_id = ? ORDER BY id")

    @property
    def order_codes(self) -> tuple[str, ...]:
        return self._ids("SELECT code FROM orders WHERE shop_id = ? ORDER BY id")

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
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    allow_remote: bool = False,
) -> Generator[SandboxURL, None, None]:
    """Run a sandbox in a daemon thread; yield its root URL (a :class:`SandboxURL`).

    It seeds a database (``orders`` in shop 29, deterministic from ``seed``; in memory unless
    ``db`` names a file), listens on ``host:port`` (0: a free port; a loopback address unless
    ``allow_remote``), serves at most ``max_connections`` connections at once and request bodies
    up to ``max_body_bytes``, waits until it answers, and on exit answers 503 to whatever still
    comes, stops accepting, closes idle connections, joins the threads still answering (a few
    seconds at most), then closes the database.
    """
    check_port(port)
    check_max_connections(max_connections)
    check_host(host, allow_remote)
    app = make_app(
        orders=orders,
        seed=seed,
        db=db,
        latency_ms=latency_ms,
        fail_rate=fail_rate,
        token_lifetime=token_lifetime,
        layout=layout,
        max_body_bytes=max_body_bytes,
    )
    try:
        server = _Server(host, port, app, log_requests, max_connections)
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
        users = {u.user_name: u.password for u in READY_USERS}
        yield SandboxURL(
            formats["root"].format(base=base_url),
            token=tokens["shop1_admin"],
            tokens=tokens,
            token_url=formats["token"].format(base=base_url),
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            username=READY_USERS[0].user_name,
            password=READY_USERS[0].password,
            users=users,
            shop_id=SHOP1_ID,
            other_shop_id=SHOP2_ID,
            base_url=base_url,
            config=app.config,
            db=app.db,
            app=app,
            layout=layout,
            server=server,
        )
    finally:
        app.stop()  # 503 from now on; requests sleeping out a latency answer at once
        server.shutdown()  # no more accepting (werkzeug closes the listening socket)
        thread.join()
        server.stop_connections()
        app.close()
