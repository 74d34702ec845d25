"""Strict RFC 6570 URI template expansion.

uritemplate expands every operator but never complains; halnav adds the checks a person needs:
a malformed template, a missing required variable, or a variable the template does not declare
raises :class:`TemplateError` listing the variables the template accepts.
"""

from __future__ import annotations

import datetime as _dt
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias, cast
from urllib.parse import quote

from uritemplate import URITemplate

if TYPE_CHECKING:
    from uritemplate.variable import VariableValue

from ._exceptions import TemplateError

__all__ = ["Template", "TemplateScalar", "TemplateValue", "parse_template", "query_values"]

#: One value of a template variable: text, a number or a boolean (``true``/``false``), a date or
#: datetime (ISO 8601); ``None`` counts as not given.
TemplateScalar: TypeAlias = "str | int | float | bool | _dt.date | None"
#: What a template variable takes: a scalar, a list of them (comma-joined, or exploded with
#: ``*``), or a mapping of them (``key,value`` pairs, or ``key=value`` exploded).
TemplateValue: TypeAlias = (
    "TemplateScalar | Sequence[TemplateScalar] | Mapping[str, TemplateScalar]"
)

# Query expressions ({?a,b} and {&c}) are optional by nature; every other one is required.
_OPTIONAL_OPERATORS = {"?", "&"}
_EXPRESSION = re.compile(r"\{([^{}]*)\}")
_VARSPEC = re.compile(
    r"^(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*(?::[1-9][0-9]{0,3}|\*)?$"
)
_OPERATORS = set("+#./;?&")
# RFC 6570 section 3.1: a literal character outside the URI's unreserved and reserved sets (a
# space, a non-ASCII letter...) is percent-encoded, as its UTF-8 bytes; so is a "%" that does not
# start a percent-encoded triplet. uritemplate copies literals as they are, so halnav does it.
_LITERAL_SAFE = "-._~:/?#[]@!$&'()*+,;="
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# A message lists at most this many of a template's variables.
_LISTED = 20


@dataclass(frozen=True)
class Template:
    """A parsed, validated URI template (parse once, expand many times)."""

    source: str
    variables: tuple[str, ...]
    required: frozenset[str]
    _compiled: URITemplate
    #: ``variables`` as a set: checking what a caller gives costs one lookup per name.
    _declared: frozenset[str] = field(default=frozenset[str](), repr=False, compare=False)

    def expand(self, variables: Mapping[str, TemplateValue]) -> str:
        """Expand with ``variables``; ``None`` values count as absent."""
        given = {name: value for name, value in variables.items() if value is not None}
        declared = self._declared or frozenset(self.variables)
        unknown = [name for name in given if name not in declared]
        if unknown:
            raise TemplateError(
                f"template {_shown(self.source)} does not declare "
                f"{_names(unknown)}; it accepts {_accepted(self)}",
                template=self.source,
                accepted=self.variables,
            )
        missing = [name for name in self.variables if name in self.required and name not in given]
        if missing:
            raise TemplateError(
                f"template {_shown(self.source)} needs {_names(missing)}; it accepts {_accepted(self)}",
                template=self.source,
                accepted=self.variables,
            )
        values: dict[str, VariableValue] = {
            name: _to_template_value(v) for name, v in given.items()
        }
        return self._compiled.expand(values)


def _names(names: list[str]) -> str:
    label = "variable" if len(names) == 1 else "variables"
    return f"{label} " + _listed([repr(n) for n in names])


def _accepted(template: Template) -> str:
    if not template.variables:
        return "no variables"
    parts = [
        f"{name} (required)" if name in template.required else name
        for name in template.variables[: _LISTED + 1]
    ]
    return _listed(parts, len(template.variables))


def _listed(parts: list[str], total: int | None = None) -> str:
    # A template may declare thousands of variables: a message names the first few.
    total = len(parts) if total is None else total
    if total <= _LISTED:
        return ", ".join(parts)
    return ", ".join(parts[:_LISTED]) + f" (and {total - _LISTED} more)"


