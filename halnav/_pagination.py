"""Walking a paginated collection: pages by ``next`` (or prefetched), and the items across them.

A sequential walk follows ``next`` one page at a time. With ``prefetch=N``, up to N page requests
are kept in flight on the client's thread pool, and pages are still yielded in the order of the
sequential walk. Page URLs come from the hypermedia only: the templated link the first page was
fetched by, when its template declares ``page`` and the documents say how many pages there are
(a ``last`` link, or ``total_items`` and ``per_page``), and when expanding it gives back the
``next`` link the server wrote. Otherwise the walk follows ``next`` one by one.

A page that cannot be fetched raises its error at that page, after every earlier item was
yielded; the error then carries ``page_url`` and ``items_before`` to resume from.

The walk knows pages through the small :class:`Page` protocol and fetches through a
:class:`~halnav._fetcher.Fetcher`; the resource that starts a walk says how a page is made of a
fetched :class:`~halnav._representation.Representation`, so this module never imports it.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Future
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import parse_qsl, urlsplit

from ._curies import Curies
from ._document import first_link, raw_part
from ._exceptions import HALNavError, TransportError
from ._fetcher import Fetcher
from ._json import is_array, is_object
from ._link import Link, Via
from ._redact import redact_url
from ._representation import Representation

__all__ = [
    "Page",
    "PagePlan",
    "next_link_url",
    "parse_count",
    "plan_pages",
    "same_page",
    "walk",
]


class Page(Protocol):
    """What a walk reads of a page: a :class:`~halnav.Resource` is one."""

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


P = TypeVar("P", bound=Page)
#: Makes a page of a fetched answer and the link (and variables) it was fetched by.
PageMaker = Callable[[Representation, "Via | None"], P]


def next_link_url(page: Page) -> str | None:
    """The URL of the page after ``page``: its IANA ``next`` link, if any."""
    # Exact key only: a bare "next" must never resolve to some prefix:next relation.
    link = first_link(page.document, "next", page.url, page.url)
    return None if link is None else link.url()


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

    def __repr__(self) -> str:
        return f"<PagePlan {self.link.href} pages {self.numbers.start}..{self.numbers.stop - 1}>"


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
        count = _page_count(document, last_url)
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


def same_page(expanded: str, written: str) -> bool:
    """Whether the URL a template ``expanded`` to asks for the page a server ``written`` link does.

    Same scheme, host and path; the same ``page``; every parameter of ``expanded`` present in
    ``written`` with the same value (the server may write defaults the template left out).
    """
    a, b = urlsplit(expanded), urlsplit(written)
    if (a.scheme.lower(), a.netloc.lower(), a.path) != (b.scheme.lower(), b.netloc.lower(), b.path):
        return False
    ours = parse_qsl(a.query, keep_blank_values=True)
    theirs = set(parse_qsl(b.query, keep_blank_values=True))
    if not all(pair in theirs for pair in ours):
        return False
    return dict(ours).get("page") == dict(theirs).get("page") is not None


#: A walk yields each page with the ``_embedded`` key ``rel`` names on it (``None`` when none):
#: the relation is resolved once per page, for counting its items and for iterating them.
Walk = Iterator[tuple[P, "str | None"]]


def walk(
    first: P,
    client: Callable[[], Fetcher],
    make: PageMaker[P],
    key_of: Callable[[P], str | None],
    prefetch: int = 0,
) -> Walk[P]:
    """``first``, then every later page, each with its items' ``_embedded`` key (``key_of``).

    ``client`` gives the fetcher (it raises when there is none; it is asked only when a page
    must be fetched); ``make`` makes a page of each answer. Up to ``prefetch`` pages are fetched
    ahead when :func:`plan_pages` finds a plan.
    """
    if prefetch < 0:
        raise ValueError(f"prefetch must be 0 or more, got {prefetch}")
    plan = plan_pages(first) if prefetch > 0 else None
    walker = _Walker(client, make, key_of, keep=_cache_holds_walk(first, client))
    if plan is None:
        return walker.sequential(first, 0)
    return walker.prefetched(first, plan, prefetch)


class _Walker(Generic[P]):
    """One walk's ways: how its pages are fetched, made and counted."""

    __slots__ = ("_client", "_make", "_key_of", "_keep")

    def __init__(
        self,
        client: Callable[[], Fetcher],
        make: PageMaker[P],
        key_of: Callable[[P], str | None],
        *,
        keep: bool,
    ) -> None:
        self._client = client
        self._make = make
        self._key_of = key_of
        #: Whether the cache may keep the walk's pages (see :func:`_cache_holds_walk`).
        self._keep = keep

    def sequential(self, page: P, items: int) -> Walk[P]:
        """``page`` and the pages after it by ``next``; ``items`` were yielded before ``page``."""
        while True:
            key = self._key_of(page)
            yield page, key
            items += _count(page, key)
            url = next_link_url(page)
            if url is None:
                return
            page = self._next_page(url, items)

    def _next_page(self, url: str, items: int) -> P:
        """GET a walk's page by its ``next`` URL; an error names it and the ``items`` before it."""
        fetcher = self._client()
        try:
            with fetcher.walking(keep=self._keep):
                answer = fetcher.fetch("GET", url)
        except HALNavError as exc:
            annotate(exc, url, items)
            raise
        return self._make(answer, None)

    def prefetched(self, first: P, plan: PagePlan, window: int) -> Walk[P]:
        """``first`` and the pages of ``plan``, up to ``window`` of them in flight, then by
        ``next`` from the last planned page (a collection that grew during the walk)."""
        fetcher = self._client()
        executor = fetcher.prefetch_executor(window)
        numbers = iter(plan.numbers)
        pending: deque[tuple[str, Via, Future[Callable[[], Representation]]]] = deque()
        keep = self._keep

        def fetch(url: str, via: Via) -> Callable[[], Representation]:
            # In a prefetch thread: send, and read the answer. The walk's own thread decodes it.
            with fetcher.walking(keep=keep):
                return fetcher.exchange("GET", url, via=via)

        def submit() -> None:
            number = next(numbers, None)
            if number is not None:
                variables = plan.variables_for(number)
                via: Via = (plan.link, variables)
                url = plan.link.url(**variables)
                future: Future[Callable[[], Representation]]
                try:
                    future = executor.submit(fetch, url, via)
                except RuntimeError as exc:  # the client was closed: its threads take no more work
                    future = Future()
                    future.set_exception(exc)
                pending.append((url, via, future))

        page = first
        try:
            for _ in range(window):
                submit()
            key = self._key_of(first)
            yield first, key
            items = _count(first, key)
            while pending:
                url, via, future = pending.popleft()
                try:
                    # The answer (or the error of its request), read by a prefetch thread; this
                    # thread decodes it (the cache's rules, an HTTPError for a 4xx/5xx).
                    answer = future.result()()
                except HALNavError as exc:
                    annotate(exc, url, items)
                    raise
                except Exception as exc:  # cancelled (the client was closed), or a bug
                    if future.done() and not future.cancelled() and future.exception() is None:
                        raise  # raised by decoding here, as a sequential walk would raise it
                    raise annotate(_not_fetched(url, exc), url, items) from exc
                page = self._make(answer, via)
                submit()
                key = self._key_of(page)
                yield page, key
                items += _count(page, key)
        finally:
            # The consumer stopped early, or a page failed: nothing more is wanted.
            for _, _, future in pending:
                future.cancel()
            pending.clear()
        # A collection that grew during the walk: go on by ``next`` from the last planned page.
        after = next_link_url(page)
        if after is not None:
            yield from self.sequential(self._next_page(after, items), items)


