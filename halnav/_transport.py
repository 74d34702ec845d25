"""Sending requests: the one place that knows requests' exceptions, retries and connection pools.

Every foreign exception is translated here into :class:`TransportError`, with ``raise ... from``.

Retries are urllib3's :class:`~urllib3.util.retry.Retry` on the session's adapter (see
:func:`make_retry`): idempotent methods only, on connection failures, dropped connections and
429/502/503/504, with ``Retry-After`` honoured and exponential backoff with jitter. POST and PATCH
are sent exactly once. Each request is logged at DEBUG on the ``halnav`` logger, credentials masked.
"""

from __future__ import annotations

import email.utils
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from requests.sessions import merge_setting
from requests.utils import get_environ_proxies
from urllib3.util.retry import Retry

from ._exceptions import TransportError

__all__ = [
    "DEFAULT_RETRIES",
    "DEFAULT_WALK_RETRIES",
    "DEFAULT_TIMEOUT",
    "ClientSession",
    "IDEMPOTENT_METHODS",
    "PREFETCH_THREADS",
    "Transport",
    "log_exchange",
    "make_retry",
    "mask_headers",
    "read_body",
    "redact_reason",
    "redact_url",
    "retries_used",
    "transport_errors",
]

logger = logging.getLogger("halnav")

#: (connect, read) seconds.
DEFAULT_TIMEOUT = (5.0, 30.0)
#: Retries after the first try of a single request: 3 retries, 4 tries in all.
DEFAULT_RETRIES = 3
#: Retries for each page request of a walk (``pages()``/``iterate()``), 9 tries in all. A walk
#: is hundreds of requests where one failure stops everything: at a 20% failure rate a page fails
#: every try with probability 0.2**9 (5e-7), so the 483-page walk of the sandbox's 14,486 orders
#: survives 9,997 times in 10,000 (with 4 tries, fewer than one in two). Against a server that is
#: down, the backoff (0, 0.1, 0.2, 0.4 ... capped at 2 s) gives up after about 7 s.
DEFAULT_WALK_RETRIES = 8
#: Seconds: the first retry is immediate, then 0.1, 0.2, 0.4, 0.8, 1.6, 2, 2 (plus jitter).
BACKOFF_FACTOR = 0.05
BACKOFF_MAX = 2.0
BACKOFF_JITTER = 0.05
#: A ``Retry-After`` longer than this is not waited for: the 429/503 goes to the caller.
RETRY_AFTER_MAX = 60
#: Methods safe to send again: POST and PATCH never are (an order must not be created twice).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Query parameters whose values are credentials, masked in messages and logs.
SECRET_PARAMETERS = frozenset(
    {"access_token", "token", "client_secret", "password", "secret", "api_key", "apikey"}
)
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})
#: Threads of a client's prefetch pool, made once: the most page requests all of its walks keep
#: in flight at once (each walk also keeps to its own window). The connection pool of a session
#: the client mounts its adapter on keeps that many connections per host, sized once up front
#: (a cap, not a preallocation), so nothing is swapped while requests are in flight.
PREFETCH_THREADS = 32
#: A URL inside free text (an exception's message), and the parts of one that are credentials.
_URL_IN_TEXT = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s'\"<>]+")
_USERINFO_IN_TEXT = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s'\"<>]*@")
_SECRET_PARAMETER_IN_TEXT = re.compile(
    r"(?i)([?&;](?:" + "|".join(map(re.escape, sorted(SECRET_PARAMETERS))) + r")=)[^&#;\s'\"<>]*"
)


