"""The request a filled-in form makes: its method, its URL, and its body.

A method without a body (GET, HEAD, DELETE, OPTIONS) sends the values in the query string, which
replace the parameters of the same name the target's own query had (others are kept). A method
with a body sends a JSON object, or a form-encoded body when the form's content type is
``application/x-www-form-urlencoded``; any other (or no) content type means JSON, as HAL-FORMS
asks (a ``+json`` type, such as ``application/merge-patch+json``, is sent as itself).

Several values of one field are repeated pairs in a query or a form body (``status=a&status=b``,
HAL-FORMS and HTML), or one comma-joined value (``status=a,b``) for Bootic ``_actions`` forms,
as Bootic's own URI templates write lists.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ._form_fields import text_of
from ._json import dumps

__all__ = ["BODYLESS_METHODS", "FormRequest", "ListStyle", "encode_request"]

#: Methods whose values go in the query string.
BODYLESS_METHODS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS", "TRACE"})
FORM_ENCODED = "application/x-www-form-urlencoded"
JSON = "application/json"
#: How several values of one field are written in a query or a form body.
ListStyle = Literal["repeat", "comma"]


@dataclass(frozen=True)
class FormRequest:
    """What submitting a form sends: a JSON body (``json``), or bytes (``data``), or neither."""

    method: str
    url: str
    json: Any = None
    data: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict[str, str])


def encode_request(
    method: str,
    url: str,
    content_type: str,
    values: Mapping[str, Any],
    list_style: ListStyle = "repeat",
) -> FormRequest:
    """The request that sends ``values`` (already checked) with ``method`` to ``url``."""
    method = method.upper()
    if method in BODYLESS_METHODS:
        return FormRequest(method, _with_query(url, _pairs(values, list_style)))
    media = content_type.split(";", 1)[0].strip().lower()
    if media == FORM_ENCODED:
        body = urlencode(_pairs(values, list_style), safe=",").encode("ascii")
        return FormRequest(method, url, data=body, headers={"Content-Type": FORM_ENCODED})
    sent_type = content_type if media.endswith("+json") else JSON
    return FormRequest(
        method, url, json=_jsonable(dict(values)), headers={"Content-Type": sent_type}
    )


def _pairs(values: Mapping[str, Any], list_style: ListStyle) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in values.items():
        if isinstance(value, (list, tuple)):
            items = cast("Sequence[Any]", value)
            texts = [_text(item) for item in items if item is not None]
            if list_style == "comma":
                pairs.append((name, ",".join(texts)))
            else:
                pairs += [(name, text) for text in texts]
        elif value is not None:
            pairs.append((name, _text(value)))
    return pairs


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        return dumps(_jsonable(value)).decode("utf-8")  # an object in a query: its JSON
    return text_of(value)


def _with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        return url
    parts = urlsplit(url)
    sent = {name for name, _ in pairs}
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in sent]
    return urlunsplit(parts._replace(query=urlencode([*kept, *pairs], safe=",")))


def _jsonable(value: Any) -> Any:
    """``value`` with dates as ISO 8601 text, ready for the JSON encoder."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        pairs = cast("Mapping[object, Any]", value)
        return {str(key): _jsonable(item) for key, item in pairs.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in cast("Sequence[Any]", value)]
    return value
