"""The HTTP session: connection pools, the adapter that carries the retry policy, proxies, and
reading an answer as HTTP says it must be read.

:class:`ClientSession` is the :class:`requests.Session` a client makes for itself;
:class:`RetryAdapter` lets one thread's requests use another :class:`~urllib3.util.retry.Retry`
(a walk's page requests get a larger budget), reads a body in as few calls as it may within
``max_body_size``, and sends a GET whose body was cut short again (as a dropped connection is).
Its connections check what the standard library lets through: a header block that ends without
its blank line (the connection closed inside it) is a dropped connection, not an empty answer;
and every socket read of a request with a :class:`~halnav._deadline.Deadline` waits at most the
time left.
"""

from __future__ import annotations

import http.client
import io
import os
import socket
import threading
from collections.abc import Generator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import PoolManager
from urllib3.util.retry import Retry

from ._deadline import Deadline, DeadlineReached, capped_timeout, current_deadline
from ._exceptions import BodyTooLarge
from ._redact import redact_url

if TYPE_CHECKING:  # the stubs' name for what merge_environment_settings returns
    from requests.sessions import _Settings  # pyright: ignore[reportPrivateUsage]

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "PREFETCH_THREADS",
    "ClientSession",
    "HeadCutShort",
    "RetryAdapter",
    "read_body",
]

#: Threads of a client's prefetch pool, made once: the most page requests all of its walks keep
#: in flight at once (each walk also keeps to its own window). The connection pool of a session
#: the client mounts its adapter on keeps that many connections per host, sized once up front
#: (a cap, not a preallocation), so nothing is swapped while requests are in flight.
PREFETCH_THREADS = 32
#: Bytes of a body, decoded, beyond which it is not read: far above any HAL page (a Bootic page of
#: 50 orders is 150 kB), far below what a 6 MB gzip bomb or an endless body would take.
DEFAULT_MAX_BODY_SIZE = 64 * 2**20
#: Decoded bytes read per call when a body must be counted as it comes (compressed, chunked, or
#: without a length): large enough that a page is a few calls, small enough to stop a bomb early.
_READ_CHUNK = 1 * 2**20


class HeadCutShort(http.client.RemoteDisconnected):
    """The connection closed inside the answer's header block (before the blank line that ends
    it). :mod:`http.client` takes what it got for a whole head, so a GET would get an empty 200;
    this is a dropped connection, retried as one for idempotent methods."""


class _HeadReader:
    """Stands for the response's file while :mod:`http.client` reads the head: remembers whether
    a line came without its end of line (the connection closed within it, or before it)."""

    def __init__(self, fp: Any) -> None:
        self._fp = fp
        self.lines = 0
        self.cut = False

    def readline(self, limit: int = -1) -> bytes:
        line: bytes = self._fp.readline(limit)
        self.lines += 1
        if not line.endswith(b"\n"):
            self.cut = True
        return line

    def close(self) -> None:
        self._fp.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fp, name)


class _DeadlineReader(io.RawIOBase):
    """A socket's reader whose every read waits at most the time its deadline leaves."""

    def __init__(self, raw: io.RawIOBase, sock: socket.socket, deadline: Deadline) -> None:
        super().__init__()
        self._raw = raw
        self._sock = sock
        self._deadline = deadline
        # The read timeout urllib3 set for this request, before any read.
        self._timeout = sock.gettimeout()

    def readinto(self, buffer: Any) -> int | None:
        left = self._deadline.remaining()
        if self._deadline.expired:
            raise DeadlineReached("while reading the answer")
        timeout = self._timeout
        self._sock.settimeout(left if timeout is None else min(timeout, left))
        return self._raw.readinto(buffer)

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class CheckedHTTPResponse(http.client.HTTPResponse):
    """:class:`http.client.HTTPResponse` that refuses a head cut short and keeps to the
    deadline of the request it answers (see the module's docstring)."""

    def __init__(
        self, sock: socket.socket, debuglevel: int = 0, method: str | None = None, url: Any = None
    ) -> None:
        super().__init__(sock, debuglevel, method, url)
        deadline = current_deadline()
        if deadline is not None:
            # The reader makefile() made keeps the socket's reference count; ours takes it over.
            raw = self.fp.detach()
            self.fp = io.BufferedReader(_DeadlineReader(raw, sock, deadline))

    def begin(self) -> None:
        # The reader stands in for the file while http.client reads the head (through the
        # instance's dict: it is no file to a type checker).
        state = vars(self)
        fp = self.fp
        reader = state["fp"] = _HeadReader(fp)
        try:
            super().begin()  # returns at once if the head was read already
        finally:
            if state.get("fp") is reader:  # http.client sets it to None when it closes it
                self.fp = fp
        if reader.cut:
            self.close()
            raise HeadCutShort(
                f"the connection closed inside the answer's header block, after {reader.lines} "
                "line(s) and before the blank line that ends it"
            )