class HALNavRetry(Retry):
    """urllib3's :class:`Retry` with halnav's policy on top.

    * A request with a method outside ``allowed_methods`` (POST, PATCH) is never sent again, not
      even after a connection error: the answer is the caller's to judge.
    * A read timeout is not retried: the server took the request and stayed silent for the whole
      timeout, so a request ends within the configured timeout.
    * A ``Retry-After`` longer than ``retry_after_max`` is not slept on: the 429/503 answer is
      returned (and raised as :class:`~halnav.TooManyRequests`/:class:`~halnav.ServerError`,
      whose ``headers`` say when to come back). An unreadable ``Retry-After`` counts as absent.
    """

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        if error is not None and (
            isinstance(error, urllib3.exceptions.ReadTimeoutError)
            or method is None
            or not self._is_method_retryable(method)
        ):
            raise error.with_traceback(_stacktrace)
        if error is None and response is not None:
            wait = _retry_after_seconds(response.headers.get("Retry-After"))
            if wait is not None and wait > self.retry_after_max:
                cause = urllib3.exceptions.ResponseError(
                    f"Retry-After {wait:.0f}s exceeds {self.retry_after_max}s"
                )
                raise urllib3.exceptions.MaxRetryError(_pool, url or "", cause)
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def get_retry_after(self, response: Any) -> float | None:
        wait = _retry_after_seconds(response.headers.get("Retry-After"))
        return None if wait is None else min(wait, float(self.retry_after_max))


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delay or HTTP date); ``None`` if absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if re.fullmatch(r"[0-9]+", value):
        return float(value)
    try:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        return max(0.0, email.utils.mktime_tz(parsed) - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


def make_retry(retries: int | Retry | None, methods: frozenset[str] = IDEMPOTENT_METHODS) -> Retry:
    """urllib3's :class:`Retry` for ``retries`` retries after the first try.

    ``0`` or ``None`` turns retries off (one try); a :class:`Retry` instance is used as is.
    Only ``methods`` (by default :data:`IDEMPOTENT_METHODS`) are retried, on connection errors,
    dropped connections and 429/502/503/504 answers; ``Retry-After`` is honoured up to :data:`RETRY_AFTER_MAX` seconds,
    else backoff doubles from :data:`BACKOFF_FACTOR` (first retry immediate) with jitter.
    """
    if isinstance(retries, Retry):
        return retries
    if isinstance(retries, bool) or (retries is not None and not isinstance(retries, int)):
        raise TypeError(f"retries must be an int, None or a urllib3 Retry, got {retries!r}")
    if not retries:
        return HALNavRetry(total=0, connect=False, read=False, redirect=None, raise_on_status=False)
    if retries < 0:
        raise ValueError(f"retries must be 0 or more, got {retries}")
    return HALNavRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        redirect=None,
        allowed_methods=methods,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=BACKOFF_FACTOR,
        backoff_jitter=BACKOFF_JITTER,
        backoff_max=BACKOFF_MAX,
        respect_retry_after_header=True,
        retry_after_max=RETRY_AFTER_MAX,
        raise_on_status=False,
    )


def redact_url(url: str) -> str:
    """``url`` without any ``user:password@`` part and with credential parameters masked."""
    try:
        parts = urlsplit(url)
        username, password = parts.username, parts.password
    except ValueError:
        return _mask_text(url)  # unparseable (``http://[oops/``): mask what looks like one
    netloc = parts.netloc
    if username is not None or password is not None:
        netloc = netloc.rpartition("@")[2]
    query = parts.query
    if query and any(key.lower() in SECRET_PARAMETERS for key, _ in _query_pairs(query)):
        query = urlencode(
            [
                (key, "****" if key.lower() in SECRET_PARAMETERS else value)
                for key, value in _query_pairs(query)
            ],
            safe="*",
        )
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _query_pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


def _mask_text(text: str) -> str:
    """``text`` with any ``scheme://user:pw@`` userinfo dropped and secret parameters masked."""
    text = _USERINFO_IN_TEXT.sub(r"\1", text)
    return _SECRET_PARAMETER_IN_TEXT.sub(r"\1****", text)


def mask_headers(headers: Any) -> dict[str, str]:
    """A copy of ``headers`` fit for a log line: credentials replaced by ``****``."""
    return {
        key: ("****" if key.lower() in SECRET_HEADERS else value) for key, value in headers.items()
    }


