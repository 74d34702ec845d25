"""Reaching a relation from a resource that may be a partial (embedded) view of itself.

An embedded shop or order may carry fewer links than the full representation; when none of the
relations asked for is there, the full one is fetched through the resource's ``self`` link. The
Bootic layer never builds a URL: every request goes through a link the API gave.
"""

from __future__ import annotations

from typing import TypeVar

from .._error_bodies import error_entries
from .._exceptions import HALNavError, LinkNotFound
from .._link import Link
from .._resource import Resource

__all__ = ["embedded_as", "error_entries", "find_link", "verb_for"]

R = TypeVar("R", bound=Resource)


def find_link(resource: Resource, *rels: str) -> tuple[Resource, Link]:
    """The resource holding the first of ``rels`` it links to, and that link.

    When ``resource`` was embedded and has none of them, its ``self`` link is fetched and the
    full representation searched instead. Raises :class:`LinkNotFound` naming what it has.
    """
    found = _first_link(resource, rels)
    if found is not None:
        return resource, found
    if resource.status_code is None and _has_self(resource):
        full = resource.refresh()
        found = _first_link(full, rels)
        if found is not None:
            return full, found
        resource = full
    names = " or ".join(repr(rel) for rel in rels)
    available = resource.rels
    raise LinkNotFound(
        f"{_describe(resource)} has no {names} link; available: {', '.join(available) or '(none)'}",
        rel=rels[0],
        available=available,
    )


def embedded_as(resource: Resource, cls: type[R], *rels: str) -> list[R]:
    """The resources embedded under the first of ``rels`` present, as ``cls``; else ``[]``."""
    for rel in rels:
        if rel in resource.embedded:
            return [item.cast(cls) for item in resource.iter_embedded(rel)]
    return []


def verb_for(link: Link, default: str) -> str:
    """The link's own ``method`` when it declares one, else ``default`` (links default to GET)."""
    declared = link.attributes.get("method")
    return link.method if isinstance(declared, str) and declared else default


def _first_link(resource: Resource, rels: tuple[str, ...]) -> Link | None:
    for rel in rels:
        try:
            if rel in resource.links:
                return resource.link(rel)
        except LinkNotFound:
            continue
    return None


def _has_self(resource: Resource) -> bool:
    try:
        return "self" in resource.links
    except HALNavError:
        return False


def _describe(resource: Resource) -> str:
    return f"resource {resource.url}" if resource.url else "resource"
