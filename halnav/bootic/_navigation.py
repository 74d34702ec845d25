"""Reaching a relation from a resource that may be a partial (embedded) view of itself, and
expanding the links the live API writes as templates without saying so.

An embedded shop or order may carry fewer links than the full representation; when none of the
relations asked for is there, the full one is fetched through the resource's ``self`` link. The
Bootic layer never builds a URL: every request goes through a link the API gave.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

from .._error_bodies import error_entries
from .._exceptions import HALNavError, LinkNotFound, TemplateError
from .._link import Link, Via
from .._resource import Resource
from .._templates import TemplateValue, parse_template

__all__ = [
    "collection_url",
    "embedded_as",
    "error_entries",
    "expand",
    "find_link",
    "find_optional_link",
    "follow_expanded",
    "link_variables",
    "verb_for",
]

R = TypeVar("R", bound=Resource)


def find_link(resource: Resource, *rels: str) -> tuple[Resource, Link]:
    """The resource holding the first of ``rels`` it links to, and that link.

    When ``resource`` was embedded and has none of them, its ``self`` link is fetched and the
    full representation searched instead. Raises :class:`LinkNotFound` naming what it has.
    """
    holder, found = find_optional_link(resource, *rels)
    if found is not None:
        return holder, found
    names = " or ".join(repr(rel) for rel in rels)
    available = holder.rels
    raise LinkNotFound(
        f"{_describe(holder)} has no {names} link; available: {', '.join(available) or '(none)'}",
        rel=rels[0],
        available=available,
    )


def find_optional_link(resource: Resource, *rels: str) -> tuple[Resource, Link | None]:
    """As :func:`find_link`, but ``None`` for the link when there is none (with the full
    representation, when it was fetched to look)."""
    found = _first_link(resource, rels)
    if found is not None:
        return resource, found
    if resource.status_code is None and _has_self(resource):
        full = resource.refresh()
        return full, _first_link(full, rels)
    return resource, None


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


def link_variables(link: Link) -> tuple[str, ...]:
    """The variables of ``link``'s href: of its template, or, for an href that holds ``{id}``
    without ``templated: true`` (as the live API writes ``btc:order``), of that href read as one.
    """
    if link.templated:
        return link.variables
    if "{" not in link.href:
        return ()
    try:
        return parse_template(link.href).variables
    except TemplateError:
        return ()  # braces that are no template: a plain href after all


def expand(link: Link, variables: Mapping[str, TemplateValue]) -> tuple[str, Link]:
    """The absolute URL of ``link`` with ``variables``, and the link as a template.

    An href with variables but without ``templated: true`` is expanded as the RFC 6570 template
    it is written as (by halnav's template parser, never by string formatting).
    """
    as_template = (
        link if link.templated or not link_variables(link) else replace(link, templated=True)
    )
    return as_template.url(**variables), as_template


def follow_expanded(
    holder: Resource, link: Link, variables: Mapping[str, TemplateValue]
) -> Resource:
    """GET the target of ``holder``'s ``link`` with ``variables``: through the core for a link
    that is templated (or plain), expanded here for an href holding variables without saying so.
    """
    if link.templated or not link_variables(link):
        return holder.follow(link.rel, variables=variables)
    url, as_template = expand(link, variables)
    client = holder.client
    if client is None:
        raise HALNavError(f"{_describe(holder)} was made without a client to follow its links")
    via: Via = (as_template, dict(variables))
    answer = client.fetch("GET", url, via=via)
    return Resource.from_representation(answer, client=client, via=via)


def collection_url(link: Link) -> str:
    """The URL of a collection link without its query: the same for the plain and the templated
    spellings of one collection (its template expanded with nothing)."""
    try:
        url = expand(link, {})[0]
    except HALNavError:  # a required variable: the part before it names the collection
        url = link.href.split("{", 1)[0]
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


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
