"""Checking the values given to a form against its fields, before any request is sent.

The rules are the HAL-FORMS ones, applied as a browser applies an HTML form's: a field the form
does not have, a required field without a value, a value not among the field's options, one that
does not match its ``regex`` (the whole value, as HTML's ``pattern``), is outside ``min``/``max``
or off ``step``, too short or too long, too few or too many values (``min_items``/``max_items``),
or a read-only field given another value than its own. An empty value is only checked for being
required. Every problem is reported at once, each naming its field and rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from ._exceptions import FormError
from ._form_fields import Field, text_of
from ._templates import TemplateValue, parse_template

__all__ = ["checked_values", "form_error"]

#: (field, rule, message)
Problem = tuple[str, str, str]

_NUMERIC_TYPES = frozenset({"number", "range"})
_DATE_TYPES = frozenset({"date", "month", "week", "time", "datetime-local", "datetime"})
_HIDDEN_TYPES = frozenset({"password"})


def checked_values(
    form: str,
    fields: Sequence[Field],
    given: Mapping[str, Any],
    variables: Mapping[str, TemplateValue] | None = None,
    *,
    comma_lists: bool = False,
) -> dict[str, Any]:
    """The values to send, in the fields' order: those given, checked, and for the other
    fields their default (a templated default expanded with ``variables``). Fields left empty
    are left out. Raises :class:`FormError` listing every problem.

    ``comma_lists``: a text with commas holds several values (``"pending,closed"``), as a
    Bootic server reads a query parameter; each is checked, and counted, on its own."""
    by_name = {item.name: item for item in fields}
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for item in fields:
        if item.name in given:
            value = given[item.name]
            problems += _given_problems(item, _split(value) if comma_lists else value)
        else:
            value = _default(item, variables or {})
        problems += _count_problems(item, _split(value) if comma_lists else value)
        if not _empty(value):
            values[item.name] = value
    unknown = [name for name in given if name not in by_name]
    if unknown:
        accepted = ", ".join(by_name) or "(none)"
        problems += [
            (name, "unknown", f"is not a field of this form (its fields: {accepted})")
            for name in unknown
        ]
    if problems:
        raise form_error(form, problems, available=list(by_name))
    return values


def form_error(form: str, problems: Sequence[Problem], available: Sequence[str] = ()) -> FormError:
    """The :class:`FormError` of ``problems``, the first one named in ``field`` and ``rule``."""
    field, rule, _ = problems[0]
    detail = "; ".join(f"field {name!r} {message} [{kind}]" for name, kind, message in problems)
    return FormError(
        f"form {form!r} does not accept these values: {detail}",
        form=form,
        field=field,
        rule=rule,
        problems=problems,
        available=available,
    )


def _default(field: Field, variables: Mapping[str, TemplateValue]) -> Any:
    default = field.default
    if field.templated and isinstance(default, str):
        template = parse_template(default)
        return template.expand({k: v for k, v in variables.items() if k in template.variables})
    return default


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, tuple)) and not value)


def _split(value: Any) -> Any:
    if isinstance(value, str) and "," in value:
        return [part.strip() for part in value.split(",")]
    return value


def _values(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(cast("Sequence[Any]", value))
    return [value]


def _count_problems(field: Field, value: Any) -> list[Problem]:
    """``required``, ``min_items`` and ``max_items``, on the value that will be sent."""
    count = 0 if _empty(value) else len(_values(value))
    if count == 0 and field.required:
        return [(field.name, "required", "is required and has no value (nor a default)")]
    if count < field.min_items:
        return [(field.name, "min_items", f"takes at least {field.min_items} values, got {count}")]
    if field.max_items is not None and count > field.max_items:
        most = "1 value" if field.max_items == 1 else f"{field.max_items} values"
        return [(field.name, "max_items", f"takes at most {most}, got {count}")]
    return []


def _given_problems(field: Field, value: Any) -> list[Problem]:
    if value is None:
        return []
    problems: list[Problem] = []
    if field.read_only and text_of(value) != text_of(field.default):
        keeps = "" if _empty(field.default) else f": it keeps {_shown(field, field.default)}"
        problems.append((field.name, "read_only", f"is read-only{keeps}"))
    allowed = field.options if field.has_options else None
    accepted = {text_of(option.value) for option in allowed} if allowed is not None else None
    for item in _values(value):
        if isinstance(item, (Mapping, list, tuple)) or item is None:
            continue  # an object (of a JSON body): no text to check
        text = text_of(item)
        if accepted is not None and text not in accepted:
            choices = ", ".join(text_of(option.value) for option in allowed or ())
            problems.append(
                (field.name, "options", f"got {_shown(field, item)}, not one of: {choices}")
            )
            continue
        if text:
            problems += _text_problems(field, item, text)
    return problems


def _text_problems(field: Field, item: Any, text: str) -> list[Problem]:
    problems: list[Problem] = []
    shown = _shown(field, item)
    if field.regex is not None and not _matches(field.regex, text):
        problems.append((field.name, "regex", f"got {shown}, which does not match {field.regex!r}"))
    if field.min_length is not None and len(text) < field.min_length:
        problems.append(
            (field.name, "min_length", f"got {shown}, shorter than {field.min_length} characters")
        )
    if field.max_length is not None and len(text) > field.max_length:
        problems.append(
            (field.name, "max_length", f"got {shown}, longer than {field.max_length} characters")
        )
    problems += _number_problems(field, item, shown)
    if field.type in _DATE_TYPES:
        if isinstance(field.min, str) and text < field.min:
            problems.append((field.name, "min", f"got {shown}, before {field.min}"))
        if isinstance(field.max, str) and text > field.max:
            problems.append((field.name, "max", f"got {shown}, after {field.max}"))
    return problems


def _number_problems(field: Field, item: Any, shown: str) -> list[Problem]:
    low = _decimal(field.min) if not isinstance(field.min, str) else None
    high = _decimal(field.max) if not isinstance(field.max, str) else None
    step = _decimal(field.step)
    if field.type not in _NUMERIC_TYPES and low is None and high is None and step is None:
        return []
    number = _decimal(item)
    if number is None:
        return [(field.name, "type", f"got {shown}, not a number")]
    problems: list[Problem] = []
    if low is not None and number < low:
        problems.append((field.name, "min", f"got {shown}, below the minimum {field.min}"))
    if high is not None and number > high:
        problems.append((field.name, "max", f"got {shown}, above the maximum {field.max}"))
    if step is not None and (number - (low or Decimal(0))) % step != 0:
        start = f" from {field.min}" if low is not None else ""
        problems.append((field.name, "step", f"got {shown}, not in steps of {field.step}{start}"))
    return problems


def _decimal(value: Any) -> Decimal | None:
    """A finite number from a number or numeric text; ``None`` otherwise (booleans too)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, str)):
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None
        return number if number.is_finite() else None
    return None


def _matches(pattern: str, text: str) -> bool:
    # HTML's pattern matches the whole value; \d and \w are ASCII there, as re.ASCII makes them.
    try:
        return re.fullmatch(pattern, text, re.ASCII) is not None
    except (re.error, RecursionError):
        return True  # an unusable pattern is ignored, as the specification says


def _shown(field: Field, value: Any) -> str:
    if field.type in _HIDDEN_TYPES:
        return "a value"
    text = text_of(value)
    shown = text if len(text) <= 60 else text[:57] + "..."
    return repr(shown)
