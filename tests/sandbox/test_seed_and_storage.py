"""The seeded data (deterministic, consistent, the seed page's 14,486 orders) and storage."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from werkzeug.test import Client

from halnav.sandbox import make_app, serve

from .conftest import TIMEOUT, Api

ADMIN = {"Authorization": "Bearer sandbox-shop1-admin-token"}


def _pages(orders: int, seed: int) -> list[bytes]:
    app = make_app(orders=orders, seed=seed)
    try:
        client = Client(app)
        return [
            client.get(f"/v1/shops/29/orders.json?per_page=200&page={n}", headers=ADMIN).data
            for n in (1, 2)
        ]
    finally:
        app.close()


def test_same_seed_same_bytes_other_seed_other_data() -> None:
    first, again, other = _pages(250, 11), _pages(250, 11), _pages(250, 12)
    assert first == again
    assert first != other


def test_default_sandbox_has_the_seed_pages_14486_orders() -> None:
    with serve() as url, Api(url, url.token) as session:
        page = session.doc(session.orders_url(), per_page=50)
        assert page["total_items"] == 14486
        assert "page=290&" in page["_links"]["last"]["href"]  # as on the seed page
        counts = dict(
            url.db.query(
                "SELECT status, COUNT(*) FROM orders WHERE shop_id = ? GROUP BY status",
                (url.shop_id,),
            )
        )
        codes = url.order_codes[:3]
    # The data other tests and the README quote: the statuses of the first release, but for the
    # shipped orders delivered since (drawn apart, so that nothing else moved).
    assert counts == {
        "checkout": 1383,
        "pending": 1114,
        "invalid": 731,
        "closed": 5110,
        "shipped": 4367,
        "delivered": 1781,
    }
    assert codes == ("R8600D1", "RBD7A82", "R63E795")


@pytest.mark.bootic_sandbox(orders=400, seed=3)
def test_totals_add_up_in_the_whole_database(bootic_sandbox) -> None:  # type: ignore[no-untyped-def]
    db = bootic_sandbox.db
    assert (
        db.query(
            "SELECT COUNT(*) FROM line_items WHERE net_total != unit_price * units"
            " OR total != net_total - discount_total"
        )[0][0]
        == 0
    )
    assert (
        db.query(
            "SELECT COUNT(*) FROM orders o JOIN (SELECT order_id, SUM(net_total) AS net,"
            " SUM(discount_total) AS discount FROM line_items GROUP BY order_id) l"
            " ON l.order_id = o.id WHERE o.net_total != l.net"
            " OR o.discount_total != l.discount + o.coupon_amount"
            " OR o.total != o.net_total + o.shipping_total - o.discount_total"
        )[0][0]
        == 0
    )
    assert (
        db.query("SELECT COUNT(*) FROM orders WHERE id NOT IN (SELECT order_id FROM line_items)")[
            0
        ][0]
        == 0
    )


@pytest.mark.bootic_sandbox(orders=30)
def test_the_second_shop_has_orders_of_its_own(bootic_sandbox) -> None:  # type: ignore[no-untyped-def]
    url = bootic_sandbox
    with Api(url, url.tokens["shop2_admin"]) as other:
        page = other.doc(other.orders_url())
    assert page["total_items"] == 50
    assert {o["shop_id"] for o in page["_embedded"]["items"]} == {url.other_shop_id}


def test_a_file_database_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.db"
    with serve(orders=20, db=path) as url:
        body = {"line_items": [{"variant_id": url.variant_ids[0], "units": 2}]}
        created = requests.post(
            f"{url.base_url}/v1/shops/{url.shop_id}/orders",
            json=body,
            headers={"Authorization": f"Bearer {url.token}"},
            timeout=TIMEOUT,
        )
        assert created.status_code == 201
    # a different seed and count are ignored: the file is already seeded
    with serve(orders=999, seed=4, db=path) as url, Api(url, url.token) as session:
        doc = session.doc(created.json()["_links"]["self"]["href"].replace(
            created.url.split("/v1")[0], url.base_url
        ))  # fmt: skip
        assert doc["id"] == created.json()["id"]
        assert session.doc(session.orders_url())["total_items"] == 21


def test_two_sandboxes_sharing_one_file_see_each_others_writes(tmp_path: Path) -> None:
    # As two processes given the same --db would: each has its own connection to the file.
    path = tmp_path / "shared.db"
    first, second = make_app(orders=20, db=path), make_app(orders=20, db=path)
    try:
        reader, writer = Client(first), Client(second)
        listing = "/v1/shops/29/orders.json?status=checkout"

        def listed() -> tuple[int, str]:
            page = reader.get(listing, headers=ADMIN)
            return page.json["total_items"], page.headers["Last-Modified"]

        total, stamp = listed()
        assert listed() == (total, stamp)  # the count is remembered between pages
        variant = first.db.query("SELECT id FROM variants WHERE shop_id = 29 LIMIT 1")[0][0]
        body = {"line_items": [{"variant_id": variant, "units": 1}]}  # a new order: checkout
        assert writer.post("/v1/shops/29/orders", json=body, headers=ADMIN).status_code == 201
        assert listed()[0] == total + 1
        assert listed()[1] != stamp
    finally:
        first.close()
        second.close()


def test_a_file_of_another_schema_is_refused(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # as the first release left one
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT INTO meta VALUES ('schema', '1')")
    conn.close()
    with (
        pytest.raises(ValueError, match=r"another version of the sandbox \(schema 1"),
        serve(orders=5, db=path),
    ):
        pass


def test_a_file_that_is_not_a_sandbox_is_refused(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(ValueError, match="not a Bootic sandbox"), serve(orders=5, db=path):
        pass


def test_negative_order_count_is_refused() -> None:
    with pytest.raises(ValueError):
        make_app(orders=-1)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"orders": -1}, "orders must be >= 0"),
        ({"latency_ms": -1}, "latency_ms must be >= 0"),
        ({"fail_rate": 2}, "fail_rate must be between 0 and 1"),
        ({"token_lifetime": -1}, "token_lifetime must be >= 0"),
        ({"layout": "nope"}, "unknown layout 'nope'"),
    ],
)
def test_bad_options_are_refused_before_seeding(
    options: dict[str, object], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from halnav.sandbox import _app

    def no_seeding(*args: object, **kwargs: object) -> None:
        raise AssertionError("seeded despite a bad option")

    monkeypatch.setattr(_app, "open_database", no_seeding)
    with pytest.raises(ValueError, match=message):
        make_app(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize("port", [-1, 65536])
def test_a_port_out_of_range_is_refused(port: int) -> None:
    with pytest.raises(ValueError, match="port must be between 0 and 65535"), serve(port=port):
        pass


def test_both_json_encoders_write_the_same_bytes() -> None:
    # orjson (the "speed" extra) is used when installed; documents must not depend on it.
    from halnav.sandbox import _hal

    if _hal._orjson_dumps is None:
        pytest.skip("orjson is not installed")
    app = make_app(orders=60, seed=2)
    try:
        client = Client(app)
        odd = 'Ñandú "quoted" \\ back\tslash \x07 \u2028 \U0001f600'
        body = {
            "line_items": [{"variant_id": 66480, "units": 1}],
            "contact": {"email": "odd@example.com", "name": odd, "phone_number": "1"},
        }
        assert client.post("/v1/shops/29/orders", json=body, headers=ADMIN).status_code == 201
        page = client.get("/v1/shops/29/orders.json?per_page=61", headers=ADMIN)
        doc = page.json
        assert odd in [
            o["_embedded"]["contact"]["name"]
            for o in doc["_embedded"]["items"]
            if o["_embedded"]["contact"]
        ]
        assert _hal._stdlib_dumps(doc) == _hal._orjson_dumps(doc) == page.data
    finally:
        app.close()
