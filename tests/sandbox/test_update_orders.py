"""Updating orders: one with PUT (transitions checked), many with the updaters endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from halnav.sandbox import TRANSITIONS, SandboxURL, make_app

from .conftest import Api, errors_of

KNOWN = -1  # stands for an existing order id in parametrized bodies
STATUSES = ("checkout", "pending", "closed", "shipped", "invalid")
DATE_OF = {"pending": "pending_on", "closed": "closed_on", "shipped": "shipped_on"}


def _order_with(url: SandboxURL, status: str) -> int:
    rows = url.db.query(
        "SELECT id FROM orders WHERE shop_id = ? AND status = ? ORDER BY id LIMIT 1",
        (url.shop_id, status),
    )
    return rows[0][0]  # type: ignore[no-any-return]


def _href(url: SandboxURL, order_id: int) -> str:
    return f"{url.base_url}/v1/shops/{url.shop_id}/orders/{order_id}.json"


def test_transition_table_is_the_sandboxs_own_rule() -> None:
    # The seed pages name the statuses but define no transitions: this table is the sandbox's.
    assert TRANSITIONS == {
        "checkout": ("checkout", "pending", "closed", "invalid"),
        "pending": ("pending", "closed", "invalid"),
        "closed": ("closed", "shipped", "invalid"),
        "shipped": ("shipped",),
        "invalid": ("invalid", "pending"),
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
    order_id = app.db.query(
        "SELECT id FROM orders WHERE shop_id = 29 ORDER BY id LIMIT 1 OFFSET ?",
        (STATUSES.index(current) * 5 + STATUSES.index(target),),
    )[0][0]
    app.db.execute(
        "UPDATE orders SET status = ?, pending_on = NULL, closed_on = NULL, shipped_on = NULL"
        " WHERE id = ?",
        (current, order_id),
    )
    headers = {"Authorization": "Bearer sandbox-shop1-admin-token"}
    response = app_client.put(
        f"/v1/shops/29/orders/{order_id}.json", json={"status": target}, headers=headers
    )
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
        (message,) = [e for e in response.json["_embedded"]["errors"] if e["field"] == "status"][0][
            "messages"
        ]
        assert f"from {current!r} to {target!r}" in message
        assert ", ".join(TRANSITIONS[current]) in message
        status = app.db.query("SELECT status FROM orders WHERE id = ?", (order_id,))[0][0]
        assert status == current


def test_put_sets_the_status_date_and_other_attributes(api: Api) -> None:
    url = api.url
    order_id = _order_with(url, "closed")
    link = api.doc(_href(url, order_id))["_links"]["btc:update_order"]
    assert link["method"] == "put"
    body = {"status": "shipped", "tracking_code": "TRK123", "courier_name": "Starken"}
    response = api.put(link["href"], json=body)
    assert response.status_code == 200
    order = response.json()
    assert order["status"] == "shipped"
    assert order["shipped_on"] is not None and order["shipped_on"] == order["updated_on"]
    assert order["tracking_code"] == "TRK123" and order["courier_name"] == "Starken"
    assert api.doc(link["href"]) == order


def test_put_refused_transition_is_422_and_changes_nothing(api: Api) -> None:
    url = api.url
    order_id = _order_with(url, "shipped")
    before = api.doc(_href(url, order_id))
    response = api.put(_href(url, order_id), json={"status": "pending", "tracking_code": "X"})
    assert response.status_code == 422
    assert errors_of(response)["status"] == [
        "Cannot change status from 'shipped' to 'pending'; allowed next statuses: shipped"
    ]
    assert api.doc(_href(url, order_id)) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "paid"}, "status"),
        ({"total": 1}, "total"),
        ({"code": "RAAAAAA"}, "code"),
        ({"tracking_code": 12}, "tracking_code"),
        ({"shipping_description": None}, "shipping_description"),
    ],
)
def test_put_invalid_attributes_are_422(api: Api, body: dict[str, Any], field: str) -> None:
    response = api.put(_href(api.url, api.url.order_ids[0]), json=body)
    assert response.status_code == 422
    assert field in errors_of(response)


def test_put_malformed_json_is_400(api: Api) -> None:
    response = api.put(_href(api.url, api.url.order_ids[0]), data=b"[1,")
    assert response.status_code == 400
    assert "body" in errors_of(response)


def test_put_unknown_order_is_404(api: Api) -> None:
    assert api.put(_href(api.url, 42), json={"status": "closed"}).status_code == 404


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
        assert item["status"] == "closed"
        assert item["_links"]["self"]["href"] == _href(url, item["id"])
        assert item["code"] and item["closed_on"]
    assert set(_statuses(url, ids).values()) == {"closed"}


def test_update_many_is_not_transactional(api: Api) -> None:
    url = api.url
    good, refused = _order_with(url, "closed"), _order_with(url, "checkout")
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
    assert refused_item["status"] == "checkout"  # the order as it is, unchanged
    assert refused_item["_embedded"]["errors"][0]["field"] == "status"
    assert "allowed next statuses" in refused_item["_embedded"]["errors"][0]["messages"][0]
    assert "line_items" in refused_item["_embedded"]
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
    pending, refused = _order_with(url, "pending"), _order_with(url, "shipped")
    ids = [pending, 12001, pending, refused, 12001, refused, pending]
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
    assert _statuses(url, [pending, refused]) == {pending: "closed", refused: "shipped"}


@pytest.mark.parametrize("status", ["pending", "closed", "shipped", "invalid"])
def test_update_many_accepts_the_documented_statuses(api: Api, status: str) -> None:
    source = {"pending": "checkout", "closed": "pending", "shipped": "closed", "invalid": "pending"}
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
    answer = api.post(_updaters(api), json={"ids": ids, "additions": {"status": "invalid"}})
    assert answer.status_code == 200
    embedded = answer.json()["_embedded"]
    shipped = sum(
        1 for status in _statuses(url, list(url.order_ids)).values() if status == "shipped"
    )
    assert len(embedded["valid_items"]) == len(url.order_ids) - shipped
    assert len(embedded["invalid_items"]) == 3000 + shipped
