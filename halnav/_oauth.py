"""OAuth2 client credentials: a :mod:`requests` auth that fetches, renews and hides a bearer token.

The protocol is oauthlib's (:class:`~oauthlib.oauth2.BackendApplicationClient` writes the token
request and reads, checks and parses the answer), installed by the ``oauth`` extra and imported
only when a :class:`ClientCredentials` is made; the request goes through a :mod:`requests`
session of this module, with halnav's retries. This module adds what a long-running, threaded
script needs: one token fetch at a time, renewal before expiry and after a 401, a callback to
persist tokens, and no secret in any repr, exception or log line.
"""

from __future__ import annotations

import base64
import ipaddress
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast
from urllib.parse import quote, quote_plus, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3.util.retry import Retry

from ._exceptions import HALNavError, HTTPError, error_class_for
from ._redact import mask_secrets, redact_url
from ._retry import IDEMPOTENT_METHODS, make_retry
from ._transport import DEFAULT_TIMEOUT, Timeout, transport_errors

__all__ = ["ClientCredentials"]

logger = logging.getLogger("halnav")

_INSTALL_HINT = "pip install 'halnav[oauth]'"
_INSECURE_HINT = (
    "the token URL is plain http, and client credentials are sent only over https (plain "
    "http is allowed for a loopback host: 127.0.0.1, ::1, localhost); oauthlib's "
    "OAUTHLIB_INSECURE_TRANSPORT=1 allows it for every host"
)
#: Loggers of the OAuth libraries, which log request headers, bodies and tokens at DEBUG.
_OAUTH_LOGGERS = (
    "requests_oauthlib.oauth2_session",
    "requests_oauthlib.oauth2_auth",
    "oauthlib.oauth2.rfc6749.clients.base",
    "oauthlib.oauth2.rfc6749.parameters",
)
#: The headers of a token request (RFC 6749 section 4.4.2).
_TOKEN_HEADERS = {
    "Accept": "application/json",
    "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
}


