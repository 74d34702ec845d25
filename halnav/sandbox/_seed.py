"""Deterministic sample data: two shops, their catalogues, contacts, addresses, orders and events.

Everything is drawn from ``random.Random(seed)`` sources in a fixed order and inserted with
``executemany``, so the same ``(orders, seed)`` always gives byte-identical documents, and 14,486
orders seed in well under a second. Dates are fixed (2013 to 2016), never relative to today.
Totals add up: a line's ``net_total = unit_price * units`` and ``total = net_total -
discount_total``; an order's ``net_total`` is the sum of its lines' and ``total = net_total +
shipping_total - discount_total``.

The attributes added after the first release (tags, delivered orders, shipping discounts, events)
come from a second random source, so that the first one's draws, and with them every code, status,
total and date seeded before, stay as they were.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import random
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from . import _vocab as vocab
from ._accounts import (
    CLIENT_ID,
    CLIENT_SCOPES,
    CLIENT_SECRET,
    CLIENT_USER_ID,
    READY_TOKENS,
    READY_USERS,
)

SHOP1_ID = 29
SHOP2_ID = 31
SHOP2_ORDERS = 50
FIRST_ORDER_ID = 500_001
EPOCH = datetime(2013, 1, 1)
SPAN_SECONDS = int((datetime(2017, 1, 1) - EPOCH).total_seconds())
LAST_LOGGED_ON = "2016-12-30T18:22:41"
CURRENCY_CODE = "CLP"

SHOPS = (
    # id, user, name, subdomain, url (no scheme, as the API writes it), currency, locale,
    # description, contact email, created on
    (SHOP1_ID, 1, "Sandbox Shoes & Wine", "sandbox-shop", "sandbox-shop.bootic.net",
     CURRENCY_CODE, "es", "Shoes, clothes and wine from Valparaíso", "owner@example.com",
     "2012-11-05T10:12:00"),
    (SHOP2_ID, 2, "Other Bookshop", "other-bookshop", "other-bookshop.bootic.net",
     CURRENCY_CODE, "es", "Books for every reader", "other@example.com", "2012-12-01T09:00:00"),
)  # fmt: skip


def order_code(order_id: int) -> str:
    """A 7-character code like ``R1C3964``; multiplying by an odd constant mod 2**24 is a
    bijection, so codes are unique without bookkeeping for any 16 million consecutive ids."""
    return f"R{(order_id * 0x9E3779B1) & 0xFFFFFF:06X}"


def fold(text: str) -> str:
    """The casefolded form the ``q`` filter compares against (emails are looked up by it too)."""
    return text.casefold()


def contact_search(name: str, email: str) -> str:
    """A contact's ``search`` column: what ``q`` matches of it, NUL-separated."""
    return f"{fold(name)}\0{fold(email)}"


def order_search(code: str, product_titles: Iterable[str]) -> str:
    """An order's ``search`` column: what ``q`` matches of it, NUL-separated."""
    return "\0".join([fold(code), *(fold(title) for title in product_titles)])


def ascii_slug(text: str, sep: str = "-") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", sep, ascii_text.lower()).strip(sep)


@functools.lru_cache(maxsize=4096)
def _day(days: int) -> str:
    return (EPOCH + timedelta(days=days)).date().isoformat()


