"""``halnav bootic orders | create-order | update-orders | sync``: scripts over a Bootic shop."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Iterable, Iterator
from typing import Any

from .. import NotFound
from .._response import summarize_errors
from ..bootic import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_ROOT_URL,
    MAX_PER_PAGE,
    ORDER_FILTERS,
    UPDATE_STATUSES,
    Order,
    Shop,
    check_update_status,
    order_query,
)
from . import _sync
from ._common import CLIError, UsageError
from ._files import output_stream
from ._order_options import (
    add_filter_options,
    add_json_flag,
    as_usage,
    filters_given,
    report,
    shop_id_option,
    shop_of,
)
from ._output import table, text_value, write_items
from ._progress import Progress
from ._settings import connection

__all__ = [
    "MAX_PER_PAGE",
    "ORDER_COLUMNS",
    "TABLE_COLUMNS",
    "add_parser",
    "order_ids",
    "order_row",
    "parse_variant",
    "where_filters",
]

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
        help="list, create and bulk-update a Bootic shop's orders; mirror them in SQLite",
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
    _sync.add_parser(commands, parents)


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
        help="table, jsonl (one order per line, complete) or csv",
    )
    parser.add_argument("--crlf", action="store_true", help="end CSV lines with \\r\\n, not \\n")
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    add_filter_options(parser)
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
    add_json_flag(parser)
    parser.set_defaults(handler=run_create_order)


def _add_update_orders(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "update-orders",
        parents=parents,
        help="set the status of many orders at once (by id, or those a query selects)",
        description=(
            "Set STATUS on every order ID, or on every order the --where filters select (read "
            "first, each once, by a stable walk), through btc:update-orders (or "
            "btc:update_orders), --batch-size ids a request. "
            "Not transactional: prints the orders updated and those refused with their "
            "errors; exits 1 when any is refused. "
            "--dry-run lists the orders --where selects and sends nothing."
        ),
    )
    parser.add_argument("--shop", metavar="ID", help="the shop's id (default: the token's first)")
    parser.add_argument(
        "--status", required=True, help=f"the new status: {', '.join(UPDATE_STATUSES)}"
    )
    parser.add_argument("ids", nargs="*", metavar="ID", help="order ids (or --where)")
    parser.add_argument(
        "--where",
        metavar="FILTER=VALUE",
        action="append",
        help="update the orders matching this filter (status=pending, created_on_lte=2016-01-01"
        "...: any documented filter); repeatable, all must match",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="with --where: list the ids, send nothing"
    )
    parser.add_argument(
        "--batch-size",
        metavar="N",
        type=int,
        default=DEFAULT_BATCH_SIZE,
        help="ids sent per request",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=run_update_orders)


# -- commands ---------------------------------------------------------------------------------


def run_orders(args: argparse.Namespace) -> int:
    """Run ``halnav bootic orders``."""
    filters = filters_given(args)  # before any request: a bad filter is a usage error
    shop_id = shop_id_option(args.shop)
    page_number = int(filters.get("page") or 1)
    shop = shop_of(connection(args).bootic(), shop_id)
    try:
        # What the server declares may be narrower than the documentation: still a usage error.
        page = as_usage(lambda given: shop.orders(**given), filters)
    except NotFound as exc:
        if page_number > 1:
            raise CLIError(
                f"page {page_number} is past the last page of these orders ({exc})"
            ) from exc
        raise
    total = page.total_items
    orders_here = page.orders
    if page_number > 1 and not orders_here:
        size = page.get("per_page")
        pages = f"; {total} orders" if isinstance(total, int) else ""
        if isinstance(total, int) and isinstance(size, int) and size > 0:
            pages += f" make {max(1, -(-total // size))} pages of {size}"
        raise CLIError(f"page {page_number} is past the last page of these orders{pages}")
    newline = "" if args.format == "csv" else None
    with (
        output_stream(args.output, newline) as out,
        Progress(total=total if args.all else None, description="orders") as bar,
    ):
        orders: Iterable[Order] = page.iter_orders() if args.all else orders_here
        count = write_items(
            bar.writer(out),
            args.format,
            _counted(orders, bar if args.all else None),
            [name for name, _ in ORDER_COLUMNS] if args.format == "csv" else TABLE_COLUMNS,
            lambda order: order_row(
                order, [n for n, _ in ORDER_COLUMNS] if args.format == "csv" else TABLE_COLUMNS
            ),
            lambda order: order.document,
            "\r\n" if args.crlf else "\n",
        )
        out.flush()
    shown = f"{count} of {total}" if isinstance(total, int) else str(count)
    where = f" to {args.output}" if args.output else ""
    which = "first page" if page_number == 1 else f"page {page_number}"
    more = "" if args.all or count == total else f" ({which}; --all for every page)"
    print(f"{shown} orders{where}{more}", file=sys.stderr)
    return 0


def run_create_order(args: argparse.Namespace) -> int:
    """Run ``halnav bootic create-order``."""
    line_items = [parse_variant(text) for text in args.variant]
    shop_id = shop_id_option(args.shop)
    contact = {
        key: value
        for key, value in (("email", args.email), ("name", args.name), ("phone_number", args.phone))
        if value
    }
    shop = shop_of(connection(args).bootic(), shop_id)
    order = shop.create_order(line_items, contact=contact or None, address=args.address)
    links = {
        label: order.link(rel).url() if order.has(rel) else None
        for label, rel in (("checkout_url", "btc:web_checkout"), ("cart_url", "btc:web_cart"))
    }
    result: dict[str, Any] = {
        "shop_id": shop.id,
        "id": order.id,
        "code": order.code,
        "status": order.status,
        "total": order.get("total"),
        "items": sum(int(item.get("units") or 0) for item in order.line_items),
        "url": order.link("self").url() if order.has("self") else order.location or order.url,
        **links,
    }

    def text() -> str:
        lines = [f"created order {order.code} (id {order.id}) in shop {shop.id}"]
        rows = [("status", order.status), ("total", result["total"]), ("items", result["items"])]
        rows += [(label, links[f"{label}_url"]) for label in ("checkout", "cart")]
        lines += [f"  {label:<9} {text_value(value)}" for label, value in rows if value is not None]
        return "\n".join(lines)

    report(args, result, text)
    return 0


def run_update_orders(args: argparse.Namespace) -> int:
    """Run ``halnav bootic update-orders``."""
    as_usage(check_update_status, args.status)  # before any request
    if args.batch_size < 1:
        raise UsageError(f"--batch-size takes a whole number of at least 1, got {args.batch_size}")
    where = where_filters(args.where or [])
    if where and args.ids:
        raise UsageError("give order ids or --where, not both")
    if not where and not args.ids:
        raise UsageError("give the order ids to update, or --where FILTER=VALUE to select them")
    if args.dry_run and not where:
        raise UsageError("--dry-run goes with --where (it lists the orders --where selects)")
    shop_id = shop_id_option(args.shop)
    ids = order_ids(args.ids)
    shop = shop_of(connection(args).bootic(), shop_id)
    if where:
        if args.dry_run:
            selected = as_usage(
                lambda given: shop.update_orders_where(
                    given, status=args.status, batch_size=args.batch_size, dry_run=True
                ),
                where,
            )
            return _dry_run(args, shop, where, selected)
        result = as_usage(
            lambda given: shop.update_orders_where(
                given, status=args.status, batch_size=args.batch_size
            ),
            where,
        )
        ids = result.ids
    else:
        result = as_usage(
            lambda status: shop.update_orders(ids, status=status, batch_size=args.batch_size),
            args.status,
        )
    valid, invalid = result.valid_items, result.invalid_items
    data: dict[str, Any] = {
        "shop_id": shop.id,
        "status": args.status,
        **({"where": where} if where else {}),
        "ids": ids,
        "valid_items": [{"id": o.id, "code": o.code, "status": o.status} for o in valid],
        "invalid_items": [
            {
                "id": o.id,
                "code": o.code,
                "status": o.status,
                "errors": [
                    {"field": e.get("field"), "messages": e.get("messages")} for e in o.errors
                ],
            }
            for o in invalid
        ],
    }

    def text() -> str:
        matching = f" matching {_where_text(where)}" if where else ""
        lines = [
            f"set status {args.status!r} on {len(valid)} of {len(ids)} orders{matching} in "
            f"shop {shop.id}"
        ]
        if valid:
            lines.append("valid:")
            lines.append(
                table(("id", "code", "status"), [(o.id, o.code, o.status) for o in valid], "  ")
            )
        if invalid:
            lines.append("invalid:")
            rows = [(o.id, o.code, o.status, _error_text(o.errors)) for o in invalid]
            lines.append(table(("id", "code", "status", "errors"), rows, "  "))
        return "\n".join(lines)

    report(args, data, text)
    return 1 if invalid else 0


def _dry_run(
    args: argparse.Namespace, shop: Shop, where: dict[str, str], selected: list[int | str]
) -> int:
    data = {
        "shop_id": shop.id,
        "status": args.status,
        "where": where,
        "dry_run": True,
        "ids": selected,
    }

    def text() -> str:
        lines = [
            f"would set status {args.status!r} on {len(selected)} orders matching "
            f"{_where_text(where)} in shop {shop.id} (dry run: nothing sent)"
        ]
        if selected:
            lines += textwrap.wrap(", ".join(str(i) for i in selected), 100)
        return "\n".join(lines)

    report(args, data, text)
    return 0


def where_filters(texts: Iterable[str]) -> dict[str, str]:
    """``--where status=pending --where created_on_lte=2016-01-01`` as filters by name (dashes
    read as underscores; ``status`` and ``tags`` given twice are joined), checked against the
    documentation before any request."""
    where: dict[str, str] = {}
    for text in texts:
        name, sep, value = text.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not name or not value.strip():
            raise UsageError(f"--where takes FILTER=VALUE (status=pending), got {text!r}")
        if name in where:
            spec = ORDER_FILTERS.get(name)
            if spec is None or not (name == "status" or spec.kind == "list"):
                raise UsageError(f"--where {name} is given twice; give it once")
            value = f"{where[name]},{value.strip()}"
        where[name] = value.strip()
    as_usage(order_query, where)
    return where


def _where_text(where: dict[str, str]) -> str:
    return " ".join(f"{name}={value}" for name, value in where.items())


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


def order_ids(texts: Iterable[str]) -> list[int]:
    """The ids of ``update-orders``: whole numbers, each once, in the order given."""
    ids: list[int] = []
    bad = [text for text in texts if not text.strip().isdecimal()]
    if bad:
        shown = ", ".join(repr(text) for text in bad)
        raise UsageError(f"order ids are whole numbers; got {shown}")
    for text in texts:
        if int(text.strip()) not in ids:
            ids.append(int(text.strip()))
    return ids


def _counted(orders: Iterable[Order], bar: Progress | None) -> Iterator[Order]:
    for order in orders:
        if bar is not None:
            bar.update()
        yield order


def _error_text(errors: list[dict[str, Any]]) -> str:
    return summarize_errors(errors) or "(no details)"
