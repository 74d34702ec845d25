"""``halnav bootic orders | create-order | update-orders``: scripts over a Bootic shop."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from typing import IO, Any

from .._response import summarize_errors
from ..bootic import (
    DEFAULT_ROOT_URL,
    ORDER_FILTERS,
    ORDER_SORTS,
    ORDER_STATUSES,
    UPDATE_STATUSES,
    BooticClient,
    InvalidFilter,
    Order,
    Shop,
    check_update_status,
    order_query,
)
from ..bootic._filters import order_ids, parse_id
from ._common import UsageError, client_options, setting_token, setting_url
from ._output import compact_json, table, text_value, write_csv
from ._progress import Progress

__all__ = ["ORDER_COLUMNS", "TABLE_COLUMNS", "add_parser", "order_row", "parse_variant"]

#: CSV columns: (header, JSON pointer into an order).
ORDER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "/id"),
    ("code", "/code"),
    ("status", "/status"),
    ("net_total", "/net_total"),
    ("shipping_total", "/shipping_total"),
    ("discount_total", "/discount_total"),
    ("total", "/total"),
    ("created_on", "/created_on"),
    ("updated_on", "/updated_on"),
    ("pending_on", "/pending_on"),
    ("closed_on", "/closed_on"),
    ("shipped_on", "/shipped_on"),
    ("payment_method", "/payment_info/type"),
    ("contact_name", "/_embedded/contact/name"),
    ("contact_email", "/_embedded/contact/email"),
)
#: The columns of ``--format table``.
TABLE_COLUMNS = ("id", "code", "status", "total", "created_on", "contact_email")


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Register ``bootic`` and its three subcommands."""
    bootic = subparsers.add_parser(
        "bootic",
        parents=parents,
        help="list, create and bulk-update a Bootic shop's orders",
        description=(
            "Commands over the Bootic API (default root "
            f"{DEFAULT_ROOT_URL}; --url or $HALNAV_URL to change, --token or $HALNAV_TOKEN "
            "for the bearer token)."
        ),
    )
    commands = bootic.add_subparsers(dest="bootic_command", metavar="COMMAND")
    commands.required = True
    _add_orders(commands, parents)
    _add_create_order(commands, parents)
    _add_update_orders(commands, parents)


