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
