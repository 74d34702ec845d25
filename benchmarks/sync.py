"""``shop.sync_orders``: the first sync of a shop's orders, a run right after, and one after 100
updates: time, pages, and the first run's peak memory.

    python benchmarks/sync.py                    # 14,486 orders, 3 rounds: ~1 minute
    python benchmarks/sync.py --rounds 1 --orders 3000

The sandbox runs in a subprocess (``walk.Sandbox``); each round syncs to a new file in a fresh
child process, which reads its resident memory after importing everything and fetching the
shop, resets its peak (``/proc/self/clear_refs``), syncs, and reads ``VmHWM``: the peak is the
sync's own. Each round then runs a second sync right after the first, updates 100 orders
(one bulk update), and runs a third. The sandbox's data is seed 0: its newest ``updated_on`` is
the seed's, so the second run re-reads only the orders updated in the two minutes (the overlap)
before it; in later rounds it also re-reads the earlier rounds' 100 updates, when they are that
recent.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from walk import Sandbox, machine  # noqa: E402


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def child(url: str, token: str, path: str, round_number: int) -> dict[str, Any]:
    """One round, in this (fresh) process."""
    import gc

    from halnav.bootic import BooticClient

    results: dict[str, Any] = {}
    with BooticClient(token=token, root_url=url) as bootic:
        shop = bootic.shop()
        shop.orders()  # the search form, read once per client
        gc.collect()
        before = _status_kb("VmRSS")
        peak_reset = True
        try:
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            peak_reset = False
        start = time.perf_counter()
        first = shop.sync_orders(path)
        results["first"] = {
            "seconds": time.perf_counter() - start,
            "pages": first.pages,
            "orders": first.fetched,
            "peak_mb": (_status_kb("VmHWM") - before) / 1024 if peak_reset else None,
        }
        start = time.perf_counter()
        again = shop.sync_orders(path)
        results["again"] = {
            "seconds": time.perf_counter() - start,
            "pages": again.pages,
            "orders": again.fetched,
        }
        ids = [o.id for o in shop.orders(sort="created_on.asc", per_page=200).orders]
        shop.update_orders(ids[:100], status="invalid")
        start = time.perf_counter()
        after = shop.sync_orders(path)
        results["after_100"] = {
            "seconds": time.perf_counter() - start,
            "pages": after.pages,
            "orders": after.fetched,
            "updated": after.updated,
        }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--orders", type=int, default=14486)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        url, token, path, number = args.child
        print(json.dumps(child(url, token, path, int(number))))
        return 0
    print(f"Machine: {machine()}")
    print(f"{args.orders} orders, {args.rounds} rounds, a sync's default page of 200\n")
    sandbox = Sandbox(args.orders)
    rounds: list[dict[str, Any]] = []
    try:
        for number in range(args.rounds):
            with tempfile.TemporaryDirectory() as folder:
                path = str(Path(folder) / "orders.sqlite")
                done = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        sandbox.url,
                        sandbox.token,
                        path,
                        str(number),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                rounds.append(json.loads(done.stdout))
                print(f"  round {number + 1}: {rounds[-1]}", flush=True)
    finally:
        sandbox.close()
    print()
    print("| run | pages | orders read | median s | peak memory (MB) |")
    print("|---|---|---|---|---|")
    for key, label in (
        ("first", "first sync"),
        ("again", "right after"),
        ("after_100", "after 100 updates"),
    ):
        rows = [r[key] for r in rounds]
        pages = "/".join(str(p) for p in sorted({r["pages"] for r in rows}))
        read = "/".join(str(p) for p in sorted({r["orders"] for r in rows}))
        peaks = [r["peak_mb"] for r in rows if r.get("peak_mb") is not None]
        peak = f"{statistics.median(peaks):.1f}" if peaks else ""
        print(
            f"| {label} | {pages} | {read} | "
            f"{statistics.median(r['seconds'] for r in rows):.2f} | {peak} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