def _add_orders(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "orders",
        parents=parents,
        help="list a shop's orders (first page, or --all)",
        description="List the orders of a shop, filtered by any documented filter.",
    )
    parser.add_argument("--shop", metavar="ID", help="the shop's id (default: the token's first)")
    parser.add_argument("--all", action="store_true", help="every page, not just the first")
    parser.add_argument(
        "--format",
        choices=("table", "jsonl", "csv"),
        default="table",
        help="table (default), jsonl (one order per line, complete) or csv",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    filters = parser.add_argument_group("filters (as documented by Bootic)")
    for spec in ORDER_FILTERS.values():
        help_text = f"{spec.description} (e.g. {spec.example})"
        action = None
        if spec.name == "status":
            action = "append"
            help_text = f"{spec.description}; repeatable; any of: {', '.join(ORDER_STATUSES)}"
        elif spec.name == "sort":
            help_text = f"{spec.description}; one of: {', '.join(ORDER_SORTS)}"
        flag = "--" + spec.name.replace("_", "-")
        flags = [flag, "--query"] if spec.name == "q" else [flag]
        filters.add_argument(
            *flags,
            dest=f"filter_{spec.name}",
            metavar=_metavar(spec.name, spec.kind),
            action=action,
            help=help_text,
        )
    parser.set_defaults(handler=run_orders)


def _add_create_order(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "create-order",
        parents=parents,
        help="create an order (in the checkout state)",
        description="Create an order through btc:create_order and print its links.",
    )
    parser.add_argument("--shop", metavar="ID", required=True, help="the shop's id")
    parser.add_argument(
        "--variant",
        metavar="ID:UNITS",
        action="append",
        required=True,
        help="a line item: variant id and units (UNITS defaults to 1); repeatable",
    )
    parser.add_argument("--email", help="the contact's email (enough for an existing contact)")
    parser.add_argument("--name", help="the contact's name (needed for a new contact)")
    parser.add_argument("--phone", help="the contact's phone number (needed for a new contact)")
    parser.add_argument("--address", metavar="ID", type=int, help="copy the address with this id")
    parser.set_defaults(handler=run_create_order)


def _add_update_orders(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "update-orders",
        parents=parents,
        help="set the status of many orders at once",
        description=(
            "Set STATUS on every order ID through btc:update_orders. Not transactional: prints "
            "the orders updated and those refused with their errors; exits 1 when any is refused."
        ),
    )
    parser.add_argument("--shop", metavar="ID", required=True, help="the shop's id")
    parser.add_argument(
        "--status", required=True, help=f"the new status: {', '.join(UPDATE_STATUSES)}"
    )
    parser.add_argument("ids", nargs="+", metavar="ID", help="order ids")
    parser.set_defaults(handler=run_update_orders)


# -- commands ---------------------------------------------------------------------------------


def run_orders(args: argparse.Namespace) -> int:
    """Run ``halnav bootic orders``."""
    filters = {
        name: getattr(args, f"filter_{name}")
        for name in ORDER_FILTERS
        if getattr(args, f"filter_{name}") is not None
    }
    if "status" in filters:
        filters["status"] = ",".join(filters["status"])
    _usage(order_query, filters)  # before any request: a bad filter is a usage error
    with ExitStack() as stack:
        bootic = stack.enter_context(_bootic_client(args))
        shop = _shop(bootic, args.shop)
        page = shop.orders(**filters)
        out: IO[str] = sys.stdout
        if args.output:
            newline = "" if args.format == "csv" else None
            out = stack.enter_context(open(args.output, "w", encoding="utf-8", newline=newline))
        total = page.total_items
        with Progress(total=total if args.all else None, description="orders") as bar:
            orders: Iterable[Order] = page.iter_orders() if args.all else page.orders
            count = _write(out, args.format, _counted(orders, bar if args.all else None))
    shown = f"{count} of {total}" if isinstance(total, int) else str(count)
    where = f" to {args.output}" if args.output else ""
    more = "" if args.all or count == total else " (first page; --all for every page)"
    print(f"{shown} orders{where}{more}", file=sys.stderr)
    return 0


def run_create_order(args: argparse.Namespace) -> int:
    """Run ``halnav bootic create-order``."""
    line_items = [parse_variant(text) for text in args.variant]
    contact = {
        key: value
        for key, value in (("email", args.email), ("name", args.name), ("phone_number", args.phone))
        if value
    }
    with _bootic_client(args) as bootic:
        shop = _shop(bootic, args.shop)
        order = shop.create_order(line_items, contact=contact or None, address=args.address)
        print(f"created order {order.code} (id {order.id}) in shop {shop.id}")
        rows = [
            ("status", order.status),
            ("total", order.get("total")),
            ("items", sum(int(item.get("units") or 0) for item in order.line_items)),
        ]
        for label, rel in (("checkout", "btc:web_checkout"), ("cart", "btc:web_cart")):
            if order.has(rel):
                rows.append((label, order.link(rel).url()))
        for label, value in rows:
            print(f"  {label:<9} {text_value(value)}")
    return 0


def run_update_orders(args: argparse.Namespace) -> int:
    """Run ``halnav bootic update-orders``."""
    _usage(check_update_status, args.status)  # before any request
    ids = order_ids(args.ids)
    with _bootic_client(args) as bootic:
        shop = _shop(bootic, args.shop)
        result = shop.update_orders(ids, status=args.status)
    valid, invalid = result.valid_items, result.invalid_items
    print(f"set status {args.status!r} on {len(valid)} of {len(ids)} orders in shop {shop.id}")
    if valid:
        print("valid:")
        print(table(("id", "code", "status"), [(o.id, o.code, o.status) for o in valid], "  "))
    if invalid:
        print("invalid:")
        rows = [(o.id, o.code, o.status, _error_text(o.errors)) for o in invalid]
        print(table(("id", "code", "status", "errors"), rows, "  "))
    return 1 if invalid else 0


# -- helpers ----------------------------------------------------------------------------------


def parse_variant(text: str) -> dict[str, int]:
    """``"1234:3"`` -> ``{"variant_id": 1234, "units": 3}``; ``"1234"`` means one unit."""
    variant, sep, units = text.partition(":")
    try:
        item = {"variant_id": int(variant), "units": int(units) if sep else 1}
    except ValueError:
        raise UsageError(f"--variant takes ID:UNITS (whole numbers), got {text!r}") from None
    if item["units"] < 1:
        raise UsageError(f"--variant {text!r}: units must be at least 1")
    return item


def order_row(order: Order, columns: Iterable[str]) -> list[Any]:
    """The values of ``columns`` (names of :data:`ORDER_COLUMNS`) for one order."""
    pointers = dict(ORDER_COLUMNS)
    return [order.pointer(pointers[name], None) for name in columns]


def _metavar(name: str, kind: str) -> str:
    if kind == "integer":
        return "CENTS" if "total" in name else "N"
    return {
        "text": "TEXT",
        "date": "DATE",
        "statuses": "STATUS",
        "lat_long": "LAT,LONG",
        "distance": "DISTANCE",
        "sort": "SORT",
    }.get(kind, "VALUE")


def _bootic_client(args: argparse.Namespace) -> BooticClient:
    token = setting_token(args)
    if token is None:
        raise UsageError("no token: pass --token or set HALNAV_TOKEN")
    root_url = setting_url(args) or DEFAULT_ROOT_URL
    return BooticClient(token=token, root_url=root_url, **client_options(args))


def _shop(bootic: BooticClient, shop: str | None) -> Shop:
    if shop is None:
        return bootic.shop()
    return bootic.shop(id=parse_id(shop))


def _usage(check: Callable[[Any], object], value: Any) -> None:
    """Run ``check(value)``; an :class:`InvalidFilter` becomes a usage error (exit status 2)."""
    try:
        check(value)
    except InvalidFilter as exc:
        raise UsageError(str(exc)) from exc


def _counted(orders: Iterable[Order], bar: Progress | None) -> Iterator[Order]:
    for order in orders:
        if bar is not None:
            bar.update()
        yield order


def _write(out: IO[str], fmt: str, orders: Iterable[Order]) -> int:
    if fmt == "csv":
        headers = [name for name, _ in ORDER_COLUMNS]
        return write_csv(out, headers, (order_row(order, headers) for order in orders))
    if fmt == "jsonl":
        count = 0
        for order in orders:
            out.write(compact_json(order.document) + "\n")
            count += 1
        return count
    rows = [order_row(order, TABLE_COLUMNS) for order in orders]
    out.write(table(TABLE_COLUMNS, rows) + "\n")
    return len(rows)


def _error_text(errors: list[dict[str, Any]]) -> str:
    return summarize_errors(errors) or "(no details)"
