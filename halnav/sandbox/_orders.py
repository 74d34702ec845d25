"""The order rules: status transitions, creating an order, updating one, its tracking, many at once.

- ``create_order`` (``btc:create_order``): line items, contact, address, as the create-order seed
  page says; the order starts in ``checkout``.
- ``update_order`` (``btc:update_order``, ``PUT`` on the order): the same parts with the same
  rules, on orders in ``checkout`` only.
- ``update_tracking`` (``btc:update_order_tracking``): the status, along :data:`TRANSITIONS`, and
  the tracking code and courier.
- ``update_many`` (the update-orders seed page): one status for many orders, each on its own.

Validation answers 422 with every problem found (fields named as on the create-order seed page:
``line_items``, ``line_items.units``, ``variant.id``, ``contact.email``...). Checks run before any
write inside one locked session, so a refused request changes nothing. Every write sets the
order's ``updated_on`` to now (a client syncs by it), and every status change is recorded as one
of the order's events.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, cast

from . import _store as store
from ._db import Database, is_sqlite_int
from ._errors import ApiError, ErrorList, ErrorPairs
from ._filters import STATUSES
from ._http import is_array, is_object
from ._seed import CURRENCY_CODE, contact_search, fold, line_discount, order_code, order_search
from ._vocab import CITIES, ZONES

# current status -> the statuses it may be set to: the real API's table (its orders pages
# publish it as "transitions"). Setting the current status again is allowed and changes nothing.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "checkout": ("checkout", "pending", "invalid"),
    "pending": ("pending", "closed", "invalid"),
    "invalid": ("invalid", "pending"),
    "closed": ("closed", "pending", "invalid", "shipped"),
    "shipped": ("shipped", "pending", "invalid", "delivered"),
    "delivered": ("delivered", "pending", "invalid"),
}
# The update-orders seed page's statuses, and delivered (which it predates).
BULK_STATUSES = ("pending", "closed", "shipped", "invalid", "delivered")
TRACKING_FIELDS = ("status", "tracking_code", "courier_name")
ORDER_PARTS = ("line_items", "contact", "address")
CONTACT_FIELDS = ("email", "name", "phone_number", "rut")
NOT_IN_CHECKOUT = "only orders in the checkout state can be updated"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_ZONE_OF_CITY = {city[0]: city[4] for city in CITIES}


def now() -> str:
    """The current UTC time in the API's date format."""
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")


def status_changes(row: store.Row, new: str, when: str) -> dict[str, Any]:
    """The column changes that move an order to ``new``; a 422 when the move is not allowed.

    Entering a status sets its date to now (``pending_on``, ``closed_on``, ``shipped_on``;
    closing an order that never was pending sets ``pending_on`` too); the dates of the statuses
    it had before stay, as its history (its events tell it whole).
    """
    current = row["status"]
    allowed = TRANSITIONS[current]
    if new not in allowed:
        raise ApiError(
            422,
            "status",
            f"Cannot change status from {current!r} to {new!r}; "
            f"allowed next statuses: {', '.join(allowed)}",
        )
    if new == current:
        return {}
    changes: dict[str, Any] = {"status": new}
    if new == "pending":
        changes["pending_on"] = when
    elif new == "closed":
        changes["closed_on"] = when
        changes["closed_email_sent"] = 1
        if row["pending_on"] is None:  # keep dates consistent: a closed order was pending once
            changes["pending_on"] = when
    elif new == "shipped":
        changes["shipped_on"] = when
        changes["shipped_email_sent"] = 1
    return changes


def _as_object(value: Any) -> dict[str, Any] | None:
    return value if is_object(value) else None


def _as_array(value: Any) -> list[Any] | None:
    return value if is_array(value) else None


def _body_object(body: Any) -> dict[str, Any]:
    checked = _as_object(body)
    if checked is None:
        raise ApiError(400, "body", "must be a JSON object")
    return checked


@dataclass
class Parts:
    """The parts of an order a create or update request gives (``None``: not given)."""

    lines: list[tuple[int, int]] | None = None  # (variant id, units)
    contact: dict[str, str] | None = None  # its string fields, stripped
    address_id: int | None = None


def _check_lines(raw: Any, errors: ErrorList) -> list[tuple[int, int]] | None:
    items = _as_array(raw)
    if not items:
        errors.add("line_items", "is required: a non-empty array of {variant_id, units} objects")
        return None
    lines: list[tuple[int, int]] = []
    for raw_item in items:
        item = _as_object(raw_item)
        if item is None:
            errors.add("line_items", "each line item must be an object with variant_id and units")
            continue
        variant_id, units = item.get("variant_id"), item.get("units")
        if not is_sqlite_int(variant_id):
            errors.add("line_items.variant_id", "is required and must be an integer")
        if not is_sqlite_int(units) or units < 1:
            errors.add("line_items.units", "is required and must be an integer >= 1")
        if is_sqlite_int(variant_id) and is_sqlite_int(units) and units >= 1:
            lines.append((variant_id, units))
    return lines


