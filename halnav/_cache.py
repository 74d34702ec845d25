"""The client's private HTTP cache: validators kept per URL, a 304 answered with the parsed resource.

Every cached answer keeps its ``ETag`` and ``Last-Modified``; the next GET of the same URL sends
``If-None-Match``/``If-Modified-Since``, and a ``304 Not Modified`` gives back the resource already
parsed, with the new headers merged, without decoding any body. An answer that says
``max-age=N`` (and not ``no-cache``) is served without a request for N seconds; the Bootic answers
say ``must-revalidate, private, max-age=0``, so every GET there is revalidated. ``no-store``
answers, error answers and redirected ones are not kept. A POST, PUT, PATCH or DELETE drops its
URL and the URLs in its answer's ``Location`` and ``Content-Location``.

Two stores: :class:`MemoryCache` (the default; bounded by entries and by body bytes, least
recently used first out) and :class:`DiskCache` (SQLite, for scripts run again and again, with a
small memory store in front so that one process never decodes a body twice).
"""

from __future__ import annotations

import hashlib
import itertools
import json as _stdlib_json
import os
import secrets
import sqlite3
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from requests.structures import CaseInsensitiveDict

from ._exceptions import InvalidDocument
from ._link import resolve_url
from ._response import is_json, make_resource, resource_from_response

if TYPE_CHECKING:
    import requests

    from ._client import Client
    from ._link import Link
    from ._resource import Resource

__all__ = [
    "MEMORY_PER_BODY_BYTE",
    "CacheEntry",
    "CacheStats",
    "DiskCache",
    "MemoryCache",
    "cache_key_url",
    "credential_scope",
    "make_cache",
    "may_store",
    "not_stored",
]

#: The methods whose answers may change what a GET of the same URL gives.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Memory a kept answer takes per byte of its body: the raw body plus the parsed JSON (measured
#: at 4.2 bytes per body byte for Bootic order pages, with orjson and with the standard library).
MEMORY_PER_BODY_BYTE = 5
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
def not_stored(active: bool = True) -> Iterator[None]:
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


@dataclass
class CacheStats:
    """Counters of one cache, read by tests and benchmarks (reset with :meth:`reset`)."""

    #: GETs that looked in the cache.
    lookups: int = 0
    #: GETs answered from a fresh entry without any request (``max-age`` > 0).
    fresh_hits: int = 0
    #: GETs revalidated with ``304 Not Modified``: the stored resource was given back.
    not_modified: int = 0
    #: GETs that found no usable entry and were sent without validators.
    misses: int = 0
    #: Answers kept.
    stored: int = 0
    #: Entries dropped by unsafe methods or error answers.
    invalidated: int = 0
    #: Entries dropped to stay within the bounds.
    evicted: int = 0
    #: Bytes of bodies received, over every answer the client got (a 304 has none).
    bytes_received: int = 0
    #: JSON bodies decoded (a 304 decodes none).
    bodies_decoded: int = 0

    @property
    def hits(self) -> int:
        """Answers that reused a stored resource: fresh hits plus 304s."""
        return self.fresh_hits + self.not_modified

    def reset(self) -> None:
        """Set every counter back to zero."""
        for name in asdict(self):
            setattr(self, name, 0)

    def snapshot(self) -> dict[str, int]:
        """The counters as a plain dict."""
        return {**asdict(self), "hits": self.hits}


