"""The local SQLite mirror of a shop's orders: its file, its tables, and the writes of one page.

The file holds two tables:

- ``orders``: ``id`` (primary key), ``code``, ``status``, ``updated_on`` and ``document`` (the
  order's JSON as served);
- ``sync_state``: one row, the mirror's own state: the format, the shop (its id and ``self``
  URL) and the filters it mirrors, the high-water mark (the ``updated_on`` up to which every
  matching order was read), and whether the last run finished.

Every page of a sync is written in one transaction with its mark, in WAL mode: whenever a run
stops (an error, Ctrl-C, ``kill -9``), the file holds whole pages and a mark that they cover.
The file is created readable by its owner alone (0600): orders hold names, emails, addresses.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._exceptions import HALNavError
from .._redact import redact_url

__all__ = ["FORMAT", "Mirror", "MirrorError", "MirrorState", "PageCounts", "read_mirror"]

#: The version of the file's layout; a file of another version is refused, not rewritten.
FORMAT = 1
# How long a write waits for another process holding the file (another sync of it).
_BUSY_SECONDS = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY,
    code TEXT,
    status TEXT,
    updated_on TEXT,
    document TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_updated_on ON orders (updated_on);
CREATE TABLE IF NOT EXISTS sync_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    format INTEGER NOT NULL,
    shop_id TEXT NOT NULL,
    shop_url TEXT NOT NULL,
    filters TEXT NOT NULL,
    mark TEXT,
    complete INTEGER NOT NULL DEFAULT 0
);
"""


class MirrorError(HALNavError):
    """The mirror file cannot be used for this sync (not a mirror, another shop's or other
    filters', a newer format, not writable); raised before any request."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        #: The file.
        self.path = path


@dataclass(frozen=True)
class MirrorState:
    """What a mirror says of itself."""

    shop_id: str
    shop_url: str
    #: The filters it mirrors (their query text, by Python name).
    filters: dict[str, str]
    #: Every matching order updated before this (as the server writes ``updated_on``) was read;
    #: ``None`` before the first page.
    mark: str | None
    #: Whether the last run reached the end.
    complete: bool


@dataclass(frozen=True)
class PageCounts:
    """What writing one page did."""

    inserted: int
    updated: int
    unchanged: int


class Mirror:
    """An open mirror file (:func:`Mirror.open`); close it with :meth:`close`."""

    def __init__(self, path: str, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Mirror:
        """Open the mirror at ``path``, creating it (0600) if there is none; a file that is no
        mirror, or one that cannot be written, raises :class:`MirrorError`."""
        shown = os.fspath(path)
        file = Path(shown)
        if file.is_dir():
            raise MirrorError(f"{shown} is a directory, not a mirror file", path=shown)
        folder = file.parent
        if not folder.is_dir():
            raise MirrorError(
                f"cannot create the mirror {shown}: the folder {folder} does not exist", path=shown
            )
        # The journal (-wal, -shm) is made beside the file: the folder must take new files.
        if not os.access(folder, os.W_OK | os.X_OK):
            raise MirrorError(
                f"cannot write the mirror {shown}: the folder {folder} is read-only for you "
                "(SQLite writes its journal beside the file)",
                path=shown,
            )
        if file.exists():
            if not os.access(file, os.R_OK | os.W_OK):
                raise MirrorError(f"cannot write the mirror {shown}: it is read-only", path=shown)
        else:
            _create_private(file)
        try:
            conn = sqlite3.connect(shown, timeout=_BUSY_SECONDS, isolation_level=None)
        except sqlite3.Error as exc:
            raise MirrorError(f"cannot open the mirror {shown}: {exc}", path=shown) from exc
        mirror = cls(shown, conn)
        try:
            mirror._prepare()
        except BaseException:
            conn.close()
            raise
        return mirror

    def _prepare(self) -> None:
        conn = self._conn
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if tables and "sync_state" not in tables:
                raise MirrorError(
                    f"{self.path} is an SQLite database but not a halnav orders mirror (it has "
                    f"no sync_state table; tables: {', '.join(sorted(tables))}); give another "
                    "file",
                    path=self.path,
                )
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("BEGIN IMMEDIATE")  # fails now, not mid-sync, if it cannot be written
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if conn.in_transaction:
                conn.rollback()
            raise MirrorError(
                f"cannot use {self.path} as a mirror: {exc} (is it an SQLite file, and writable?)",
                path=self.path,
            ) from exc
        row = conn.execute("SELECT format FROM sync_state").fetchone()
        if row is not None and row[0] != FORMAT:
            raise MirrorError(
                f"{self.path} is a mirror of format {row[0]}; this halnav writes format "
                f"{FORMAT}: sync to a new file",
                path=self.path,
            )

    def state(self) -> MirrorState | None:
        """The mirror's state; ``None`` for a new mirror (no sync started)."""
        row = self._conn.execute(
            "SELECT shop_id, shop_url, filters, mark, complete FROM sync_state"
        ).fetchone()
        if row is None:
            return None
        filters = json.loads(row[2])
        return MirrorState(str(row[0]), str(row[1]), dict(filters), row[3], bool(row[4]))

    def check(self, shop_id: str, shop_url: str, filters: Mapping[str, str]) -> MirrorState | None:
        """The state, when it is the mirror of this shop and these filters; else
        :class:`MirrorError` naming what differs."""
        state = self.state()
        if state is None:
            return None
        if state.shop_id != shop_id or state.shop_url != shop_url:
            raise MirrorError(
                f"{self.path} mirrors the orders of shop {state.shop_id} at "
                f"{redact_url(state.shop_url)}, not of shop {shop_id} at "
                f"{redact_url(shop_url)}: give another file",
                path=self.path,
            )
        if state.filters != dict(filters):
            raise MirrorError(
                f"{self.path} mirrors the orders matching {_shown(state.filters)}, not "
                f"{_shown(filters)}: a mirror keeps one set of filters (give those, or "
                "another file)",
                path=self.path,
            )
        return state

    def begin(self, shop_id: str, shop_url: str, filters: Mapping[str, str]) -> None:
        """Record the shop and filters of a new mirror (a mirror that has them keeps them),
        and that a run is under way."""
        encoded = json.dumps(dict(filters), sort_keys=True)
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO sync_state (id, format, shop_id, shop_url, filters, mark, complete)"
                " VALUES (1, ?, ?, ?, ?, NULL, 0)"
                " ON CONFLICT (id) DO UPDATE SET complete = 0",
                (FORMAT, shop_id, shop_url, encoded),
            )

    def write_page(
        self, orders: Sequence[tuple[int, Mapping[str, Any]]], mark: str | None
    ) -> PageCounts:
        """Upsert ``orders`` (ids and documents) and move the mark to ``mark``, in one
        transaction; what it inserted, updated and left unchanged."""
        inserted = updated = unchanged = 0
        with self._transaction() as conn:
            stored = _stored(conn, [ident for ident, _ in orders])
            for ident, document in orders:
                text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
                before = stored.get(ident)
                if before is None:
                    inserted += 1
                elif before == text or json.loads(before) == document:
                    unchanged += 1
                    continue
                else:
                    updated += 1
                conn.execute(
                    "INSERT INTO orders (id, code, status, updated_on, document)"
                    " VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET code = excluded.code,"
                    " status = excluded.status, updated_on = excluded.updated_on,"
                    " document = excluded.document",
                    (
                        ident,
                        _text(document.get("code")),
                        _text(document.get("status")),
                        _text(document.get("updated_on")),
                        text,
                    ),
                )
            if mark is not None:
                conn.execute("UPDATE sync_state SET mark = ?", (mark,))
        return PageCounts(inserted, updated, unchanged)

    def finish(self) -> None:
        """Record that the run reached the end."""
        with self._transaction() as conn:
            conn.execute("UPDATE sync_state SET complete = 1")

    def count(self) -> int:
        """Orders in the mirror."""
        return int(self._conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0])

    def close(self) -> None:
        """Close the file."""
        self._conn.close()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn)

    def __enter__(self) -> Mirror:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on any exception)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self._conn.execute("BEGIN IMMEDIATE")
        return self._conn

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:
            self._conn.execute("COMMIT")
        else:
            self._conn.execute("ROLLBACK")


