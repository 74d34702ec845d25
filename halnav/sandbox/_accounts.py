"""The accounts every sandbox is seeded with: users, ready-made tokens and the OAuth client.

Constants only, kept apart from the token checks (``_auth``) so that the seeder and the server can
read them without depending on how a request is authenticated.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CLIENT_DEFAULT_SCOPE",
    "CLIENT_ID",
    "CLIENT_SCOPES",
    "CLIENT_SECRET",
    "CLIENT_USER_ID",
    "GRANT_TYPES",
    "READY_TOKENS",
    "READY_USERS",
    "ReadyToken",
    "ReadyUser",
]


@dataclass(frozen=True)
class ReadyUser:
    """A user seeded into every sandbox, who can get tokens with the password grant."""

    id: int
    user_name: str
    email: str
    password: str
    uid: str


READY_USERS: tuple[ReadyUser, ...] = (
    ReadyUser(1, "sandbox-owner", "owner@example.com", "sandbox-owner-password", "5b1e0f3c"),
    ReadyUser(2, "other-owner", "other@example.com", "other-owner-password", "9a7d24e1"),
)


@dataclass(frozen=True)
class ReadyToken:
    """A token seeded into every sandbox, so scripts and tests can start without the OAuth dance."""

    name: str
    value: str
    user_id: int
    scopes: str
    expired: bool = False


READY_TOKENS: tuple[ReadyToken, ...] = (
    ReadyToken("shop1_admin", "sandbox-shop1-admin-token", 1, "admin"),
    ReadyToken("shop2_admin", "sandbox-shop2-admin-token", 2, "admin"),
    ReadyToken("shop1_public", "sandbox-shop1-public-token", 1, "public"),
    ReadyToken("shop1_expired", "sandbox-shop1-expired-token", 1, "admin", expired=True),
)

CLIENT_ID = "sandbox-client"
CLIENT_SECRET = "sandbox-secret"
CLIENT_USER_ID = 1
CLIENT_SCOPES = "admin public"  # what the client may ask for
CLIENT_DEFAULT_SCOPE = "admin"  # what it gets when it asks for nothing
GRANT_TYPES = ("client_credentials", "password")
