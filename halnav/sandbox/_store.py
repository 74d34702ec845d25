"""Every SQL statement of the API: reading shops, orders and their parts, and writing orders.

Functions take the connection of a :meth:`Database.session`, so the caller decides what one locked
unit of work is. A page of orders costs three statements whatever its size (count and totals in
one aggregate, remembered until the next write; the page joined with contact, address and
promotion; then all its line items), never one per order.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ._filters import ListQuery, OrderQuery

ORDER_COLUMNS = """
    o.id, o.shop_id, o.code, o.status, o.net_total, o.total, o.created_on, o.updated_on,
    o.pending_on, o.closed_on, o.shipped_on, o.shipping_total, o.shipping_description,
    o.discount_total, o.tracking_code, o.courier_name, o.shipped_email_sent, o.closed_email_sent,
    o.total_weight_in_grams, o.payment_type, o.payment_name, o.auth_code, o.transaction_id,
    o.fulfillment_method, o.coupon_amount, o.coupon_description, o.currency_code,
    o.shipping_discount, o.tags,
    a.id AS address_id, a.street, a.street_2, a.locality_name, a.region_name, a.country_name,
    a.postal_code, a.country_code, a.lat, a.lng,
    c.id AS contact_id, c.name AS contact_name, c.email AS contact_email,
    c.phone_number AS contact_phone_number, c.rut AS contact_rut,
    p.id AS promotion_id, p.name AS promotion_name, p.discount AS promotion_discount,
    p.discount_type AS promotion_discount_type, p.free_shipping AS promotion_free_shipping
"""
ORDER_JOINS = """
    FROM orders o
    LEFT JOIN contacts c ON c.id = o.contact_id
    LEFT JOIN addresses a ON a.id = o.address_id
    LEFT JOIN promotions p ON p.id = o.promotion_id
"""
LINE_COLUMNS = """
    order_id, product_id, product_title, product_slug, unit_price, units, discount_total,
    discount_description, net_total, total, product_weight_in_grams, weight_in_grams, variant_id,
    variant_title, variant_sku, requested_units, image_id, image_file
"""
KM_PER_DEGREE = 111.195
NULLABLE_DATES = ("pending_on", "closed_on", "shipped_on")


Row = sqlite3.Row
Items = dict[int, list[Row]]
Params = list[str | int | float]


@dataclass(frozen=True)
class OrderStats:
    """The count and the ``total`` aggregates of every order a query matches."""

    count: int
    total: int
    mean: int | None  # rounded to the unit (amounts are integers)
    min: int | None
    max: int | None


def get_shop(conn: sqlite3.Connection, shop_id: int) -> Row | None:
    row: Row | None = conn.execute("SELECT * FROM shops WHERE id = ?", (shop_id,)).fetchone()
    return row


def get_user(conn: sqlite3.Connection, user_id: int) -> Row | None:
    row: Row | None = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    return row


def shops_of_user(conn: sqlite3.Connection, user_id: int) -> list[Row]:
    return conn.execute("SELECT * FROM shops WHERE user_id = ? ORDER BY id", (user_id,)).fetchall()


def variants_of_products(conn: sqlite3.Connection, product_ids: Sequence[int]) -> Items:
    """The variants of many products, grouped by product id (one statement per chunk)."""
    grouped: Items = {product_id: [] for product_id in product_ids}
    sql = "SELECT * FROM variants WHERE product_id IN ({marks}) ORDER BY id"
    for row in in_chunks(conn, sql, list(grouped)):
        grouped[row["product_id"]].append(row)
    return grouped


def get_product(
    conn: sqlite3.Connection, product_id: int | None = None, *, shop_id: int = 0, slug: str = ""
) -> tuple[Row | None, list[Row]]:
    """A product, by id or by its shop and slug, with its variants."""
    if product_id is not None:
        product: Row | None = conn.execute(
            "SELECT * FROM products WHERE id = ?", (product_id,)
        ).fetchone()
    else:
        product = conn.execute(
            "SELECT * FROM products WHERE shop_id = ? AND slug = ?", (shop_id, slug)
        ).fetchone()
    if product is None:
        return None, []
    return product, variants_of_products(conn, [product["id"]])[product["id"]]


def search_products(
    conn: sqlite3.Connection, shop_id: int | None, query: ListQuery
) -> tuple[int, list[Row], Items]:
    """A page of products (of one shop, or of every shop) with their variants."""
    clauses: list[str] = []
    params: Params = []
    if shop_id is not None:
        clauses.append("shop_id = ?")
        params.append(shop_id)
    if query.q is not None:
        clauses.append("instr(casefold(title), ?) > 0")
        params.append(query.q)
    if query.price_gte is not None:
        clauses.append("price >= ?")
        params.append(query.price_gte)
    if query.price_lte is not None:
        clauses.append("price <= ?")
        params.append(query.price_lte)
    where = " AND ".join(clauses) or "1"
    total = int(conn.execute(f"SELECT COUNT(*) FROM products WHERE {where}", params).fetchone()[0])
    direction = "DESC" if query.descending else "ASC"
    column = "casefold(title)" if query.sort_column == "title" else query.sort_column
    rows = conn.execute(
        f"SELECT * FROM products WHERE {where} ORDER BY {column} {direction}, id {direction}"
        " LIMIT ? OFFSET ?",
        [*params, query.per_page, (query.page - 1) * query.per_page],
    ).fetchall()
    return total, rows, variants_of_products(conn, [row["id"] for row in rows])


def search_contacts(
    conn: sqlite3.Connection, shop_id: int, query: ListQuery
) -> tuple[int, list[Row]]:
    """A page of a shop's contacts; ``q`` is a substring of the name or the email."""
    where = "shop_id = ?"
    params: Params = [shop_id]
    if query.q is not None:
        where += " AND instr(search, ?) > 0"
        params.append(query.q)
    total = int(conn.execute(f"SELECT COUNT(*) FROM contacts WHERE {where}", params).fetchone()[0])
    direction = "DESC" if query.descending else "ASC"
    column = "casefold(name)" if query.sort_column == "name" else "email_key"
    rows = conn.execute(
        f"SELECT * FROM contacts WHERE {where} ORDER BY {column} {direction}, id {direction}"
        " LIMIT ? OFFSET ?",
        [*params, query.per_page, (query.page - 1) * query.per_page],
    ).fetchall()
    return total, rows


