"""A shop's orders, filtered: the filters checked against what the server declares, then sent
the way its ``btc:orders`` link takes them.

What the server declares, first found: the search form of its orders page (``_actions.search``:
the fields and their ``options``), the variables of a templated ``btc:orders``, the documented
table. The form is read from an orders page this client fetched for that shop before; when there
is none yet, a filtered query first fetches the unfiltered first page to read it: **one more
request, once per shop and client** (none for a query without filters, which reads the form from
its own answer). Checks that need no server (a name the template cannot carry, a date that is
no date) are made before that request. A filter the server's form does not list is never sent.

A templated ``btc:orders`` gets the filters as template variables, under the spelling it declares
(``created_on.gte`` for ``created_on_gte``); a plain one gets them as its query.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._fetcher import Fetcher
from .._link import Link
from .._resource import Resource
from .._templates import TemplateValue
from ._documented import ORDER_FILTERS, OrderFilters
from ._errors import InvalidFilter
from ._filters import order_query
from ._forms import search_form
from ._labels import shop_label
from ._memory import learnt_about, remember_form, remember_transitions
from ._navigation import collection_url, find_link, follow_expanded, link_variables
from ._terms import DOCUMENTED, QueryTerms, from_form, from_variables, spellings
from ._transitions import read_transitions
from ._values import check_value

__all__ = ["ORDERS_RELS", "order_terms", "query_orders", "query_terms"]

ORDERS_RELS = ("btc:orders", "orders")


def query_orders(shop: Resource, filters: Mapping[str, object]) -> Resource:
    """The first page of ``shop``'s orders matching ``filters`` (Python names), as a plain
    resource (``Shop.orders`` casts it to an :class:`OrderPage`)."""
    given = {name: value for name, value in filters.items() if value is not None}
    holder, link, carried = _orders_link(shop)
    _precheck(filters, carried)
    if not given:
        return _fetch(holder, link, {}, DOCUMENTED)
    terms = query_terms(holder, link, carried)
    query = order_query(given, terms)
    return _fetch(holder, link, query, terms)


def order_terms(shop: Resource, filters: Mapping[str, object] | None = None) -> QueryTerms:
    """What ``shop``'s orders query accepts (see :func:`query_terms`), with ``filters`` checked
    against it: first what needs no request (the template's names, the values' shapes), then
    the server's search form, read once per shop and client (fetching the unfiltered first
    page when none was seen yet). No filtered request is sent."""
    holder, link, carried = _orders_link(shop)
    given = filters or {}
    _precheck(given, carried)
    terms = query_terms(holder, link, carried)
    order_query(given, terms)
    return terms


def _orders_link(shop: Resource) -> tuple[Resource, Link, QueryTerms | None]:
    """The resource holding ``shop``'s orders link, the link, and the terms its template
    carries (``None`` for a plain link)."""
    holder, link = find_link(shop, *ORDERS_RELS)
    variables = link_variables(link)
    carried = (
        from_variables(variables, f"the btc:orders template of {shop_label(shop)}")
        if variables
        else None
    )
    return holder, link, carried


def query_terms(holder: Resource, link: Link, carried: QueryTerms | None) -> QueryTerms:
    """What the orders query of ``link`` accepts: its server's search form (fetching the
    unfiltered first page to read it, when this client has not seen it), else ``carried`` (the
    template's terms), else the documented ones."""
    collection = collection_url(link)
    client = holder.client
    forms = learnt_about(client).forms
    if collection not in forms:
        _fetch(holder, link, {}, DOCUMENTED)  # remembers the form, or that there is none
        forms = learnt_about(client).forms
    form = forms.get(collection)
    if form is not None:
        return from_form(form, form.href or collection)
    return carried if carried is not None else DOCUMENTED


def _precheck(filters: Mapping[str, object], carried: QueryTerms | None) -> None:
    """What can be refused with no request: a name the template cannot carry (or, left out with
    ``None``, a name nobody declares), a value of the wrong shape (``closed_on_gte="yesterday"``).
    """
    for name, value in filters.items():
        if value is None:
            known = carried if carried is not None else DOCUMENTED
            if not known.accepts(name) and name not in OrderFilters.__optional_keys__:
                raise InvalidFilter(
                    f"unknown order filter {name!r}; {known.listing()}",
                    name=name,
                    allowed=known.names,
                )
            continue
        if carried is not None and not carried.accepts(name):
            raise InvalidFilter(
                f"unknown order filter {name!r}; {carried.listing()}",
                name=name,
                value=value,
                allowed=carried.names,
            )
        spec = ORDER_FILTERS.get(name)
        if spec is not None:
            check_value(spec.kind, name, value, None)


def _fetch(holder: Resource, link: Link, query: Mapping[str, str], terms: QueryTerms) -> Resource:
    variables = link_variables(link)
    if variables:
        placed: dict[str, TemplateValue] = {
            _template_name(name, terms, variables): text for name, text in query.items()
        }
        page = follow_expanded(holder, link, placed)
    else:
        params: dict[str, TemplateValue] = {terms.wire_name(n): t for n, t in query.items()}
        page = holder.follow(link.rel, params=params)
    _remember(holder.client, collection_url(link), page)
    return page


def _template_name(name: str, terms: QueryTerms, variables: tuple[str, ...]) -> str:
    for candidate in (terms.wire_name(name), *spellings(name)):
        if candidate in variables:
            return candidate
    raise InvalidFilter(
        f"{terms.source} takes the filter {name!r}, but the btc:orders template does not "
        f"declare it; the template takes: {', '.join(variables)}",
        name=name,
        allowed=variables,
    )


def _remember(client: Fetcher | None, collection: str, page: Resource) -> None:
    # A form read once is kept: a walk's every page declares it again, and reading it costs.
    if learnt_about(client).forms.get(collection) is None:
        form = search_form(page)
        if form is not None or collection not in learnt_about(client).forms:
            remember_form(client, collection, form)
    remember_transitions(client, read_transitions(page.document))
