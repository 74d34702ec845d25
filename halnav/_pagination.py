"""Walking a paginated collection: pages by ``next`` (or prefetched), and the items across them.

A sequential walk follows ``next`` one page at a time. With ``prefetch=N``, up to N page requests
are kept in flight on the client's thread pool, and pages are still yielded in the order of the
sequential walk. Page URLs come from the hypermedia only (:mod:`halnav._page_plans`): the
templated link the first page was fetched by, else the first page's own ``next`` and ``last``
links (or its counts). Every prefetched page is checked against the plan (its ``self`` and its
``next`` must name the planned pages); on any disagreement the walk goes on by ``next`` from the
last page checked, so nothing is lost or repeated. When no plan can be made, the walk says why
(:attr:`Walk.why_sequential`, and a line on the ``halnav`` logger).

A page that cannot be fetched raises its error at that page, after every earlier item was
yielded; the error then carries ``page_url`` and ``items_before`` to resume from.

The walk knows pages through the small :class:`Page` protocol and fetches through a
:class:`~halnav._fetcher.Fetcher`; the resource that starts a walk says how a page is made of a
fetched :class:`~halnav._representation.Representation`, and what a page yields (itself, or its
items), so this module never imports it.
"""

from __future__ import annotations

import logging
import warnings
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import CancelledError, Future
from typing import Generic, TypeVar

from ._document import first_link, raw_part
from ._exceptions import DeprecatedLinkWarning, HALNavError, TransportError
from ._fetcher import Fetcher
from ._json import is_array, is_object
from ._link import Via
from ._page_plans import (
    Page,
    PagePlan,
    Plan,
    agrees,
    next_link_url,
    page_count,
    parse_count,
    plan_from_links,
    plan_pages,
    same_page,
)
from ._redact import redact_url
from ._representation import Representation

__all__ = [
    "Page",
    "PagePlan",
    "Walk",
    "annotate",
    "next_link_url",
    "parse_count",
    "plan_pages",
    "same_page",
]

logger = logging.getLogger("halnav")

P = TypeVar("P", bound=Page)
#: What a walk yields: pages, or the items of its pages.
T = TypeVar("T")
#: Makes a page of a fetched answer and the link (and variables) it was fetched by.
PageMaker = Callable[[Representation, "Via | None"], P]
#: What one page yields: given the page, the ``_embedded`` key of the walk's relation on it
#: (``None`` when it has none) and the page's position in the walk (0 for the first).
Each = Callable[[P, "str | None", int], Iterable[T]]


class _Status:
    """How a walk fetches, shared by the :class:`Walk` and its walker (which may change it)."""

    __slots__ = ("prefetching", "why_sequential")

    def __init__(self, prefetching: bool, why_sequential: str | None) -> None:
        self.prefetching = prefetching
        self.why_sequential = why_sequential

    def stop(self, reason: str) -> None:
        """The walk stops prefetching: a page disagreed with the plan."""
        self.prefetching = False
        self.why_sequential = reason
        logger.info("walk: prefetch stopped, following next one page at a time: %s", reason)


