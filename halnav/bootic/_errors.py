"""The errors only the Bootic layer raises about what is asked of it (the unknown outcomes of
writes are in ``_outcomes``).

The tree (every class also derives from :class:`halnav.HALNavError`)::

    HALNavError
    ├── InvalidFilter (ValueError)     an order filter or status the server does not accept
    ├── InvalidTransition (ValueError) a status an order may not move to (``allowed`` lists those)
    ├── OrderNotEditable (ValueError)  editing an order past checkout (its status moves by set_status)
    ├── ShopNotFound (LookupError)     no shop with that id or subdomain among the token's shops
    ├── OrderNotFound (LookupError)    no order with that code or id in the shop
    ├── MirrorError                    a mirror file a sync cannot use (``_mirror``)
    ├── SyncError                      a sync that stopped (``_sync``; ``report``: how far it got)
    └── OutcomeUnknown                 an unsafe request got no usable answer: it may have applied
        ├── CreateOutcomeUnknown       ...creating an order (``location`` when it was created)
        └── UpdateOutcomeUnknown       ...a bulk update (``ids`` in doubt, ``unsent``)

"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._exceptions import HALNavError

__all__ = [
    "InvalidFilter",
    "InvalidTransition",
    "OrderNotEditable",
    "OrderNotFound",
    "ShopNotFound",
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
