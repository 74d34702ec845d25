"""Setting one status on many orders at once (``btc:update-orders``), accounting for every id.

The update is not transactional: the answer lists each id as valid or invalid. An answer that
does not account for every id sent, or no usable answer at all, is an :class:`UpdateOutcomeUnknown`
naming the ids in doubt: nothing is lost silently, and a POST is never sent twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from .._exceptions import InvalidDocument, LinkNotFound, ServerError
from .._link import Link
from .._resource import Resource
from ._create import IN_DOUBT
from ._filters import check_update_status
from ._ids import order_ids
from ._labels import listing, shop_label
from ._memory import learnt_about
from ._navigation import find_link, verb_for
from ._outcomes import UpdateOutcomeUnknown
from ._results import UpdateResult
from ._server_messages import add_server_message
from ._transitions import settable_statuses

__all__ = ["UPDATE_ORDERS_RELS", "update_orders"]

# The seed page of the bulk update is titled "update-orders"; servers spell it both ways.
UPDATE_ORDERS_RELS = ("btc:update-orders", "btc:update_orders", "update-orders", "update_orders")


def update_orders(shop: Resource, ids: Iterable[int | str], status: str) -> UpdateResult:
    """POST ``{"ids": ..., "additions": {"status": ...}}`` to the shop's bulk update."""
    allowed, source = settable_statuses(learnt_about(shop.client).transitions)
    check_update_status(status, allowed, source)
    sent = order_ids(ids)
    holder, link = _bulk_link(shop)
    body = {"ids": sent, "additions": {"status": status}}
    try:
        answer = holder.invoke(link.rel, json=body, method=verb_for(link, "POST"))
    except IN_DOUBT as exc:
        if isinstance(exc, ServerError):
            add_server_message(exc)
        raise UpdateOutcomeUnknown(
            f"the bulk update to {status!r} failed ({exc}); the outcome is unknown: the "
            f"server may have updated some or all of the orders sent: {listing(sent)}",
            ids=sent,
        ) from exc
    result = answer.cast(UpdateResult)
    try:
        missing, repeated = result.unaccounted(sent)
    except InvalidDocument as exc:
        raise UpdateOutcomeUnknown(
            f"the bulk update to {status!r} answered {answer.status_code}, but its lists of "
            f"valid and invalid items cannot be read ({exc}); the outcome is unknown for the "
            f"orders sent: {listing(sent)}",
            ids=sent,
            result=result,
        ) from exc
    if missing or repeated:
        flagged = {*missing, *repeated}
        doubtful = [i for i in sent if i in flagged]
        problems: list[str] = []
        if missing:
            problems.append(f"it lists neither as valid nor invalid: {listing(missing)}")
        if repeated:
            problems.append(f"it lists more than once: {listing(repeated)}")
        raise UpdateOutcomeUnknown(
            f"the bulk update to {status!r} answered, but {'; '.join(problems)}; the outcome "
            "for those orders is unknown",
            ids=doubtful,
            result=result,
        )
    return result


def _bulk_link(shop: Resource) -> tuple[Resource, Link]:
    try:
        return find_link(shop, *UPDATE_ORDERS_RELS)
    except LinkNotFound as exc:
        raise LinkNotFound(
            f"{shop_label(shop)} offers no bulk update: it has no 'btc:update-orders' or "
            f"'btc:update_orders' link; its relations: {', '.join(exc.available) or '(none)'}. "
            "The token may lack the admin scope, which the bulk update needs",
            rel=UPDATE_ORDERS_RELS[0],
            available=exc.available,
        ) from None
