"""Printing resources for people and programs: text tables, JSON, JSON lines and CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any, TypeVar

from .. import Form, HALNavError, Resource
from .._json import is_array, is_object
from .._redact import redact_url

__all__ = [
    "compact_json",
    "describe",
    "embedded_rows",
    "form_rows",
    "forms_text",
    "link_rows",
    "links_table",
    "pretty_json",
    "property_rows",
    "table",
    "text_value",
    "write_csv",
    "write_items",
]

_MAX_CELL = 70
_FORM_KEYS = ("_templates", "_actions")
T = TypeVar("T")


def pretty_json(value: Any) -> str:
    """``value`` as indented JSON, non-ASCII kept readable."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def compact_json(value: Any) -> str:
    """``value`` as JSON on one line (a JSON lines record)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def text_value(value: Any) -> str:
    """A property value as a table cell: strings as they are, ``None`` empty, the rest JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return compact_json(value)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    indent: str = "",
    whole: Iterable[str] = (),
) -> str:
    """A plain text table with a header line; long cells are cut with ``...``, except in the
    columns named in ``whole`` (hrefs: a cut one hides its page number)."""
    keep = [header in set(whole) for header in headers]
    cells = [[_cell(value, k) for value, k in zip(row, keep, strict=True)] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], len(value))
    lines = [_line(headers, widths, indent), _line(["-" * w for w in widths], widths, indent)]
    lines += [_line(row, widths, indent) for row in cells]
    return "\n".join(lines)


def property_rows(resource: Resource) -> list[tuple[str, str]]:
    """(name, value) for each property (``_templates`` and ``_actions``, shown as forms, left
    out)."""
    return [
        (name, text_value(value))
        for name, value in resource.properties.items()
        if name not in _FORM_KEYS
    ]


def form_rows(form: Form) -> list[tuple[str, str, str, str, str]]:
    """(field, type, required, default, accepts) for each field of ``form``; options behind a
    link are named by their URL, not fetched."""
    rows: list[tuple[str, str, str, str, str]] = []
    for field in form.fields:
        accepts: list[str] = []
        if field.read_only:
            accepts.append("read-only")
        if field.options_link is not None:
            accepts.append(f"options from {redact_url(field.options_link.href)}")
        elif field.has_options:
            accepts.append("one of " + ", ".join(str(o.value) for o in field.options or ()))
        if field.regex:
            accepts.append(f"matching {field.regex}")
        if field.min is not None or field.max is not None:
            accepts.append(f"{_bound(field.min)}..{_bound(field.max)}")
        if field.min_length is not None or field.max_length is not None:
            accepts.append(f"{_bound(field.min_length)}..{_bound(field.max_length)} chars")
        rows.append(
            (
                field.name,
                field.type,
                "yes" if field.required else "",
                text_value(field.default),
                "; ".join(accepts),
            )
        )
    return rows


def forms_text(resource: Resource) -> str:
    """The forms of ``resource``, each a line (name, method, target, content type, title)
    and a table of its fields; empty when it has none."""
    parts: list[str] = []
    for name, form in resource.forms.items():
        title = f"  {form.title}" if form.title else ""
        target = redact_url(form.target) if form.target else "(no target)"
        head = f"  {name}  {form.method} {target}  ({form.content_type}){title}"
        rows = form_rows(form)
        fields = table(("field", "type", "required", "default", "accepts"), rows, "    ")
        parts.append(head + ("\n" + fields if rows else ""))
    return "\n".join(parts)


def _bound(value: object) -> str:
    return "" if value is None else str(value)


def link_rows(resource: Resource) -> list[tuple[str, str, str, str, str]]:
    """(rel, method, href, title, templated) for each link, ``curies`` left out."""
    rows: list[tuple[str, str, str, str, str]] = []
    for rel in resource.links:
        if rel == "curies":
            continue
        for link in resource.links[rel]:
            rel_name = f"{rel}[{link.name}]" if link.name else rel
            rows.append(
                (
                    rel_name,
                    link.method,
                    link.href,
                    link.title or "",
                    "yes" if link.templated else "",
                )
            )
    return rows


