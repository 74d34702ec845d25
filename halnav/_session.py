"""The HTTP session: connection pools, the adapter that carries the retry policy, proxies.

:class:`ClientSession` is the :class:`requests.Session` a client makes for itself;
:class:`RetryAdapter` lets one thread's requests use another :class:`~urllib3.util.retry.Retry`
(a walk's page requests get a larger budget) and reads a body in one call.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from requests.sessions import merge_setting
from requests.utils import get_environ_proxies
from urllib3.util.retry import Retry

__all__ = ["PREFETCH_THREADS", "ClientSession", "RetryAdapter", "read_body"]

#: Threads of a client's prefetch pool, made once: the most page requests all of its walks keep
#: in flight at once (each walk also keeps to its own window). The connection pool of a session
#: the client mounts its adapter on keeps that many connections per host, sized once up front
#: (a cap, not a preallocation), so nothing is swapped while requests are in flight.
PREFETCH_THREADS = 32


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