def log_exchange(
    method: str,
    url: str,
    status: int | str,
    elapsed_ms: float,
    *,
    headers: Any = None,
    note: str | None = None,
) -> None:
    """Log one request at DEBUG on the ``halnav`` logger, credentials masked.

    ``GET https://api.example/v1 -> 200 in 12.3 ms (cache miss) {'Authorization': '****', ...}``.
    ``note`` says how the answer came (``cache hit``, ``revalidated``, ``2 retries``...). Also for
    answers that never reached the network (a cache), so every request gets its line.
    """
    if not logger.isEnabledFor(logging.DEBUG):
        return
    logger.debug(
        "%s %s -> %s in %.1f ms%s%s",
        method,
        redact_url(url),
        status,
        elapsed_ms,
        f" ({note})" if note else "",
        f" {mask_headers(headers)}" if headers is not None else "",
    )


@contextmanager
def transport_errors(
    method: str, url: str, timeout: Any = None, retry: Any = None
) -> Iterator[None]:
    """Translate requests'/urllib3's exceptions raised inside the block into :class:`TransportError`.

    ``retry``, the :class:`Retry` the request went through, lets the message say how many tries
    were made when they ran out, and whether a POST or PATCH was sent again (when it was not, the
    message says whether it was sent at all).
    """
    shown = redact_url(url)
    try:
        yield
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise TransportError(
            _failure_text(method, shown, exc, timeout, retry), method=method, url=shown
        ) from exc


def _failure_text(method: str, shown: str, exc: BaseException, timeout: Any, retry: Any) -> str:
    if isinstance(exc, requests.exceptions.InvalidSchema):
        # No adapter for the scheme (ftp:, mailto:): nothing was sent.
        return f"{method} {shown} not sent: only http:// and https:// URLs are supported"
    outcome = _outcome(method, exc, retry)
    if _timed_out(exc):
        return f"{method} {shown} timed out ({_timeout_text(timeout)}): {_reason(exc)}{outcome}"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"{method} {shown}: the answer was cut short: {_reason(exc)}{outcome}"
    return f"{method} {shown} failed{_tries(exc, retry)}, no answer: {_reason(exc)}{outcome}"


def _timed_out(exc: BaseException) -> bool:
    # urllib3's own timeout errors reach here unwrapped when the request is not retried (POST);
    # a refused connection is a NewConnectionError, a subclass of ConnectTimeoutError.
    if isinstance(exc, requests.exceptions.Timeout):
        return True
    return isinstance(exc, urllib3.exceptions.TimeoutError) and not isinstance(
        exc, urllib3.exceptions.NewConnectionError
    )


