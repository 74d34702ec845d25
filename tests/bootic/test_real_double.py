"""The layer over real HTTP against a double of the live API serving ``fixtures/real/`` documents.

The double is a small WSGI application on 127.0.0.1 (werkzeug, as the sandbox's extra): it answers
with the hand-written documents of the live API's shapes (their ``https://api.bootic.net`` made
its own address), keeps the two orders' state, moves statuses along the documents' transitions,
and records every request, so that a test can say exactly what the layer sent.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from halnav import Unauthorized, UnprocessableEntity
from halnav.bootic import BooticClient, InvalidFilter, InvalidTransition, OrderNotEditable

werkzeug = pytest.importorskip("werkzeug")
from werkzeug.serving import make_server  # noqa: E402
from werkzeug.wrappers import Request, Response  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "real"
TOKEN = "real-shapes-token"


class LiveDouble:
    """The live API's shapes, served from the fixtures; ``requests`` lists (method, path, query)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.bodies: list[Any] = []
        self.docs = {path.stem: self._load(path) for path in FIXTURES.glob("*.json")}
        shop_links = self.docs["root"]["_embedded"]["shops"][0]["_links"]
        shop_links["btc:update-orders"] = {
            "href": f"{base}/v1/shops/47/orders/updaters.json",
            "method": "post",
        }
        self.orders = {
            doc["code"]: doc for doc in (self.docs["order_pending"], self.docs["order_checkout"])
        }
        self.transitions = self.docs["orders_page"]["transitions"]["status"]

    def _load(self, path: Path) -> Any:
        return json.loads(
            path.read_text(encoding="utf-8").replace("https://api.bootic.net", self.base)
        )

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.requests.append((request.method, request.path, dict(request.args)))
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._json(self.docs["error_401"], 401)(environ, start_response)
        body = request.get_json(silent=True)
        self.bodies.append(body)
        return self._answer(request, body)(environ, start_response)

    def _answer(self, request: Request, body: Any) -> Response:
        path, method = request.path, request.method
        if path == "/v1" and method == "GET":
            return self._json(self.docs["root"])
        if path == "/v1/shops/47" and method == "GET":
            return self._json(self.docs["shop"])
        if path == "/v1/shops/47/orders" and method == "GET":
            page = copy.deepcopy(self.docs["orders_page"])
            items = [self.orders["R1C3964"], self.orders["T4B13B0"]]
            code = request.args.get("code")
            status = request.args.get("status")
            items = [o for o in items if (code is None or o["code"] == code)]
            items = [
                o for o in items if status in (None, "all") or o["status"] in status.split(",")
            ]
            page["_embedded"]["items"] = items
            page["total_items"] = len(items)
            return self._json(page)
        if path == "/v1/shops/47/orders/updaters.json" and method == "POST":
            return self._bulk(body)
        parts = path.removeprefix("/v1/shops/47/orders/").split("/")
        order = self._order(parts[0])
        if order is None:
            return self._json(self.docs["error_404"], 404)
        if len(parts) == 1 and method == "GET":
            return self._json(order)
        if len(parts) == 1 and method == "PUT":
            if order["status"] != "checkout":
                return self._errors("status", "only orders in the checkout state can be updated")
            order["_embedded"]["contact"].update(body.get("contact") or {})
            return self._json(order)
        if parts[1:] == ["tracking"] and method == "PUT":
            return self._move(order, body["status"], body)
        return self._json({"_class": ["errors"], "message": "Not found"}, 404)

    def _order(self, ref: str) -> dict[str, Any] | None:
        for order in self.orders.values():
            if ref in (order["code"], str(order["id"])):
                return order
        return None

    def _move(self, order: dict[str, Any], status: str, body: dict[str, Any]) -> Response:
        if status not in self.transitions[order["status"]]:
            return self._errors("status", f"Cannot change status from {order['status']!r}")
        order["status"] = status
        order["allowed_statuses"] = self.transitions[status]
        for key in ("tracking_code", "courier_name"):
            if key in body:
                order[key] = body[key]
        if status != "checkout":
            order["_links"].pop("btc:update_order", None)
        return self._json(order)

    def _bulk(self, body: dict[str, Any]) -> Response:
        valid, invalid = [], []
        for order_id in body["ids"]:
            order = self._order(str(order_id))
            summary = {"id": order_id}
            if order is not None:
                link = {"self": {"href": order["_links"]["self"]["href"]}}
                summary = {"_links": link, "id": order["id"], "code": order["code"]}
            if (
                order is None
                or body["additions"]["status"] not in self.transitions[order["status"]]
            ):
                error = {"_class": ["error"], "field": "id" if order is None else "status",
                         "messages": ["refused"]}  # fmt: skip
                invalid.append({**summary, "_embedded": {"errors": [error]}})
                continue
            order["status"] = body["additions"]["status"]
            valid.append({**summary, "status": order["status"]})
        return self._json(
            {"_embedded": {"invalid_items": invalid, "valid_items": valid}, **body, "removals": {}}
        )

    def _errors(self, field: str, message: str) -> Response:
        error = {"_class": ["error"], "field": field, "messages": [message]}
        return self._json({"_class": ["errors"], "_embedded": {"errors": [error]}}, 422)

    def _json(self, document: Any, status: int = 200) -> Response:
        return Response(
            json.dumps(document), status, content_type="application/json; charset=utf-8"
        )


