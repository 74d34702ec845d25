"""``halnav bootic orders | create-order | update-orders``: scripts over a Bootic shop."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from .. import NotFound
from .._response import summarize_errors
from ..bootic import (
    DEFAULT_ROOT_URL,
    MAX_PER_PAGE,
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
from ._common import CLIError, UsageError, server_message
from ._files import output_stream
from ._output import pretty_json, table, text_value, write_items
from ._progress import Progress
from ._settings import connection

__all__ = [
    "MAX_PER_PAGE",
    "ORDER_COLUMNS",
    "TABLE_COLUMNS",
    "add_json_flag",
    "add_parser",
    "order_ids",
    "order_row",
    "parse_variant",
    "report",
    "shop_id_option",
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
        help="table, jsonl (one order per line, complete) or csv",
    )
    parser.add_argument("--crlf", action="store_true", help="end CSV lines with \\r\\n, not \\n")
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    filters = parser.add_argument_group("filters (as documented by Bootic)")
    for spec in ORDER_FILTERS.values():
        help_text = f"{spec.description} (e.g. {spec.example})"
        action = None
        if spec.name == "status":
            action = "append"
            help_text = f"{spec.description}; repeatable; any of: {', '.join(ORDER_STATUSES)}"
        elif spec.kind == "list":
            action = "append"
            help_text = f"{spec.description}; repeatable (e.g. {spec.example})"
        elif spec.name == "sort":
            help_text = f"{spec.description}; one of: {', '.join(ORDER_SORTS)}"
        elif spec.name == "per_page":
            help_text = f"orders per page, 1 to {MAX_PER_PAGE} (default 30)"
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
    add_json_flag(parser)
    parser.set_defaults(handler=run_create_order)


def _add_update_orders(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "update-orders",
        parents=parents,
        help="set the status of many orders at once",
        description=(
            "Set STATUS on every order ID through btc:update-orders (or btc:update_orders). Not "
            "transactional: prints the orders updated and those refused with their errors; exits "
            "1 when any is refused."
        ),
    )
    parser.add_argument("--shop", metavar="ID", required=True, help="the shop's id")
    parser.add_argument(
        "--status", required=True, help=f"the new status: {', '.join(UPDATE_STATUSES)}"
    )
    parser.add_argument("ids", nargs="+", metavar="ID", help="order ids")
    add_json_flag(parser)
    parser.set_defaults(handler=run_update_orders)


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """``--json``: the command's result as one JSON document on stdout (see :func:`report`)."""
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the result as one JSON document (ids, codes, statuses, errors), for scripts",
    )


def report(args: argparse.Namespace, result: dict[str, Any], text: Callable[[], str]) -> None:
    """Print a writing command's ``result``: as JSON with ``--json``, else ``text()``.

    Every writing command (create-order, update-orders, and any later one) reports through
    here, with ``valid_items``/``invalid_items`` lists where it acts on many records."""
    print(pretty_json(result) if args.json else text())


T = TypeVar("T")


# -- commands ---------------------------------------------------------------------------------


def run_orders(args: argparse.Namespace) -> int:
    """Run ``halnav bootic orders``."""
    filters = {
        name: getattr(args, f"filter_{name}")
        for name in ORDER_FILTERS
        if getattr(args, f"filter_{name}") is not None
    }
    for name, spec in ORDER_FILTERS.items():
        if name in filters and (name == "status" or spec.kind == "list"):
            filters[name] = ",".join(filters[name])
    _usage(order_query, filters)  # before any request: a bad filter is a usage error
    per_page = filters.get("per_page")
    if per_page is not None and int(per_page) > MAX_PER_PAGE:
        raise UsageError(f"invalid per_page {per_page!r}; at most {MAX_PER_PAGE} orders a page")
    shop_id = shop_id_option(args.shop)
    page_number = int(filters.get("page") or 1)
    shop = _shop(connection(args).bootic(), shop_id)
    try:
        # What the server declares may be narrower than the documentation: still a usage error.
        page = _usage(lambda given: shop.orders(**given), filters)
    except NotFound as exc:
        if page_number > 1:
            raise CLIError(
                f"page {page_number} is past the last page of these orders "
                f"({exc}{server_message(exc)})"
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
    shop = _shop(connection(args).bootic(), shop_id)
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
    _usage(check_update_status, args.status)  # before any request
    shop_id = shop_id_option(args.shop)
    ids = order_ids(args.ids)
    shop = _shop(connection(args).bootic(), shop_id)
    result = _usage(lambda status: shop.update_orders(ids, status=status), args.status)
    valid, invalid = result.valid_items, result.invalid_items
    data: dict[str, Any] = {
        "shop_id": shop.id,
        "status": args.status,
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
        lines = [
            f"set status {args.status!r} on {len(valid)} of {len(ids)} orders in shop {shop.id}"
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
        "list": "TAG",
        "date": "DATE",
        "statuses": "STATUS",
        "lat_long": "LAT,LONG",
        "distance": "DISTANCE",
        "sort": "SORT",
    }.get(kind, "VALUE")


def shop_id_option(text: str | None) -> int | None:
    """``--shop``: a whole number (spaces around it allowed), else a usage error."""
    if text is None:
        return None
    if not text.strip().isdecimal():
        raise UsageError(f"--shop takes a shop id (a whole number), got {text!r}")
    return int(text.strip())


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


def _shop(bootic: BooticClient, shop: int | None) -> Shop:
    if shop is None:
        return bootic.shop()
    return bootic.shop(id=shop)


def _usage(check: Callable[[Any], T], value: Any) -> T:
    """``check(value)``; an :class:`InvalidFilter` becomes a usage error (exit status 2)."""
    try:
        return check(value)
    except InvalidFilter as exc:
        raise UsageError(str(exc)) from exc


def _counted(orders: Iterable[Order], bar: Progress | None) -> Iterator[Order]:
    for order in orders:
        if bar is not None:
            bar.update()
        yield order


def _error_text(errors: list[dict[str, Any]]) -> str:
    return summarize_errors(errors) or "(no details)"
