"""Reading the search form a Bootic results page declares (``_actions.search``).

Kept to one small function on purpose: halnav's core is to read forms generically (HAL-FORMS
``_templates`` and Bootic ``_actions``) as ``resource.forms``; the layer will take them from there
then, and only :func:`search_form` changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._json import is_array, is_object

__all__ = ["FormField", "SearchForm", "search_form"]


@dataclass(frozen=True)
class FormField:
    """One field of a form: ``options`` lists the values allowed (``None``: any value)."""

    name: str
    prompt: str | None = None
    value: str | None = None
    options: tuple[str, ...] | None = None


@dataclass(frozen=True)
class SearchForm:
    """A results page's search form: where it is sent (``href``, no query) and its fields."""

    href: str | None
    method: str
    fields: tuple[FormField, ...]


def search_form(document: Any, name: str = "search") -> SearchForm | None:
    """The form ``_actions[name]`` of ``document``; ``None`` when it has none, or none that
    lists a field (a malformed form declares nothing, and the layer falls back on what else
    the server says)."""
    actions = document.get("_actions") if is_object(document) else None
    action = actions.get(name) if is_object(actions) else None
    if not is_object(action):
        return None
    raw_fields = action.get("fields")
    fields: list[FormField] = []
    for raw in raw_fields if is_array(raw_fields) else []:
        if not is_object(raw) or not isinstance(raw.get("name"), str) or not raw["name"]:
            continue
        options = raw.get("options")
        fields.append(
            FormField(
                raw["name"],
                _text(raw.get("prompt")),
                _text(raw.get("value")),
                tuple(_option(o) for o in options) if is_array(options) else None,
            )
        )
    if not fields:
        return None
    href = action.get("href")
    method = action.get("method")
    return SearchForm(
        href if isinstance(href, str) and href else None,
        method.upper() if isinstance(method, str) and method else "GET",
        tuple(fields),
    )


def _text(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    return str(value) if isinstance(value, (str, int, float)) else None


def _option(value: object) -> str:
    return value if isinstance(value, str) else str(value)
