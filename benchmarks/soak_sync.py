"""Soak (not run in CI): stable walks and syncs while writers change the shop, checked against
the sandbox's own database.

    python benchmarks/soak_sync.py                       # 10 rounds of 3,000 orders, ~2 minutes
    python benchmarks/soak_sync.py --rounds 3 --orders 1000 --fail-rate 0.2

Each round, writer threads change orders through the API (status moves of one order, bulk
moves of a few, new orders), remembering every order they touch; meanwhile the soak walks the
orders stably (a random sort, with or without a status filter) and syncs a mirror. Then the
writers stop and the checks run against the database:

- each walk yielded no order twice, and every order that matched its filter before and after the
  walk and that no writer touched (it matched throughout);
- after one more sync, the mirror holds exactly the database's orders, each with its status and
  ``updated_on``.

``--fail-rate`` injects faults (half 503s, half dropped connections) into every request; walks
and syncs retry as they do, and a sync that still fails is run again (the mirror must stay
whole). Exit status 1 if any check failed.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from halnav import HALNavError
from halnav.bootic import BooticClient, SyncError
from halnav.sandbox import serve

SORTS = [
    f"{column}.{direction}"
    for column in ("created_on", "updated_on", "net_total")
    for direction in ("asc", "desc")
]
FILTERS = [None, ("pending", "closed"), ("shipped", "delivered", "invalid")]
MOVES = ("pending", "closed", "invalid", "shipped", "delivered")


def database(sandbox: Any, statuses: tuple[str, ...] | None = None) -> dict[int, tuple[str, str]]:
    where, params = "", ()
    if statuses:
        where = f" AND status IN ({','.join('?' * len(statuses))})"
        params = statuses
    rows = sandbox.db.query(
        f"SELECT id, status, updated_on FROM orders WHERE shop_id = ?{where}",
        (sandbox.shop_id, *params),
    )
    return {row[0]: (row[1], row[2]) for row in rows}


class Writers:
    def __init__(self, sandbox: Any, threads: int, seed: int) -> None:
        self.sandbox = sandbox
        self.stop = threading.Event()
        self.touched: set[int] = set()
        self.writes = 0
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self.run, args=(seed * 100 + n,), daemon=True)
            for n in range(threads)
        ]

    def run(self, seed: int) -> None:
        chance = random.Random(seed)
        ids = list(self.sandbox.order_ids)
        with BooticClient(token=self.sandbox.token, root_url=str(self.sandbox), cache=False) as b:
            shop = b.shop()
            while not self.stop.is_set():
                kind = chance.random()
                touched: list[int] = []
                try:
                    if kind < 0.5:
                        ident = chance.choice(ids)
                        touched = [ident]
                        order = shop.order(ident)
                        allowed = [s for s in order.allowed_statuses or () if s != order.status]
                        order.set_status(chance.choice(allowed) if allowed else "pending")
                    elif kind < 0.85:
                        touched = chance.sample(ids, 8)
                        shop.update_orders(touched, status=chance.choice(MOVES))
                    else:
                        variant = chance.choice(self.sandbox.variant_ids)
                        made = shop.create_order([{"variant_id": variant, "units": 1}])
                        touched = [made.id]
                except HALNavError as exc:
                    # A refused move, or a fault: the orders may have changed all the same.
                    for ident in getattr(exc, "ids", ()):
                        touched.append(ident)
                with self.lock:
                    self.touched.update(touched)
                    self.writes += 1
                time.sleep(chance.random() / 50)

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)


def walk(sandbox: Any, sort: str, statuses: tuple[str, ...] | None, per_page: int) -> list[int]:
    with BooticClient(token=str(sandbox.token), root_url=str(sandbox), cache=False) as bootic:
        shop = bootic.shop()
        return [
            order.id
            for order in shop.iter_orders(
                stable=True,
                sort=sort,
                status=list(statuses) if statuses else None,
                per_page=per_page,
            )
        ]


def sync(sandbox: Any, path: str, per_page: int) -> int:
    """Sync until a run completes (a fault may stop one); how many runs that took."""
    runs = 0
    with BooticClient(token=sandbox.token, root_url=str(sandbox), cache=False) as bootic:
        shop = bootic.shop()
        while True:
            runs += 1
            try:
                shop.sync_orders(path, per_page=per_page)
                return runs
            except SyncError:
                if runs >= 50:
                    raise


def mirror(path: str) -> dict[int, tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT id, status, updated_on FROM orders").fetchall()
    return {row[0]: (row[1], row[2].rstrip("Z")) for row in rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--writers", type=int, default=3)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    chance = random.Random(args.seed)
    failures = 0
    with serve(orders=args.orders, seed=args.seed) as sandbox, tempfile.TemporaryDirectory() as d:
        path = str(Path(d) / "orders.sqlite")
        sync(sandbox, path, 200)
        for number in range(1, args.rounds + 1):
            sort = chance.choice(SORTS)
            statuses = chance.choice(FILTERS)
            per_page = chance.choice((20, 50, 199))
            before = database(sandbox, statuses)
            sandbox.config.fail_rate = args.fail_rate
            with Writers(sandbox, args.writers, seed=args.seed * 1000 + number) as writers:
                ids = walk(sandbox, sort, statuses, per_page)
                runs = sync(sandbox, path, chance.choice((30, 200)))
            sandbox.config.fail_rate = 0
            after = database(sandbox, statuses)
            throughout = (set(before) & set(after)) - writers.touched
            missed = throughout - set(ids)
            twice = len(ids) - len(set(ids))
            stray = set(ids) - set(before) - set(after) - writers.touched
            sync(sandbox, path, 200)  # the writers are done: the mirror catches up
            held, truth = mirror(path), database(sandbox)
            wrong = {i for i in set(held) | set(truth) if held.get(i) != truth.get(i)}
            ok = not (missed or twice or stray or wrong)
            failures += not ok
            print(
                f"round {number}: {sort} status={statuses} per_page={per_page}: "
                f"{len(ids)} yielded, {len(throughout)} matched throughout, missed {len(missed)}, "
                f"twice {twice}, stray {len(stray)}; writes {writers.writes}; "
                f"sync runs {runs}; mirror {len(held)} orders, {len(wrong)} differ: "
                f"{'OK' if ok else 'FAIL'}",
                flush=True,
            )
    print("PASS" if not failures else f"FAIL: {failures} rounds")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
