"""The HTTP caching rules (RFC 9111, for a private cache): what is kept, when it is fresh, what a
304 means, and what an unsafe request makes stale.

Every kept answer keeps its ``ETag`` and ``Last-Modified``; the next GET of the same URL sends
``If-None-Match``/``If-Modified-Since``, and a ``304 Not Modified`` gives back the representation
already decoded, with the new headers merged, without decoding any body. An answer that says
``max-age=N`` (and not ``no-cache``) is served without a request for N seconds; the Bootic answers
say ``must-revalidate, private, max-age=0``, so every GET there is revalidated. ``no-store``
answers, error answers and redirected ones are not kept. A POST, PUT, PATCH or DELETE drops its
URL and the URLs in its answer's ``Location`` and ``Content-Location``.

The stores (:mod:`._cache_stores`) keep what these rules decide. Entries are scoped by the
credentials a request actually sends (:func:`request_view`): the auth's identity
(:func:`credential_scope`) and the value of every credential header given (``Authorization``,
``Cookie``, ``X-Api-Key``...), as a keyed digest, never the credentials. ``Vary`` is honoured
whole, ``Authorization`` and ``Cookie`` included, comparing digests for credential headers.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import threading
import time
import weakref
from collections.abc import Generator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict

from ._cache_stores import CacheEntry, MemoryCache, VaryKey, entry_key
from ._exceptions import InvalidDocument
from ._link import resolve_url
from ._representation import Representation, is_json, representation_from_response

__all__ = [
    "UNSAFE_METHODS",
    "answer_from_cache",
    "answer_locations",
    "cache_directives",
    "cache_key_url",
    "credential_scope",
    "fresh",
    "freshness_lifetime",
    "keep",
    "may_store",
    "must_revalidate",
    "not_stored",
    "request_view",
]

#: The methods whose answers may change what a GET of the same URL gives.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Headers of a 304 that must not replace the stored ones (RFC 9111 section 3.2).
_NOT_MERGED = frozenset(
    {"content-length", "content-encoding", "transfer-encoding", "content-range", "content-type"}
)


#: False while a walk fetches pages that the store could not hold all at once (see not_stored).
_STORE_ANSWERS: ContextVar[bool] = ContextVar("halnav_cache_store_answers", default=True)


def may_store() -> bool:
    """Whether answers received now, in this thread or task, may be newly kept.

    :func:`not_stored` says no within its block.
    """
    return _STORE_ANSWERS.get()


@contextmanager
def not_stored(active: bool = True) -> Generator[None, None, None]:
    """Within the block (in this thread or task), answers are revalidated but not newly kept.

    A walk over more pages than the store holds uses it: keeping them would evict every other
    entry, and each page would itself be evicted before a second walk could reuse it.
    """
    if not active:
        yield
        return
    token = _STORE_ANSWERS.set(False)
    try:
        yield
    finally:
        _STORE_ANSWERS.reset(token)


def answer_from_cache(
    store: MemoryCache,
    method: str,
    scope: str,
    url: str,
    request_headers: Mapping[str, str],
    entry: CacheEntry | None,
    response: requests.Response,
    keep_answer: bool | None = None,
) -> Representation:
    """The representation of ``response``: the stored one on a 304, else the answer's, kept in
    ``store`` if it may be.

    Unsafe methods invalidate their URL, ``Location`` and ``Content-Location`` first. An error
    answer is given back as any other (the caller raises for its status). ``keep_answer``:
    whether a new answer may be kept, as :func:`may_store` said where the request was sent (the
    default: as it says in this thread).
    """
    status = response.status_code
    headers = response.headers
    body = response.content or b""
    store.count(bytes_received=len(body))
    if method in UNSAFE_METHODS:
        store.invalidate(scope, url, *answer_locations(headers, response.url or url))
    elif status == 304 and entry is not None and method == "GET":
        store.count(not_modified=1)
        return revalidated(store, entry, headers)
    if status >= 400 and method == "GET":
        store.invalidate(scope, url)
    if body and status != 304 and is_json(headers.get("Content-Type")):
        store.count(bodies_decoded=1)
    representation = representation_from_response(response, method)
    if keep_answer is None:
        keep_answer = may_store()
    if method == "GET" and status == 200 and not response.history and keep_answer:
        keep(store, scope, url, request_headers, representation)
    return representation


def keep(
    store: MemoryCache,
    scope: str,
    url: str,
    request_headers: Mapping[str, str],
    representation: Representation,
) -> bool:
    """Store a 200 answer when it has a validator or a freshness lifetime; whether it did."""
    headers = representation.headers
    directives = cache_directives(headers.get("Cache-Control"))
    if "no-store" in directives:
        return False
    vary = _vary(headers.get("Vary"), request_headers)
    if vary is None:
        return False
    etag = headers.get("ETag")
    last_modified = headers.get("Last-Modified")
    lifetime = freshness_lifetime(directives, headers)
    if not etag and not last_modified and lifetime <= 0:
        return False
    entry = CacheEntry(
        entry_key(scope, url),
        url,
        vary,
        etag,
        last_modified,
        headers,
        representation,
        time.time() + lifetime if lifetime > 0 else 0.0,
    )
    store.put(entry)
    store.count(stored=1)
    return True


def revalidated(
    store: MemoryCache, entry: CacheEntry, headers: Mapping[str, str]
) -> Representation:
    """The stored representation again, with the 304's ``headers`` merged into the stored ones."""
    merged: CaseInsensitiveDict[str] = CaseInsensitiveDict(entry.headers)
    for name, value in headers.items():
        if name.lower() not in _NOT_MERGED:
            merged[name] = value
    entry.headers = merged
    entry.etag = merged.get("ETag") or entry.etag
    entry.last_modified = merged.get("Last-Modified") or entry.last_modified
    lifetime = freshness_lifetime(cache_directives(merged.get("Cache-Control")), merged)
    entry.expires_at = time.time() + lifetime if lifetime > 0 else 0.0
    store.updated(entry)
    return _with_headers(entry.representation, merged)


