"""The order rules: status transitions, creating an order, updating one, updating many.

Validation answers 422 with every problem found (fields named as on the create-order seed page:
``line_items``, ``line_items.units``, ``variant.id``, ``contact.email``...). Checks run before any
write inside one locked session, so a refused request changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from . import _store as store
from ._db import Database, is_sqlite_int
from ._errors import ApiError, ErrorList
from ._filters import STATUSES
from ._seed import contact_search, fold, order_code, order_search
from ._vocab import CITIES, ZONES

# current status -> statuses it may be set to (setting the current one again is a no-op)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "checkout": ("checkout", "pending", "closed", "invalid"),
    "pending": ("pending", "closed", "invalid"),
    "closed": ("closed", "shipped", "invalid"),
    "shipped": ("shipped",),
    "invalid": ("invalid", "pending"),
}
BULK_STATUSES = ("pending", "closed", "shipped", "invalid")  # the update-orders seed page's list
UPDATABLE = ("status", "tracking_code", "courier_name", "shipping_description")
CONTACT_FIELDS = ("email", "name", "phone_number", "rut")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_ZONE_OF_CITY = {city[0]: city[4] for city in CITIES}


def now() -> str:
    """The current UTC time in the API's date format."""
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")


def status_changes(row: store.Row, new: str, when: str) -> dict[str, Any]:
    """The column changes that move an order to ``new``; a 422 when the move is not allowed."""
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


def _body_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "body", "must be a JSON object")
    return body


def create_order(db: Database, shop_id: int, body: Any) -> int:
    """Create an order in ``checkout`` from the create-order seed page's request body; its id."""
    body = _body_object(body)
    errors = ErrorList()

    requested: list[tuple[int, int]] = []
    raw_lines = body.get("line_items")
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.add("line_items", "is required: a non-empty array of {variant_id, units} objects")
    else:
        for item in raw_lines:
            if not isinstance(item, dict):
                errors.add(
                    "line_items", "each line item must be an object with variant_id and units"
                )
                continue
            variant_id, units = item.get("variant_id"), item.get("units")
            if not is_sqlite_int(variant_id):
                errors.add("line_items.variant_id", "is required and must be an integer")
            if not is_sqlite_int(units) or units < 1:
                errors.add("line_items.units", "is required and must be an integer >= 1")
            if is_sqlite_int(variant_id) and is_sqlite_int(units) and units >= 1:
                requested.append((variant_id, units))

    contact = body.get("contact")
    if contact is not None and not isinstance(contact, dict):
        errors.add("contact", "must be an object")
        contact = None
    if contact is not None:
        for name in CONTACT_FIELDS:
            if contact.get(name) is not None and not isinstance(contact[name], str):
                errors.add(f"contact.{name}", "must be a string")
        email = contact.get("email")
        if not isinstance(email, str) or not email.strip():
            errors.add("contact.email", "is required when a contact is given")
            contact = None  # nothing to look up
        elif not _EMAIL.fullmatch(email.strip()):
            errors.add("contact.email", f"{email!r} is not a valid email address")
            contact = None

    address = body.get("address")
    address_id = None
    if address is not None:
        if not isinstance(address, dict) or not is_sqlite_int(address.get("id")):
            errors.add("address.id", "must be an integer (the id of an address of this shop)")
        else:
            address_id = address["id"]

    with db.session() as conn:
        variants = store.variants_of_shop(conn, shop_id, (v for v, _ in requested))
        for variant_id, _ in requested:
            if variant_id not in variants:
                errors.add("variant.id", f"Variant {variant_id} does not exist in this shop")

        existing = None
        contact_values: dict[str, str] = {}
        if contact is not None:
            contact_values = {
                k: contact[k].strip() for k in CONTACT_FIELDS if isinstance(contact.get(k), str)
            }
            existing = store.contact_by_email(conn, shop_id, fold(contact_values["email"]))
            if existing is None:
                for name in ("name", "phone_number"):
                    if not contact_values.get(name):
                        errors.add(f"contact.{name}", "is required to create a new contact")

        source_address = None
        if address_id is not None:
            source_address = store.get_address(conn, address_id)
            if source_address is None or source_address["shop_id"] != shop_id:
                errors.add("address.id", f"Address {address_id} does not exist in this shop")

        errors.raise_if_any(422)
        when = now()

        contact_id = None
        if contact is not None:
            contact_id = _save_contact(conn, shop_id, existing, contact_values)

        new_address_id = None
        shipping, shipping_description = 0, ""
        if source_address is not None:
            new_address_id = store.copy_address(conn, shop_id, source_address["id"])
            zone = _ZONE_OF_CITY.get(source_address["locality_name"] or "")
            if zone is not None:
                shipping_description, shipping = ZONES[zone]

        lines = []
        for variant_id, units in requested:
            v = variants[variant_id]
            net = v["price"] * units
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
                    "discount_total": 0,
                    "discount_description": None,
                    "net_total": net,
                    "total": net,
                    "product_weight_in_grams": v["weight_in_grams"],
                    "weight_in_grams": v["weight_in_grams"] * units,
                    "image_id": v["image_id"],
                    "image_file": v["image_file"],
                }
            )
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
        }
        store.insert_order(conn, order, lines)
        store.note_write(conn, shop_id, when)
    return order_id


