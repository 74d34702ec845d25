"""Relation names: CURIE expansion and finding the one a user meant.

A user may name a relation by its compact CURIE (``btc:orders``), by the URI the curie expands to
(``https://developers.bootic.net/rels/orders``) or, when only one relation fits, by the bare
reference (``orders``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ._exceptions import AmbiguousRelation, LinkNotFound
from ._json import is_array, is_object

__all__ = ["Curies", "resolve_rel"]


class Curies:
    """The prefixes a document declares in ``_links.curies``: prefix -> href template."""

    __slots__ = ("_templates",)

    def __init__(self, templates: Mapping[str, str] | None = None) -> None:
        self._templates = dict(templates or {})

    @classmethod
    def from_links(cls, raw: object) -> Curies:
        """Read ``_links.curies``; entries without a string name and href are ignored."""
        entries = raw if is_array(raw) else [raw]
        templates: dict[str, str] = {}
        for entry in entries:
            if is_object(entry):
                name, href = entry.get("name"), entry.get("href")
                if isinstance(name, str) and isinstance(href, str) and "{rel}" in href:
                    templates[name] = href
        return cls(templates)

    def __bool__(self) -> bool:
        return bool(self._templates)

    def merge(self, inner: Curies) -> Curies:
        """These prefixes with ``inner``'s added; ``inner`` wins where both declare one."""
        if not inner:
            return self
        return Curies({**self._templates, **inner._templates})

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(self._templates)

    def expand(self, rel: str) -> str:
        """The full URI of a compact ``prefix:reference``; other names come back unchanged."""
        prefix, sep, reference = rel.partition(":")
        template = self._templates.get(prefix) if sep else None
        if template is None or reference.startswith("//"):
            return rel
        return template.replace("{rel}", reference)

    def reference(self, rel: str) -> str | None:
        """The bare reference of a relation written with a known prefix or its expansion."""
        prefix, sep, reference = rel.partition(":")
        if sep and prefix in self._templates:
            return reference
        for template in self._templates.values():
            head, _, tail = template.partition("{rel}")
            if rel.startswith(head) and rel.endswith(tail) and len(rel) > len(head) + len(tail):
                return rel[len(head) : len(rel) - len(tail)] if tail else rel[len(head) :]
        return None


def resolve_rel(
    name: str, available: Iterable[str], curies: Curies, *, where: str | None = None
) -> str:
    """The key among ``available`` that ``name`` designates; raises :class:`LinkNotFound`."""
    keys = list(dict.fromkeys(available))
    if name in keys:
        return name
    matches: list[str] = []
    if curies:
        expanded = curies.expand(name)
        matches = [key for key in keys if curies.expand(key) == expanded]
    if not matches and ":" not in name:
        # A bare reference: keys written with a declared prefix, or, in a document that does
        # not repeat the curies of its API (a shop fetched on its own), any compact name.
        matches = [key for key in keys if curies.reference(key) == name]
        if not matches:
            matches = [key for key in keys if _compact_reference(key) == name]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise AmbiguousRelation(
            f"relation {name!r} is ambiguous{_at(where)}: it matches "
            f"{', '.join(matches)}; name one of them",
            rel=name,
            candidates=matches,
        )
    shown = [key for key in keys if key != "curies"]
    raise LinkNotFound(
        f"no relation {name!r}{_at(where)}; available: {', '.join(shown) or '(none)'}",
        rel=name,
        available=shown,
    )


def _compact_reference(key: str) -> str | None:
    prefix, sep, reference = key.partition(":")
    if not sep or not prefix or reference.startswith("//"):
        return None
    return reference


def _at(where: str | None) -> str:
    return f" in {where}" if where else ""