def stamp(seconds: int) -> str:
    """Seconds since :data:`EPOCH` as the API's date format (UTC, no zone suffix)."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    return f"{_day(days)}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


class Variant(NamedTuple):
    id: int
    product_id: int
    product_title: str
    product_slug: str
    title: str
    sku: str
    price: int
    weight: int
    image_id: int
    image_file: str


class Home(NamedTuple):
    """Where a contact lives; each of their shipped orders copies it into its own address row."""

    street: str
    street_2: str | None
    city: tuple[str, str, float, float, str]
    postal_code: str | None
    lat: float | None
    lng: float | None


class Dice:
    """Draws from one ``random.Random(seed)``, each from a single ``random()`` call: several times
    cheaper than ``randrange``/``choice``/``sample``, which matters for 100,000 orders."""

    def __init__(self, seed: int | str) -> None:
        self.random = random.Random(seed).random

    def chance(self, probability: float) -> bool:
        return self.random() < probability

    def between(self, low: int, high: int) -> int:
        """An integer in ``[low, high]``."""
        return low + int(self.random() * (high - low + 1))

    def pick(self, items: Sequence[Any]) -> Any:
        return items[int(self.random() * len(items))]

    def distinct(self, items: Sequence[Any], count: int) -> list[Any]:
        """``count`` different items (``count`` is small next to ``len(items)``)."""
        chosen: list[int] = []
        while len(chosen) < count:
            index = int(self.random() * len(items))
            if index not in chosen:
                chosen.append(index)
        return [items[i] for i in chosen]


class Weighted:
    """Weighted choices, drawn with one ``random()`` call."""

    def __init__(self, pairs: Sequence[tuple[Any, int]]) -> None:
        self.items = [item for item, _ in pairs]
        self.cum = list(itertools.accumulate(weight for _, weight in pairs))

    def draw(self, dice: Dice) -> Any:
        return self.items[bisect.bisect_right(self.cum, dice.random() * self.cum[-1])]


STATUSES = Weighted(vocab.STATUS_WEIGHTS)
PAYMENTS = Weighted([((slug, name), w) for slug, name, w in vocab.PAYMENT_METHODS])
LINE_COUNTS = Weighted([(1, 50), (2, 30), (3, 15), (4, 5)])
UNITS = Weighted([(1, 70), (2, 20), (3, 10)])
TAG_COUNTS = Weighted([(0, 70), (1, 22), (2, 8)])


def _catalogue(
    conn: sqlite3.Connection,
    dice: Dice,
    shop_id: int,
    products: Sequence[tuple[str, int, int, tuple[str, ...]]],
    first_product_id: int,
    first_variant_id: int,
) -> list[list[Variant]]:
    """Insert a shop's products and variants; return the variants grouped by product."""
    product_rows: list[tuple[Any, ...]] = []
    variant_rows: list[tuple[Any, ...]] = []
    grouped: list[list[Variant]] = []
    product_id, variant_id = first_product_id, first_variant_id
    for title, price, weight, variant_titles in products:
        slug = ascii_slug(title)
        image_id = dice.between(70_000, 79_999)
        image_file = f"_MG_{dice.between(1000, 9999)}.JPG"
        product_rows.append((product_id, shop_id, title, slug, price, weight, image_id, image_file))
        prefix = "".join(dice.pick("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(4))
        variants: list[Variant] = []
        for n, vtitle in enumerate(variant_titles, 1):
            sku = f"{prefix}{n}"
            variant_rows.append((variant_id, product_id, shop_id, vtitle, sku))
            variant = Variant(variant_id, product_id, title, slug, vtitle, sku, price, weight,
                              image_id, image_file)  # fmt: skip
            variants.append(variant)
            variant_id += dice.between(1, 3)
        grouped.append(variants)
        product_id += dice.between(1, 9)
    conn.executemany("INSERT INTO products VALUES (?, ?, ?, ?, ?, ?, ?, ?)", product_rows)
    conn.executemany("INSERT INTO variants VALUES (?, ?, ?, ?, ?)", variant_rows)
    return grouped


def _promotions(
    conn: sqlite3.Connection,
    shop_id: int,
    promos: Sequence[tuple[str, int, str, bool, str]],
    first: int,
) -> list[tuple[int, str, int, str, bool, str]]:
    conn.executemany(
        "INSERT INTO promotions VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(first + i, shop_id, *promo) for i, promo in enumerate(promos)],
    )
    return [(first + i, *promo) for i, promo in enumerate(promos)]


def _contacts(
    conn: sqlite3.Connection, dice: Dice, shop_id: int, count: int, first_id: int
) -> list[tuple[int, Home]]:
    """Insert a shop's contacts; return each one's id and home."""
    rows: list[tuple[Any, ...]] = []
    result: list[tuple[int, Home]] = []
    used: set[str] = set()
    for i in range(count):
        if i == 0 and shop_id == SHOP1_ID:  # the person of the seed page
            first, last = "Joe", "Perk"
        else:
            first, last = dice.pick(vocab.FIRST_NAMES), dice.pick(vocab.LAST_NAMES)
        domain = dice.pick(vocab.EMAIL_DOMAINS)
        local = f"{ascii_slug(first)}-{ascii_slug(last)}"
        email, n = f"{local}@{domain}", 1
        while email in used:
            n += 1
            email = f"{local}{n}@{domain}"
        used.add(email)
        name = f"{first} {last}"
        phone = f"+569{dice.between(10_000_000, 99_999_999)}"
        rut = f"{dice.between(5_000_000, 24_999_999)}-{dice.pick('0123456789K')}"
        contact_id = first_id + i
        rows.append(
            (
                contact_id,
                shop_id,
                name,
                email,
                fold(email),
                phone,
                rut,
                contact_search(name, email),
            )
        )
        city = dice.pick(vocab.CITIES)
        located = dice.chance(0.92)  # "lat_long for most orders"
        home = Home(
            street=f"{dice.pick(vocab.STREETS)} {dice.between(1, 3999)}",
            street_2=dice.pick(vocab.STREET_2),
            city=city,
            postal_code=str(dice.between(1_000_000, 9_999_999)) if dice.chance(0.3) else None,
            lat=round(city[2] + (dice.random() - 0.5) * 0.08, 6) if located else None,
            lng=round(city[3] + (dice.random() - 0.5) * 0.08, 6) if located else None,
        )
        result.append((contact_id, home))
    conn.executemany("INSERT INTO contacts VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return result


def line_discount(amount: int, kind: str, line_net: int) -> int:
    """What a promotion (``amount`` in pesos for ``$``, in percent for ``%``) takes off a line."""
    return min(amount, line_net) if kind == "$" else line_net * amount // 100


def _events(
    order_id: int,
    status: str,
    created: int,
    pending: int | None,
    closed: int | None,
    shipped: int | None,
    delivered: int | None,
    updated: int,
) -> list[tuple[int, str | None, str, str]]:
    """The status changes that led a seeded order to ``status``, each with its date."""
    path: list[tuple[str, int | None]] = [
        ("checkout", created), ("pending", pending), ("closed", closed), ("shipped", shipped),
        ("delivered", delivered),
    ]  # fmt: skip
    if status == "invalid":
        path = [step for step in path if step[1] is not None] + [("invalid", updated)]
    rows: list[tuple[int, str | None, str, str]] = []
    previous: str | None = None
    for to, when in path:
        if when is not None:
            rows.append((order_id, previous, to, stamp(when)))
            previous = to
    return rows


def populate(conn: sqlite3.Connection, *, orders: int, seed: int) -> None:
    """Fill an empty schema: fixed users, shops, tokens and client, then the seeded data."""
    dice = Dice(seed)
    extra = Dice(f"halnav-sandbox-extra:{seed}")  # the later attributes' own draws
    conn.executemany(
        "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (u.id, u.user_name, u.email, u.uid, "user", "bootic", LAST_LOGGED_ON, u.password)
            for u in READY_USERS
        ],
    )
    conn.executemany("INSERT INTO shops VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", SHOPS)
    conn.executemany(
        "INSERT INTO tokens VALUES (?, ?, ?, ?, ?)",
        [(t.value, t.user_id, t.scopes, 0.0 if t.expired else None, t.name) for t in READY_TOKENS],
    )
    conn.execute(
        "INSERT INTO clients VALUES (?, ?, ?, ?)",
        (CLIENT_ID, CLIENT_SECRET, CLIENT_USER_ID, CLIENT_SCOPES),
    )
    shop1_contacts = max(20, orders // 3)  # repeat customers: about three orders each
    shops = {
        SHOP1_ID: (
            _catalogue(conn, dice, SHOP1_ID, vocab.SHOP1_PRODUCTS, 31_101, 66_480),
            _promotions(conn, SHOP1_ID, vocab.SHOP1_PROMOTIONS, 801),
            _contacts(conn, dice, SHOP1_ID, shop1_contacts, 9_001),
        ),
        SHOP2_ID: (
            _catalogue(conn, dice, SHOP2_ID, vocab.SHOP2_PRODUCTS, 41_201, 88_100),
            _promotions(conn, SHOP2_ID, vocab.SHOP2_PROMOTIONS, 901),
            _contacts(conn, dice, SHOP2_ID, 25, 9_001 + shop1_contacts + 100),
        ),
    }
    # Both shops' orders share one id sequence, increasing with their creation time.
    starts = sorted(
        [(int(dice.random() * SPAN_SECONDS), SHOP1_ID) for _ in range(orders)]
        + [(int(dice.random() * SPAN_SECONDS), SHOP2_ID) for _ in range(SHOP2_ORDERS)]
    )
    order_rows: list[tuple[Any, ...]] = []
    line_rows: list[tuple[Any, ...]] = []
    address_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []
    order_id, line_id, address_id = FIRST_ORDER_ID, 2_000_001, 35_601
    latest = 0
    for created, shop_id in starts:
        catalogue, promotions, contacts = shops[shop_id]
        status = STATUSES.draw(dice)
        contact = None if status == "checkout" and dice.chance(0.5) else dice.pick(contacts)
        pickup = dice.chance(0.15)
        promotion = dice.pick(promotions) if dice.chance(0.2) else None

        lines: list[tuple[Any, ...]] = []
        net = line_discounts = weight = 0
        for variants in dice.distinct(catalogue, LINE_COUNTS.draw(dice)):
            v = dice.pick(variants)
            units = UNITS.draw(dice)
            requested = units + 1 if dice.chance(0.03) else units
            line_net = v.price * units
            discount, description = 0, None
            if promotion is not None and not promotion[4]:
                discount = line_discount(promotion[2], promotion[3], line_net)
                description = promotion[5] if discount else None
            lines.append(
                (line_id, order_id, v.product_id, v.id, v.product_title, v.product_slug, v.title,
                 v.sku, v.price, units, requested, discount,
                 description, line_net, line_net - discount,
                 v.weight, v.weight * units, v.image_id, v.image_file)
            )  # fmt: skip
            line_id += 1
            net += line_net
            line_discounts += discount
            weight += v.weight * units
        line_rows.extend(lines)

        coupon, coupon_description = 0, None
        if dice.chance(0.04):
            coupon = min(5000, net // 10) // 10 * 10
            coupon_description = dice.pick(vocab.COUPON_DESCRIPTIONS)

        address_ref = None
        shipping_discount = 0
        if pickup:
            shipping, shipping_description = 0, "Retiro en tienda"
        elif contact is None:
            shipping, shipping_description = 0, ""
        else:
            home = contact[1]
            shipping_description, shipping = vocab.ZONES[home.city[4]]
            if promotion is not None and promotion[4]:  # free shipping: waived, and shown so
                shipping, shipping_discount = 0, shipping
            address_ref = address_id
            address_rows.append(
                (address_id, shop_id, home.street, home.street_2, home.city[0], home.city[1],
                 "Chile", home.postal_code, "CL", home.lat, home.lng)
            )  # fmt: skip
            address_id += 1

        pending: int | None = None
        closed: int | None = None
        shipped: int | None = None
        if status in ("pending", "closed", "shipped") or (status == "invalid" and dice.chance(0.5)):
            pending = created + dice.between(120, 3600)
        if status in ("closed", "shipped") and pending is not None:
            closed = pending + dice.between(60, 4 * 3600)
        if status == "shipped" and closed is not None:
            shipped = closed + dice.between(6 * 3600, 5 * 86400)
        updated = max(d for d in (created, pending, closed, shipped) if d is not None)
        updated += dice.between(0, 1800)
        latest = max(latest, updated)

        pay_slug, pay_name = PAYMENTS.draw(dice)
        paid = status in ("closed", "shipped")
        auth_code = f"{dice.between(0, 10**9 - 1):09d}" if paid else None
        transaction_id = str(dice.between(10**8, 10**9 - 1)) if paid else None
        tracked = status == "shipped" and not pickup
        courier = dice.pick(vocab.COURIERS) if tracked else None
        tracking = str(dice.between(10**11, 10**12 - 1)) if tracked else None

        # The later attributes, from their own source: a share of the shipped orders have been
        # delivered since (before their last update, which stays what it was), and some orders
        # carry tags.
        delivered: int | None = None
        if shipped is not None and extra.chance(vocab.DELIVERED_SHARE):
            status = "delivered"
            delivered = shipped + int(extra.random() * (updated - shipped))
        tag_count = TAG_COUNTS.draw(extra)
        tags = ",".join(sorted(extra.distinct(vocab.TAGS, tag_count))) if tag_count else ""

        code = order_code(order_id)
        search = order_search(code, (line[4] for line in lines))
        discount_total = line_discounts + coupon
        order_rows.append(
            (order_id, shop_id, code, status, contact[0] if contact else None, address_ref,
             promotion[0] if promotion else None, net, shipping, discount_total,
             net + shipping - discount_total, stamp(created), stamp(updated),
             stamp(pending) if pending is not None else None,
             stamp(closed) if closed is not None else None,
             stamp(shipped) if shipped is not None else None,
             shipping_description, tracking, courier, int(shipped is not None), int(paid), weight,
             pay_slug, pay_name, auth_code, transaction_id, "pickup" if pickup else "shipping",
             coupon, coupon_description, search, CURRENCY_CODE, shipping_discount, tags)
        )  # fmt: skip
        event_rows.extend(
            _events(order_id, status, created, pending, closed, shipped, delivered, updated)
        )
        order_id += dice.between(1, 3)  # realistic gaps between ids

    conn.executemany(f"INSERT INTO addresses VALUES ({', '.join('?' * 11)})", address_rows)
    conn.executemany(f"INSERT INTO orders VALUES ({', '.join('?' * 33)})", order_rows)
    conn.executemany(f"INSERT INTO line_items VALUES ({', '.join('?' * 19)})", line_rows)
    conn.executemany(
        "INSERT INTO events (order_id, from_status, to_status, created_on) VALUES (?, ?, ?, ?)",
        event_rows,
    )
    conn.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("orders", str(orders)), ("seed", str(seed)), ("epoch", stamp(latest))],
    )
