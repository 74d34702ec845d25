"""Relation names: CURIE expansion and finding the one a user meant.

A user may name a relation by its compact CURIE (``btc:orders``), by the URI the curie expands to
(``https://developers.bootic.net/rels/orders``) or, when only one relation fits, by the bare
reference (``orders``). A registered relation (``next``, ``item``, ``self``...) is only ever
itself: ``next`` never designates some ``acme:next``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ._exceptions import AmbiguousRelation, HALNavError, LinkNotFound
from ._json import is_array, is_object
from ._link import Link, resolve_url
from ._templates import Template, parse_template

__all__ = ["REGISTERED_RELATIONS", "Curies", "RelationIndex", "is_registered", "resolve_rel"]

#: The link relation types registered with IANA ("Link Relations" registry,
#: https://www.iana.org/assignments/link-relations/, as of 2024; RFC 8288 section 2.1.1).
#: Compared case-insensitively, as RFC 8288 says registered relation types are.
_IANA_RELATIONS = """
    about acl alternate amphtml api-catalog appendix apple-touch-icon apple-touch-startup-image
    archives author blocked-by bookmark c2pa-manifest canonical chapter cite-as collection
    compression-dictionary contents convertedfrom copyright create-form current deprecation
    describedby describes disclosure dns-prefetch duplicate edit edit-form edit-media enclosure
    external first geofeed glossary help hosts hub ice-server icon index intervalafter
    intervalbefore intervalcontains intervaldisjoint intervalduring intervalequals
    intervalfinishedby intervalfinishes intervalin intervalmeets intervalmetby
    intervaloverlappedby intervaloverlaps intervalstartedby intervalstarts item last
    latest-version license linkset lrdd manifest mask-icon me media-feed memento micropub
    modulepreload monitor monitor-group next next-archive nofollow noopener noreferrer opener
    openid2.local_id openid2.provider original p3pv1 payment pingback preconnect
    predecessor-version prefetch preload prerender prev prev-archive preview previous
    privacy-policy profile publication related replies restconf ruleinput search section self
    service service-desc service-doc service-meta sip-trunking-group sponsored start status
    stylesheet subsection successor-version sunset tag terms-of-service timegate timemap type ugc
    up version-history via webmention working-copy working-copy-of
