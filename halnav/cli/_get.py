"""``halnav get``: fetch a URL, follow a path of relations, print what is there."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

from .._exceptions import AmbiguousRelation, LinkNotFound
from .._link import Link
from .._resource import Resource
from ._common import UsageError, looks_like_url, make_client, setting_token, setting_url
from ._output import compact_json, describe, pretty_json
from ._progress import Progress

__all__ = ["add_parser", "follow_path", "parse_variables", "run"]


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Register ``get`` and its options."""
    parser = subparsers.add_parser(
        "get",
        parents=parents,
        help="fetch a URL, follow relations, print the resource",
        description=(
            "Fetch URL (default: --url or $HALNAV_URL), follow each REL in turn (templated "
            "links take the -p variables they declare) and print the resource: its properties, "
            "links and embedded relations."
        ),
    )
    parser.add_argument(
        "path",
        nargs="*",
        metavar="[URL] REL",
        help="a URL (absolute, or a path on the API), then relations to follow",
    )
    parser.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a template variable for the templated links on the path (repeatable)",
    )
    parser.add_argument(
        "--pointer", metavar="PTR", help="print only the value at this JSON pointer"
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the raw JSON document")
    output.add_argument(
        "--all",
        action="store_true",
        help="walk every page (by 'next') and print each embedded item as one JSON line",
    )
    parser.set_defaults(handler=run)


def parse_variables(pairs: list[str]) -> dict[str, str]:
    """``["id=1", "q=a=b"]`` -> ``{"id": "1", "q": "a=b"}``; a pair without ``=`` is a usage error."""
    variables: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"-p takes NAME=VALUE, got {pair!r}")
        variables[name.strip()] = value
    return variables


def follow_path(resource: Resource, rels: list[str], variables: dict[str, str]) -> Resource:
    """Follow ``rels`` one after the other; each templated hop takes the variables it declares.

    A relation the resource lacks raises the core's :class:`LinkNotFound`. A variable that no
    templated link on the path declares is a usage error.
    """
    used: set[str] = set()
    declared: set[str] = set()
    for rel in rels:
        link = _link_or_none(resource, rel)
        hop: dict[str, Any] = {}
        if link is not None and link.templated:
            declared.update(link.variables)
            hop = {name: value for name, value in variables.items() if name in link.variables}
        used.update(hop)
        resource = resource.follow(rel, **hop)
    unused = [name for name in variables if name not in used]
    if unused:
        accepted = ", ".join(sorted(declared)) or "none: no templated link on the path"
        raise UsageError(
            f"-p {', '.join(unused)}: not a variable of any templated link on the path "
            f"(variables: {accepted})"
        )
    return resource


def _link_or_none(resource: Resource, rel: str) -> Link | None:
    """The link of ``rel`` (its variables route the ``-p`` values), or ``None`` when ``rel`` is
    not a link: an embedded relation, or no relation at all (``follow`` then says which)."""
    try:
        return resource.link(rel)
    except AmbiguousRelation:
        raise
    except LinkNotFound:
        return None


def run(args: argparse.Namespace) -> int:
    """Run ``halnav get``."""
    path = list(args.path)
    configured = setting_url(args)
    start = path.pop(0) if path and looks_like_url(path[0]) else None
    # The token belongs to the configured API: a URL given here gets it only on that origin
    # (or when no API is configured, in which case the URL given is the root).
    root_url = configured or start
    if root_url is None:
        raise UsageError("no URL: give one, or --url, or set HALNAV_URL")
    variables = parse_variables(args.param)
    if not path and variables:
        raise UsageError("-p needs a relation to follow: variables fill templated links")
    with make_client(root_url, setting_token(args), args) as client:
        resource = client.get(start or root_url)
        resource = follow_path(resource, path, variables)
        if args.all:
            return _print_all(resource, args.pointer)
        if args.pointer is not None:
            value = resource.pointer(args.pointer)
            print(value if isinstance(value, str) else pretty_json(value))
        elif args.json:
            if resource.document is None:
                print(resource.text)
            else:
                print(pretty_json(resource.document))
        else:
            print(describe(resource))
    return 0


def _print_all(first: Resource, pointer: str | None) -> int:
    rel = _items_rel(first)
    total = first.get("total_items")
    with Progress(total=total if isinstance(total, int) else None, description="items") as bar:
        for record in _records(first, rel):
            value = record.pointer(pointer) if pointer is not None else record.document
            print(value if isinstance(value, str) else compact_json(value))
            bar.update()
    sys.stdout.flush()
    return 0


def _records(first: Resource, rel: str | None) -> Iterator[Resource]:
    if rel is None:
        yield from first.pages()
    else:
        yield from first.iterate(rel)


def _items_rel(page: Resource) -> str | None:
    """The collection's item relation: ``items``, else the one embedded array, else none."""
    document = page.document
    embedded = document.get("_embedded") if isinstance(document, dict) else None
    if not isinstance(embedded, dict):
        return None
    if "items" in embedded:
        return "items"
    arrays = [rel for rel, value in embedded.items() if isinstance(value, list)]
    return arrays[0] if len(arrays) == 1 else None
