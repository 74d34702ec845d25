"""Reading the HAL parts of a decoded document: ``_links`` and ``_embedded``.

Nothing here does HTTP or copies a document. Each relation is parsed when first asked for, and a
part of the wrong type is reported as :class:`InvalidDocument` naming the URL and the JSON
pointer, while the rest of the document stays usable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ._curies import Curies, resolve_rel
from ._exceptions import InvalidDocument
from ._link import Link

if TYPE_CHECKING:
    from ._resource import Resource

__all__ = ["EmbeddedMap", "LinkMap", "escape_pointer", "hal_part", "parse_link"]

_STRING_ATTRIBUTES = ("name", "title", "type", "deprecation", "profile", "hreflang", "method")
V = TypeVar("V")


def escape_pointer(token: str) -> str:
    """Escape one reference token of an RFC 6901 JSON pointer."""
    return token.replace("~", "~0").replace("/", "~1")


def hal_part(document: Any, key: str, url: str | None) -> dict[str, Any]:
    """``document[key]`` (``_links`` or ``_embedded``) checked to be an object; ``{}`` if absent."""
    if not isinstance(document, dict):
        return {}
    part = document.get(key)
    if part is None:
        return {}
    if not isinstance(part, dict):
        raise InvalidDocument(
            f"{_where(url)}: {key} must be a JSON object mapping relations to "
            f"{'links' if key == '_links' else 'resources'}, got {_kind(part)}",
            url=url,
            pointer=f"/{key}",
        )
    return part


def parse_link(raw: Any, rel: str, base: str | None, pointer: str, url: str | None) -> Link:
    """Build a :class:`Link` from one link object, checking the types HAL prescribes."""
    if not isinstance(raw, dict):
        raise InvalidDocument(
            f"{_where(url)}: link {rel!r} at {pointer} must be a JSON object with an href, "
            f"got {_kind(raw)}",
            url=url,
            pointer=pointer,
        )
    href = raw.get("href")
    if not isinstance(href, str):
        problem = "has no href" if href is None else f"has an href that is {_kind(href)}"
        raise InvalidDocument(
            f"{_where(url)}: link {rel!r} at {pointer} {problem} ({pointer}/href); "
            "expected a string URI",
            url=url,
            pointer=f"{pointer}/href",
        )
    templated = raw.get("templated", False)
    if templated is None:
        templated = False
    if not isinstance(templated, bool):
        raise InvalidDocument(
            f"{_where(url)}: link {rel!r} has templated={templated!r} at "
            f"{pointer}/templated; expected true or false",
            url=url,
            pointer=f"{pointer}/templated",
        )
    values: dict[str, str | None] = {}
    for attribute in _STRING_ATTRIBUTES:
        value = raw.get(attribute)
        if value is not None and not isinstance(value, str):
            raise InvalidDocument(
                f"{_where(url)}: link {rel!r} has {attribute} of {_kind(value)} at "
                f"{pointer}/{attribute}; expected a string",
                url=url,
                pointer=f"{pointer}/{attribute}",
            )
        values[attribute] = value
    method = (values.pop("method") or "GET").upper()
    return Link(
        rel=rel, href=href, base=base, templated=templated, method=method, attributes=raw, **values
    )


class _LazyRelMap(Mapping[str, V]):
    """A mapping from relation to parsed values, built per relation on first access.

    Keys iterate as the document writes them; lookups accept any name :func:`resolve_rel`
    understands (compact CURIE, expanded URI, unambiguous bare reference).
    """

    __slots__ = ("_raw", "_parse", "_parsed", "_curies", "_url")

    def __init__(
        self,
        raw: dict[str, Any],
        parse: Callable[[str, Any], V],
        curies: Curies,
        url: str | None,
    ) -> None:
        self._raw = raw
        self._parse = parse
        self._parsed: dict[str, V] = {}
        self._curies = curies
        self._url = url

    def resolve(self, rel: str) -> str:
        """The document's key for ``rel``; raises LinkNotFound naming the ones it has."""
        return resolve_rel(rel, self._raw, self._curies, where=self._url)

    def __getitem__(self, rel: str) -> V:
        key = self.resolve(rel)
        try:
            return self._parsed[key]
        except KeyError:
            value = self._parsed[key] = self._parse(key, self._raw[key])
            return value

    def __contains__(self, rel: object) -> bool:
        if not isinstance(rel, str):
            return False
        try:
            self.resolve(rel)
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {', '.join(self._raw) or '(empty)'}>"


class LinkMap(_LazyRelMap[list[Link]]):
    """``Resource.links``: relation -> list of :class:`Link` (a single link becomes a list of one)."""

    __slots__ = ()

    @classmethod
    def build(
        cls, raw: dict[str, Any], base: str | None, curies: Curies, url: str | None
    ) -> LinkMap:
        def parse(rel: str, value: Any) -> list[Link]:
            pointer = f"/_links/{escape_pointer(rel)}"
            if isinstance(value, list):
                return [
                    parse_link(item, rel, base, f"{pointer}/{i}", url)
                    for i, item in enumerate(value)
                ]
            return [parse_link(value, rel, base, pointer, url)]

        return cls(raw, parse, curies, url)


class EmbeddedMap(_LazyRelMap["Resource | list[Resource]"]):
    """``Resource.embedded``: relation -> one :class:`Resource` or a list, as the document has it."""

    __slots__ = ()

    @classmethod
    def build(
        cls,
        raw: dict[str, Any],
        make: Callable[[Any, str], Resource],
        curies: Curies,
        url: str | None,
    ) -> EmbeddedMap:
        def parse(rel: str, value: Any) -> Resource | list[Resource]:
            pointer = f"/_embedded/{escape_pointer(rel)}"
            if isinstance(value, list):
                return [
                    check_embedded(item, f"{pointer}/{i}", url, make)
                    for i, item in enumerate(value)
                ]
            return check_embedded(value, pointer, url, make)

        return cls(raw, parse, curies, url)


def check_embedded(
    value: Any, pointer: str, url: str | None, make: Callable[[Any, str], Resource]
) -> Resource:
    """Make a resource of one embedded value, which must be a JSON object."""
    if not isinstance(value, dict):
        raise InvalidDocument(
            f"{_where(url)}: embedded resource at {pointer} must be a JSON object, got {_kind(value)}",
            url=url,
            pointer=pointer,
        )
    return make(value, pointer)


def _where(url: str | None) -> str:
    return f"document from {url}" if url else "document"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value!r})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"a string ({shown!r})"
    if isinstance(value, list):
        return f"an array of {len(value)}"
    return "an object"
