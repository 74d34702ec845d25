"""``shop.sync_orders``: a local SQLite mirror of a shop's orders, compared with the sandbox's
own database after every kind of run: the first, the next ones, with writers, with faults,
stopped by an error, and killed with ``kill -9`` mid-run."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import responses

from halnav import TransportError
from halnav.bootic import (
    BooticClient,
    InvalidFilter,
    MirrorError,
    SyncError,
    SyncReport,
)
from halnav.sandbox import serve

from .documents import make_shop
from .writers import database_orders, writing_in_threads


@pytest.fixture
def sandbox():
    with serve(orders=700, seed=8) as url:
        yield url


def bootic_of(sandbox, **options):
    options.setdefault("cache", False)
    return BooticClient(token=sandbox.token, root_url=str(sandbox), **options)


def mirror_rows(path) -> dict[int, tuple[str, str, str, dict]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT id, code, status, updated_on, document FROM orders")
        return {row[0]: (row[1], row[2], row[3], json.loads(row[4])) for row in rows}


def mirror_state(path) -> tuple:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT shop_id, filters, mark, complete FROM sync_state").fetchone()


def assert_mirrors(path, sandbox, where: str = "1") -> None:
    """The mirror holds exactly the sandbox's orders matching ``where``, as they are now."""
    expected = database_orders(sandbox, where)
    rows = mirror_rows(path)
    assert set(rows) == set(expected)
    for ident, (code, status, updated_on, document) in rows.items():
        row = expected[ident]
        assert (code, status) == (row["code"], row["status"])
        assert updated_on.rstrip("Z") == row["updated_on"]
        assert document["id"] == ident and document["status"] == status


def test_the_first_sync_copies_every_order_and_the_next_one_almost_nothing(sandbox, tmp_path):
    path = tmp_path / "orders.sqlite"
    with bootic_of(sandbox) as bootic:
        shop = bootic.shop()
        first = shop.sync_orders(path)
        assert isinstance(first, SyncReport)
        assert first.first and first.complete and first.since is None
        assert first.fetched == first.inserted == first.orders == 700 == first.total_items
        assert first.updated == first.unchanged == 0
        assert first.pages == 4  # 700 orders at 200 a page (the page size of a sync)
        assert_mirrors(path, sandbox)
        newest = max(row["updated_on"] for row in database_orders(sandbox).values())
        assert first.mark is not None and first.mark.rstrip("Z") == newest

        again = shop.sync_orders(path)
        assert not again.first and again.complete and again.since is not None
        assert again.pages <= 2 and again.inserted == again.updated == 0
        assert again.mark == first.mark and again.orders == 700

        shop.update_orders(list(sandbox.order_ids[:100]), status="invalid")
        after = shop.sync_orders(path)
        assert after.updated == 100 and after.inserted == 0 and after.pages <= 2
        assert_mirrors(path, sandbox)


def test_the_mirror_file_is_private_and_holds_the_documented_tables(sandbox, tmp_path):
    path = tmp_path / "orders.sqlite"
    with bootic_of(sandbox) as bootic:
        bootic.shop().sync_orders(path, status="pending", per_page=50)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with sqlite3.connect(path) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(orders)")}
        assert {"id", "code", "status", "updated_on", "document"} <= columns
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    shop_id, filters, mark, complete = mirror_state(path)
    assert shop_id == "29" and json.loads(filters) == {"status": "pending"} and complete == 1
    assert_mirrors(path, sandbox, "status = 'pending'")


def test_a_sync_while_others_write_then_one_more_run_matches_the_database(sandbox, tmp_path):
    path = tmp_path / "orders.sqlite"
    with bootic_of(sandbox) as bootic:
        shop = bootic.shop()
        with writing_in_threads(sandbox, threads=2, writes=30, seed=5):
            shop.sync_orders(path, per_page=40)
        shop.sync_orders(path)  # the writers are done: one run catches up
    assert_mirrors(path, sandbox)


def test_under_injected_faults_the_sync_retries_as_walks_do(sandbox, tmp_path):
    path = tmp_path / "orders.sqlite"
    sandbox.config.fail_rate = 0.25
    with bootic_of(sandbox) as bootic:
        report = bootic.shop().sync_orders(path, per_page=50)
    sandbox.config.fail_rate = 0
    assert report.complete
    assert_mirrors(path, sandbox)


def test_a_sync_that_stops_leaves_whole_pages_and_the_next_run_finishes(sandbox, tmp_path):
    path = tmp_path / "orders.sqlite"
    with bootic_of(sandbox, retries=0) as bootic:
        pages = 0

        def drop_the_fourth(response, *args, **kwargs):
            nonlocal pages
            if "sort=updated_on.asc" in response.url:
                pages += 1
                if pages == 4:  # the connection drops as the fourth page comes
                    raise requests.exceptions.ConnectionError("connection reset by peer")
            return response

        bootic.client.session.hooks["response"].append(drop_the_fourth)
        with pytest.raises(SyncError) as caught:
            bootic.shop().sync_orders(path, per_page=100)
    error = caught.value
    assert isinstance(error.__cause__, TransportError)
    # Three pages of 101 (the last order of each is asked again): 301 orders, all written.
    assert error.report.pages == 3 and error.report.fetched == 301 and not error.report.complete
    assert "run it again" in str(error) and error.report.mark in str(error)
    rows = mirror_rows(path)
    assert len(rows) == 301
    _, _, mark, complete = mirror_state(path)
    assert mark == error.report.mark and complete == 0
    assert max(updated_on for _, _, updated_on, _ in rows.values()) == mark

    with bootic_of(sandbox) as bootic:
        report = bootic.shop().sync_orders(path, per_page=100)
    assert report.complete and not report.first and report.inserted == 399
    assert_mirrors(path, sandbox)


