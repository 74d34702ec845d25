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
yielded; the error then carries ``page_url`` and ``items_before`` to resume from. A walk given a
deadline gives every page request the same :class:`~halnav.Deadline`, made when the walk starts.
When the walk ends, what it received is checked against what its pages declared
(:mod:`halnav._walk_counts`).

A stable walk (``stable=True``) yields no item twice (by its identity, an item's ``self`` URL),
and when a page declares fewer items in all than the page before, re-reads the pages before it
(by the collection's paging parameter, :class:`~halnav._page_plans.Pager`): the items that
moved back past the walk's position are yielded before that page's, so a loop that removes each
item from the collection as it goes still meets every item once (see :meth:`_Walker.stable`).

The walk knows pages through the small :class:`Page` protocol and fetches through a
:class:`~halnav._fetcher.Fetcher`; the resource that starts a walk says how a page is made of a
fetched :class:`~halnav._representation.Representation`, and what a page yields (itself, or its
items), so this module never imports it.
"""

from __future__ import annotations

import inspect
import logging
import warnings
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import CancelledError, Future
from typing import Generic, TypeVar

from ._deadline import Deadline, DeadlineOption, make_deadline
from ._document import first_link, raw_part
from ._exceptions import (
    DeadlineExceeded,
    DeprecatedLinkWarning,
    Gone,
    HALNavError,
    NotFound,
    TransportError,
)
from ._fetcher import Fetcher
from ._json import is_array, is_object
from ._link import Via
from ._page_plans import (
    Page,
    PagePlan,
    Pager,
    Plan,
    agrees,
    declared_counts,
    next_link_url,
    page_count,
    pager_of,
    parse_count,
    plan_from_links,
    plan_pages,
    same_page,
)
from ._redact import redact_url
from ._representation import Representation
from ._walk_counts import Promise, declared_total

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
#: A page of the walk, the ``_embedded`` key of its items, the items yielded before it, and
#: whether it is a page read again (by a stable walk) rather than the next one.
Step = tuple[P, "str | None", int, bool]


class _Status:
    """How a walk fetches, and what it did: shared by the :class:`Walk` and its walker."""

    __slots__ = ("prefetching", "why_sequential", "yielded", "skipped", "reread", "blind")

    def __init__(self, prefetching: bool, why_sequential: str | None) -> None:
        self.prefetching = prefetching
        self.why_sequential = why_sequential
        #: Items a stable walk yielded (what its errors count as ``items_before``).
        self.yielded = 0
        #: Items a stable walk did not yield again.
        self.skipped = 0
        #: Pages a stable walk read again.
        self.reread = 0
        #: Whether a stable walk saw a shift it could not read again (said once).
        self.blind = False

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
    (:meth:`_Walker.sequential`, or :meth:`_Walker.stable`), check the count the pages declared
    (:class:`~halnav._walk_counts.Promise`), and yield what each page gives (:func:`_yielded`).
    """

    __slots__ = ("prefetch", "plan", "deadline", "stable", "_status", "_items")

    def __init__(
        self,
        first: P,
        client: Callable[[], Fetcher],
        make: PageMaker[P],
        key_of: Callable[[P], str | None],
        each: Each[P, T],
        prefetch: int = 0,
        *,
        deadline: DeadlineOption = None,
        stable: bool = False,
        identity: Callable[[T], str | None] | None = None,
        next_page: Callable[[P], str | None] | None = None,
    ) -> None:
        if prefetch < 0:
            raise ValueError(f"prefetch must be 0 or more, got {prefetch}")
        if stable and identity is None:
            raise ValueError("a stable walk needs the identity of its items")
        #: The window asked for: how many page requests may be in flight at once.
        self.prefetch = prefetch
        #: The walk's own deadline, made when the walk was (``None``: none beyond the client's).
        self.deadline: Deadline | None = make_deadline(deadline)
        #: Whether the walk yields each item once and re-reads what shifted.
        self.stable = stable
        #: The plan the walk fetches ahead by (``None`` when it follows ``next``).
        self.plan: Plan | None = None
        why: str | None = "no prefetch was asked (prefetch=0)"
        if prefetch > 0 and next_page is not None:
            why = "the next page comes from next_page=, which cannot be planned ahead"
        elif prefetch > 0:
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
        pager = pager_of(first)[0] if next_page is None else None
        walker = _Walker(
            self._status,
            client,
            make,
            key_of,
            keep=keep,
            deadline=self.deadline,
            stable=stable,
            next_page=next_page,
            pager=pager,
            size=_page_size(first, key_of(first)) if stable else None,
        )
        # The generators hold the walker, and neither holds this object: no reference cycle
        # keeps a dropped walk's pages in memory until the garbage collector's next pass.
        if self.plan is not None:
            pages = walker.prefetched(first, self.plan, prefetch)
        elif stable and next_page is None:
            pages = walker.stable(first)
        else:
            pages = walker.sequential(first, 0)
        if next_page is None:
            # A next_page of the caller's (keyset pages) makes its own promise: not checked.
            pages = _checked(pages, Promise(first, pager, stable=stable))
        seen = _Seen(identity, self._status) if identity is not None else None
        self._items = _yielded(pages, each, seen)

    @property
    def prefetching(self) -> bool:
        """Whether later pages are fetched ahead (false from the first page that disagrees)."""
        return self._status.prefetching

    @property
    def why_sequential(self) -> str | None:
        """Why the walk follows ``next`` one page at a time (``None`` while it prefetches): no
        prefetch asked, no plan the first page's links allow, or a page that disagreed."""
        return self._status.why_sequential

    @property
    def pages_reread(self) -> int:
        """How many pages a stable walk read again, so far, because its collection shrank."""
        return self._status.reread

    @property
    def items_skipped(self) -> int:
        """How many items a stable walk did not yield again, so far (read before)."""
        return self._status.skipped

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
        stable = ", stable" if self.stable else ""
        return f"<Walk {how}{stable}>"


class _Seen(Generic[T]):
    """The identities of the items a stable walk yielded: an item met again is not yielded."""

    __slots__ = ("_identity", "_seen", "_status", "_warned")

    def __init__(self, identity: Callable[[T], str | None], status: _Status) -> None:
        self._identity = identity
        self._seen: set[str] = set()
        self._status = status
        self._warned = False

    def admit(self, item: T) -> bool:
        """Whether ``item`` is yielded (and counted): met for the first time, or without an
        identity to tell it by."""
        key = self._identity(item)
        if key is None:
            if not self._warned:
                self._warned = True
                logger.warning(
                    "stable walk: an item without a self link cannot be told apart from others; "
                    "such items are yielded as read, and may repeat"
                )
        elif key in self._seen:
            self._status.skipped += 1
            return False
        else:
            self._seen.add(key)
        self._status.yielded += 1
        return True


def _yielded(
    pages: Iterator[Step[P]], each: Each[P, T], seen: _Seen[T] | None
) -> Generator[T, None, None]:
    """What each page gives (once each, with ``seen``); an error a later page's items raise
    names that page."""
    for number, (page, key, items_before, _) in enumerate(pages):
        try:
            if seen is None:
                yield from each(page, key, number)
            else:
                yield from filter(seen.admit, each(page, key, number))
        except HALNavError as exc:
            if number and page.url:
                annotate(exc, page.url, items_before)
            raise


def _checked(pages: Iterator[Step[P]], promise: Promise) -> Iterator[Step[P]]:
    """``pages``, each told to ``promise``; at their end, the promise's verdict."""
    for step in pages:
        page, key, before, reread = step
        if reread:
            promise.read_again(page)
        else:
            promise.observe(page, _count(page, key), key is not None, before)
        yield step
    promise.verdict()


def _plan(first: P, key_of: Callable[[P], str | None]) -> tuple[Plan | None, str]:
    """The plan for the pages after ``first``, or why there is none."""
    plan = plan_pages(first)
    if plan is not None:
        return plan, ""
    return plan_from_links(first, _count(first, key_of(first)) or None)


class _Walker(Generic[P]):
    """One walk's ways: how its pages are fetched, made, checked and counted."""

    __slots__ = (
        "_status",
        "_client",
        "_make",
        "_key_of",
        "_keep",
        "_warned",
        "_deadline",
        "_stable",
        "_next_page",
        "_visited",
        "_pager",
        "_size",
    )

    def __init__(
        self,
        status: _Status,
        client: Callable[[], Fetcher],
        make: PageMaker[P],
        key_of: Callable[[P], str | None],
        *,
        keep: bool,
        deadline: Deadline | None = None,
        stable: bool = False,
        next_page: Callable[[P], str | None] | None = None,
        pager: Pager | None = None,
        size: int | None = None,
    ) -> None:
        #: Told when a page disagrees with the plan; counts what a stable walk did.
        self._status = status
        self._client = client
        self._make = make
        self._key_of = key_of
        #: Whether the cache may keep the walk's pages (see :func:`_cache_holds_walk`).
        self._keep = keep
        self._warned = False
        self._deadline = deadline
        self._stable = stable
        self._next_page = next_page
        #: The URLs a walk by ``next_page`` has read: one given again would loop.
        self._visited: set[str] = set()
        #: How a stable walk addresses the pages it reads again, and how many items a page holds.
        self._pager = pager
        self._size = size

    def next_url(self, page: P, items: int = 0) -> str | None:
        """The URL of the page after ``page``: its ``next`` link (a deprecated one warns, once
        per walk), or what the walk's ``next_page`` gives (``items``: yielded so far)."""
        if self._next_page is not None:
            return self._given_next(self._next_page, page, items)
        link = first_link(page.document, "next", page.url, page.url)
        if link is None:
            return None
        if link.deprecation and not self._warned:
            self._warned = True
            warnings.warn(
                f"the walk follows a deprecated next link ({link.href}): see {link.deprecation}",
                DeprecatedLinkWarning,
                stacklevel=_caller_level(),
            )
        return link.url()

    def _given_next(self, next_page: Callable[[P], str | None], page: P, items: int) -> str | None:
        """What ``next_page`` gives after ``page``; a URL it gave before (or the first page's)
        raises rather than loops."""
        visited = self._visited
        if not visited and page.url:
            visited.add(page.url)
        url = next_page(page)
        if url is None:
            return None
        if url in visited:
            error = HALNavError(
                f"next_page gave {redact_url(url)} after {redact_url(page.url or '(no URL)')}: "
                "a page this walk has read already; following it would loop"
            )
            raise annotate(error, url, self._before(items))
        visited.add(url)
        return url

    def _before(self, items: int) -> int:
        """The items yielded so far: counted by the walk's pages (``items``), or, in a stable
        walk, as yielded (items met again are not)."""
        return self._status.yielded if self._stable else items

    def sequential(self, page: P, items: int) -> Iterator[Step[P]]:
        """``page`` and the pages after it by ``next``; ``items`` were yielded before ``page``.

        Yields each page with its items' ``_embedded`` key and the items before it.
        """
        while True:
            key = self._key_of(page)
            yield page, key, self._before(items), False
            items += _count(page, key)
            url = self.next_url(page, items)
            if url is None:
                return
            page = self._read(url, self._before(items))

    def _read(self, url: str, items: int) -> P:
        """GET a walk's page by its URL; an error names it and the ``items`` before it."""
        fetcher = self._client()
        deadline = self._deadline
        # A stable walk reads what the collection holds now: never a page kept fresh by a
        # cache (a 304 still saves decoding it).
        headers = _NOW if self._stable else None
        try:
            with fetcher.walking(keep=self._keep):
                if deadline is None:
                    answer = fetcher.fetch("GET", url, headers=headers)
                else:
                    answer = fetcher.fetch("GET", url, headers=headers, deadline=deadline)
        except HALNavError as exc:
            self._annotate(exc, url, items)
            raise
        return self._make(answer, None)

    def _annotate(self, exc: HALNavError, url: str, items: int) -> HALNavError:
        """``annotate``, saying so when the walk's own deadline is what ended it."""
        deadline = self._deadline
        why = ""
        if (
            deadline is not None
            and isinstance(exc, DeadlineExceeded)
            and exc.seconds == deadline.seconds
        ):
            why = f" by the walk's deadline ({deadline.seconds:g}s)"
        return annotate(exc, url, items, why)

    def stable(self, first: P) -> Iterator[Step[P]]:
        """``first`` and the pages after it by ``next``, each page read once while the
        collection does not shrink under the walk.

        A page that declares fewer items in all than the page read before it (``total_items``
        went from T to T - d) may have been shifted by up to d items: up to d items the walk
        had not read may now sit before it, in pages it has passed. So the walk goes back far
        enough to hold them and reads forward again up to that page, before yielding any of
        them (:meth:`_catch_up`); each item is yielded once (:class:`_Seen`). Items added
        before the walk's position push later ones on: those read twice are not yielded again.
        """
        key = self._key_of(first)
        yield first, key, self._status.yielded, False
        yield from self.stable_after(first, declared_total(first))

    def stable_after(self, page: P, total: int | None) -> Iterator[Step[P]]:
        """The pages after ``page``, whose collection declared ``total`` items, as
        :meth:`stable` walks them."""
        while True:
            url = self.next_url(page)
            if url is None:
                return
            try:
                page = self._read(url, self._status.yielded)
            except (NotFound, Gone) as exc:
                # The page next named is gone: the collection shrank past it.
                left = self._past_the_end(url, total, exc)
                for earlier in left:
                    yield earlier, self._key_of(earlier), self._status.yielded, True
                if not left:
                    return
                page = left[-1]
                total = declared_total(page)
                continue
            now = declared_total(page)
            again: list[P] = []
            if total is not None and now is not None and now < total:
                again = self._catch_up(page, url, total - now, now)
            if again:
                page = again.pop()  # the same page, read again after the pages before it
                for earlier in again:
                    yield earlier, self._key_of(earlier), self._status.yielded, True
                now = declared_total(page)
            if now is not None:
                total = now
            yield page, self._key_of(page), self._status.yielded, False

    def _past_the_end(self, url: str, total: int | None, exc: HALNavError) -> list[P]:
        """The pages left when the page ``url`` (next after the walk's position) is gone: the
        collection shrank past it (``total``: what it declared before). Its first page, read
        again, says how many items are left; the pages up to its last one are read again from
        far enough back (as :meth:`_catch_up` does), the last one last. Raises ``exc`` when
        the pages cannot be addressed or the count is unknown: the walk cannot be sure."""
        pager, size = self._pager, self._size
        if pager is None or not size:
            raise exc
        first = self._read(pager.url(pager.first), self._status.yielded)
        now = declared_total(first)
        if now is None:
            raise exc
        self._status.reread += 1
        if now == 0:
            return [first]
        last_value = pager.first + (-(-now // size) - 1) * pager.step
        if last_value == pager.first:
            return [first]
        last_url = pager.url(last_value)
        last = self._read(last_url, self._status.yielded)
        self._status.reread += 1
        shrunk = max(1, total - now) if total is not None else now
        return self._catch_up(last, last_url, shrunk, now) or [first, last]

    def _catch_up(self, page: P, url: str, shrunk: int, total: int) -> list[P]:
        """The pages from far enough before ``page`` (read by ``url``, declaring ``total``
        items, ``shrunk`` fewer than the page before) up to it, read again in order, without
        yielding in between, in the collection's order; the last is ``page`` read again. Empty
        when the pages cannot be addressed.

        The reads are a walk forward in their own right: each is compared with the read before
        it, and a further shrinking goes further back (reading forward again from there); a
        growth pushes items on, into pages read later.
        """
        pager, size = self._pager, self._size
        target = pager.value_of(url) if pager is not None else None
        if target is None and pager is not None:
            target = pager.value_of(page.url)
        if pager is None or not size or target is None:
            if not self._status.blind:
                self._status.blind = True
                logger.warning(
                    "stable walk: the collection shrank by %d items before %s, but its pages "
                    "cannot be read again (%s): items that moved before it may be missed",
                    shrunk,
                    redact_url(page.url or url),
                    "no page size" if pager is not None else "no parameter that counts its pages",
                )
            return []

        def back(value: int, items: int) -> int:
            """The value of the page ``items`` before the page of ``value`` (not before the
            walk's first page)."""
            return max(pager.first, value - -(-items // size) * pager.step)

        # Every read is kept, in the order made: its items were there when it was made, and
        # one that later moved back past the pages read after it was read all the same. The
        # reads go forward up to ``page`` itself, read again: an item pushed on into it (an
        # item added before it, as many removed after it: the totals show nothing) is met.
        found: list[tuple[int, P]] = [(target, page)]
        value = back(target, shrunk)
        previous = total  # the total of the read before, in the order the reads are made
        reads = 0
        while value <= target:
            again = self._read(pager.url(value), self._status.yielded)
            reads += 1
            found.append((value, again))
            now = declared_total(again)
            if now is not None and now < previous:
                # It shrank again meanwhile: what moved back may sit before the pages read.
                restart = back(value, previous - now)
                previous = now
                if restart < value:
                    value = restart
                    continue
            if now is not None:
                previous = now
            value += pager.step
        found.sort(key=lambda read: read[0])  # in the collection's order; a page's reads in turn
        self._status.reread += reads
        logger.info(
            "stable walk: the collection shrank by %d items before %s; read %d page%s again",
            shrunk,
            redact_url(page.url or url),
            reads,
            "" if reads == 1 else "s",
        )
        return [read for _, read in found]

    def prefetched(self, first: P, plan: Plan, window: int) -> Iterator[Step[P]]:
        """``first`` and the pages of ``plan``, up to ``window`` of them in flight, each checked:
        the page before must link to it by ``next``, and its own ``self`` must not name another
        page (in a stable walk, nor declare another total than the page before). On a
        disagreement, and after the last planned page (a collection that grew), the walk goes
        on by ``next`` from the last page checked."""
        fetcher = self._client()
        executor = fetcher.prefetch_executor(window)
        targets = plan.targets()
        pending: deque[tuple[str, Via | None, Future[Callable[[], Representation]]]] = deque()
        keep = self._keep
        deadline = self._deadline
        param = plan.param

        def fetch(url: str, via: Via | None) -> Callable[[], Representation]:
            # In a prefetch thread: send, and read the answer. The walk's own thread decodes it.
            with fetcher.walking(keep=keep):
                if deadline is None:
                    return fetcher.exchange("GET", url, via=via)
                return fetcher.exchange("GET", url, via=via, deadline=deadline)

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
            yield first, key, self._before(items), False
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
                    self._annotate(exc, url, self._before(items))
                    raise
                except Exception as exc:  # cancelled (the client was closed), or a bug
                    if future.done() and not future.cancelled() and future.exception() is None:
                        raise  # raised by decoding here, as a sequential walk would raise it
                    raise annotate(_not_fetched(url, exc), url, self._before(items)) from exc
                fetched = self._make(answer, via)
                own = _self_url(fetched)
                if own is not None and not agrees(url, own, param, needs_param=False):
                    # Not the page planned (a collection that shrank: the server clamps to its
                    # last page): not yielded; the page before's next is fetched instead.
                    disagreement = (
                        f"the page fetched as {redact_url(url)} says it is {redact_url(own)}"
                    )
                    break
                if self._stable:
                    was, now = declared_total(page), declared_total(fetched)
                    if was is not None and now is not None and was != now:
                        # The collection changed: this page may be shifted against the one
                        # before. It is read again, one page at a time, where a shift is seen.
                        disagreement = (
                            f"the collection changed during the walk: {redact_url(page.url or '')}"
                            f" declared {was} items and {redact_url(url)} {now}"
                        )
                        break
                page = fetched
                submit()
                key = self._key_of(page)
                yield page, key, self._before(items), False
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
        if self._stable:
            yield from self.stable_after(page, declared_total(page))
        elif after is not None:
            yield from self.sequential(self._read(after, items), items)


#: The request headers of a stable walk's pages: revalidated, never served fresh from a cache.
_NOW = {"Cache-Control": "no-cache"}


def _caller_level() -> int:
    """The ``stacklevel`` of the first frame outside this module (the caller's loop), as seen
    from the function that calls this one: how deep the walk's generators are varies."""
    level = 1
    here = inspect.currentframe()
    frame = here.f_back if here is not None else None
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
        level += 1
    return level


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


def annotate(exc: HALNavError, page_url: str, items_before: int, why: str = "") -> HALNavError:
    """Name the page a walk stopped at, and the items yielded before it, on ``exc`` (``why``:
    what stopped it, when that is worth saying)."""
    if exc.page_url is None:
        exc.page_url = page_url
        exc.items_before = items_before
        exc.message += (
            f" (walk stopped{why} at page {redact_url(page_url)} after {items_before} items;"
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


def _page_size(first: Page, key: str | None) -> int | None:
    """Items per page: declared, else as many as the first page holds when a page follows."""
    size = declared_counts(first.document)["size"]
    if size:
        return size
    if next_link_url(first) is None:
        return None
    return _count(first, key) or None
