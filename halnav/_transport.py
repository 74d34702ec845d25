"""Sending requests: the one place that knows requests' exceptions, retries and connection pools.

Every foreign exception is translated here into :class:`TransportError`, with ``raise ... from``.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ._exceptions import TransportError

__all__ = ["DEFAULT_TIMEOUT", "Transport", "make_retry", "redact_url"]

logger = logging.getLogger("halnav")

#: (connect, read) seconds.
DEFAULT_TIMEOUT = (5.0, 30.0)
#: Methods safe to send again: POST and PATCH never are (an order must not be created twice).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})


def make_retry(retries: int | Retry | None) -> Retry:
    """urllib3's :class:`Retry` for ``retries`` tries after the first (0 or None: no retries)."""
    if isinstance(retries, Retry):
        return retries
    if not retries:
        return Retry(total=0, read=False, redirect=None, raise_on_status=False)
    return Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        redirect=None,
        allowed_methods=IDEMPOTENT_METHODS,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=0.1,
        backoff_jitter=0.1,
        backoff_max=10.0,
        respect_retry_after_header=True,
        raise_on_status=False,
    )


def redact_url(url: str) -> str:
    """``url`` without any ``user:password@`` part, for messages and logs."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def mask_headers(headers: Any) -> dict[str, str]:
    """A copy of ``headers`` fit for a log line: credentials replaced by ``****``."""
    return {
        key: (
            "****" if key.lower() in ("authorization", "proxy-authorization", "cookie") else value
        )
        for key, value in headers.items()
    }


class Transport:
    """One pooled :class:`requests.Session` with halnav's retries, timeouts and error mapping."""

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        timeout: float | tuple[float, float] | None = DEFAULT_TIMEOUT,
        retries: int | Retry | None = 3,
        pool_size: int = 10,
    ) -> None:
        self.owns_session = session is None
        self.session = session if session is not None else requests.Session()
        self.timeout = timeout
        if self.owns_session or retries != 3:
            adapter = HTTPAdapter(
                max_retries=make_retry(retries), pool_connections=4, pool_maxsize=pool_size
            )
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        auth: Any = None,
        json_body: bytes | None = None,
        params: Any = None,
        timeout: Any = None,
    ) -> requests.Response:
        """Send one request and return the answer, whatever its status.

        Raises :class:`TransportError` when there is no answer to return.
        """
        started = time.perf_counter()
        shown = redact_url(url)
        try:
            response = self.session.request(
                method,
                url,
                headers=headers,
                data=json_body,
                params=params,
                auth=auth,
                timeout=self.timeout if timeout is None else timeout,
            )
        except requests.exceptions.Timeout as exc:
            raise TransportError(
                f"{method} {shown} timed out (timeout {self._timeout_text(timeout)}): {_reason(exc)}",
                method=method,
                url=shown,
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise TransportError(
                f"{method} {shown} failed, no answer: {_reason(exc)}", method=method, url=shown
            ) from exc
        if logger.isEnabledFor(logging.DEBUG):
            elapsed = (time.perf_counter() - started) * 1000
            logger.debug(
                "%s %s -> %s in %.1f ms, headers %s",
                method,
                redact_url(response.url or url),
                response.status_code,
                elapsed,
                mask_headers(response.request.headers) if response.request else {},
            )
        return response

    def _timeout_text(self, timeout: Any) -> str:
        value = self.timeout if timeout is None else timeout
        if isinstance(value, tuple):
            return f"connect {value[0]}s, read {value[1]}s"
        return f"{value}s"

    def close(self) -> None:
        if self.owns_session:
            self.session.close()


def _reason(exc: BaseException) -> str:
    # Dig to the root cause: urllib3's wrappers repeat the URL and pool details.
    seen = exc
    while seen.__context__ is not None and seen.__context__ is not seen:
        seen = seen.__context__
    for candidate in (exc, *(exc.args if exc.args else ())):
        reason = getattr(candidate, "reason", None)
        if reason is not None:
            return redact_reason(str(reason))
    return redact_reason(str(seen) or type(seen).__name__)


def redact_reason(text: str) -> str:
    return text if len(text) <= 300 else text[:297] + "..."