SYNC_SCRIPT = """
import sys
from halnav.bootic import BooticClient
url, token, path = sys.argv[1:4]
with BooticClient(token=token, root_url=url, cache=False) as bootic:
    bootic.shop().sync_orders(path, per_page=20)
"""


def test_killed_with_sigkill_mid_run_the_next_run_finishes_the_job(sandbox, tmp_path):
    path = tmp_path / "orders.sqlite"
    sandbox.config.latency_ms = 40  # slow pages: the run is killed somewhere in the middle
    process = subprocess.Popen(
        [sys.executable, "-c", SYNC_SCRIPT, str(sandbox), sandbox.token, str(path)]
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if path.exists() and _committed(path) >= 100:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    sandbox.config.latency_ms = 0
    done = _committed(path)
    assert 100 <= done < 700, "the run was not killed mid-way"
    with bootic_of(sandbox) as bootic:
        shop = bootic.shop()
        shop.update_orders(list(sandbox.order_ids[-50:]), status="invalid")  # meanwhile
        report = shop.sync_orders(path)
    assert report.complete and not report.first
    assert report.inserted == 700 - done
    assert_mirrors(path, sandbox)


def _committed(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0])
    except sqlite3.Error:
        return 0


# -- refused before any request ----------------------------------------------------------------


def test_a_mirror_of_other_filters_is_refused_before_any_request(sandbox, tmp_path):
    path = tmp_path / "orders.sqlite"
    with bootic_of(sandbox) as bootic:
        shop = bootic.shop()
        shop.sync_orders(path, status="pending")
        sandbox.config.fail_rate = 1.0  # any request would fail otherwise
        with pytest.raises(MirrorError, match="status=pending, not status=closed"):
            shop.sync_orders(path, status="closed")
        with pytest.raises(MirrorError, match="not no filters|not status"):
            shop.sync_orders(path)
        sandbox.config.fail_rate = 0


def test_a_mirror_of_another_shop_is_refused_before_any_request(sandbox, tmp_path):
    path = tmp_path / "orders.sqlite"
    with bootic_of(sandbox) as bootic:
        bootic.shop().sync_orders(path)
    with BooticClient(token=sandbox.tokens["shop2_admin"], root_url=str(sandbox)) as other:
        shop = other.shop()
        sandbox.config.fail_rate = 1.0
        with pytest.raises(MirrorError, match="mirrors the orders of shop 29"):
            shop.sync_orders(path)
        sandbox.config.fail_rate = 0


def test_a_file_that_is_no_mirror_is_left_alone(tmp_path):
    other = tmp_path / "app.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE users (name TEXT)")
    text = tmp_path / "notes.txt"
    text.write_text("not a database, and longer than a header of sqlite would be " * 3)
    with responses.RequestsMock() as rsps:
        with pytest.raises(MirrorError, match="not a halnav orders mirror"):
            make_shop().sync_orders(other)
        with pytest.raises(MirrorError, match="cannot use"):
            make_shop().sync_orders(text)
        assert len(rsps.calls) == 0
    with sqlite3.connect(other) as conn:
        assert [row[0] for row in conn.execute("SELECT name FROM sqlite_master")] == ["users"]


def test_a_path_that_cannot_be_written_is_refused_before_any_request(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    target = folder / "orders.sqlite"
    if os.access(folder, os.W_OK):  # root writes anywhere: take a folder nobody can write in
        target = Path("/proc/halnav-orders.sqlite")
    try:
        with responses.RequestsMock() as rsps:
            with pytest.raises(MirrorError, match="cannot"):
                make_shop().sync_orders(target)
            with pytest.raises(MirrorError, match="does not exist"):
                make_shop().sync_orders(tmp_path / "nowhere" / "orders.sqlite")
            assert len(rsps.calls) == 0
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize(
    ("filters", "said"),
    [
        ({"sort": "created_on.asc"}, "takes no sort"),
        ({"page": 2}, "takes no page"),
        ({"status": ["pending", 3]}, "invalid status"),
        ({"created_on_gte": "yesterday"}, "expected a date"),
        ({"state": "pending"}, "unknown order filter 'state'"),
    ],
)
def test_filters_a_sync_cannot_take_are_refused_before_any_request(filters, said, tmp_path):
    with responses.RequestsMock() as rsps:
        with pytest.raises(InvalidFilter, match=said):
            make_shop().sync_orders(tmp_path / "orders.sqlite", **filters)
        assert len(rsps.calls) == 0
    assert not (tmp_path / "orders.sqlite").exists()