@pytest.fixture
def double() -> Iterator[LiveDouble]:
    server = make_server("127.0.0.1", 0, lambda e, s: app(e, s), threaded=True)
    app = LiveDouble(f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture
def bootic(double) -> Iterator[BooticClient]:
    with BooticClient(token=TOKEN, root_url=f"{double.base}/v1", retries=0) as client:
        yield client


def test_the_layer_reads_and_filters_the_live_shapes(double, bootic):
    shop = bootic.shop(id=47)
    assert shop.id == 47 and shop["id"] == "47"
    page = shop.orders(status="pending", tags=["vip"], sort="net_total.desc")
    assert [o.code for o in page.orders] == ["T4B13B0"]
    assert page.totals == {"total": 1043990, "mean": 32625, "min": 9990, "max": 93584}
    assert page.transitions is not None and page.transitions["shipped"][-1] == "delivered"
    assert double.requests[1:] == [
        ("GET", "/v1/shops/47/orders", {}),  # the search form, read once
        (
            "GET",
            "/v1/shops/47/orders",
            {"status": "pending", "tags": "vip", "sort": "net_total.desc"},
        ),
    ]
    with pytest.raises(InvalidFilter, match="the server's search form at"):
        shop.orders(colour="red")  # type: ignore[call-arg]
    assert len(double.requests) == 3

    full = shop.refresh()  # the shop page: its btc:orders template spells dates with dots
    full.orders(created_on_gte="2016-05-01", total_gte=1000)
    assert double.requests[-1] == (
        "GET",
        "/v1/shops/47/orders",
        {"created_on.gte": "2016-05-01", "total_gte": "1000"},
    )


def test_orders_are_reached_edited_and_moved_as_the_live_api_offers(double, bootic):
    shop = bootic.shop()
    pending = shop.order("T4B13B0")  # btc:order: /orders/{id}, not marked templated
    assert double.requests[-1][:2] == ("GET", "/v1/shops/47/orders/T4B13B0")
    assert shop.order(583090).code == "R1C3964"
    with pytest.raises(OrderNotEditable):
        pending.update(contact={"name": "Joe"})
    with pytest.raises(InvalidTransition):
        pending.set_status("delivered")
    sent = len(double.requests)
    closed = pending.set_status("closed", tracking_code="TRK-9")
    assert (closed.status, closed["tracking_code"]) == ("closed", "TRK-9")
    assert double.requests[sent:] == [("PUT", "/v1/shops/47/orders/T4B13B0/tracking", {})]
    assert double.bodies[-1] == {"status": "closed", "tracking_code": "TRK-9"}

    checkout = shop.order("R1C3964")
    edited = checkout.update(contact={"name": "Joe B."})
    assert edited.pointer("/_embedded/contact/name") == "Joe B."
    moved = edited.set_status("pending")
    assert "btc:update_order" not in moved.rels
    with pytest.raises(OrderNotEditable, match="'pending'"):
        moved.update(contact={"name": "again"})


def test_a_bulk_update_through_the_hyphenated_rel_accounts_for_every_id(double, bootic):
    shop = bootic.shop()
    result = shop.update_orders([583085, 583090, 1], status="closed")
    assert [(o.id, o.status) for o in result.valid_items] == [(583085, "closed")]
    assert [o.id for o in result.invalid_items] == [583090, 1]
    assert double.requests[-1][:2] == ("POST", "/v1/shops/47/orders/updaters.json")


def test_errors_carry_the_server_s_message(double):
    expired = BooticClient(token="a-token-it-refuses", root_url=f"{double.base}/v1", retries=0)
    with expired, pytest.raises(Unauthorized, match="Invalid or expired access token"):
        expired.shop()
    with BooticClient(token=TOKEN, root_url=f"{double.base}/v1", retries=0) as bootic:
        order = bootic.shop().order("R1C3964").set_status("invalid")
        with pytest.raises(UnprocessableEntity) as caught:
            order.refresh().invoke("btc:update_order_tracking", json={"status": "checkout"})
    assert caught.value.errors[0]["field"] == "status"
