"""The ``halnav sandbox`` command: serve a sandbox until interrupted, printing how to reach it.

``halnav sandbox [--host 127.0.0.1] [--port 8000] [--db PATH] [--orders N] [--seed S]
[--latency-ms MS] [--fail-rate F] [--token-lifetime SECONDS] [--layout default|alternate]
[--verbose]``; ``python -m halnav.sandbox`` is the same. ``main`` returns the exit status. Values
are checked by the sandbox itself (the checks :func:`serve` makes); a bad one is a usage error.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="halnav sandbox",
        description="Serve a local Bootic-compatible API with seeded data, until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="0: any free port")
    parser.add_argument("--db", metavar="PATH", help="SQLite file (kept across restarts)")
    parser.add_argument("--orders", type=int, default=14486, help="orders seeded in shop 1")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated data")
    parser.add_argument("--latency-ms", type=float, default=0, help="delay before each answer")
    parser.add_argument(
        "--fail-rate", type=float, default=0.0, help="fraction of API requests that fail"
    )
    parser.add_argument(
        "--token-lifetime",
        type=float,
        default=3600,
        metavar="SECONDS",
        help="lifetime of tokens from the token endpoint",
    )
    parser.add_argument("--layout", choices=("default", "alternate"), default="default")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser


def _banner(url: Any, args: argparse.Namespace, orders: int) -> str:
    where = f"database {args.db}" if args.db else "in memory"
    notes = {
        "shop1_admin": f"owner of shop {url.shop_id}, scope admin",
        "shop2_admin": f"owner of shop {url.other_shop_id}, scope admin",
        "shop1_public": f"owner of shop {url.shop_id}, scope public (no admin: 403)",
        "shop1_expired": "expired (401)",
    }
    lines = [
        f"halnav Bootic sandbox: {orders} orders in shop {url.shop_id}, seed {args.seed}, {where}",
        f"  root URL       {url}",
        f"  token URL      {url.token_url}",
        f"  client id      {url.client_id}",
        f"  client secret  {url.client_secret}",
        "  tokens:",
    ]
    for name, value in url.tokens.items():
        lines.append(f"    {name:<14} {value:<30} {notes.get(name, '')}")
    lines.append(f'  try: curl -H "Authorization: Bearer {url.token}" {url}')
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


def _as_option(message: str, args: argparse.Namespace) -> str:
    """``fail_rate must be ...`` as ``--fail-rate must be ...``: the user typed options."""
    name = message.split(" ", 1)[0]
    if name.isidentifier() and hasattr(args, name):
        return f"--{name.replace('_', '-')}{message[len(name) :]}"
    return message


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        from . import serve
        from ._app import check_options
    except ImportError as exc:
        print(f"halnav sandbox: {exc}", file=sys.stderr)
        return 2
    # Checked before serving, by the sandbox's own rules, so a bad value is a usage error.
    options = {
        "orders": args.orders,
        "latency_ms": args.latency_ms,
        "fail_rate": args.fail_rate,
        "token_lifetime": args.token_lifetime,
        "layout": args.layout,
        "port": args.port,
    }
    try:
        check_options(**options)
    except ValueError as exc:
        parser.error(_as_option(str(exc), args))  # exits with status 2 and the usage

    stop = threading.Event()
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set()) if in_main_thread else None
    try:
        with serve(
            host=args.host, db=args.db, seed=args.seed, log_requests=args.verbose, **options
        ) as url:
            orders = url.db.query("SELECT COUNT(*) FROM orders WHERE shop_id = ?", (url.shop_id,))
            print(_banner(url, args, orders[0][0]), flush=True)
            try:
                while not stop.wait(0.5):  # a timed wait keeps Ctrl-C responsive everywhere
                    pass
            except KeyboardInterrupt:
                pass
    except (OSError, ValueError) as exc:
        print(f"halnav sandbox: {exc}", file=sys.stderr)
        return 1
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
    print("Sandbox stopped.", flush=True)
    return 0
