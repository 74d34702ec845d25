"""SQLite storage: the schema, one shared connection behind a lock, and cheap fresh copies.

A sandbox owns one ``sqlite3`` connection (opened with ``check_same_thread=False``) that every request
thread uses under :attr:`Database.lock`. An in-memory database is seeded once per ``(orders, seed)``
into a template kept for the life of the process and copied with ``Connection.backup()`` for each new
sandbox, so that tests get fresh data for the price of a memory copy. A file database is seeded only
when the file is new, so its state survives a restart.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Generator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeGuard

from ._options import check_orders
from ._seed import populate

SCHEMA_VERSION = "2"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users (
    id INTEGER PRIMARY KEY, user_name TEXT NOT NULL UNIQUE, email TEXT NOT NULL, uid TEXT NOT NULL,
    role TEXT NOT NULL, provider TEXT NOT NULL, last_logged_on TEXT NOT NULL,
    password TEXT NOT NULL
);
CREATE TABLE shops (
    id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), name TEXT NOT NULL,
    subdomain TEXT NOT NULL, url TEXT NOT NULL, currency_code TEXT NOT NULL, locale TEXT NOT NULL,
    description TEXT NOT NULL, contact_email TEXT NOT NULL, created_on TEXT NOT NULL
);
CREATE TABLE products (
    id INTEGER PRIMARY KEY, shop_id INTEGER NOT NULL, title TEXT NOT NULL, slug TEXT NOT NULL,
    price INTEGER NOT NULL, weight_in_grams INTEGER NOT NULL, image_id INTEGER NOT NULL,
    image_file TEXT NOT NULL, UNIQUE (shop_id, slug)
);
CREATE TABLE variants (
    id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL REFERENCES products(id),
    shop_id INTEGER NOT NULL, title TEXT NOT NULL, sku TEXT NOT NULL
);
CREATE TABLE promotions (
    id INTEGER PRIMARY KEY, shop_id INTEGER NOT NULL, name TEXT NOT NULL, discount INTEGER NOT NULL,
    discount_type TEXT NOT NULL, free_shipping INTEGER NOT NULL, description TEXT NOT NULL
);
-- search: casefolded "name NUL email", so that q is one instr() per row.
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY, shop_id INTEGER NOT NULL, name TEXT, email TEXT NOT NULL,
    email_key TEXT NOT NULL, phone_number TEXT, rut TEXT, search TEXT NOT NULL,
    UNIQUE (shop_id, email_key)
);
CREATE TABLE addresses (
    id INTEGER PRIMARY KEY, shop_id INTEGER NOT NULL, street TEXT, street_2 TEXT,
    locality_name TEXT, region_name TEXT, country_name TEXT, postal_code TEXT, country_code TEXT,
    lat REAL, lng REAL
);
-- search: casefolded "code NUL product titles". tags: comma-separated, sorted, no spaces.
CREATE TABLE orders (
    id INTEGER PRIMARY KEY, shop_id INTEGER NOT NULL, code TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL, contact_id INTEGER, address_id INTEGER, promotion_id INTEGER,
    net_total INTEGER NOT NULL, shipping_total INTEGER NOT NULL, discount_total INTEGER NOT NULL,
    total INTEGER NOT NULL, created_on TEXT NOT NULL, updated_on TEXT NOT NULL, pending_on TEXT,
    closed_on TEXT, shipped_on TEXT, shipping_description TEXT NOT NULL, tracking_code TEXT,
    courier_name TEXT, shipped_email_sent INTEGER NOT NULL, closed_email_sent INTEGER NOT NULL,
    total_weight_in_grams INTEGER NOT NULL, payment_type TEXT, payment_name TEXT, auth_code TEXT,
    transaction_id TEXT, fulfillment_method TEXT NOT NULL, coupon_amount INTEGER NOT NULL,
    coupon_description TEXT, search TEXT NOT NULL, currency_code TEXT NOT NULL,
    shipping_discount INTEGER NOT NULL, tags TEXT NOT NULL
);
CREATE TABLE line_items (
    id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
    variant_id INTEGER NOT NULL, product_title TEXT NOT NULL, product_slug TEXT NOT NULL,
    variant_title TEXT NOT NULL, variant_sku TEXT NOT NULL, unit_price INTEGER NOT NULL,
    units INTEGER NOT NULL, requested_units INTEGER NOT NULL, discount_total INTEGER NOT NULL,
    discount_description TEXT, net_total INTEGER NOT NULL, total INTEGER NOT NULL,
    product_weight_in_grams INTEGER NOT NULL, weight_in_grams INTEGER NOT NULL,
    image_id INTEGER NOT NULL, image_file TEXT NOT NULL
);
-- An order's status changes; the first one (from_status NULL) is its creation.
CREATE TABLE events (
    id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, from_status TEXT, to_status TEXT NOT NULL,
    created_on TEXT NOT NULL
);
CREATE TABLE tokens (
    token TEXT PRIMARY KEY, user_id INTEGER NOT NULL, scopes TEXT NOT NULL, expires_at REAL,
    name TEXT
);
CREATE TABLE clients (
    client_id TEXT PRIMARY KEY, client_secret TEXT NOT NULL, user_id INTEGER NOT NULL,
    scopes TEXT NOT NULL
);
"""