"""
REGISTERED_RELATIONS = frozenset(_IANA_RELATIONS.split())

# What a curie's template gives for this reference shows where a reference goes in its URI.
_MARKER = "HALNAVREFERENCE"
# A reference that expands to itself in every RFC 6570 form: its URI is head + reference + tail.
_PLAIN_REFERENCE = re.compile(r"[A-Za-z0-9._~-]+")


def is_registered(rel: str) -> bool:
    """Whether ``rel`` is an IANA-registered relation type (``next``, ``item``...)."""
    return rel.lower() in REGISTERED_RELATIONS


@dataclass(frozen=True)
class _Curie:
    """One prefix: its template, the document URL it is relative to, and its link object."""

    template: Template
    base: str | None
    head: str
    tail: str
    link: Link

    def expand(self, reference: str) -> str:
        if _PLAIN_REFERENCE.fullmatch(reference):
            return self.head + reference + self.tail
        return resolve_url(self.base, self.template.expand({"rel": reference}), what="curie")


class Curies:
    """The prefixes a document declares in ``_links.curies``: prefix -> href template.

    A template may take its ``rel`` in any RFC 6570 form (``{rel}``, ``{/rel}``, ``{#rel}``...),
    and a relative href is resolved against the URL of the document that declares it.
    """

    __slots__ = ("_entries",)

    def __init__(self, templates: Mapping[str, str] | None = None, base: str | None = None) -> None:
        self._entries: dict[str, _Curie] = {}
        for name, href in (templates or {}).items():
            curie = _curie(name, href, base, {"name": name, "href": href, "templated": True})
            if curie is not None:
                self._entries[name] = curie

    @classmethod
    def from_links(cls, raw: object, base: str | None = None) -> Curies:
        """Read ``_links.curies`` of a document at ``base``; entries without a string name and
        an href template declaring ``rel`` are ignored."""
        entries = raw if is_array(raw) else [raw]
        curies = cls()
        for entry in entries:
            if is_object(entry):
                name, href = entry.get("name"), entry.get("href")
                if isinstance(name, str) and isinstance(href, str):
                    curie = _curie(name, href, base, entry)
                    if curie is not None:
                        curies._entries[name] = curie
        return curies

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={curie.link.href}" for name, curie in self._entries.items())
        return f"<Curies {shown or '(none)'}>"

    def merge(self, inner: Curies) -> Curies:
        """These prefixes with ``inner``'s added; ``inner`` wins where both declare one."""
        if not inner:
            return self
        merged = Curies()
        merged._entries = {**self._entries, **inner._entries}
        return merged

    @property
    def prefixes(self) -> tuple[str, ...]:
        """The declared prefixes (``btc``...)."""
        return tuple(self._entries)

    @property
    def links(self) -> tuple[Link, ...]:
        """The curie link objects, one per prefix (``name`` is the prefix)."""
        return tuple(curie.link for curie in self._entries.values())

    def expand(self, rel: str) -> str:
        """The full URI of a compact ``prefix:reference``; other names come back unchanged."""
        prefix, sep, reference = rel.partition(":")
        curie = self._entries.get(prefix) if sep else None
        if curie is None or reference.startswith("//"):
            return rel
        try:
            return curie.expand(reference)
        except HALNavError:  # a reference the template cannot take: the name stays as written
            return rel

    def reference(self, rel: str) -> str | None:
        """The bare reference of a relation written with a known prefix or its expansion."""
        prefix, sep, reference = rel.partition(":")
        if sep and prefix in self._entries and not reference.startswith("//"):
            return reference
        for curie in self._entries.values():
            head, tail = curie.head, curie.tail
            if rel.startswith(head) and rel.endswith(tail) and len(rel) > len(head) + len(tail):
                return rel[len(head) : len(rel) - len(tail)]
        return None


def _curie(name: str, href: str, base: str | None, entry: Mapping[str, object]) -> _Curie | None:
    try:
        template = parse_template(href)
        if "rel" not in template.variables:
            return None
        marked = resolve_url(base, template.expand({"rel": _MARKER}), what="curie")
    except HALNavError:  # malformed, or needing more than rel: not a usable curie
        return None
    head, found, tail = marked.partition(_MARKER)
    if not found:
        return None
    title = entry.get("title")
    link = Link(
        rel="curies",
        href=href,
        base=base,
        templated=True,
        name=name,
        title=title if isinstance(title, str) else None,
        attributes=dict(entry),
    )
    return _Curie(template, base, head, tail, link)


class RelationIndex:
    """The relation keys of one ``_links`` or ``_embedded`` object, indexed once for lookups.

    Every lookup by compact CURIE, expanded URI or bare reference is then a dictionary access:
    asking a document of thousands of relations about each of them costs linear time, not
    quadratic.
    """

    __slots__ = ("_keys", "_exact", "_curies", "_by_uri", "_by_reference", "_by_compact")

    def __init__(self, keys: Iterable[str], curies: Curies) -> None:
        self._keys = list(dict.fromkeys(keys))
        self._exact = set(self._keys)
        self._curies = curies
        self._by_uri: dict[str, list[str]] | None = None
        self._by_reference: dict[str, list[str]] = {}
        self._by_compact: dict[str, list[str]] = {}

    @property
    def keys(self) -> list[str]:
        """The keys, in document order."""
        return self._keys

    def _build(self) -> dict[str, list[str]]:
        # Built on the first lookup that is not an exact key.
        by_uri: dict[str, list[str]] = {}
        curies = self._curies
        for key in self._keys:
            if curies:
                by_uri.setdefault(curies.expand(key), []).append(key)
                reference = curies.reference(key)
                if reference is not None:
                    self._by_reference.setdefault(reference, []).append(key)
            compact = _compact_reference(key)
            if compact is not None:
                self._by_compact.setdefault(compact, []).append(key)
        self._by_uri = by_uri
        return by_uri

    def resolve(self, name: str, *, where: str | None = None) -> str:
        """The key that ``name`` designates; raises :class:`LinkNotFound` (or
        :class:`AmbiguousRelation`) naming the keys there are."""
        if name in self._exact:
            return name
        by_uri = self._by_uri if self._by_uri is not None else self._build()
        matches: list[str] = []
        if self._curies:
            matches = by_uri.get(self._curies.expand(name), [])
        if not matches and ":" not in name and not is_registered(name):
            # A bare reference: keys written with a declared prefix, or, in a document that does
            # not repeat the curies of its API (a shop fetched on its own), any compact name.
            # Never for a registered relation: "next" is not "acme:next".
            matches = self._by_reference.get(name) or self._by_compact.get(name, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise AmbiguousRelation(
                f"relation {name!r} is ambiguous{_at(where)}: it matches "
                f"{', '.join(matches)}; name one of them",
                rel=name,
                candidates=matches,
            )
        shown = [key for key in self._keys if key != "curies"]
        raise LinkNotFound(
            f"no relation {name!r}{_at(where)}; available: {', '.join(shown) or '(none)'}",
            rel=name,
            available=shown,
        )


def resolve_rel(
    name: str, available: Iterable[str], curies: Curies, *, where: str | None = None
) -> str:
    """The key among ``available`` that ``name`` designates; raises :class:`LinkNotFound`.

    For one lookup; a document asked many times keeps a :class:`RelationIndex`.
    """
    return RelationIndex(available, curies).resolve(name, where=where)


def _compact_reference(key: str) -> str | None:
    prefix, sep, reference = key.partition(":")
    if not sep or not prefix or reference.startswith("//"):
        return None
    return reference


def _at(where: str | None) -> str:
    return f" in {where}" if where else ""