def _to_template_value(value: object) -> VariableValue:
    # uritemplate takes strings, numbers, lists and dicts of them; the rest is made readable here.
    if isinstance(value, Mapping):
        pairs = cast("Mapping[object, object]", value)
        return {str(k): _scalar(v) for k, v in pairs.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = cast("Iterable[object]", value)
        return [_scalar(v) for v in items]
    return _scalar(value)


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return value
    # A number as text: uritemplate slices a value for a prefix ({id:3}), a number can't be.
    return str(value)


def query_values(params: Mapping[str, TemplateValue]) -> dict[str, str | list[str]]:
    """Query parameters as text, written as a template would write them (``true``, ISO dates);
    ``None`` values are left out, a list repeats its parameter."""
    query: dict[str, str | list[str]] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            raise TypeError(
                f"query parameter {name!r} takes text, a number or a list, not a mapping"
            )
        if isinstance(value, (list, tuple, set, frozenset)):
            query[name] = [_scalar(v) for v in value if v is not None]
        else:
            query[name] = _scalar(value)
    return query


class _TemplateCache:
    """Parsed templates, least recently used first out, bounded by count and by their text's size.

    A count alone would let 512 templates of 256 kB each hold 128 MB; a template larger than
    the whole size bound is parsed each time, never kept.
    """

    def __init__(self, max_entries: int, max_chars: int) -> None:
        self.max_entries = max_entries
        self.max_chars = max_chars
        self._entries: OrderedDict[str, Template] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, source: str) -> Template | None:
        with self._lock:
            template = self._entries.get(source)
            if template is not None:
                self._entries.move_to_end(source)
            return template

    def put(self, template: Template) -> None:
        size = len(template.source)
        if size > self.max_chars:
            return
        with self._lock:
            if template.source in self._entries:
                return
            self._entries[template.source] = template
            self._chars += size
            while len(self._entries) > self.max_entries or self._chars > self.max_chars:
                _, dropped = self._entries.popitem(last=False)
                self._chars -= len(dropped.source)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def chars(self) -> int:
        """The characters of template text held."""
        return self._chars

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._chars = 0


#: The templates parsed so far: 512 at most, 2 MB of template text at most.
TEMPLATE_CACHE = _TemplateCache(max_entries=512, max_chars=2_000_000)


def parse_template(source: str) -> Template:
    """Parse and validate ``source``; raises :class:`TemplateError` if it is malformed.

    Linear in the template's length, and cached (see :data:`TEMPLATE_CACHE`).
    """
    template = TEMPLATE_CACHE.get(source)
    if template is None:
        template = _parse(source)
        TEMPLATE_CACHE.put(template)
    return template


def _parse(source: str) -> Template:
    variables: dict[str, None] = {}  # ordered, and a lookup per name: linear in the variables
    required: set[str] = set()
    literals: list[str] = []
    position = 0
    for match in _EXPRESSION.finditer(source):
        literals.append(source[position : match.start()])
        literals.append(match.group(0))
        position = match.end()
        expression = match.group(1)
        operator = expression[:1] if expression[:1] in _OPERATORS else ""
        specs = expression[len(operator) :].split(",")
        for spec in specs:
            if not _VARSPEC.match(spec):
                raise TemplateError(
                    f"malformed URI template {_shown(source)}: bad expression {{{_shown(expression)}}}",
                    template=source,
                )
            name = spec.split(":", 1)[0].rstrip("*")
            variables[name] = None
            if operator not in _OPTIONAL_OPERATORS:
                required.add(name)
    literals.append(source[position:])
    for index in range(0, len(literals), 2):
        literal = literals[index]
        if "{" in literal or "}" in literal:
            raise TemplateError(
                f"malformed URI template {_shown(source)}: unbalanced braces", template=source
            )
        literals[index] = _encode_literal(literal)
    names = tuple(variables)
    compiled = URITemplate("".join(literals))
    return Template(source, names, frozenset(required), compiled, frozenset(names))


def _encode_literal(text: str) -> str:
    """RFC 6570 section 3.1: a literal's characters outside the URI character set, encoded."""
    plain = text.isascii() and text.isprintable() and not any(c in text for c in ' "%<>\\^`|')
    if plain:
        return text
    return quote(_STRAY_PERCENT.sub("%25", text), safe=_LITERAL_SAFE + "%")


def _shown(text: str) -> str:
    # A message quotes at most the start of a (possibly huge) template.
    return repr(text) if len(text) <= 200 else repr(text[:197] + "...")
