"""Walking a paginated collection: pages by ``next`` (or prefetched), and the items across them.

A sequential walk follows ``next`` one page at a time. With ``prefetch=N``, up to N page requests
are kept in flight on the client's thread pool, and pages are still yielded in the order of the
sequential walk. Page URLs come from the hypermedia only: the templated link the first page was
fetched by, when its template declares ``page`` and the documents say how many pages there are
(a ``last`` link, or ``total_items`` and ``per_page``), and when expanding it gives back the
``next`` link the server wrote. Otherwise the walk follows ``next`` one by one.

A page that cannot be fetched raises its error at that page, after every earlier item was
yielded; the error then carries ``page_url`` and ``items_before`` to resume from.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Future
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from ._cache import not_stored
from ._document import raw_part
from ._exceptions import HALNavError, LinkNotFound, TransportError
from ._transport import redact_url

if TYPE_CHECKING:
    from ._client import Client
    from ._link import Link
    from ._resource import Resource

__all__ = ["PagePlan", "iter_items", "iter_pages", "next_link_url", "parse_count", "plan_pages"]


def next_link_url(page: Resource) -> str | None:
    """The URL of the page after ``page``: its IANA ``next`` link, if any."""
    # Exact key only: a bare "next" must never resolve to some prefix:next relation.
    if "next" not in raw_part(page.document, "_links"):
        return None
    return page.link("next").url()


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


def plan_pages(first: Resource) -> PagePlan | None:
    """The pages after ``first`` as URLs its own templated link gives, or ``None`` to follow ``next``.

    Needs: ``first.via`` a templated link declaring ``page``; the page count from ``total_items``
    and ``per_page``, or the ``last`` link; the template's URL for the next page giving the same
    page as the ``next`` link (and, when there is one, the same last page as ``last``).
    """
    via = first.via
    document = first.document
    if via is None or not isinstance(document, dict):
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
        last_url = first.link("last").url() if "last" in raw_part(document, "_links") else None
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


def iter_pages(first: Resource, prefetch: int = 0) -> Iterator[Resource]:
    """``first``, then every later page, in order; up to ``prefetch`` fetched ahead."""
    walk = _walk(first, prefetch, "items")
    return (page for page, _key in walk)


def iter_items(first: Resource, rel: str = "items", prefetch: int = 0) -> Iterator[Resource]:
    """Every embedded ``rel`` resource of every page, in order, made one by one."""
    for number, (page, key) in enumerate(_walk(first, prefetch, rel)):
        if key is not None:
            yield from page.embedded.iter_resources(key)
            continue
        embedded = list(page.embedded)  # a malformed _embedded raises InvalidDocument here
        if number == 0 and embedded and not page.has(rel):
            raise LinkNotFound(
                f"no embedded {rel!r} in {page.url}; embedded: {', '.join(embedded)}",
                rel=rel,
                available=embedded,
            )


# A walk yields each page with the _embedded key ``rel`` names on it (None when none): the
# relation is resolved once per page, for counting its items and for iterating them.
_Walk = Iterator["tuple[Resource, str | None]"]


def _walk(first: Resource, prefetch: int, rel: str) -> _Walk:
    if prefetch < 0:
        raise ValueError(f"prefetch must be 0 or more, got {prefetch}")
    plan = plan_pages(first) if prefetch > 0 else None
    keep = _cache_holds_walk(first)
    if plan is None:
        return _sequential(first, rel, 0, keep)
    return _prefetched(first, rel, plan, prefetch, keep)


def _cache_holds_walk(first: Resource) -> bool:
    """Whether the client's cache can hold every page of the walk (else they are not kept)."""
    client = first.client
    cache = client.cache if client is not None else None
    document = first.document
    if cache is None or not isinstance(document, dict):
        return True
    count = _page_count(document, None)
    if count is None:
        return True
    return cache.holds(len(first.content), count)


@contextmanager
def _page_request(client: Client, keep: bool) -> Iterator[None]:
    """Fetching one page of a walk: the walk's retry budget, and the cache's keep rule."""
    with client.walking(), not_stored(not keep):
        yield


