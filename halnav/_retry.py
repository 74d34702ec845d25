"""The retry policy: which requests are sent again, when, and how often.

urllib3's :class:`~urllib3.util.retry.Retry` does the retrying on the session's adapter;
:func:`make_retry` configures it: idempotent methods only, on connection failures, dropped
connections and 429/502/503/504, with ``Retry-After`` honoured and exponential backoff with
jitter. POST and PATCH are sent exactly once.
"""

from __future__ import annotations

import email.utils
import re
import time
from types import TracebackType
from typing import TYPE_CHECKING, cast

import requests
import urllib3.exceptions
from urllib3.connectionpool import ConnectionPool
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from ._deadline import DeadlineReached, current_deadline

if TYPE_CHECKING:  # typing.Self is Python 3.11's; type checkers always have typing_extensions
    from typing_extensions import Self

__all__ = [
    "BACKOFF_FACTOR",
    "BACKOFF_JITTER",
    "BACKOFF_MAX",
    "DEFAULT_RETRIES",
    "DEFAULT_WALK_RETRIES",
    "IDEMPOTENT_METHODS",
    "RETRY_AFTER_MAX",
    "RETRY_STATUSES",
    "HALNavRetry",
    "make_retry",
    "retries_used",
]

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


class HALNavRetry(Retry):
    """urllib3's :class:`Retry` with halnav's policy on top.

    * A request with a method outside ``allowed_methods`` (POST, PATCH) is never sent again, not
      even after a connection error: the answer is the caller's to judge.
    * A read timeout is not retried: the server took the request and stayed silent for the whole
      timeout, so a request ends within the configured timeout.
    * A ``Retry-After`` longer than ``retry_after_max`` is not slept on: the 429/503 answer is
      returned (and raised as :class:`~halnav.TooManyRequests`/:class:`~halnav.ServerError`,
      whose ``headers`` say when to come back). An unreadable ``Retry-After`` counts as absent.
    * Under a deadline (:mod:`._deadline`), a wait that would end at or past it is not begun:
      the request ends at once, saying that the deadline, not the server, ended the wait.
    """

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
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
                # urllib3 always passes the pool it sends through.
                pool = cast("ConnectionPool", _pool)
                raise urllib3.exceptions.MaxRetryError(pool, url or "", cause)
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        """Wait before the next try, as urllib3 does (``Retry-After``, else the backoff), unless
        the request's deadline would pass first."""
        wait: float = 0.0
        why = ""
        if self.respect_retry_after_header and response is not None:
            wait = self.get_retry_after(response) or 0.0
            why = f"the server asked to wait {wait:g}s (Retry-After, status {response.status})"
        if not wait:
            wait = self.get_backoff_time()
            why = f"the backoff before it is {wait:.2f}s"
        deadline = current_deadline()
        if deadline is not None:
            left = deadline.remaining()
            if wait >= left:
                raise DeadlineReached(
                    f"before retry {len(self.history)}: {why} and {max(left, 0.0):.2f}s were "
                    "left; the deadline, not the server, ended the wait"
                )
        if wait > 0:
            time.sleep(wait)

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
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


def retries_used(response: requests.Response) -> int:
    """How many times urllib3 sent the request again before ``response`` (its retry history)."""
    retries = getattr(response.raw, "retries", None)
    history: object = getattr(retries, "history", None)
    return len(cast("tuple[object, ...]", history)) if isinstance(history, tuple) else 0