class CacheEntry:
    """One stored answer: its validators, headers, and the parsed resource (or raw body)."""

    __slots__ = (
        "key",
        "url",
        "vary",
        "etag",
        "last_modified",
        "headers",
        "content_type",
        "content",
        "resource",
        "expires_at",
        "size",
    )

    def __init__(
        self,
        key: str,
        url: str,
        vary: tuple[tuple[str, str], ...],
        etag: str | None,
        last_modified: str | None,
        headers: Any,
        content_type: str | None,
        content: bytes,
        resource: Resource | None,
        expires_at: float,
    ) -> None:
        self.key = key
        self.url = url
        self.vary = vary
        self.etag = etag
        self.last_modified = last_modified
        self.headers = headers
        self.content_type = content_type
        self.content = content
        self.resource = resource
        self.expires_at = expires_at
        self.size = len(content) * (MEMORY_PER_BODY_BYTE if resource is not None else 1)

    def is_fresh(self, now: float | None = None) -> bool:
        """Whether the entry may be used without asking the server."""
        return self.expires_at > (time.time() if now is None else now)

    def validators(self) -> dict[str, str]:
        """The conditional headers that revalidate this entry."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def matches(self, request_headers: dict[str, str]) -> bool:
        """Whether a request with ``request_headers`` selects this entry (its ``Vary``)."""
        if not self.vary:
            return True
        lowered = _lower_keys(request_headers)
        return all(lowered.get(name, "") == value for name, value in self.vary)


class MemoryCache:
    """A bounded in-memory store of parsed resources, least recently used first out.

    ``max_entries`` bounds the number of URLs, ``max_bytes`` the memory the entries take, counted
    as :data:`MEMORY_PER_BODY_BYTE` (5) times each body's size: the raw body and its parsed JSON.
    The default, 8 MiB, holds some 500 single orders (3 kB each) or a dozen pages of 50 orders
    (150 kB each): a session's resources, not a whole large collection, which would cost memory
    and garbage-collector time on every walk. To re-walk a collection answered by 304s alone,
    give a store that holds it (``MemoryCache(max_bytes=256 * 2**20)`` for 290 such pages).
    Thread-safe.
    """

    def __init__(self, max_entries: int = 4096, max_bytes: int = 8 * 2**20) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("max_entries and max_bytes must be at least 1")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.stats = CacheStats()
        self._entries: OrderedDict[str, CacheEntry] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    # -- the store -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """The memory the entries take, as counted against ``max_bytes``."""
        return self._size

    def get(self, key: str) -> CacheEntry | None:
        """The entry stored under ``key``, marked as recently used."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, entry: CacheEntry) -> None:
        """Store ``entry`` (replacing any for the same key), evicting the least recently used."""
        with self._lock:
            old = self._entries.pop(entry.key, None)
            if old is not None:
                self._size -= old.size
            if entry.size > self.max_bytes:
                return
            self._entries[entry.key] = entry
            self._size += entry.size
            while len(self._entries) > self.max_entries or self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= evicted.size
                self.stats.evicted += 1

    def delete(self, key: str) -> bool:
        """Drop the entry under ``key``; whether there was one."""
        with self._lock:
            entry = self._entries.pop(key, None)
            if entry is None:
                return False
            self._size -= entry.size
            return True

    def clear(self) -> None:
        """Drop every entry (the counters stay)."""
        with self._lock:
            self._entries.clear()
            self._size = 0

    def close(self) -> None:
        """Release what the store holds open (nothing for memory)."""

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {len(self)} entries, {self._size} of {self.max_bytes} bytes>"
        )

    # -- the HTTP rules, shared by every store ---------------------------------------------

    def holds(self, body_size: int, count: int) -> bool:
        """Whether ``count`` answers of ``body_size`` bytes fit in the store at once."""
        return (
            count <= self.max_entries and body_size * MEMORY_PER_BODY_BYTE * count <= self.max_bytes
        )

    def lookup(self, scope: str, url: str, request_headers: dict[str, str]) -> CacheEntry | None:
        """The usable entry for a GET of ``url``, or ``None`` (counted as a miss).

        Whether the entry is fresh is the caller's to decide (``entry.is_fresh()``), once: it
        then calls :meth:`fresh`, which counts the fresh hit, or revalidates.
        """
        entry = self.get(_key(scope, url))
        with self._lock:
            self.stats.lookups += 1
            if entry is None or not entry.matches(request_headers):
                self.stats.misses += 1
                return None
        return entry

    def answer(
        self,
        client: Client,
        method: str,
        scope: str,
        url: str,
        request_headers: dict[str, str],
        entry: CacheEntry | None,
        response: requests.Response,
        via: tuple[Link, dict[str, Any]] | None,
        keep: bool | None = None,
    ) -> Resource:
        """The resource for ``response``: the stored one on a 304, else a new one, kept if it may be.

        Unsafe methods invalidate their URL, ``Location`` and ``Content-Location`` first; HTTP
        errors are raised as :func:`resource_from_response` raises them. ``keep``: whether a new
        answer may be kept, as :func:`may_store` said where the request was sent (the default:
        as it says in this thread).
        """
        status = response.status_code
        headers = response.headers
        body = response.content or b""
        stats = self.stats
        with self._lock:
            stats.bytes_received += len(body)
        if method in UNSAFE_METHODS:
            self.invalidate(scope, url, *_locations(headers, response.url or url))
        elif status == 304 and entry is not None and method == "GET":
            with self._lock:
                stats.not_modified += 1
            return self.revalidated(client, entry, headers, via)
        if status >= 400 and method == "GET":
            self.invalidate(scope, url)
        if body and status != 304 and is_json(headers.get("Content-Type")):
            with self._lock:
                stats.bodies_decoded += 1
        resource = resource_from_response(response, client, method, via)
        if keep is None:
            keep = may_store()
        if method == "GET" and status == 200 and not response.history and keep:
            self.keep(scope, url, request_headers, resource)
        return resource

    def keep(
        self, scope: str, url: str, request_headers: dict[str, str], resource: Resource
    ) -> bool:
        """Store a 200 answer when it has a validator or a freshness lifetime; whether it did."""
        headers = resource.headers
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
            _key(scope, url),
            url,
            vary,
            etag,
            last_modified,
            headers,
            resource.content_type,
            resource.content,
            resource,
            time.time() + lifetime if lifetime > 0 else 0.0,
        )
        self.put(entry)
        with self._lock:
            self.stats.stored += 1
        return True

    def revalidated(
        self,
        client: Client,
        entry: CacheEntry,
        headers: Any,
        via: tuple[Link, dict[str, Any]] | None,
    ) -> Resource:
        """The stored resource again, with the 304's ``headers`` merged into the stored ones."""
        merged = CaseInsensitiveDict(entry.headers)
        for name, value in headers.items():
            if name.lower() not in _NOT_MERGED:
                merged[name] = value
        entry.headers = merged
        entry.etag = merged.get("ETag") or entry.etag
        entry.last_modified = merged.get("Last-Modified") or entry.last_modified
        lifetime = freshness_lifetime(cache_directives(merged.get("Cache-Control")), merged)
        entry.expires_at = time.time() + lifetime if lifetime > 0 else 0.0
        return self._reuse(client, entry, merged, via)

    def fresh(
        self, client: Client, entry: CacheEntry, via: tuple[Link, dict[str, Any]] | None
    ) -> Resource:
        """The stored resource of a fresh entry, for a GET answered without any request."""
        with self._lock:
            self.stats.fresh_hits += 1
        return self._reuse(client, entry, entry.headers, via)

    def invalidate(self, scope: str, *urls: str) -> int:
        """Drop the entries of ``urls``; how many there were."""
        dropped = sum(self.delete(_key(scope, url)) for url in urls if url)
        if dropped:
            with self._lock:
                self.stats.invalidated += dropped
        return dropped

    def _reuse(self, client: Client, entry: CacheEntry, headers: Any, via: Any) -> Resource:
        resource = entry.resource
        if resource is None:  # pragma: no cover - every store makes it
            raise RuntimeError("cache entry without a resource")
        if resource.client is client:
            # Made once, on the stored resource: every answer given from it shares its link and
            # embedded maps (and the relations they parsed), whoever parsed them first.
            for part in ("links", "embedded"):
                with suppress(InvalidDocument):
                    getattr(resource, part)
        return _copy_with(resource, client, headers, via)