def _check_contact(raw: Any, errors: ErrorList) -> dict[str, str] | None:
    contact = _as_object(raw)
    if contact is None:
        errors.add("contact", "must be an object")
        return None
    for name in CONTACT_FIELDS:
        if contact.get(name) is not None and not isinstance(contact[name], str):
            errors.add(f"contact.{name}", "must be a string")
    email = contact.get("email")
    if not isinstance(email, str) or not email.strip():
        errors.add("contact.email", "is required when a contact is given")
    elif not _EMAIL.fullmatch(email.strip()):
        errors.add("contact.email", f"{email!r} is not a valid email address")
    else:
        return {k: v.strip() for k in CONTACT_FIELDS if isinstance(v := contact.get(k), str)}
    return None


def _check_parts(body: dict[str, Any], errors: ErrorList, *, lines_required: bool) -> Parts:
    """The request's parts, checked for shape (what needs no database)."""
    parts = Parts()
    if lines_required or body.get("line_items") is not None:
        parts.lines = _check_lines(body.get("line_items"), errors)
    if body.get("contact") is not None:
        parts.contact = _check_contact(body["contact"], errors)
    if body.get("address") is not None:
        address = _as_object(body["address"])
        address_id = None if address is None else address.get("id")
        if not is_sqlite_int(address_id):
            errors.add("address.id", "must be an integer (the id of an address of this shop)")
        else:
            parts.address_id = address_id
    return parts


@dataclass
class Resolved:
    """What the parts name in the shop's data."""

    variants: dict[int, store.Row] = field(default_factory=dict[int, store.Row])
    contact: store.Row | None = None  # the shop's contact with that email, if any
    address: store.Row | None = None


def _resolve(conn: sqlite3.Connection, shop_id: int, parts: Parts, errors: ErrorList) -> Resolved:
    """Look the parts up in the shop's data; what is missing goes into ``errors``."""
    found = Resolved()
    if parts.lines is not None:
        found.variants = store.variants_of_shop(conn, shop_id, (v for v, _ in parts.lines))
        for variant_id, _ in parts.lines:
            if variant_id not in found.variants:
                errors.add("variant.id", f"Variant {variant_id} does not exist in this shop")
    if parts.contact is not None:
        found.contact = store.contact_by_email(conn, shop_id, fold(parts.contact["email"]))
        if found.contact is None:
            for name in ("name", "phone_number"):
                if not parts.contact.get(name):
                    errors.add(f"contact.{name}", "is required to create a new contact")
    if parts.address_id is not None:
        found.address = store.get_address(conn, parts.address_id)
        if found.address is None or found.address["shop_id"] != shop_id:
            errors.add("address.id", f"Address {parts.address_id} does not exist in this shop")
    return found


def _save_contact(
    conn: sqlite3.Connection, shop_id: int, existing: store.Row | None, values: dict[str, str]
) -> int:
    """Reuse the shop's contact with this email, updating the fields given (which every order of
    that contact then shows), or create it."""
    if existing is None:
        name, email = values["name"], values["email"]
        return store.save_contact(
            conn,
            None,
            shop_id=shop_id,
            name=name,
            email=email,
            email_key=fold(email),
            phone_number=values["phone_number"],
            rut=values.get("rut"),
            search=contact_search(name, email),
        )
    changes = {k: v for k, v in values.items() if k != "email" and v != "" and v != existing[k]}
    if "name" in changes:
        changes["search"] = contact_search(changes["name"], existing["email"])
    return store.save_contact(conn, existing["id"], **changes)


def _priced_lines(
    parts: Parts, found: Resolved, promotion: store.Row | None
) -> list[dict[str, Any]]:
    """The line items of the request, priced (with the order's promotion, when it has one)."""
    lines: list[dict[str, Any]] = []
    for variant_id, units in parts.lines or ():
        v = found.variants[variant_id]
        net = v["price"] * units
        discount, description = 0, None
        if promotion is not None and not promotion["free_shipping"]:
            discount = line_discount(promotion["discount"], promotion["discount_type"], net)
            description = promotion["description"] if discount else None
        lines.append(
            {
                "product_id": v["product_id"],
                "variant_id": variant_id,
                "product_title": v["product_title"],
                "product_slug": v["slug"],
                "variant_title": v["title"],
                "variant_sku": v["sku"],
                "unit_price": v["price"],
                "units": units,
                "requested_units": units,
                "discount_total": discount,
                "discount_description": description,
                "net_total": net,
                "total": net - discount,
                "product_weight_in_grams": v["weight_in_grams"],
                "weight_in_grams": v["weight_in_grams"] * units,
                "image_id": v["image_id"],
                "image_file": v["image_file"],
            }
        )
    return lines