def _fetch(
    client: Client, url: str, via: tuple[Link, dict[str, Any]], keep: bool
) -> Callable[[], Resource]:
    # In a prefetch thread: send, and read the answer. The walk's own thread makes the page.
    with _page_request(client, keep):
        return client._exchange("GET", url, via=via)  # noqa: SLF001


def _next_page(client: Client, url: str, items: int, keep: bool) -> Resource:
    """GET a walk's page by its ``next`` URL; an error names it and the ``items`` before it."""
    try:
        with _page_request(client, keep):
            return client.get(url)
    except HALNavError as exc:
        annotate(exc, url, items)
        raise


def _sequential(page: Resource, rel: str, items: int, keep: bool = True) -> _Walk:
    # ``items``: how many were yielded before ``page``.
    while True:
        key = _items_key(page, rel)
        yield page, key
        items += _count(page, key)
        url = next_link_url(page)
        if url is None:
            return
        page = _next_page(page._require_client(), url, items, keep)  # noqa: SLF001


def _prefetched(first: Resource, rel: str, plan: PagePlan, window: int, keep: bool) -> _Walk:
    client = first._require_client()  # noqa: SLF001
    executor = client.prefetch_executor(window)
    numbers = iter(plan.numbers)
    pending: deque[tuple[str, Future[Callable[[], Resource]]]] = deque()

    def submit() -> None:
        number = next(numbers, None)
        if number is not None:
            variables = plan.variables_for(number)
            url = plan.link.url(**variables)
            try:
                future = executor.submit(_fetch, client, url, (plan.link, variables), keep)
            except RuntimeError as exc:  # the client was closed: its threads take no more work
                future = Future()
                future.set_exception(exc)
            pending.append((url, future))

    try:
        for _ in range(window):
            submit()
        key = _items_key(first, rel)
        yield first, key
        items = _count(first, key)
        page = first
        while pending:
            url, future = pending.popleft()
            try:
                # The answer (or the error of its request), read by a prefetch thread; this
                # thread makes the page of it (decoding, the cache, an HTTPError for a 4xx/5xx).
                page = future.result()()
            except HALNavError as exc:
                annotate(exc, url, items)
                raise
            except Exception as exc:  # cancelled (the client was closed), or a bug
                if future.done() and not future.cancelled() and future.exception() is None:
                    raise  # raised by making the page here, as a sequential walk would raise it
                raise annotate(_not_fetched(url, exc), url, items) from exc
            submit()
            key = _items_key(page, rel)
            yield page, key
            items += _count(page, key)
    finally:
        # The consumer stopped early, or a page failed: nothing more is wanted.
        for _, future in pending:
            future.cancel()
        pending.clear()
    # A collection that grew during the walk: go on by ``next`` from the last planned page.
    url = next_link_url(page)
    if url is not None:
        yield from _sequential(_next_page(client, url, items, keep), rel, items, keep)


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
    if getattr(exc, "page_url", None) is None:
        exc.page_url = page_url  # type: ignore[attr-defined]
        exc.items_before = items_before  # type: ignore[attr-defined]
        exc.message += (
            f" (walk stopped at page {redact_url(page_url)} after {items_before} items;"
            " resume with client.get(page_url).iterate())"
        )
        exc.args = (exc.message,)
    return exc


def _page_count(document: dict[str, Any], last_url: str | None) -> int | None:
    total, per_page = document.get("total_items"), document.get("per_page")
    if _is_count(total) and _is_count(per_page) and per_page > 0:
        return max(1, math.ceil(total / per_page))
    if last_url is not None:
        values = [v for k, v in parse_qsl(urlsplit(last_url).query) if k == "page"]
        if len(values) == 1:
            return parse_count(values[0])
    return None


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _items_key(page: Resource, rel: str) -> str | None:
    """The ``_embedded`` key ``rel`` names on ``page``, or ``None`` (none, or no ``_embedded`` object)."""
    if not raw_part(page.document, "_embedded"):
        return None
    try:
        return page.embedded.resolve(rel)
    except KeyError:  # LinkNotFound, AmbiguousRelation
        return None


def _count(page: Resource, key: str | None) -> int:
    # Items on a page, read from the raw document: no resource is made for counting.
    if key is None:
        return 0
    value = raw_part(page.document, "_embedded").get(key)
    if isinstance(value, list):
        return len(value)
    return 1 if isinstance(value, dict) else 0
