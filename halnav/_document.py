"""Reading the HAL parts of a decoded document: ``_links`` and ``_embedded``.

Nothing here does HTTP or copies a document. Each relation is parsed when first asked for, and a
part of the wrong type is reported as :class:`InvalidDocument` naming the URL and the JSON
pointer, while the rest of the document stays usable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

import jsonpointer

from ._curies import Curies, RelationIndex
from ._exceptions import InvalidDocument
from ._json import is_array, is_object
from ._link import Link, UnusableLink

__all__ = [
    "EmbeddedMap",
    "LinkMap",
    "embedded_items",
    "escape_pointer",
    "first_link",
    "hal_part",
    "is_absent_link",
    "link_relations",
    "parse_link",
    "parse_links",
    "raw_part",
    "resolve_pointer",
    "usable_link",
]

_STRING_ATTRIBUTES = ("name", "title", "type", "deprecation", "profile", "hreflang", "method")
V = TypeVar("V")
#: The type of the resources an :class:`EmbeddedMap` makes (halnav's ``Resource``).
T = TypeVar("T")


def escape_pointer(token: str) -> str:
    """Escape one reference token of an RFC 6901 JSON pointer."""
    return token.replace("~", "~0").replace("/", "~1")


def hal_part(document: Any, key: str, url: str | None) -> dict[str, Any]:
    """``document[key]`` (``_links`` or ``_embedded``) checked to be an object; ``{}`` if absent."""
    if not is_object(document):
        return {}
    part = document.get(key)
    if part is None:
        return {}
    if not is_object(part):
        raise InvalidDocument(
            f"{_where(url)}: {key} must be a JSON object mapping relations to "
            f"{'links' if key == '_links' else 'resources'}, got {_kind(part)}",
            url=url,
            pointer=f"/{key}",
        )
    return part


def raw_part(document: Any, key: str) -> dict[str, Any]:
    """``document[key]`` (``_links`` or ``_embedded``) when it is an object, else ``{}``; never raises.

    For reading around a malformed part (listing relations, counting items, previews);
    :func:`hal_part` is the one that reports a part of the wrong type.
    """
    if is_object(document):
        part = document.get(key)
        if is_object(part):
            return part
    return {}


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at the RFC 6901 JSON ``pointer`` in ``document``.

    Raises :class:`LookupError` whose message says where the walk stopped and why, in a few
    words: never a copy of the (possibly huge) document. ``-`` (the end of an array) names no
    value.
    """
    try:
        tokens = jsonpointer.JsonPointer(pointer).parts
    except jsonpointer.JsonPointerException as exc:
        raise LookupError(f"not a JSON pointer ({exc})") from None
    value = document
    for depth, token in enumerate(tokens):
        if is_object(value) and token in value:
            value = value[token]
        elif is_array(value) and _is_array_index(token) and int(token) < len(value):
            value = value[int(token)]
        else:
            raise LookupError(_stopped(value, tokens[:depth], token))
    return value


def _stopped(value: Any, path: list[str], token: str) -> str:
    # Why ``token`` reaches nothing in ``value``, found at ``path``: the kind, never the value.
    at = "".join("/" + escape_pointer(part) for part in path)
    where = f"at {at!r}" if at else "at the root"
    if is_object(value):
        return f"the object {where} has no member {token!r}"
    if is_array(value):
        if token == "-":
            return f"the array {where} ends there: '-' is past its last item, not a value"
        return f"the array {where} ({len(value)} items) has no index {token!r}"
    return f"the value {where} is {_kind(value)}, not an object or array"


def _is_array_index(token: str) -> bool:
    # RFC 6901: "0", or digits without a leading zero ("-", "01", "²" or "+1" are not indexes).
    return token.isascii() and token.isdigit() and (token == "0" or token[0] != "0")


def parse_link(raw: Any, rel: str, base: str | None, pointer: str, url: str | None) -> Link:
    """Build a :class:`Link` from one link object, checking the types HAL prescribes.

    A bare string is read as ``{"href": ...}`` (drf-hal-json writes them). Only a missing or
    non-string ``href`` makes a link unusable: a ``templated`` that is not a boolean is false, and
    a hint (``type``, ``name``, ``title``...) that is not a string is absent.
    """
    if isinstance(raw, str):
        return Link(rel=rel, href=raw, base=base, attributes={"href": raw})
    if not is_object(raw):
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
    templated = raw.get("templated") is True
    values: dict[str, str | None] = {}
    for attribute in _STRING_ATTRIBUTES:
        value = raw.get(attribute)
        values[attribute] = value if isinstance(value, str) else None
    method = (values.pop("method") or "GET").upper()
    return Link(
        rel=rel, href=href, base=base, templated=templated, method=method, attributes=raw, **values
    )


def parse_links(
    value: Any, rel: str, base: str | None, pointer: str, url: str | None
) -> list[Link]:
    """The links of one relation: a link object (or bare href) as a list of one, or an array.

    A link object that is not usable raises :class:`InvalidDocument`; in an array, such a member
    becomes an :class:`UnusableLink` in its place, and only using it raises.
    """
    if not is_array(value):
        return [parse_link(value, rel, base, pointer, url)]
    links: list[Link] = []
    for index, item in enumerate(value):
        try:
            links.append(parse_link(item, rel, base, f"{pointer}/{index}", url))
        except InvalidDocument as exc:
            name = item.get("name") if is_object(item) else None
            links.append(
                UnusableLink(
                    rel=rel,
                    href="",
                    base=base,
                    name=name if isinstance(name, str) else None,
                    problem=exc.message,
                    pointer=exc.pointer,
                    document_url=url,
                )
            )
    return links


