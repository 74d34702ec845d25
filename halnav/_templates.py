"""Strict RFC 6570 URI template expansion.

uritemplate expands every operator but never complains; halnav adds the checks a person needs:
a malformed template, a missing required variable, or a variable the template does not declare
raises :class:`TemplateError` listing the variables the template accepts.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from uritemplate import URITemplate

from ._exceptions import TemplateError

__all__ = ["Template", "parse_template"]

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

    def expand(self, variables: Mapping[str, Any]) -> str:
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
        return self._compiled.expand({name: _to_template_value(v) for name, v in given.items()})


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


def _to_template_value(value: Any) -> Any:
    # uritemplate takes strings, numbers, lists and dicts; the rest is made readable here.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)  # uritemplate slices a value for a prefix ({id:3}): a number can't be
    if isinstance(value, Mapping):
        return {str(k): _to_template_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_to_template_value(v) for v in value]
    return str(value)


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
