"""Walk the sandbox's orders collection with every client, side by side; print a table, draw a chart.

    pip install matplotlib restnavigator halchemy   # for the benchmark only
    python benchmarks/walk.py                        # ~10 minutes on 2 cores
    python benchmarks/walk.py --rounds 1 --orders 2000 --no-chart   # a quick look

The sandbox runs in a subprocess (so its CPU is not the client's); its latency is switched
between rounds through that subprocess's standard input. The requests loop and the halnav
configurations run in this process, interleaved, a fresh client (and connection pool) for
every walk. The peers run each walk in a subprocess of their own: importing halchemy replaces
``requests.Session`` for the whole process, and restnavigator's own page iteration raises
``RuntimeError`` on Python 3.7+ (PEP 479), so each is driven with its documented calls.
Medians over the rounds are printed, with ratios and the targets' PASS/FAIL.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PER_PAGE = 50

Result = dict[str, Any]


# -- the walks -------------------------------------------------------------------------------


def walk_raw(url: str, token: str, shop_id: int, per_page: int) -> Result:
    """The floor: requests.Session, resp.json(), following ``next`` by hand."""
    import requests
    import uritemplate

    started = time.perf_counter()
    items = pages = 0
    with requests.Session() as session:
        session.headers.update(
            {"Authorization": f"Bearer {token}", "Accept": "application/hal+json"}
        )
        root = session.get(url).json()
        shop = session.get(uritemplate.expand(root["_links"]["btc:shop"]["href"], id=shop_id))
        orders = shop.json()["_links"]["btc:orders"]["href"]
        next_url: str | None = uritemplate.expand(orders, per_page=per_page)
        while next_url:
            response = session.get(next_url)
            response.raise_for_status()
            document = response.json()
            pages += 1
            for item in document["_embedded"]["items"]:
                items += item["id"] > 0
            next_url = document["_links"].get("next", {}).get("href")
    return {"seconds": time.perf_counter() - started, "items": items, "pages": pages}


def walk_halnav(
    url: str, token: str, shop_id: int, per_page: int, prefetch: int = 0, client: Any = None
) -> Result:
    """halnav's documented calls: follow the shop, follow its orders, iterate the items."""
    import halnav

    started = time.perf_counter()
    own = client is None
    client = client or halnav.Client(url, token=token)
    items = 0
    try:
        orders = (
            client.root().follow("btc:shop", id=shop_id).follow("btc:orders", per_page=per_page)
        )
        for page in orders.pages(prefetch=prefetch):
            for item in page.iter_embedded("items"):
                items += item["id"] > 0
    finally:
        if own:
            client.close()
    pages = -(-orders["total_items"] // per_page)
    return {"seconds": time.perf_counter() - started, "items": items, "pages": pages}


def walk_restnavigator(url: str, token: str, shop_id: int, per_page: int) -> Result:
    """restnavigator's documented calls; its ``for page in nav`` breaks on Python 3.7+.

    Its parser raises ``TypeError: Can only get the state of a dictionary`` on an embedded
    ``null`` (the Bootic orders have ``"promotion": null`` when there is none), so a response
    hook on the session it is given removes those first; the hook's time is subtracted.
    """
    import requests
    from restnavigator import Navigator

    hook_seconds = 0.0

    def drop_null_embedded(response: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal hook_seconds
        begun = time.perf_counter()
        if response.headers.get("Content-Type", "").startswith("application/json"):
            document = json.loads(response.content)
            _drop_nulls(document)
            response._content = json.dumps(document).encode()
        hook_seconds += time.perf_counter() - begun
        return response

    session = requests.Session()
    session.hooks["response"].append(drop_null_embedded)
    started = time.perf_counter()
    nav = Navigator.hal(url, headers={"Authorization": f"Bearer {token}"}, session=session)
    page = nav["btc:shop"](id=shop_id)["btc:orders"](per_page=per_page)
    items = pages = 0
    while True:
        page()
        pages += 1
        for item in page.embedded()["items"]:
            items += item.state["id"] > 0
        links = page.links()
        if "next" not in links:
            break
        page = links["next"]
    seconds = time.perf_counter() - started - hook_seconds
    return {"seconds": seconds, "items": items, "pages": pages, "hook_seconds": hook_seconds}


def _drop_nulls(document: Any) -> None:
    if isinstance(document, list):
        for item in document:
            _drop_nulls(item)
    elif isinstance(document, dict):
        embedded = document.get("_embedded")
        if isinstance(embedded, dict):
            for rel in [rel for rel, value in embedded.items() if value is None]:
                del embedded[rel]
            _drop_nulls(list(embedded.values()))


def walk_halchemy(url: str, token: str, shop_id: int, per_page: int) -> Result:
    """halchemy's documented fluent calls."""
    from halchemy import Api

    started = time.perf_counter()
    api = Api(url, headers={"Authorization": f"Bearer {token}"})
    root = api.using_endpoint(url).get()
    shop = api.follow(root).to("btc:shop").with_template_values({"id": shop_id}).get()
    to_orders = api.follow(shop).to("btc:orders")
    page = to_orders.with_template_values({"per_page": per_page}).get()
    items = pages = 0
    while True:
        if page._halchemy.response.status_code != 200:
            raise RuntimeError(f"halchemy got {page._halchemy.response.status_code}")
        pages += 1
        for item in page.embedded_many("items"):
            items += item["id"] > 0
        if not page.has_rel("next"):
            break
        page = api.follow(page).to("next").get()
    return {"seconds": time.perf_counter() - started, "items": items, "pages": pages}


def walk_cache_library(name: str, url: str, token: str, shop_id: int, per_page: int) -> Result:
    """Two walks (cold, then warm) through a requests session cached by CacheControl or
    requests-cache, decoding each page with ``resp.json()`` as a client over them must."""
    import requests
    import uritemplate

    if name == "CacheControl":
        from cachecontrol import CacheControl
        from cachecontrol.cache import DictCache

        session = CacheControl(requests.Session(), cache=DictCache())
    else:
        import requests_cache

        session = requests_cache.CachedSession(backend="memory", cache_control=True)
    session.headers.update({"Authorization": f"Bearer {token}"})
    result: Result = {}
    for walk in ("cold", "warm"):
        started = time.perf_counter()
        items = pages = reused = 0
        root = session.get(url).json()
        shop = session.get(uritemplate.expand(root["_links"]["btc:shop"]["href"], id=shop_id))
        href = uritemplate.expand(shop.json()["_links"]["btc:orders"]["href"], per_page=per_page)
        next_url: str | None = href
        while next_url:
            response = session.get(next_url)
            document = response.json()
            pages += 1
            reused += bool(getattr(response, "from_cache", False))
            items += len(document["_embedded"]["items"])
            next_url = document["_links"].get("next", {}).get("href")
        result[walk] = time.perf_counter() - started
        result[f"{walk}_reused"] = reused
    result.update(items=items, pages=pages, seconds=result["warm"])
    return result


PEERS: dict[str, Callable[..., Result]] = {
    "restnavigator": walk_restnavigator,
    "halchemy": walk_halchemy,
}


CACHE_LIBRARIES = ("CacheControl", "requests-cache")


def run_peer(name: str, url: str, token: str, shop_id: int, per_page: int) -> Result:
    """One walk by a peer, in a fresh interpreter (halchemy patches requests for its process)."""
    command = [sys.executable, __file__, "peer", name, url, token, str(shop_id), str(per_page)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the sandbox in a subprocess ------------------------------------------------------------


class Sandbox:
    """``python walk.py serve``: a sandbox in its own process; ``latency(ms)`` changes it live."""

    def __init__(self, orders: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "serve", str(orders)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the sandbox did not start")
        info = json.loads(line)
        self.url, self.token, self.shop_id = info["url"], info["token"], info["shop_id"]
        #: A variant of the shop's catalogue, for benchmarks that create orders.
        self.variant: int = info["variant"]

    def latency(self, ms: float) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{ms}\n")
        self.process.stdin.flush()
        self.process.stdout.readline()

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def serve_forever(orders: int) -> None:
    from halnav.sandbox import serve

    with serve(orders=orders, seed=0) as url:
        started = {
            "url": url,
            "token": url.token,
            "shop_id": url.shop_id,
            "variant": url.variant_ids[0],
        }
        print(json.dumps(started), flush=True)
        for line in sys.stdin:
            url.config.latency_ms = float(line)
            print("ok", flush=True)


# -- the benchmark --------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import requests

    try:
        import orjson

        json_backend = f"orjson {orjson.__version__}"
    except ImportError:
        json_backend = "json (stdlib)"
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Linux {platform.release()}, "
        f"Python {platform.python_version()}, requests {requests.__version__}, {json_backend}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--orders", type=int, default=14486)
    parser.add_argument("--per-page", type=int, default=PER_PAGE)
    parser.add_argument("--latencies", default="0,20", help="server latencies in ms")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--no-chart", action="store_true")
    parser.add_argument("--no-cache-libraries", action="store_true")
    parser.add_argument("--chart", default=str(HERE / "walk.png"))
    parser.add_argument("--json", help="also write the medians to this file")
    args = parser.parse_args(argv)

    import halnav

    latencies = [float(x) for x in args.latencies.split(",")]
    configs: dict[str, Callable[[Sandbox], Result]] = {
        "requests loop": lambda s: walk_raw(s.url, s.token, s.shop_id, args.per_page),
        "halnav": lambda s: walk_halnav(s.url, s.token, s.shop_id, args.per_page),
        "halnav prefetch=4": lambda s: walk_halnav(s.url, s.token, s.shop_id, args.per_page, 4),
        "halnav prefetch=8": lambda s: walk_halnav(s.url, s.token, s.shop_id, args.per_page, 8),
    }
    if not args.no_peers:
        for name in PEERS:
            configs[name] = lambda s, name=name: run_peer(
                name, s.url, s.token, s.shop_id, args.per_page
            )

    print(f"machine: {machine()}", flush=True)
    sandbox = Sandbox(args.orders)
    times: dict[tuple[str, float], list[float]] = {}
    errors: dict[tuple[str, float], str] = {}
    expected_pages = -(-args.orders // args.per_page)
    warm: dict[str, list[float]] = {}
    warm_checks: list[dict[str, int]] = []
    # The HTTP caching libraries halnav could have been built on, when installed.
    libraries: dict[str, dict[str, list[float]]] = {
        name: {}
        for name, module in zip(CACHE_LIBRARIES, ("cachecontrol", "requests_cache"), strict=True)
        if not args.no_cache_libraries and importlib.util.find_spec(module) is not None
    }
    try:
        for latency in latencies:
            sandbox.latency(latency)
            names = list(configs)
            for round_number in range(args.rounds):
                shift = round_number % len(names)
                for name in names[shift:] + names[:shift]:  # a new order every round
                    gc.collect()
                    result = configs[name](sandbox)
                    key = (name, latency)
                    if "error" in result:
                        errors[key] = result["error"]
                        continue
                    if result["items"] != args.orders or result["pages"] != expected_pages:
                        errors[key] = f"walked {result['items']} items, {result['pages']} pages"
                    times.setdefault(key, []).append(result["seconds"])
                    print(
                        f"  {latency:>4.0f} ms  round {round_number + 1}  {name:<18} "
                        f"{result['seconds']:7.3f} s",
                        flush=True,
                    )
                if latency == 0:
                    check = warm_rewalk(sandbox, args.per_page, halnav)
                    warm.setdefault("cold", []).append(check.pop("cold"))
                    warm.setdefault("warm", []).append(check.pop("warm"))
                    warm_checks.append(check)
                    for library in libraries:
                        outcome = run_peer(
                            library, sandbox.url, sandbox.token, sandbox.shop_id, args.per_page
                        )
                        for walk in ("cold", "warm"):
                            if walk in outcome:
                                libraries[library].setdefault(walk, []).append(outcome[walk])
                        print(
                            f"  {latency:>4.0f} ms  round {round_number + 1}  {library:<18} {outcome}",
                            flush=True,
                        )
    finally:
        sandbox.close()

    medians = {key: statistics.median(values) for key, values in times.items()}
    print()
    print(render_table(medians, errors, latencies, warm, warm_checks, args.rounds))
    if libraries:
        print()
        print(render_libraries(warm, libraries))
    targets = check_targets(medians, latencies, warm_checks, expected_pages)
    print()
    for line in targets:
        print(line)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "medians": {f"{n}@{lat:g}": v for (n, lat), v in medians.items()},
                    "warm": {k: statistics.median(v) for k, v in warm.items()},
                    "warm_checks": warm_checks,
                    "targets": targets,
                    "machine": machine(),
                },
                indent=2,
            )
        )
    if not args.no_chart:
        draw_chart(medians, latencies, warm, Path(args.chart), expected_pages)
        print(f"\nchart: {args.chart}")
    return 0 if all("PASS" in line for line in targets) else 1


def warm_rewalk(sandbox: Sandbox, per_page: int, halnav: Any) -> dict[str, Any]:
    """Walk twice with one client whose cache holds the collection; count the second walk."""
    store = halnav.MemoryCache(max_bytes=1024 * 2**20)
    with halnav.Client(sandbox.url, token=sandbox.token, cache=store) as client:
        cold = walk_halnav(sandbox.url, sandbox.token, sandbox.shop_id, per_page, client=client)
        store.stats.reset()
        second = walk_halnav(sandbox.url, sandbox.token, sandbox.shop_id, per_page, client=client)
        stats = store.stats.snapshot()
    return {
        "cold": cold["seconds"],
        "warm": second["seconds"],
        "requests": stats["lookups"],
        "not_modified": stats["not_modified"],
        "bytes_received": stats["bytes_received"],
        "bodies_decoded": stats["bodies_decoded"],
        "pages": second["pages"],
    }


def render_table(
    medians: dict[tuple[str, float], float],
    errors: dict[tuple[str, float], str],
    latencies: list[float],
    warm: dict[str, list[float]],
    warm_checks: list[dict[str, int]],
    rounds: int,
) -> str:
    names = list(dict.fromkeys(name for name, _ in medians))
    names += [name for name, _ in errors if name not in names]
    header = "| client | " + " | ".join(
        f"{lat:g} ms: median s | vs requests | vs halnav" for lat in latencies
    )
    lines = [
        f"Walk of the orders collection, medians of {rounds} interleaved rounds",
        "",
        header + " |",
        "|---" * (1 + 3 * len(latencies)) + "|",
    ]
    for name in names:
        cells = [name]
        for lat in latencies:
            value = medians.get((name, lat))
            if value is None:
                cells += [f"failed: {errors.get((name, lat), '?')}", "", ""]
                continue
            raw = medians.get(("requests loop", lat))
            ours = medians.get(("halnav", lat))
            cells += [
                f"{value:.3f}",
                f"{value / raw:.2f}x" if raw else "",
                f"{value / ours:.2f}x" if ours else "",
            ]
            if (name, lat) in errors:
                cells[-3] += f" ({errors[(name, lat)]})"
        lines.append("| " + " | ".join(cells) + " |")
    if any(name == "restnavigator" for name, _ in medians):
        lines += [
            "",
            'restnavigator refuses an embedded `null` (the orders\' `"promotion": null`) with '
            "TypeError; a response hook removes them before it parses, and the hook's time is "
            "subtracted from its walk.",
        ]
    if warm_checks:
        check = warm_checks[-1]
        lines += [
            "",
            "Second walk with the cache warm (halnav, one client, 0 ms), medians:",
            "",
            "| walk | median s | requests | 304s | body bytes received | bodies decoded |",
            "|---|---|---|---|---|---|",
            f"| first (cold cache) | {statistics.median(warm['cold']):.3f} | | | | |",
            f"| second (warm cache) | {statistics.median(warm['warm']):.3f} | "
            f"{check['requests']} | {check['not_modified']} | {check['bytes_received']} | "
            f"{check['bodies_decoded']} |",
        ]
    return "\n".join(lines)


def render_libraries(
    warm: dict[str, list[float]], libraries: dict[str, dict[str, list[float]]]
) -> str:
    """The cold and warm walks through halnav's own store and through the caching libraries."""
    lines = [
        "Cache stores compared (0 ms, a store holding the whole collection, medians):",
        "",
        "| store | first walk s | second walk s | a 304 gives back |",
        "|---|---|---|---|",
        f"| halnav's own (MemoryCache) | {statistics.median(warm['cold']):.3f} | "
        f"{statistics.median(warm['warm']):.3f} | the parsed resource |",
    ]
    for name, walks in libraries.items():
        if not walks.get("warm"):
            lines.append(f"| {name} | failed | | |")
            continue
        lines.append(
            f"| {name} + resp.json() | {statistics.median(walks['cold']):.3f} | "
            f"{statistics.median(walks['warm']):.3f} | a response whose body is decoded again |"
        )
    return "\n".join(lines)


def check_targets(
    medians: dict[tuple[str, float], float],
    latencies: list[float],
    warm_checks: list[dict[str, int]],
    pages: int,
) -> list[str]:
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    lines = []
    if 0 in latencies:
        raw, ours = medians.get(("requests loop", 0)), medians.get(("halnav", 0))
        if raw and ours:
            ratio = ours / raw
            lines.append(
                f"{verdict(ratio <= 1.15)}  halnav sequential within 1.15x of the requests loop "
                f"at 0 ms: {ratio:.2f}x"
            )
        for peer in PEERS:
            theirs = medians.get((peer, 0))
            if theirs is None:
                lines.append(f"FAIL  halnav at least as fast as {peer}: {peer} did not finish")
            elif ours:
                lines.append(
                    f"{verdict(ours <= theirs)}  halnav at least as fast as {peer} at 0 ms: "
                    f"{ours:.3f} s vs {theirs:.3f} s ({theirs / ours:.2f}x)"
                )
    if 20 in latencies:
        seq, p8 = medians.get(("halnav", 20)), medians.get(("halnav prefetch=8", 20))
        if seq and p8:
            lines.append(
                f"{verdict(seq / p8 >= 5)}  prefetch=8 at least 5x faster than sequential at "
                f"20 ms: {seq / p8:.2f}x"
            )
    if warm_checks:
        # Every request of the second walk (root, shop and every page) answered 304,
        # and not one body decoded.
        ok = all(
            c["not_modified"] == c["requests"] == pages + 2 and c["bodies_decoded"] == 0
            for c in warm_checks
        )
        c = warm_checks[-1]
        lines.append(
            f"{verdict(ok)}  warm re-walk: {c['not_modified']} of {c['requests']} requests "
            f"answered 304 ({pages} pages + root + shop), {c['bodies_decoded']} bodies decoded, "
            f"{c['bytes_received']} body bytes received"
        )
    return lines


def draw_chart(
    medians: dict[tuple[str, float], float],
    latencies: list[float],
    warm: dict[str, list[float]],
    path: Path,
    pages: int,
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(name for name, _ in medians))
    panels = len(latencies) + (1 if warm else 0)
    figure, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 4.2), squeeze=False)
    colours = {
        "requests loop": "#9e9e9e",
        "halnav": "#1f77b4",
        "halnav prefetch=4": "#4a9fe0",
        "halnav prefetch=8": "#8cc6f2",
        "restnavigator": "#d62728",
        "halchemy": "#ff7f0e",
    }
    for axis, lat in zip(axes[0], latencies, strict=False):
        shown = [n for n in names if (n, lat) in medians]
        values = [medians[(n, lat)] for n in shown]
        bars = axis.barh(shown, values, color=[colours.get(n, "#777") for n in shown])
        axis.bar_label(bars, labels=[f"{v:.2f} s" for v in values], padding=3, fontsize=8)
        axis.invert_yaxis()
        axis.set_title(f"walk of {pages} pages, {lat:g} ms server latency")
        axis.set_xlabel("seconds (median, lower is better)")
        axis.set_xlim(0, max(values) * 1.25)
    if warm:
        axis = axes[0][-1]
        labels = ["first walk (cold)", "second walk (warm, 304s)"]
        values = [statistics.median(warm["cold"]), statistics.median(warm["warm"])]
        bars = axis.barh(labels, values, color=["#1f77b4", "#2ca02c"])
        axis.bar_label(bars, labels=[f"{v:.2f} s" for v in values], padding=3, fontsize=8)
        axis.invert_yaxis()
        axis.set_title("halnav, cache warm, 0 ms")
        axis.set_xlabel("seconds (median)")
        axis.set_xlim(0, max(values) * 1.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve_forever(int(sys.argv[2]))
        raise SystemExit(0)
    if len(sys.argv) > 1 and sys.argv[1] == "peer":
        name, url, token, shop_id, per_page = sys.argv[2:7]
        if name in CACHE_LIBRARIES:
            outcome = walk_cache_library(name, url, token, int(shop_id), int(per_page))
        else:
            outcome = PEERS[name](url, token, int(shop_id), int(per_page))
        print(json.dumps(outcome))
        raise SystemExit(0)
    raise SystemExit(main())
