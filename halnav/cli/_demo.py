"""``halnav demo``: a narrated walk through the Bootic API, on a fresh in-memory sandbox."""

from __future__ import annotations

import argparse
import math
import time
from typing import Any
from urllib.parse import urlsplit

from .. import Client, HALNavError, UnprocessableEntity
from ..bootic import BooticClient, InvalidTransition, Order, Shop
from ._bootic import order_row
from ._common import UsageError, option, running_sandbox
from ._output import link_rows, table, text_value
from ._progress import Progress
from ._settings import Connection, Settings, connection

__all__ = ["add_parser", "run"]

#: An id no sandbox order has: the bulk update refuses it.
MISSING_ORDER_ID = 999_999_999
#: A variant id no sandbox shop has: creating an order with it answers 422.
MISSING_VARIANT_ID = 32_222_222
#: Orders per page when counting across every page.
COUNT_PAGE_SIZE = 200


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Register ``demo`` and its options."""
    parser = subparsers.add_parser(
        "demo",
        parents=parents,
        help="a narrated walk through the Bootic API on a local sandbox",
        description=(
            "Start the Bootic sandbox in-process on a free loopback port (fresh in-memory data) "
            "and walk through the API: root, shop, orders, counting across pages, creating an "
            "order, editing it and moving its status, a bulk update, the checkout link. Nothing "
            "leaves this machine. With --url "
            "(or --profile) the walk is made on that API instead, reading only, unless --write "
            "is given."
        ),
    )
    parser.add_argument(
        "--orders", type=int, metavar="N", help="orders in the sandbox (default: its 14,486)"
    )
    parser.add_argument("--seed", type=int, help="seed of the sandbox's data (default: 0)")
    parser.add_argument(
        "--write",
        action="store_true",
        help="with --url: also create an order, edit it, set it pending and close three pending "
        "ones (steps 5 to 8), as the demo does on its sandbox",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``halnav demo``."""
    started = time.perf_counter()
    remote = option(args, "url") is not None or option(args, "profile") is not None
    if remote:
        if args.orders is not None or args.seed is not None:
            raise UsageError("--orders and --seed make the sandbox's data: not with --url")
        made = connection(args)
        url = made.settings.url
        if url is None:
            raise UsageError("the profile has no url: give --url")
        say(f"halnav demo: a walk through the Bootic API at {url}.")
        if not args.write:
            say("Reading only: steps 5 to 8 write to the shop, and run with --write.")
        _walk(made, write=args.write)
    else:
        if args.write:
            raise UsageError("--write is for --url: on its own sandbox the demo always writes")
        if option(args, "token") is not None or option(args, "client_id") is not None:
            raise UsageError(
                "--token and --client-id need --url: without it the demo serves its own "
                "sandbox, with its own tokens"
            )
        options: dict[str, Any] = {"seed": args.seed or 0}
        if args.orders is not None:
            options["orders"] = args.orders
        say("halnav demo: a walk through the Bootic API, served by a local sandbox.")
        with running_sandbox("demo", **options) as sandbox:
            say(
                f"\nThe sandbox serves a Bootic-compatible API at {sandbox} (fresh data, in memory)."
            )
            made = Connection(Settings(url=str(sandbox), token=sandbox.token))
            try:
                _walk(made, write=True)
            finally:
                made.close()
    say(f"\nDone in {time.perf_counter() - started:.1f}s. Next: halnav shell, halnav get --help.")
    return 0


def _walk(made: Connection, write: bool) -> None:
    client = made.client()
    bootic = made.bootic()
    _root(client)
    shop = _shop(bootic)
    pending = _pending(shop)
    _count(shop)
    if not write:
        return
    order = _create(shop, pending)
    if order is not None:
        order = _one_order(shop, order, _some_variant(shop, pending))
    _bulk_update(shop, pending)
    if order is not None:
        _checkout(client, order)


def say(text: str = "") -> None:
    """Print one narration line (flushed, so it interleaves with the progress bar)."""
    print(text, flush=True)


def step(number: int, title: str, *code: str) -> None:
    """A numbered heading and the Python lines the step runs."""
    say(f"\n{number}. {title}")
    for line in code:
        say(f"   >>> {line}")


def _root(client: Client) -> None:
    step(1, "The root document and its relations", "root = halnav.Client(url, token=...).root()")
    root = client.root()
    say(f"   rels: {', '.join(root.rels)}")
    rows = [(rel, method, href, templated) for rel, method, href, _, templated in link_rows(root)]
    say(table(("rel", "method", "href", "templated"), rows, "   ", whole=("href",)))


def _shop(bootic: BooticClient) -> Shop:
    step(2, "The shop (the token user's first)", "shop = BooticClient(token=...).shop()")
    shop = bootic.shop()
    rows = [(name, text_value(value)) for name, value in shop.properties.items()]
    say(table(("property", "value"), rows, "   "))
    say(f"   rels: {', '.join(shop.rels)}")
    return shop


def _pending(shop: Shop) -> list[Order]:
    step(
        3,
        "The first page of pending orders",
        'page = shop.orders(status="pending", sort="created_on.desc", per_page=10)',
    )
    page = shop.orders(status="pending", sort="created_on.desc", per_page=10)
    orders = page.orders
    columns = ("id", "code", "status", "total", "created_on", "contact_email")
    say(table(columns, [order_row(order, columns) for order in orders], "   "))
    say(f"   {len(orders)} shown of {page.total_items} pending orders")
    return orders