def _shipping(address: store.Row, promotion: store.Row | None) -> tuple[str, int, int]:
    """Shipping description, price and discount to the address (priced by its zone)."""
    zone = _ZONE_OF_CITY.get(address["locality_name"] or "")
    if zone is None:
        return "", 0, 0
    description, price = ZONES[zone]
    if promotion is not None and promotion["free_shipping"]:
        return description, 0, price
    return description, price, 0


def create_order(db: Database, shop_id: int, body: Any) -> int:
    """Create an order in ``checkout`` from the create-order seed page's request body; its id."""
    body = _body_object(body)
    errors = ErrorList()
    parts = _check_parts(body, errors, lines_required=True)
    with db.session() as conn:
        found = _resolve(conn, shop_id, parts, errors)
        errors.raise_if_any(422)
        when = now()
        contact_id = None
        if parts.contact is not None:
            contact_id = _save_contact(conn, shop_id, found.contact, parts.contact)
        new_address_id = None
        shipping_description, shipping, shipping_discount = "", 0, 0
        if found.address is not None:
            new_address_id = store.copy_address(conn, shop_id, found.address["id"])
            shipping_description, shipping, shipping_discount = _shipping(found.address, None)
        lines = _priced_lines(parts, found, None)
        net_total = sum(line["net_total"] for line in lines)
        order_id = store.next_order_id(conn)
        code = order_code(order_id)
        order = {
            "id": order_id,
            "shop_id": shop_id,
            "code": code,
            "status": "checkout",
            "contact_id": contact_id,
            "address_id": new_address_id,
            "promotion_id": None,
            "net_total": net_total,
            "shipping_total": shipping,
            "discount_total": 0,
            "total": net_total + shipping,
            "created_on": when,
            "updated_on": when,
            "shipping_description": shipping_description,
            "shipped_email_sent": 0,
            "closed_email_sent": 0,
            "total_weight_in_grams": sum(line["weight_in_grams"] for line in lines),
            "fulfillment_method": "shipping",
            "coupon_amount": 0,
            "search": order_search(code, (line["product_title"] for line in lines)),
            "currency_code": CURRENCY_CODE,
            "shipping_discount": shipping_discount,
            "tags": "",
        }
        store.insert_order(conn, order, lines)
        store.add_event(conn, order_id, None, "checkout", when)
        store.note_write(conn, shop_id, when)
    return order_id


def update_order(db: Database, order_id: int, body: Any) -> None:
    """Apply a ``PUT`` on an order in ``checkout``: its line items, contact and address, each
    optional, with create_order's rules; totals, weight and shipping follow."""
    body = _body_object(body)
    with db.session() as conn:
        row = store.order_row(conn, order_id)
        if row is None:
            raise ApiError(404, "id", f"Order {order_id} does not exist")
        if row["status"] != "checkout":
            raise ApiError(422, "status", f"{NOT_IN_CHECKOUT} (this one is {row['status']})")
        errors = ErrorList()
        for key in body:
            if key not in ORDER_PARTS:
                hint = "; its status and tracking change by btc:update_order_tracking"
                errors.add(
                    key,
                    f"is not an attribute of update_order; it takes {', '.join(ORDER_PARTS)}"
                    + (hint if key in TRACKING_FIELDS else ""),
                )
        parts = _check_parts(body, errors, lines_required=False)
        shop_id = row["shop_id"]
        found = _resolve(conn, shop_id, parts, errors)
        errors.raise_if_any(422)

        when = now()
        promotion = (
            None if row["promotion_id"] is None else store.get_promotion(conn, row["promotion_id"])
        )
        changes: dict[str, Any] = {"updated_on": when}
        if parts.contact is not None:
            changes["contact_id"] = _save_contact(conn, shop_id, found.contact, parts.contact)
        shipping = row["shipping_total"]
        if found.address is not None:
            changes["address_id"] = store.copy_address(conn, shop_id, found.address["id"])
            description, shipping, shipping_discount = _shipping(found.address, promotion)
            changes.update(
                shipping_description=description,
                shipping_total=shipping,
                shipping_discount=shipping_discount,
            )
        if parts.lines is not None:
            lines = _priced_lines(parts, found, promotion)
            store.replace_lines(conn, order_id, lines)
            net = sum(line["net_total"] for line in lines)
            line_discounts = sum(line["discount_total"] for line in lines)
            coupon = min(row["coupon_amount"], net - line_discounts)
            changes.update(
                net_total=net,
                coupon_amount=coupon,
                discount_total=line_discounts + coupon,
                total_weight_in_grams=sum(line["weight_in_grams"] for line in lines),
                search=order_search(row["code"], (line["product_title"] for line in lines)),
            )
        net = changes.get("net_total", row["net_total"])
        discount = changes.get("discount_total", row["discount_total"])
        changes["total"] = net + shipping - discount
        store.update_order(conn, order_id, changes)
        store.note_write(conn, shop_id, when)