def in_chunks(
    conn: sqlite3.Connection, sql: str, ids: Sequence[int], chunk: int = 500
) -> Iterator[Row]:
    """Rows of ``sql`` (with one ``IN ({marks})``) for every id, a chunk of ids per statement:
    SQLite caps the number of parameters (999 in older builds)."""
    for start in range(0, len(ids), chunk):
        part = tuple(ids[start : start + chunk])
        yield from conn.execute(sql.format(marks=",".join("?" * len(part))), part)


def line_items(conn: sqlite3.Connection, order_ids: Sequence[int]) -> Items:
    """The line items of many orders, grouped by order id (one statement for a page)."""
    grouped: Items = {order_id: [] for order_id in order_ids}
    sql = f"SELECT {LINE_COLUMNS} FROM line_items WHERE order_id IN ({{marks}}) ORDER BY id"
    for row in in_chunks(conn, sql, list(grouped)):
        grouped[row[0]].append(row)
    return grouped


def get_orders(conn: sqlite3.Connection, order_ids: Sequence[int]) -> tuple[list[Row], Items]:
    """Orders by id (in the order asked, unknown ids and repeats left out) with their lines."""
    wanted = list(dict.fromkeys(order_ids))
    sql = f"SELECT {ORDER_COLUMNS} {ORDER_JOINS} WHERE o.id IN ({{marks}})"
    by_id = {row["id"]: row for row in in_chunks(conn, sql, wanted)}
    ordered = [by_id[i] for i in wanted if i in by_id]
    return ordered, line_items(conn, [row["id"] for row in ordered])


def get_order(conn: sqlite3.Connection, order_id: int) -> tuple[Row | None, list[Row]]:
    rows, items = get_orders(conn, [order_id])
    return (rows[0], items[order_id]) if rows else (None, [])


def order_id_of(conn: sqlite3.Connection, ref: str | int) -> int | None:
    """The id of the order a path names: by its id (digits) or by its code (case-insensitive)."""
    if isinstance(ref, int) or ref.isdigit():
        number = int(ref)
        if not -(2**63) <= number < 2**63:
            return None
        row = conn.execute("SELECT id FROM orders WHERE id = ?", (number,)).fetchone()
    else:
        row = conn.execute("SELECT id FROM orders WHERE code = ?", (ref.upper(),)).fetchone()
    return None if row is None else int(row[0])


def get_order_by_code(conn: sqlite3.Connection, code: str) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT id, shop_id, code, status, total FROM orders WHERE code = ?", (code.upper(),)
    ).fetchone()
    return row


