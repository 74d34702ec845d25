"""Connection settings from options, a profile and the environment; the clients made from them.

Each setting is taken from the first of: the command line (``--url``...), the profile named by
``--profile`` or ``$HALNAV_PROFILE``, the environment (``$HALNAV_URL``...), the configuration
file's default profile. Credentials are a token or OAuth2 client credentials: the first source
that gives a ``token`` or a ``client_id`` decides which.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .. import Client, ClientCredentials, Unauthorized
from ..bootic import DEFAULT_ROOT_URL, DEFAULT_TOKEN_URL, BooticClient
from ._common import MissingExtra, UsageError, check_url, option
from ._config import load_profile
from ._tokens import TokenCache, cache_dir

__all__ = [
    "ENV",
    "ENV_PROFILE",
    "ENV_TOKEN",
    "ENV_URL",
    "Connection",
    "Settings",
    "add_connection_options",
    "connection",
    "resolve_settings",
]

ENV_URL = "HALNAV_URL"
ENV_TOKEN = "HALNAV_TOKEN"
ENV_PROFILE = "HALNAV_PROFILE"
#: Each setting's environment variable.
ENV: Mapping[str, str] = {
    "url": ENV_URL,
    "token": ENV_TOKEN,
    "client_id": "HALNAV_CLIENT_ID",
    "client_secret": "HALNAV_CLIENT_SECRET",
    "token_url": "HALNAV_TOKEN_URL",
}
_OPTION = {
    "url": "--url",
    "token": "--token",
    "client_id": "--client-id",
    "client_secret": "--client-secret",
    "token_url": "--token-url",
    "scope": "--scope",
    "retries": "--retries",
}


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    """The options every command takes (their defaults are SUPPRESS: given before or after the
    subcommand, the one given wins)."""
    connection = parser.add_argument_group("connection")
    add = connection.add_argument
    add("--url", default=argparse.SUPPRESS, help=f"the API's root URL (default: ${ENV_URL})")
    add(
        "--token",
        default=argparse.SUPPRESS,
        help=f"a bearer token (default: ${ENV_TOKEN}); it is never printed",
    )
    add(
        "--profile",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help=f"a profile of the configuration file (default: ${ENV_PROFILE}, else the file's "
        "default_profile)",
    )
    add(
        "--client-id",
        default=argparse.SUPPRESS,
        help="OAuth2 client credentials instead of a token (default: $HALNAV_CLIENT_ID)",
    )
    add(
        "--client-secret",
        default=argparse.SUPPRESS,
        help="the client's secret (default: $HALNAV_CLIENT_SECRET); never printed",
    )
    add(
        "--token-url",
        default=argparse.SUPPRESS,
        help=f"the OAuth2 token endpoint (default: $HALNAV_TOKEN_URL, else {DEFAULT_TOKEN_URL} "
        "for the Bootic API)",
    )
    add("--scope", default=argparse.SUPPRESS, help="the OAuth2 scope to ask for (default: none)")
    add(
        "--retries",
        type=_retries,
        default=argparse.SUPPRESS,
        metavar="N",
        help="retries of a GET, PUT or DELETE after a failed connection or a 429/502/503/504 "
        "(default: 3; a POST is never retried)",
    )
    add(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show tracebacks and log every request (credentials masked)",
    )


def _retries(text: str) -> int:
    if not text.isdecimal():
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {text!r}")
    return int(text)


@dataclass(frozen=True)
class Settings:
    """The connection settings of one run. ``repr`` hides the secrets."""

    url: str | None = None
    token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    token_url: str | None = None
    scope: str | None = None
    retries: int | None = None
    #: The profile in use (the token cache's name): ``default`` when none.
    profile: str = "default"
    #: Where the URL came from (``--url``, ``$HALNAV_URL``, ``profile 'x'``), for messages.
    url_source: str = ""

    @property
    def has_credentials(self) -> bool:
        """Whether a token or client credentials were given."""
        return bool(self.token or self.client_id)

    def secrets(self) -> list[str]:
        """Every string that must never be printed."""
        return [s for s in (self.token, self.client_secret) if s]

    def __repr__(self) -> str:
        kind = "token" if self.token else "client credentials" if self.client_id else "none"
        return f"<Settings url={self.url!r} credentials={kind} (hidden) profile={self.profile!r}>"


def resolve_settings(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> Settings:
    """The settings of this run (see the module's docstring for the order)."""
    env = os.environ if environ is None else environ
    name = option(args, "profile") or env.get(ENV_PROFILE) or None
    profile = load_profile(name)
    options = {key: option(args, key) for key in _OPTION}
    sources: list[tuple[str, Mapping[str, Any]]] = [("options", options)]
    if profile is not None and profile.named:
        sources.append((f"profile {profile.name!r}", profile.settings))
    sources.append(("environment", {key: env.get(var) for key, var in ENV.items()}))
    if profile is not None and not profile.named:
        sources.append((f"profile {profile.name!r}", profile.settings))

    def first(key: str, among: list[tuple[str, Mapping[str, Any]]] = sources) -> Any:
        for _, values in among:
            value = values.get(key)
            if value not in (None, ""):
                return value
        return None

    url, url_source = None, ""
    for source, values in sources:
        if values.get("url"):
            url = values["url"]
            url_source = {"options": "--url", "environment": f"${ENV_URL}"}.get(source, source)
            break
    if url is not None:
        url = check_url(url, url_source)
    token = client_id = client_secret = token_url = scope = None
    for source, values in sources:
        if values.get("token") and values.get("client_id"):
            raise UsageError(f"{_where(source)} gives both a token and a client id: give one")
        if values.get("token"):
            token = values["token"]
            break
        if values.get("client_id"):
            client_id = values["client_id"]
            client_secret, token_url, scope = (
                first(k) for k in ("client_secret", "token_url", "scope")
            )
            if not client_secret:
                raise UsageError(
                    "a client id needs its secret: --client-secret, $HALNAV_CLIENT_SECRET or "
                    "client_secret in the profile"
                )
            break
    if client_id is not None:
        if token_url is None:
            if url is not None and origin_of(url) != origin_of(DEFAULT_ROOT_URL):
                raise UsageError(
                    f"client credentials for {url} need --token-url (or $HALNAV_TOKEN_URL, or "
                    f"token_url in the profile); {DEFAULT_TOKEN_URL} is the Bootic API's only"
                )
            token_url = DEFAULT_TOKEN_URL
        token_url = check_url(token_url, "--token-url")
    return Settings(
        url=url,
        token=token,
        client_id=client_id,
        client_secret=client_secret,
        token_url=token_url,
        scope=scope,
        retries=first("retries"),
        profile=profile.name if profile is not None else "default",
        url_source=url_source,
    )


def _where(source: str) -> str:
    return "the command line" if source == "options" else f"the {source}"


class Connection:
    """The settings of one run and the clients made from them; closes them all.

    The failure handler reads :meth:`withheld` to explain a 401 from a URL the token was not
    sent to, and :attr:`settings` to mask every secret.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._clients: list[Client] = []
        self._closers: list[Any] = []

    def client(self, root_url: str | None = None) -> Client:
        """A :class:`halnav.Client` at ``root_url`` (default: the settings' URL)."""
        root = root_url or self.settings.url
        if root is None:
            raise UsageError(f"no URL: give one, or --url, or set {ENV_URL}")
        client = Client(root, **self._client_options())
        self._clients.append(client)
        self._closers.append(client)
        return client

    def bootic(self, root_url: str | None = None, require_credentials: bool = True) -> BooticClient:
        """A :class:`BooticClient` at ``root_url`` (default: the settings' URL, else the Bootic
        API's)."""
        if require_credentials and not self.settings.has_credentials:
            raise UsageError(
                f"no token: pass --token or set {ENV_TOKEN} (or --client-id and --client-secret)"
            )
        root = root_url or self.settings.url or DEFAULT_ROOT_URL
        bootic = BooticClient(root_url=root, **self._client_options())
        self._clients.append(bootic.client)
        self._closers.append(bootic)
        return bootic

    def withheld(self, error: Unauthorized) -> str | None:
        """Why the token was not sent with the request ``error`` answers, if it was withheld."""
        if not self.settings.has_credentials or not error.url:
            return None
        for client in self._clients:
            if not client.authenticates(error.url):
                parts = urlsplit(error.url)
                return (
                    f"the token was not sent: {parts.scheme}://{parts.netloc} is another origin than "
                    f"the root URL {client.root_url}, and credentials go to the root's origin "
                    "only; to send it there, give a root URL on that origin with --url"
                )
        return None

    def close(self) -> None:
        """Close every client and credentials made here."""
        closers, self._closers = self._closers, []
        for closer in reversed(closers):
            closer.close()

    def _client_options(self) -> dict[str, Any]:
        settings = self.settings
        options: dict[str, Any] = {}
        if settings.retries is not None:
            options["retries"] = settings.retries
        if settings.token:
            options["token"] = settings.token
        elif settings.client_id and settings.client_secret and settings.token_url:
            options["auth"] = self._credentials()
        return options

    def _credentials(self) -> ClientCredentials:
        settings = self.settings
        assert settings.client_id and settings.client_secret and settings.token_url
        cache = TokenCache(
            settings.profile, settings.client_id, settings.token_url, settings.scope, cache_dir()
        )
        try:
            credentials = ClientCredentials(
                settings.token_url,
                settings.client_id,
                settings.client_secret,
                scope=settings.scope,
                token=cache.load(),
                on_new_token=cache.save,
            )
        except ImportError as exc:
            raise MissingExtra(
                "client credentials need the oauth extra: pip install 'halnav[oauth]'"
            ) from exc
        except ValueError as exc:
            raise UsageError(f"--token-url: {exc}") from None
        self._closers.insert(0, credentials)  # closed last, after the clients using it
        return credentials


def origin_of(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of ``url``, the scheme's default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def connection(args: argparse.Namespace) -> Connection:
    """This run's :class:`Connection` (made once; ``main`` closes it)."""
    existing = getattr(args, "connection", None)
    if isinstance(existing, Connection):
        return existing
    made = Connection(resolve_settings(args))
    args.connection = made
    return made