def fresh(store: MemoryCache, entry: CacheEntry) -> Representation:
    """The stored representation of a fresh entry, for a GET answered without any request."""
    store.count(fresh_hits=1)
    return _with_headers(entry.representation, entry.headers)


def _with_headers(representation: Representation, headers: Mapping[str, str]) -> Representation:
    # The document is shared, never copied: only the headers are the latest answer's.
    return Representation(
        representation.url,
        representation.status_code,
        headers,
        representation.content,
        representation.content_type,
        representation.document,
        representation.parsed,
    )


def cache_key_url(url: str, params: Any = None) -> str:
    """The URL a request for ``url`` with query ``params`` goes to: the key of its entry."""
    if not params:
        return url
    # requests' own encoding, so that the key is the URL the request is sent to.
    return requests.Request("GET", url, params=params).prepare().url or url


def request_view(
    store: MemoryCache,
    headers: Mapping[str, str],
    *,
    auth_scope: str,
    secret_headers: frozenset[str],
    credentials_sent: bool,
) -> tuple[str, dict[str, str]]:
    """The scope of a request's entry, and its headers as ``Vary`` compares them.

    ``headers`` are those given to the request (lower-case names in ``secret_headers`` are
    credentials); ``auth_scope`` names the credentials the client's auth adds (``""``: none);
    ``credentials_sent``: whether the request goes where credentials go (the root's origin).
    The scope is ``""`` when no credential is sent, else a keyed digest (the ``store``'s
    :meth:`~MemoryCache.scope_of`) of all of them. In the headers returned, names are lower case
    and each credential's value is a keyed digest of it (``authorization`` includes the auth's).
    """
    view = {name.lower(): value for name, value in headers.items()}
    if not credentials_sent:  # stripped before sending: none of them goes
        for name in secret_headers.intersection(view):
            del view[name]
        return "", view
    parts: list[str] = []
    for name in sorted(secret_headers.intersection(view)):
        material = f"{name}: {view[name]}"
        parts.append(material)
        view[name] = store.scope_of(material)
    if auth_scope:
        parts.append(f"auth: {auth_scope}")
        view["authorization"] = store.scope_of(f"auth: {auth_scope} {view.get('authorization')}")
    return (store.scope_of("\n".join(parts)) if parts else ""), view


