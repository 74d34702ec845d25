"""The :class:`Representation`: one answer's state (URL, status, headers, body and its JSON).

It is what a fetch gives back and what the cache keeps: data only, no client and no way on. A
:class:`~halnav.Resource` wraps one with the client that follows its links, so the cache and the
walks below the resource never need to know the resource class.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from . import _json
from ._exceptions import InvalidDocument
from ._redact import redact_url

__all__ = [
    "Parsed",
    "Representation",
    "decode",
    "is_json",
    "make_representation",
    "representation_from_response",
]


class Parsed:
    """What the resources made from one answer parsed of it, shared by them all.

    A cached answer is given back to many requests (each 304, each fresh hit); the relations
    one of them parsed need not be parsed again by the next. The maps are built and read by
    :class:`~halnav.Resource`; this holder only keeps them.
    """

    __slots__ = ("links", "embedded", "embedded_client")

    def __init__(self) -> None:
        #: The ``_links`` map (it depends on the document and its URL alone).
        self.links: object = None
        #: The ``_embedded`` map, whose resources follow links through ``embedded_client``.
        self.embedded: object = None
        self.embedded_client: object = None


@dataclass(frozen=True, slots=True, eq=False)
class Representation:
    """One answer, decoded: what a :class:`~halnav.Resource` is a view of.

    ``document`` is the decoded JSON body (``None`` for an empty or non-JSON body); never mutate
    it, it may be shared by every resource made from this answer (a cache hit, a 304).
    """

    url: str | None
    status_code: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict[str, str])
    content: bytes = b""
    content_type: str | None = None
    document: Any = None
    #: The parts resources parsed of this answer (kept with it in a cache).
    parsed: Parsed = field(default_factory=Parsed, repr=False)


def is_json(content_type: str | None) -> bool:
    """Whether a media type is JSON: ``application/json``, ``application/hal+json``, ``*+json``."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def decode(body: bytes, content_type: str | None, url: str, method: str) -> Any:
    """The decoded JSON of a body, or ``None`` when it is empty or not JSON."""
    if not body or not is_json(content_type) or not body.strip():
        return None
    try:
        return _json.loads(body)
    except _json.DecodeError as exc:
        raise InvalidDocument(
            f"{method} {redact_url(url)} answered {content_type} that is not valid JSON: "
            f"{exc.msg} at line {exc.lineno} column {exc.colno} (byte {exc.pos} of {len(body)})",
            url=url,
        ) from None
    except (ValueError, RecursionError) as exc:
        raise InvalidDocument(
            f"{method} {redact_url(url)} answered {content_type} that is not valid JSON: {exc}",
            url=url,
        ) from None


def make_representation(
    body: bytes,
    *,
    url: str,
    status_code: int,
    headers: Mapping[str, str],
    content_type: str | None,
    method: str = "GET",
    lenient: bool = False,
) -> Representation:
    """The :class:`Representation` of an answer's parts, its body decoded by :func:`decode`.

    A JSON body that does not parse raises :class:`InvalidDocument`, or with ``lenient`` (an
    error answer, whose status matters more) gives a representation without a document.
    """
    try:
        document = decode(body, content_type, url, method)
    except InvalidDocument:
        if not lenient:
            raise
        document = None
    return Representation(url, status_code, headers, body, content_type, document)


def representation_from_response(response: requests.Response, method: str) -> Representation:
    """The :class:`Representation` of a :mod:`requests` answer (an error answer's body is read
    leniently: a body that does not parse leaves ``document`` ``None``)."""
    return make_representation(
        response.content or b"",
        url=response.url,
        status_code=response.status_code,
        headers=response.headers,
        content_type=response.headers.get("Content-Type"),
        method=method,
        lenient=response.status_code >= 400,
    )
