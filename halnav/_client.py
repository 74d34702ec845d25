"""The :class:`Client`: settings, credentials and the entry point of a HAL API."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any, cast
from urllib.parse import urljoin

import requests
from requests.auth import AuthBase
from urllib3.util.retry import Retry

from ._auth import (
    BearerToken,
    ScopedAuth,
    credential_header_names,
    install_redirect_guard,
    origin_of,
    secrets_of,
)
from ._cache_rules import (
    answer_from_cache,
    cache_key_url,
    credential_scope,
    fresh,
    may_store,
    must_revalidate,
    not_stored,
    request_view,
)
from ._cache_stores import CacheEntry, CacheOption, MemoryCache, make_cache
from ._deadline import Deadline, DeadlineOption, make_deadline
from ._deprecation import warn_if_deprecated
from ._exceptions import TransportError
from ._json import dumps
from ._link import Link, Via
from ._redact import redact_url, secrets_in_url
from ._representation import Representation, representation_from_response
from ._resource import Resource
from ._response import raise_for_answer, retries_note
from ._retry import DEFAULT_RETRIES, DEFAULT_WALK_RETRIES
from ._session import DEFAULT_MAX_BODY_SIZE, PREFETCH_THREADS
from ._templates import TemplateValue
from ._transport import DEFAULT_TIMEOUT, Timeout, Transport, log_exchange
from ._version import __version__

__all__ = ["ACCEPT", "ACCEPT_HAL_FORMS", "Client", "USER_AGENT"]

ACCEPT = "application/hal+json, application/json;q=0.9, */*;q=0.1"
#: ``Accept`` with ``hal_forms=True``: HAL-FORMS first (a HAL document with ``_templates``).
ACCEPT_HAL_FORMS = f"application/prs.hal-forms+json, {ACCEPT}"
USER_AGENT = f"halnav/{__version__} python-requests/{requests.__version__}"


class _Unset:
    """The type of a keyword argument left out (where ``None`` means something)."""


_UNSET = _Unset()

#: Whether the request this thread sends is a walk's page (inside :meth:`Client.walking`).
_WALK_PAGE: ContextVar[bool] = ContextVar("halnav_walk_page", default=False)


class Client:
    """A HAL API client rooted at ``root_url``.

    >>> client = halnav.Client("https://api.bootic.net/v1", token="...")
    >>> root = client.root()
    >>> shop = root.follow("btc:shop", id=1)

    ``token`` (a bearer token) or ``auth`` (any :mod:`requests` auth, e.g. an OAuth2 session's)
    is sent only to the origin of ``root_url``: links to other origins, or from https to plain
    http, are fetched without credentials, and so is an ``Authorization`` given in ``headers``
    (it goes to the root's origin only, with or without ``token``/``auth``). One
    :class:`requests.Session` is reused (pass your own with ``session``), so connections are kept
    alive. A client may be shared by threads. :meth:`close` does not close an ``auth`` it was
    given (close a :class:`~halnav.ClientCredentials` yourself with its ``close()``).

    ``retries`` is how many times an idempotent request (GET, HEAD, OPTIONS, PUT, DELETE) is sent
    again after a connection failure or a 429/502/503/504 answer: 3 when not given (4 tries in
    all), ``0`` or ``None`` for none, or a :class:`urllib3.util.Retry` used as is. POST and PATCH
    are sent once. ``walk_retries`` is the same for each page request of ``pages()``/
    ``iterate()``, where one failure stops a long walk: 8 when neither is given, else the same as
    ``retries`` (``retries=3`` given explicitly makes walks use 3 too). A ``session`` you pass
    keeps its own adapters (and their retries) unless you give ``retries`` or ``walk_retries``.
    After a 401, an ``auth`` that can renew its credentials (such as
    :class:`~halnav.ClientCredentials`) does so and the request is sent once more.

    ``cache`` is the client's private HTTP cache: ``True`` (a bounded :class:`~halnav.MemoryCache`),
    ``False``/``None`` for none, a file path for a :class:`~halnav.DiskCache`, or a store object.
    GETs are revalidated with ``If-None-Match``/``If-Modified-Since``, and a 304 gives back the
    resource already parsed; ``client.cache.stats`` counts. ``pool_size`` is the number of kept-
    alive connections per host, at least 32 so that every page request of ``pages(prefetch=N)``
    in flight keeps its connection (the pool of a ``session`` you pass is left as it is). The
    prefetch threads are the client's own, 32 (or ``pool_size`` if larger) shared by its walks,
    made on first use; each walk keeps at most its window of requests in flight, and decodes
    each page in the thread that walks it.

    The session the client makes for itself reads the proxy settings of the environment
    (``HTTPS_PROXY``, ``NO_PROXY``...) at its first request to each origin and keeps them; a
    ``session`` you pass reads them for every request, as :mod:`requests` does.

    ``hal_forms=True`` asks servers for HAL-FORMS: ``Accept`` then names
    ``application/prs.hal-forms+json`` first (Spring HATEOAS and ContentGrid add their
    ``_templates`` only then); an ``Accept`` given in ``headers`` wins over both.

    An answer with a ``Deprecation`` or ``Sunset`` header emits one
    :class:`~halnav.DeprecatedResourceWarning` naming the resource and the dates.

    ``credential_headers`` names request headers that carry credentials besides
    ``Authorization``, ``Cookie``, ``Proxy-Authorization`` and ``X-Api-Key`` (any case): all of
    them go to the root's origin only (redirects included), are masked in log lines, and scope
    the cache's entries (by a keyed digest of their values). ``max_body_size`` is the most bytes
    of a body, decoded, that are read (64 MiB; ``None`` for no limit): a larger one raises
    :class:`~halnav.BodyTooLarge` as it comes, before it is all in memory. ``deadline`` bounds
    each request in seconds, from its start to its decoded answer, across connecting, a slow
    answer, redirects, retries and their waits (``None``, the default: only ``timeout``); a
    call's own ``deadline=`` overrides it. It raises :class:`~halnav.DeadlineExceeded`. A walk's
    ``deadline=`` (``pages()``/``iterate()``) bounds the whole walk; each of its pages keeps
    this one too, whichever ends first.
    """

    def __init__(
        self,
        root_url: str,
        *,
        token: str | None = None,
        auth: AuthBase
        | Callable[[requests.PreparedRequest], requests.PreparedRequest]
        | None = None,
        session: requests.Session | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        retries: int | Retry | None | _Unset = _UNSET,
        pool_size: int = 10,
        cache: CacheOption = True,
        walk_retries: int | Retry | None | _Unset = _UNSET,
        hal_forms: bool = False,
        max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
        deadline: float | None = None,
        credential_headers: Iterable[str] = (),
    ) -> None:
        if token is not None and auth is not None:
            raise ValueError("give token= or auth=, not both")
        retries_given = not isinstance(retries, _Unset)
        walk_retries_given = not isinstance(walk_retries, _Unset)
        if isinstance(retries, _Unset):
            retries = DEFAULT_RETRIES
        if isinstance(walk_retries, _Unset):
            # Walks get the larger budget unless the caller chose a retry policy of their own.
            walk_retries = retries if retries_given else DEFAULT_WALK_RETRIES
        if deadline is not None:
            Deadline(deadline)  # checks the value now rather than at the first request
        self._deadline = deadline
        self._secret_headers = credential_header_names(credential_headers)
        self._root_url = root_url
        self._transport = Transport(
            session,
            timeout=timeout,
            retries=retries,
            walk_retries=walk_retries,
            pool_size=pool_size,
            retries_given=retries_given or walk_retries_given,
            max_body_size=max_body_size,
            secret_headers=self._secret_headers,
        )
        inner = BearerToken(token) if token is not None else auth
        # Always scoped: with no token or auth (inner None), the credential headers the caller
        # gives still go to the root's origin only.
        self._auth = ScopedAuth(inner, origin_of(root_url), self._secret_headers)
        install_redirect_guard(self._transport.session)
        accept = ACCEPT_HAL_FORMS if hal_forms else ACCEPT
        self._headers = {"Accept": accept, "User-Agent": USER_AGENT, **(headers or {})}
        self._lock = threading.Lock()
        self._cache = make_cache(cache)
        self._owns_cache = not isinstance(cache, MemoryCache)
        # The auth's part of the cache's scope; the store keys it with the headers sent.
        self._auth_scope = credential_scope(self._auth) if inner is not None else ""
        self._prefetch_threads = max(pool_size, PREFETCH_THREADS)
        self._executor: ThreadPoolExecutor | None = None

    # -- settings --------------------------------------------------------------------------

    @property
    def root_url(self) -> str:
        """The API's entry point."""
        return self._root_url

    @property
    def session(self) -> requests.Session:
        """The underlying :class:`requests.Session`."""
        return self._transport.session

    @property
    def timeout(self) -> Timeout:
        """``(connect, read)`` seconds, or one number for both."""
        return self._transport.timeout

    @property
    def headers(self) -> dict[str, str]:
        """The headers sent with every request (credentials are added per origin, not here)."""
        return dict(self._headers)

    @property
    def cache(self) -> MemoryCache | None:
        """The private HTTP cache (``None`` when made with ``cache=False``); ``.stats`` counts."""
        return self._cache

    @property
    def deadline(self) -> float | None:
        """Seconds each request may take in all (``None``: no deadline, only ``timeout``)."""
        return self._deadline

    @property
    def max_body_size(self) -> int | None:
        """The most bytes of a body (decoded) that are read (``None``: no limit)."""
        return self._transport.max_body_size

    @property
    def credential_headers(self) -> frozenset[str]:
        """The request headers (lower case) sent to the root's origin only."""
        return self._secret_headers

    def _secrets(self) -> list[str]:
        """The credentials this client sends, to mask wherever a server's words are shown: the
        auth's, the credential headers' values, and those in the root URL (a password, an
        ``access_token`` parameter...). Read when needed: an OAuth token changes."""
        found = secrets_of(self._auth.inner)
        for name, value in self._headers.items():
            if name.lower() in self._secret_headers and len(value) >= 4:
                found.append(value)
                scheme, _, credential = value.partition(" ")
                if credential and scheme.isalpha() and len(credential) >= 4:
                    found.append(credential)  # "Bearer T" echoed as "T"
        found += secrets_in_url(self._root_url)
        return found

    def authenticates(self, url: str) -> bool:
        """Whether credentials would be sent to ``url`` (only to the root URL's origin)."""
        if not self._auth.applies_to(url):
            return False
        return self._auth.inner is not None or any(
            key.lower() in self._secret_headers for key in self._headers
        )

    # -- requests --------------------------------------------------------------------------

    def root(self) -> Resource:
        """GET the entry point."""
        return self.get(self._root_url)

    def get(self, url: str, /, **query: TemplateValue) -> Resource:
        """GET any URL (relative ones resolve against the root URL); ``query`` adds parameters."""
        return self.request("GET", url, params=query or None)

    def get_link(self, link: Link, /, **variables: TemplateValue) -> Resource:
        """GET the target of ``link`` with its template expanded by ``variables``."""
        return self.request("GET", link.url(**variables), via=(link, variables))

    def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        via: Via | None = None,
        deadline: DeadlineOption | _Unset = _UNSET,
    ) -> Resource:
        """Send ``method`` to ``url`` (``json`` as a JSON body) and return the answer's resource.

        Raises an :class:`HTTPError` subclass for 4xx/5xx answers, :class:`TransportError` when
        there is no answer, :class:`InvalidDocument` for a JSON body that does not parse.
        ``deadline`` (seconds, a :class:`~halnav.Deadline` shared with other calls, or ``None``)
        overrides the client's, and raises :class:`~halnav.DeadlineExceeded`.
        """
        answer = self.fetch(
            method, url, json=json, params=params, headers=headers, via=via, deadline=deadline
        )
        return Resource.from_representation(answer, client=self, via=via)

    # -- the Fetcher protocol (what resources and walks call) --------------------------------

    def fetch(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        via: Via | None = None,
        data: bytes | None = None,
        deadline: DeadlineOption | _Unset = _UNSET,
    ) -> Representation:
        """As :meth:`request`, but the answer's :class:`Representation` (the data a resource
        views): what :class:`Resource` calls to follow a link. ``data`` is a body sent as it is
        (its ``Content-Type`` given in ``headers``), instead of ``json``."""
        answer = self._exchange(
            method, url, json=json, params=params, headers=headers, data=data, deadline=deadline
        )()
        warn_if_deprecated(answer.headers, answer.url)
        return answer

    def exchange(
        self,
        method: str,
        url: str,
        *,
        via: Via | None = None,
        deadline: DeadlineOption | _Unset = _UNSET,
    ) -> Callable[[], Representation]:
        """Send a request and read its answer now; the callable returned decodes it, applies
        the cache's rules and raises the :class:`HTTPError` of a 4xx/5xx answer.

        Prefetching threads send, and the thread that reads the pages decodes them: the
        objects of a document are then made and freed by one thread, which costs a decoded
        page half the CPU of making it in one thread and freeing it in another.

        ``deadline`` bounds the sending and reading (a walk gives every page the same
        :class:`~halnav.Deadline`, so the pages share it; inside :meth:`walking`, the client's
        own per-request deadline still bounds each page, whichever ends first).
        """
        return partial(_warned, self._exchange(method, url, deadline=deadline))

    @contextmanager
    def walking(self, *, keep: bool = True) -> Generator[None, None, None]:
        """A context in which this thread's requests are a walk's page requests
        (``walk_retries``); ``keep=False``: their answers are revalidated but not newly kept
        in the cache (a walk longer than the cache holds). A walk's deadline given to them
        (``fetch(..., deadline=walk)``) adds to the client's per-request ``deadline``: each page
        ends by whichever comes first."""
        token = _WALK_PAGE.set(True)
        try:
            with self._transport.walking(), not_stored(not keep):
                yield
        finally:
            _WALK_PAGE.reset(token)

    def cache_holds(self, body_size: int, count: int) -> bool:
        """Whether the cache can hold ``count`` answers of ``body_size`` bytes at once."""
        cache = self._cache
        return cache is None or cache.holds(body_size, count)

    def _exchange(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        data: bytes | None = None,
        deadline: DeadlineOption | _Unset = _UNSET,
    ) -> Callable[[], Representation]:
        """Send a request and read its answer; the callable returned makes its representation
        (see :meth:`exchange`)."""
        method = method.upper()
        bound = self._bound(deadline)
        try:
            absolute = urljoin(self._root_url, url)
        except ValueError as exc:  # urllib's "Invalid IPv6 URL": an unclosed bracket
            shown = redact_url(url)
            raise TransportError(
                f"{method} {shown} not sent: not a valid URL ({exc})", method=method, url=shown
            ) from None
        sent = dict(self._headers)
        body = None
        if json is not None:
            body = dumps(json)
            sent["Content-Type"] = "application/json"
        elif data is not None:
            body = data
        if headers:
            sent.update(headers)
        cache = self._cache
        if cache is None:
            response = self._send(method, absolute, sent, body, params, deadline=bound)
            return partial(self._decoded, response, method)
        # The cache: validators added to a GET, a 304 answered with the stored representation.
        key = cache_key_url(absolute, params)
        scope, selecting = request_view(
            cache,
            sent,
            auth_scope=self._auth_scope,
            secret_headers=self._secret_headers,
            credentials_sent=self._auth.applies_to(key),
        )
        started = time.perf_counter()
        entry = cache.lookup(scope, key, selecting) if method == "GET" else None
        note = "cache miss" if method == "GET" else None
        if entry is not None:
            if entry.is_fresh() and not must_revalidate(sent):
                answer = fresh(cache, entry)
                elapsed = (time.perf_counter() - started) * 1000
                log_exchange(method, key, answer.status_code or 200, elapsed, note="cache hit")
                return partial(_given, answer)
            note = "cache entry stale"
            if not (headers and any(h.lower().startswith("if-") for h in headers)):
                sent.update(entry.validators())
                note = "cache revalidation"
        response = self._send(method, absolute, sent, body, params, note, deadline=bound)
        # The store's keep rule is read now, in the sending thread, where a walk set it.
        keep = may_store()
        return partial(self._cached, cache, response, method, scope, key, selecting, entry, keep)

    def _bound(self, deadline: DeadlineOption | _Unset) -> Deadline | None:
        """The deadline of a request: the call's (which overrides the client's), or the client's;
        for a walk's page given the walk's, whichever of the two ends first."""
        if isinstance(deadline, _Unset):
            return make_deadline(self._deadline)
        given = make_deadline(deadline)
        if given is None or self._deadline is None or not _WALK_PAGE.get():
            return given
        own = Deadline(self._deadline)
        return own if own.at < given.at else given

    def _decoded(self, response: requests.Response, method: str) -> Representation:
        return self._checked(representation_from_response(response, method), response, method)

    def _cached(
        self,
        cache: MemoryCache,
        response: requests.Response,
        method: str,
        scope: str,
        key: str,
        sent: dict[str, str],
        entry: CacheEntry | None,
        keep: bool,
    ) -> Representation:
        answer = answer_from_cache(cache, method, scope, key, sent, entry, response, keep)
        return self._checked(answer, response, method)

    def _checked(
        self, answer: Representation, response: requests.Response, method: str
    ) -> Representation:
        """``answer``, or the :class:`HTTPError` it means (the client's secrets masked in it)."""
        note = retries_note(response)
        raise_for_answer(answer, self, method, response.reason, note=note, secrets=self._secrets())
        return answer

    def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None,
        params: Mapping[str, Any] | None,
        note: str | None = None,
        *,
        deadline: Deadline | None = None,
    ) -> requests.Response:
        """Send through the transport; after a 401 to the root's origin, let the auth renew its
        credentials (``handle_401(request)`` or ``refresh()``) and send the request once more.
        ``note`` goes to the DEBUG log line (``cache miss``...); ``deadline`` bounds both."""
        send = self._transport.send
        response = send(
            method,
            url,
            headers=headers,
            auth=self._auth,
            json_body=body,
            params=params,
            note=note,
            deadline=deadline,
        )
        if response.status_code == 401 and self._renew_credentials(response):
            response.close()
            response = send(
                method,
                url,
                headers=headers,
                auth=self._auth,
                json_body=body,
                params=params,
                note="after renewing credentials",
                deadline=deadline,
            )
        return response

    def _renew_credentials(self, response: requests.Response) -> bool:
        # A 401 means the request was refused unprocessed, so sending it again is safe even for
        # POST; it happens once, and only if the credentials were ours and can be renewed.
        # None for an answer made by hand (a test double), whatever the stubs say.
        request = cast("requests.PreparedRequest | None", response.request)
        if self._auth.inner is None or request is None or not request.url:
            return False
        if not self._auth.applies_to(request.url):
            return False
        inner = self._auth.inner
        handle_401 = getattr(inner, "handle_401", None)
        if callable(handle_401):
            return bool(handle_401(request))
        refresh = getattr(inner, "refresh", None)
        if callable(refresh):
            refresh()
            return True
        return False

    # -- lifecycle -------------------------------------------------------------------------

    def prefetch_executor(self, window: int) -> Executor:
        """The client's thread pool for prefetching pages (made on first use, then the same one).

        Its size is fixed (32, or ``pool_size`` if larger) and shared by every walk of the
        client, each of which keeps at most its own ``window`` of requests in flight; the
        connection pool was sized for it up front. Neither is ever replaced while in use.
        """
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    self._prefetch_threads, thread_name_prefix="halnav-prefetch"
                )
            return self._executor

    def close(self) -> None:
        """Close the pooled connections (of a session the client made itself) and the threads."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        if self._cache is not None and self._owns_cache:
            self._cache.close()
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        auth = ""
        if self._auth.inner is not None:
            inner = self._auth.inner
            kind = "bearer token" if isinstance(inner, BearerToken) else type(inner).__name__
            auth = f" auth={kind} (hidden)"
        return f"<Client {redact_url(self._root_url)}{auth}>"


def _given(answer: Representation) -> Representation:
    return answer


def _warned(decode: Callable[[], Representation]) -> Representation:
    answer = decode()
    warn_if_deprecated(answer.headers, answer.url)
    return answer