# Built after the bulk insert (faster than maintaining them row by row). They cover what the
# orders filters and sorts need: shop + each sortable date (id breaks ties; a descending scan puts
# NULL dates last by itself, an ascending one needs the "IS NULL" expression first to do the
# same), line items by order (page rendering) and by product (product_id filter), addresses by
# latitude (distance box).
INDEXES = """
CREATE INDEX orders_created ON orders (shop_id, created_on, id);
CREATE INDEX orders_updated ON orders (shop_id, updated_on, id);
CREATE INDEX orders_pending ON orders (shop_id, pending_on, id);
CREATE INDEX orders_closed ON orders (shop_id, closed_on, id);
CREATE INDEX orders_shipped ON orders (shop_id, shipped_on, id);
CREATE INDEX orders_pending_asc ON orders (shop_id, pending_on IS NULL, pending_on, id, status);
CREATE INDEX orders_closed_asc ON orders (shop_id, closed_on IS NULL, closed_on, id, status);
CREATE INDEX orders_shipped_asc ON orders (shop_id, shipped_on IS NULL, shipped_on, id, status);
CREATE INDEX orders_net_total ON orders (shop_id, net_total, id);
CREATE INDEX orders_status ON orders (shop_id, status);
CREATE INDEX line_items_order ON line_items (order_id);
CREATE INDEX line_items_product ON line_items (product_id);
CREATE INDEX addresses_lat ON addresses (lat);
CREATE INDEX events_order ON events (order_id);
"""

EARTH_RADIUS_KM = 6371.0088


def is_sqlite_int(value: object) -> TypeGuard[int]:
    """An integer that SQLite can store (64 bits); booleans are not integers here."""
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def haversine_km(
    lat1: float | None, lng1: float | None, lat2: float | None, lng2: float | None
) -> float | None:
    """Great-circle distance in kilometres (None when a coordinate is missing)."""
    if lat1 is None or lng1 is None or lat2 is None or lng2 is None:
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _casefold(text: str | None) -> str | None:
    """SQL ``casefold(x)``: Python's casefolding (SQLite's ``lower`` folds ASCII only)."""
    return None if text is None else text.casefold()


class Connection(sqlite3.Connection):
    """sqlite3's connection with room for the aggregates that ``_store`` remembers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count_cache: dict[Any, tuple[Any, ...]] = {}


def _connect(target: str) -> sqlite3.Connection:
    conn = sqlite3.connect(target, check_same_thread=False, factory=Connection)
    conn.row_factory = sqlite3.Row
    conn.create_function("haversine_km", 4, haversine_km, deterministic=True)
    conn.create_function("casefold", 1, _casefold, deterministic=True)
    return conn


class Database:
    """One connection shared by every request thread, serialised by :attr:`lock`."""

    def __init__(self, conn: sqlite3.Connection, path: str | None = None) -> None:
        self.conn = conn
        self.path = path
        self.lock = threading.RLock()

    @contextmanager
    def session(self) -> Generator[sqlite3.Connection, None, None]:
        """Hold the lock for a unit of work; commit it when it succeeds, roll back otherwise."""
        with self.lock:
            try:
                yield self.conn
            except BaseException:
                self.conn.rollback()
                raise
            self.conn.commit()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run one read-only statement and return all its rows (handy in tests)."""
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write statement, commit it and return the number of rows it changed."""
        with self.session() as conn:
            return conn.execute(sql, params).rowcount

    def meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def _create_and_seed(conn: sqlite3.Connection, orders: int, seed: int) -> None:
    conn.executescript(SCHEMA)
    with conn:
        populate(conn, orders=orders, seed=seed)
        conn.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
    conn.executescript(INDEXES)
    conn.execute("ANALYZE")
    conn.commit()


# (orders, seed) -> seeded in-memory template; a few are kept, the least recently used go first.
_TEMPLATES: OrderedDict[tuple[int, int], sqlite3.Connection] = OrderedDict()
_TEMPLATES_KEPT = 3
_TEMPLATES_LOCK = threading.Lock()


def _memory_copy(orders: int, seed: int) -> sqlite3.Connection:
    key = (orders, seed)
    with _TEMPLATES_LOCK:
        template = _TEMPLATES.get(key)
        if template is None:
            template = sqlite3.connect(":memory:", check_same_thread=False)
            _create_and_seed(template, orders, seed)
            _TEMPLATES[key] = template
            while len(_TEMPLATES) > _TEMPLATES_KEPT:
                _TEMPLATES.popitem(last=False)[1].close()
        _TEMPLATES.move_to_end(key)
        conn = _connect(":memory:")
        template.backup(conn)
    return conn


def _is_sandbox_file(conn: sqlite3.Connection, path: str) -> bool:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables:
        return False
    if "meta" not in tables:
        raise ValueError(f"{path} is an SQLite database but not a Bootic sandbox one")
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    version = None if row is None else str(row[0])
    if version != SCHEMA_VERSION:
        raise ValueError(
            f"{path} was made by another version of the sandbox (schema {version}, this one"
            f" needs {SCHEMA_VERSION}): delete it, or give another --db file"
        )
    return True


def open_database(path: str | Path | None, *, orders: int, seed: int) -> Database:
    """A ready database: a fresh in-memory copy, or the file at ``path`` (seeded when new)."""
    check_orders(orders)
    if path is None:
        return Database(_memory_copy(orders, seed))
    path = str(path)
    conn = _connect(path)
    try:
        # WAL + NORMAL: durable enough for a sandbox, and writes don't fsync on every commit.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        if not _is_sandbox_file(conn, path):
            _create_and_seed(conn, orders, seed)
    except BaseException:
        conn.close()
        raise
    return Database(conn, path)