def _count(shop: Shop) -> None:
    step(
        4,
        "Counting every successful order, across every page",
        f'sum(1 for _ in shop.iter_orders(status="successful", per_page={COUNT_PAGE_SIZE}, '
        "prefetch=2))",
    )
    first = shop.orders(status="successful", per_page=COUNT_PAGE_SIZE)
    total = first.total_items
    with Progress(total=total, description="   successful orders") as bar:
        for _ in first.iter_orders(prefetch=2):
            bar.update()
    count = bar.count
    pages = math.ceil(count / COUNT_PAGE_SIZE)
    agreed = "matches" if count == total else "DOES NOT match"
    say(f"   {count:,} successful orders over {pages} pages ({agreed} total_items = {total:,})")


def _create(shop: Shop, pending: list[Order]) -> Order | None:
    variant = _some_variant(shop, pending)
    step(
        5,
        "Creating an order, then one for a variant that does not exist",
        f'order = shop.create_order(line_items=[{{"variant_id": {variant}, "units": 2}}], '
        'contact={"email": "joe@bloggs.com", ...})',
    )
    order: Order | None = None
    if variant is None:
        say("   (no variant found in the orders listed; skipped)")
    else:
        order = shop.create_order(
            [{"variant_id": variant, "units": 2}],
            contact={
                "email": "joe@bloggs.com",
                "name": "Joe Bloggs",
                "phone_number": "12322222222",
            },
        )
        say(
            f"   created {order.code} (id {order.id}): status {order.status}, total {order['total']}"
        )
    say(
        f'   >>> shop.create_order(line_items=[{{"variant_id": {MISSING_VARIANT_ID}, "units": 1}}])'
    )
    try:
        shop.create_order([{"variant_id": MISSING_VARIANT_ID, "units": 1}])
    except UnprocessableEntity as exc:
        say(f"   halnav.UnprocessableEntity: {exc.status_code}, as documented; exc.errors:")
        for entry in exc.errors:
            say(f"     {entry.get('field')}: {'; '.join(map(str, entry.get('messages') or []))}")
    else:
        say("   (the server accepted it: unexpected)")
    return order


def _one_order(shop: Shop, created: Order, variant: int | None) -> Order:
    code = created.code or str(created.id)
    step(
        6,
        "One order by its code: edited while in checkout, then moved along its statuses",
        f'order = shop.order("{code}")',
    )
    order = shop.order(code)
    say(f"   {order.code} (id {order.id}): status {order.status}, total {order['total']}")
    if variant is not None:
        say(f'   >>> order = order.update(line_items=[{{"variant_id": {variant}, "units": 1}}])')
        order = order.update(line_items=[{"variant_id": variant, "units": 1}])
        units = sum(int(item.get("units") or 0) for item in order.line_items)
        say(f"   edited: {units} unit, total {order['total']}")
    say('   >>> order = order.set_status("pending")')
    order = order.set_status("pending")
    allowed = ", ".join(order.allowed_statuses or ()) or "(not listed)"
    say(f"   status {order.status}; it may now be set to: {allowed}")
    say('   >>> order.set_status("shipped")')
    try:
        order.set_status("shipped")
    except InvalidTransition as exc:
        say(f"   halnav.bootic.InvalidTransition (before any request): {exc}")
    else:
        say("   (the move was accepted: unexpected)")
    return order


def _bulk_update(shop: Shop, pending: list[Order]) -> None:
    ids: list[int | str] = [order.id for order in pending[:3]] + [MISSING_ORDER_ID]
    step(
        7,
        "A bulk update, one id deliberately invalid (updates are not transactional)",
        f'result = shop.update_orders({ids}, status="closed")',
    )
    result = shop.update_orders(ids, status="closed")
    say(f"   result.valid_items ({len(result.valid_items)}):")
    rows = [(o.id, o.code, o.status) for o in result.valid_items]
    say(table(("id", "code", "status"), rows, "     "))
    say(f"   result.invalid_items ({len(result.invalid_items)}):")
    for order in result.invalid_items:
        for entry in order.errors or [{"messages": ["(no details)"]}]:
            messages = "; ".join(map(str, entry.get("messages") or []))
            say(f"     {order.id}  {entry.get('field') or ''}: {messages}")


def _checkout(client: Client, order: Order) -> None:
    step(8, "The new order's checkout and cart pages", "order.checkout_url, order.cart_url")
    say(f"   checkout: {order.checkout_url}")
    say(f"   cart:     {order.cart_url}")
    host = urlsplit(order.checkout_url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1"):
        return  # never fetch pages on the internet from the demo
    page = order.follow("btc:web_checkout")
    origin = (
        "the API's origin: token sent"
        if client.authenticates(order.checkout_url)
        else "another origin: no token sent"
    )
    say(
        f"   GET checkout -> {page.status_code} {page.content_type}, "
        f"{len(page.content)} bytes ({origin})"
    )


def _some_variant(shop: Shop, orders: list[Order]) -> int | None:
    """A variant id the shop sells, read from the line items of orders already listed."""
    for order in orders:
        for item in order.line_items:
            variant = item.get("variant_id")
            if isinstance(variant, int):
                return variant
    try:
        for order in shop.orders(per_page=5).orders:
            for item in order.line_items:
                if isinstance(item.get("variant_id"), int):
                    return int(item["variant_id"])
    except HALNavError:
        return None
    return None
