"""A form's fields: :class:`Field`, read from a HAL-FORMS ``property`` or a Bootic ``_actions``
field, and its options (inline, or fetched on demand from ``options.link``).

A field's attributes are read as the HAL-FORMS specification says a client should: a missing or
unrecognized flag is ``false``, a missing ``prompt`` is the name, a missing ``type`` is ``text``,
an unparsable ``regex`` or bound is ignored. A shape that cannot be read at all (``options`` items
without their value) raises :class:`InvalidDocument` naming where.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeAlias

from ._document import resolve_pointer
from ._exceptions import HALNavError, InvalidDocument
from ._fetcher import Fetcher
from ._json import is_array, is_object
from ._link import Link
from ._redact import redact_url
from ._representation import Representation

__all__ = [
    "Field",
    "FieldOption",
    "FormValue",
    "read_field",
    "text_of",
]

#: What a form field takes: text, a number, a boolean, a date (ISO 8601), a list of them (several
#: values, or a JSON array), or an object (in a JSON body); ``None`` leaves the field out.
FormValue: TypeAlias = (
    "str | int | float | bool | _dt.date | Sequence[FormValue] | Mapping[str, FormValue] | None"
)

_CSV_TYPES = ("text/csv",)


class FieldOption(NamedTuple):
    """One allowed value of a field, with the text to show for it."""

    value: Any
    prompt: str


@dataclass(frozen=True, eq=False)
class Field:
    """One field of a :class:`~halnav.Form`: what it is called, what it takes, what it holds.

    ``value`` is the field's default (what is sent when no value is given); ``min``/``max`` are
    numbers, or ISO strings for the date and time types; ``max_items`` is ``None`` when the
    number of values is unbounded. ``options`` are the allowed values, read from
    ``options.inline`` or fetched from ``options.link`` when first asked for; ``None`` when the
    field takes any value. ``attributes`` keeps the property as the server wrote it.
    """

    name: str
    prompt: str
    required: bool = False
    read_only: bool = False
    type: str = "text"
    value: Any = None
    templated: bool = False
    regex: str | None = None
    min: int | float | str | None = None
    max: int | float | str | None = None
    step: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None
    placeholder: str | None = None
    cols: int | None = None
    rows: int | None = None
    min_items: int = 0
    max_items: int | None = None
    selected_values: tuple[Any, ...] = ()
    prompt_field: str = "prompt"
    value_field: str = "value"
    #: Where the options are fetched from (``options.link``), when they are not inline.
    options_link: Link | None = None
    attributes: dict[str, Any] = field(default_factory=dict[str, Any], repr=False)
    _inline: tuple[Any, ...] | None = field(default=None, repr=False)
    _fetcher: Fetcher | None = field(default=None, repr=False)
    _loaded: list[tuple[FieldOption, ...]] = field(
        default_factory=list[tuple[FieldOption, ...]], repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def has_options(self) -> bool:
        """Whether the field's values are limited to a list (known without fetching it)."""
        return self._inline is not None or self.options_link is not None

    @property
    def options(self) -> tuple[FieldOption, ...] | None:
        """The allowed values, or ``None`` when any value goes.

        Options behind ``options.link`` are fetched (a GET with the link's ``type`` as
        ``Accept``, through the client the resource came from) on first access, then kept.
        """
        if self._inline is not None:
            return _options_of(self._inline, self, "options.inline")
        if self.options_link is None:
            return None
        with self._lock:
            if not self._loaded:
                self._loaded.append(self._fetch_options(self.options_link))
            return self._loaded[0]

    @property
    def default(self) -> Any:
        """What is sent when no value is given: ``value``, else the ``selectedValues`` of its
        options (one value when ``max_items`` is 1), else ``None``."""
        if self.value is not None and self.value != "":
            return self.value
        if self.selected_values:
            if self.max_items == 1:
                return self.selected_values[0]
            return list(self.selected_values)
        return None

    def _fetch_options(self, link: Link) -> tuple[FieldOption, ...]:
        if self._fetcher is None:
            raise HALNavError(
                f"field {self.name!r} takes its options from {link.href}, and its form was "
                "made without a client to fetch them"
            )
        url = link.url()
        accept = link.type or "application/json"
        answer = self._fetcher.fetch("GET", url, headers={"Accept": accept})
        return _options_of(_option_items(answer, self.name), self, f"options of {url}")

    def __repr__(self) -> str:
        parts = [repr(self.name), self.type]
        if self.required:
            parts.append("required")
        if self.read_only:
            parts.append("read-only")
        if self.value not in (None, ""):
            parts.append(f"value={self.value!r}")
        return f"<Field {' '.join(parts)}>"


