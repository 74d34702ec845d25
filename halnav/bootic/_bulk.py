"""Setting one status on many orders at once (``btc:update-orders``), accounting for every id.

The update is not transactional: the answer lists each id as valid or invalid. An answer that
does not account for every id sent, or no usable answer at all, is an :class:`UpdateOutcomeUnknown`
naming the ids in doubt: nothing is lost silently, and a POST is never sent twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .._exceptions import InvalidDocument, LinkNotFound
from .._link import Link
from .._resource import Resource
from ._create import IN_DOUBT
from ._filters import check_update_status
from ._ids import id_key, order_ids
from ._labels import listing, shop_label
from ._memory import learnt_about
from ._navigation import find_link, verb_for
from ._outcomes import UpdateOutcomeUnknown
from ._results import UpdateResult
from ._transitions import settable_statuses

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "UPDATE_ORDERS_RELS",
    "check_batch_size",
    "combine",
    "update_orders",
]

# The seed page of the bulk update is titled "update-orders"; servers spell it both ways.
UPDATE_ORDERS_RELS = ("btc:update-orders", "btc:update_orders", "update-orders", "update_orders")
#: Ids sent in one request of a bulk update: the sandbox's largest page (the documentation
#: states no limit; a server may refuse or time out on very long lists).
DEFAULT_BATCH_SIZE = 200


def update_orders(
    shop: Resource, ids: Iterable[int | str], status: str, batch_size: int = DEFAULT_BATCH_SIZE
) -> UpdateResult:
    """POST ``{"ids": ..., "additions": {"status": ...}}`` to the shop's bulk update, in batches
    of ``batch_size`` ids; the answer (one batch), or the answers combined (several)."""
    allowed, source = settable_statuses(learnt_about(shop.client).transitions)
    check_update_status(status, allowed, source)
    check_batch_size(batch_size)
    sent = order_ids(ids)
    holder, link = _bulk_link(shop)
    batches = [sent[start : start + batch_size] for start in range(0, len(sent), batch_size)]
    answered: list[tuple[list[int | str], UpdateResult]] = []
    for number, batch in enumerate(batches):
        try:
            answered.append((batch, _send(holder, link, batch, status)))
        except UpdateOutcomeUnknown as exc:
            if len(batches) == 1:
                raise
            raise _stopped(shop, exc, status, answered, number, batches) from exc.__cause__
    if len(answered) == 1:
        return answered[0][1]
    return combine(shop, answered, status)


def check_batch_size(batch_size: object) -> int:
    """``batch_size`` if it is a whole number of at least 1, else :class:`ValueError`."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number of at least 1, got {batch_size!r}")
    return batch_size


def combine(
    shop: Resource,
    answered: Sequence[tuple[Sequence[int | str], UpdateResult]],
    status: str,
    leave_out: Iterable[int | str] = (),
) -> UpdateResult:
    """One :class:`UpdateResult` for batches sent and their answers (in the order sent): their
    ids, valid and invalid orders, but those of ``leave_out`` (ids in doubt)."""
    doubtful = {id_key(i) for i in leave_out}
    ids: list[object] = []
    valid: list[object] = []
    invalid: list[object] = []
    for batch, answer in answered:
        ids += [i for i in batch if id_key(i) not in doubtful]
        valid += [o.document for o in answer.valid_items if id_key(o.id) not in doubtful]
        invalid += [o.document for o in answer.invalid_items if id_key(o.id) not in doubtful]
    document = {
        "ids": ids,
        "additions": {"status": status},
        "removals": {},
        "_embedded": {"valid_items": valid, "invalid_items": invalid},
    }
    # The answers' summaries link their orders, maybe relatively: resolved as the answer was.
    base = next((answer.url for _, answer in answered if answer.url), None) or shop.url
    return UpdateResult(document, client=shop.client, base_url=base)


def _send(holder: Resource, link: Link, sent: list[int | str], status: str) -> UpdateResult:
    """One batch: its answer, accounting for every id it sent, else :class:`UpdateOutcomeUnknown`
    naming the ids in doubt (its ``result``: the answer's orders but those)."""
    body = {"ids": sent, "additions": {"status": status}}
    try:
        answer = holder.invoke(link.rel, json=body, method=verb_for(link, "POST"))
    except IN_DOUBT as exc:
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
            result=combine(holder, [(sent, result)], status, doubtful),
        )
    return result


def _stopped(
    shop: Resource,
    exc: UpdateOutcomeUnknown,
    status: str,
    answered: list[tuple[list[int | str], UpdateResult]],
    number: int,
    batches: list[list[int | str]],
) -> UpdateOutcomeUnknown:
    """The error that ends a run of batches at batch ``number``: its ids in doubt, what the
    batches before it (and its own answer, for the ids it accounted for) said, and the ids not
    sent."""
    unsent = [i for batch in batches[number + 1 :] for i in batch]
    known = list(answered)
    if exc.result is not None:  # the batch answered, but not for every id
        known.append((exc.result.ids, exc.result))
    result = combine(shop, known, status) if known else None
    valid = len(result.valid_items) if result is not None else 0
    invalid = len(result.invalid_items) if result is not None else 0
    return UpdateOutcomeUnknown(
        f"{exc} (batch {number + 1} of {len(batches)}, of {len(batches[number])} ids); "
        f"answered: {valid} updated, {invalid} refused (the error's result); not sent: "
        f"{len(unsent)} ids (the error's unsent); nothing was sent twice",
        ids=exc.ids,
        result=result,
        unsent=unsent,
    )


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
