"""Sending requests: the one place that knows requests' exceptions, and the log of each exchange.

Every foreign exception is translated here into :class:`TransportError`, with ``raise ... from``
(:class:`DeadlineExceeded` when the request's deadline ended it). Each request is logged at DEBUG
on the ``halnav`` logger, credentials masked. The retry policy lives in :mod:`._retry`, the
session and its adapter in :mod:`._session`, deadlines in :mod:`._deadline`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import requests
import urllib3.exceptions
from urllib3.util.retry import Retry

from ._deadline import Deadline, DeadlineReached, bound_by, capped_timeout
from ._exceptions import DeadlineExceeded, TransportError
from ._redact import mask_headers, redact_reason, redact_url
from ._retry import (
    DEFAULT_RETRIES,
    DEFAULT_WALK_RETRIES,
    IDEMPOTENT_METHODS,
    make_retry,
    retries_used,
)
from ._session import (
    DEFAULT_MAX_BODY_SIZE,
    PREFETCH_THREADS,
    ClientSession,
    HeadCutShort,
    RetryAdapter,
    read_body,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "Timeout",
    "Transport",
    "log_exchange",
    "transport_errors",
]

logger = logging.getLogger("halnav")

#: (connect, read) seconds, or one number for both.
Timeout = float | tuple[float, float] | None
#: (connect, read) seconds.
DEFAULT_TIMEOUT = (5.0, 30.0)


def log_exchange(
    method: str,
    url: str,
    status: int | str,
    elapsed_ms: float,
    *,
    headers: Any = None,
    note: str | None = None,
    secret_headers: Iterable[str] = (),
) -> None:
    """Log one request at DEBUG on the ``halnav`` logger, credentials masked.

    ``GET https://api.example/v1 -> 200 in 12.3 ms (cache miss) {'Authorization': '****', ...}``.
    ``note`` says how the answer came (``cache hit``, ``revalidated``, ``2 retries``...). Also for
    answers that never reached the network (a cache), so every request gets its line.
    ``secret_headers``: more header names to mask (the client's credential headers).
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
        f" {mask_headers(headers, secret_headers)}" if headers is not None else "",
    )


@contextmanager
def transport_errors(
    method: str,
    url: str,
    timeout: Any = None,
    retry: Any = None,
    deadline: Deadline | None = None,
) -> Generator[None, None, None]:
    """Translate requests'/urllib3's exceptions raised inside the block into :class:`TransportError`.

    ``retry``, the :class:`Retry` the request went through, lets the message say how many tries
    were made when they ran out, and whether a POST or PATCH was sent again (when it was not, the
    message says whether it was sent at all). A failure that ``deadline`` caused (a wait it cut,
    or a timeout once it has passed) is a :class:`DeadlineExceeded`.
    """
    shown = redact_url(url)
    try:
        yield
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as exc:
        if deadline is not None:
            reached = _deadline_reached(exc)
            if reached is not None or (deadline.expired and _timed_out(exc)):
                text = _deadline_text(method, shown, exc, deadline, reached, retry)
                raise DeadlineExceeded(
                    text, method=method, url=shown, seconds=deadline.seconds
                ) from exc
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
    tries = _tries(exc, retry)
    if any(isinstance(cause, HeadCutShort) for cause in _root_causes(exc)):
        return (
            f"{method} {shown}: the answer was cut short inside its header block{tries}: "
            f"{_reason(exc)}{outcome}"
        )
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"{method} {shown}: the answer was cut short{tries}: {_reason(exc)}{outcome}"
    return f"{method} {shown} failed{tries}, no answer: {_reason(exc)}{outcome}"


def _deadline_reached(exc: BaseException) -> DeadlineReached | None:
    for cause in _root_causes(exc):
        if isinstance(cause, DeadlineReached):
            return cause
    return None


def _deadline_text(
    method: str,
    shown: str,
    exc: BaseException,
    deadline: Deadline,
    reached: DeadlineReached | None,
    retry: Any,
) -> str:
    if reached is not None:
        when = str(reached)
    elif any(isinstance(c, urllib3.exceptions.ConnectTimeoutError) for c in _root_causes(exc)):
        when = "while connecting"
    else:
        when = "while waiting for or reading the answer"
    outcome = _outcome(method, exc, retry)
    return f"{method} {shown} stopped by {deadline.describe()} {when}{outcome}"