def links_table(rows: Sequence[tuple[str, str, str, str, str]], indent: str = "") -> str:
    """The rows of :func:`link_rows` as a table. The href comes last and whole (a cut one hides
    its page number; last, a long template pads no other column); the title column is there
    only when some link has a title."""
    titled = any(title for _, _, _, title, _ in rows)
    headers = ("rel", "method", "templated", *(("title",) if titled else ()), "href")
    cells = [
        (rel, method, templated, *((title,) if titled else ()), href)
        for rel, method, href, title, templated in rows
    ]
    return table(headers, cells, indent, whole=("href",))


def embedded_rows(resource: Resource) -> list[tuple[str, str]]:
    """(rel, what) for each embedded relation: ``1 resource`` (an object) or ``N items``."""
    document = resource.document
    embedded = document.get("_embedded") if is_object(document) else None
    if not is_object(embedded):
        return []
    rows: list[tuple[str, str]] = []
    for rel, value in embedded.items():
        if is_array(value):
            rows.append((rel, f"{len(value)} item{'' if len(value) == 1 else 's'}"))
        else:
            rows.append((rel, "1 resource"))
    return rows


def describe(resource: Resource) -> str:
    """The properties, links and embedded relations of ``resource`` as titled tables."""
    status = f"  [{resource.status_code}]" if resource.status_code else ""
    parts = [f"{resource.url or '(embedded resource)'}{status}"]
    properties = property_rows(resource)
    if properties:
        parts.append("\nproperties\n" + table(("name", "value"), properties, "  "))
    elif resource.document is None and resource.content:
        parts.append(
            f"\nbody: {resource.content_type or 'unknown type'}, {len(resource.content)} bytes"
        )
    try:
        links = link_rows(resource)
    except HALNavError as exc:
        parts.append(f"\nlinks: invalid ({exc})")
    else:
        if links:
            parts.append("\nlinks\n" + links_table(links, "  "))
    try:
        forms = forms_text(resource)
    except HALNavError as exc:
        parts.append(f"\nforms: invalid ({exc})")
    else:
        if forms:
            parts.append("\nforms\n" + forms)
    embedded = embedded_rows(resource)
    if embedded:
        parts.append("\nembedded\n" + table(("rel", "contents"), embedded, "  "))
    return "\n".join(parts)


def write_csv(
    stream: IO[str],
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    line_end: str = "\n",
) -> int:
    """Write a header and ``rows`` as CSV, lines ended by ``line_end``; the number of rows."""
    writer = csv.writer(stream, lineterminator=line_end)
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow([text_value(value) for value in row])
        count += 1
    return count


def _cell(value: Any, whole: bool = False) -> str:
    text = text_value(value).replace("\n", " ")
    return text if whole or len(text) <= _MAX_CELL else text[: _MAX_CELL - 3] + "..."


def _line(values: Sequence[str], widths: Sequence[int], indent: str) -> str:
    return (indent + "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True))).rstrip()


def write_items(
    out: IO[str],
    fmt: str,
    items: Iterable[T],
    columns: Sequence[str],
    row: Callable[[T], Sequence[Any]],
    document: Callable[[T], Any],
    line_end: str = "\n",
) -> int:
    """Write ``items`` as ``fmt``: ``table`` (``columns``, once every item is read), ``csv``
    (``columns``, streamed) or ``jsonl`` (each item's whole ``document``); the number written."""
    if fmt == "csv":
        return write_csv(out, columns, (row(item) for item in items), line_end)
    if fmt == "jsonl":
        count = 0
        for item in items:
            out.write(compact_json(document(item)) + "\n")
            count += 1
        return count
    rows = [row(item) for item in items]
    out.write(table(columns, rows) + "\n")
    return len(rows)
