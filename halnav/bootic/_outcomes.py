"""The errors of writes whose outcome is unknown: the server may or may not have applied them.

``OutcomeUnknown`` errors chain the original :class:`halnav.TransportError`,
:class:`halnav.ServerError` or :class:`halnav.InvalidDocument` as ``__cause__``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._exceptions import HALNavError
from ._results import UpdateResult

__all__ = ["CreateOutcomeUnknown", "OutcomeUnknown", "UpdateOutcomeUnknown"]


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
    """A bulk update failed, or answered without accounting for every id, so ``ids`` are in doubt.

    Every id given is in exactly one of: ``result.valid_items``, ``result.invalid_items``,
    ``ids`` (in doubt) and ``unsent``.
    """

    def __init__(
        self,
        message: str,
        *,
        ids: Sequence[int | str],
        result: UpdateResult | None = None,
        unsent: Sequence[int | str] = (),
    ) -> None:
        super().__init__(message)
        #: The ids whose outcome is unknown (all that the failed request sent, when there was no
        #: answer).
        self.ids = list(ids)
        #: What the server answered for the other ids sent (the batches answered before, and
        #: the failed batch's answer for the ids it did account for); ``None`` when nothing was.
        self.result = result
        #: The ids of the batches after the failed one, never sent.
        self.unsent = list(unsent)
