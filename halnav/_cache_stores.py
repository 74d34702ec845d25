"""Where the HTTP cache keeps answers: :class:`MemoryCache` and :class:`DiskCache`.

A store keeps :class:`CacheEntry` objects (validators, headers, and the decoded
:class:`~halnav._representation.Representation`) under a key, within its bounds, and counts what
happens in its :class:`CacheStats`. What may be kept, for how long, and what a 304 means is
decided by :mod:`._cache_rules`; a store only keeps.

:class:`MemoryCache` (the default) is bounded by entries and by body bytes, least recently used
first out. :class:`DiskCache` is an SQLite file, for scripts run again and again, with a small
memory store in front so that one process never decodes a body twice.

Entries are kept per credentials: their keys hold a keyed digest of the credentials a request
sent (:meth:`MemoryCache.scope_of`: HMAC-SHA256 under the store's own random key), never the
credentials. A :class:`DiskCache` keeps its key in a file beside its own (``<file>.key``), both
readable by their owner only, so that the next run finds its entries and nobody else can test a
guessed token against the file's keys.
"""

from __future__ import annotations

import hashlib
import hmac
import json as _stdlib_json
import os
import secrets
import sqlite3
import stat
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TypeAlias

from requests.structures import CaseInsensitiveDict

from ._representation import Representation, is_json, make_representation

__all__ = [
    "MEMORY_PER_BODY_BYTE",
    "CacheEntry",
    "CacheOption",
    "CacheStats",
    "DiskCache",
    "MemoryCache",
    "entry_key",
    "make_cache",
]

#: Memory a kept answer takes per byte of its body: the raw body plus the parsed JSON (measured
#: at 4.2 bytes per body byte for Bootic order pages, with orjson and with the standard library).
MEMORY_PER_BODY_BYTE = 5

#: A ``Vary`` selection: (lower-case request header name, the value it had) pairs.
VaryKey: TypeAlias = tuple[tuple[str, str], ...]


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
    """One stored answer: its validators, headers, and its decoded representation."""

    __slots__ = (
        "key",
        "url",
        "vary",
        "etag",
        "last_modified",
        "headers",
        "representation",
        "expires_at",
        "size",
    )

    def __init__(
        self,
        key: str,
        url: str,
        vary: VaryKey,
        etag: str | None,
        last_modified: str | None,
        headers: Mapping[str, str],
        representation: Representation,
        expires_at: float,
    ) -> None:
        self.key = key
        self.url = url
        self.vary = vary
        self.etag = etag
        self.last_modified = last_modified
        self.headers = headers
        self.representation = representation
        self.expires_at = expires_at
        self.size = len(representation.content) * MEMORY_PER_BODY_BYTE

    @property
    def content(self) -> bytes:
        """The raw body."""
        return self.representation.content

    @property
    def content_type(self) -> str | None:
        """The body's media type."""
        return self.representation.content_type

    def is_fresh(self, now: float | None = None) -> bool:
        """Whether the entry may be used without asking the server."""
        return self.expires_at > (time.time() if now is None else now)

    def validators(self) -> dict[str, str]:
        """The conditional headers that revalidate this entry."""
        headers: dict[str, str] = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def matches(self, request_headers: Mapping[str, str]) -> bool:
        """Whether a request with ``request_headers`` selects this entry (its ``Vary``)."""
        if not self.vary:
            return True
        lowered = {name.lower(): value for name, value in request_headers.items()}
        return all(lowered.get(name, "") == value for name, value in self.vary)


def entry_key(scope: str, url: str) -> str:
    """The key of the entry for ``url`` under a credential ``scope`` (``""``: none)."""
    return f"{scope} {url}" if scope else url


