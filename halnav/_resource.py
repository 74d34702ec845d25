"""The :class:`Resource`: one fetched (or embedded) HAL representation and the way on from it."""

from __future__ import annotations

import reprlib
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from types import MappingProxyType
from typing import Any, TypeVar, cast

from ._curies import Curies
from ._deadline import DeadlineOption
from ._document import (
    EmbeddedMap,
    LinkMap,
    hal_part,
    is_absent_link,
    link_relations,
    parse_link,
    raw_part,
    resolve_pointer,
    usable_link,
)
from ._exceptions import (
    AmbiguousRelation,
    DeprecatedLinkWarning,
    FormError,
    HALNavError,
    InvalidDocument,
    LinkNotFound,
    PropertyNotFound,
)
from ._fetcher import Fetcher
from ._form_fields import FormValue
from ._forms import Form, describe_forms, form_values, read_forms, submission
from ._json import is_array, is_object
from ._link import Link, UnusableLink, Via, resolve_url
from ._link_headers import header_links, header_rels, link_map_with_headers
from ._pagination import Walk
from ._redact import redact_url
from ._representation import Parsed, Representation
from ._templates import TemplateValue, query_values

__all__ = ["Resource"]

_RESERVED = ("_links", "_embedded")
_FORM_KEYS = ("_templates", "_actions")
_ABSOLUTE = ("https://", "http://")
R = TypeVar("R", bound="Resource")
_MISSING: Any = object()