def _capped_connect_timeout(timeout: Any) -> Any:
    deadline = current_deadline()
    if deadline is None:
        return timeout
    left = deadline.remaining()
    if deadline.expired:
        raise DeadlineReached("before connecting", sent=False)
    return left if not isinstance(timeout, (int, float)) else min(timeout, left)


class _CheckedHTTPConnection(HTTPConnection):
    response_class = CheckedHTTPResponse

    def connect(self) -> None:
        self.timeout = _capped_connect_timeout(self.timeout)
        super().connect()


class _CheckedHTTPSConnection(HTTPSConnection):
    response_class = CheckedHTTPResponse

    def connect(self) -> None:
        self.timeout = _capped_connect_timeout(self.timeout)
        super().connect()


# urllib3's connection protocols declare attributes its own classes define otherwise.
class _CheckedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection  # pyright: ignore[reportAssignmentType]


class _CheckedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection  # pyright: ignore[reportAssignmentType]


_CHECKED_POOLS: dict[str, type[HTTPConnectionPool]] = {
    "http": _CheckedHTTPConnectionPool,
    "https": _CheckedHTTPSConnectionPool,
}


class RetryAdapter(HTTPAdapter):
    """An :class:`HTTPAdapter` whose :class:`Retry` can be swapped for the current thread.

    urllib3 takes its retry policy from the adapter's ``max_retries``; a walk's page requests
    get a larger budget than single requests this way, with every retry still urllib3's. A body
    is read here (``max_body_size`` bytes at most, decoded); one cut short is a dropped
    connection, which the same :class:`Retry` decides whether to send again. Its connections
    are the checked ones above.
    """

    def __init__(self, *args: Any, max_body_size: int | None = None, **kwargs: Any) -> None:
        self._override = threading.local()
        #: Decoded bytes of a body beyond which it is not read (``None``: no limit).
        self.max_body_size = max_body_size
        super().__init__(*args, **kwargs)

    @property
    def max_retries(self) -> Retry:
        override = getattr(self._override, "retry", None)
        return self._max_retries if override is None else override

    # A property where HTTPAdapter has an attribute: urllib3 reads it per request, so each
    # thread may see its own.
    @max_retries.setter
    def max_retries(self, value: Retry) -> None:  # pyright: ignore[reportIncompatibleVariableOverride]
        self._max_retries = value

    @contextmanager
    def using(self, retry: Retry) -> Generator[None, None, None]:
        """Requests sent by this thread inside the block use ``retry``."""
        previous = getattr(self._override, "retry", None)
        self._override.retry = retry
        try:
            yield
        finally:
            self._override.retry = previous

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _CHECKED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> PoolManager:
        manager = cast("PoolManager", super().proxy_manager_for(proxy, **proxy_kwargs))
        if not proxy.lower().startswith("socks"):  # SOCKS managers have pools of their own
            manager.pool_classes_by_scheme = _CHECKED_POOLS
        return manager

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, **kwargs: Any
    ) -> requests.Response:
        """Send as :class:`HTTPAdapter` does; a body not streamed is read in as few calls as the
        limit allows (requests reads it in 10 kB chunks, each through several layers of calls
        and a release of the GIL: for a 150 kB page, a third of the CPU a request costs on top
        of urllib3). A body cut short is retried as a dropped connection is, by the same
        :class:`Retry`; every wait and timeout is capped by the request's deadline."""
        retry: Retry | None = None
        while True:
            deadline = current_deadline()
            if deadline is not None:
                kwargs["timeout"] = capped_timeout(kwargs.get("timeout"), deadline)
            if retry is None:
                response = super().send(request, stream=True, **kwargs)
            else:
                with self.using(retry):
                    response = super().send(request, stream=True, **kwargs)
            if stream:
                return response
            try:
                read_body(response, self.max_body_size)
            except requests.exceptions.ChunkedEncodingError as exc:
                retry = self._retry_after_cut(request, response, exc)
                retry.sleep()
                continue
            return response

    def _retry_after_cut(
        self,
        request: requests.PreparedRequest,
        response: requests.Response,
        exc: requests.exceptions.ChunkedEncodingError,
    ) -> Retry:
        """The :class:`Retry` to send ``request`` again with, after its body was cut short;
        raises ``exc`` when it may not be sent again (its method, or no tries left)."""
        response.close()
        state: object = getattr(response.raw, "retries", None) or self.max_retries
        if not isinstance(state, Retry):
            raise exc
        cut = urllib3.exceptions.ProtocolError("the answer's body was cut short", exc)
        try:
            return state.increment(request.method, request.url, error=cut)
        except urllib3.exceptions.MaxRetryError as spent:
            raise requests.exceptions.ChunkedEncodingError(spent, response=response) from exc
        except urllib3.exceptions.ProtocolError:  # not to be sent again (POST, PATCH)
            raise exc from None


