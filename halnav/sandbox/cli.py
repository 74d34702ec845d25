"""The ``halnav sandbox`` command: serve a sandbox until interrupted, printing how to reach it.

``halnav sandbox [--host 127.0.0.1] [--allow-remote] [--port 8000] [--db PATH] [--orders N]
[--seed S] [--latency-ms MS] [--fail-rate F] [--token-lifetime SECONDS]
[--layout default|alternate] [--max-connections N] [--max-body-bytes N] [--verbose]``;
``python -m halnav.sandbox`` is the same. ``main`` returns the exit status. Values are checked by
the sandbox itself (the checks :func:`serve` makes); a bad one is a usage error.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING

from .. import sandbox as package
from ._options import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_ORDERS,
    LAYOUT_NAMES,
    check_options,
)
from ._seed import SHOP1_ID

if TYPE_CHECKING:
    from ._server import SandboxURL

LAYOUTS_HELP = (
    "default: the real API's URLs (/v1/shops/29/orders.json); alternate: the same API under"
    " unrelated URLs and with the reference's variant spellings (old curie, untemplated"
    " btc:order, no btc:shop on the root), to prove a client builds no URL by hand"
)


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """argparse's defaults in every option's help; a flag's default reads ``off``, and a help
    text that states its default already is left as it is."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "(default" in text or action.default is argparse.SUPPRESS:
            return text
        if isinstance(action.default, bool):
            return f"{text} (default: {'on' if action.default else 'off'})"
        return super()._get_help_string(action) or text


def build_parser() -> argparse.ArgumentParser:
    """The command's parser (its usage is the one an unknown option shows)."""
    parser = argparse.ArgumentParser(
        prog="halnav sandbox",
        description=(
            f"Serve a local Bootic-compatible API with seeded data (shop {SHOP1_ID} and its"
            " orders), until Ctrl-C."
        ),
        formatter_class=_HelpFormatter,
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (loopback only, see below)"
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host beyond loopback: the printed tokens and secret are then reachable"
        " from the network",
    )
    parser.add_argument("--port", type=int, default=8000, help="port; 0: any free port")
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="SQLite file, seeded when new and kept across restarts (default: in memory)",
    )
    parser.add_argument(
        "--orders",
        type=int,
        default=DEFAULT_ORDERS,
        metavar="N",
        help=f"orders seeded in shop {SHOP1_ID}",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the generated data and of the fault draws"
    )
    parser.add_argument(
        "--latency-ms", type=float, default=0, metavar="MS", help="delay before each answer"
    )
    parser.add_argument(
        "--fail-rate",
        type=float,
        default=0.0,
        metavar="F",
        help="fraction of API requests that fail (503 or a dropped connection)",
    )
    parser.add_argument(
        "--token-lifetime",
        type=float,
        default=3600,
        metavar="SECONDS",
        help="lifetime of tokens from the token endpoint",
    )
    parser.add_argument("--layout", choices=LAYOUT_NAMES, default="default", help=LAYOUTS_HELP)
    parser.add_argument(
        "--max-connections",
        type=int,
        default=DEFAULT_MAX_CONNECTIONS,
        metavar="N",
        help="connections served at once; more wait in a queue (then 503)",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=DEFAULT_MAX_BODY_BYTES,
        metavar="N",
        help="largest request body read; a larger one is answered 413",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser


def _banner(url: SandboxURL, args: argparse.Namespace, orders: int) -> str:
    where = f"database {args.db}" if args.db else "in memory"
    notes = {
        "shop1_admin": f"owner of shop {url.shop_id}, scope admin",
        "shop2_admin": f"owner of shop {url.other_shop_id}, scope admin",
        "shop1_public": f"owner of shop {url.shop_id}, scope public (no admin: 403)",
        "shop1_expired": "expired (401)",
    }
    owners = {url.username: f"owner of shop {url.shop_id}"}
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
    lines.append("  users (password grant):")
    for name, password in url.users.items():
        note = owners.get(name, f"owner of shop {url.other_shop_id}")
        lines.append(f"    {name:<14} {password:<30} {note}")
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
    """Run the command; its exit status (2: a usage error, 1: it could not serve)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if package.missing_extra is not None:
        print(f"halnav sandbox: {package.EXTRA_HINT}", file=sys.stderr)
        return 2
    # Checked before serving, by the sandbox's own rules, so a bad value is a usage error.
    try:
        check_options(
            orders=args.orders,
            latency_ms=args.latency_ms,
            fail_rate=args.fail_rate,
            token_lifetime=args.token_lifetime,
            layout=args.layout,
            port=args.port,
            max_body_bytes=args.max_body_bytes,
            max_connections=args.max_connections,
            host=args.host,
            allow_remote=args.allow_remote,
        )
    except ValueError as exc:
        parser.error(_as_option(str(exc), args))  # exits with status 2 and the usage
    if args.allow_remote:
        print(
            f"halnav sandbox: WARNING: --allow-remote: serving on {args.host}; anyone who can"
            " reach it can use the ready-made tokens, passwords and client secret printed"
            " below. Never put real data in this sandbox.",
            file=sys.stderr,
            flush=True,
        )

    stop = threading.Event()

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        stop.set()

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_sigterm) if in_main_thread else None
    try:
        with package.serve(
            orders=args.orders,
            seed=args.seed,
            db=args.db,
            latency_ms=args.latency_ms,
            fail_rate=args.fail_rate,
            token_lifetime=args.token_lifetime,
            host=args.host,
            port=args.port,
            layout=args.layout,
            log_requests=args.verbose,
            max_body_bytes=args.max_body_bytes,
            max_connections=args.max_connections,
            allow_remote=args.allow_remote,
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