class RetryAdapter(HTTPAdapter):
    """An :class:`HTTPAdapter` whose :class:`Retry` can be swapped for the current thread.

    urllib3 takes its retry policy from the adapter's ``max_retries``; a walk's page requests
    get a larger budget than single requests this way, with every retry still urllib3's.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._override = threading.local()
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def max_retries(self) -> Retry:
        override = getattr(self._override, "retry", None)
        return self._max_retries if override is None else override

    @max_retries.setter
    def max_retries(self, value: Retry) -> None:
        self._max_retries = value

    @contextmanager
    def using(self, retry: Retry) -> Iterator[None]:
        """Requests sent by this thread inside the block use ``retry``."""
        previous = getattr(self._override, "retry", None)
        self._override.retry = retry
        try:
            yield
        finally:
            self._override.retry = previous

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, **kwargs: Any
    ) -> requests.Response:
        """Send as :class:`HTTPAdapter` does; a body not streamed is read in one call.

        requests reads it in 10 kB chunks, each through several layers of calls and a release
        of the GIL: for a 150 kB page, a third of the CPU a request costs on top of urllib3.
        """
        response = super().send(request, stream=True, **kwargs)
        if not stream:
            read_body(response)
        return response


def read_body(response: requests.Response) -> None:
    """Read the whole body of a streamed ``response`` into it, raising what requests would."""
    try:
        body = response.raw.read(decode_content=True)
    except urllib3.exceptions.ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc, response=response) from exc
    except urllib3.exceptions.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc, response=response) from exc
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ConnectionError(exc, response=response) from exc
    except urllib3.exceptions.SSLError as exc:
        raise requests.exceptions.SSLError(exc, response=response) from exc
    # What Response.content sets once it has read the body (CacheControl and responses too).
    response._content = body or b""  # noqa: SLF001
    response._content_consumed = True  # noqa: SLF001


class ClientSession(requests.Session):
    """The :class:`requests.Session` a client makes for itself.

    The proxy settings of the environment (``HTTPS_PROXY``, ``NO_PROXY``...) are read at the
    first request to each origin, then kept: requests reads every variable of the environment
    again for every request, a tenth of a request's CPU. A session passed in is left as it is.
    """

    def __init__(self) -> None:
        super().__init__()
        self._environ_proxies: dict[tuple[str, str, Any], dict[str, str]] = {}

    def merge_environment_settings(  # type: ignore[override]
        self, url: str, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        if not self.trust_env:
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
            "proxies": merge_setting(proxies, self.proxies),
            "stream": merge_setting(stream, self.stream),
            "verify": merge_setting(verify, self.verify),
            "cert": merge_setting(cert, self.cert),
        }


class Transport:
    """One pooled :class:`requests.Session` with halnav's retries, timeouts and error mapping."""

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        timeout: float | tuple[float, float] | None = DEFAULT_TIMEOUT,
        retries: int | Retry | None = DEFAULT_RETRIES,
        walk_retries: int | Retry | None = DEFAULT_WALK_RETRIES,
        pool_size: int = 10,
        retries_given: bool = False,
    ) -> None:
        """``retries_given``: the caller chose ``retries`` or ``walk_retries``, so halnav's
        adapter is mounted even on a ``session`` of theirs (which otherwise keeps its own)."""
        self.owns_session = session is None
        self.session = session if session is not None else ClientSession()
        self.timeout = timeout
        self.retry = make_retry(retries)
        self.walk_retry = make_retry(walk_retries)
        self.adapter: RetryAdapter | None = None
        if self.owns_session or retries_given:
            # Sized once for the prefetch threads too: a live pool is never replaced.
            self.adapter = RetryAdapter(
                max_retries=self.retry,
                pool_connections=4,
                pool_maxsize=max(pool_size, PREFETCH_THREADS),
            )
            self.session.mount("http://", self.adapter)
            self.session.mount("https://", self.adapter)

    @contextmanager
    def walking(self) -> Iterator[None]:
        """Requests this thread sends inside the block are a walk's pages: ``walk_retry`` applies."""
        if self.adapter is None:
            yield
            return
        with self.adapter.using(self.walk_retry):
            yield

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        auth: Any = None,
        json_body: bytes | None = None,
        params: Any = None,
        note: str | None = None,
    ) -> requests.Response:
        """Send one request and return the answer, whatever its status.

        Raises :class:`TransportError` when there is no answer to return (a URL that is not
        http(s) included). ``note`` is added to the DEBUG log line (e.g. ``cache miss``).
        """
        started = time.perf_counter()
        timeout = self.timeout
        try:
            with transport_errors(method, url, timeout):
                # A URL no adapter takes (ftp:, mailto:) raises requests' InvalidSchema here.
                retry = getattr(self.session.get_adapter(url), "max_retries", None)
            with transport_errors(method, url, timeout, retry):
                response = self.session.request(
                    method,
                    url,
                    headers=headers,
                    data=json_body,
                    params=params,
                    auth=auth,
                    timeout=timeout,
                )
        except TransportError as exc:
            cause = type(exc.__cause__).__name__
            log_exchange(
                method, url, f"no answer ({cause})", (time.perf_counter() - started) * 1000
            )
            raise
        if logger.isEnabledFor(logging.DEBUG):
            retried = retries_used(response)
            notes = [n for n in (note, _cache_note(response)) if n]
            if retried:
                notes.append(f"{retried} {'retry' if retried == 1 else 'retries'}")
            request = response.request
            log_exchange(
                method,
                response.url or url,
                response.status_code,
                (time.perf_counter() - started) * 1000,
                headers=request.headers if request is not None else None,
                note=", ".join(notes) or None,
            )
        return response

    def close(self) -> None:
        if self.owns_session:
            self.session.close()


