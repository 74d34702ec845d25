"""Every write moves the order's updated_on (a client syncs by it), and records its status changes
as the order's events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from halnav.sandbox import SandboxApp, make_app
from halnav.sandbox import _orders as orders_module

from .conftest import message_of

ADMIN = {"Authorization": "Bearer sandbox-shop1-admin-token"}
NOW = "2030-01-02T03:04:05"
ORDERS = "/v1/shops/29/orders.json"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    """The app alone, its writes dated :data:`NOW`."""
    monkeypatch.setattr(orders_module, "now", lambda: NOW)
    app = make_app(orders=80, seed=5)
    yield Client(app)
    app.close()


def _app(client: Client) -> SandboxApp:
    app = client.application
    assert isinstance(app, SandboxApp)
    return app


def _first(client: Client, status: str) -> dict[str, Any]:
    page = client.get(f"{ORDERS}?status={status}&per_page=1", headers=ADMIN).json
    return page["_embedded"]["items"][0]  # type: ignore[no-any-return]


def _local(href: str) -> str:
    """The path and query of an absolute href (the test client takes those)."""
    return "/" + href.split("://", 1)[1].split("/", 1)[1]


def _synced(client: Client) -> list[int]:
    """The ids a sync from just before NOW finds, in its order."""
    query = "updated_on_gte=2030-01-02T03:04:05Z&sort=updated_on.asc&per_page=200"
    page = client.get(f"{ORDERS}?{query}", headers=ADMIN).json
    return [order["id"] for order in page["_embedded"]["items"]]


def test_no_seeded_order_is_from_the_future(client: Client) -> None:
    assert _synced(client) == []


def test_creating_an_order_dates_it_now(client: Client) -> None:
    variant = _app(client).db.query("SELECT id FROM variants WHERE shop_id = 29 LIMIT 1")[0][0]
    body = {"line_items": [{"variant_id": variant, "units": 1}]}
    created = client.post("/v1/shops/29/orders", json=body, headers=ADMIN).json
    assert created["created_on"] == created["updated_on"] == NOW + "Z"
    assert _synced(client) == [created["id"]]


def test_update_order_dates_it_now_even_when_nothing_changes(client: Client) -> None:
    order = _first(client, "checkout")
    href = _local(order["_links"]["btc:update_order"]["href"])
    updated = client.put(href, json={}, headers=ADMIN).json
    assert updated["updated_on"] == NOW + "Z"
    assert _synced(client) == [order["id"]]


def test_tracking_dates_it_now(client: Client) -> None:
    order = _first(client, "shipped")
    href = _local(order["_links"]["btc:update_order_tracking"]["href"])
    updated = client.put(href, json={"tracking_code": "T-1"}, headers=ADMIN).json
    assert updated["updated_on"] == NOW + "Z"
    assert updated["shipped_on"] == order["shipped_on"]  # no status change: its date stays
    assert _synced(client) == [order["id"]]


def test_a_bulk_update_dates_every_order_it_updated(client: Client) -> None:
    pending = [
        o["id"]
        for o in client.get(f"{ORDERS}?status=pending", headers=ADMIN).json["_embedded"]["items"][
            :3
        ]
    ]
    refused = _first(client, "checkout")["id"]
    body = {"ids": [*pending, refused], "additions": {"status": "closed"}}
    answer = client.post("/v1/shops/29/orders/updaters.json", json=body, headers=ADMIN).json
    assert [item["id"] for item in answer["_embedded"]["valid_items"]] == pending
    assert sorted(_synced(client)) == sorted(pending)  # the refused one is not touched
    # already closed: allowed (closed -> closed), changes nothing, still a write
    again = client.post(
        "/v1/shops/29/orders/updaters.json",
        json={"ids": pending[:1], "additions": {"status": "closed"}},
        headers=ADMIN,
    ).json
    assert [item["id"] for item in again["_embedded"]["valid_items"]] == pending[:1]


def _events(client: Client, order: dict[str, Any]) -> list[dict[str, Any]]:
    href = _local(order["_links"]["btc:events"]["href"].split("{")[0])
    page = client.get(href, headers=ADMIN)
    assert page.status_code == 200, page.text
    doc = page.json
    assert doc["_class"] == ["results", "events"]
    assert doc["_links"]["btc:order"]["href"] == order["_links"]["self"]["href"]
    assert doc["total_items"] == len(doc["_embedded"]["items"])
    return doc["_embedded"]["items"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("status", "path"),
    [
        ("checkout", ["checkout"]),
        ("pending", ["checkout", "pending"]),
        ("closed", ["checkout", "pending", "closed"]),
        ("shipped", ["checkout", "pending", "closed", "shipped"]),
        ("delivered", ["checkout", "pending", "closed", "shipped", "delivered"]),
    ],
)
def test_seeded_orders_have_the_events_of_their_status(
    client: Client, status: str, path: list[str]
) -> None:
    order = _first(client, status)
    events = _events(client, order)
    assert [e["to_status"] for e in events] == path
    assert [e["from_status"] for e in events] == [None, *path[:-1]]
    assert all(set(e) == {"_class", "id", "type", "from_status", "to_status", "created_on"}
               for e in events)  # fmt: skip
    assert events[0]["created_on"] == order["created_on"]
    dates = {"pending": "pending_on", "closed": "closed_on", "shipped": "shipped_on"}
    for event in events[1:]:
        if event["to_status"] in dates:
            assert event["created_on"] == order[dates[event["to_status"]]]
    stamps = [e["created_on"] for e in events]
    assert stamps == sorted(stamps) and stamps[-1] <= order["updated_on"]


def test_invalid_orders_end_with_their_invalidation(client: Client) -> None:
    events = _events(client, _first(client, "invalid"))
    assert events[0]["to_status"] == "checkout" and events[-1]["to_status"] == "invalid"


def test_status_changes_are_recorded_as_events(client: Client) -> None:
    order = _first(client, "closed")
    before = _events(client, order)
    tracking = _local(order["_links"]["btc:update_order_tracking"]["href"])
    client.put(tracking, json={"status": "closed", "courier_name": "Starken"}, headers=ADMIN)
    assert _events(client, order) == before  # no change of status, no event
    client.put(tracking, json={"status": "shipped"}, headers=ADMIN)
    body = {"ids": [order["id"]], "additions": {"status": "delivered"}}
    client.post("/v1/shops/29/orders/updaters.json", json=body, headers=ADMIN)
    after = _events(client, order)
    assert after[: len(before)] == before
    assert [(e["from_status"], e["to_status"], e["created_on"]) for e in after[len(before) :]] == [
        ("closed", "shipped", NOW + "Z"),
        ("shipped", "delivered", NOW + "Z"),
    ]


def test_a_new_order_starts_with_its_creation(client: Client) -> None:
    variant = _app(client).db.query("SELECT id FROM variants WHERE shop_id = 29 LIMIT 1")[0][0]
    body = {"line_items": [{"variant_id": variant, "units": 1}]}
    created = client.post("/v1/shops/29/orders", json=body, headers=ADMIN).json
    (event,) = _events(client, created)
    assert (event["from_status"], event["to_status"], event["created_on"]) == (
        None,
        "checkout",
        NOW + "Z",
    )


def test_events_page_past_the_last_is_404(client: Client) -> None:
    order = _first(client, "pending")
    href = _local(order["_links"]["btc:events"]["href"].split("{")[0])
    response = client.get(f"{href}?page=2", headers=ADMIN)
    assert response.status_code == 404
    assert "does not exist" in message_of(response)
    one = client.get(f"{href}?per_page=1&page=2", headers=ADMIN).json
    assert [e["to_status"] for e in one["_embedded"]["items"]] == ["pending"]