class Resource:
    """A HAL resource: its properties, its links and its embedded resources.

    A resource is an immutable view of one document. Following a link makes a request through the
    :class:`~halnav.Client` it came from and gives a new resource; the document itself is never
    changed by the library. Links and embedded resources are parsed on first access.
    """

    __slots__ = (
        "_client",
        "_document",
        "_url",
        "_base",
        "_status_code",
        "_headers",
        "_content",
        "_content_type",
        "_curies",
        "_links",
        "_embedded",
        "_parent_curies",
        "_shared",
        "via",
        "_forms",
    )

    def __init__(
        self,
        document: Any = None,
        *,
        url: str | None = None,
        client: Fetcher | None = None,
        base_url: str | None = None,
        status_code: int | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
        curies: Curies | None = None,
        via: Via | None = None,
    ) -> None:
        self._client = client
        self._document = document
        self._url = url
        self._base = base_url or url
        self._status_code = status_code
        self._headers: Mapping[str, str] = headers if headers is not None else {}
        self._content = content
        self._content_type = content_type
        self._parent_curies = curies
        self._curies: Curies | None = None
        self._links: LinkMap | None = None
        self._embedded: EmbeddedMap[Resource] | None = None
        self._shared: Parsed | None = None
        #: The link and variables this resource was fetched by (used to prefetch pages).
        self.via = via
        self._forms: Mapping[str, Form] | None = None

    @classmethod
    def from_representation(
        cls: type[R],
        representation: Representation,
        *,
        client: Fetcher | None = None,
        via: Via | None = None,
    ) -> R:
        """A resource (of this class) viewing a fetched ``representation``, whose links are
        followed through ``client``. Nothing is copied: the document is shared."""
        resource = cls(
            representation.document,
            url=representation.url,
            client=client,
            status_code=representation.status_code,
            headers=representation.headers,
            content=representation.content,
            content_type=representation.content_type,
            via=via,
        )
        # Its URL is its base and it has no enclosing document: the maps it parses are the
        # same for every resource made from this representation, so they are shared.
        resource._shared = representation.parsed
        return resource

    # -- what was loaded -------------------------------------------------------------------

    @property
    def url(self) -> str | None:
        """The absolute URL this resource was loaded from (its self link, when embedded)."""
        return self._url

    @property
    def client(self) -> Fetcher | None:
        """The client that fetched this resource, used to follow its links."""
        return self._client

    @property
    def document(self) -> Any:
        """The decoded JSON body as received (``None`` for a non-JSON or empty body). Do not mutate."""
        return self._document

    @property
    def status_code(self) -> int | None:
        """The HTTP status of the answer (``None`` for an embedded resource)."""
        return self._status_code

    @property
    def headers(self) -> Mapping[str, str]:
        """The answer's headers (case-insensitive); empty for an embedded resource."""
        return self._headers

    @property
    def content_type(self) -> str | None:
        """The answer's ``Content-Type`` header."""
        return self._content_type

    @property
    def content(self) -> bytes:
        """The raw body of the answer."""
        return self._content or b""

    @property
    def text(self) -> str:
        """The body decoded as text (the charset of ``Content-Type``, else UTF-8)."""
        charset = "utf-8"
        for part in (self._content_type or "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    @property
    def location(self) -> str | None:
        """The absolute ``Location`` of the answer (e.g. a created resource), if any.

        Raises :class:`InvalidDocument` naming the header when it is not a URL.
        """
        location = self._headers.get("Location")
        if not location:
            return None
        return resolve_url(self._url, location, what="Location header")

    # -- properties ------------------------------------------------------------------------

    @property
    def properties(self) -> dict[str, Any]:
        """A shallow copy of the resource's state: the document minus ``_links`` and ``_embedded``."""
        document = self._document
        if not is_object(document):
            return {}
        return {key: value for key, value in document.items() if key not in _RESERVED}

    def __getitem__(self, name: str) -> Any:
        document = self._document
        if is_object(document) and name not in _RESERVED and name in document:
            return document[name]
        names = ", ".join(self.properties) or "(none)"
        raise PropertyNotFound(f"no property {name!r} in {self._describe()}; properties: {names}")

    def get(self, name: str, default: Any = None) -> Any:
        """The property ``name``, or ``default`` when the document has none."""
        document = self._document
        if is_object(document) and name not in _RESERVED:
            return document.get(name, default)
        return default

    def __contains__(self, name: object) -> bool:
        document = self._document
        return is_object(document) and name not in _RESERVED and name in document

    def keys(self) -> list[str]:
        """The property names."""
        return list(self.properties)

    def pointer(self, pointer: str, default: Any = _MISSING) -> Any:
        """The value at an RFC 6901 JSON pointer into the document, e.g. ``/payment_info/type``.

        Without ``default``, a pointer that reaches nothing (``/items/-``, the end of an array,
        included) raises :class:`PropertyNotFound` saying where it stopped.
        """
        try:
            return resolve_pointer(self._document, pointer)
        except LookupError as exc:
            if default is not _MISSING:
                return default
            raise PropertyNotFound(
                f"no value at pointer {pointer!r} in {self._describe()}: {exc}"
            ) from None

    # -- links and embedded ----------------------------------------------------------------

    @property
    def curies(self) -> Curies:
        """The CURIE prefixes in scope: this document's, then those of the documents around it."""
        if self._curies is None:
            raw = raw_part(self._document, "_links").get("curies")
            own = Curies.from_links(raw, base=self._base)
            parent = self._parent_curies
            self._curies = parent.merge(own) if parent else own
        return self._curies

    @property
    def links(self) -> LinkMap:
        """Relation -> list of :class:`Link`; lookups accept CURIEs, URIs and bare names."""
        links = self._links
        if links is None:
            shared = self._shared
            if shared is not None and isinstance(shared.links, LinkMap):
                links = shared.links
            else:
                raw = hal_part(self._document, "_links", self._url)
                links = LinkMap.build(raw, self._base, self.curies, self._url)
                # Then those of the answer's Link header (RFC 8288), after the body's.
                links = link_map_with_headers(links, self._headers, self._url, self.curies)
                if shared is not None:
                    shared.links = links
            self._links = links
        return links

    @property
    def embedded(self) -> EmbeddedMap[Resource]:
        """Relation -> :class:`Resource` or list of them, as the document shapes it."""
        embedded = self._embedded
        if embedded is None:
            shared = self._shared
            # Embedded resources follow links through their client: shared with the same only.
            if shared is not None and shared.embedded_client is self._client:
                embedded = cast("EmbeddedMap[Resource] | None", shared.embedded)
            if embedded is None:
                raw = hal_part(self._document, "_embedded", self._url)
                embedded = EmbeddedMap[Resource].build(
                    raw, self._embedded_maker(), self.curies, self._url
                )
                if shared is not None:
                    shared.embedded, shared.embedded_client = embedded, self._client
            self._embedded = embedded
        return embedded

    @property
    def rels(self) -> list[str]:
        """Every relation in ``_links`` and ``_embedded`` (``curies`` excluded), in document order,
        then those only the answer's ``Link`` header has."""
        rels = link_relations(raw_part(self._document, "_links"))
        rels += [rel for rel in raw_part(self._document, "_embedded") if rel not in rels]
        if self._headers.get("Link"):
            rels += [rel for rel in header_rels(self._headers, self._url) if rel not in rels]
        return rels

    @property
    def header_links(self) -> list[Link]:
        """Every link of the answer's RFC 8288 ``Link`` header, in order, one per relation type.

        Those whose ``anchor`` names this resource (or that have none) are also in
        :attr:`links`, after the body's; those anchored elsewhere (another resource, a
        fragment) speak of that context, so they are only here (``attributes['anchor']``).
        """
        return header_links(self._headers, self._url)

    # -- forms -----------------------------------------------------------------------------

    @property
    def forms(self) -> Mapping[str, Form]:
        """Name -> :class:`Form`: the HAL-FORMS ``_templates`` and the Bootic ``_actions``.

        Raises :class:`InvalidDocument` for a ``_templates``/``_actions`` of the wrong shape.
        """
        forms = self._forms
        if forms is None:
            forms = self._forms = MappingProxyType(
                read_forms(self._document, url=self._url, base=self._base, fetcher=self._client)
            )
        return forms

    def form(self, name: str = "default") -> Form:
        """The form ``name`` (HAL-FORMS calls its main one ``default``).

        Raises :class:`FormError` naming the forms the resource has.
        """
        forms = self.forms
        if name in forms:
            return forms[name]
        names = ", ".join(forms) or "(none)"
        raise FormError(
            f"no form {name!r} in {self._describe()}; forms: {names}",
            form=name,
            rule="unknown_form",
            available=forms,
        )

    def submit(
        self,
        name: str = "default",
        /,
        *,
        values: Mapping[str, FormValue] | None = None,
        variables: Mapping[str, TemplateValue] | None = None,
        headers: Mapping[str, str] | None = None,
        **fields: FormValue,
    ) -> Resource:
        """Fill in the form ``name`` with ``fields`` and send it; the answer as a resource.

        The values are checked first, as :meth:`Form.validate` does (nothing is sent when one
        is refused: :class:`FormError` names each field and rule). Fields not given are sent
        with their default ``value``; ``None`` leaves one out. GET (and the other methods
        without a body) sends them in the query string; the others a JSON body, or a
        form-encoded one when the form's content type says so. ``values={...}`` takes fields
        whose names collide with this method's own; ``variables`` fill a templated target;
        ``headers`` are sent with the request. Error answers raise as :meth:`follow` does.
        """
        form = self.form(name)
        request = submission(form, form_values(values, fields), variables)
        client = self._require_client()
        sent = {**request.headers, **(headers or {})}
        answer = client.fetch(
            request.method, request.url, json=request.json, data=request.data, headers=sent
        )
        return Resource.from_representation(answer, client=client)

    def has(self, rel: str) -> bool:
        """Whether the document has a link or an embedded resource for ``rel``."""
        try:
            return rel in self.links or rel in self.embedded
        except InvalidDocument:
            return False

    def link(self, rel: str, name: str | None = None, *, title: str | None = None) -> Link:
        """The link for ``rel`` (the first usable one when several); ``name`` or ``title`` picks
        one of a link array.

        Raises :class:`LinkNotFound` naming the relations (or names, or titles) the document
        does have; :class:`InvalidDocument` when the link picked is not a usable link object.
        """
        links = self.links[rel]
        for attribute, wanted in (("name", name), ("title", title)):
            if wanted is None:
                continue
            for link in links:
                if getattr(link, attribute) == wanted:
                    return usable_link([link])  # raises the problem of an unusable one
            found = [value for link in links if (value := getattr(link, attribute)) is not None]
            label = "names" if attribute == "name" else "titles"
            raise LinkNotFound(
                f"no link {rel!r} with {attribute} {wanted!r} in {self._describe()}; "
                f"{label}: {', '.join(map(repr, found)) or '(none)'}",
                rel=rel,
                available=found,
            )
        if not links:
            raise LinkNotFound(f"relation {rel!r} has no links in {self._describe()}", rel=rel)
        return usable_link(links)

    def follow(
        self,
        rel: str,
        /,
        name: str | None = None,
        *,
        variables: Mapping[str, TemplateValue] | None = None,
        params: Mapping[str, TemplateValue] | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: TemplateValue,
    ) -> Resource:
        """GET the target of ``rel``: the embedded resource when the document has one (and
        nothing else is asked), else a request through the link, its template expanded.

        Template variables are keyword arguments (``follow("btc:shop", id=1)``), or
        ``variables={...}`` for names that are not Python identifiers or that collide with
        this method's own (``name``, ``headers``...). ``params`` adds query parameters to the
        URL (for a plain link that takes a query); ``headers`` are sent with the request.
        """
        given = _variables(variables, kwargs)
        fetch = name is not None or given or params is not None or headers is not None
        if not fetch and rel in self.embedded:
            embedded = self.embedded[rel]
            if isinstance(embedded, Resource) or embedded:
                _warn_if_deprecated_rel(self, rel)
            if isinstance(embedded, Resource):
                return embedded
            if embedded:
                return embedded[0]
        try:
            link = self.link(rel, name)
        except AmbiguousRelation:
            raise
        except LinkNotFound as exc:
            # follow() also takes embedded relations: name those too, not only the links.
            embedded_rels = list(raw_part(self._document, "_embedded"))
            if name is not None or not embedded_rels:
                raise
            raise LinkNotFound(
                f"{exc.message}; embedded: {', '.join(embedded_rels)}",
                rel=rel,
                available=(*exc.available, *embedded_rels),
            ) from None
        _warn_if_deprecated(link)
        return self._request(
            "GET", link.url(**given), params=params, headers=headers, via=(link, given)
        )

    def invoke(
        self,
        rel: str,
        /,
        json: Any = None,
        method: str | None = None,
        name: str | None = None,
        *,
        variables: Mapping[str, TemplateValue] | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: TemplateValue,
    ) -> Resource:
        """Request the target of ``rel`` with the link's own ``method`` (else ``method``, else GET),
        sending ``json`` as a JSON body; template variables and ``headers`` as for :meth:`follow`."""
        given = _variables(variables, kwargs)
        link = self.link(rel, name)
        _warn_if_deprecated(link)
        verb = (method or link.method).upper()
        return self._request(verb, link.url(**given), json=json, headers=headers, via=(link, given))

    def refresh(self: R) -> R:
        """Fetch this resource again from its self link (or ``Location``, or ``url``), as an
        instance of the same class (an ``Order`` stays an ``Order``)."""
        target = None
        try:
            if "self" in self.links:
                target = self.link("self").url()
        except HALNavError:
            target = None
        target = target or self.location or self._url
        if target is None:
            raise LinkNotFound(
                f"{self._describe()} has no self link or URL to fetch again", rel="self"
            )
        return self._request("GET", target).cast(type(self))

    # -- collections -----------------------------------------------------------------------

    def pages(self, prefetch: int = 0, *, deadline: DeadlineOption = None) -> Iterator[Resource]:
        """This page, then every later page, in order, fetched as consumed.

        ``prefetch=N`` keeps up to N page requests in flight (on the client's thread pool) when
        the later pages' URLs can be planned: from the templated link this page was reached by,
        or from this page's own ``next`` and ``last`` links (or its counts: ``total_items`` and
        ``per_page``, a page-metadata object); each page fetched ahead is checked against the
        plan. Otherwise ``next`` is followed one page at a time, and the walk says why
        (``why_sequential``). A page that fails raises after every earlier page was yielded,
        with ``page_url`` and ``items_before`` set on the error.

        ``deadline`` (seconds, or a :class:`~halnav.Deadline`) bounds the whole walk, from this
        call on: every page request shares it (with the client's per-request deadline, whichever
        ends first), and the page it ends raises :class:`~halnav.DeadlineExceeded`.

        When the walk ends with fewer (or more) items or pages than every page declared
        (``total_items``, a page-metadata count, the ``last`` link), it raises
        :class:`~halnav.WalkCountMismatch`; a count that changed during the walk is logged.

        The iterator is a :class:`~halnav.Walk` (``prefetching``, ``why_sequential``).
        """
        return self._walk("items", prefetch, _the_page, deadline=deadline)

    def iterate(
        self,
        rel: str = "items",
        prefetch: int = 0,
        *,
        deadline: DeadlineOption = None,
        stable: bool = False,
        next_page: Callable[[Resource], str | None] | None = None,
    ) -> Walk[Resource]:
        """Every embedded ``rel`` resource across all pages, made one by one as consumed.

        ``prefetch=N`` fetches up to N pages ahead, as :meth:`pages` does; the order is the same.
        A page without ``rel`` embedded raises :class:`LinkNotFound` naming those it has (a
        last page with nothing embedded ends the walk). ``deadline`` bounds the whole walk, and
        the counts are checked at its end, as for :meth:`pages`.

        ``stable=True`` walks a collection that changes under the walk, such as a loop that
        closes each pending order it meets: no item is yielded twice (an item is its ``self``
        URL; items without one are yielded as read), and when a page declares fewer items in
        all than the page before (``total_items``...), the pages before it are read again and
        the items that moved back are yielded before its own. What it cannot see is in the
        README ("Stable walks"). It prefetches while the pages it reads agree.

        ``next_page`` (a function of a page, giving the next page's URL or ``None``) replaces
        the ``next`` link: keyset pagination, where the next query is made of the last item
        read. Such a walk is sequential, its counts are not checked, and a URL given twice
        raises instead of looping; with ``stable=True`` it yields each item once.
        """
        return self._walk(
            rel,
            prefetch,
            partial(_items_of, rel=rel),
            deadline=deadline,
            stable=stable,
            next_page=next_page,
        )

    def iter_embedded(self, rel: str) -> Iterator[Resource]:
        """The embedded resources of ``rel`` on this page alone, made one by one."""
        embedded = self.embedded
        yield from embedded.iter_resources(embedded.resolve(rel))

    def cast(self, cls: type[R]) -> R:
        """The same representation as an instance of ``cls``, a subclass of :class:`Resource`.

        Lets API-specific layers (``halnav.bootic``'s ``Shop``, ``Order``) add methods without
        fetching or copying anything.
        """
        if not (isinstance(cls, type) and issubclass(cls, Resource)):
            raise TypeError(f"cast() needs a subclass of Resource, got {cls!r}")
        if isinstance(self, cls) and type(self) is cls:
            return self
        other = cls.__new__(cls)
        for slot in Resource.__slots__:
            object.__setattr__(other, slot, getattr(self, slot))
        return other

    # -- internals -------------------------------------------------------------------------

    def _walk(
        self,
        rel: str,
        prefetch: int,
        each: Callable[[Resource, str | None, int], Iterable[Resource]],
        *,
        deadline: DeadlineOption = None,
        stable: bool = False,
        next_page: Callable[[Resource], str | None] | None = None,
    ) -> Walk[Resource]:
        """This page and the later ones, each giving ``each`` of it (the page, or its items)."""
        return Walk(
            self,
            self._require_client,
            self._page_maker(),
            _items_key(rel),
            each,
            prefetch,
            deadline=deadline,
            stable=stable,
            identity=_identity if stable else None,
            next_page=next_page,
        )

    def _page_maker(self) -> Callable[[Representation, Via | None], Resource]:
        # Pages are plain resources (a layer casts them), fetched through this one's client.
        return partial(_make_page, client=self._client)

    def _request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, TemplateValue] | None = None,
        headers: Mapping[str, str] | None = None,
        via: Via | None = None,
    ) -> Resource:
        """Send through the client; the answer as a resource of the same client."""
        client = self._require_client()
        query = query_values(params) if params else None
        answer = client.fetch(method, url, json=json, params=query, headers=headers, via=via)
        return Resource.from_representation(answer, client=client, via=via)

    def _embedded_maker(self) -> Callable[[dict[str, Any], str], Resource]:
        # Holds what embedded resources need, not the resource itself: a bound method kept in
        # the resource's own EmbeddedMap would make a reference cycle, and every page walked
        # would then stay in memory until the garbage collector's next full pass.
        return partial(
            _make_embedded,
            client=self._client,
            base=self._base,
            url=self._url,
            curies=self.curies,
        )

    def _require_client(self) -> Fetcher:
        if self._client is None:
            raise HALNavError(
                f"{self._describe()} was made without a client; load it with halnav.Client to follow links"
            )
        return self._client

    def _describe(self) -> str:
        return f"resource {redact_url(self._url)}" if self._url else "resource"

    # -- REPL ------------------------------------------------------------------------------

    def _ipython_key_completions_(self) -> list[str]:
        return self.keys()

    def __repr__(self) -> str:
        parts = [redact_url(self._url) if self._url else "(embedded)"]
        if self._status_code is not None and self._status_code not in (200,):
            parts.append(f"[{self._status_code}]")
        if self._document is None and self._content:
            parts.append(f"{self._content_type or 'unknown type'}, {len(self._content)} bytes")
        shown = 0
        for key, value in self.properties.items():
            if shown == 4:
                parts.append("...")
                break
            if isinstance(value, (str, int, float, bool)) or value is None:
                parts.append(f"{key}={_short(value)}")
                shown += 1
        rels = self.rels
        if rels:
            more = f", +{len(rels) - 8}" if len(rels) > 8 else ""
            parts.append(f"rels: {', '.join(rels[:8])}{more}")
        return f"<{type(self).__name__} {' '.join(parts)}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        if cycle:
            printer.text(f"<{type(self).__name__} ...>")
            return
        printer.text(self.describe())

    def describe(self) -> str:
        """A multi-line, human summary: URL, properties, links and embedded relations."""
        lines = [f"{type(self).__name__} {redact_url(self._url) if self._url else '(embedded)'}"]
        if self._status_code is not None:
            lines[0] += f"  [{self._status_code}]"
        # Forms are listed as forms below, not as properties.
        properties = {k: v for k, v in self.properties.items() if k not in _FORM_KEYS}
        if properties:
            width = min(max(len(key) for key in properties), 24)
            lines.append("properties:")
            lines += [f"  {key:<{width}}  {_short(value, 60)}" for key, value in properties.items()]
        elif self._document is None and self._content:
            lines.append(
                f"body: {self._content_type or 'unknown type'}, {len(self._content)} bytes"
            )
        try:
            links = self.links
            if links:
                lines.append("links:")
                for rel in links:
                    if rel == "curies":
                        continue
                    try:
                        for link in links[rel]:
                            if isinstance(link, UnusableLink):
                                lines.append(f"  {rel}  (unusable: {link.problem})")
                                continue
                            flags = " (templated)" if link.templated else ""
                            title = f"  {link.title}" if link.title else ""
                            name = f"[{link.name}]" if link.name else ""
                            href = redact_url(link.href)
                            lines.append(f"  {rel}{name}  {link.method} {href}{flags}{title}")
                    except InvalidDocument as exc:
                        lines.append(f"  {rel}  (invalid: {exc})")
        except InvalidDocument as exc:
            lines.append(f"links: invalid ({exc})")
        try:
            forms = self.forms
            if forms:
                lines += ["forms:", *describe_forms(forms)]
        except InvalidDocument as exc:
            lines.append(f"forms: invalid ({exc})")
        embedded = raw_part(self._document, "_embedded")
        if embedded:
            lines.append("embedded:")
            for rel, value in embedded.items():
                if is_array(value):
                    count = f"{len(value)} item" + ("" if len(value) == 1 else "s")
                else:
                    count = "1 resource"
                lines.append(f"  {rel}  ({count})")
        return "\n".join(lines)


