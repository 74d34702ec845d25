"""Every exception and warning halnav raises, in one place.

The tree::

    HALNavError
    ├── HTTPError                    the server answered with a 4xx or 5xx status
    │   ├── BadRequest               400
    │   ├── Unauthorized             401
    │   ├── Forbidden                403
    │   ├── NotFound                 404
    │   ├── MethodNotAllowed         405
    │   ├── Conflict                 409
    │   ├── Gone                     410
    │   ├── PreconditionFailed       412
    │   ├── UnsupportedMediaType     415
    │   ├── UnprocessableEntity      422
    │   ├── PreconditionRequired     428
    │   ├── TooManyRequests          429
    │   └── ServerError              5xx
    ├── TransportError               no answer: connection refused or dropped, timeout
    │   ├── BodyTooLarge             the answer's body is over ``max_body_size``
    │   └── DeadlineExceeded         the request's (or walk's) deadline passed
    ├── LinkNotFound (KeyError)      the document has no such relation
    │   └── AmbiguousRelation        a bare name matches several relations
    ├── PropertyNotFound (KeyError)  the document has no such property
    ├── TemplateError (ValueError)   a URI template was given wrong variables, or is malformed
    ├── InvalidDocument (ValueError) a body that is not valid JSON, or not valid HAL
    ├── FormError (ValueError)       values a form does not accept, or no such form or field
    └── WalkCountMismatch            a walk received fewer (or more) items or pages than declared

    HALNavWarning (UserWarning)
    ├── DeprecatedLinkWarning        a followed link carries a ``deprecation`` URL
    └── DeprecatedResourceWarning    an answer carries a ``Deprecation`` or ``Sunset`` header

Messages name what was wrong and what was expected; none of them ever holds a credential.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from ._redact import redact_message

__all__ = [
    "AmbiguousRelation",
    "BadRequest",
    "BodyTooLarge",
    "Conflict",
    "DeadlineExceeded",
    "DeprecatedLinkWarning",
    "DeprecatedResourceWarning",
    "Forbidden",
    "FormError",
    "Gone",
    "HALNavError",
    "HALNavWarning",
    "HTTPError",
    "InvalidDocument",
    "LinkNotFound",
    "MethodNotAllowed",
    "NotFound",
    "PreconditionFailed",
    "PreconditionRequired",
    "PropertyNotFound",
    "ResourceView",
    "ServerError",
    "TemplateError",
    "TooManyRequests",
    "TransportError",
    "Unauthorized",
    "UnprocessableEntity",
    "UnsupportedMediaType",
    "WalkCountMismatch",
]


class ResourceView(Protocol):
    """What an :class:`HTTPError` shows of the error answer: a :class:`~halnav.Resource`.

    Declared here, below the resource, so that this module does not depend on it.
    """

    @property
    def url(self) -> str | None: ...
    @property
    def status_code(self) -> int | None: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def content(self) -> bytes: ...
    @property
    def text(self) -> str: ...
    @property
    def document(self) -> Any: ...
    @property
    def properties(self) -> dict[str, Any]: ...
    def get(self, name: str, default: Any = None) -> Any: ...
    def __getitem__(self, name: str) -> Any: ...


class HALNavError(Exception):
    """The base of every error halnav raises."""

    #: Where a walk (``pages()``/``iterate()``) stopped: the page that failed, else ``None``.
    page_url: str | None = None
    #: How many items the walk yielded before that page (``None`` outside a walk).
    items_before: int | None = None

    def __init__(self, message: str) -> None:
        # Messages name URLs (a resource's, a link's): credentials in them never show.
        message = redact_message(message)
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        # KeyError subclasses would otherwise print the repr of the message.
        return self.message


class HTTPError(HALNavError):
    """The server answered with an error status (4xx or 5xx)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        method: str,
        url: str,
        resource: ResourceView | None = None,
        errors: list[dict[str, Any]] | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.method = method
        self.url = url
        #: The parsed error body (a resource with no properties if it was not JSON).
        self.resource = resource
        #: What the body says field by field, whatever the server's shape (Bootic's
        #: ``_embedded.errors``, FastAPI, DRF, Eve, RFC 9457, GitHub...), normalised: each entry
        #: is ``{"field": "title", "messages": ["..."]}``, ``field`` ``None`` when general.
        self.errors: list[dict[str, Any]] = errors or []
        #: The server's own general text (``detail``, ``message``, ``_error``, ``title``...).
        self.detail = detail

    @property
    def body(self) -> bytes:
        """The raw body of the error answer (``b""`` when there was none)."""
        return self.resource.content if self.resource is not None else b""

    @property
    def headers(self) -> Mapping[str, str]:
        """The answer's headers (``Retry-After``, ``WWW-Authenticate``...), if known."""
        return self.resource.headers if self.resource is not None else {}