def read_body(response: requests.Response, max_body_size: int | None = None) -> None:
    """Read the whole body of a streamed ``response`` into it, raising what requests would, or
    :class:`~halnav.BodyTooLarge` once more than ``max_body_size`` bytes (decoded) come."""
    try:
        body = _read(response, max_body_size)
    except urllib3.exceptions.ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc, response=response) from exc
    except urllib3.exceptions.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc, response=response) from exc
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ConnectionError(exc, response=response) from exc
    except urllib3.exceptions.SSLError as exc:
        raise requests.exceptions.SSLError(exc, response=response) from exc
    # What Response.content sets once it has read the body (CacheControl and responses too).
    vars(response).update(_content=body or b"", _content_consumed=True)


def _read(response: requests.Response, limit: int | None) -> bytes:
    raw = response.raw
    if limit is None:
        return cast("bytes", raw.read(decode_content=True))
    encoding = response.headers.get("Content-Encoding", "identity")
    encoded = encoding.strip().lower() not in ("", "identity")
    # What urllib3 will read: the Content-Length, 0 for a HEAD, a 204 or a 304, None if unknown.
    length: object = getattr(raw, "length_remaining", None)
    if not encoded and isinstance(length, int):
        if length > limit:
            _too_large(response, limit, f"it declares Content-Length {length}")
        # Known and within the limit: one call (urllib3 enforces the length).
        return cast("bytes", raw.read(decode_content=True))
    # Compressed, chunked or ending with the connection: count the decoded bytes as they come.
    parts: list[bytes] = []
    total = 0
    while True:
        part = cast("bytes", raw.read(_READ_CHUNK, decode_content=True))
        if not part:
            return b"".join(parts)
        total += len(part)
        if total > limit:
            _too_large(response, limit, f"more than {limit} bytes came, decoded")
        parts.append(part)


def _too_large(response: requests.Response, limit: int, how: str) -> None:
    response.close()
    request = cast("requests.PreparedRequest | None", response.request)
    method = (request.method or "GET") if request is not None else "GET"
    url = redact_url(response.url or (request.url if request is not None else "") or "")
    raise BodyTooLarge(
        f"{method} {url}: the answer's body is larger than max_body_size ({_size(limit)}): "
        f"{how}; not read. Raise the limit with Client(max_body_size=...), or None for none",
        method=method,
        url=url,
        limit=limit,
    )


def _size(count: int) -> str:
    if count >= 2**20 and count % 2**20 == 0:
        return f"{count // 2**20} MiB"
    if count >= 2**10 and count % 2**10 == 0:
        return f"{count // 2**10} KiB"
    return f"{count} bytes"


class ClientSession(requests.Session):
    """The :class:`requests.Session` a client makes for itself.

    The proxy settings of the environment (``HTTPS_PROXY``, ``NO_PROXY``...) are read at the
    first request to each origin, then kept: requests reads every variable of the environment
    again for every request, a tenth of a request's CPU. A session passed in is left as it is.
    """

    def __init__(self) -> None:
        super().__init__()
        self._environ_proxies: dict[tuple[str, str, Any], dict[str, str]] = {}

    def merge_environment_settings(
        self,
        url: str | bytes | None,
        proxies: MutableMapping[str, str] | None,
        stream: bool | None,
        verify: bool | str | None,
        cert: Any,
    ) -> _Settings:
        if not self.trust_env or not isinstance(url, str):
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        proxies = dict(proxies or {})
        no_proxy = proxies.get("no_proxy")
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, no_proxy)
        found = self._environ_proxies.get(key)
        if found is None:
            found = self._environ_proxies[key] = get_environ_proxies(url, no_proxy=no_proxy)
        for scheme, proxy in found.items():
            proxies.setdefault(scheme, proxy)
        if verify is True or verify is None:
            verify = (
                os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or verify
            )
        return {
            "proxies": _merged_mapping(proxies, self.proxies),
            "stream": self.stream if stream is None else stream,
            "verify": self.verify if verify is None else verify,
            "cert": self.cert if cert is None else cert,
        }


def _merged_mapping(
    request: Mapping[str, str | None], session: Mapping[str, str | None]
) -> dict[str, str]:
    """The session's settings with the request's over them, as requests merges them (a
    request's ``None`` removes a session's entry)."""
    merged = {**session, **request}
    return {key: value for key, value in merged.items() if value is not None}