def update_tracking(db: Database, order_id: int, body: Any) -> None:
    """Apply a ``PUT`` on an order's tracking: ``status`` (along :data:`TRANSITIONS`),
    ``tracking_code`` and ``courier_name``, each optional."""
    body = _body_object(body)
    errors = ErrorList()
    for key in body:
        if key not in TRACKING_FIELDS:
            errors.add(key, f"is not a tracking attribute; it takes {', '.join(TRACKING_FIELDS)}")
    if "status" in body and body["status"] not in STATUSES:
        errors.add("status", f"must be one of {', '.join(STATUSES)}")
    for key in ("tracking_code", "courier_name"):
        if key in body and body[key] is not None and not isinstance(body[key], str):
            errors.add(key, "must be a string or null")
    errors.raise_if_any(422)

    with db.session() as conn:
        row = store.order_row(conn, order_id)
        if row is None:
            raise ApiError(404, "id", f"Order {order_id} does not exist")
        when = now()
        changes = status_changes(row, body["status"], when) if "status" in body else {}
        for key in TRACKING_FIELDS[1:]:
            if key in body:
                changes[key] = body[key]
        changes["updated_on"] = when
        store.update_order(conn, order_id, changes)
        if "status" in changes:
            store.add_event(conn, order_id, row["status"], changes["status"], when)
        store.note_write(conn, row["shop_id"], when)


@dataclass
class BulkResult:
    """What a bulk update did: updated ids and refused ids with their errors, in request order
    (each id once); ``orders``: the current ``id``, ``code``, ``status`` of the shop's orders
    among them."""

    valid: list[int] = field(default_factory=list[int])
    invalid: list[tuple[int, ErrorPairs]] = field(default_factory=list[tuple[int, ErrorPairs]])
    orders: dict[int, store.Row] = field(default_factory=dict[int, store.Row])


def validate_bulk(body: Any) -> tuple[list[int], dict[str, Any], dict[str, Any]]:
    """``ids``, ``additions`` and ``removals`` of an update-orders request, or a 422."""
    body = _body_object(body)
    errors = ErrorList()
    ids = _as_array(body.get("ids"))
    if ids is None or not all(is_sqlite_int(i) for i in ids):
        errors.add("ids", "is required: an array of order ids (integers)")
    additions = _as_object(body.get("additions"))
    if additions is None:
        errors.add("additions", "is required: an object with the attributes to set")
        additions = {}
    for key in additions:
        if key != "status":
            errors.add(f"additions.{key}", "is not supported; only status can be set")
    if additions.get("status") not in BULK_STATUSES:
        errors.add("additions.status", f"must be one of {', '.join(BULK_STATUSES)}")
    removals = _as_object(body.get("removals", {}))
    if removals is None:
        errors.add("removals", "must be an object")
    errors.raise_if_any(422)
    return cast(list[int], ids), additions, removals or {}


SUMMARY_SQL = "SELECT id, shop_id, code, status FROM orders WHERE id IN ({marks})"


def update_many(db: Database, shop_id: int, ids: list[int], status: str) -> BulkResult:
    """Set ``status`` on each order on its own (not transactional): unknown ids and refused
    transitions are reported, the others are updated. An id given more than once is handled
    and reported once, where it first appears (again would be a no-op, or the same refusal)."""
    result = BulkResult()
    wanted = list(dict.fromkeys(ids))
    with db.session() as conn:
        sql = "SELECT * FROM orders WHERE id IN ({marks})"
        by_id = {
            row["id"]: row
            for row in store.in_chunks(conn, sql, wanted)
            if row["shop_id"] == shop_id
        }
        when = now()
        for order_id in wanted:
            row = by_id.get(order_id)
            if row is None:
                message = f"Order {order_id} does not exist in this shop"
                result.invalid.append((order_id, [("id", [message])]))
                continue
            try:
                changes = status_changes(row, status, when)
            except ApiError as refused:
                result.invalid.append((order_id, refused.errors))
                continue
            store.update_order(conn, order_id, {**changes, "updated_on": when})
            if changes:
                store.add_event(conn, order_id, row["status"], status, when)
            result.valid.append(order_id)
        if result.valid:
            store.note_write(conn, shop_id, when)
        result.orders = {row["id"]: row for row in store.in_chunks(conn, SUMMARY_SQL, list(by_id))}
    return result