def is_absent_link(value: Any) -> bool:
    """Whether a ``_links`` value says the relation is absent: ``null`` or an empty array."""
    return value is None or (is_array(value) and not value)


def link_relations(links: dict[str, Any]) -> list[str]:
    """The relations of a ``_links`` object: ``curies`` (see :class:`Curies`) and relations
    whose value is ``null`` or an empty array left out."""
    return [rel for rel, value in links.items() if rel != "curies" and not is_absent_link(value)]


def first_link(document: Any, rel: str, base: str | None, url: str | None) -> Link | None:
    """The first usable link of the exact relation ``rel`` in ``document``, or ``None`` when absent.

    No CURIE or bare-name matching: for the registered relations a walk reads (``next``,
    ``last``), which must never resolve to some ``prefix:next``. When no member is usable, the
    first one's problem is raised as :class:`InvalidDocument`, as :class:`LinkMap` does.
    """
    raw = raw_part(document, "_links").get(rel)
    if is_absent_link(raw):
        return None
    links = parse_links(raw, rel, base, f"/_links/{escape_pointer(rel)}", url)
    return usable_link(links)


def usable_link(links: list[Link]) -> Link:
    """The first usable link of ``links`` (not empty); raises the first one's problem if none is."""
    for link in links:
        if link.usable:
            return link
    first = links[0]
    raise first.error() if isinstance(first, UnusableLink) else InvalidDocument(repr(first))


class _LazyRelMap(Mapping[str, V]):
    """A mapping from relation to parsed values, built per relation on first access.

    Keys iterate as the document writes them; lookups accept any name :func:`resolve_rel`
    understands (compact CURIE, expanded URI, unambiguous bare reference).
    """

    __slots__ = ("_raw", "_parse", "_parsed", "_curies", "_url", "_keys", "_index")

    def __init__(
        self,
        raw: dict[str, Any],
        parse: Callable[[str, Any], V],
        curies: Curies,
        url: str | None,
        keys: list[str] | None = None,
    ) -> None:
        self._raw = raw
        self._parse = parse
        self._parsed: dict[str, V] = {}
        self._curies = curies
        self._url = url
        #: The relations the map has (every key of ``raw`` unless given).
        self._keys = list(raw) if keys is None else keys
        self._index: RelationIndex | None = None

    def resolve(self, rel: str) -> str:
        """The document's key for ``rel``; raises LinkNotFound naming the ones it has."""
        index = self._index
        if index is None:  # indexed once per document: every later lookup is a dict access
            index = self._index = RelationIndex(self._keys, self._curies)
        return index.resolve(rel, where=self._url)

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
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def _ipython_key_completions_(self) -> list[str]:
        # IPython completes ``resource.links["<TAB>``: the relations, as the document writes them.
        return list(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {', '.join(self._keys) or '(empty)'}>"


class LinkMap(_LazyRelMap[list[Link]]):
    """``Resource.links``: relation -> list of :class:`Link` (a single link becomes a list of one).

    ``curies`` is not a relation here (``Resource.curies`` has them), nor is a relation whose
    value is ``null`` or an empty array: the document does not have it.
    """

    __slots__ = ()

    @classmethod
    def build(
        cls, raw: dict[str, Any], base: str | None, curies: Curies, url: str | None
    ) -> LinkMap:
        def parse(rel: str, value: Any) -> list[Link]:
            return parse_links(value, rel, base, f"/_links/{escape_pointer(rel)}", url)

        return cls(raw, parse, curies, url, link_relations(raw))


class EmbeddedMap(_LazyRelMap["T | list[T]"], Generic[T]):
    """``Resource.embedded``: relation -> one resource or a list, as the document has it.

    Generic in the resource type ``T``, which ``make`` builds from each embedded object.
    """

    __slots__ = ("_make",)

    def __init__(
        self,
        raw: dict[str, Any],
        make: Callable[[dict[str, Any], str], T],
        curies: Curies,
        url: str | None,
    ) -> None:
        def parse(rel: str, value: Any) -> T | list[T]:
            items = embedded_items(raw, rel, url, make)
            return list(items) if is_array(value) else next(items)

        super().__init__(raw, parse, curies, url)
        self._make = make

    @classmethod
    def build(
        cls,
        raw: dict[str, Any],
        make: Callable[[dict[str, Any], str], T],
        curies: Curies,
        url: str | None,
    ) -> EmbeddedMap[T]:
        return cls(raw, make, curies, url)

    def iter_resources(self, key: str) -> Iterator[T]:
        """The resources under the document's own ``key`` (as :meth:`resolve` gives it), made
        one by one as consumed and not kept: a collection page's items, walked."""
        return embedded_items(self._raw, key, self._url, self._make)


def embedded_items(
    raw: dict[str, Any], key: str, url: str | None, make: Callable[[dict[str, Any], str], T]
) -> Iterator[T]:
    """The resources of ``raw[key]`` (one object, or an array of them), each made when reached.

    ``raw`` is an ``_embedded`` object; a value that is not an object raises
    :class:`InvalidDocument` at its pointer when reached.
    """
    value = raw[key]
    pointer = f"/_embedded/{escape_pointer(key)}"
    if is_array(value):
        for index, item in enumerate(value):
            yield check_embedded(item, f"{pointer}/{index}", url, make)
    else:
        yield check_embedded(value, pointer, url, make)


def check_embedded(
    value: Any, pointer: str, url: str | None, make: Callable[[dict[str, Any], str], T]
) -> T:
    """Make a resource of one embedded value, which must be a JSON object."""
    if not is_object(value):
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
    if is_array(value):
        return f"an array of {len(value)}"
    return "an object"