def _variables(
    variables: Mapping[str, TemplateValue] | None, kwargs: dict[str, TemplateValue]
) -> dict[str, TemplateValue]:
    """The template variables given as ``variables={...}`` and as keyword arguments."""
    if not variables:
        return kwargs
    twice = sorted(set(variables) & set(kwargs))
    if twice:
        raise TypeError(f"template variable {', '.join(map(repr, twice))} given twice")
    return {**variables, **kwargs}


def _the_page(page: Resource, key: str | None, number: int) -> Iterable[Resource]:
    return (page,)


def _items_of(page: Resource, key: str | None, number: int, rel: str) -> Iterable[Resource]:
    """The ``rel`` resources embedded in ``page`` (``key`` is their ``_embedded`` key)."""
    if key is not None:
        return page.embedded.iter_resources(key)
    embedded = list(page.embedded)  # a malformed _embedded raises InvalidDocument here
    if not embedded and is_absent_link(raw_part(page.document, "_links").get("next")):
        return ()  # an empty collection, or an empty last page: nothing to walk
    try:
        page.embedded.resolve(rel)  # raises AmbiguousRelation when that is why
    except AmbiguousRelation:
        raise
    except LinkNotFound:
        pass
    raise LinkNotFound(
        f"no embedded {rel!r} in {page.url or 'the page'}; embedded: "
        f"{', '.join(embedded) or '(none)'}",
        rel=rel,
        available=embedded,
    )


