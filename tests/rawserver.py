"""A bare TCP server on 127.0.0.1 for tests that need a server to misbehave on purpose."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable

Behaviour = Callable[[socket.socket], None]


def read_request(connection: socket.socket) -> bytes:
    """A request's head as received (empty when the client closed the connection first)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


class RawServer:
    """Accepts connections on 127.0.0.1 and hands each to ``behaviour`` in its own thread."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.connections = 0
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._threads: list[threading.Thread] = []
        self._open: list[socket.socket] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                continue
            with self._lock:
                self.connections += 1
                self._open.append(connection)
            thread = threading.Thread(target=self._run, args=(connection,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _run(self, connection: socket.socket) -> None:
        with connection, contextlib.suppress(OSError):
            self.behaviour(connection)

    def read_request(self, connection: socket.socket) -> bytes:
        return read_request(connection)

    def close(self) -> None:
        self.stop.set()
        self._accepter.join(2)
        self._listener.close()
        with self._lock:
            for connection in self._open:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(2)


# -- answers a broken or hostile server gives ------------------------------------------------


def head(status: int = 200, reason: str = "OK", **headers: str) -> bytes:
    """An answer's head, blank line included: ``head(200, Content_Type="application/json")``."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(body: bytes = b"", status: int = 200, reason: str = "OK", **headers: str) -> bytes:
    """A whole answer with its ``Content-Length``, closing the connection after it."""
    headers.setdefault("Content_Type", "application/hal+json")
    return head(status, reason, Content_Length=str(len(body)), Connection="close", **headers) + body


def chunked(*chunks: bytes, last: bool = True) -> bytes:
    """A chunked body of ``chunks`` (with its last, empty chunk unless ``last`` is false)."""
    data = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks if chunk)
    return data + (b"0\r\n\r\n" if last else b"")


#: What a scripted server does with one request: bytes to send before closing the connection,
#: or a function given the connection (after the request was read).
Action = bytes | Callable[[socket.socket], None]


class ScriptServer(RawServer):
    """Answers the n-th request (one per connection) with ``actions[n]``, then closes; once
    they run out, with the last one. ``heads`` holds each request's head and body as received."""

    def __init__(self, *actions: Action) -> None:
        self.actions = list(actions)
        self.heads: list[bytes] = []
        super().__init__(self._serve)

    def _serve(self, connection: socket.socket) -> None:
        connection.settimeout(10)
        request = read_request(connection)
        if not request:
            return
        head_part, _, body = request.partition(b"\r\n\r\n")
        length = 0
        for line in head_part.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            more = connection.recv(65536)
            if not more:
                break
            body += more
        with self._lock:
            self.heads.append(head_part + b"\r\n\r\n" + body)
            index = len(self.heads) - 1
            action = self.actions[min(index, len(self.actions) - 1)]
        if callable(action):
            action(connection)
        else:
            connection.sendall(action)

    @property
    def methods(self) -> list[str]:
        return [request.split(b" ", 1)[0].decode() for request in self.heads]


def drip(data: bytes, every: float, stop: threading.Event) -> Callable[[socket.socket], None]:
    """An action sending ``data`` a byte at a time, one each ``every`` seconds (until ``stop``)."""

    def send(connection: socket.socket) -> None:
        for index in range(len(data)):
            if stop.wait(every):
                return
            connection.sendall(data[index : index + 1])

    return send


def endless(prefix: bytes, piece: bytes, stop: threading.Event) -> Callable[[socket.socket], None]:
    """An action sending ``prefix`` then ``piece`` again and again until the client goes away."""

    def send(connection: socket.socket) -> None:
        connection.sendall(prefix)
        while not stop.is_set():
            connection.sendall(piece)

    return send
