"""Credentials that stay home: auth applied only to the origin of the client's root URL."""

from __future__ import annotations

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

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "<BearerToken ****>"

    __str__ = __repr__


class ScopedAuth(AuthBase):
    """Applies ``inner`` to requests for ``origin`` only, and strips credentials from any other.

    Scheme is part of the origin, so an https token is never sent over plain http.
    """

    def __init__(self, inner: Any, origin: tuple[str, str, int | None]) -> None:
        self.inner = inner
        self.origin = origin

    def applies_to(self, url: str) -> bool:
        return origin_of(url) == self.origin

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if request.url and self.applies_to(request.url):
            return self.inner(request)
        request.headers.pop("Authorization", None)
        return request

    def __repr__(self) -> str:
        scheme, host, port = self.origin
        return f"<ScopedAuth {type(self.inner).__name__} for {scheme}://{host}:{port}>"


def install_redirect_guard(session: requests.Session, auth: ScopedAuth) -> None:
    """Make ``session`` re-decide credentials on every redirect hop by origin.

    requests keeps ``Authorization`` across same-host redirects (even to another port, or from
    http to https); halnav sends it only to the root's origin, so each hop is judged again.
    """
    original = session.rebuild_auth

    def rebuild_auth(prepared: requests.PreparedRequest, response: requests.Response) -> None:
        original(prepared, response)
        auth(prepared)

    session.rebuild_auth = rebuild_auth  # type: ignore[method-assign]
