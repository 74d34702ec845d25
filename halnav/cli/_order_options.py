"""What the ``halnav bootic`` commands share: the filter options, ``--shop``, ``--json`` and the
report of a writing command, and how a refused filter becomes a usage error."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ..bootic import (
    MAX_PER_PAGE,
    ORDER_FILTERS,
    ORDER_SORTS,
    ORDER_STATUSES,
    BooticClient,
    InvalidFilter,
    Shop,
    order_query,
)
from ._common import UsageError
from ._output import pretty_json

__all__ = [
    "add_filter_options",
    "add_json_flag",
    "as_usage",
    "filters_given",
    "report",
    "shop_id_option",
    "shop_of",
]

T = TypeVar("T")


def add_filter_options(parser: argparse.ArgumentParser, skip: Iterable[str] = ()) -> None:
    """An option for each documented order filter (``--status``, ``--created-on-gte``...), but
    those in ``skip``; :func:`filters_given` reads them back."""
    filters = parser.add_argument_group("filters (as documented by Bootic)")
    for spec in ORDER_FILTERS.values():
        if spec.name in skip:
            continue
        help_text = f"{spec.description} (e.g. {spec.example})"
        action = "store"
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


def filters_given(args: argparse.Namespace) -> dict[str, Any]:
    """The filter options given (see :func:`add_filter_options`), by name, checked against the
    documentation before any request: a bad one is a usage error."""
    filters = {
        name: getattr(args, f"filter_{name}")
        for name in ORDER_FILTERS
        if getattr(args, f"filter_{name}", None) is not None
    }
    for name, spec in ORDER_FILTERS.items():
        if name in filters and (name == "status" or spec.kind == "list"):
            filters[name] = ",".join(filters[name])
    as_usage(order_query, filters)
    per_page = filters.get("per_page")
    if per_page is not None and int(per_page) > MAX_PER_PAGE:
        raise UsageError(f"invalid per_page {per_page!r}; at most {MAX_PER_PAGE} orders a page")
    return filters


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


def shop_id_option(text: str | None) -> int | None:
    """``--shop``: a whole number (spaces around it allowed), else a usage error."""
    if text is None:
        return None
    if not text.strip().isdecimal():
        raise UsageError(f"--shop takes a shop id (a whole number), got {text!r}")
    return int(text.strip())


def shop_of(bootic: BooticClient, shop: int | None) -> Shop:
    if shop is None:
        return bootic.shop()
    return bootic.shop(id=shop)


def as_usage(check: Callable[[Any], T], value: Any) -> T:
    """``check(value)``; an :class:`InvalidFilter` becomes a usage error (exit status 2)."""
    try:
        return check(value)
    except InvalidFilter as exc:
        raise UsageError(str(exc)) from exc


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
