"""Walking a paginated collection: pages by ``next``, and the embedded items across them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ._exceptions import LinkNotFound

if TYPE_CHECKING:
    from ._resource import Resource

__all__ = ["iter_items", "iter_pages"]


def next_link_url(page: Resource) -> str | None:
    """The URL of the page after ``page``: its IANA ``next`` link, if any."""
    # Exact key only: a bare "next" must never resolve to some prefix:next relation.
    document = page.document
    links = document.get("_links") if isinstance(document, dict) else None
    if not isinstance(links, dict) or "next" not in links:
        return None
    return page.link("next").url()


def iter_pages(first: Resource, prefetch: int = 0) -> Iterator[Resource]:
    """``first``, then every page reached by following ``next``, each fetched when asked for."""
    page = first
    yield page
    while True:
        url = next_link_url(page)
        if url is None:
            return
        page = page._require_client().get(url)  # noqa: SLF001
        yield page


def iter_items(first: Resource, rel: str = "items", prefetch: int = 0) -> Iterator[Resource]:
    """Every embedded ``rel`` resource of every page, in order, made one by one."""
    pages = iter_pages(first, prefetch=prefetch)
    for number, page in enumerate(pages):
        if number == 0 and not page.has(rel):
            embedded = list(page.embedded)
            if embedded:
                raise LinkNotFound(
                    f"no embedded {rel!r} in {page.url}; embedded: {', '.join(embedded)}",
                    rel=rel,
                    available=embedded,
                )
        if rel in page.embedded:
            yield from page.iter_embedded(rel)
