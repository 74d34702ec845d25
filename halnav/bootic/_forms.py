"""The search form a Bootic results page declares (``_actions.search``), as the layer uses it.

Read through the core's :attr:`halnav.Resource.forms` (HAL-FORMS ``_templates`` and Bootic
``_actions``); the layer keeps only what its filter checks need: each field's name and the values
it allows.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._exceptions import HALNavError
from .._resource import Resource

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


def search_form(page: Resource, name: str = "search") -> SearchForm | None:
    """The form ``name`` of ``page``; ``None`` when it has none, or none that lists a field (a
    malformed form declares nothing, and the layer falls back on what else the server says).

    Options behind a link are not fetched here (a filter check must not cost a request): such
    a field takes any value.
    """
    try:
        form = page.forms.get(name)
    except HALNavError:  # _actions of the wrong shape: nothing declared
        return None
    if form is None or not form.fields:
        return None
    fields = tuple(
        FormField(
            field.name,
            field.prompt or None,
            _text(field.value),
            tuple(_option(option.value) for option in field.options or ())
            if field.has_options and field.options_link is None
            else None,
        )
        for field in form.fields
    )
    return SearchForm(form.target, form.method, fields)


def _text(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    return str(value) if isinstance(value, (str, int, float)) else None


def _option(value: object) -> str:
    return value if isinstance(value, str) else str(value)