def read_mirror(path: str | os.PathLike[str]) -> MirrorState | None:
    """What the mirror at ``path`` says of itself (its shop, filters, mark), read without
    writing anything; ``None`` when there is no file, or a mirror no sync has begun.
    A file that is no mirror raises :class:`MirrorError`."""
    shown = os.fspath(path)
    if not Path(shown).is_file() or Path(shown).stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(f"{Path(shown).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise MirrorError(f"cannot read the mirror {shown}: {exc}", path=shown) from exc
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if "sync_state" not in tables:
            if not tables:
                return None
            raise MirrorError(
                f"{shown} is an SQLite database but not a halnav orders mirror (it has no "
                f"sync_state table; tables: {', '.join(sorted(tables))}); give another file",
                path=shown,
            )
        return Mirror(shown, conn).state()
    except sqlite3.DatabaseError as exc:
        raise MirrorError(f"cannot use {shown} as a mirror: {exc}", path=shown) from exc
    finally:
        conn.close()


def _create_private(file: Path) -> None:
    """Create ``file`` empty, readable and writable by its owner alone."""
    try:
        descriptor = os.open(
            file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR
        )
    except FileExistsError:
        return
    except OSError as exc:
        raise MirrorError(
            f"cannot create the mirror {file}: {exc.strerror}", path=str(file)
        ) from exc
    os.close(descriptor)


def _stored(conn: sqlite3.Connection, ids: Sequence[object]) -> dict[object, str]:
    found: dict[object, str] = {}
    # SQLite takes at least 999 parameters a statement; a page holds at most a few hundred.
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(f"SELECT id, document FROM orders WHERE id IN ({marks})", chunk)
        found.update({row[0]: row[1] for row in rows})
    return found


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _shown(filters: Mapping[str, str]) -> str:
    if not filters:
        return "no filters (every order)"
    return ", ".join(f"{name}={value}" for name, value in sorted(filters.items()))
