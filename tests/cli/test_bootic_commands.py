"""``halnav bootic orders | create-order | update-orders`` against the sandbox."""

from __future__ import annotations

import csv
import json

import pytest
import responses

from halnav.bootic import BooticClient
from halnav.cli import main
from halnav.sandbox import serve

from .conftest import connected, run_halnav
from .test_get import assert_one_line_error


def pending_ids(sandbox, count):
    with BooticClient(token=sandbox.token, root_url=sandbox) as bootic:
        ids = [o.id for o in bootic.shop().orders(status="pending", per_page=count).orders]
    assert len(ids) == count, "the sandbox's data has too few pending orders for this test"
    return ids


def test_orders_prints_the_first_page_as_a_table(halnav):
    result = halnav("bootic", "orders", "--per-page", "5", "--sort", "created_on.asc")
    assert result.returncode == 0, result.stderr
    header, rule, *rows = result.stdout.splitlines()
    assert header.split() == ["id", "code", "status", "total", "created_on", "contact_email"]
    assert set(rule) <= {"-", " "}
    assert len(rows) == 5
    created = [row.split()[4] for row in rows]
    assert created == sorted(created)
    assert result.stderr == "5 of 60 orders (first page; --all for every page)\n"

    pending = halnav("bootic", "orders", "--status", "pending", "--per-page", "5")
    assert pending.returncode == 0, pending.stderr
    rows = pending.stdout.splitlines()[2:]
    assert rows and all(row.split()[2] == "pending" for row in rows)


def test_orders_all_as_json_lines_with_filters_and_dates(halnav):
    result = halnav(
        "bootic",
        "orders",
        "--status",
        "closed",
        "--status",
        "shipped",
        "--closed-on-gte",
        "2014-06-01",
        "--sort",
        "closed_on.asc",
        "--per-page",
        "4",
        "--all",
        "--format",
        "jsonl",
    )
    assert result.returncode == 0, result.stderr
    orders = [json.loads(line) for line in result.stdout.splitlines()]
    assert orders and {o["status"] for o in orders} <= {"closed", "shipped"}
    closed = [o["closed_on"] for o in orders]
    assert closed == sorted(closed) and closed[0] >= "2014-06-01"
    # the only stderr line is the summary: no progress bar when stderr is not a terminal
    assert result.stderr.splitlines() == [f"{len(orders)} of {len(orders)} orders"]


