"""The HTTP session: connection pools, the adapter that carries the retry policy, proxies.

:class:`ClientSession` is the :class:`requests.Session` a client makes for itself;
:class:`RetryAdapter` lets one thread's requests use another :class:`~urllib3.util.retry.Retry`
(a walk's page requests get a larger budget) and reads a body in one call.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Generator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies
from urllib3.util.retry import Retry

if TYPE_CHECKING:  # the stubs' name for what merge_environment_settings returns
    from requests.sessions import _Settings  # pyright: ignore[reportPrivateUsage]

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
    vars(response).update(_content=body or b"", _content_consumed=True)


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