class ClientCredentials(AuthBase):
    """OAuth2 client credentials grant: ``Authorization: Bearer`` with a token it fetches itself.

    >>> auth = halnav.ClientCredentials(
    ...     "https://auth.bootic.net/oauth/token", CLIENT_ID, CLIENT_SECRET, scope="admin",
    ...     on_new_token=save_token, token=load_token(),
    ... )
    >>> client = halnav.Client("https://api.bootic.net/v1", auth=auth)

    * The first request fetches a token from ``token_url`` (client id and secret by HTTP Basic;
      ``token``, a dict saved from ``on_new_token``, is reused while it is valid).
    * A token is renewed ``leeway`` seconds before it expires (at most half its lifetime early),
      and after a 401, when :class:`~halnav.Client` sends the refused request once more.
    * Thread-safe: when many threads need a new token at once, one fetches it and the others wait
      for it; a 401 renews the token only if it is still the one that was refused.
    * ``on_new_token(token)`` is called with every new token (a dict with ``access_token``,
      ``expires_at``...), one call at a time, so a script can persist it.
    * The token request carries the client credentials, never the bearer token; it is retried on
      connection failures and 429/5xx (asking for a token twice is harmless).
    * ``repr``, exceptions and log lines never show the secret or a token.
    * :meth:`close` closes its connections to the token URL (a client does not close it).

    The token URL must be https, or plain http on a loopback host (``127.0.0.1``, ``::1``,
    ``localhost``: a local sandbox's), where the credentials never leave the machine. Another
    plain http host is refused, unless oauthlib's ``OAUTHLIB_INSECURE_TRANSPORT=1`` is set.

    Needs the ``oauth`` extra: ``pip install 'halnav[oauth]'``.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | Iterable[str] | None = None,
        on_new_token: Callable[[dict[str, Any]], Any] | None = None,
        token: Mapping[str, Any] | None = None,
        leeway: float = 30,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
        retries: int = 3,
    ) -> None:
        try:
            # Imported here: the oauth extra is optional, and this is where it is needed.
            from oauthlib.oauth2 import BackendApplicationClient, is_secure_transport
        except ImportError as exc:
            raise ImportError(f"halnav.ClientCredentials needs oauthlib: {_INSTALL_HINT}") from exc
        if not isinstance(token_url, str) or not token_url.startswith(("https://", "http://")):
            raise ValueError(f"token_url must be an http(s) URL, got {redact_url(str(token_url))}")
        if not is_secure_transport(token_url) and not _is_loopback_http(token_url):
            raise ValueError(f"{redact_url(token_url)}: {_INSECURE_HINT}")
        if leeway < 0:
            raise ValueError(f"leeway must be 0 or more seconds, got {leeway}")
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.scope = scope if scope is None or isinstance(scope, str) else " ".join(scope)
        self.on_new_token = on_new_token
        self.leeway = float(leeway)
        self.timeout = timeout
        self._lock = threading.RLock()
        self._token: dict[str, Any] | None = dict(token) if token else None
        oauth_client = BackendApplicationClient(client_id=client_id, scope=self.scope)
        # oauthlib writes the request's body, and reads, checks and parses the answer (read by
        # name: partly untyped in its stubs).
        self._prepare_body: Callable[..., str] = getattr(oauth_client, "prepare_request_body")  # noqa: B009
        self._parse_answer: Callable[..., object] = getattr(  # noqa: B009
            oauth_client, "parse_request_body_response"
        )
        # The token request carries the client's credentials, never a bearer token: a plain
        # session, whose only target is token_url (checked above).
        self._session = requests.Session()
        self._retry = _token_retry(retries)
        adapter = HTTPAdapter(max_retries=self._retry)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        #: How many tokens this object has fetched (a new one each renewal).
        self.fetch_count = 0
        self._last_status: int | None = None
        _install_log_redaction(self._secrets)

    # -- the requests auth interface -------------------------------------------------------

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        token = self._valid_token()
        request.headers["Authorization"] = f"Bearer {token['access_token']}"
        return request

    def handle_401(self, request: requests.PreparedRequest) -> bool:
        """Renew the token after the server refused ``request`` with a 401; ``True`` to resend.

        The token is fetched again only if ``request`` carried the current one: when several
        threads are refused at once, the first renews it and the others resend with the new one.
        """
        sent = request.headers.get("Authorization", "")
        with self._lock:
            current = self._token
            if current is not None and sent != f"Bearer {current.get('access_token')}":
                return True
            self._fetch()
            return True

    def refresh(self) -> dict[str, Any]:
        """Fetch a new token now, whatever the state of the current one; return it."""
        with self._lock:
            return dict(self._fetch())

    def close(self) -> None:
        """Close the kept-alive connections to the token URL (a later fetch opens a new one).

        :class:`~halnav.Client` does not close an ``auth`` it was given: close it yourself when
        done with it, after the clients that use it.
        """
        self._session.close()

    @property
    def token(self) -> dict[str, Any] | None:
        """A copy of the current token (``access_token``, ``expires_at``...), or ``None``."""
        current = self._token
        return dict(current) if current is not None else None

    @property
    def expires_at(self) -> float | None:
        """When the current token expires (a Unix time), if known."""
        current = self._token
        return _expiry(current) if current is not None else None

    # -- internals -------------------------------------------------------------------------

    def _valid_token(self) -> dict[str, Any]:
        current = self._token
        if current is not None and not self._expiring(current):
            return current
        with self._lock:
            # Another thread may have fetched it while this one waited for the lock.
            current = self._token
            if current is not None and not self._expiring(current):
                return current
            return self._fetch()

    def _expiring(self, token: Mapping[str, Any]) -> bool:
        if not isinstance(token.get("access_token"), str):
            return True
        expires_at = _expiry(token)
        if expires_at is None:
            return False  # no expiry given: used until the server refuses it
        margin = self.leeway
        try:
            lifetime = float(token["expires_in"])
        except (KeyError, TypeError, ValueError):
            lifetime = None
        if lifetime is not None and lifetime > 0:
            margin = min(margin, lifetime / 2)
        return time.time() + margin >= expires_at

    def _fetch(self) -> dict[str, Any]:
        """Fetch a token (the lock is held); calls ``on_new_token``."""
        self._last_status = None
        started = time.time()
        try:
            body = self._prepare_body(scope=self.scope)
            # Connection failures and timeouts become TransportError here.
            with transport_errors("POST", self.token_url, self.timeout, self._retry):
                response = self._session.post(
                    self.token_url,
                    data=body,
                    headers=_TOKEN_HEADERS,
                    auth=(self.client_id, self._client_secret),
                    timeout=self.timeout,
                )
            self._check_answer(response)
            parsed: object = self._parse_answer(response.text, scope=self.scope)
            fetched = cast("dict[str, Any]", parsed)
        except HALNavError:
            raise
        except Warning as changed:
            # oauthlib's "scope has changed": the server granted other scopes than asked.
            granted: object = getattr(changed, "token", None)
            if not isinstance(granted, dict) or not granted:
                raise self._failure(f"token answer rejected: {changed}") from None
            fetched = cast("dict[str, Any]", granted)
            logger.warning(
                "token from %s has scope %r, asked for %r",
                redact_url(self.token_url),
                fetched.get("scope"),
                self.scope,
            )
        except Exception as exc:  # oauthlib's errors: invalid_client, missing token...
            raise self._failure(self._describe_error(exc)) from None
        token = dict(fetched)
        if isinstance(token.get("expires_in"), (int, float)):
            # oauthlib rounds expires_at to the second; the time the request left is earlier
            # than the server's clock started, so this errs on the side of renewing early.
            token["expires_at"] = started + token["expires_in"]
        self._token = token
        self.fetch_count += 1
        if logger.isEnabledFor(logging.DEBUG):
            expires_at = _expiry(token)
            logger.debug(
                "new token from %s%s",
                redact_url(self.token_url),
                f", valid {expires_at - time.time():.0f} s" if expires_at else "",
            )
        if self.on_new_token is not None:
            self.on_new_token(dict(token))
        return token

    def _check_answer(self, response: requests.Response) -> None:
        """An error answer that is not an OAuth2 error JSON (a 503 page, a proxy's 502) is
        raised as the :class:`HTTPError` it is; an OAuth2 error is left to oauthlib."""
        status = response.status_code
        self._last_status = status
        if status < 400:
            return
        error: Any = None
        try:
            error = response.json().get("error")
        except (ValueError, AttributeError):
            error = None
        if isinstance(error, str):
            return  # oauthlib turns it into its OAuth2Error; see _describe_error
        reason = f"{status} {response.reason or ''}".rstrip()
        raise error_class_for(status)(
            self._mask(f"token request to {redact_url(self.token_url)} failed: {reason}"),
            status_code=status,
            method="POST",
            url=redact_url(self.token_url),
        )

    def _describe_error(self, exc: Exception) -> str:
        error = getattr(exc, "error", None)
        description = getattr(exc, "description", None)
        if error:
            return f"token request refused: {error}" + (f" ({description})" if description else "")
        return f"token request failed: {type(exc).__name__}: {exc}"

    def _failure(self, text: str) -> HTTPError:
        status = getattr(self, "_last_status", None) or 400
        return error_class_for(status)(
            self._mask(f"{text} [POST {redact_url(self.token_url)}]"),
            status_code=status,
            method="POST",
            url=redact_url(self.token_url),
        )

    def masked_values(self) -> list[str]:
        """The strings halnav masks in any text it shows: the secret (and its encodings), the
        current tokens."""
        return self._secrets()

    def _secrets(self) -> list[str]:
        """Every string that must never be shown: the secret, its encodings, the tokens."""
        found: list[str] = []
        secret = self._client_secret
        if secret:
            found += [secret, quote(secret, safe=""), quote_plus(secret)]
            basic = f"{self.client_id}:{secret}".encode("latin-1", errors="replace")
            found.append(base64.b64encode(basic).decode("ascii"))
        current = self._token
        if current is not None:
            for key in ("access_token", "refresh_token", "id_token"):
                value = current.get(key)
                if isinstance(value, str) and value:
                    found.append(value)
        return [text for text in found if len(text) >= 4]

    def _mask(self, text: str) -> str:
        return mask_secrets(text, self._secrets())

    def __repr__(self) -> str:
        state = "no token yet" if self._token is None else "token hidden"
        return (
            f"<ClientCredentials client_id={self.client_id!r} "
            f"token_url={redact_url(self.token_url)!r} ({state})>"
        )

    __str__ = __repr__


def _is_loopback_http(url: str) -> bool:
    """Whether ``url`` is plain http to a loopback host (127.0.0.0/8, ::1 or localhost)."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "http":
        return False
    host = (parts.hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _expiry(token: Mapping[str, Any]) -> float | None:
    try:
        value = token.get("expires_at")
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _token_retry(retries: int) -> Retry:
    # Unlike API calls, the token POST may be sent again: a second token does no harm.
    return make_retry(retries, methods=IDEMPOTENT_METHODS | {"POST"})


class _RedactSecrets(logging.Filter):
    """Masks credentials in the records of the OAuth libraries, which log them at DEBUG."""

    def __init__(self) -> None:
        super().__init__()
        #: Each live ClientCredentials' way to list its secrets (gone with it).
        self.sources: list[weakref.WeakMethod[Callable[[], list[str]]]] = []

    def add(self, secrets: Callable[[], list[str]]) -> None:
        self.sources = [source for source in self.sources if source() is not None]
        self.sources.append(weakref.WeakMethod(secrets))

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's business
            return True
        secrets: list[str] = []
        for source in list(self.sources):
            listed = source()
            if listed is not None:
                secrets += listed()
        masked = mask_secrets(message, secrets)
        if masked != message:
            record.msg, record.args = masked, None
        return True


_redaction = _RedactSecrets()
_redaction_lock = threading.Lock()


def _install_log_redaction(secrets: Callable[[], list[str]]) -> None:
    with _redaction_lock:
        _redaction.add(secrets)
        for name in _OAUTH_LOGGERS:
            target = logging.getLogger(name)
            if _redaction not in target.filters:
                target.addFilter(_redaction)
