"""Links from RFC 8288 ``Link`` response headers, read as a resource's links after the body's.

``Link: <https://api.example/v1/orders?page=2>; rel="next", </docs>; rel="help describedby"``

The parser follows the grammar of RFC 8288 section 3 and the processing of its appendix B: several
header fields (joined with commas by the HTTP library), several comma-separated links in each,
targets in ``<...>`` (which may hold commas and semicolons), parameters as tokens or quoted strings
(which may hold commas, semicolons and escaped quotes), ``rel`` with several space-separated
relation types, ``anchor``, and ``title*`` in the RFC 8187 ``charset'language'percent-encoded``
form. It reads each character once: a header of any size and shape parses in linear time, and a
malformed link is skipped up to the next comma instead of failing the whole header.

A link's target, and its ``anchor``, resolve against the URL of the answer (RFC 8288 section 3.2).
A link whose ``anchor`` names another resource (or a fragment) states a relation of that other
context, not of this resource: it is not one of the resource's links. Every link of the header,
anchored or not, stays readable through :func:`header_links`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from ._curies import Curies, resolve_rel
from ._document import LinkMap
from ._exceptions import HALNavError
from ._link import Link, resolve_url

__all__ = [
    "HeaderLinkMap",
    "LinkValue",
    "decode_ext_value",
    "header_links",
    "header_rels",
    "link_map_with_headers",
    "parse_link_header",
]

_WHITESPACE = " \t"
#: Parameters of which only the first occurrence counts (RFC 8288 section 3.4.1, appendix B.3).
_FIRST_ONLY = frozenset({"title", "title*", "type", "media", "rel", "anchor"})


@dataclass(frozen=True, slots=True)
class LinkValue:
    """One link-value of a ``Link`` header, as written: its target and its parameters.

    Parameter names are lower case; values are unquoted and unescaped, otherwise as written
    (``title*`` is not decoded here: see :func:`decode_ext_value`).
    """

    target: str
    params: tuple[tuple[str, str], ...] = ()

    def param(self, name: str) -> str | None:
        """The value of the first parameter ``name`` (lower case), or ``None``."""
        for key, value in self.params:
            if key == name:
                return value
        return None


def parse_link_header(text: str) -> list[LinkValue]:
    """Every well-formed link-value of a ``Link`` header field value (or of several joined by
    commas), in order. Never raises; a malformed link-value is skipped up to the next comma."""
    links: list[LinkValue] = []
    end = len(text)
    i = 0
    while i < end:
        i = _skip(text, i, _WHITESPACE + ",")
        if i >= end:
            break
        if text[i] != "<":
            i = _next_element(text, i)
            continue
        close = text.find(">", i + 1)
        if close < 0:
            break  # an unterminated target: nothing after it can be read as a link
        target = text[i + 1 : close].strip(_WHITESPACE)
        params, i, well_formed = _parameters(text, close + 1)
        if well_formed:
            links.append(LinkValue(target, tuple(params)))
        else:
            i = _next_element(text, i)
    return links


def _parameters(text: str, i: int) -> tuple[list[tuple[str, str]], int, bool]:
    """The ``; name=value`` parameters from ``i``: (params, where they end, well formed)."""
    params: list[tuple[str, str]] = []
    end = len(text)
    while True:
        i = _skip(text, i, _WHITESPACE)
        if i >= end or text[i] == ",":
            return params, i, True
        if text[i] != ";":
            return params, i, False
        i = _skip(text, i + 1, _WHITESPACE)
        start = i
        while i < end and text[i] not in "=;, \t":
            i += 1
        name = text[start:i].lower()
        i = _skip(text, i, _WHITESPACE)
        value = ""
        if i < end and text[i] == "=":
            i = _skip(text, i + 1, _WHITESPACE)
            if i < end and text[i] == '"':
                value, i = _quoted_string(text, i)
            else:
                start = i
                while i < end and text[i] not in ";,":
                    i += 1
                # A token; spaces inside one (rel=next prev) are kept, as browsers read them.
                value = text[start:i].rstrip(_WHITESPACE)
        if name:
            params.append((name, value))


def _quoted_string(text: str, i: int) -> tuple[str, int]:
    """The unescaped content of the quoted string at ``i`` (a ``"``), and where it ends."""
    chars: list[str] = []
    end = len(text)
    i += 1
    while i < end:
        char = text[i]
        if char == '"':
            return "".join(chars), i + 1
        if char == "\\" and i + 1 < end:
            i += 1
            char = text[i]
        chars.append(char)
        i += 1
    return "".join(chars), end  # unterminated: the rest of the field


def _skip(text: str, i: int, chars: str) -> int:
    end = len(text)
    while i < end and text[i] in chars:
        i += 1
    return i


def _next_element(text: str, i: int) -> int:
    """Past the next comma that separates link-values (one outside ``<...>`` and quotes)."""
    end = len(text)
    while i < end:
        char = text[i]
        if char == ",":
            return i + 1
        if char == '"':
            _, i = _quoted_string(text, i)
            continue
        if char == "<":
            close = text.find(">", i + 1)
            if close < 0:
                return end
            i = close
        i += 1
    return end


def decode_ext_value(value: str) -> tuple[str, str] | None:
    """An RFC 8187 ``charset'language'percent-encoded`` value as (text, language); ``None`` when
    it is not one (an unknown charset, a missing quote, bytes the charset cannot decode)."""
    charset, sep1, rest = value.partition("'")
    language, sep2, encoded = rest.partition("'")
    if not (sep1 and sep2 and charset):
        return None
    try:
        return unquote_to_bytes(encoded).decode(charset.strip()), language
    except (LookupError, UnicodeDecodeError):
        return None


def header_links(headers: Mapping[str, str], url: str | None) -> list[Link]:
    """Every link of the answer's ``Link`` header, one :class:`Link` per relation type, in
    header order; anchored ones included (their ``attributes['anchor']`` says so)."""
    return [link for link, _context in _links_with_context(headers, url)]


def _links_with_context(headers: Mapping[str, str], url: str | None) -> Iterator[tuple[Link, str]]:
    field = headers.get("Link") if headers else None
    if not field:
        return
    for value in parse_link_header(field):
        yield from _links_of(value, url)


def _links_of(value: LinkValue, url: str | None) -> Iterator[tuple[Link, str]]:
    relations = (value.param("rel") or "").split()
    if not relations:
        return  # only rev (deprecated), or no relation at all: nothing this client can name
    anchor = value.param("anchor")
    try:
        context = resolve_url(url, anchor, what="Link header anchor") if anchor else url or ""
    except HALNavError:
        return
    attributes = _attributes(value)
    title = attributes.get("title")
    kind = attributes.get("type")
    languages: list[str] = attributes.get("hreflang") or []
    for relation in relations:
        rel = relation if ":" in relation else relation.lower()
        link = Link(
            rel=rel,
            href=value.target,
            base=url,
            title=title if isinstance(title, str) else None,
            type=kind if isinstance(kind, str) else None,
            hreflang=languages[0] if languages else None,
            attributes={**attributes, "href": value.target, "rel": rel},
        )
        yield link, context


def _attributes(value: LinkValue) -> dict[str, Any]:
    """The target attributes: first-only parameters once, others as lists when repeated, and
    ``title*`` decoded into ``title`` (RFC 8288 appendix B.3, steps 9 and 10)."""
    attributes: dict[str, Any] = {}
    for name, raw in value.params:
        if name in _FIRST_ONLY:
            attributes.setdefault(name, raw)
        elif name in attributes:
            previous = attributes[name]
            attributes[name] = [*previous, raw] if isinstance(previous, list) else [previous, raw]
        else:
            attributes[name] = [raw] if name == "hreflang" else raw
    starred = attributes.get("title*")
    if isinstance(starred, str):
        decoded = decode_ext_value(starred)
        if decoded is not None:
            attributes["title"], attributes["title_language"] = decoded
    return attributes


def header_rels(headers: Mapping[str, str], url: str | None) -> list[str]:
    """The relations the ``Link`` header gives this resource (anchored links left out)."""
    rels: list[str] = []
    for link, context in _links_with_context(headers, url):
        if context == (url or "") and link.rel not in rels:
            rels.append(link.rel)
    return rels


class HeaderLinkMap(LinkMap):
    """A resource's links: those of its ``_links``, then those of its ``Link`` header.

    The relations of the body come first, in document order, then the header's new ones; a
    relation both have maps to the body's links followed by the header's.
    """

    __slots__ = ("_body", "_body_keys", "_header", "_keys", "_merged")

    def __init__(
        self, body: LinkMap, header: dict[str, list[Link]], curies: Curies, url: str | None
    ) -> None:
        super().__init__({}, _no_parse, curies, url)
        self._body = body
        # Exact keys: a header's "next" must never take the body's "btc:next" by its bare name.
        self._body_keys = frozenset(body)
        self._header = header
        self._keys = list(dict.fromkeys([*body, *header]))
        self._merged: dict[str, list[Link]] = {}

    def resolve(self, rel: str) -> str:
        return resolve_rel(rel, self._keys, self._curies, where=self._url)

    def __getitem__(self, rel: str) -> list[Link]:
        key = self.resolve(rel)
        merged = self._merged.get(key)
        if merged is None:
            body = self._body[key] if key in self._body_keys else []
            merged = self._merged[key] = [*body, *self._header.get(key, ())]
        return merged

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"<LinkMap {', '.join(self._keys) or '(empty)'}>"


def _no_parse(rel: str, value: Any) -> list[Link]:  # pragma: no cover - the body map parses
    raise KeyError(rel)


def link_map_with_headers(
    body: LinkMap, headers: Mapping[str, str], url: str | None, curies: Curies
) -> LinkMap:
    """``body``, or when the answer has a ``Link`` header, the map of both (see
    :class:`HeaderLinkMap`). Links anchored to another context are left out."""
    header: dict[str, list[Link]] = {}
    for link, context in _links_with_context(headers, url):
        if context == (url or ""):
            header.setdefault(link.rel, []).append(link)
    if not header:
        return body
    return HeaderLinkMap(body, header, curies, url)
