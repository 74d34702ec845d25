"""Prefetch plans: the URLs of a collection's later pages, read from its first page's hypermedia.

A plan is made only from what the server wrote, and a walk checks it against every page it
fetches (see :mod:`halnav._pagination`). Two ways to make one:

- :func:`plan_pages`: the first page came through a templated link declaring ``page``; the template
  gives the URL of page *k*, checked against the ``next`` (and ``last``) links the server wrote.
- :func:`plan_from_links`: the first page's own ``next`` and ``last`` links differ in exactly one
  query parameter that counts pages (``page``, 0- or 1-based; ``page[number]``; an ``offset``
  stepping by the page size); without ``last``, the count comes from ``total_items``/``per_page``
  or a page-metadata object (Spring's ``page: {number, size, totalElements, totalPages}``, Eve's
  ``_meta: {page, max_results, total}``...). The later pages are ``next`` with that parameter
  stepped.

Each planner says why when it makes no plan. The same reading of a page's links gives a
:class:`Pager` (the URL of any page, by that parameter: what a stable walk re-reads with), and
:func:`declared_counts` the counts a page declares (what a walk checks what it received against).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, Protocol, TypedDict
from urllib.parse import parse_qsl, unquote_plus, urlsplit, urlunsplit

from ._curies import Curies
from ._document import first_link
from ._exceptions import HALNavError
from ._json import is_object
from ._link import Link, Via
from ._redact import redact_url

__all__ = [
    "Counts",
    "LinkPlan",
    "Page",
    "PagePlan",
    "Pager",
    "Plan",
    "agrees",
    "declared_counts",
    "page_count",
    "pager_of",
    "parse_count",
    "plan_from_links",
    "plan_pages",
    "same_page",
]

#: Query parameters that number pages (1-based unless the server starts at 0).
PAGE_PARAMETERS = ("page", "page[number]", "pageNumber", "page_number", "p", "pg")
#: Query parameters that count items skipped: they step by the page size.
OFFSET_PARAMETERS = ("offset", "page[offset]", "start", "skip", "from", "startIndex")
#: Where a page-metadata object may sit, and the names its counts go by.
METADATA_KEYS = ("page", "_meta", "meta", "pagination", "paging")
TOTAL_PAGES = ("totalPages", "total_pages", "pageCount", "page_count", "pages", "last_page")
TOTAL_ITEMS = (
    "total_items",
    "totalElements",
    "totalItems",
    "total",
    "total_count",
    "totalCount",
    "count",
)
_PAGE_SIZE = ("per_page", "size", "max_results", "page_size", "pageSize", "perPage", "limit")
#: The current page's number: 0-based under these names (Spring's ``number``)...
_ZERO_BASED_NUMBER = ("number",)
#: ... and 1-based under these (Bootic's and Eve's ``page``, Laravel's ``current_page``).
_ONE_BASED_NUMBER = ("page", "current_page", "currentPage", "page_number", "pageNumber")


class Page(Protocol):
    """What a plan (and a walk) reads of a page: a :class:`~halnav.Resource` is one."""

    @property
    def document(self) -> Any: ...
    @property
    def url(self) -> str | None: ...
    @property
    def content(self) -> bytes: ...
    @property
    def curies(self) -> Curies: ...
    @property
    def via(self) -> Via | None: ...


class Plan(Protocol):
    """The pages after the first, known in advance: what a prefetching walk fetches."""

    #: The query parameter that tells the pages apart (``page``, ``offset``...).
    param: str

    def targets(self) -> Iterator[tuple[str, Via | None]]:
        """Each later page's URL, in order, with the link (and variables) it is fetched by."""
        ...

    def __len__(self) -> int: ...


