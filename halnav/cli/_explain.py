"""``explain(resource)``: a resource's properties, links and embedded relations, and a curl line."""

from __future__ import annotations

import sys
from typing import IO

from .._exceptions import HALNavError
from .._redact import redact_url
from .._resource import Resource
from ._output import describe

__all__ = ["curl_line", "explain"]


def curl_line(resource: Resource) -> str | None:
    """A curl command that fetches ``resource`` again; the token is always ``****``, and so is
    a credential in the URL.

    No ``Authorization`` header at all when the client would not send one to that URL (another
    origin). ``None`` for an embedded resource without a self link.
    """
    url = resource.url
    if url is None:
        return None
    parts = ["curl", "-H", _quote("Accept: application/hal+json")]
    client = resource.client
    if client is not None and client.authenticates(url):
        parts += ["-H", _quote("Authorization: Bearer ****")]
    # A credential in the URL itself (user:password@, ?access_token=) is masked too.
    parts.append(_quote(redact_url(url)))
    return " ".join(parts)


def explain(resource: Resource, file: IO[str] | None = None) -> None:
    """Print what ``resource`` holds and how to fetch it with curl."""
    stream = file if file is not None else sys.stdout
    if not isinstance(resource, Resource):
        print(f"explain() takes a halnav Resource, got {type(resource).__name__}", file=stream)
        return
    try:
        print(describe(resource), file=stream)
    except HALNavError as exc:
        print(f"{resource!r}\n(could not read it all: {exc})", file=stream)
    line = curl_line(resource)
    print(
        f"\ncurl\n  {line}" if line else "\ncurl\n  (embedded resource: it has no URL of its own)",
        file=stream,
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"
