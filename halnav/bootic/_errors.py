"""The errors only the Bootic layer raises.

The tree (every class also derives from :class:`halnav.HALNavError`)::

    HALNavError
    ├── InvalidFilter (ValueError)     an order filter or status the server does not accept
    ├── InvalidTransition (ValueError) a status an order may not move to (``allowed`` lists those)
    ├── OrderNotEditable (ValueError)  editing an order past checkout (its status moves by set_status)
    ├── ShopNotFound (LookupError)     no shop with that id or subdomain among the token's shops
    ├── OrderNotFound (LookupError)    no order with that code or id in the shop
    └── OutcomeUnknown                 an unsafe request got no usable answer: it may have applied
        ├── CreateOutcomeUnknown       ...creating an order (``location`` when it was created)
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
    "InvalidTransition",
    "OrderNotEditable",
    "OrderNotFound",
    "OutcomeUnknown",
    "ShopNotFound",
    "UpdateOutcomeUnknown",
]


class InvalidFilter(HALNavError, ValueError):
    """A filter name or value the server does not accept (what it declares, else what the
    documentation says); raised before the filtered request is sent."""

    def __init__(
        self, message: str, *, name: str = "", value: Any = None, allowed: Iterable[str] = ()
    ) -> None:
        super().__init__(message)
        self.name = name
        self.value = value
        #: The documented names (for an unknown filter) or values (for a bad value).
        self.allowed = tuple(allowed)


class InvalidTransition(HALNavError, ValueError):
    """A status an order may not move to from its current one; raised before any request."""

    def __init__(
        self, message: str, *, status: Any, current: str | None, allowed: Iterable[str]
    ) -> None:
        super().__init__(message)
        #: The status asked for.
        self.status = status
        #: The order's status when it was asked.
        self.current = current
        #: The statuses it may move to.
        self.allowed = tuple(allowed)


class OrderNotEditable(HALNavError, ValueError):
    """Only orders in ``checkout`` can be edited (``btc:update_order``); this one is past it."""

    def __init__(self, message: str, *, status: str | None) -> None:
        super().__init__(message)
        #: The order's status.
        self.status = status


class OrderNotFound(HALNavError, LookupError):
    """The shop has no order with that code or id."""

    def __init__(self, message: str, *, code_or_id: int | str) -> None:
        super().__init__(message)
        self.code_or_id = code_or_id


class ShopNotFound(HALNavError, LookupError):
    """The root lists no shop with the id or subdomain asked for."""

    def __init__(self, message: str, *, available: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.available = tuple(available)


class OutcomeUnknown(HALNavError):
    """An unsafe request failed without a usable answer; the server may have applied it."""


class CreateOutcomeUnknown(OutcomeUnknown):
    """Creating an order failed without a usable answer: an order may or may not exist now.

    When the server answered ``201 Created`` but the new order could not be fetched from its
    ``Location``, the order exists: ``location`` is its URL.
    """

    def __init__(self, message: str, *, body: dict[str, Any], location: str | None = None) -> None:
        super().__init__(message)
        #: The JSON body that was sent.
        self.body = body
        #: The new order's URL, when the server answered that it created one.
        self.location = location


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
