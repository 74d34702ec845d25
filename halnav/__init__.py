"""halnav: a HAL (application/hal+json) hypermedia client.

>>> import halnav
>>> client = halnav.Client("https://api.bootic.net/v1", token="...")
>>> root = client.root()
>>> root.rels
['self', 'btc:shop', 'btc:docs', 'shops']
"""

import logging

from ._cache_stores import CacheStats, DiskCache, MemoryCache
from ._client import Client
from ._curies import Curies
from ._deadline import Deadline
from ._exceptions import (
    AmbiguousRelation,
    BadRequest,
    BodyTooLarge,
    Conflict,
    DeadlineExceeded,
    DeprecatedLinkWarning,
    DeprecatedResourceWarning,
    Forbidden,
    FormError,
    Gone,
    HALNavError,
    HALNavWarning,
    HTTPError,
    InvalidDocument,
    LinkNotFound,
    MethodNotAllowed,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    PropertyNotFound,
    ServerError,
    TemplateError,
    TooManyRequests,
    TransportError,
    Unauthorized,
    UnprocessableEntity,
    UnsupportedMediaType,
    WalkCountMismatch,
)
from ._fetcher import Fetcher
from ._form_fields import Field, FieldOption
from ._forms import Form
from ._link import Link
from ._oauth import ClientCredentials
from ._pagination import Walk
from ._public import publish as _publish
from ._representation import Representation
from ._resource import Resource
from ._version import __version__

__all__ = [
    "AmbiguousRelation",
    "BadRequest",
    "BodyTooLarge",
    "CacheStats",
    "Client",
    "ClientCredentials",
    "Conflict",
    "Curies",
    "Deadline",
    "DeadlineExceeded",
    "DeprecatedLinkWarning",
    "DeprecatedResourceWarning",
    "DiskCache",
    "Fetcher",
    "Field",
    "FieldOption",
    "Forbidden",
    "Form",
    "FormError",
    "Gone",
    "HALNavError",
    "HALNavWarning",
    "HTTPError",
    "InvalidDocument",
    "Link",
    "LinkNotFound",
    "MemoryCache",
    "MethodNotAllowed",
    "NotFound",
    "PreconditionFailed",
    "PreconditionRequired",
    "PropertyNotFound",
    "Representation",
    "Resource",
    "ServerError",
    "TemplateError",
    "TooManyRequests",
    "TransportError",
    "Unauthorized",
    "UnprocessableEntity",
    "UnsupportedMediaType",
    "Walk",
    "WalkCountMismatch",
    "__version__",
]

_publish(__name__, globals(), __all__)

# Library hygiene: silent unless the application configures logging.
logging.getLogger("halnav").addHandler(logging.NullHandler())