def _timed_out(exc: BaseException) -> bool:
    # urllib3's own timeout errors reach here unwrapped when the request is not retried (POST),
    # and wrapped in a ConnectionError when the body stalled; a refused connection is a
    # NewConnectionError, a subclass of ConnectTimeoutError.
    if isinstance(exc, requests.exceptions.Timeout):
        return True
    return any(
        isinstance(cause, (urllib3.exceptions.TimeoutError, TimeoutError))
        and not isinstance(cause, (urllib3.exceptions.NewConnectionError, DeadlineReached))
        for cause in _root_causes(exc)
    )


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
        max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
        secret_headers: Iterable[str] = (),
    ) -> None:
        """``retries_given``: the caller chose ``retries`` or ``walk_retries``, so halnav's
        adapter is mounted even on a ``session`` of theirs (which otherwise keeps its own).
        ``max_body_size``: decoded bytes of a body beyond which it is not read (``None``: no
        limit). ``secret_headers``: header names masked in the log besides the usual ones."""
        if max_body_size is not None and (
            isinstance(max_body_size, bool) or not isinstance(max_body_size, int)
        ):
            raise TypeError(f"max_body_size must be an int or None, got {max_body_size!r}")
        if max_body_size is not None and max_body_size < 0:
            raise ValueError(f"max_body_size must be 0 or more, got {max_body_size}")
        self.owns_session = session is None
        self.session = session if session is not None else ClientSession()
        self.timeout = timeout
        self.max_body_size = max_body_size
        self.secret_headers = frozenset(name.lower() for name in secret_headers)
        self.retry = make_retry(retries)
        self.walk_retry = make_retry(walk_retries)
        self.adapter: RetryAdapter | None = None
        if self.owns_session or retries_given:
            # Sized once for the prefetch threads too: a live pool is never replaced.
            self.adapter = RetryAdapter(
                max_retries=self.retry,
                max_body_size=max_body_size,
                pool_connections=4,
                pool_maxsize=max(pool_size, PREFETCH_THREADS),
            )
            self.session.mount("http://", self.adapter)
            self.session.mount("https://", self.adapter)

    @contextmanager
    def walking(self) -> Generator[None, None, None]:
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
        deadline: Deadline | None = None,
    ) -> requests.Response:
        """Send one request and return the answer, whatever its status.

        Raises :class:`TransportError` when there is no answer to return (a URL that is not
        http(s) included), :class:`DeadlineExceeded` when ``deadline`` ends it, and
        :class:`BodyTooLarge` for a body over ``max_body_size``. ``note`` is added to the DEBUG
        log line (e.g. ``cache miss``).
        """
        started = time.perf_counter()
        timeout = self.timeout
        try:
            with transport_errors(method, url, timeout):
                # A URL no adapter takes (ftp:, mailto:) raises requests' InvalidSchema here.
                adapter = self.session.get_adapter(url)
            retry = getattr(adapter, "max_retries", None)
            # halnav's adapter reads the body itself, within the limit; another one is asked
            # for a stream, read here within the same limit.
            ours = isinstance(adapter, RetryAdapter)
            with transport_errors(method, url, timeout, retry, deadline), bound_by(deadline):
                response = self.session.request(
                    method,
                    url,
                    headers=headers,
                    data=json_body,
                    params=params,
                    auth=auth,
                    timeout=timeout if deadline is None else capped_timeout(timeout, deadline),
                    stream=not ours,
                )
                if not ours:
                    read_body(response, self.max_body_size)
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
            # None for an answer made by hand (a test double), whatever the stubs say.
            request = cast("requests.PreparedRequest | None", response.request)
            log_exchange(
                method,
                response.url or url,
                response.status_code,
                (time.perf_counter() - started) * 1000,
                headers=request.headers if request is not None else None,
                note=", ".join(notes) or None,
                secret_headers=self.secret_headers,
            )
        return response

    def close(self) -> None:
        if self.owns_session:
            self.session.close()


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
        isinstance(cause, urllib3.exceptions.ConnectTimeoutError)
        or (isinstance(cause, DeadlineReached) and not cause.sent)
        for cause in _root_causes(exc)
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
