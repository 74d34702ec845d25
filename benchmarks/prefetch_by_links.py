"""Prefetch on a collection whose page 1 is fetched by URL: sequential against ``prefetch=8``.

    python benchmarks/prefetch_by_links.py                 # 120 pages, 20 ms, 3 rounds: ~20 s
    python benchmarks/prefetch_by_links.py --pages 40 --rounds 1

The server is not the sandbox but a small threaded HTTP/1.1 server of this file's own, in a
subprocess (so its CPU is not the client's): it serves pre-rendered HAL pages shaped like Spring
Data REST's (a 0-based ``page`` parameter, ``next``/``last`` links, ``page: {size,
totalElements, totalPages, number}``), each after a fixed latency. The client fetches page 1 by
its URL (no templated link), so any plan comes from the page's own links. Each walk uses a fresh
client; sequential and prefetched walks alternate. Target: prefetch 8 at least 6x faster than
sequential at 20 ms (the window's limit is 8x).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import halnav

ITEMS_PER_PAGE = 20


def render_pages(base: str, pages: int) -> list[bytes]:
    """Every page of the collection, rendered once."""
    rendered = []
    for number in range(pages):
        links = {
            "self": {"href": f"{base}/books?page={number}&size={ITEMS_PER_PAGE}"},
            "first": {"href": f"{base}/books?page=0&size={ITEMS_PER_PAGE}"},
            "last": {"href": f"{base}/books?page={pages - 1}&size={ITEMS_PER_PAGE}"},
        }
        if number < pages - 1:
            links["next"] = {"href": f"{base}/books?page={number + 1}&size={ITEMS_PER_PAGE}"}
        start = number * ITEMS_PER_PAGE
        items = [
            {
                "_links": {"self": {"href": f"{base}/books/{n}"}},
                "id": n,
                "title": f"Book {n}",
                "isbn": f"978-0-{n:06d}-0",
            }
            for n in range(start, start + ITEMS_PER_PAGE)
        ]
        document = {
            "_embedded": {"books": items},
            "_links": links,
            "page": {
                "size": ITEMS_PER_PAGE,
                "totalElements": pages * ITEMS_PER_PAGE,
                "totalPages": pages,
                "number": number,
            },
        }
        rendered.append(json.dumps(document).encode())
    return rendered


def serve(pages: int, latency: float) -> None:
    """Run the server (in the subprocess): print its base URL, serve until stdin closes."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes: without this, Nagle's algorithm holds the
            # body until the client's delayed ACK (40 ms), which would be measured as latency.
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            time.sleep(latency)
            query = dict(parse_qsl(urlsplit(self.path).query))
            number = int(query.get("page", "0"))
            body = rendered[min(number, pages - 1)]
            self.send_response(200)
            self.send_header("Content-Type", "application/hal+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    rendered = render_pages(base, pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(base, flush=True)
    sys.stdin.read()  # until the parent closes it
    server.shutdown()


def walk(base: str, prefetch: int, pages: int) -> tuple[float, bool]:
    """One walk with a fresh client: its time, and whether it prefetched."""
    started = time.perf_counter()
    with halnav.Client(base) as client:
        first = client.get(f"{base}/books")
        items = first.iterate("books", prefetch=prefetch)
        ids = [book["id"] for book in items]
        elapsed = time.perf_counter() - started
    assert ids == list(range(pages * ITEMS_PER_PAGE)), "the walk lost or repeated items"
    return elapsed, items.prefetching


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=120)
    parser.add_argument("--latency", type=float, default=0.020, help="seconds per request")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.pages, args.latency)
        return
    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            "--pages",
            str(args.pages),
            "--latency",
            str(args.latency),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        times: dict[int, list[float]] = {0: [], 8: []}
        walk(base, 0, args.pages)  # warm-up: imports, the first connection
        for _ in range(args.rounds):
            for window in (0, 8):
                elapsed, prefetching = walk(base, window, args.pages)
                assert prefetching == bool(window), "the prefetched walk did not prefetch"
                times[window].append(elapsed)
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)
    sequential, prefetched = statistics.median(times[0]), statistics.median(times[8])
    ratio = sequential / prefetched
    print(
        f"{args.pages} pages of {ITEMS_PER_PAGE} items, {args.latency * 1000:.0f} ms latency, "
        f"{args.rounds} rounds, page 1 fetched by URL\n"
    )
    print("| walk | median | pages/s |")
    print("| --- | ---: | ---: |")
    print(f"| sequential | {sequential:.2f} s | {args.pages / sequential:.0f} |")
    print(f"| prefetch=8 | {prefetched:.2f} s | {args.pages / prefetched:.0f} |")
    print(
        f"\n{'PASS' if ratio >= 6 else 'FAIL'}: prefetch 8 is {ratio:.1f}x sequential (target 6x)"
    )


if __name__ == "__main__":
    main()