def retries_used(response: requests.Response) -> int:
    """How many times urllib3 sent the request again before ``response`` (its retry history)."""
    retries = getattr(response.raw, "retries", None)
    history = getattr(retries, "history", None)
    return len(history) if isinstance(history, tuple) else 0


def _cache_note(response: requests.Response) -> str | None:
    # The convention of CacheControl and requests-cache.
    from_cache = getattr(response, "from_cache", None)
    if from_cache is None:
        return None
    return "cache hit" if from_cache else "cache miss"


def _timeout_text(value: Any) -> str:
    if isinstance(value, tuple):
        return f"timeout: connect {value[0]}s, read {value[1]}s"
    return f"timeout {value}s"


def _root_causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps: args, ``reason`` of urllib3 errors, and the exception chain."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for candidate in (*current.args, getattr(current, "reason", None), current.__context__):
            if isinstance(candidate, BaseException):
                pending.append(candidate)


def _not_sent(exc: BaseException) -> bool:
    """Whether the failure happened before the request left (no connection was made)."""
    return any(
        isinstance(cause, urllib3.exceptions.ConnectTimeoutError) for cause in _root_causes(exc)
    )


def _tries(exc: BaseException, retry: Any) -> str:
    total = getattr(retry, "total", None)
    if isinstance(total, bool) or not isinstance(total, int) or total <= 0:
        return ""
    if any(isinstance(c, urllib3.exceptions.MaxRetryError) for c in _root_causes(exc)):
        return f" after {total + 1} tries"
    return ""


def _outcome(method: str, exc: BaseException, retry: Any = None) -> str:
    """For a method ``retry`` does not send again (POST, PATCH): was the request sent at all?

    Decided by the :class:`Retry` the request went through (its ``allowed_methods``), so the
    token POST of :class:`~halnav.ClientCredentials`, which is retried, does not claim it was not;
    without one, by :data:`IDEMPOTENT_METHODS`.
    """
    if _retried(method, retry):
        return ""
    if _not_sent(exc):
        return f" ({method} not retried; the request was not sent)"
    return f" ({method} not retried; the outcome is unknown: the server may have applied it)"


def _retried(method: str, retry: Any) -> bool:
    if not isinstance(retry, Retry):
        return method in IDEMPOTENT_METHODS
    allowed = retry.allowed_methods
    return not allowed or method.upper() in allowed  # urllib3: a false value allows every method


def _reason(exc: BaseException) -> str:
    # Dig to the root cause: urllib3's wrappers repeat the URL and pool details.
    for cause in _root_causes(exc):
        reason = getattr(cause, "reason", None)
        if reason is not None and not isinstance(reason, urllib3.exceptions.MaxRetryError):
            return redact_reason(_describe(reason))
    deepest = exc
    for cause in _root_causes(exc):
        deepest = cause
    return redact_reason(_describe(deepest))


def _describe(error: Any) -> str:
    text = str(error)
    if isinstance(error, BaseException):
        name = type(error).__name__
        return f"{name}: {text}" if text and name not in text else (text or name)
    return text


def redact_reason(text: str) -> str:
    """An exception's text fit for a message: every URL in it masked as :func:`redact_url`
    does (userinfo, credential parameters), then cut to 300 characters."""
    text = _mask_text(_URL_IN_TEXT.sub(lambda match: redact_url(match.group()), text))
    return text if len(text) <= 300 else text[:297] + "..."
