"""``halnav get``: fetch a URL, follow a path of relations, print what is there."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import IO, Any

from .. import AmbiguousRelation, Client, Link, LinkNotFound, Resource
from .._json import is_array, is_object
from ._common import UsageError, check_url, looks_like_url
from ._files import output_stream
from ._output import compact_json, describe, pretty_json, write_items
from ._progress import Progress
from ._settings import connection

__all__ = [
    "add_parser",
    "add_path_arguments",
    "check_all_used",
    "check_required",
    "follow_path",
    "item_columns",
    "items_rel",
    "parse_variables",
    "print_resource",
    "run",
    "start",
    "walk",
]

FORMATS = ("table", "csv", "jsonl")


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Register ``get`` and its options."""
    parser = subparsers.add_parser(
        "get",
        parents=parents,
        help="fetch a URL, follow relations, print the resource",
        description=(
            "Fetch URL (default: --url or $HALNAV_URL), follow each REL in turn (templated "
            "links take the -p variables they declare) and print the resource: its properties, "
            "links and embedded relations; or a collection's items with --format or --all."
        ),
    )
    add_path_arguments(parser)
    parser.add_argument(
        "--pointer", metavar="PTR", help="print only the value at this JSON pointer"
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the raw JSON document")
    output.add_argument(
        "--format",
        choices=FORMATS,
        help="print the collection's items (the first page; every page with --all) as a table, "
        "CSV or JSON lines (default: jsonl with --all, else the resource's tables)",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="walk every page (by 'next') and print each embedded item (as one JSON line unless "
        "--format says otherwise)",
    )
    parser.add_argument(
        "--columns",
        metavar="NAMES",
        help="the items' properties to show in a table or CSV, comma-separated "
        "(default: the first item's properties)",
    )
    parser.add_argument("--crlf", action="store_true", help="end CSV lines with \\r\\n, not \\n")
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    parser.set_defaults(handler=run)


def add_path_arguments(parser: argparse.ArgumentParser) -> None:
    """``[URL] REL ...`` and ``-p NAME=VALUE`` (shared by ``get`` and ``invoke``)."""
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
    templated link on the path declares, or a templated link's required variable left out, is
    a usage error (raised before that link is requested).
    """
    resource, used, declared = walk(resource, rels, variables)
    check_all_used(variables, used, declared)
    return resource


def walk(
    resource: Resource, rels: list[str], variables: dict[str, str]
) -> tuple[Resource, set[str], set[str]]:
    """:func:`follow_path` without the check that every variable was used: the resource
    reached, the variables used, and those the templated links on the way declare."""
    used: set[str] = set()
    declared: set[str] = set()
    for rel in rels:
        link = _link_or_none(resource, rel)
        hop: dict[str, Any] = {}
        if link is not None and link.templated:
            declared.update(link.variables)
            hop = {name: value for name, value in variables.items() if name in link.variables}
            check_required(link, hop)
        used.update(hop)
        resource = resource.follow(rel, **hop)
    return resource, used, declared


def check_all_used(variables: dict[str, str], used: set[str], declared: set[str]) -> None:
    """A usage error naming the ``-p`` variables no templated link on the path took."""
    unused = [name for name in variables if name not in used]
    if unused:
        accepted = ", ".join(sorted(declared)) or "none: no templated link on the path"
        raise UsageError(
            f"-p {', '.join(unused)}: not a variable of any templated link on the path "
            f"(variables: {accepted})"
        )


def check_required(link: Link, given: dict[str, Any]) -> None:
    """A usage error naming the required variables of ``link`` missing from ``given``."""
    missing = sorted(link.required_variables - set(given))
    if missing:
        flags = " ".join(f"-p {name}=..." for name in missing)
        raise UsageError(f"{link.rel} needs {flags} (its link is the template {link.href})")


def _link_or_none(resource: Resource, rel: str) -> Link | None:
    """The link of ``rel`` (its variables route the ``-p`` values), or ``None`` when ``rel`` is
    not a link: an embedded relation, or no relation at all (``follow`` then says which)."""
    try:
        return resource.link(rel)
    except AmbiguousRelation:
        raise
    except LinkNotFound:
        return None


def start(args: argparse.Namespace, path: list[str]) -> tuple[Client, str]:
    """The client and the URL a path starts at: ``path``'s first item when it is a URL
    (removed from ``path``), else the root URL."""
    made = connection(args)
    configured = made.settings.url
    begin = path.pop(0) if path and looks_like_url(path[0]) else None
    if begin is not None and not begin.startswith("/"):
        check_url(begin, "URL")
    for rel in path:
        if "/" in rel and "://" not in rel:
            # A relation is a name, a CURIE or an absolute URI: this is a URL without its scheme.
            check_url(rel, "URL")
    if begin is not None and begin.startswith("/") and configured is None:
        raise UsageError(f"{begin} is a path: give the API's root with --url or $HALNAV_URL")
    # The token belongs to the configured API: a URL given here gets it only on that origin
    # (or when no API is configured, in which case the URL given is the root).
    root_url = configured or begin
    if root_url is None:
        raise UsageError("no URL: give one, or --url, or set HALNAV_URL")
    return made.client(root_url), begin or root_url


def run(args: argparse.Namespace) -> int:
    """Run ``halnav get``."""
    path = list(args.path)
    variables = parse_variables(args.param)
    if args.format is not None and args.pointer is not None:
        raise UsageError("--pointer and --format do not go together: --pointer prints values")
    if args.columns is not None and args.format not in ("table", "csv"):
        raise UsageError("--columns is for --format table or csv")
    client, url = start(args, path)
    if not path and variables:
        raise UsageError("-p needs a relation to follow: variables fill templated links")
    resource = follow_path(client.get(url), path, variables)
    fmt = args.format or ("jsonl" if args.all else None)
    newline = "" if fmt == "csv" else None
    with output_stream(args.output, newline) as out:
        if fmt is not None:
            _print_items(out, resource, args, fmt)
        else:
            print_resource(out, resource, args.pointer, args.json)
    return 0


def print_resource(out: IO[str], resource: Resource, pointer: str | None, raw: bool) -> None:
    """The value at ``pointer``, the raw document (``raw``), or the resource's tables."""
    if pointer is not None:
        value = resource.pointer(pointer)
        out.write((value if isinstance(value, str) else pretty_json(value)) + "\n")
    elif raw:
        out.write(resource.text if resource.document is None else pretty_json(resource.document))
        out.write("\n")
    else:
        out.write(describe(resource) + "\n")


def _print_items(out: IO[str], first: Resource, args: argparse.Namespace, fmt: str) -> None:
    rel = items_rel(first)
    if rel is None and not args.all:
        raise UsageError(
            f"--format needs a collection: {first.url} embeds no items "
            "(no 'items', nor a single embedded array)"
        )
    pointer: str | None = args.pointer
    items = _items(first, rel, args.all)
    columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
    total = first.get("total_items") if args.all else None
    line_end = "\r\n" if args.crlf else "\n"
    with Progress(total=total if isinstance(total, int) else None, description="items") as bar:
        stream = bar.writer(out)
        counted = _counted(items, bar)
        if fmt == "jsonl":
            for record in counted:
                value = record.pointer(pointer) if pointer is not None else record.document
                stream.write((value if isinstance(value, str) else compact_json(value)) + "\n")
        else:
            head = next(counted, None)
            names = columns or (item_columns(head) if head is not None else [])
            if not names:
                stream.write("(no items)\n" if fmt == "table" else "")
                return
            write_items(
                stream,
                fmt,
                _chain(head, counted),
                names,
                lambda item: [item.get(name) for name in names],
                lambda item: item.document,
                line_end,
            )
        stream.flush()
    total_items = first.get("total_items")
    if not args.all and isinstance(total_items, int) and bar.count < total_items:
        print(
            f"{bar.count} of {total_items} items (first page; --all for every page)",
            file=sys.stderr,
        )


def item_columns(item: Resource) -> list[str]:
    """An item's property names (``_links`` and ``_embedded`` left out)."""
    return list(item.properties)


def _items(first: Resource, rel: str | None, walk: bool) -> Iterator[Resource]:
    if rel is None:
        yield from first.pages()
    elif walk:
        yield from first.iterate(rel)
    else:
        yield from first.iter_embedded(rel)


def _counted(items: Iterator[Resource], bar: Progress) -> Iterator[Resource]:
    for item in items:
        bar.update()
        yield item


def _chain(head: Resource | None, rest: Iterator[Resource]) -> Iterator[Resource]:
    if head is not None:
        yield head
    yield from rest


def items_rel(page: Resource) -> str | None:
    """The collection's item relation: ``items``, else the one embedded array, else none."""
    document = page.document
    embedded = document.get("_embedded") if is_object(document) else None
    if not is_object(embedded):
        return None
    if "items" in embedded:
        return "items"
    arrays = [rel for rel, value in embedded.items() if is_array(value)]
    return arrays[0] if len(arrays) == 1 else None