def parse_count(value: Any) -> int | None:
    """A count or number the server wrote (``3`` or ``"3"``), or ``None`` when it is not one.

    Only a non-negative int, or a string of ASCII digits: ``"²"``, ``"٣"``, ``"-1"``, ``True``
    or ``3.0`` give ``None``, never an exception.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


class PagePlan:
    """Pages ``numbers`` of a collection, reached by expanding ``link`` with ``page=k``."""

    __slots__ = ("link", "variables", "numbers")

    param = "page"

    def __init__(self, link: Link, variables: dict[str, Any], numbers: range) -> None:
        self.link = link
        self.variables = variables
        self.numbers = numbers

    def variables_for(self, number: int) -> dict[str, Any]:
        """The template variables of page ``number``."""
        return {**self.variables, "page": number}

    def url(self, number: int) -> str:
        """The URL of page ``number``."""
        return self.link.url(**self.variables_for(number))

    def targets(self) -> Iterator[tuple[str, Via | None]]:
        for number in self.numbers:
            variables = self.variables_for(number)
            yield self.link.url(**variables), (self.link, variables)

    def __len__(self) -> int:
        return len(self.numbers)

    def __repr__(self) -> str:
        href = redact_url(self.link.href)
        return f"<PagePlan {href} pages {self.numbers.start}..{self.numbers.stop - 1}>"


class LinkPlan:
    """The later pages as the first page's ``next`` URL with one parameter stepped: ``param``
    taking each of ``values``."""

    __slots__ = ("next_url", "param", "values")

    def __init__(self, next_url: str, param: str, values: range) -> None:
        self.next_url = next_url
        self.param = param
        self.values = values

    def url(self, value: int) -> str:
        """``next_url`` with ``param`` set to ``value``, every other part as the server wrote it."""
        return with_parameter(self.next_url, self.param, value)

    def targets(self) -> Iterator[tuple[str, Via | None]]:
        for value in self.values:
            yield self.url(value), None

    def __len__(self) -> int:
        return len(self.values)

    def __repr__(self) -> str:
        last = self.values.start + (len(self.values) - 1) * self.values.step
        return f"<LinkPlan {redact_url(self.next_url)} {self.param}={self.values.start}..{last}>"


def next_link_url(page: Page) -> str | None:
    """The URL of the page after ``page``: its IANA ``next`` link, if any."""
    # Exact key only: a bare "next" must never resolve to some prefix:next relation.
    link = first_link(page.document, "next", page.url, page.url)
    return None if link is None else link.url()


def plan_pages(first: Page) -> PagePlan | None:
    """The pages after ``first`` as URLs its own templated link gives, or ``None`` to follow ``next``.

    Needs: ``first.via`` a templated link declaring ``page``; the page count from ``total_items``
    and ``per_page``, or the ``last`` link; the template's URL for the next page giving the same
    page as the ``next`` link (and, when there is one, the same last page as ``last``).
    """
    via = first.via
    document = first.document
    if via is None or not is_object(document):
        return None
    link, variables = via
    try:
        if not link.templated or "page" not in link.variables:
            return None
        next_url = next_link_url(first)
        if next_url is None:
            return None
        current = parse_count(document.get("page", variables.get("page", 1)))
        if current is None or current < 1:
            return None
        last = first_link(document, "last", first.url, first.url)
        last_url = last.url() if last is not None else None
        count = page_count(document, last_url)
        if count is None or count <= current:
            return None
        plan = PagePlan(link, dict(variables), range(current + 1, count + 1))
        if not same_page(plan.url(current + 1), next_url):
            return None
        if last_url is not None and not same_page(plan.url(count), last_url):
            return None
    except HALNavError:
        return None
    return plan


def plan_from_links(first: Page, items_on_first: int | None = None) -> tuple[LinkPlan | None, str]:
    """A plan from ``first``'s own ``next`` and ``last`` links (or its counts), and, when there is
    none, why not (else ``""``).

    ``items_on_first``: the items the first page holds, the page size when the document gives
    a total but no size.
    """
    try:
        return _plan_from_links(first, items_on_first)
    except HALNavError as exc:  # a next or last link that is not usable
        return None, f"its links cannot be read ({exc})"


class Pager:
    """Any page of a collection as a URL: ``base`` (a ``next`` link's URL) with the query
    parameter ``param`` set to a value; the walk's first page has ``first``, and each page the
    value of the page before plus ``step`` (1 for page numbers, the page size for offsets)."""

    __slots__ = ("base", "param", "first", "step")

    def __init__(self, base: str, param: str, first: int, step: int) -> None:
        self.base = base
        self.param = param
        self.first = first
        self.step = step

    def url(self, value: int) -> str:
        """The URL of the page whose ``param`` is ``value``."""
        return with_parameter(self.base, self.param, value)

    def value_of(self, url: str | None) -> int | None:
        """The value of ``param`` in ``url`` (``None`` when it has none, or not a number)."""
        if url is None:
            return None
        return parse_count(_query(url).get(self.param))

    def __repr__(self) -> str:
        return f"<Pager {self.base} {self.param}={self.first}, +{self.step} a page>"


def pager_of(page: Page) -> tuple[Pager | None, str]:
    """How to address any page of the collection ``page`` is the first (walked) page of, read
    from its ``next`` (and ``last``) links as :func:`plan_from_links` reads them; else ``None``
    and why not."""
    try:
        found = _paging(page)
    except HALNavError as exc:  # a next or last link that is not usable
        return None, f"its links cannot be read ({exc})"
    if isinstance(found, str):
        return None, found
    pager, _, _ = found
    return pager, ""


def _paging(first: Page) -> tuple[Pager, int, str | None] | str:
    """The parameter that counts ``first``'s pages, as a :class:`Pager`, with the value in its
    ``next`` link and its ``last`` link's URL; or why there is none."""
    next_url = next_link_url(first)
    if next_url is None:
        return "the first page has no next link: there is no later page"
    last = first_link(first.document, "last", first.url, first.url)
    last_url = last.url() if last is not None else None
    next_query = _query(next_url)
    if last_url is not None:
        if not _same_resource(next_url, last_url):
            return f"its next ({next_url}) and last ({last_url}) links lead to other paths"
        last_query = _query(last_url)
        differing = sorted(
            key
            for key in set(next_query) | set(last_query)
            if next_query.get(key) != last_query.get(key)
        )
        if not differing:
            # One page to go: nothing to plan, but the parameter may be known by its name.
            known = [p for p in (*PAGE_PARAMETERS, *OFFSET_PARAMETERS) if p in next_query]
            if not known:
                return "its next link is its last: one page to go, none to fetch ahead"
            differing = known[:1]
        if len(differing) != 1:
            return (
                f"its next ({next_url}) and last ({last_url}) links differ in "
                f"{len(differing)} query parameters ({', '.join(differing) or 'none'}), "
                "not in one that counts pages"
            )
        param = differing[0]
    else:
        known = [p for p in (*PAGE_PARAMETERS, *OFFSET_PARAMETERS) if p in next_query]
        if not known:
            return (
                f"it has no last link, and its next link ({next_url}) has no parameter that "
                f"counts pages ({', '.join((*PAGE_PARAMETERS[:2], *OFFSET_PARAMETERS[:1]))}...)"
            )
        param = known[0]
    following = parse_count(next_query.get(param))
    if following is None:
        return f"its next link's {param}={next_query.get(param)!r} is not a number"
    current = _current_value(first, param)
    if current is None:
        # Page 1 fetched by a URL without the parameter: page 0 or 1 (a page number), offset 0.
        current = 0 if is_offset(param) else following - 1
    step = following - current
    if step <= 0:
        return f"its next link's {param}={following} does not follow this page's {current}"
    return Pager(next_url, param, current, step), following, last_url


def is_offset(param: str) -> bool:
    """Whether ``param`` counts items skipped (an offset) rather than pages."""
    return param in OFFSET_PARAMETERS or "offset" in param.lower()


def _plan_from_links(first: Page, items_on_first: int | None) -> tuple[LinkPlan | None, str]:
    next_url = next_link_url(first)
    last = first_link(first.document, "last", first.url, first.url)
    last_url = last.url() if last is not None else None
    one_to_go = next_url and last_url and _same_resource(next_url, last_url)
    if one_to_go and _query(next_url or "") == _query(last_url or ""):
        return None, "its next link is its last: one page to go, none to fetch ahead"
    found = _paging(first)
    if isinstance(found, str):
        return None, found
    pager, following, last_url = found
    param, current, step = pager.param, pager.first, pager.step
    if last_url is not None:
        final = parse_count(_query(last_url).get(param))
        if final is None:
            return None, f"its last link's {param} is not a number"
    else:
        counted = _final_from_counts(
            first.document, param, is_offset(param), current, step, items_on_first
        )
        if counted is None:
            return None, (
                "it has no last link, and no page count (total_items and per_page, or a "
                "page-metadata object such as page: {number, totalPages}) to know the last page by"
            )
        final = counted
    if final < following:
        return None, f"its last page ({param}={final}) comes before its next ({following})"
    if (final - following) % step:
        return None, f"{param} steps by {step}, which does not reach the last page's {final}"
    return LinkPlan(pager.base, param, range(following, final + 1, step)), ""


def _current_value(first: Page, param: str) -> int | None:
    """This page's value of ``param``: from its ``self`` link, else from its URL."""
    candidates: list[str] = []
    try:
        own = first_link(first.document, "self", first.url, first.url)
        if own is not None and not own.templated:
            candidates.append(own.url())
    except HALNavError:
        pass
    if first.url:
        candidates.append(first.url)
    for url in candidates:
        value = _query(url).get(param)
        if value is not None:
            return parse_count(value)
    return None


def _final_from_counts(
    document: Any, param: str, offset: bool, current: int, step: int, items: int | None
) -> int | None:
    """The last page's value of ``param``, from the counts the document gives."""
    found = declared_counts(document)
    pages, total, size, index = found["pages"], found["total"], found["size"], found["index"]
    if offset:
        if total is None:
            return None
        if total <= current + step:
            return current  # nothing after this page
        return current + ((total - current - 1) // step) * step
    if size is None and items:
        size = items  # a page with a next link is a full page
    if pages is None and total is not None and size:
        pages = max(1, math.ceil(total / size))
    if pages is None:
        return None
    if index is None:  # this page's 0-based position, from the URL's number
        index = current if current == 0 else current - 1
    return current + (pages - 1 - index) * step


class Counts(TypedDict):
    """What a page says of its collection (``None`` where it says nothing)."""

    #: How many pages there are.
    pages: int | None
    #: How many items there are (``total_items``, ``totalElements``, ``_meta.total``...).
    total: int | None
    #: Items per page.
    size: int | None
    #: This page's 0-based position among the pages.
    index: int | None


def declared_counts(document: Any) -> Counts:
    """Total pages, total items, page size and this page's 0-based index, where written: at the
    top of the document, or in a page-metadata object (``page``, ``_meta``, ``meta``,
    ``pagination``, ``paging``)."""
    found: Counts = {"pages": None, "total": None, "size": None, "index": None}
    if not is_object(document):
        return found
    places = [document]
    for key in METADATA_KEYS:
        value = document.get(key)
        if is_object(value):
            places.append(value)
            inner = value.get("page")
            if is_object(inner):
                places.append(inner)
    for place in places:
        if found["pages"] is None:
            found["pages"] = _first_count(place, TOTAL_PAGES)
        if found["total"] is None:
            found["total"] = _first_count(place, TOTAL_ITEMS)
        if found["size"] is None:
            found["size"] = _first_count(place, _PAGE_SIZE)
        if found["index"] is None:
            zero = _first_count(place, _ZERO_BASED_NUMBER)
            one = _first_count(place, _ONE_BASED_NUMBER)
            if zero is not None:
                found["index"] = zero
            elif one is not None and one >= 1:
                found["index"] = one - 1
    return found


def _first_count(place: dict[str, Any], names: tuple[str, ...]) -> int | None:
    for name in names:
        value = place.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return None


def page_count(document: dict[str, Any], last_url: str | None) -> int | None:
    """How many pages a Bootic-like document says there are: ``total_items``/``per_page``, or
    the ``page`` of its ``last`` link."""
    total, per_page = _count_of(document.get("total_items")), _count_of(document.get("per_page"))
    if total is not None and per_page is not None and per_page > 0:
        return max(1, math.ceil(total / per_page))
    if last_url is not None:
        values = [v for k, v in parse_qsl(urlsplit(last_url).query) if k == "page"]
        if len(values) == 1:
            return parse_count(values[0])
    return None


def _count_of(value: object) -> int | None:
    """``value`` when it is a JSON count (a non-negative integer, not a boolean), else ``None``."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def same_page(expanded: str, written: str, param: str = "page") -> bool:
    """Whether the URL a template ``expanded`` to asks for the page a server ``written`` link does.

    Same scheme, host and path; the same ``param``; every parameter of ``expanded`` present in
    ``written`` with the same value (the server may write defaults the template left out).
    """
    if not _same_resource(expanded, written):
        return False
    ours = parse_qsl(urlsplit(expanded).query, keep_blank_values=True)
    theirs = set(parse_qsl(urlsplit(written).query, keep_blank_values=True))
    if not all(pair in theirs for pair in ours):
        return False
    return dict(ours).get(param) == dict(theirs).get(param) is not None


def agrees(planned: str, written: str, param: str, *, needs_param: bool = True) -> bool:
    """Whether a link a page wrote (its ``next``, its ``self``) names the ``planned`` page.

    Same scheme, host and path; the parameters both write have the same values, ``param``
    included. A ``self`` link without ``param`` (Eve's is the collection's own URL) says nothing
    against the plan when ``needs_param`` is false.
    """
    if not _same_resource(planned, written):
        return False
    ours, theirs = _query(planned), _query(written)
    if param not in theirs:
        return not needs_param
    return all(theirs[key] == value for key, value in ours.items() if key in theirs)


def with_parameter(url: str, param: str, value: int) -> str:
    """``url`` with the query parameter ``param`` set to ``value``; the rest as written."""
    parts = urlsplit(url)
    pairs = parts.query.split("&") if parts.query else []
    for index, pair in enumerate(pairs):
        key, sep, _ = pair.partition("=")
        if unquote_plus(key) == param:
            pairs[index] = f"{key}{sep or '='}{value}"
    return urlunsplit(parts._replace(query="&".join(pairs)))


def _query(url: str) -> dict[str, str]:
    """The query parameters of ``url`` (the last value of a repeated one)."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _same_resource(a: str, b: str) -> bool:
    x, y = urlsplit(a), urlsplit(b)
    return (x.scheme.lower(), x.netloc.lower(), x.path) == (
        y.scheme.lower(),
        y.netloc.lower(),
        y.path,
    )
