"""Turning an answer into a :class:`Resource`, or into the :class:`HTTPError` it means."""

from __future__ import annotations

from collections.abc import Sequence

import requests

from ._error_bodies import (
    ErrorBody,
    error_entries,
    read_error_body,
    summarize_body,
    summarize_errors,
)
from ._exceptions import ResourceView, error_class_for
from ._fetcher import Fetcher
from ._link import Via
from ._redact import mask_secrets, redact_message, redact_url
from ._representation import Representation, representation_from_response
from ._resource import Resource
from ._retry import retries_used

__all__ = [
    "error_entries",
    "raise_for_answer",
    "raise_for_status",
    "resource_from_response",
    "retries_note",
    "summarize_errors",
]


def resource_from_response(
    response: requests.Response,
    client: Fetcher | None,
    method: str,
    via: Via | None = None,
) -> Resource:
    """The :class:`Resource` an answer represents; raises :class:`HTTPError` for 4xx/5xx."""
    answer = representation_from_response(response, method)
    raise_for_answer(answer, client, method, response.reason, note=retries_note(response))
    return Resource.from_representation(answer, client=client, via=via)


def raise_for_answer(
    answer: Representation,
    client: Fetcher | None,
    method: str,
    reason: str | None = None,
    *,
    note: str = "",
    secrets: Sequence[str] = (),
) -> None:
    """Raise the :class:`HTTPError` of an error answer (its ``resource`` a view of it, followed
    through ``client``); nothing for success. ``secrets``: the client's own credentials, masked
    wherever the server's text shows them."""
    status = answer.status_code
    if status is None or status < 400:
        return
    resource = Resource.from_representation(answer, client=client)
    raise_for_status(resource, method, reason, note=note, secrets=secrets)


def retries_note(response: requests.Response) -> str:
    """`` after N tries`` when urllib3 retried the request before this answer."""
    retried = retries_used(response)
    return f" after {retried + 1} tries" if retried else ""


def raise_for_status(
    resource: ResourceView,
    method: str,
    reason: str | None = None,
    *,
    note: str = "",
    secrets: Sequence[str] = (),
) -> None:
    """Raise the :class:`HTTPError` subclass for an error status; nothing for success.

    ``note`` follows the request in the message (`` after 9 tries``). The server's words (in
    the message, ``detail`` and ``errors``) are shown with ``secrets`` and anything shaped like
    a credential masked: a server may echo the token it was sent.
    """
    status = resource.status_code
    if status is None or status < 400:
        return
    body = _masked(read_error_body(resource.document), secrets)
    url = redact_url(resource.url or "")
    message = f"{status} {reason or ''}".rstrip() + f" for {method} {url}{note}"
    detail = summarize_body(body)
    if not detail and resource.document is None and resource.content:
        detail = resource.text.strip().replace("\n", " ")[:200]
    if detail:
        # The server's words, as it wrote them, bounded; a credential it echoes, masked.
        detail = mask_secrets(detail if len(detail) <= 1000 else detail[:997] + "...", secrets)
        message += f": {detail}"
    raise error_class_for(status)(
        message,
        status_code=status,
        method=method,
        url=url,
        resource=resource,
        errors=body.errors,
        detail=body.message,
    )


def _masked(body: ErrorBody, secrets: Sequence[str]) -> ErrorBody:
    """``body`` with ``secrets`` and credential-shaped text masked in its words."""

    def mask(text: str) -> str:
        return mask_secrets(redact_message(text), secrets)

    errors = [
        {**entry, "messages": [mask(str(m)) for m in entry.get("messages") or ()]}
        for entry in body.errors
    ]
    message = mask(body.message) if body.message is not None else None
    return body._replace(message=message, errors=errors)
