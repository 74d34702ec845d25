"""Credentials that stay home: auth applied only to the origin of the client's root URL."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase

__all__ = ["BearerToken", "ScopedAuth", "origin_of"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> tuple[str, str, int | None]:
    """The (scheme, host, port) of a URL, with the scheme's default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


class BearerToken(AuthBase):
    """``Authorization: Bearer <token>``; the token is never shown by ``repr`` or ``str``."""

    def __init__(self, token: str) -> None:
        self._token = token
        #: A non-secret name for the token (a hash of it): part of the cache's keys.
        self.cache_scope = hashlib.sha256(token.encode()).hexdigest()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "<BearerToken ****>"

    __str__ = __repr__


class ScopedAuth(AuthBase):
    """Applies ``inner`` to requests for ``origin`` only, and strips credentials from any other.

    Scheme is part of the origin, so an https token is never sent over plain http. ``inner`` may
    be ``None``: an ``Authorization`` header the caller set is then kept for ``origin`` only.
    Each request it prepares remembers it (see :func:`install_redirect_guard`).
    """

    def __init__(self, inner: Any, origin: tuple[str, str, int | None]) -> None:
        self.inner = inner
        self.origin = origin

    def applies_to(self, url: str) -> bool:
        return origin_of(url) == self.origin

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request._halnav_auth = self  # type: ignore[attr-defined]
        if request.url and self.applies_to(request.url):
            return self.inner(request) if self.inner is not None else request
        request.headers.pop("Authorization", None)
        return request

    def __repr__(self) -> str:
        scheme, host, port = self.origin
        return f"<ScopedAuth {type(self.inner).__name__} for {scheme}://{host}:{port}>"


def install_redirect_guard(session: requests.Session) -> None:
    """Make ``session`` re-decide credentials on every redirect hop by origin (once per session).

    requests keeps ``Authorization`` across same-host redirects (even to another port, or from
    http to https); halnav sends it only to the root's origin, so each hop is judged again, by
    the :class:`ScopedAuth` that sent the request being redirected (a session shared by several
    clients applies each one's own credentials to its own requests only).
    """
    # Read by name: untyped in requests' stubs, its signature is the one below.
    original: Callable[[requests.PreparedRequest, requests.Response], None]
    original = getattr(session, "rebuild_auth")  # noqa: B009
    if getattr(original, "_halnav_guard", False):
        return

    def rebuild_auth(prepared: requests.PreparedRequest, response: requests.Response) -> None:
        original(prepared, response)
        auth = getattr(response.request, "_halnav_auth", None)
        if auth is not None:
            auth(prepared)  # also marks the new hop, for a redirect after it

    setattr(rebuild_auth, "_halnav_guard", True)  # noqa: B010 - a mark on a function
    setattr(session, "rebuild_auth", rebuild_auth)  # noqa: B010 - replaces a bound method