def events_of(conn: sqlite3.Connection, order_id: int) -> list[Row]:
    """An order's status changes, oldest first."""
    return conn.execute(
        "SELECT id, from_status, to_status, created_on FROM events WHERE order_id = ?"
        " ORDER BY created_on, id",
        (order_id,),
    ).fetchall()


def add_event(
    conn: sqlite3.Connection, order_id: int, before: str | None, after: str, when: str
) -> None:
    conn.execute(
        "INSERT INTO events (order_id, from_status, to_status, created_on) VALUES (?, ?, ?, ?)",
        (order_id, before, after, when),
    )


def _where(shop_id: int, query: OrderQuery) -> tuple[str, Params, bool, bool]:
    """SQL condition and parameters; also whether contacts / addresses must be joined."""
    clauses: list[str] = ["o.shop_id = ?"]
    params: Params = [shop_id]
    needs_contacts = needs_addresses = False
    if query.statuses is not None:
        clauses.append(f"o.status IN ({','.join('?' * len(query.statuses))})")
        params.extend(query.statuses)
    if query.code is not None:
        clauses.append("o.code = ?")
        params.append(query.code)
    if query.product_id is not None:
        clauses.append("o.id IN (SELECT order_id FROM line_items WHERE product_id = ?)")
        params.append(query.product_id)
    if query.payment_method is not None:
        clauses.append("o.payment_type = ?")
        params.append(query.payment_method)
    if query.tags is not None:
        # tags is "a,b,c" (sorted, no spaces): ",a,b,c," holds ",b," exactly when b is a tag.
        matches = " OR ".join("instr(',' || o.tags || ',', ?) > 0" for _ in query.tags)
        clauses.append(f"({matches})")
        params.extend(f",{tag}," for tag in query.tags)
    for column, operator, value in query.conditions:  # columns and operators come from a whitelist
        clauses.append(f"o.{column} {operator} ?")
        params.append(value)
    if query.q is not None:
        # Both search columns hold casefolded text, so instr() is a case-insensitive substring
        # match that also folds non-ASCII letters (LIKE would fold only ASCII).
        clauses.append("(instr(o.search, ?) > 0 OR instr(c.search, ?) > 0)")
        params.extend((query.q, query.q))
        needs_contacts = True
    if query.contact_email is not None:
        clauses.append("c.email_key = ?")
        params.append(query.contact_email)
        needs_contacts = True
    if query.near is not None:
        lat, lng, km = query.near
        # A bounding box first (cheap, indexed), then the exact great-circle distance.
        dlat = km / KM_PER_DEGREE
        clauses.append("a.lat BETWEEN ? AND ?")
        params.extend((lat - dlat, lat + dlat))
        cos_lat = math.cos(math.radians(lat))
        if cos_lat > 0.01:
            dlng = km / (KM_PER_DEGREE * cos_lat)
            if lng - dlng > -180 and lng + dlng < 180:
                clauses.append("a.lng BETWEEN ? AND ?")
                params.extend((lng - dlng, lng + dlng))
        clauses.append("haversine_km(a.lat, a.lng, ?, ?) <= ?")
        params.extend((lat, lng, km))
        needs_addresses = True
    return " AND ".join(clauses), params, needs_contacts, needs_addresses


def _from(shop_id: int, query: OrderQuery) -> tuple[str, Params]:
    """``FROM ... WHERE ...`` of the orders a query matches, and its parameters."""
    where, params, needs_contacts, needs_addresses = _where(shop_id, query)
    joins = ""
    if needs_contacts:
        joins += " LEFT JOIN contacts c ON c.id = o.contact_id"
    if needs_addresses:
        joins += " JOIN addresses a ON a.id = o.address_id"
    return f"FROM orders o{joins} WHERE {where}", params


def order_stats(conn: sqlite3.Connection, shop_id: int, query: OrderQuery) -> OrderStats:
    """How many orders the query matches and their totals: one aggregate statement,
    remembered until the next write (walking the pages of a listing repeats it)."""
    source, params = _from(shop_id, query)
    sql = (
        "SELECT COUNT(*), COALESCE(SUM(o.total), 0), ROUND(AVG(o.total)), MIN(o.total),"
        f" MAX(o.total) {source}"
    )
    row = _remembered(conn, sql, params)
    mean = None if row[2] is None else int(row[2])
    return OrderStats(int(row[0]), int(row[1]), mean, row[3], row[4])


