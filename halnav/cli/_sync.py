"""``halnav bootic sync``: keep a local SQLite mirror of a shop's orders up to date."""

from __future__ import annotations

import argparse
from typing import Any
from urllib.parse import urlsplit

from .._redact import redact_url
from ..bootic import (
    DEFAULT_OVERLAP,
    DEFAULT_ROOT_URL,
    MAX_PER_PAGE,
    MirrorError,
    SyncReport,
    read_mirror,
    sync_identity,
)
from ._common import UsageError
from ._order_options import (
    add_filter_options,
    add_json_flag,
    as_usage,
    filters_given,
    report,
    shop_id_option,
    shop_of,
)
from ._progress import Progress
from ._settings import connection

__all__ = ["add_parser", "run_sync"]


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Register ``bootic sync``."""
    parser = commands.add_parser(
        "sync",
        parents=parents,
        help="keep a local SQLite mirror of a shop's orders",
        description=(
            "Copy a shop's orders (those matching the filters given) into the SQLite file --db, "
            "then, on each later run, only those updated since the last one (by updated_on, "
            "from a little before the mirror's high-water mark), upserted by id. Every page is "
            "committed with the mark: a run stopped anywhere leaves the mirror consistent, and "
            "the next one goes on. A mirror keeps the shop and the filters it was made with."
        ),
    )
    parser.add_argument(
        "--db", metavar="PATH", required=True, help="the mirror file (made, 0600, if new)"
    )
    parser.add_argument(
        "--shop",
        metavar="ID",
        help="the shop's id (default: the mirror's shop, else the token's first)",
    )
    parser.add_argument(
        "--overlap",
        metavar="SECONDS",
        type=float,
        default=DEFAULT_OVERLAP,
        help="how far before the mark a run reads again (orders updated late, skewed clocks)",
    )
    add_json_flag(parser)
    add_filter_options(parser, skip=("sort", "page"))
    parser.set_defaults(handler=run_sync)


def run_sync(args: argparse.Namespace) -> int:
    """Run ``halnav bootic sync``."""
    filters = filters_given(args)  # before any request
    filters.setdefault("per_page", MAX_PER_PAGE)
    if args.overlap < 0:
        raise UsageError(f"--overlap takes 0 or more seconds, got {args.overlap:g}")
    shop_id = shop_id_option(args.shop)
    made = connection(args)
    state = read_mirror(args.db)  # a file that is no mirror: an error before any request
    if state is not None:
        wanted = as_usage(sync_identity, filters)
        if shop_id is not None and str(shop_id) != state.shop_id:
            raise MirrorError(
                f"{args.db} mirrors the orders of shop {state.shop_id}, not of shop {shop_id}: "
                "give another --db",
                path=args.db,
            )
        root = made.settings.url or DEFAULT_ROOT_URL
        if _origin(root) != _origin(state.shop_url):
            raise MirrorError(
                f"{args.db} mirrors the orders of shop {state.shop_id} at "
                f"{redact_url(state.shop_url)}, not of the API at {redact_url(root)}: give "
                "another --db",
                path=args.db,
            )
        if wanted != state.filters:
            shown = " ".join(f"{k}={v}" for k, v in sorted(state.filters.items()))
            raise MirrorError(
                f"{args.db} mirrors the orders matching {shown or 'no filters (every order)'}; "
                "give those filters (a mirror keeps one set), or another --db",
                path=args.db,
            )
        shop_id = int(state.shop_id) if state.shop_id.isdecimal() else shop_id
    shop = shop_of(made.bootic(), shop_id)
    with _Bar() as bar:
        result = as_usage(
            lambda given: shop.sync_orders(
                args.db, overlap=args.overlap, on_page=bar.page, **given
            ),
            filters,
        )

    def text() -> str:
        pages = f"{result.pages} page{'s' if result.pages != 1 else ''}"
        since = "first run" if result.first else f"since updated_on {result.since}"
        upto = f", up to updated_on {result.mark}" if result.mark else ""
        return (
            f"synced {result.fetched} orders of shop {result.shop_id} in {pages} ({since}): "
            f"{result.inserted} new, {result.updated} updated, {result.unchanged} unchanged\n"
            f"{result.path} holds {result.orders} orders{upto}"
        )

    report(args, result.as_dict(), text)
    return 0


class _Bar:
    """A progress bar of the orders read, made at the first page (which says how many)."""

    def __init__(self) -> None:
        self._progress: Progress | None = None
        self._done = 0

    def page(self, progress: SyncReport) -> None:
        if self._progress is None:
            self._progress = Progress(total=progress.total_items, description="orders")
        self._progress.update(progress.fetched - self._done)
        self._done = progress.fetched

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.close()


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.rpartition("@")[2]