class MemoryCache:
    """A bounded in-memory store of decoded answers, least recently used first out.

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
        self._scope_key = secrets.token_bytes(32)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """The memory the entries take, as counted against ``max_bytes``."""
        return self._size

    def scope_of(self, material: str) -> str:
        """A keyed digest of ``material`` (credentials as a request sent them): what entry keys
        and ``Vary`` selections hold in their place. HMAC-SHA256 under this store's random key
        (a :class:`DiskCache` keeps its key in a file beside its own), so it names the
        credentials without revealing them, and cannot be checked against a guess elsewhere."""
        return hmac.new(self._scope_key, material.encode(), hashlib.sha256).hexdigest()[:40]

    def count(self, **increments: int) -> None:
        """Add to the :attr:`stats` counters named (thread-safe): ``count(misses=1)``."""
        stats = self.stats
        with self._lock:
            for name, value in increments.items():
                setattr(stats, name, getattr(stats, name) + value)

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

    def updated(self, entry: CacheEntry) -> None:
        """``entry``'s headers, validators or expiry were changed in place (by a 304): a store
        that keeps a copy elsewhere writes them there. Nothing to do in memory."""

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

    def holds(self, body_size: int, count: int) -> bool:
        """Whether ``count`` answers of ``body_size`` bytes fit in the store at once."""
        return (
            count <= self.max_entries and body_size * MEMORY_PER_BODY_BYTE * count <= self.max_bytes
        )

    def lookup(self, scope: str, url: str, request_headers: Mapping[str, str]) -> CacheEntry | None:
        """The usable entry for a GET of ``url``, or ``None`` (counted as a miss).

        Whether the entry is fresh is the caller's to decide (``entry.is_fresh()``), once.
        """
        entry = self.get(entry_key(scope, url))
        with self._lock:
            self.stats.lookups += 1
            if entry is None or not entry.matches(request_headers):
                self.stats.misses += 1
                return None
        return entry

    def invalidate(self, scope: str, *urls: str) -> int:
        """Drop the entries of ``urls``; how many there were."""
        dropped = sum(self.delete(entry_key(scope, url)) for url in urls if url)
        if dropped:
            self.count(invalidated=dropped)
        return dropped

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {len(self)} entries, {self._size} of {self.max_bytes} bytes>"
        )


class DiskCache(MemoryCache):
    """An SQLite file of answers (validators, headers, raw body) that outlives the process.

    A :class:`MemoryCache` of ``memory_entries`` decoded answers sits in front of it, so a body
    read from disk is decoded once per process. It is decoded when its entry is looked up: a
    stored body that no longer decodes is dropped and counted as a miss (the price: a stored
    body the revalidation then replaces was decoded for nothing). A 304's merged headers and new
    expiry are written back to the file.

    ``max_bytes`` bounds the file's bodies; the oldest entries go first, down to
    :data:`TRIM_TO` of it, so that a store at its bound does not trim on every answer kept. The
    bodies' total is counted as entries come and go (and counted again from the file before
    trimming, which sees what other processes sharing the file stored). Keys include the
    client's credential scope (a keyed digest, never the credential).

    What the file holds, in clear: for each entry its URL, the answer's headers (less
    ``Set-Cookie``), validators and raw body, private answers included; the request headers its
    ``Vary`` names (credential headers as keyed digests). It is created readable and writable by
    its owner only (0600, and so are SQLite's ``-wal``/``-shm`` files beside it; an existing one
    is narrowed to that), and a folder halnav creates for it is 0700. The key of the digests is
    in ``<file>.key`` (0600).
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
        given: str = os.fspath(path)
        #: The SQLite file (a leading ``~`` expanded).
        self.path: str = os.path.expanduser(given)
        self.max_disk_bytes = max_bytes
        self._db_lock = threading.Lock()
        _private_file(self.path)
        self._scope_key = _file_key(self.path + ".key")
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
            self.count(bodies_decoded=1)
        try:
            stored_headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(
                _stdlib_json.loads(headers)
            )
            entry = CacheEntry(
                key,
                url,
                tuple((str(name), str(value)) for name, value in _stdlib_json.loads(vary)),
                etag,
                last_modified,
                stored_headers,
                # The same decoding as an answer's.
                make_representation(
                    body,
                    url=url,
                    status_code=200,
                    headers=stored_headers,
                    content_type=content_type,
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
            _stored_headers(entry.headers),
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
            self.count(evicted=evicted)

    def updated(self, entry: CacheEntry) -> None:
        """Write a revalidated entry's merged headers and expiry back to the file: the next run
        sends the 304's validators and honours its ``max-age``."""
        with self._db_lock:
            self._db.execute(
                "UPDATE entries SET headers = ?, etag = ?, last_modified = ?, expires_at = ?"
                " WHERE key = ?",
                (
                    _stored_headers(entry.headers),
                    entry.etag,
                    entry.last_modified,
                    entry.expires_at,
                    entry.key,
                ),
            )

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

    def __repr__(self) -> str:
        return f"<DiskCache {self.path}>"


def _stored_headers(headers: Mapping[str, str]) -> str:
    # A cookie the server set is a credential: not written down.
    return _stdlib_json.dumps({k: v for k, v in headers.items() if k.lower() != "set-cookie"})


def _private_file(path: str) -> None:
    """Make sure ``path`` exists readable by its owner only (its missing folders 0700), and
    narrow an existing one (and SQLite's files beside it) to that."""
    if path == ":memory:" or path.startswith("file:"):
        return
    folder = os.path.dirname(os.path.abspath(path))
    missing: list[str] = []
    while not os.path.isdir(folder):
        missing.append(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    for made in reversed(missing):
        try:
            os.mkdir(made, 0o700)
        except FileExistsError:
            continue
        os.chmod(made, 0o700)  # whatever the umask
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for name in (path, path + "-wal", path + "-shm", path + "-journal"):
        _narrow(name)


def _narrow(path: str) -> None:
    """An existing file of ours that others may read becomes the owner's only."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return
    getuid = getattr(os, "getuid", None)
    if status.st_mode & 0o077 and (getuid is None or status.st_uid == getuid()):
        os.chmod(path, stat.S_IMODE(status.st_mode) & 0o700)


def _file_key(path: str) -> bytes:
    """The 32-byte key kept in ``path`` (made, 0600, if there is none): another process
    making it at the same time is waited for, a damaged one replaced."""
    for _ in range(100):
        try:
            with open(path, "rb") as file:
                text = file.read().strip()
        except FileNotFoundError:
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            key = secrets.token_bytes(32)
            with os.fdopen(descriptor, "wb") as file:
                file.write(key.hex().encode())
            return key
        if len(text) == 64:
            try:
                key = bytes.fromhex(text.decode("ascii"))
            except ValueError:
                break
            _narrow(path)
            return key
        time.sleep(0.01)  # being written by another process
    key = secrets.token_bytes(32)
    temporary = f"{path}.{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key.hex().encode())
    os.replace(temporary, path)
    return key


#: What ``Client(cache=...)`` takes: ``True`` (memory), ``False``/``None`` (none), a file path
#: (a :class:`DiskCache`) or a store.
CacheOption: TypeAlias = "bool | str | os.PathLike[str] | MemoryCache | None"


def make_cache(cache: CacheOption) -> MemoryCache | None:
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