def order_page(
    conn: sqlite3.Connection, shop_id: int, query: OrderQuery
) -> tuple[list[Row], Items]:
    """The query's page of orders with their lines.

    The page's ids are found first, on the indexes alone: joining contacts and addresses for
    every row an OFFSET skips would make deep pages many times slower than the first one.
    """
    source, params = _from(shop_id, query)
    column = f"o.{query.sort_column}"
    # Orders without the date sorted on go last either way (NULL is the smallest value, so only
    # an ascending sort needs telling); the id breaks ties, in the sort's direction, so that
    # pages are stable and a client can walk by keyset (sort value, id).
    if query.descending:
        order_by = f"{column} DESC, o.id DESC"
    elif query.sort_column in NULLABLE_DATES:
        order_by = f"{column} IS NULL, {column} ASC, o.id ASC"
    else:
        order_by = f"{column} ASC, o.id ASC"
    ids = [
        row[0]
        for row in conn.execute(
            f"SELECT o.id {source} ORDER BY {order_by} LIMIT ? OFFSET ?",
            [*params, query.per_page, (query.page - 1) * query.per_page],
        )
    ]
    return get_orders(conn, ids)


HISTOGRAM_KEYS = {
    "day": "substr(o.created_on, 1, 10)",
    "week": "date(o.created_on, '-6 days', 'weekday 1')",  # the Monday starting its week
    "month": "substr(o.created_on, 1, 7)",
    "year": "substr(o.created_on, 1, 4)",
}


def order_histogram(
    conn: sqlite3.Connection, shop_id: int, query: OrderQuery, interval: str
) -> list[tuple[str, int, int]]:
    """``(period, count, sum of total)`` of the matching orders by creation ``interval``."""
    source, params = _from(shop_id, query)
    key = HISTOGRAM_KEYS[interval]
    rows = conn.execute(
        f"SELECT {key} AS period, COUNT(*), SUM(o.total) {source} GROUP BY period ORDER BY period",
        params,
    ).fetchall()
    return [(str(row[0]), int(row[1]), int(row[2])) for row in rows]


def data_state(conn: sqlite3.Connection) -> tuple[int, int]:
    """A value that changes with every write: this connection's ``total_changes``, and
    ``PRAGMA data_version`` for writes committed by another connection (another process
    sharing the ``--db`` file)."""
    return conn.total_changes, int(conn.execute("PRAGMA data_version").fetchone()[0])


def _remembered(conn: sqlite3.Connection, sql: str, params: Params) -> tuple[Any, ...]:
    """The one row of ``sql``, remembered per connection until the data changes: a write on
    this connection changes ``total_changes``, a write committed by another one (another
    process sharing the ``--db`` file) changes ``PRAGMA data_version``."""
    cache: dict[Any, tuple[Any, ...]] | None = getattr(conn, "count_cache", None)
    if cache is None:
        return tuple(conn.execute(sql, params).fetchone())
    key = (data_state(conn), sql, tuple(params))
    row = cache.get(key)
    if row is None:
        row = tuple(conn.execute(sql, params).fetchone())
        if len(cache) >= 256:
            cache.clear()
        cache[key] = row
    return row


def variants_of_shop(conn: sqlite3.Connection, shop_id: int, ids: Iterable[int]) -> dict[int, Row]:
    """The variants among ``ids`` that belong to the shop, with their product's attributes."""
    sql = (
        "SELECT v.id, v.shop_id, v.product_id, v.title, v.sku, p.title AS product_title, p.slug,"
        " p.price, p.weight_in_grams, p.image_id, p.image_file FROM variants v"
        " JOIN products p ON p.id = v.product_id WHERE v.id IN ({marks})"
    )
    rows = in_chunks(conn, sql, list(dict.fromkeys(ids)))
    return {row["id"]: row for row in rows if row["shop_id"] == shop_id}


def contact_by_email(conn: sqlite3.Connection, shop_id: int, email_key: str) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT * FROM contacts WHERE shop_id = ? AND email_key = ?", (shop_id, email_key)
    ).fetchone()
    return row


def save_contact(conn: sqlite3.Connection, contact_id: int | None, **values: Any) -> int:
    """Insert a contact (``contact_id`` None) or update the given columns of one; its id."""
    if contact_id is None:
        columns = ", ".join(values)
        marks = ", ".join("?" * len(values))
        cursor = conn.execute(
            f"INSERT INTO contacts ({columns}) VALUES ({marks})", [*values.values()]
        )
        return int(cursor.lastrowid or 0)
    if values:
        assignments = ", ".join(f"{column} = ?" for column in values)
        conn.execute(
            f"UPDATE contacts SET {assignments} WHERE id = ?", [*values.values(), contact_id]
        )
    return contact_id


