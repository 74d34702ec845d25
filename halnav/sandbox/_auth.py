"""Who is calling: the ready-made users, tokens and client, bearer-token checks, and OAuth2 grants.

Tokens live in the ``tokens`` table (ready-made ones are seeded; issued ones are added by the token
endpoint with an expiry). A request's token resolves to a :class:`Grant`; the shop endpoints then
require the ``admin`` scope and ownership of the shop. The token endpoint grants
``client_credentials`` (for the ready-made client's user) and ``password`` (for a ready-made user,
the client authenticating too), the client's credentials sent by HTTP Basic or in the form.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass

from ._accounts import (
    CLIENT_DEFAULT_SCOPE,
    GRANT_TYPES,
)
from ._db import Database
from ._errors import ApiError

REALM = "bootic"
CHALLENGE = f'Bearer realm="{REALM}", error="invalid_token"'


@dataclass(frozen=True)
class Grant:
    """What a valid bearer token allows: its user and its scopes."""

    token: str
    user_id: int
    user_name: str
    scopes: tuple[str, ...]

    def __repr__(self) -> str:  # never the token itself
        return f"Grant(user_name={self.user_name!r}, scopes={self.scopes!r})"

    @property
    def scope_header(self) -> str:
        """The scopes as the API writes them (``X-OAuth-Scopes``, the root's ``scopes``)."""
        return ",".join(self.scopes)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.scopes


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "access_token", message, headers={"WWW-Authenticate": CHALLENGE})


def authenticate(db: Database, authorization: str | None) -> Grant:
    """The grant of the request's ``Authorization: Bearer`` token, or a 401 :class:`ApiError`."""
    if not authorization:
        raise _unauthorized("An 'Authorization: Bearer <token>' header is required")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("The Authorization header must be 'Bearer <token>'")
    rows = db.query(
        "SELECT t.user_id, t.scopes, t.expires_at, u.user_name FROM tokens t"
        " JOIN users u ON u.id = t.user_id WHERE t.token = ?",
        (token,),
    )
    if not rows:
        raise _unauthorized("The access token is not valid")
    row = rows[0]
    if row["expires_at"] is not None and row["expires_at"] <= time.time():
        raise _unauthorized("The access token has expired")
    return Grant(token, row["user_id"], row["user_name"], tuple(row["scopes"].split()))


def require_admin(grant: Grant) -> None:
    """A 403 unless the grant has the ``admin`` scope."""
    if not grant.is_admin:
        raise ApiError(
            403,
            "scope",
            f"This endpoint requires the admin scope (token has: {grant.scope_header})",
        )


class OAuthError(Exception):
    """An RFC 6749 error answer of the token endpoint."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


def _client_credentials(
    authorization: str | None, form: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """Client id and secret from HTTP Basic auth (preferred by RFC 6749) or from the form."""
    if authorization and authorization[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return form.get("client_id"), form.get("client_secret")


def _same(stored: str, given: str | None) -> bool:
    return secrets.compare_digest(stored.encode(), (given or "").encode())


def _grant_user(db: Database, grant_type: str, client_user: int, form: Mapping[str, str]) -> int:
    """The user a token is granted for: the client's own, or the password grant's."""
    if grant_type == "client_credentials":
        return client_user
    username, password = form.get("username"), form.get("password")
    if not username or password is None:
        raise OAuthError(400, "invalid_request", "the password grant needs username and password")
    rows = db.query("SELECT id, password FROM users WHERE user_name = ?", (username,))
    if not rows or not _same(rows[0]["password"], password):
        raise OAuthError(400, "invalid_grant", "Unknown user or wrong password")
    return int(rows[0]["id"])


def issue_token(
    db: Database, authorization: str | None, form: Mapping[str, str], lifetime: float
) -> dict[str, object]:
    """Answer a token request (``client_credentials`` or ``password``) or raise
    :class:`OAuthError`."""
    grant_type = form.get("grant_type")
    if not grant_type:
        raise OAuthError(400, "invalid_request", "grant_type is required")
    if grant_type not in GRANT_TYPES:
        raise OAuthError(
            400, "unsupported_grant_type", f"Supported grant types: {', '.join(GRANT_TYPES)}"
        )
    client_id, secret = _client_credentials(authorization, form)
    rows = db.query("SELECT * FROM clients WHERE client_id = ?", (client_id or "",))
    if not rows or not _same(rows[0]["client_secret"], secret):
        raise OAuthError(401, "invalid_client", "Unknown client or wrong secret")
    client = rows[0]
    user_id = _grant_user(db, grant_type, client["user_id"], form)
    allowed = client["scopes"].split()
    requested = (form.get("scope") or CLIENT_DEFAULT_SCOPE).replace(",", " ").split()
    if not set(requested) <= set(allowed):
        raise OAuthError(400, "invalid_scope", f"Allowed scopes: {' '.join(allowed)}")
    token = secrets.token_hex(20)
    scope = " ".join(requested)
    db.execute(
        "INSERT INTO tokens (token, user_id, scopes, expires_at, name) VALUES (?, ?, ?, ?, ?)",
        (token, user_id, scope, time.time() + lifetime, f"issued to {client_id} ({grant_type})"),
    )
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": max(0, round(lifetime)),
        "scope": scope,
    }
