"""Updating orders: one's tracking and status (transitions checked), one's parts while in checkout,
many at once with the updaters endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from werkzeug.test import Client

from halnav.sandbox import TRANSITIONS, SandboxURL, make_app

from .conftest import Api, errors_of, message_of

KNOWN = -1  # stands for an existing order id in parametrized bodies
STATUSES = ("checkout", "pending", "invalid", "closed", "shipped", "delivered")
DATE_OF = {"pending": "pending_on", "closed": "closed_on", "shipped": "shipped_on"}
ADMIN = {"Authorization": "Bearer sandbox-shop1-admin-token"}


def _order_with(url: SandboxURL, status: str, offset: int = 0) -> int:
    rows = url.db.query(
        "SELECT id FROM orders WHERE shop_id = ? AND status = ? ORDER BY id LIMIT 1 OFFSET ?",
        (url.shop_id, status, offset),
    )
    return rows[0][0]  # type: ignore[no-any-return]


def _code(url: SandboxURL, order_id: int) -> str:
    return url.db.query("SELECT code FROM orders WHERE id = ?", (order_id,))[0][0]  # type: ignore[no-any-return]


def _href(url: SandboxURL, order_id: int) -> str:
    return f"{url.base_url}/v1/shops/{url.shop_id}/orders/{_code(url, order_id)}"


def test_transition_table_is_the_real_apis() -> None:
    assert TRANSITIONS == {
        "checkout": ("checkout", "pending", "invalid"),
        "pending": ("pending", "closed", "invalid"),
        "invalid": ("invalid", "pending"),
        "closed": ("closed", "pending", "invalid", "shipped"),
        "shipped": ("shipped", "pending", "invalid", "delivered"),
        "delivered": ("delivered", "pending", "invalid"),
    }


@pytest.fixture(scope="module")
def app_client() -> Iterator[Client]:
    """The WSGI app alone (no socket): cheap enough to try every transition."""
    app = make_app(orders=60, seed=3)
    yield Client(app)
    app.close()


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_every_transition(app_client: Client, current: str, target: str) -> None:
    app = app_client.application
    order_id, code = app.db.query(
        "SELECT id, code FROM orders WHERE shop_id = 29 ORDER BY id LIMIT 1 OFFSET ?",
        (STATUSES.index(current) * len(STATUSES) + STATUSES.index(target),),
    )[0]
    app.db.execute(
        "UPDATE orders SET status = ?, pending_on = NULL, closed_on = NULL, shipped_on = NULL"
        " WHERE id = ?",
        (current, order_id),
    )
    order = app_client.get(f"/v1/shops/29/orders/{code}", headers=ADMIN).json
    assert order["allowed_statuses"] == list(TRANSITIONS[current])
    tracking = urlsplit(order["_links"]["btc:update_order_tracking"]["href"]).path
    response = app_client.put(tracking, json={"status": target}, headers=ADMIN)
    if target in TRANSITIONS[current]:
        assert response.status_code == 200, response.text
        order = response.json
        assert order["status"] == target
        if target != current and target in DATE_OF:
            assert order[DATE_OF[target]] is not None
            assert order["updated_on"] == order[DATE_OF[target]]
        if target == "closed" and current != "closed":
            assert order["pending_on"] is not None  # a closed order was pending once
    else:
        assert response.status_code == 422
        (message,) = errors_of(response)["status"]
        assert f"from {current!r} to {target!r}" in message
        assert ", ".join(TRANSITIONS[current]) in message
        status = app.db.query("SELECT status FROM orders WHERE id = ?", (order_id,))[0][0]
        assert status == current


def test_tracking_sets_the_status_date_and_the_tracking(api: Api) -> None:
    url = api.url
    order = api.doc(_href(url, _order_with(url, "closed")))
    link = order["_links"]["btc:update_order_tracking"]
    assert link["method"] == "put"
    body = {"status": "shipped", "tracking_code": "TRK123", "courier_name": "Starken"}
    response = api.put(link["href"], json=body)
    assert response.status_code == 200
    shipped = response.json()
    assert shipped["status"] == "shipped"
    assert shipped["shipped_on"] is not None and shipped["shipped_on"] == shipped["updated_on"]
    assert shipped["tracking_code"] == "TRK123" and shipped["courier_name"] == "Starken"
    assert shipped["allowed_statuses"] == ["shipped", "pending", "invalid", "delivered"]
    assert api.doc(order["_links"]["self"]["href"]) == shipped
    # the tracking alone, and back to none
    again = api.put(link["href"], json={"tracking_code": None}).json()
    assert again["tracking_code"] is None and again["status"] == "shipped"
    delivered = api.put(link["href"], json={"status": "delivered"}).json()
    assert delivered["status"] == "delivered"


def test_a_refused_transition_is_422_and_changes_nothing(api: Api) -> None:
    url = api.url
    href = _href(url, _order_with(url, "shipped"))
    before = api.doc(href)
    tracking = before["_links"]["btc:update_order_tracking"]["href"]
    response = api.put(tracking, json={"status": "checkout", "tracking_code": "X"})
    assert response.status_code == 422
    assert errors_of(response)["status"] == [
        "Cannot change status from 'shipped' to 'checkout'; allowed next statuses:"
        " shipped, pending, invalid, delivered"
    ]
    assert api.doc(href) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "paid"}, "status"),
        ({"status": "successful"}, "status"),
        ({"total": 1}, "total"),
        ({"line_items": []}, "line_items"),
        ({"tracking_code": 12}, "tracking_code"),
        ({"courier_name": ["x"]}, "courier_name"),
    ],
)
def test_tracking_invalid_attributes_are_422(api: Api, body: dict[str, Any], field: str) -> None:
    response = api.put(_href(api.url, api.url.order_ids[0]) + "/tracking", json=body)
    assert response.status_code == 422
    assert field in errors_of(response)


@pytest.mark.parametrize("path", ["", "/tracking"])
def test_put_malformed_json_is_400(api: Api, path: str) -> None:
    href = _href(api.url, _order_with(api.url, "checkout")) + path
    response = api.put(href, data=b"[1,")
    assert response.status_code == 400
    assert "body" in errors_of(response)


@pytest.mark.parametrize("path", ["", "/tracking"])
def test_put_unknown_order_is_404(api: Api, path: str) -> None:
    href = f"{api.url.base_url}/v1/shops/{api.url.shop_id}/orders/RNOPE00{path}"
    response = api.put(href, json={"status": "closed"})
    assert response.status_code == 404
    assert message_of(response) == f"Order RNOPE00 does not exist in shop {api.url.shop_id}"


def test_the_tracking_of_another_owners_order_is_403(api: Api) -> None:
    url = api.url
    with Api(url, url.tokens["shop2_admin"]) as other:
        response = other.put(_href(url, url.order_ids[0]) + "/tracking", json={"status": "invalid"})
    assert response.status_code == 403


# -- update_order: the parts of an order in checkout -------------------------------------------------


def test_update_order_replaces_the_line_items(api: Api) -> None:
    url = api.url
    order = api.doc(_href(url, _order_with(url, "checkout")))
    link = order["_links"]["btc:update_order"]
    lines = [
        {"variant_id": url.variant_ids[2], "units": 2},
        {"variant_id": url.variant_ids[9], "units": 1},
    ]
    response = api.put(link["href"], json={"line_items": lines})
    assert response.status_code == 200, response.text
    updated = response.json()
    got = [(li["variant_id"], li["units"]) for li in updated["_embedded"]["line_items"]]
    assert got == [(url.variant_ids[2], 2), (url.variant_ids[9], 1)]
    assert updated["units"] == 3
    items = updated["_embedded"]["line_items"]
    assert updated["net_total"] == sum(li["net_total"] for li in items)
    assert updated["total"] == (
        updated["net_total"] + updated["shipping_total"] - updated["discount_total"]
    )
    assert updated["total_weight_in_grams"] == sum(li["weight_in_grams"] for li in items)
    assert updated["status"] == "checkout" and updated["code"] == order["code"]
    assert updated["updated_on"] > order["updated_on"]
    assert api.doc(order["_links"]["self"]["href"]) == updated
    # q searches the new product titles
    title = items[0]["product_title"]
    assert order["id"] in [o["id"] for o in api.all_orders(q=title, status="checkout")]


def test_update_order_sets_contact_and_address(api: Api) -> None:
    url = api.url
    order = api.doc(_href(url, _order_with(url, "checkout")))
    source = next(o for o in api.all_orders() if "address" in o["_embedded"])
    address = source["_embedded"]["address"]
    contact = {"email": "new.buyer@example.org", "name": "New Buyer", "phone_number": "555"}
    body = {"contact": contact, "address": {"id": address["id"]}}
    updated = api.put(order["_links"]["btc:update_order"]["href"], json=body).json()
    assert {k: updated["_embedded"]["contact"][k] for k in contact} == contact
    copied = updated["_embedded"]["address"]
    assert copied["id"] != address["id"]
    assert {k: v for k, v in copied.items() if k != "id"} == {
        k: v for k, v in address.items() if k != "id"
    }
    assert updated["shipping_total"] + updated["shipping_discount"] > 0  # priced by its zone
    assert updated["total"] == (
        updated["net_total"] + updated["shipping_total"] - updated["discount_total"]
    )
    # the line items stay
    assert updated["_embedded"]["line_items"] == order["_embedded"]["line_items"]


@pytest.mark.parametrize("status", ["pending", "closed", "shipped", "delivered", "invalid"])
def test_update_order_only_in_checkout(api: Api, status: str) -> None:
    url = api.url
    href = _href(url, _order_with(url, status))
    before = api.doc(href)
    body = {"line_items": [{"variant_id": url.variant_ids[0], "units": 1}]}
    response = api.put(href, json=body)
    assert response.status_code == 422
    (message,) = errors_of(response)["status"]
    assert message.startswith("only orders in the checkout state can be updated")
    assert api.doc(href) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "pending"}, "status"),
        ({"tracking_code": "X"}, "tracking_code"),
        ({"total": 1}, "total"),
        ({"line_items": []}, "line_items"),
        ({"line_items": [{"variant_id": 1, "units": 1}]}, "variant.id"),
        ({"line_items": [{"variant_id": KNOWN, "units": 0}]}, "line_items.units"),
        ({"contact": {"email": "fresh@example.com"}}, "contact.name"),
        ({"contact": "someone"}, "contact"),
        ({"address": {"id": 1}}, "address.id"),
    ],
)
def test_update_order_takes_create_orders_rules(api: Api, body: dict[str, Any], field: str) -> None:
    url = api.url
    href = _href(url, _order_with(url, "checkout"))
    before = api.doc(href)
    if body.get("line_items") and body["line_items"][0]["variant_id"] == KNOWN:
        body = {"line_items": [{"variant_id": url.variant_ids[0], "units": 0}]}
    response = api.put(href, json=body)
    assert response.status_code == 422
    errors = errors_of(response)
    assert field in errors
    if field in ("status", "tracking_code"):
        assert "btc:update_order_tracking" in errors[field][0]
    assert api.doc(href) == before


# -- update many -----------------------------------------------------------------------------------


def _updaters(api: Api) -> str:
    link = api.shop()["_links"]["btc:update_orders"]
    assert link["method"] == "post"
    return link["href"]  # type: ignore[no-any-return]


def _statuses(url: SandboxURL, ids: list[int]) -> dict[int, str]:
    marks = ",".join("?" * len(ids))
    rows = url.db.query(f"SELECT id, status FROM orders WHERE id IN ({marks})", ids)
    return {row[0]: row[1] for row in rows}


def test_update_many_answer_shape_and_effect(api: Api) -> None:
    url = api.url
    closed = [_order_with(url, "closed")]
    pending = url.db.query(
        "SELECT id FROM orders WHERE shop_id = ? AND status = 'pending' LIMIT 2", (url.shop_id,)
    )
    ids = closed + [row[0] for row in pending]
    body = {"ids": ids, "additions": {"status": "closed"}}
    response = api.post(_updaters(api), json=body)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    answer = response.json()
    assert set(answer) == {"_embedded", "additions", "ids", "removals"}
    assert answer["ids"] == ids
    assert answer["additions"] == {"status": "closed"}
    assert answer["removals"] == {}
    assert answer["_embedded"]["invalid_items"] == []
    valid = answer["_embedded"]["valid_items"]
    assert [item["id"] for item in valid] == ids
    for item in valid:
        # short summaries, as the real API answers: link, id, code, status
        assert set(item) == {"_links", "id", "code", "status"}
        assert item["status"] == "closed"
        assert item["_links"] == {"self": {"href": _href(url, item["id"])}}
        assert item["code"] == _code(url, item["id"])
    assert set(_statuses(url, ids).values()) == {"closed"}


def test_update_many_is_not_transactional(api: Api) -> None:
    url = api.url
    good, refused = _order_with(url, "closed"), _order_with(url, "checkout")  # checkout: no ship
    # closed, so that shipping it would be allowed: only the shop check can refuse it
    other_shop = url.db.query(
        "SELECT id FROM orders WHERE shop_id = ? AND status = 'closed' LIMIT 1",
        (url.other_shop_id,),
    )[0][0]
    other_before = url.db.query("SELECT * FROM orders WHERE id = ?", (other_shop,))
    ids = [good, 12001, refused, other_shop]
    body = {"ids": ids, "additions": {"status": "shipped"}, "removals": {"tags": ["x"]}}
    answer = api.post(_updaters(api), json=body).json()
    assert answer["removals"] == {"tags": ["x"]}
    assert [item["id"] for item in answer["_embedded"]["valid_items"]] == [good]
    invalid = answer["_embedded"]["invalid_items"]
    assert [item["id"] for item in invalid] == [12001, refused, other_shop]
    assert invalid[0] == {
        "id": 12001,
        "_embedded": {
            "errors": [
                {
                    "_class": ["error"],
                    "field": "id",
                    "messages": ["Order 12001 does not exist in this shop"],
                }
            ]
        },
    }
    refused_item = invalid[1]
    assert set(refused_item) == {"_links", "id", "code", "status", "_embedded"}
    assert refused_item["status"] == "checkout"  # the order as it is, unchanged
    assert refused_item["_links"]["self"]["href"] == _href(url, refused)
    assert refused_item["_embedded"]["errors"][0]["field"] == "status"
    assert "allowed next statuses" in refused_item["_embedded"]["errors"][0]["messages"][0]
    assert invalid[2]["_embedded"]["errors"][0]["messages"] == [
        f"Order {other_shop} does not exist in this shop"
    ]
    assert _statuses(url, [good, refused, other_shop])[good] == "shipped"
    assert _statuses(url, [refused])[refused] == "checkout"
    assert _statuses(url, [other_shop])[other_shop] == "closed"  # shop 31's order: untouched
    other_after = url.db.query("SELECT * FROM orders WHERE id = ?", (other_shop,))
    assert [tuple(row) for row in other_after] == [tuple(row) for row in other_before]


def test_update_many_reports_a_repeated_id_once(api: Api) -> None:
    url = api.url
    pending, refused = _order_with(url, "pending"), _order_with(url, "checkout")
    ids = [pending, 12001, pending, refused, 12001, refused, pending]  # shipped: not closed
    answer = api.post(_updaters(api), json={"ids": ids, "additions": {"status": "closed"}})
    assert answer.status_code == 200
    body = answer.json()
    assert body["ids"] == ids  # echoed as given
    valid = [item["id"] for item in body["_embedded"]["valid_items"]]
    invalid = [item["id"] for item in body["_embedded"]["invalid_items"]]
    assert valid == [pending]
    assert invalid == [12001, refused]  # in the order of their first appearance
    # every id given ends up in exactly one list
    assert set(valid) | set(invalid) == set(ids) and not set(valid) & set(invalid)
    assert _statuses(url, [pending, refused]) == {pending: "closed", refused: "checkout"}


@pytest.mark.parametrize("status", ["pending", "closed", "shipped", "invalid", "delivered"])
def test_update_many_accepts_the_documented_statuses(api: Api, status: str) -> None:
    # the seed page's four, and delivered (which it predates)
    source = {
        "pending": "checkout",
        "closed": "pending",
        "shipped": "closed",
        "invalid": "pending",
        "delivered": "shipped",
    }
    order_id = _order_with(api.url, source[status])
    answer = api.post(_updaters(api), json={"ids": [order_id], "additions": {"status": status}})
    assert answer.json()["_embedded"]["valid_items"][0]["status"] == status


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": [KNOWN], "additions": {"status": "checkout"}}, "additions.status"),
        ({"ids": [KNOWN], "additions": {"status": "paid"}}, "additions.status"),
        ({"ids": [KNOWN], "additions": {}}, "additions.status"),
        ({"ids": [KNOWN]}, "additions"),
        ({"ids": [KNOWN], "additions": {"status": "closed", "total": 3}}, "additions.total"),
        ({"additions": {"status": "closed"}}, "ids"),
        ({"ids": "1,2", "additions": {"status": "closed"}}, "ids"),
        ({"ids": [1, "2"], "additions": {"status": "closed"}}, "ids"),
        ({"ids": [True], "additions": {"status": "closed"}}, "ids"),
        ({"ids": [10**20], "additions": {"status": "closed"}}, "ids"),
        ({"ids": [KNOWN], "additions": {"status": "closed"}, "removals": []}, "removals"),
    ],
)
def test_update_many_bad_requests_are_422_and_change_nothing(
    api: Api, body: dict[str, Any], field: str
) -> None:
    url = api.url
    snapshot = url.db.query("SELECT id, status, updated_on FROM orders ORDER BY id")
    if body.get("ids") == [KNOWN]:
        body = {**body, "ids": [url.order_ids[0]]}
    response = api.post(_updaters(api), json=body)
    assert response.status_code == 422
    assert field in errors_of(response)
    assert [
        tuple(r) for r in url.db.query("SELECT id, status, updated_on FROM orders ORDER BY id")
    ] == [tuple(r) for r in snapshot]


def test_update_many_malformed_json_is_400(api: Api) -> None:
    response = api.post(_updaters(api), data=b"ids=1")
    assert response.status_code == 400
    assert "body" in errors_of(response)


def test_update_many_with_thousands_of_ids(api: Api) -> None:
    url = api.url
    ids = list(url.order_ids) + list(range(1, 3001))  # more ids than SQLite takes parameters
    before = _statuses(url, list(url.order_ids))
    answer = api.post(_updaters(api), json={"ids": ids, "additions": {"status": "closed"}})
    assert answer.status_code == 200
    embedded = answer.json()["_embedded"]
    allowed = sum(1 for status in before.values() if "closed" in TRANSITIONS[status])
    assert len(embedded["valid_items"]) == allowed
    assert len(embedded["invalid_items"]) == 3000 + len(url.order_ids) - allowed
