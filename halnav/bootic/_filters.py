"""Checking order filters and statuses before a request: against what a server declares, else
against the documentation.

An unknown filter name, or a value the server does not allow, raises :class:`InvalidFilter`
naming what is accepted; dates may be given as :class:`datetime.date`,
:class:`datetime.datetime` or ISO 8601 strings; ``status`` and ``tags`` as comma-separated
strings or lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._documented import ORDER_FILTERS, UPDATE_STATUSES
from ._errors import InvalidFilter
from ._terms import DOCUMENTED, QueryTerms
from ._values import check_value

__all__ = ["check_update_status", "order_query"]


def order_query(filters: Mapping[str, object], terms: QueryTerms = DOCUMENTED) -> dict[str, str]:
    """The query values of ``filters`` (by their Python names), checked against ``terms``
    (by default the documented filters).

    ``None`` values are left out. Raises :class:`InvalidFilter` for a name ``terms`` do not list,
    or a value of the wrong shape or outside the values allowed, naming what is accepted.
    """
    query: dict[str, str] = {}
    for name, value in filters.items():
        if not terms.accepts(name):
            raise InvalidFilter(
                f"unknown order filter {name!r}; {terms.listing()}",
                name=name,
                value=value,
                allowed=terms.names,
            )
        if value is None:
            continue
        spec = ORDER_FILTERS.get(name)
        query[name] = check_value(spec.kind if spec else "text", name, value, terms.allowed(name))
    return query


def check_update_status(
    status: Any,
    allowed: Sequence[str] = UPDATE_STATUSES,
    source: str = "",
) -> str:
    """``status`` if a bulk update may set it (one of ``allowed``, by default the documented
    ones), else :class:`InvalidFilter` listing those it may; ``source`` says who allows them."""
    if not isinstance(status, str) or status not in allowed:
        said = f" ({source})" if source else ""
        raise InvalidFilter(
            f"an update cannot set status {status!r}; allowed: {', '.join(allowed)}{said}",
            name="status",
            value=status,
            allowed=allowed,
        )
    return status