def copy_address(conn: sqlite3.Connection, shop_id: int, address_id: int) -> int | None:
    """A new address row with the attributes of ``address_id`` (None if not in this shop)."""
    cursor = conn.execute(
        "INSERT INTO addresses (shop_id, street, street_2, locality_name, region_name,"
        " country_name, postal_code, country_code, lat, lng)"
        " SELECT shop_id, street, street_2, locality_name, region_name, country_name, postal_code,"
        " country_code, lat, lng FROM addresses WHERE id = ? AND shop_id = ?",
        (address_id, shop_id),
    )
    return int(cursor.lastrowid or 0) if cursor.rowcount else None


def get_address(conn: sqlite3.Connection, address_id: int) -> Row | None:
    row: Row | None = conn.execute("SELECT * FROM addresses WHERE id = ?", (address_id,)).fetchone()
    return row


def get_promotion(conn: sqlite3.Connection, promotion_id: int) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT * FROM promotions WHERE id = ?", (promotion_id,)
    ).fetchone()
    return row


def order_row(conn: sqlite3.Connection, order_id: int) -> Row | None:
    """The order's own columns (no joins): what a write needs to know of it."""
    row: Row | None = conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
    return row


def next_order_id(conn: sqlite3.Connection) -> int:
    """One past the highest order id of any shop (ids are global, like the real API's)."""
    return int(conn.execute("SELECT COALESCE(MAX(id), 500000) + 1 FROM orders").fetchone()[0])


def _insert_lines(conn: sqlite3.Connection, order_id: int, lines: list[dict[str, Any]]) -> None:
    for line in lines:
        line = {"order_id": order_id, **line}
        conn.execute(
            f"INSERT INTO line_items ({', '.join(line)}) VALUES ({', '.join('?' * len(line))})",
            [*line.values()],
        )


def insert_order(
    conn: sqlite3.Connection, order: dict[str, Any], lines: list[dict[str, Any]]
) -> None:
    """Insert an order (its ``id`` included) and its lines."""
    conn.execute(
        f"INSERT INTO orders ({', '.join(order)}) VALUES ({', '.join('?' * len(order))})",
        [*order.values()],
    )
    _insert_lines(conn, order["id"], lines)


def replace_lines(conn: sqlite3.Connection, order_id: int, lines: list[dict[str, Any]]) -> None:
    """Put ``lines`` in place of the order's line items."""
    conn.execute("DELETE FROM line_items WHERE order_id = ?", (order_id,))
    _insert_lines(conn, order_id, lines)


def update_order(conn: sqlite3.Connection, order_id: int, values: dict[str, Any]) -> None:
    assignments = ", ".join(f"{column} = ?" for column in values)
    conn.execute(f"UPDATE orders SET {assignments} WHERE id = ?", [*values.values(), order_id])


def note_write(conn: sqlite3.Connection, shop_id: int, when: str) -> None:
    """Count a write that set ``updated_on = when`` on orders of the shop, per second.

    Kept in ``meta`` (in the write's own transaction), so every connection to a database file
    sees it: see :func:`shop_clock` for why the count matters.
    """
    key = f"writes:{shop_id}"
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    second, _, count = (row[0] if row else "").partition(" ")
    writes = int(count) + 1 if second == when else 1
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, f"{when} {writes}"))


def shop_clock(conn: sqlite3.Connection, shop_id: int) -> tuple[str | None, bool]:
    """The ``Last-Modified`` of the shop's order documents, and whether it is ambiguous.

    It is the newest ``updated_on`` among all the shop's orders, not only those a document
    shows: every write sets one to now, so it only moves forward, and an order leaving a
    filtered page still moves it (``None`` when the shop has no orders). An HTTP date counts
    whole seconds, so when two writes fell in its second a copy stamped with it may predate
    the second one: it is then ambiguous and cannot prove a copy current (RFC 9110 8.8.2.2).
    """
    newest: str | None = conn.execute(
        "SELECT MAX(updated_on) FROM orders WHERE shop_id = ?", (shop_id,)
    ).fetchone()[0]
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (f"writes:{shop_id}",)).fetchone()
    second, _, count = (row[0] if row else "").partition(" ")
    return newest, newest is not None and second == newest and int(count) > 1


def seed_epoch(conn: sqlite3.Connection) -> str:
    """The newest ``updated_on`` of the seeded data: when the static documents last changed."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()
    return str(row[0]) if row else "2013-01-01T00:00:00"
