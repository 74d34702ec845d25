"""Strict RFC 6570 URI template expansion.

uritemplate expands every operator but never complains; halnav adds the checks a person needs:
a malformed template, a missing required variable, or a variable the template does not declare
raises :class:`TemplateError` listing the variables the template accepts.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, TypeAlias, cast

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


@dataclass(frozen=True)
class Template:
    """A parsed, validated URI template (parse once, expand many times)."""

    source: str
    variables: tuple[str, ...]
    required: frozenset[str]
    _compiled: URITemplate

    def expand(self, variables: Mapping[str, TemplateValue]) -> str:
        """Expand with ``variables``; ``None`` values count as absent."""
        given = {name: value for name, value in variables.items() if value is not None}
        unknown = [name for name in given if name not in self.variables]
        if unknown:
            raise TemplateError(
                f"template {self.source!r} does not declare "
                f"{_names(unknown)}; it accepts {_accepted(self)}",
                template=self.source,
                accepted=self.variables,
            )
        missing = [name for name in self.variables if name in self.required and name not in given]
        if missing:
            raise TemplateError(
                f"template {self.source!r} needs {_names(missing)}; it accepts {_accepted(self)}",
                template=self.source,
                accepted=self.variables,
            )
        values: dict[str, VariableValue] = {
            name: _to_template_value(v) for name, v in given.items()
        }
        return self._compiled.expand(values)


def _names(names: list[str]) -> str:
    label = "variable" if len(names) == 1 else "variables"
    return f"{label} " + ", ".join(repr(n) for n in names)


def _accepted(template: Template) -> str:
    if not template.variables:
        return "no variables"
    parts = [
        f"{name} (required)" if name in template.required else name for name in template.variables
    ]
    return ", ".join(parts)


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


@lru_cache(maxsize=512)
def parse_template(source: str) -> Template:
    """Parse and validate ``source``; raises :class:`TemplateError` if it is malformed."""
    variables: list[str] = []
    required: set[str] = set()
    for expression in _EXPRESSION.findall(source):
        operator = expression[:1] if expression[:1] in _OPERATORS else ""
        specs = expression[len(operator) :].split(",")
        for spec in specs:
            if not _VARSPEC.match(spec):
                raise TemplateError(
                    f"malformed URI template {source!r}: bad expression {{{expression}}}",
                    template=source,
                )
            name = spec.split(":", 1)[0].rstrip("*")
            if name not in variables:
                variables.append(name)
            if operator not in _OPTIONAL_OPERATORS:
                required.add(name)
    leftover = _EXPRESSION.sub("", source)
    if "{" in leftover or "}" in leftover:
        raise TemplateError(
            f"malformed URI template {source!r}: unbalanced braces", template=source
        )
    return Template(source, tuple(variables), frozenset(required), URITemplate(source))
