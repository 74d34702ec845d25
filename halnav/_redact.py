"""Keeping credentials out of what people read: URLs, headers and free text, masked.

Every message, log line and repr that shows a URL or a server's words goes through here. Nothing in
this module knows where a text is going; it only knows what a credential looks like.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "SECRET_HEADERS",
    "SECRET_PARAMETERS",
    "mask_headers",
    "mask_secrets",
    "redact_message",
    "redact_reason",
    "redact_text",
    "redact_url",
    "secrets_in_url",
]

#: Query parameters whose values are credentials, masked in messages and logs.
SECRET_PARAMETERS = frozenset(
    {"access_token", "token", "client_secret", "password", "secret", "api_key", "apikey"}
)
#: Request headers whose values are credentials.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})

#: A URL inside free text (an exception's message), and the parts of one that are credentials.
_URL_IN_TEXT = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s'\"<>]+")
_USERINFO_IN_TEXT = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s'\"<>]*@")
_SECRET_PARAMETER_IN_TEXT = re.compile(
    r"(?i)([?&;](?:" + "|".join(map(re.escape, sorted(SECRET_PARAMETERS))) + r")=)[^&#;\s'\"<>]*"
)
_SECRET_PATTERNS = (
    # Credentials after an auth scheme, but not the auth-params of a challenge (realm="...").
    re.compile(
        r"(?i)(?P<keep>\b(?:basic|bearer)\s+)(?!(?:realm|error|error_description|scope|charset)=|auth\b)"
        r"[A-Za-z0-9._~+/-]+=*"
    ),
    re.compile(
        # Not inside a longer name: "invalid_token: expired" holds no token.
        r"(?i)(?P<keep>[\"']?(?<![A-Za-z0-9_])(?:access_token|refresh_token|id_token|client_secret)[\"']?"
        r"\s*[:=]\s*[\"']?)[^\"'&,}\s]+"
    ),
)


def redact_url(url: str) -> str:
    """``url`` without any ``user:password@`` part and with credential parameters masked."""
    try:
        parts = urlsplit(url)
        username, password = parts.username, parts.password
    except ValueError:
        return redact_text(url)  # unparseable (``http://[oops/``): mask what looks like one
    netloc = parts.netloc
    if username is not None or password is not None:
        netloc = netloc.rpartition("@")[2]
    query = parts.query
    if query and any(key.lower() in SECRET_PARAMETERS for key, _ in _query_pairs(query)):
        query = urlencode(
            [
                (key, "****" if key.lower() in SECRET_PARAMETERS else value)
                for key, value in _query_pairs(query)
            ],
            safe="*",
        )
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def secrets_in_url(url: str) -> list[str]:
    """The credentials a URL carries: its password, and the values of its credential query
    parameters (at least 4 characters each)."""
    try:
        parts = urlsplit(url)
        found = [parts.password] if parts.password else []
    except ValueError:
        return []
    found += [value for key, value in _query_pairs(parts.query) if key.lower() in SECRET_PARAMETERS]
    return [value for value in found if len(value) >= 4]


def _query_pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


def redact_text(text: str) -> str:
    """``text`` with any ``scheme://user:pw@`` userinfo dropped and secret parameters masked."""
    text = _USERINFO_IN_TEXT.sub(r"\1", text)
    return _SECRET_PARAMETER_IN_TEXT.sub(r"\1****", text)


def redact_message(text: str) -> str:
    """``text`` with every URL in it masked as :func:`redact_url` does (userinfo, credential
    parameters), and any userinfo or credential parameter outside a URL too."""
    if "=" not in text and "@" not in text:
        return text  # nothing that could be a credential: the common case, kept cheap
    return redact_text(_URL_IN_TEXT.sub(lambda match: redact_url(match.group()), text))


def redact_reason(text: str) -> str:
    """An exception's text fit for a message: as :func:`redact_message`, then cut to 300
    characters."""
    text = redact_message(text)
    return text if len(text) <= 300 else text[:297] + "..."


def mask_headers(headers: Mapping[str, str], also: Iterable[str] = ()) -> dict[str, str]:
    """A copy of ``headers`` fit for a log line: credentials (:data:`SECRET_HEADERS`, and the
    header names in ``also``, any case) replaced by ``****``."""
    secret = SECRET_HEADERS.union(name.lower() for name in also) if also else SECRET_HEADERS
    return {key: ("****" if key.lower() in secret else value) for key, value in headers.items()}


def mask_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with bearer/basic credentials, token fields and the given strings as ``****``."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "****")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r"\g<keep>****", text)
    return text
