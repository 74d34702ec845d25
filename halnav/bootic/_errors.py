"""The errors only the Bootic layer raises.

The tree (every class also derives from :class:`halnav.HALNavError`)::

    HALNavError
    ├── InvalidFilter (ValueError)     an order filter or status the API does not document
    ├── ShopNotFound (LookupError)     no shop with that id or subdomain among the token's shops
    └── OutcomeUnknown                 an unsafe request got no usable answer: it may have applied
        ├── CreateOutcomeUnknown       ...creating an order (it may or may not exist now)
        └── UpdateOutcomeUnknown       ...a bulk update (``ids`` lists the orders in doubt)

``OutcomeUnknown`` errors chain the original :class:`halnav.TransportError`,
:class:`halnav.ServerError` or :class:`halnav.InvalidDocument` as ``__cause__``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .._exceptions import HALNavError

if TYPE_CHECKING:
    from ._results import UpdateResult

__all__ = [
    "CreateOutcomeUnknown",
    "InvalidFilter",
    "OutcomeUnknown",
    "ShopNotFound",
    "UpdateOutcomeUnknown",
]


class InvalidFilter(HALNavError, ValueError):
    """A filter name or value outside the documented ones; raised before any request."""

    def __init__(
        self, message: str, *, name: str = "", value: Any = None, allowed: Iterable[str] = ()
    ) -> None:
        super().__init__(message)
        self.name = name
        self.value = value
        #: The documented names (for an unknown filter) or values (for a bad value).
        self.allowed = tuple(allowed)


class ShopNotFound(HALNavError, LookupError):
    """The root lists no shop with the id or subdomain asked for."""

    def __init__(self, message: str, *, available: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.available = tuple(available)


class OutcomeUnknown(HALNavError):
    """An unsafe request failed without a usable answer; the server may have applied it."""


class CreateOutcomeUnknown(OutcomeUnknown):
    """Creating an order failed without a usable answer: an order may or may not exist now."""

    def __init__(self, message: str, *, body: dict[str, Any]) -> None:
        super().__init__(message)
        #: The JSON body that was sent.
        self.body = body


class UpdateOutcomeUnknown(OutcomeUnknown):
    """A bulk update failed, or answered without accounting for every id, so ``ids`` are in doubt."""

    def __init__(
        self, message: str, *, ids: Sequence[int | str], result: UpdateResult | None = None
    ) -> None:
        super().__init__(message)
        #: The ids whose outcome is unknown (all that were sent, when there was no answer).
        self.ids = list(ids)
        #: The answer, when there was one (it did not account for every id).
        self.result = result