def _save_contact(
    conn: Any, shop_id: int, existing: store.Row | None, values: dict[str, str]
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


def update_order(db: Database, order_id: int, body: Any) -> None:
    """Apply a PUT: the updatable attributes only, with the status transition checked."""
    body = _body_object(body)
    errors = ErrorList()
    for key in body:
        if key not in UPDATABLE:
            errors.add(key, f"is not an updatable attribute; updatable: {', '.join(UPDATABLE)}")
    if "status" in body and body["status"] not in STATUSES:
        errors.add("status", f"must be one of {', '.join(STATUSES)}")
    for key in ("tracking_code", "courier_name"):
        if key in body and body[key] is not None and not isinstance(body[key], str):
            errors.add(key, "must be a string or null")
    if "shipping_description" in body and not isinstance(body["shipping_description"], str):
        errors.add("shipping_description", "must be a string")
    errors.raise_if_any(422)

    with db.session() as conn:
        row, _ = store.get_order(conn, order_id)
        if row is None:
            raise ApiError(404, "id", f"Order {order_id} does not exist")
        when = now()
        changes = status_changes(row, body["status"], when) if "status" in body else {}
        for key in UPDATABLE[1:]:
            if key in body and body[key] != row[key]:
                changes[key] = body[key]
        if changes:
            changes["updated_on"] = when
            store.update_order(conn, order_id, changes)
            store.note_write(conn, row["shop_id"], when)


@dataclass
class BulkResult:
    """What a bulk update did: updated ids and refused ids with their errors, in request order
    (each id once); the current rows and line items of the shop's orders among them."""

    valid: list[int] = field(default_factory=list)
    invalid: list[tuple[int, list[tuple[str, list[str]]]]] = field(default_factory=list)
    orders: dict[int, store.Row] = field(default_factory=dict)
    items: store.Items = field(default_factory=dict)


def validate_bulk(body: Any) -> tuple[list[int], dict[str, Any], dict[str, Any]]:
    """``ids``, ``additions`` and ``removals`` of an update-orders request, or a 422."""
    body = _body_object(body)
    errors = ErrorList()
    ids = body.get("ids")
    if not isinstance(ids, list) or not all(is_sqlite_int(i) for i in ids):
        errors.add("ids", "is required: an array of order ids (integers)")
    additions = body.get("additions")
    if not isinstance(additions, dict):
        errors.add("additions", "is required: an object with the attributes to set")
        additions = {}
    for key in additions:
        if key != "status":
            errors.add(f"additions.{key}", "is not supported; only status can be set")
    if additions.get("status") not in BULK_STATUSES:
        errors.add("additions.status", f"must be one of {', '.join(BULK_STATUSES)}")
    removals = body.get("removals", {})
    if not isinstance(removals, dict):
        errors.add("removals", "must be an object")
    errors.raise_if_any(422)
    return ids, additions, removals  # type: ignore[return-value]


def update_many(db: Database, shop_id: int, ids: list[int], status: str) -> BulkResult:
    """Set ``status`` on each order on its own (not transactional): unknown ids and refused
    transitions are reported, the others are updated. An id given more than once is handled
    and reported once, where it first appears (again would be a no-op, or the same refusal)."""
    result = BulkResult()
    with db.session() as conn:
        rows, _ = store.get_orders(conn, ids)
        by_id = {row["id"]: row for row in rows if row["shop_id"] == shop_id}
        when = now()
        changed = False
        for order_id in dict.fromkeys(ids):
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
            if changes:
                changes["updated_on"] = when
                store.update_order(conn, order_id, changes)
                changed = True
            result.valid.append(order_id)
        if changed:
            store.note_write(conn, shop_id, when)
        rows, result.items = store.get_orders(conn, list(by_id))
        result.orders = {row["id"]: row for row in rows}
    return result
