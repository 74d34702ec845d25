"""Turning an HTTP answer into a :class:`Resource`, or into the :class:`HTTPError` it means."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _json
from ._exceptions import InvalidDocument, error_class_for
from ._transport import redact_url, retries_used

if TYPE_CHECKING:
    from collections.abc import Mapping

    import requests

    from ._client import Client
    from ._link import Link
    from ._resource import Resource

__all__ = ["decode", "is_json", "make_resource", "raise_for_status", "resource_from_response"]


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


def make_resource(
    body: bytes,
    *,
    url: str,
    status_code: int,
    headers: Mapping[str, str],
    content_type: str | None,
    client: Client | None,
    method: str = "GET",
    via: tuple[Link, dict[str, Any]] | None = None,
    lenient: bool = False,
) -> Resource:
    """The :class:`Resource` of an answer's parts, its body decoded by :func:`decode`.

    A JSON body that does not parse raises :class:`InvalidDocument`, or with ``lenient`` (an
    error answer, whose status matters more) gives a resource without a document.
    """
    from ._resource import Resource

    try:
        document = decode(body, content_type, url, method)
    except InvalidDocument:
        if not lenient:
            raise
        document = None
    return Resource(
        document,
        url=url,
        client=client,
        status_code=status_code,
        headers=headers,
        content=body,
        content_type=content_type,
        via=via,
    )


def resource_from_response(
    response: requests.Response,
    client: Client,
    method: str,
    via: tuple[Link, dict[str, Any]] | None = None,
) -> Resource:
    """The :class:`Resource` an answer represents; raises :class:`HTTPError` for 4xx/5xx."""
    error = response.status_code >= 400
    resource = make_resource(
        response.content or b"",
        url=response.url,
        status_code=response.status_code,
        headers=response.headers,
        content_type=response.headers.get("Content-Type"),
        client=client,
        method=method,
        via=None if error else via,
        lenient=error,
    )
    if error:
        raise_for_status(resource, method, response.reason, note=_retries_note(response))
    return resource


def error_entries(document: Any) -> list[dict[str, Any]]:
    """The Bootic ``_embedded.errors`` list (entries with ``field`` and ``messages``)."""
    if not isinstance(document, dict):
        return []
    embedded = document.get("_embedded")
    errors = embedded.get("errors") if isinstance(embedded, dict) else None
    if isinstance(errors, dict):
        errors = [errors]
    if not isinstance(errors, list):
        return []
    return [entry for entry in errors if isinstance(entry, dict)]


def summarize_errors(errors: list[dict[str, Any]]) -> str:
    """``field: message; field: message`` for an exception message."""
    parts = []
    for entry in errors:
        messages = entry.get("messages")
        if isinstance(messages, str):
            messages = [messages]
        text = "; ".join(str(m) for m in messages) if isinstance(messages, list) else ""
        field = entry.get("field")
        parts.append(f"{field}: {text}" if field else text)
    return "; ".join(part for part in parts if part)


def _retries_note(response: requests.Response) -> str:
    """`` after N tries`` when urllib3 retried the request before this answer."""
    retried = retries_used(response)
    return f" after {retried + 1} tries" if retried else ""


def raise_for_status(
    resource: Any, method: str, reason: str | None = None, *, note: str = ""
) -> None:
    """Raise the :class:`HTTPError` subclass for an error status; nothing for success.

    ``note`` follows the request in the message (`` after 9 tries``).
    """
    status = resource.status_code
    if status is None or status < 400:
        return
    errors = error_entries(resource.document)
    url = redact_url(resource.url or "")
    message = f"{status} {reason or ''}".rstrip() + f" for {method} {url}{note}"
    detail = summarize_errors(errors)
    if not detail and resource.document is None and resource.content:
        detail = resource.text.strip().replace("\n", " ")[:200]
    if detail:
        message += f": {detail}"
    raise error_class_for(status)(
        message, status_code=status, method=method, url=url, resource=resource, errors=errors
    )