class Walk(Iterator[T]):
    """A walk over a collection: what :meth:`~halnav.Resource.pages` and
    :meth:`~halnav.Resource.iterate` give, an iterator that also says how it fetches.

    The plan is made when the walk is made (from the first page, which is in hand); pages are
    fetched as the walk is consumed. The steps: make a plan (:func:`_plan`), fetch pages ahead
    along it checking each (:meth:`_Walker.prefetched`) or follow ``next``
    (:meth:`_Walker.sequential`), and yield what each page gives (:func:`_yielded`).
    """

    __slots__ = ("prefetch", "plan", "_status", "_items")

    def __init__(
        self,
        first: P,
        client: Callable[[], Fetcher],
        make: PageMaker[P],
        key_of: Callable[[P], str | None],
        each: Each[P, T],
        prefetch: int = 0,
    ) -> None:
        if prefetch < 0:
            raise ValueError(f"prefetch must be 0 or more, got {prefetch}")
        #: The window asked for: how many page requests may be in flight at once.
        self.prefetch = prefetch
        #: The plan the walk fetches ahead by (``None`` when it follows ``next``).
        self.plan: Plan | None = None
        why: str | None = "no prefetch was asked (prefetch=0)"
        if prefetch > 0:
            self.plan, why = _plan(first, key_of)
            if self.plan is None:
                logger.info(
                    "walk from %s: no prefetch plan, following next one page at a time: %s",
                    redact_url(first.url or "(no URL)"),
                    why,
                )
        self._status = _Status(self.plan is not None, None if self.plan is not None else why)
        count = len(self.plan) + 1 if self.plan is not None else None
        keep = _cache_holds_walk(first, client, count)
        walker = _Walker(self._status, client, make, key_of, keep=keep)
        # The generator holds the walker, and neither holds this object: no reference cycle
        # keeps a dropped walk's pages in memory until the garbage collector's next pass.
        pages = (
            walker.sequential(first, 0)
            if self.plan is None
            else walker.prefetched(first, self.plan, prefetch)
        )
        self._items = _yielded(pages, each)

    @property
    def prefetching(self) -> bool:
        """Whether later pages are fetched ahead (false from the first page that disagrees)."""
        return self._status.prefetching

    @property
    def why_sequential(self) -> str | None:
        """Why the walk follows ``next`` one page at a time (``None`` while it prefetches): no
        prefetch asked, no plan the first page's links allow, or a page that disagreed."""
        return self._status.why_sequential

    def __next__(self) -> T:
        return next(self._items)

    def __iter__(self) -> Walk[T]:
        return self

    def close(self) -> None:
        """Stop the walk: the page requests not yet started are cancelled."""
        self._items.close()

    def __repr__(self) -> str:
        how = (
            f"prefetching {self.prefetch} along {self.plan!r}"
            if self.prefetching
            else f"following next ({self.why_sequential})"
        )
        return f"<Walk {how}>"


def _yielded(
    pages: Iterator[tuple[P, str | None, int]], each: Each[P, T]
) -> Generator[T, None, None]:
    """What each page gives; an error a later page's items raise names that page."""
    for number, (page, key, items_before) in enumerate(pages):
        try:
            yield from each(page, key, number)
        except HALNavError as exc:
            if number and page.url:
                annotate(exc, page.url, items_before)
            raise


def _plan(first: P, key_of: Callable[[P], str | None]) -> tuple[Plan | None, str]:
    """The plan for the pages after ``first``, or why there is none."""
    plan = plan_pages(first)
    if plan is not None:
        return plan, ""
    return plan_from_links(first, _count(first, key_of(first)) or None)