class BadRequest(HTTPError):
    """400: the request was malformed, e.g. an invalid filter value."""


class Unauthorized(HTTPError):
    """401: no credentials, or credentials the server does not accept (or no longer)."""


class Forbidden(HTTPError):
    """403: the credentials lack the scope, or the resource belongs to someone else."""


class NotFound(HTTPError):
    """404: nothing at that URL."""


class MethodNotAllowed(HTTPError):
    """405: the resource does not take that method; ``headers['Allow']`` lists those it takes."""


class Conflict(HTTPError):
    """409: the request conflicts with the resource's current state."""


class Gone(HTTPError):
    """410: the resource was there and is no more."""


class PreconditionFailed(HTTPError):
    """412: an ``If-Match``/``If-Unmodified-Since`` did not hold: someone changed it since."""


class UnsupportedMediaType(HTTPError):
    """415: the server does not take the body's ``Content-Type``."""


class UnprocessableEntity(HTTPError):
    """422: the body was understood but refused; ``errors`` says which fields and why."""


class PreconditionRequired(HTTPError):
    """428: the server wants a conditional request (Eve: ``If-Match`` with the ETag)."""


class TooManyRequests(HTTPError):
    """429: rate limited; ``headers['Retry-After']`` says when to come back."""


class ServerError(HTTPError):
    """5xx: the server failed. For unsafe methods the outcome is unknown."""