def text_of(value: Any) -> str:
    """A value as it is written in a query or a form body: ``true``/``false``, ISO dates."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def _options_of(items: Sequence[Any], owner: Field, where: str) -> tuple[FieldOption, ...]:
    options: list[FieldOption] = []
    for index, item in enumerate(items):
        if is_object(item):
            value = _member(item, owner.value_field)
            if value is _ABSENT:
                raise InvalidDocument(
                    f"field {owner.name!r}: item {index} of its {where} has no "
                    f"{owner.value_field!r} (the options' valueField); expected an object "
                    "with one, or a plain value",
                    pointer=f"/{index}",
                )
            prompt = _member(item, owner.prompt_field)
            options.append(
                FieldOption(value, prompt if isinstance(prompt, str) else text_of(value))
            )
        elif item is not None:
            options.append(FieldOption(item, text_of(item)))
    return tuple(options)


_ABSENT: Any = object()


def _member(item: dict[str, Any], name: str) -> Any:
    """``item[name]``, or the value at ``name`` when it is a JSON pointer (``/id``)."""
    if name in item:
        return item[name]
    if name.startswith("/"):
        try:
            return resolve_pointer(item, name)
        except LookupError:
            return _ABSENT
    return _ABSENT


def _option_items(answer: Representation, name: str) -> Sequence[Any]:
    """The list an ``options.link`` answered: a JSON array, the one embedded array of a HAL
    document, or the rows of a CSV text (``value`` or ``prompt,value``)."""
    document = answer.document
    if is_array(document):
        return document
    if is_object(document):
        embedded = document.get("_embedded")
        if is_object(embedded):
            arrays = [value for value in embedded.values() if is_array(value)]
            if len(arrays) == 1:
                return arrays[0]
    media = (answer.content_type or "").split(";", 1)[0].strip().lower()
    if document is None and media in _CSV_TYPES:
        return _csv_options(answer.content.decode("utf-8", errors="replace"))
    raise InvalidDocument(
        f"the options of field {name!r} at {redact_url(answer.url or '')} answered "
        f"{answer.content_type or 'no content type'}; expected a JSON array, a HAL document "
        "embedding one array, or text/csv",
        url=answer.url,
    )


def _csv_options(text: str) -> list[Any]:
    items: list[Any] = []
    for row in csv.reader(io.StringIO(text)):
        cells = [cell.strip() for cell in row]
        if not cells or not any(cells):
            continue
        if len(cells) == 1:
            items.append(cells[0])
        else:  # the specification's "Federal Express,FedEx": the prompt, then the value
            items.append({"prompt": cells[0], "value": cells[1]})
    return items


def read_field(raw: dict[str, Any], base: str | None, fetcher: Fetcher | None) -> Field | None:
    """A :class:`Field` of a HAL-FORMS property object (or a Bootic ``_actions`` field, whose
    ``options`` is a plain list); ``None`` for one without a name, which the specification says
    to ignore."""
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        return None
    prompt = raw.get("prompt")
    kind = raw.get("type")
    inline: tuple[Any, ...] | None = None
    link: Link | None = None
    prompt_field, value_field = "prompt", "value"
    min_items, max_items = 0, None
    selected: tuple[Any, ...] = ()
    options = raw.get("options")
    if is_array(options):
        inline = tuple(options)
    elif is_object(options):
        if is_array(options.get("inline")):
            inline = tuple(options["inline"])
        else:
            link = _options_link(options.get("link"), base)
        prompt_field = _text(options.get("promptField")) or "prompt"
        value_field = _text(options.get("valueField")) or "value"
        min_items = _count(options.get("minItems")) or 0
        max_items = _count(options.get("maxItems"))
        if is_array(options.get("selectedValues")):
            selected = tuple(options["selectedValues"])
    return Field(
        name=name,
        prompt=prompt if isinstance(prompt, str) and prompt else name,
        required=_flag(raw.get("required")),
        read_only=_flag(raw.get("readOnly")),
        type=kind if isinstance(kind, str) and kind else "text",
        value=raw.get("value"),
        templated=_flag(raw.get("templated")),
        regex=_pattern(raw.get("regex")),
        min=_bound(raw.get("min")),
        max=_bound(raw.get("max")),
        step=_step(raw.get("step")),
        min_length=_count(raw.get("minLength")),
        max_length=_count(raw.get("maxLength")),
        placeholder=_text(raw.get("placeholder")),
        cols=_positive(raw.get("cols")),
        rows=_positive(raw.get("rows")),
        min_items=min_items,
        max_items=max_items,
        selected_values=selected,
        prompt_field=prompt_field,
        value_field=value_field,
        options_link=link,
        attributes=raw,
        _inline=inline,
        _fetcher=fetcher,
    )


def _options_link(raw: Any, base: str | None) -> Link | None:
    if not is_object(raw):
        return None
    href = raw.get("href")
    if not isinstance(href, str) or not href:
        return None  # the specification: a link without an href is ignored
    return Link(
        rel="options",
        href=href,
        base=base,
        templated=_flag(raw.get("templated")),
        type=_text(raw.get("type")),
        profile=_text(raw.get("profile")),
        attributes=raw,
    )


def _flag(value: Any) -> bool:
    # JSON true; the specification's own examples also write "true"/"false" as strings.
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _count(value: Any) -> int | None:
    """A non-negative integer written as a number or as digits; ``None`` otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def _positive(value: Any) -> int | None:
    count = _count(value)
    return count if count else None


def _bound(value: Any) -> int | float | str | None:
    """A ``min``/``max``: a number (from a number or numeric text), or other text as written
    (a date's bound); ``None`` for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value if math.isfinite(value) else None
    if isinstance(value, str) and value.strip():
        number = _numeric(value)
        return number if number is not None else value.strip()
    return None


def _step(value: Any) -> int | float | None:
    bound = _bound(value)
    return bound if isinstance(bound, (int, float)) and bound > 0 else None


def _numeric(text: str) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _pattern(value: Any) -> str | None:
    """A ``regex`` Python can compile, else ``None`` (the specification: ignore an unparsable
    one)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        re.compile(value)
    except (re.error, RecursionError, OverflowError):
        return None
    return value