class _Walker(Generic[P]):
    """One walk's ways: how its pages are fetched, made, checked and counted."""

    __slots__ = ("_status", "_client", "_make", "_key_of", "_keep", "_warned")

    def __init__(
        self,
        status: _Status,
        client: Callable[[], Fetcher],
        make: PageMaker[P],
        key_of: Callable[[P], str | None],
        *,
        keep: bool,
    ) -> None:
        #: Told when a page disagrees with the plan.
        self._status = status
        self._client = client
        self._make = make
        self._key_of = key_of
        #: Whether the cache may keep the walk's pages (see :func:`_cache_holds_walk`).
        self._keep = keep
        self._warned = False

    def next_url(self, page: P) -> str | None:
        """The URL of ``page``'s ``next`` link; a deprecated one warns, once per walk."""
        link = first_link(page.document, "next", page.url, page.url)
        if link is None:
            return None
        if link.deprecation and not self._warned:
            self._warned = True
            warnings.warn(
                f"the walk follows a deprecated next link ({link.href}): see {link.deprecation}",
                DeprecatedLinkWarning,
                stacklevel=5,  # next_url, the walk's generators, Walk.__next__: the caller's loop
            )
        return link.url()

    def sequential(self, page: P, items: int) -> Iterator[tuple[P, str | None, int]]:
        """``page`` and the pages after it by ``next``; ``items`` were yielded before ``page``.

        Yields each page with its items' ``_embedded`` key and the items before it.
        """
        while True:
            key = self._key_of(page)
            yield page, key, items
            items += _count(page, key)
            url = self.next_url(page)
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

    def prefetched(self, first: P, plan: Plan, window: int) -> Iterator[tuple[P, str | None, int]]:
        """``first`` and the pages of ``plan``, up to ``window`` of them in flight, each checked:
        the page before must link to it by ``next``, and its own ``self`` must not name another
        page. On a disagreement, and after the last planned page (a collection that grew), the
        walk goes on by ``next`` from the last page checked."""
        fetcher = self._client()
        executor = fetcher.prefetch_executor(window)
        targets = plan.targets()
        pending: deque[tuple[str, Via | None, Future[Callable[[], Representation]]]] = deque()
        keep = self._keep
        param = plan.param

        def fetch(url: str, via: Via | None) -> Callable[[], Representation]:
            # In a prefetch thread: send, and read the answer. The walk's own thread decodes it.
            with fetcher.walking(keep=keep):
                return fetcher.exchange("GET", url, via=via)

        def submit() -> None:
            target = next(targets, None)
            if target is not None:
                url, via = target
                future: Future[Callable[[], Representation]]
                try:
                    future = executor.submit(fetch, url, via)
                except RuntimeError as exc:  # the client was closed: its threads take no more work
                    future = Future()
                    future.set_exception(exc)
                pending.append((url, via, future))

        page = first
        items = 0
        after: str | None = None  # where the walk goes on by next, once the plan is left
        disagreement = ""
        try:
            for _ in range(window):
                submit()
            key = self._key_of(first)
            yield first, key, items
            items += _count(first, key)
            while pending:
                url, via, future = pending[0]
                after = self.next_url(page)
                if after is None or not agrees(url, after, param):
                    disagreement = (
                        f"page {redact_url(page.url or '')} has "
                        + (f"next {redact_url(after)}" if after else "no next link")
                        + f" where the plan has {redact_url(url)}"
                    )
                    break
                pending.popleft()
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
                fetched = self._make(answer, via)
                own = _self_url(fetched)
                if own is not None and not agrees(url, own, param, needs_param=False):
                    # Not the page planned (a collection that shrank: the server clamps to its
                    # last page): not yielded; the page before's next is fetched instead.
                    disagreement = (
                        f"the page fetched as {redact_url(url)} says it is {redact_url(own)}"
                    )
                    break
                page = fetched
                submit()
                key = self._key_of(page)
                yield page, key, items
                items += _count(page, key)
            else:
                # The plan is done: a collection that grew goes on by next from its last page.
                after = self.next_url(page)
        finally:
            # The consumer stopped early, a page failed or disagreed: nothing more is wanted.
            for _, _, future in pending:
                future.cancel()
            pending.clear()
        if disagreement:
            self._status.stop(disagreement)
        if after is not None:
            yield from self.sequential(self._next_page(after, items), items)


def _self_url(page: Page) -> str | None:
    """The URL ``page``'s own (plain) ``self`` link gives, if it has a usable one."""
    try:
        link = first_link(page.document, "self", page.url, page.url)
        return None if link is None or link.templated else link.url()
    except HALNavError:
        return None


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


def _cache_holds_walk(first: Page, client: Callable[[], Fetcher], count: int | None) -> bool:
    """Whether the client's cache can hold every page of the walk (else they are not kept).

    ``count``: the pages a plan knows of; else the first page's ``total_items``/``per_page``.
    """
    document = first.document
    if count is None:
        if not is_object(document):
            return True
        count = page_count(document, None)
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
