"""Updating the orders a query selects: a stable walk for their ids, then the bulk update in
batches.

The ids are all read before the first batch is sent: the updates then cannot move orders under
the walk, a dry run and a real one select the same orders, and a failure can say exactly which
ids were not sent.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._resource import Resource
from ._bulk import DEFAULT_BATCH_SIZE, check_batch_size, combine, update_orders
from ._filters import check_update_status
from ._memory import learnt_about
from ._results import UpdateResult
from ._stable import StableWalk
from ._transitions import settable_statuses

__all__ = ["select_ids", "update_orders_where"]


def select_ids(shop: Resource, where: Mapping[str, object]) -> list[int | str]:
    """The ids of the orders matching ``where``, by a stable walk (each once)."""
    if not isinstance(where, Mapping):
        raise TypeError(
            f"where is a mapping of order filters, e.g. {{'status': 'pending'}}, got {where!r}"
        )
    if not any(value is not None for value in where.values()):
        raise ValueError(
            "where selects no orders by any filter: it would update every order of the shop; "
            "say so with where={'status': 'all'}"
        )
    ids: list[int | str] = []
    for order in StableWalk(shop, where):
        ident = order.id
        if isinstance(ident, bool) or not isinstance(ident, (int, str)):
            raise ValueError(f"order {order.code} has no usable id ({ident!r}) to update it by")
        ids.append(ident)
    return ids


def update_orders_where(
    shop: Resource,
    where: Mapping[str, object],
    status: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
) -> UpdateResult | list[int | str]:
    """Set ``status`` on every order ``where`` selects; with ``dry_run``, their ids alone."""
    allowed, source = settable_statuses(learnt_about(shop.client).transitions)
    check_update_status(status, allowed, source)
    check_batch_size(batch_size)
    ids = select_ids(shop, where)
    if dry_run:
        return ids
    if not ids:
        return combine(shop, [], status)
    return update_orders(shop, ids, status, batch_size)