def _not_fetched(url: str, exc: BaseException) -> TransportError:
    """The error for a prefetched page whose request ended in neither an answer nor a HALNavError."""
    shown = redact_url(url)
    if isinstance(exc, CancelledError):
        problem = "was cancelled: the client was closed during the walk"
    elif isinstance(exc, RuntimeError) and "shutdown" in str(exc):
        problem = "was not sent: the client was closed during the walk"
    else:
        problem = f"failed in a prefetch thread: {type(exc).__name__}: {exc}"
    return TransportError(f"GET {shown} {problem}", method="GET", url=shown)


def annotate(exc: HALNavError, page_url: str, items_before: int) -> HALNavError:
    """Name the page a walk stopped at, and the items yielded before it, on ``exc``."""
    if exc.page_url is None:
        exc.page_url = page_url
        exc.items_before = items_before
        exc.message += (
            f" (walk stopped at page {redact_url(page_url)} after {items_before} items;"
            " resume with client.get(page_url).iterate())"
        )
        exc.args = (exc.message,)
    return exc


def _page_count(document: dict[str, Any], last_url: str | None) -> int | None:
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


def _cache_holds_walk(first: Page, client: Callable[[], Fetcher]) -> bool:
    """Whether the client's cache can hold every page of the walk (else they are not kept)."""
    document = first.document
    if not is_object(document):
        return True
    count = _page_count(document, None)
    if count is None:
        return True
    try:
        fetcher = client()
    except HALNavError:  # no client: nothing will be fetched, let alone kept
        return True
    return fetcher.cache_holds(len(first.content), count)


def _count(page: Page, key: str | None) -> int:
    # Items on a page, read from the raw document: no resource is made for counting.
    if key is None:
        return 0
    value = raw_part(page.document, "_embedded").get(key)
    if is_array(value):
        return len(value)
    return 1 if is_object(value) else 0