class DiskCache(MemoryCache):
    """An SQLite file of answers (validators, headers, raw body) that outlives the process.

    A :class:`MemoryCache` of ``memory_entries`` parsed resources sits in front of it, so a body
    read from disk is decoded once per process. It is decoded when its entry is looked up: a
    stored body that no longer decodes is dropped and counted as a miss (the price: a stored
    body the revalidation then replaces was decoded for nothing). A 304's merged headers and new
    expiry are written back to the file.

    ``max_bytes`` bounds the file's bodies; the oldest entries go first, down to
    :data:`TRIM_TO` of it, so that a store at its bound does not trim on every answer kept. The
    bodies' total is counted as entries come and go (and counted again from the file before
    trimming, which sees what other processes sharing the file stored). Keys include the
    client's credential scope (a hash, never the credential).
    """

    #: The share of ``max_bytes`` a trim brings the file's bodies down to.
    TRIM_TO = 0.9

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        max_bytes: int = 512 * 2**20,
        memory_entries: int = 512,
        memory_bytes: int = 32 * 2**20,
    ) -> None:
        super().__init__(max_entries=memory_entries, max_bytes=memory_bytes)
        self.path = os.fspath(path)
        self.max_disk_bytes = max_bytes
        self._db_lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, url TEXT, vary TEXT,"
            " etag TEXT, last_modified TEXT, headers TEXT, content_type TEXT, body BLOB,"
            " expires_at REAL, stored_at REAL, size INTEGER)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS entries_stored_at ON entries (stored_at)")
        #: Bytes of bodies in the file, as this process counts them.
        self._disk_size = self._count_disk_size()

    def get(self, key: str) -> CacheEntry | None:
        entry = super().get(key)
        if entry is not None:
            return entry
        with self._db_lock:
            row = self._db.execute(
                "SELECT url, vary, etag, last_modified, headers, content_type, body, expires_at"
                " FROM entries WHERE key = ?",
                (key,),
            ).fetchone()
        if row is None:
            return None
        url, vary, etag, last_modified, headers, content_type, body, expires_at = row
        body = bytes(body or b"")
        if body and is_json(content_type):
            with self._lock:
                self.stats.bodies_decoded += 1
        try:
            stored_headers = CaseInsensitiveDict(_stdlib_json.loads(headers))
            entry = CacheEntry(
                key,
                url,
                tuple(tuple(pair) for pair in _stdlib_json.loads(vary)),
                etag,
                last_modified,
                stored_headers,
                content_type,
                body,
                # The same factory as an answer's; the client is set when the entry is reused.
                make_resource(
                    body,
                    url=url,
                    status_code=200,
                    headers=stored_headers,
                    content_type=content_type,
                    client=None,
                ),
                expires_at,
            )
        except (ValueError, TypeError):  # InvalidDocument is a ValueError
            # A body (or headers) that no longer decodes, the file damaged: a miss, and gone.
            self.delete(key)
            return None
        MemoryCache.put(self, entry)
        return entry

    def put(self, entry: CacheEntry) -> None:
        super().put(entry)
        row = (
            entry.key,
            entry.url,
            _stdlib_json.dumps(entry.vary),
            entry.etag,
            entry.last_modified,
            _stdlib_json.dumps(dict(entry.headers)),
            entry.content_type,
            entry.content,
            entry.expires_at,
            time.time(),
            len(entry.content),
        )
        evicted = 0
        with self._db_lock:
            replaced = self._db.execute(
                "SELECT size FROM entries WHERE key = ?", (entry.key,)
            ).fetchone()
            self._db.execute("INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)
            self._disk_size += len(entry.content) - (replaced[0] if replaced else 0)
            if self._disk_size > self.max_disk_bytes:
                evicted = self._trim()
        if evicted:
            with self._lock:
                self.stats.evicted += evicted

    def revalidated(
        self,
        client: Client,
        entry: CacheEntry,
        headers: Any,
        via: tuple[Link, dict[str, Any]] | None,
    ) -> Resource:
        """As :meth:`MemoryCache.revalidated`, and the merged headers and expiry are written back
        to the file: the next run sends the 304's validators and honours its ``max-age``."""
        resource = super().revalidated(client, entry, headers, via)
        with self._db_lock:
            self._db.execute(
                "UPDATE entries SET headers = ?, etag = ?, last_modified = ?, expires_at = ?"
                " WHERE key = ?",
                (
                    _stdlib_json.dumps(dict(entry.headers)),
                    entry.etag,
                    entry.last_modified,
                    entry.expires_at,
                    entry.key,
                ),
            )
        return resource

    def holds(self, body_size: int, count: int) -> bool:
        """Whether ``count`` answers of ``body_size`` bytes fit in the file at once."""
        return body_size * count <= self.max_disk_bytes

    def _count_disk_size(self) -> int:
        (total,) = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM entries").fetchone()
        return int(total)

    def _trim(self) -> int:
        """Drop the oldest entries until the bodies take at most TRIM_TO of ``max_bytes``; how
        many were dropped. Called with ``_db_lock`` held."""
        total = self._count_disk_size()  # once per trim: other processes may share the file
        target = int(self.max_disk_bytes * self.TRIM_TO)
        evicted = 0
        while total > target:
            rows = self._db.execute(
                "SELECT key, size FROM entries ORDER BY stored_at LIMIT 64"
            ).fetchall()
            if not rows:
                break
            for key, size in rows:
                if total <= target:
                    break
                self._db.execute("DELETE FROM entries WHERE key = ?", (key,))
                total -= size
                evicted += 1
        self._disk_size = total
        return evicted

    def delete(self, key: str) -> bool:
        in_memory = super().delete(key)
        with self._db_lock:
            row = self._db.execute("SELECT size FROM entries WHERE key = ?", (key,)).fetchone()
            if row is not None:
                self._db.execute("DELETE FROM entries WHERE key = ?", (key,))
                self._disk_size -= row[0]
        return in_memory or row is not None

    def clear(self) -> None:
        super().clear()
        with self._db_lock:
            self._db.execute("DELETE FROM entries")
            self._disk_size = 0

    def __len__(self) -> int:
        with self._db_lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM entries").fetchone()
        return int(count)

    def close(self) -> None:
        """Close the SQLite file."""
        with self._db_lock:
            self._db.close()

    def _reuse(self, client: Client, entry: CacheEntry, headers: Any, via: Any) -> Resource:
        resource = entry.resource
        if resource is not None and resource.client is None:
            # Read from the file without a client: the first client to reuse it keeps its link
            # and embedded maps, as for an entry it stored itself.
            entry.resource = _copy_with(resource, client, entry.headers, None)
        return super()._reuse(client, entry, headers, via)

    def __repr__(self) -> str:
        return f"<DiskCache {self.path}>"


def make_cache(cache: Any) -> MemoryCache | None:
    """The store for ``Client(cache=...)``: True for memory, False/None for none, a path for disk."""
    if cache is True:
        return MemoryCache()
    if cache is False or cache is None:
        return None
    if isinstance(cache, MemoryCache):
        return cache
    if isinstance(cache, (str, os.PathLike)):
        return DiskCache(cache)
    raise TypeError(
        f"cache= takes True, False, a file path or a MemoryCache/DiskCache, got {cache!r}"
    )


def cache_key_url(url: str, params: Any = None) -> str:
    """The URL a request for ``url`` with query ``params`` goes to: the key of its entry."""
    if not params:
        return url
    from requests.models import PreparedRequest

    prepared = PreparedRequest()
    prepared.prepare_url(url, params)
    return prepared.url or url


def credential_scope(auth: Any) -> str:
    """A stable, non-secret name for the credentials ``auth`` sends (part of every cache key).

    A hash of the auth's type and: a bearer token; else the auth's own ``cache_scope``
    attribute (give one to an auth of yours: a non-secret name for its credentials, such as
    an account name); else an OAuth client's ``client_id`` (and ``scope``), which outlive its
    renewed access tokens; else a ``username``; else the auth object itself. Two objects of
    such an auth never share entries, even when one was made after the other was freed at the
    same address, and its entries in a :class:`DiskCache` are not found by the next run.
    """
    if auth is None:
        return ""
    from ._auth import BearerToken

    inner = getattr(auth, "inner", auth)
    name = f"{type(inner).__module__}.{type(inner).__qualname__}"
    if isinstance(inner, BearerToken):
        identity: Any = inner._token
    else:
        identity = getattr(inner, "cache_scope", None)
        if identity is None and getattr(inner, "client_id", None) is not None:
            identity = f"{inner.client_id} {getattr(inner, 'scope', '')}"
        if identity is None:
            identity = getattr(inner, "username", None)
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


def _key(scope: str, url: str) -> str:
    return f"{scope} {url}" if scope else url


def _lower_keys(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _vary(value: str | None, request_headers: dict[str, str]) -> tuple[tuple[str, str], ...] | None:
    # None: "Vary: *", never reusable. Authorization is left out: the cache key has its scope.
    if not value:
        return ()
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    if "*" in names:
        return None
    lowered = _lower_keys(request_headers)
    return tuple((name, lowered.get(name, "")) for name in names if name != "authorization")


def _locations(headers: Any, base: str) -> list[str]:
    # The URLs an unsafe request's answer names. One that is not a URL names no entry to drop,
    # and is skipped: the server applied the request, which must not fail because of it.
    urls = []
    for name in ("Location", "Content-Location"):
        value = headers.get(name)
        if value:
            try:
                urls.append(resolve_url(base, value, what=f"{name} header"))
            except InvalidDocument:
                continue
    return urls


def _copy_with(resource: Resource, client: Client, headers: Any, via: Any) -> Resource:
    # The document and its already parsed links and embedded maps are shared, never copied.
    from ._resource import Resource

    other = Resource.__new__(type(resource))
    for slot in Resource.__slots__:
        object.__setattr__(other, slot, getattr(resource, slot))
    if resource._client is not client:
        # Embedded resources made earlier follow links through their own client: make anew.
        other._links = other._embedded = None
    other._client = client
    other._headers = headers
    other.via = via
    return other