_STATUS_CLASSES: dict[int, type[HTTPError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    410: Gone,
    412: PreconditionFailed,
    415: UnsupportedMediaType,
    422: UnprocessableEntity,
    428: PreconditionRequired,
    429: TooManyRequests,
}


def error_class_for(status_code: int) -> type[HTTPError]:
    """The most specific :class:`HTTPError` subclass for an error status."""
    if status_code >= 500:
        return ServerError
    return _STATUS_CLASSES.get(status_code, HTTPError)


class TransportError(HALNavError):
    """No usable answer: the connection failed, was dropped, or timed out."""

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class BodyTooLarge(TransportError):
    """The answer's body is larger than the client's ``max_body_size`` (decoded bytes).

    Raised while reading, before the body is all in memory (or at once, for a declared
    ``Content-Length`` over the limit). ``limit`` is the limit in bytes; raise it with
    ``Client(max_body_size=...)``, or give ``None`` for no limit.
    """

    def __init__(self, message: str, *, method: str = "", url: str = "", limit: int = 0) -> None:
        super().__init__(message, method=method, url=url)
        self.limit = limit


class DeadlineExceeded(TransportError):
    """The request's deadline (``Client(deadline=...)`` or ``deadline=`` of a call) passed, or
    a wait before a retry (``Retry-After``, backoff) would have passed it.

    ``seconds`` is the deadline's budget as it was given.
    """

    def __init__(
        self, message: str, *, method: str = "", url: str = "", seconds: float = 0.0
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.seconds = seconds


class LinkNotFound(HALNavError, KeyError):
    """The document has no link or embedded resource for the relation asked for."""

    def __init__(self, message: str, *, rel: str = "", available: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.rel = rel
        self.available = tuple(available)


class AmbiguousRelation(LinkNotFound):
    """A bare relation name (``orders``) matches several CURIEs; name one of them."""

    def __init__(self, message: str, *, rel: str = "", candidates: Iterable[str] = ()) -> None:
        super().__init__(message, rel=rel, available=candidates)
        self.candidates = tuple(candidates)


class PropertyNotFound(HALNavError, KeyError):
    """The document has no property of that name."""


class TemplateError(HALNavError, ValueError):
    """A URI template got a missing or undeclared variable, or the template is malformed."""

    def __init__(self, message: str, *, template: str = "", accepted: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.template = template
        self.accepted = tuple(accepted)


class InvalidDocument(HALNavError, ValueError):
    """A body that claims JSON but does not parse, or a HAL part of the wrong type."""

    def __init__(self, message: str, *, url: str | None = None, pointer: str = "") -> None:
        super().__init__(message)
        self.url = url
        #: RFC 6901 pointer to the offending part ("" for the whole document).
        self.pointer = pointer


class WalkCountMismatch(HALNavError):
    """A walk (``pages()``/``iterate()``) ended with fewer, or more, items or pages than the
    collection declared, the same on every page: a page came back short or empty, or the
    server's count is wrong. Raised when the walk ends, after every item it read was yielded.

    ``unit`` is ``"items"`` or ``"pages"``; ``expected`` what the pages declared (from this walk's
    first page on), ``received`` what the walk got; ``declared_by`` names the count (``total_items``,
    ``page.totalElements``, ``the last link``...). ``page_url`` is the last page the walk read and
    ``items_before`` the items yielded before it. A count that changed during the walk (the
    collection changed under it) is not this error: it is logged (see ``iterate(stable=True)``).
    """

    def __init__(
        self,
        message: str,
        *,
        unit: str,
        expected: int,
        received: int,
        declared_by: str,
        page_url: str | None = None,
        items_before: int | None = None,
    ) -> None:
        super().__init__(message)
        self.unit = unit
        self.expected = expected
        self.received = received
        self.declared_by = declared_by
        self.page_url = page_url
        self.items_before = items_before


class HALNavWarning(UserWarning):
    """The base of every warning halnav emits."""


class DeprecatedLinkWarning(HALNavWarning):
    """A followed link is deprecated; its ``deprecation`` URL tells more."""


class FormError(HALNavError, ValueError):
    """Values a form does not accept, checked before any request; or a form or field that is
    not there. ``field`` and ``rule`` name the first problem (``required``, ``options``,
    ``regex``...); ``problems`` lists every one as ``(field, rule, message)``."""

    def __init__(
        self,
        message: str,
        *,
        form: str | None = None,
        field: str | None = None,
        rule: str = "",
        problems: Iterable[tuple[str, str, str]] = (),
        available: Iterable[str] = (),
    ) -> None:
        super().__init__(message)
        self.form = form
        self.field = field
        self.rule = rule
        self.problems = tuple(problems)
        #: The names there are, when a form or field was not found.
        self.available = tuple(available)


class DeprecatedResourceWarning(HALNavWarning):
    """An answer's ``Deprecation`` or ``Sunset`` header: the resource is (or will be)
    deprecated, or may stop answering after its sunset date."""

    def __init__(
        self,
        message: str,
        *,
        url: str = "",
        deprecation: datetime | None = None,
        sunset: datetime | None = None,
        documentation: Iterable[str] = (),
    ) -> None:
        super().__init__(message)
        #: The resource's URL, credentials masked.
        self.url = url
        #: When it is (or will be) deprecated; ``None`` for an undated ``Deprecation: true``.
        self.deprecation = deprecation
        #: When it may stop answering (the ``Sunset`` header), else ``None``.
        self.sunset = sunset
        #: The ``Link`` header's ``rel="deprecation"``/``"sunset"`` targets.
        self.documentation = tuple(documentation)
