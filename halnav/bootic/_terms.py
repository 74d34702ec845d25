"""What an orders query may hold, and who said so: the server's search form, the variables of its
``btc:orders`` template, or the documentation.

Filters have one name in Python, the underscore one of the documentation (``created_on_gte``);
a server may spell it with a dot (``created_on.gte``, as the live shop page's template does).
:class:`QueryTerms` keeps, for each filter, the values allowed and the spelling to send.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ._documented import ORDER_FILTERS, ORDER_SORTS, ORDER_STATUSES
from ._forms import SearchForm

__all__ = ["DOCUMENTED", "QueryTerms", "canonical", "from_form", "from_variables", "spellings"]

# created_on.gte, total.lte: a range filter spelled with a dot.
_DOTTED = re.compile(r"^(.+)\.(gte|lte|gt|lt)$")
#: The documented values of the filters whose values are a closed list.
_DOCUMENTED_OPTIONS: Mapping[str, tuple[str, ...]] = {
    "status": ORDER_STATUSES,
    "sort": ORDER_SORTS,
}


def canonical(name: str) -> str:
    """The Python (underscore) name of a filter: ``created_on.gte`` -> ``created_on_gte``."""
    match = _DOTTED.match(name)
    return f"{match.group(1)}_{match.group(2)}" if match else name


@dataclass(frozen=True)
class QueryTerms:
    """The filters a query may hold (by Python name), their allowed values where known, and the
    name each is sent as."""

    #: Who declared them: shown in every error (``the server's search form at URL``...).
    source: str
    #: Python names, in the order the source lists them.
    names: tuple[str, ...]
    #: Allowed values, for the filters that have a closed list.
    options: Mapping[str, tuple[str, ...]] = field(default_factory=dict[str, tuple[str, ...]])
    #: The name to send, where it differs from the Python name.
    spellings: Mapping[str, str] = field(default_factory=dict[str, str])
    #: How an error lists them: ``SOURCE VERB: NAMES``.
    verb: str = "takes"

    def accepts(self, name: str) -> bool:
        """Whether the filter ``name`` (Python spelling) is one of these."""
        return name in self.names

    def allowed(self, name: str) -> tuple[str, ...] | None:
        """The values ``name`` may take (``None``: any of the right shape)."""
        return self.options.get(name)

    def listing(self) -> str:
        """``the server's search form at URL takes: q, page, ...``, for an error message."""
        return f"{self.source} {self.verb}: {', '.join(self.names) or '(none)'}"

    def wire_name(self, name: str) -> str:
        """The name ``name`` is sent as."""
        return self.spellings.get(name, name)


def from_form(form: SearchForm, where: str | None) -> QueryTerms:
    """The terms of a search form: its fields, and their ``options``."""
    names: list[str] = []
    options: dict[str, tuple[str, ...]] = {}
    spellings: dict[str, str] = {}
    for form_field in form.fields:
        name = canonical(form_field.name)
        if name in names:
            continue
        names.append(name)
        if form_field.name != name:
            spellings[name] = form_field.name
        if form_field.options is not None:
            options[name] = form_field.options
    label = f"the server's search form at {where}" if where else "the server's search form"
    return QueryTerms(label, tuple(names), options, spellings)


def from_variables(variables: Iterable[str], label: str) -> QueryTerms:
    """The terms of a template's variables; values are checked against the documentation."""
    names: list[str] = []
    spellings: dict[str, str] = {}
    for variable in variables:
        name = canonical(variable)
        if name in names:
            continue
        names.append(name)
        if variable != name:
            spellings[name] = variable
    options = {name: values for name, values in _DOCUMENTED_OPTIONS.items() if name in names}
    return QueryTerms(label, tuple(names), options, spellings)


#: The documented filters (the seed's table, with ``tags`` and ``contact_email``).
DOCUMENTED = QueryTerms(
    "the documented filters", tuple(ORDER_FILTERS), dict(_DOCUMENTED_OPTIONS), verb="are"
)


def spellings(name: str) -> tuple[str, ...]:
    """The names a server may send the filter ``name`` as: ``created_on_gte`` and
    ``created_on.gte``."""
    head, _, tail = name.rpartition("_")
    if head and tail in ("gte", "lte", "gt", "lt"):
        return name, f"{head}.{tail}"
    return (name,)
