"""The Bootic layer's stable (keyset) walks of orders against walks by page number: pages fetched, time, and what each got right.

    python benchmarks/stable_orders.py                      # 14,486 orders, 3 rounds, ~2 minutes
    python benchmarks/stable_orders.py --rounds 1 --orders 3000

The sandbox runs in a subprocess (``walk.Sandbox``). Each walk goes over every order (no filter)
with ``per_page=50``, a fresh client each time, with the cache off. "Writers" is one thread of
the benchmark's process setting a random order's status again and again through the API (each
write moves that order's ``updated_on``; ``--creators`` threads create orders too) for as long as
the walk runs. Every order that existed before the walk matched it throughout (no filter), so it
must be yielded exactly once: the table counts those missed and the orders yielded twice. Pages
are the GETs of the orders collection the walk sent (the stable walk's first page included; the
layer's one read of the search form is not counted: both walks make it); "pages by number" is
what a walk by page number needs for the orders there were when the walk started (the creators
of the rows before add orders).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from walk import Sandbox, machine  # noqa: E402

from halnav import HALNavError  # noqa: E402
from halnav.bootic import BooticClient  # noqa: E402

PER_PAGE = 50
WALKS = [
    ("page number, created_on.desc", False, "created_on.desc"),
    ("stable, created_on.desc", True, "created_on.desc"),
    ("stable, created_on.asc", True, "created_on.asc"),
    ("page number, updated_on.asc", False, "updated_on.asc"),
    ("stable, updated_on.asc", True, "updated_on.asc"),
    ("stable, updated_on.desc", True, "updated_on.desc"),
    ("stable, net_total.asc", True, "net_total.asc"),
]


class Writers:
    """Threads writing to the shop until stopped; ``writes`` counts them."""

    def __init__(self, sandbox: Sandbox, threads: int, creators: int, seed: int) -> None:
        self.stop = threading.Event()
        self.writes = 0
        self.created = 0
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, args=(sandbox, seed + n, n < creators), daemon=True)
            for n in range(threads + creators)
        ]

    def _run(self, sandbox: Sandbox, seed: int, creating: bool) -> None:
        chance = random.Random(seed)
        with BooticClient(token=sandbox.token, root_url=sandbox.url, cache=False) as bootic:
            shop = bootic.shop()
            ids = [o.id for o in shop.orders(per_page=200).orders]
            variants = [
                item["variant_id"] for o in shop.orders(per_page=20).orders for item in o.line_items
            ]
            while not self.stop.is_set():
                try:
                    if creating:
                        shop.create_order([{"variant_id": chance.choice(variants), "units": 1}])
                        with self._lock:
                            self.created += 1
                    else:
                        order = shop.order(chance.choice(ids))
                        order.set_status(order.status or "pending")
                except HALNavError:
                    pass
                with self._lock:
                    self.writes += 1

    def __enter__(self) -> Writers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=60)


def walk_once(sandbox: Sandbox, stable: bool, sort: str, writers: Writers | None) -> dict[str, Any]:
    with BooticClient(token=sandbox.token, root_url=sandbox.url, cache=False) as bootic:
        shop = bootic.shop()
        shop.orders()  # the search form, read once per client by any filtered query
        before = {o.id for o in shop.iter_orders(stable=True, per_page=200)}
        pages = 0

        def count(response: Any, *args: Any, **kwargs: Any) -> Any:
            nonlocal pages
            if "/orders" in response.url and response.request.method == "GET":
                pages += 1
            return response

        bootic.client.session.hooks["response"].append(count)
        start = time.perf_counter()
        if writers is not None:
            writers.__enter__()
        try:
            ids = [o.id for o in shop.iter_orders(stable=stable, sort=sort, per_page=PER_PAGE)]
        finally:
            if writers is not None:
                writers.__exit__()
        seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "before": len(before),
        "pages": pages,
        "orders": len(ids),
        "missed": len(before - set(ids)),
        "twice": len(ids) - len(set(ids)),
        "writes": writers.writes if writers is not None else 0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--orders", type=int, default=14486)
    parser.add_argument("--writers", type=int, default=2, help="threads setting statuses")
    parser.add_argument("--creators", type=int, default=1, help="threads creating orders")
    args = parser.parse_args(argv)
    print(f"Machine: {machine()}")
    print(
        f"{args.orders} orders, per_page={PER_PAGE}, {args.rounds} rounds; writers: "
        f"{args.writers} status threads, {args.creators} creating\n"
    )
    sandbox = Sandbox(args.orders)
    rows = []
    try:
        for label, stable, sort in WALKS:
            for writing in (False, True):
                results = []
                for n in range(args.rounds):
                    writers = (
                        Writers(sandbox, args.writers, args.creators, seed=n) if writing else None
                    )
                    results.append(walk_once(sandbox, stable, sort, writers))
                rows.append((label, writing, results))
                last = results[-1]
                print(f"  {label}, writers={writing}: {last}", flush=True)
    finally:
        sandbox.close()
    print()
    print(
        "| walk | writers | orders before | pages by number | pages | median s | orders missed "
        "| orders twice | writes |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for label, writing, results in rows:
        pages = sorted({r["pages"] for r in results})
        before = results[-1]["before"]
        print(
            f"| {label} | {'yes' if writing else 'no'} | {before} | {-(-before // PER_PAGE)} | "
            f"{'/'.join(map(str, pages))} | "
            f"{statistics.median(r['seconds'] for r in results):.2f} | "
            f"{max(r['missed'] for r in results)} | {max(r['twice'] for r in results)} | "
            f"{round(statistics.median(r['writes'] for r in results))} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
