"""One order of a shop, by its code or its id: through ``btc:order``, else the ``code`` filter.

``btc:order`` is written ``/orders/{code}`` (templated) by some servers and ``/orders/{id}``
*without* ``templated: true`` by the live API, whose order URLs take either an id or a code;
both are expanded with the value given.
"""

from __future__ import annotations

from .._exceptions import HALNavError, NotFound
from .._resource import Resource
from ._errors import OrderNotFound
from ._ids import id_key
from ._labels import shop_label
from ._navigation import embedded_as, find_optional_link, follow_expanded, link_variables
from ._order import Order
from ._query import query_orders

__all__ = ["ORDER_RELS", "find_order"]

ORDER_RELS = ("btc:order", "order")
# When a btc:order template has several variables, the one that names the order.
_ORDER_VARIABLES = ("code", "id", "code_or_id", "order_id", "order_code")


def find_order(shop: Resource, code_or_id: int | str) -> Order:
    """The order of ``shop`` whose code or id is ``code_or_id``; :class:`OrderNotFound` else."""
    if isinstance(code_or_id, bool) or not isinstance(code_or_id, (int, str)):
        raise TypeError(f"order() takes an order code or id, got {code_or_id!r}")
    if isinstance(code_or_id, str) and not code_or_id.strip():
        raise ValueError("order() needs an order code or id, got an empty string")
    holder, link = find_optional_link(shop, *ORDER_RELS)
    variable = _order_variable(link_variables(link)) if link else None
    if link is not None and variable is not None:
        try:
            found = follow_expanded(holder, link, {variable: code_or_id})
        except NotFound as exc:
            raise OrderNotFound(
                f"{shop_label(shop)} has no order {code_or_id!r} ({exc})", code_or_id=code_or_id
            ) from exc
        return found.cast(Order)
    return _by_code_filter(shop, code_or_id)


def _order_variable(variables: tuple[str, ...]) -> str | None:
    if len(variables) == 1:
        return variables[0]
    for name in _ORDER_VARIABLES:
        if name in variables:
            return name
    if variables:
        raise HALNavError(
            f"cannot tell which variable of btc:order names the order; it takes "
            f"{', '.join(variables)}"
        )
    return None


def _by_code_filter(shop: Resource, code_or_id: int | str) -> Order:
    page = query_orders(shop, {"code": str(code_or_id).strip()})
    wanted = id_key(code_or_id)
    for order in embedded_as(page, Order, "items"):
        if id_key(order.code or "").casefold() == wanted.casefold() or id_key(order.id) == wanted:
            return order
    raise OrderNotFound(
        f"{shop_label(shop)} has no order with code {code_or_id!r} (it has no btc:order link to "
        "look an order up by id)",
        code_or_id=code_or_id,
    )
