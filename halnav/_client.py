"""The :class:`Client`: settings, credentials and the entry point of a HAL API."""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urljoin

import requests
from requests.auth import AuthBase
from urllib3.util.retry import Retry

from . import _json
from ._auth import BearerToken, ScopedAuth, install_redirect_guard, origin_of
from ._link import Link
from ._resource import Resource
from ._response import resource_from_response
from ._transport import DEFAULT_TIMEOUT, Transport, redact_url
from ._version import __version__

__all__ = ["ACCEPT", "Client", "USER_AGENT"]

ACCEPT = "application/hal+json, application/json;q=0.9, */*;q=0.1"
USER_AGENT = f"halnav/{__version__} python-requests/{requests.__version__}"


class Client:
    """A HAL API client rooted at ``root_url``.

    >>> client = halnav.Client("https://api.bootic.net/v1", token="...")
    >>> root = client.root()
    >>> shop = root.follow("btc:shop", id=1)

    ``token`` (a bearer token) or ``auth`` (any :mod:`requests` auth, e.g. an OAuth2 session's)
    is sent only to the origin of ``root_url``: links to other origins, or from https to plain
    http, are fetched without credentials. One :class:`requests.Session` is reused (pass your own
    with ``session``), so connections are kept alive. A client may be shared by threads.
    """

    def __init__(
        self,
        root_url: str,
        *,
        token: str | None = None,
        auth: AuthBase | Any | None = None,
        session: requests.Session | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | tuple[float, float] | None = DEFAULT_TIMEOUT,
        retries: int | Retry | None = 3,
        pool_size: int = 10,
    ) -> None:
        if token is not None and auth is not None:
            raise ValueError("give token= or auth=, not both")
        self._root_url = root_url
        self._transport = Transport(session, timeout=timeout, retries=retries, pool_size=pool_size)
        inner = BearerToken(token) if token is not None else auth
        self._auth = ScopedAuth(inner, origin_of(root_url)) if inner is not None else None
        if self._auth is not None:
            install_redirect_guard(self._transport.session, self._auth)
        self._headers = {"Accept": ACCEPT, "User-Agent": USER_AGENT, **(headers or {})}
        self._lock = threading.Lock()

    # -- settings --------------------------------------------------------------------------

    @property
    def root_url(self) -> str:
        """The API's entry point."""
        return self._root_url

    @property
    def session(self) -> requests.Session:
        """The underlying :class:`requests.Session`."""
        return self._transport.session

    @property
    def timeout(self) -> Any:
        """``(connect, read)`` seconds, or one number for both."""
        return self._transport.timeout

    @property
    def headers(self) -> dict[str, str]:
        """The headers sent with every request (credentials are added per origin, not here)."""
        return dict(self._headers)

    def authenticates(self, url: str) -> bool:
        """Whether credentials would be sent to ``url`` (only to the root URL's origin)."""
        return self._auth is not None and self._auth.applies_to(url)

    # -- requests --------------------------------------------------------------------------

    def root(self) -> Resource:
        """GET the entry point."""
        return self.get(self._root_url)

    def get(self, url: str, **query: Any) -> Resource:
        """GET any URL (relative ones resolve against the root URL); ``query`` adds parameters."""
        return self.request("GET", url, params=query or None)

    def get_link(self, link: Link, **variables: Any) -> Resource:
        """GET the target of ``link`` with its template expanded by ``variables``."""
        return self.request("GET", link.url(**variables), via=(link, variables))

    def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
        via: tuple[Link, dict[str, Any]] | None = None,
    ) -> Resource:
        """Send ``method`` to ``url`` (``json`` as a JSON body) and return the answer's resource.

        Raises an :class:`HTTPError` subclass for 4xx/5xx answers, :class:`TransportError` when
        there is no answer, :class:`InvalidDocument` for a JSON body that does not parse.
        """
        method = method.upper()
        absolute = urljoin(self._root_url, url)
        sent = dict(self._headers)
        body = None
        if json is not None:
            body = _json.dumps(json)
            sent["Content-Type"] = "application/json"
        if headers:
            sent.update(headers)
        response = self._transport.send(
            method, absolute, headers=sent, auth=self._auth, json_body=body, params=params
        )
        return resource_from_response(response, self, method, via)

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Close the pooled connections (of a session the client made itself)."""
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        auth = ""
        if self._auth is not None:
            inner = self._auth.inner
            kind = "bearer token" if isinstance(inner, BearerToken) else type(inner).__name__
            auth = f" auth={kind} (hidden)"
        return f"<Client {redact_url(self._root_url)}{auth}>"
