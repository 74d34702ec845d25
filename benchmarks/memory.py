"""Peak memory of walking 100,000 orders: how much a walk raises the process's peak RSS.

    python benchmarks/memory.py                 # 100,000 orders, 2,000 pages of 50
    python benchmarks/memory.py --orders 20000  # a quick look

The sandbox runs in a subprocess of its own, and so does every measured walk: the child imports
everything, makes its client and fetches the root and the shop, collects garbage, reads its RSS
(the baseline), resets its peak (``/proc/self/clear_refs``) and walks the whole collection, then
reads its peak RSS (``VmHWM``). Target: halnav's walks raise the peak by less than 50 MB.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from walk import Sandbox, machine  # noqa: E402

TARGET_MB = 50
CONFIGS = ["requests loop", "halnav", "halnav prefetch=8", "halnav cache=False"]


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def child(config: str, url: str, token: str, shop_id: int, per_page: int) -> dict:
    """One walk in this (fresh) process; memory figures in MB."""
    import requests
    import uritemplate

    import halnav

    items = 0
    if config == "requests loop":
        session = requests.Session()
        session.headers.update({"Authorization": f"Bearer {token}"})
        root = session.get(url).json()
        shop = session.get(uritemplate.expand(root["_links"]["btc:shop"]["href"], id=shop_id))
        href = uritemplate.expand(shop.json()["_links"]["btc:orders"]["href"], per_page=per_page)

        def walk() -> int:
            count, next_url = 0, href
            while next_url:
                document = session.get(next_url).json()
                count += len(document["_embedded"]["items"])
                next_url = document["_links"].get("next", {}).get("href")
            return count

    else:
        prefetch = 8 if "prefetch" in config else 0
        client = halnav.Client(url, token=token, cache="cache=False" not in config)
        shop = client.root().follow("btc:shop", id=shop_id)
        orders_link = shop.link("btc:orders")

        def walk() -> int:
            orders = client.get_link(orders_link, per_page=per_page)
            count = 0
            for item in orders.iterate(prefetch=prefetch):
                count += item["id"] > 0
            return count

    gc.collect()
    baseline = _status_kb("VmRSS")
    exact = _reset_peak()
    started = time.perf_counter()
    items = walk()
    seconds = time.perf_counter() - started
    peak = _status_kb("VmHWM")
    return {
        "config": config,
        "items": items,
        "seconds": seconds,
        "baseline_mb": baseline / 1024,
        "peak_mb": peak / 1024,
        "increase_mb": max(0, peak - baseline) / 1024,
        "peak_reset": exact,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--per-page", type=int, default=50)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}", flush=True)
    print(f"seeding a sandbox with {args.orders} orders...", flush=True)
    sandbox = Sandbox(args.orders)
    results = []
    try:
        for config in CONFIGS:
            command = [
                sys.executable,
                __file__,
                "child",
                config,
                sandbox.url,
                sandbox.token,
                str(sandbox.shop_id),
                str(args.per_page),
            ]
            done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                results.append({"config": config, "error": done.stderr.strip()[-200:]})
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            results.append(result)
            print(
                f"  {config:<20} {result['items']} items in {result['seconds']:.1f} s, "
                f"peak +{result['increase_mb']:.1f} MB",
                flush=True,
            )
    finally:
        sandbox.close()

    pages = -(-args.orders // args.per_page)
    print()
    print(f"Walk of {args.orders} orders ({pages} pages of {args.per_page}), one process each")
    print()
    print("| client | items | seconds | RSS before walk MB | peak RSS MB | peak raised by MB |")
    print("|---|---|---|---|---|---|")
    for r in results:
        if "error" in r:
            print(f"| {r['config']} | failed: {r['error']} | | | | |")
            continue
        print(
            f"| {r['config']} | {r['items']} | {r['seconds']:.1f} | {r['baseline_mb']:.1f} | "
            f"{r['peak_mb']:.1f} | {r['increase_mb']:.1f} |"
        )
    print()
    ok_all = True
    for r in results:
        if not r["config"].startswith("halnav"):
            continue
        ok = "error" not in r and r["items"] == args.orders and r["increase_mb"] < TARGET_MB
        ok_all &= ok
        detail = r.get("error") or f"+{r['increase_mb']:.1f} MB, {r['items']} items"
        print(
            f"{'PASS' if ok else 'FAIL'}  {r['config']}: walking {args.orders} orders raises "
            f"peak RSS by less than {TARGET_MB} MB: {detail}"
        )
    return 0 if ok_all else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        config, url, token, shop_id, per_page = sys.argv[2:7]
        print(json.dumps(child(config, url, token, int(shop_id), int(per_page))))
        raise SystemExit(0)
    raise SystemExit(main())
