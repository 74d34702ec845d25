"""halnav.bootic: a thin layer over the Bootic API, reached through its relations only.

>>> from halnav.bootic import BooticClient
>>> bootic = BooticClient(token="...")
>>> shop = bootic.shop()
>>> page = shop.orders(status="pending", sort="created_on.desc", per_page=50)
>>> for order in shop.iter_orders(status="successful", closed_on_gte="2016-05-10"):
...     print(order["code"], order["total"])
>>> order = shop.create_order(line_items=[{"variant_id": 1234, "units": 3}])
>>> order.checkout_url
>>> order = shop.order("R1C3964").set_status("closed")
>>> result = shop.update_orders([577048, 12001], status="shipped")
>>> result.valid_items, result.invalid_items
>>> for order in shop.iter_orders(status="pending", stable=True):   # exactly once, however
...     order.set_status("closed")                                  # the orders change
>>> shop.update_orders_where({"status": "pending"}, status="closed", batch_size=200)
>>> report = shop.sync_orders("orders.sqlite")                     # a local SQLite mirror

:class:`Shop`, :class:`Order`, :class:`OrderPage` and :class:`UpdateResult` are subclasses of
:class:`halnav.Resource` (made with ``Resource.cast``), so every generic method works on them.
"""

from .._public import publish as _publish
from ._bulk import DEFAULT_BATCH_SIZE
from ._client import DEFAULT_ROOT_URL, DEFAULT_TOKEN_URL, BooticClient
from ._documented import (
    MAX_PER_PAGE,
    ORDER_FILTERS,
    ORDER_SORTS,
    ORDER_STATUSES,
    ORDER_TRANSITIONS,
    UPDATE_STATUSES,
    OrderFilter,
    OrderFilters,
)
from ._errors import (
    InvalidFilter,
    InvalidTransition,
    OrderNotEditable,
    OrderNotFound,
    ShopNotFound,
)
from ._filters import check_update_status, order_query
from ._mirror import MirrorError, MirrorState, read_mirror
from ._order import Order
from ._outcomes import CreateOutcomeUnknown, OutcomeUnknown, UpdateOutcomeUnknown
from ._page import OrderPage
from ._results import UpdateResult
from ._shop import Shop
from ._stable import StableWalk
from ._sync import DEFAULT_OVERLAP, SyncError, SyncReport, sync_identity

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_OVERLAP",
    "DEFAULT_ROOT_URL",
    "DEFAULT_TOKEN_URL",
    "MAX_PER_PAGE",
    "ORDER_FILTERS",
    "ORDER_SORTS",
    "ORDER_STATUSES",
    "ORDER_TRANSITIONS",
    "UPDATE_STATUSES",
    "BooticClient",
    "CreateOutcomeUnknown",
    "InvalidFilter",
    "InvalidTransition",
    "MirrorError",
    "MirrorState",
    "Order",
    "OrderFilter",
    "OrderFilters",
    "OrderNotEditable",
    "OrderNotFound",
    "OrderPage",
    "OutcomeUnknown",
    "Shop",
    "ShopNotFound",
    "StableWalk",
    "SyncError",
    "SyncReport",
    "UpdateOutcomeUnknown",
    "UpdateResult",
    "check_update_status",
    "order_query",
    "read_mirror",
    "sync_identity",
]

# Tracebacks and reprs name the public path (halnav.bootic.InvalidFilter), not the private module.
_publish(__name__, globals(), __all__)