def credential_scope(auth: object) -> str:
    """A stable, non-secret name for the credentials ``auth`` sends (part of every cache key).

    A hash of the auth's type and: the auth's own ``cache_scope`` attribute (a bearer token's
    is a hash of the token; give one to an auth of yours: a non-secret name for its
    credentials, such as an account name); else an OAuth client's ``client_id`` (and
    ``scope``), which outlive its renewed access tokens; else a ``username`` with its
    ``password`` (HTTP Basic: another password is other credentials); else the auth object
    itself. Two objects of such an auth never share entries, even when one was made after the
    other was freed at the same address, and its entries in a :class:`DiskCache` are not found
    by the next run. The stores key it again (:func:`request_view`).
    """
    if auth is None:
        return ""
    inner = getattr(auth, "inner", auth)
    name = f"{type(inner).__module__}.{type(inner).__qualname__}"
    identity: object = getattr(inner, "cache_scope", None)
    client_id: object = getattr(inner, "client_id", None)
    if identity is None and client_id is not None:
        identity = f"{client_id} {getattr(inner, 'scope', '')}"
    if identity is None:
        username: object = getattr(inner, "username", None)
        if username is not None:
            password: object = getattr(inner, "password", None)
            secret = hashlib.sha256(repr(password).encode()).hexdigest()
            identity = f"{username!r} {secret}"
    if identity is None:
        identity = _object_identity(inner)
    name += ":" + str(identity)
    return hashlib.sha256(name.encode()).hexdigest()[:24]


#: Random per process: an object's identity never names an object of another run (a DiskCache).
_PROCESS = secrets.token_hex(8)
_SERIALS: dict[int, int] = {}
_SERIALS_LOCK = threading.Lock()
_next_serial = itertools.count(1).__next__


def _object_identity(obj: Any) -> str:
    """A name for ``obj`` no other object ever gets: ``id()`` alone is reused once it is freed."""
    key = id(obj)
    with _SERIALS_LOCK:
        serial = _SERIALS.get(key)
        if serial is None:
            try:
                # Forgotten when the object is freed, so that the next one at its address
                # gets a serial of its own. (dict.pop is atomic: no lock in the callback.)
                weakref.finalize(obj, _SERIALS.pop, key, None)
            except TypeError:  # cannot be weakly referenced: its id, unique while it lives
                return f"{_PROCESS} id {key}"
            serial = _SERIALS[key] = _next_serial()
    return f"{_PROCESS} object {serial}"


def must_revalidate(request_headers: Mapping[str, str]) -> bool:
    """Whether a request forbids an answer from the cache without asking the server: its own
    ``Cache-Control: no-cache`` or ``max-age=0`` (RFC 9111 section 5.2.1), or ``Pragma:
    no-cache``. A walk that reads pages again to see what moved sends it."""
    control = next((v for k, v in request_headers.items() if k.lower() == "cache-control"), None)
    directives = cache_directives(control)
    if "no-cache" in directives or directives.get("max-age") == "0":
        return True
    pragma = next((v for k, v in request_headers.items() if k.lower() == "pragma"), "")
    return "no-cache" in pragma.lower()


def cache_directives(value: str | None) -> dict[str, str | None]:
    """``Cache-Control`` as a dict of lower-case directives to their values (or ``None``)."""
    directives: dict[str, str | None] = {}
    if not value:
        return directives
    for part in value.split(","):
        name, sep, argument = part.strip().partition("=")
        if name:
            directives[name.lower()] = argument.strip().strip('"') if sep else None
    return directives


def freshness_lifetime(directives: dict[str, str | None], headers: Any) -> float:
    """Seconds an answer may be used without revalidation (0 when it must always be)."""
    if "no-cache" in directives:
        return 0.0
    try:
        max_age = int(directives.get("max-age") or 0)
    except ValueError:
        return 0.0
    if max_age <= 0:
        return 0.0
    try:
        age = int(headers.get("Age") or 0)
    except ValueError:
        age = 0
    return float(max(max_age - age, 0))


def _vary(value: str | None, request_headers: Mapping[str, str]) -> VaryKey | None:
    # None: "Vary: *", never reusable. Every name counts, Authorization and Cookie included:
    # request_view gave their values as keyed digests.
    if not value:
        return ()
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    if "*" in names:
        return None
    lowered = {name.lower(): value for name, value in request_headers.items()}
    return tuple((name, lowered.get(name, "")) for name in names)


def answer_locations(headers: Mapping[str, str], base: str) -> list[str]:
    """The URLs an unsafe request's answer names (``Location``, ``Content-Location``).

    One that is not a URL names no entry to drop, and is skipped: the server applied the
    request, which must not fail because of it.
    """
    urls: list[str] = []
    for name in ("Location", "Content-Location"):
        value = headers.get(name)
        if value:
            try:
                urls.append(resolve_url(base, value, what=f"{name} header"))
            except InvalidDocument:
                continue
    return urls
