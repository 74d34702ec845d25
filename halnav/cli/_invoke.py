"""``halnav invoke``: request a link with its own method, a JSON body from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ._common import UsageError
from ._get import (
    add_path_arguments,
    check_all_used,
    check_required,
    parse_variables,
    print_resource,
    walk,
)
from ._get import start as start_path

__all__ = ["add_parser", "link_method", "read_body", "run"]


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Register ``invoke`` and its options."""
    parser = subparsers.add_parser(
        "invoke",
        parents=parents,
        help="request a link with its method (a write: POST, PUT...), print the answer",
        description=(
            "Follow each REL but the last as 'get' does, then request the last one with the "
            "link's 'method' (else POST when a body is given, else GET), sending the --json "
            "body, and print the answer as 'get' does."
        ),
    )
    add_path_arguments(parser)
    parser.add_argument(
        "--json",
        metavar="BODY",
        dest="body",
        help="the JSON body: the text itself, @FILE to read it from a file, @- from stdin",
    )
    parser.add_argument(
        "--pointer", metavar="PTR", help="print only the value at this JSON pointer of the answer"
    )
    parser.add_argument("--raw", action="store_true", help="print the answer's raw JSON document")
    parser.set_defaults(handler=run)


def read_body(text: str) -> Any:
    """The JSON value of ``--json``: ``text``, or the contents of ``@FILE`` (``@-``: stdin)."""
    where = "--json"
    if text.startswith("@"):
        name = text[1:]
        where = "stdin" if name == "-" else name
        try:
            if name == "-":
                text = sys.stdin.read()
            else:
                with open(name, encoding="utf-8") as stream:
                    text = stream.read()
        except OSError as exc:
            raise UsageError(f"--json {text}: cannot read {name}: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{where} is not valid JSON: {exc}") from None


def run(args: argparse.Namespace) -> int:
    """Run ``halnav invoke``."""
    path = list(args.path)
    variables = parse_variables(args.param)
    body = read_body(args.body) if args.body is not None else None
    client, url = start_path(args, path)
    if not path:
        raise UsageError("invoke needs a relation to request: halnav invoke [URL] REL ...")
    *hops, last = path
    holder, used, declared = walk(client.get(url), hops, variables)
    target = holder.link(last)
    mine = {name: value for name, value in variables.items() if name in target.variables}
    check_all_used(variables, used | set(mine), declared | set(target.variables))
    if target.templated:
        check_required(target, mine)
    method = link_method(target.attributes, body)
    answer = holder.invoke(last, json=body, method=method, variables=mine)
    if answer.document is None and not answer.content:
        where = f" (Location: {answer.location})" if answer.location else ""
        print(f"{method} {answer.url or target.url(**mine)} -> {answer.status_code}{where}")
        return 0
    print_resource(sys.stdout, answer, args.pointer, args.raw)
    return 0


def link_method(attributes: dict[str, Any], body: Any) -> str:
    """The link's own ``method``, else POST with a body, else GET."""
    method = attributes.get("method")
    if isinstance(method, str) and method.strip():
        return method.strip().upper()
    return "POST" if body is not None else "GET"
