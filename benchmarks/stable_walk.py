"""Stable walks against plain walks on the sandbox: pages fetched and time, with and without a
concurrent writer.

    python benchmarks/stable_walk.py                # 3,000 orders, 2 rounds: about a minute
    python benchmarks/stable_walk.py --rounds 1 --orders 1000

Three workloads, each walked plain (``iterate()``) and stable (``iterate(stable=True)``), each
walk with a fresh client:

- **read all**: every order, newest first (``sort=created_on.desc``, 50 a page); alone, then
  with a writer thread creating orders as fast as it can (at most ``--writes``), as a shop does.
  Counted: pages fetched, orders met, orders met twice, orders there from start to end not met.
- **close as you go**: every ``status=pending`` order, 20 a page, each closed through its own
  link as it is met (the loop of issue 14); alone, then with a writer thread adding pending
  orders. Each walk starts from a fresh sandbox (the walk changes it). Counted as above, plus the
  pending orders left at the end.

The sandbox runs in a subprocess (its CPU is not the client's); the writer is a thread of the
benchmark's process, with a client of its own. Pages are counted by a response hook on the
walking client's session (GETs of the collection's path).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from walk import Sandbox  # noqa: E402  (the sandbox in a process of its own)

import halnav  # noqa: E402


def update_rel(order: halnav.Resource) -> str:
    return (
        "btc:update_order_tracking"
        if order.has("btc:update_order_tracking")
        else "btc:update_order"
    )


class Writer(threading.Thread):
    """Creates orders (and sets them ``status``) until told to stop or ``limit`` are made."""

    def __init__(self, sandbox: Sandbox, limit: int, status: str | None) -> None:
        super().__init__(daemon=True)
        self.sandbox, self.limit, self.status = sandbox, limit, status
        self.created = 0
        self.stop = threading.Event()

    def run(self) -> None:
        body = {"line_items": [{"variant_id": self.sandbox.variant, "units": 1}]}
        with halnav.Client(self.sandbox.url, token=self.sandbox.token) as client:
            shop = client.root().follow("shops")
            while not self.stop.is_set() and self.created < self.limit:
                order = shop.invoke("btc:create_order", json=body)
                if self.status is not None:
                    order.invoke(update_rel(order), json={"status": self.status})
                self.created += 1


def present_first_url(shop: halnav.Resource, query: dict[str, Any]) -> str:
    """The URL of the collection's first page (its path is what the hook counts)."""
    return shop.link("btc:orders").url(**query)


def pending_now(shop: halnav.Resource) -> set[str]:
    first = shop.follow("btc:orders", status="pending", per_page=200)
    return {order.url or "" for order in first.iterate()}


def walk(
    sandbox: Sandbox,
    *,
    stable: bool,
    writes: int,
    query: dict[str, Any],
    each: Callable[[halnav.Resource], None] | None,
    writer_status: str | None,
    prefetch: int = 0,
) -> dict[str, Any]:
    with halnav.Client(sandbox.url, token=sandbox.token) as client:
        shop = client.root().follow("shops")
        listing = {**query, "per_page": 200}
        present = {o.url or "" for o in shop.follow("btc:orders", **listing).iterate()}
        path = urlsplit(present_first_url(shop, query)).path
        pages = 0

        def count(response: Any, *args: Any, **kwargs: Any) -> None:
            nonlocal pages
            if response.request.method == "GET" and urlsplit(response.url).path == path:
                pages += 1

        client.session.hooks["response"].append(count)
        first = shop.follow("btc:orders", **query)  # counted: a walk's first page is a page
        writer = Writer(sandbox, writes, writer_status) if writes else None
        met: Counter[str] = Counter()
        started = time.perf_counter()
        if writer is not None:
            writer.start()
        try:
            walking = first.iterate(prefetch=prefetch, stable=stable)
            for order in walking:
                met[order.url or ""] += 1
                if each is not None:
                    each(order)
        except (halnav.WalkCountMismatch, halnav.NotFound) as exc:
            # A plain walk over a shrinking set: its next page may be gone (Bootic answers a
            # page past the last with 404), and what it missed is what is measured.
            print(f"  ! {type(exc).__name__}: {exc}", file=sys.stderr)
        finally:
            if writer is not None:
                writer.stop.set()
                writer.join(30)
        seconds = time.perf_counter() - started
        client.session.hooks["response"].remove(count)
        there_throughout = present & (
            {o.url or "" for o in shop.follow("btc:orders", **listing).iterate()}
            if each is None
            else present
        )
        left = len(pending_now(shop) & present) if each is not None else None
    return {
        "seconds": seconds,
        "pages": pages,
        "met": sum(met.values()),
        "twice": sum(n - 1 for n in met.values() if n > 1),
        "missed": len(there_throughout - set(met)),
        "written": writer.created if writer is not None else 0,
        "left": left,
        "prefetching": walking.prefetching,
    }


def close(order: halnav.Resource) -> None:
    order.invoke(update_rel(order), json={"status": "closed"})


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{os.cpu_count()} CPUs, load average {load:.1f}, Python {sys.version.split()[0]}, "
        f"halnav {halnav.__version__}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--writes", type=int, default=200, help="most orders a writer creates")
    args = parser.parse_args(argv)

    newest = {"sort": "created_on.desc", "per_page": 50}
    pending = {"status": "pending", "per_page": 20}
    # name, query, what the loop does to each order, the writer's status, a writer, prefetch
    workloads = [
        ("read all", newest, None, None, False, 0),
        ("read all, prefetch=4", newest, None, None, False, 4),
        ("read all, writer creating orders", newest, None, None, True, 0),
        ("read all, prefetch=4, writer creating orders", newest, None, None, True, 4),
        ("close as you go", pending, close, None, False, 0),
        ("close as you go, writer adding pending orders", pending, close, "pending", True, 0),
    ]
    rows: list[list[str]] = []
    shared = Sandbox(args.orders)
    try:
        for name, query, each, status, with_writer, prefetch in workloads:
            results: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
            for _ in range(args.rounds):
                for stable in (False, True):
                    # A walk that writes gets a fresh sandbox; a reading one shares one.
                    box = Sandbox(args.orders) if (each or with_writer) else shared
                    try:
                        results[stable].append(
                            walk(
                                box,
                                stable=stable,
                                writes=args.writes if with_writer else 0,
                                query=query,
                                each=each,
                                writer_status=status,
                                prefetch=prefetch,
                            )
                        )
                    finally:
                        if box is not shared:
                            box.close()
            for stable in (False, True):
                runs = results[stable]
                rows.append(
                    [
                        name,
                        "stable" if stable else "plain",
                        f"{statistics.median(r['seconds'] for r in runs):.2f}",
                        "/".join(str(r["pages"]) for r in runs),
                        "/".join(str(r["met"]) for r in runs),
                        "/".join(str(r["twice"]) for r in runs),
                        "/".join(str(r["missed"]) for r in runs),
                        "/".join(str(r["left"]) for r in runs) if each else "",
                        "/".join(str(r["written"]) for r in runs) if with_writer else "",
                        "/".join("yes" if r["prefetching"] else "no" for r in runs)
                        if prefetch
                        else "",
                    ]
                )
    finally:
        shared.close()
    print(f"{args.orders} orders, {args.rounds} rounds; {machine()}\n")
    header = [
        "workload",
        "walk",
        "median s",
        "pages fetched",
        "orders met",
        "met twice",
        "missed",
        "pending left",
        "orders written",
        "still prefetching at the end",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print("\n(Per-round values are separated by /.)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
