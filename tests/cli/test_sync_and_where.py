"""``halnav bootic sync`` and ``halnav bootic update-orders --where`` against the sandbox."""

from __future__ import annotations

import json
import sqlite3

import pytest

from halnav.sandbox import serve

from .conftest import connected, run_halnav
from .terminal import run_on_terminal, screen_lines


@pytest.fixture
def sandbox():
    with serve(orders=300, seed=0) as url:
        yield url


def rows(path):
    with sqlite3.connect(path) as conn:
        return dict(conn.execute("SELECT id, status FROM orders").fetchall())


def database(sandbox, where="1"):
    return dict(
        (row[0], row[1])
        for row in sandbox.db.query(
            f"SELECT id, status FROM orders WHERE shop_id = ? AND {where}", (sandbox.shop_id,)
        )
    )


def test_sync_copies_the_shop_then_only_what_changed(sandbox, tmp_path):
    run = connected(sandbox)
    path = tmp_path / "orders.sqlite"
    first = run("bootic", "sync", "--db", str(path))
    assert first.returncode == 0, first.stderr
    head, tail = first.stdout.splitlines()
    assert (
        head
        == "synced 300 orders of shop 29 in 2 pages (first run): 300 new, 0 updated, 0 unchanged"
    )
    assert tail.startswith(f"{path} holds 300 orders, up to updated_on 20")
    assert rows(path) == database(sandbox)

    changed = run(
        "bootic", "update-orders", "--status", "invalid", *map(str, sandbox.order_ids[:7])
    )
    assert changed.returncode == 0, changed.stderr
    again = run("bootic", "sync", "--db", str(path), "--json")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["first"] is False and report["complete"] is True
    assert report["updated"] == 7 and report["inserted"] == 0 and report["pages"] == 1
    assert report["shop_id"] == "29" and report["filters"] == {} and report["orders"] == 300
    assert rows(path) == database(sandbox)


def test_sync_shows_a_progress_bar_on_a_terminal(sandbox, tmp_path):
    path = tmp_path / "orders.sqlite"
    status, raw = run_on_terminal(
        "bootic", "sync", "--db", str(path), "--per-page", "20",
        env={"HALNAV_URL": sandbox, "HALNAV_TOKEN": sandbox.token, "TQDM_MININTERVAL": "0"},
    )  # fmt: skip
    assert status == 0, raw
    assert "orders:" in raw  # the bar was drawn
    assert screen_lines(raw)[0].startswith("synced 300 orders of shop 29 in 15 pages")


def test_sync_with_filters_keeps_them_and_refuses_others(sandbox, tmp_path):
    run = connected(sandbox)
    path = tmp_path / "pending.sqlite"
    made = run("bootic", "sync", "--db", str(path), "--status", "pending", "--per-page", "50")
    assert made.returncode == 0, made.stderr
    assert rows(path) == database(sandbox, "status = 'pending'")
    sandbox.config.fail_rate = 1.0  # any request would fail: the refusals come before any
    other = run("bootic", "sync", "--db", str(path), "--status", "closed")
    assert other.returncode == 1
    assert other.stderr == (
        f"halnav: error: {path} mirrors the orders matching status=pending; give those "
        "filters (a mirror keeps one set), or another --db\n"
    )
    shop = run("bootic", "sync", "--db", str(path), "--status", "pending", "--shop", "31")
    assert shop.returncode == 1 and "mirrors the orders of shop 29, not of shop 31" in shop.stderr
    elsewhere = run_halnav(
        "bootic", "sync", "--db", str(path), "--status", "pending",
        "--url", "http://localhost:9/v1", "--token", sandbox.token,
    )  # fmt: skip
    assert (
        elsewhere.returncode == 1 and "not of the API at http://localhost:9/v1" in elsewhere.stderr
    )
    sandbox.config.fail_rate = 0


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--status", "open"), "invalid status 'open'"),
        (("--sort", "created_on.asc"), "unrecognized arguments: --sort"),
        (("--page", "2"), "unrecognized arguments: --page"),
        (("--per-page", "500"), "at most 200 orders a page"),
        (("--overlap", "-1"), "--overlap takes 0 or more seconds"),
    ],
)
def test_sync_refuses_bad_options_before_any_request(args, said, tmp_path):
    path = tmp_path / "orders.sqlite"
    # Nothing listens at this address: a request would fail with another message.
    result = run_halnav(
        "bootic", "sync", "--db", str(path), *args, "--url", "http://127.0.0.1:9/v1",
        "--token", "t0ken",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert said in result.stderr
    assert not path.exists()


def test_sync_to_a_file_that_is_no_mirror_is_an_error_before_any_request(tmp_path):
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE users (name TEXT)")
    result = run_halnav(
        "bootic", "sync", "--db", str(path), "--url", "http://127.0.0.1:9/v1", "--token", "t0ken"
    )
    assert result.returncode == 1
    assert "is an SQLite database but not a halnav orders mirror" in result.stderr


# -- update-orders --where -----------------------------------------------------------------


def test_update_orders_where_dry_run_lists_and_sends_nothing(sandbox):
    run = connected(sandbox)
    pending = database(sandbox, "status = 'pending'")
    result = run(
        "bootic", "update-orders", "--status", "closed", "--where", "status=pending", "--dry-run"
    )
    assert result.returncode == 0, result.stderr
    head, *ids = result.stdout.splitlines()
    assert head == (
        f"would set status 'closed' on {len(pending)} orders matching status=pending in shop 29 "
        "(dry run: nothing sent)"
    )
    listed = [int(i) for i in " ".join(ids).replace(",", " ").split()]
    assert sorted(listed) == sorted(pending)
    assert database(sandbox, "status = 'pending'") == pending

    as_json = run(
        "bootic", "update-orders", "--status", "closed", "--where", "status=pending",
        "--where", "created-on-gte=2016-06-01", "--dry-run", "--json",
    )  # fmt: skip
    data = json.loads(as_json.stdout)
    assert data["dry_run"] is True and data["where"] == {
        "status": "pending",
        "created_on_gte": "2016-06-01",
    }
    assert set(data["ids"]) < set(pending)


def test_update_orders_where_closes_every_match_in_batches(sandbox):
    run = connected(sandbox)
    pending = database(sandbox, "status = 'pending'")
    result = run(
        "bootic", "update-orders", "--status", "closed", "--where", "status=pending",
        "--batch-size", "7", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert sorted(o["id"] for o in data["valid_items"]) == sorted(pending)
    assert data["where"] == {"status": "pending"} and data["invalid_items"] == []
    assert database(sandbox, "status = 'pending'") == {}


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--where", "status=pending", "1"), "give order ids or --where, not both"),
        ((), "give the order ids to update, or --where"),
        (("1", "--dry-run"), "--dry-run goes with --where"),
        (("--where", "status"), "--where takes FILTER=VALUE"),
        (("--where", "state=pending"), "unknown order filter 'state'"),
        (("--where", "code=A", "--where", "code=B"), "--where code is given twice"),
        (("--where", "status=pending", "--batch-size", "0"), "--batch-size takes a whole"),
    ],
)
def test_update_orders_refuses_bad_selections_before_any_request(args, said):
    result = run_halnav(
        "bootic", "update-orders", "--status", "closed", *args,
        "--url", "http://127.0.0.1:9/v1", "--token", "t0ken",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert said in result.stderr