def _identity(item: Resource) -> str | None:
    """What tells an item of a stable walk apart: its ``self`` URL."""
    return item.url


def _make_page(answer: Representation, via: Via | None, client: Fetcher | None) -> Resource:
    return Resource.from_representation(answer, client=client, via=via)


def _items_key(rel: str) -> Callable[[Resource], str | None]:
    def key_of(page: Resource) -> str | None:
        """The ``_embedded`` key ``rel`` names on ``page``, or ``None`` (none, or no
        ``_embedded`` object)."""
        if not raw_part(page.document, "_embedded"):
            return None
        try:
            return page.embedded.resolve(rel)
        except KeyError:  # LinkNotFound, AmbiguousRelation
            return None

    return key_of


def _make_embedded(
    document: dict[str, Any],
    pointer: str,
    client: Fetcher | None,
    base: str | None,
    url: str | None,
    curies: Curies,
) -> Resource:
    """An embedded resource; its URL is its self link, resolved against the enclosing document."""
    own_url = None
    raw_self = raw_part(document, "_links").get("self")
    if is_array(raw_self):
        raw_self = raw_self[0] if raw_self else None
    if isinstance(raw_self, str):  # a bare href (drf-hal-json)
        raw_self = {"href": raw_self}
    if is_object(raw_self):
        href = raw_self.get("href")
        if len(raw_self) == 1 and type(href) is str and href.startswith(_ABSOLUTE):
            # The common case (a collection's items): an absolute href alone, used as is.
            own_url = href
        else:
            try:
                link = parse_link(raw_self, "self", base, f"{pointer}/_links/self", url)
                own_url = None if link.templated else link.url()
            except HALNavError:
                own_url = None
    # Relative hrefs inside an embedded resource resolve against the enclosing document.
    return Resource(document, url=own_url, client=client, base_url=base, curies=curies)


def _short(value: Any, limit: int = 30) -> str:
    if isinstance(value, str):
        value = value[:limit]  # cut below anyway: no need to repr a megabyte
    # A bounded repr for containers: a deeply nested or huge value is not walked whole.
    text = _PREVIEW.repr(value) if isinstance(value, (dict, list, tuple)) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_PREVIEW = reprlib.Repr()
_PREVIEW.maxlevel = 3
_PREVIEW.maxstring = _PREVIEW.maxother = 60


def _warn_if_deprecated_rel(resource: Resource, rel: str) -> None:
    """Warn when ``rel``'s link is deprecated, though the resource is served from ``_embedded``."""
    try:
        links = resource.links.get(rel, [])
    except InvalidDocument:
        return
    for link in links:
        if link.deprecation:
            warnings.warn(
                f"relation {rel!r} ({link.href}) is deprecated: see {link.deprecation}",
                DeprecatedLinkWarning,
                stacklevel=3,
            )
            return


def _warn_if_deprecated(link: Link) -> None:
    if link.deprecation:
        warnings.warn(
            f"link {link.rel!r} ({link.href}) is deprecated: see {link.deprecation}",
            DeprecatedLinkWarning,
            stacklevel=3,
        )