def test_orders_all_as_csv_to_a_file(halnav, sandbox, tmp_path):
    target = tmp_path / "orders.csv"
    result = halnav(
        "bootic", "orders", "--shop", str(sandbox.shop_id), "--all", "--format", "csv",
        "--per-page", "9", "--output", str(target),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    with target.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 60 and len({row["id"] for row in rows}) == 60
    assert {"code", "status", "total", "contact_email", "payment_method"} <= set(rows[0])
    assert f"60 of 60 orders to {target}" in result.stderr


def test_an_undocumented_filter_value_is_a_usage_error_listing_the_allowed(halnav):
    line = assert_one_line_error(halnav("bootic", "orders", "--status", "open"), 2)
    assert "all, checkout, pending, closed, shipped, invalid, successful, delivered" in line
    line = assert_one_line_error(halnav("bootic", "orders", "--closed-on-gte", "May 10"), 2)
    assert "closed_on_gte" in line and "date" in line


def test_an_unknown_shop_is_an_error(halnav):
    line = assert_one_line_error(halnav("bootic", "orders", "--shop", "999999"))
    assert "404" in line and "999999" in line


def test_create_order_prints_the_order_and_its_links(fresh):
    sandbox, halnav = fresh, connected(fresh)
    result = halnav(
        "bootic", "create-order", "--shop", str(sandbox.shop_id),
        "--variant", f"{sandbox.variant_ids[0]}:2", "--variant", str(sandbox.variant_ids[1]),
        "--email", "new.person@example.com", "--name", "New Person", "--phone", "555-0100",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("created order R") and f"in shop {sandbox.shop_id}" in lines[0]
    fields = dict(line.split(None, 1) for line in lines[1:])
    assert fields["status"] == "checkout" and fields["items"] == "3"
    assert fields["checkout"].startswith("http://") and fields["cart"].startswith("http://")
    assert sandbox.token not in result.stdout + result.stderr


def test_create_order_with_a_missing_variant_prints_the_422(halnav, sandbox):
    result = halnav(
        "bootic", "create-order", "--shop", str(sandbox.shop_id), "--variant", "32222222:1"
    )
    line = assert_one_line_error(result)
    assert "422" in line and "POST" in line
    assert "variant.id: Variant 32222222 does not exist in this shop" in line


def test_create_order_usage_errors(halnav, sandbox):
    line = assert_one_line_error(
        halnav("bootic", "create-order", "--shop", str(sandbox.shop_id), "--variant", "abc:2"), 2
    )
    assert "ID:UNITS" in line
    missing = halnav("bootic", "create-order", "--variant", "1:1")
    assert missing.returncode == 2 and "--shop" in missing.stderr


def test_update_orders_all_valid_exits_0(fresh):
    sandbox, halnav = fresh, connected(fresh)
    ids = [str(i) for i in pending_ids(sandbox, 2)]
    result = halnav(
        "bootic", "update-orders", "--shop", str(sandbox.shop_id), "--status", "closed", *ids
    )
    assert result.returncode == 0, result.stderr
    assert f"on 2 of 2 orders in shop {sandbox.shop_id}" in result.stdout
    assert "valid:" in result.stdout and "invalid:" not in result.stdout
    assert all(i in result.stdout for i in ids)


def test_update_orders_with_an_invalid_id_prints_its_errors_and_exits_1(fresh):
    sandbox, halnav = fresh, connected(fresh)
    ids = [str(i) for i in pending_ids(sandbox, 1)] + ["999999999"]
    result = halnav(
        "bootic", "update-orders", "--shop", str(sandbox.shop_id), "--status", "closed", *ids
    )
    assert result.returncode == 1
    out = result.stdout
    assert "on 1 of 2 orders" in out
    valid, invalid = out.split("invalid:")
    assert ids[0] in valid and "closed" in valid
    assert "999999999" in invalid
    assert "id: Order 999999999 does not exist in this shop" in invalid


def test_update_orders_refuses_an_undocumented_status(halnav, sandbox):
    result = halnav(
        "bootic", "update-orders", "--shop", str(sandbox.shop_id), "--status", "checkout", "1"
    )
    line = assert_one_line_error(result, 2)
    assert "pending, closed, shipped, invalid, delivered" in line


def test_bootic_commands_need_a_token(sandbox):
    line = assert_one_line_error(run_halnav("bootic", "orders", "--url", sandbox), 2)
    assert "HALNAV_TOKEN" in line


def test_bootic_commands_read_the_environment(sandbox):
    env = {"HALNAV_URL": sandbox, "HALNAV_TOKEN": sandbox.token}
    result = run_halnav("bootic", "orders", "--per-page", "2", "--format", "jsonl", env=env)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


NO_SERVER = ("--url", "http://127.0.0.1:9/v1", "--token", "t", "--retries", "0")


def test_filters_and_statuses_are_checked_before_any_request():
    # Nothing listens there: a request would be a connection error (exit 1), not a usage error.
    for args, expected in (
        (("orders", "--status", "open"), "invalid status 'open'; allowed: all, checkout"),
        (("orders", "--per-page", "²"), "invalid per_page '²'"),
        (("orders", "--shop", "29", "--sort", "newest"), "invalid sort 'newest'"),
        (("update-orders", "--shop", "29", "--status", "open", "1"), "cannot set status 'open'"),
    ):
        result = run_halnav("bootic", *args, *NO_SERVER)
        line = assert_one_line_error(result, 2)
        assert expected in line, line
        assert "127.0.0.1:9" not in line and "failed" not in line


def test_ids_that_are_not_whole_numbers_are_usage_errors_before_any_request():
    # "²" is a digit to str.isdigit() but no number: refused like "abc", nothing is sent.
    for shop in ("abc", "²", "-1", "1.5"):
        line = assert_one_line_error(run_halnav("bootic", "orders", "--shop", shop, *NO_SERVER), 2)
        assert line == f"halnav: error: --shop takes a shop id (a whole number), got {shop!r}"
    result = run_halnav(
        "bootic", "update-orders", "--shop", "29", "--status", "closed", "12", "abc", "²",
        *NO_SERVER,
    )  # fmt: skip
    line = assert_one_line_error(result, 2)
    assert line == "halnav: error: order ids are whole numbers; got 'abc', '²'"


def test_update_orders_parses_ids_as_the_layer_does(fresh):
    sandbox, halnav = fresh, connected(fresh)
    [pending] = pending_ids(sandbox, 1)
    result = halnav(
        "bootic", "update-orders", "--shop", f" {sandbox.shop_id} ", "--status", "closed",
        str(pending), f" {pending} ",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"on 1 of 1 orders in shop {sandbox.shop_id}" in result.stdout


@pytest.mark.parametrize("layout", ["default", "alternate"])
def test_the_bootic_commands_work_under_both_layouts(layout):
    # The alternate layout writes links as the live API does: a plain btc:orders on the root's
    # shops, no btc:shop template on the root, the bulk rel spelled btc:update-orders.
    with serve(orders=40, seed=11, layout=layout) as url:
        halnav = connected(url)
        result = halnav(
            "bootic", "orders", "--status", "delivered", "--sort", "net_total.desc",
            "--tags", "gift", "--tags", "vip", "--all", "--format", "jsonl",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        orders = [json.loads(line) for line in result.stdout.splitlines()]
        assert {o["status"] for o in orders} <= {"delivered"}
        assert all({"gift", "vip"} & set(o["tags"]) for o in orders)
        totals = [o["net_total"] for o in orders]
        assert totals == sorted(totals, reverse=True)

        [pending] = pending_ids(url, 1)
        result = halnav(
            "bootic", "update-orders", "--shop", str(url.shop_id), "--status", "closed",
            str(pending), "999999999", "--json",
        )  # fmt: skip
        assert result.returncode == 1
        data = json.loads(result.stdout)
        assert data["shop_id"] == url.shop_id
        assert [item["id"] for item in data["valid_items"]] == [pending]

        result = halnav(
            "bootic", "create-order", "--shop", str(url.shop_id),
            "--variant", f"{url.variant_ids[0]}:2", "--json",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        created = json.loads(result.stdout)
        assert created["status"] == "checkout" and created["shop_id"] == url.shop_id

        line = assert_one_line_error(halnav("bootic", "orders", "--shop", "999999"))
        assert "999999" in line


def test_a_value_the_server_s_form_does_not_allow_is_a_usage_error(capsys):
    # Documented, so the command line takes it; this server's search form does not list it.
    api = "http://api.test/v1"
    orders = f"{api}/shops/1/orders"
    shop = {"_links": {"self": {"href": "/v1/shops/1"}, "btc:orders": {"href": orders}}, "id": "1"}
    form = {"href": orders, "fields": [{"name": "status", "options": ["pending", "closed"]}]}
    with responses.RequestsMock() as rsps:
        rsps.get(api, json={"_embedded": {"shops": [shop]}})
        rsps.get(orders, json={"_actions": {"search": form}, "_embedded": {"items": []}})
        code = main(["bootic", "orders", "--status", "delivered", "--url", api, "--token", "t"])
        assert [call.request.url for call in rsps.calls] == [api, orders]  # never sent
    assert code == 2
    assert capsys.readouterr().err == (
        "halnav: error: invalid status 'delivered'; allowed: pending, closed "
        "(several may be given, comma-separated)\n"
    )
