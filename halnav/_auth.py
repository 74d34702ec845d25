"""Credentials that stay home: auth applied only to the origin of the client's root URL.

The credential headers (``Authorization``, ``Cookie``, ``Proxy-Authorization``, ``X-Api-Key``,
and any the caller names) go to that origin only, redirects included; and a write (POST, PATCH)
that a redirect would send again goes, at most once, to its own origin only: its body stays
home too.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable
from typing import Any, cast
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase

from ._exceptions import TransportError
from ._redact import SECRET_HEADERS, redact_url
from ._retry import IDEMPOTENT_METHODS

__all__ = [
    "DEFAULT_CREDENTIAL_HEADERS",
    "BearerToken",
    "ScopedAuth",
    "credential_header_names",
    "install_redirect_guard",
    "origin_of",
    "secrets_of",
]

#: Request headers that carry credentials (lower case): sent to the root's origin only.
DEFAULT_CREDENTIAL_HEADERS: frozenset[str] = SECRET_HEADERS


def credential_header_names(extra: Iterable[str] = ()) -> frozenset[str]:
    """:data:`DEFAULT_CREDENTIAL_HEADERS` and the header names in ``extra``, lower case."""
    if isinstance(extra, str):
        raise TypeError(f"credential_headers takes header names, got the string {extra!r}")
    names = set(DEFAULT_CREDENTIAL_HEADERS)
    for name in extra:
        if not isinstance(name, str) or not name.strip():
            raise TypeError(f"credential_headers takes header names, got {name!r}")
        names.add(name.strip().lower())
    return frozenset(names)


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

    def masked_values(self) -> list[str]:
        """The strings halnav masks in any text it shows: the token."""
        return [self._token]

    def __repr__(self) -> str:
        return "<BearerToken ****>"

    __str__ = __repr__


def secrets_of(auth: object) -> list[str]:
    """The secrets an auth sends, to mask in any text shown (never to send anywhere): those its
    ``masked_values()`` lists (halnav's own auths), else a ``password`` (requests' Basic and
    Digest auths) with its Basic encoding. A string of fewer than 4 characters is left out: it
    would mask every word it occurs in."""
    found: list[str] = []
    listed = getattr(auth, "masked_values", None)
    if callable(listed):
        values: object = listed()
        if isinstance(values, list):
            found += [value for value in cast("list[object]", values) if isinstance(value, str)]
    password: object = getattr(auth, "password", None)
    if isinstance(password, str) and password:
        username: object = getattr(auth, "username", "")
        found.append(password)
        basic = f"{username}:{password}".encode("latin-1", errors="replace")
        found.append(base64.b64encode(basic).decode("ascii"))
    return [value for value in found if len(value) >= 4]


class ScopedAuth(AuthBase):
    """Applies ``inner`` to requests for ``origin`` only, and strips credentials from any other.

    Scheme is part of the origin, so an https token is never sent over plain http. ``inner`` may
    be ``None``: the credential headers the caller set are then kept for ``origin`` only. Every
    header named in ``secret_headers`` (lower case; by default
    :data:`DEFAULT_CREDENTIAL_HEADERS`) is removed from a request to any other origin, whoever
    set it. Each request it prepares remembers it (see :func:`install_redirect_guard`).
    """

    def __init__(
        self,
        inner: Any,
        origin: tuple[str, str, int | None],
        secret_headers: frozenset[str] = DEFAULT_CREDENTIAL_HEADERS,
    ) -> None:
        self.inner = inner
        self.origin = origin
        self.secret_headers = secret_headers

    def applies_to(self, url: str) -> bool:
        return origin_of(url) == self.origin

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request._halnav_auth = self  # type: ignore[attr-defined]
        if request.url and self.applies_to(request.url):
            return self.inner(request) if self.inner is not None else request
        headers = request.headers
        for name in [name for name in headers if name.lower() in self.secret_headers]:
            del headers[name]
        return request

    def __repr__(self) -> str:
        scheme, host, port = self.origin
        return f"<ScopedAuth {type(self.inner).__name__} for {scheme}://{host}:{port}>"


def install_redirect_guard(session: requests.Session) -> None:
    """Make ``session`` re-decide credentials on every redirect hop by origin, and keep writes
    home (once per session).

    requests keeps ``Authorization`` (and every other header but ``Cookie``) across same-host
    redirects (even to another port, or from http to https); halnav sends credentials only to
    the root's origin, so each hop is judged again, by the :class:`ScopedAuth` that sent the
    request being redirected (a session shared by several clients applies each one's own
    credentials to its own requests only).

    A POST or PATCH that a redirect keeps as it is (307, 308; a PATCH on 301) is sent again at
    most once, and only to the origin it was sent to: a redirect elsewhere, or a second one,
    raises :class:`~halnav.TransportError` instead. 301/302/303 turn a POST into a GET, as
    requests does. Requests that no halnav client sent are left alone.
    """
    # Read by name: untyped in requests' stubs, their signatures are the ones below.
    original: Callable[[requests.PreparedRequest, requests.Response], None]
    original = getattr(session, "rebuild_auth")  # noqa: B009
    if getattr(original, "_halnav_guard", False):
        return
    original_method: Callable[[requests.PreparedRequest, requests.Response], None]
    original_method = getattr(session, "rebuild_method")  # noqa: B009

    def rebuild_auth(prepared: requests.PreparedRequest, response: requests.Response) -> None:
        original(prepared, response)
        auth = getattr(response.request, "_halnav_auth", None)
        if auth is not None:
            auth(prepared)  # also marks the new hop, for a redirect after it

    def rebuild_method(prepared: requests.PreparedRequest, response: requests.Response) -> None:
        original_method(prepared, response)
        if getattr(response.request, "_halnav_auth", None) is not None:
            _check_write_redirect(prepared, response)

    setattr(rebuild_auth, "_halnav_guard", True)  # noqa: B010 - a mark on a function
    setattr(session, "rebuild_auth", rebuild_auth)  # noqa: B010 - replaces a bound method
    setattr(session, "rebuild_method", rebuild_method)  # noqa: B010


def _check_write_redirect(prepared: requests.PreparedRequest, response: requests.Response) -> None:
    """Raise unless the redirected ``prepared`` may go: an idempotent method, or a write sent
    again for the first time, to its own origin. Marks a write it lets go."""
    method = (prepared.method or "").upper()
    if method in IDEMPOTENT_METHODS:
        return
    previous = response.request
    first = response.history[0].request if response.history else previous
    sent_to = redact_url(first.url or "")
    target = redact_url(prepared.url or "")
    status = response.status_code
    if origin_of(prepared.url or "") != origin_of(previous.url or ""):
        raise TransportError(
            f"{method} {sent_to} was answered {status} to another origin ({target}): "
            f"not sent there (a {method} and its body go to their own origin only); "
            f"the server did not take it here",
            method=method,
            url=sent_to,
        )
    if getattr(previous, "_halnav_resent", False):
        raise TransportError(
            f"{method} {sent_to} was redirected again ({status} to {target}) after it was sent "
            f"once more to {redact_url(previous.url or '')}: not sent a third time (a redirect "
            f"loop?); the server answered each with a redirect",
            method=method,
            url=sent_to,
        )
    prepared._halnav_resent = True  # type: ignore[attr-defined]
