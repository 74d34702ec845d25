"""Order statuses and the moves between them: what a server declares, else the documented table.

An order says where it may go (``allowed_statuses``); an orders page says it for every status
(``transitions``). A move neither allows raises :class:`InvalidTransition` before any request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._json import is_array, is_object
from ._documented import ORDER_TRANSITIONS, UPDATE_STATUSES
from ._errors import InvalidTransition

__all__ = [
    "Transitions",
    "check_move",
    "read_allowed",
    "read_transitions",
    "settable_statuses",
]

#: ``{FROM: (TO, ...)}``: the statuses an order in each status may be set to.
Transitions = Mapping[str, tuple[str, ...]]


def read_transitions(document: Any) -> Transitions | None:
    """The ``transitions.status`` table of an orders page, if it has one."""
    transitions = document.get("transitions") if is_object(document) else None
    table = transitions.get("status") if is_object(transitions) else None
    if not is_object(table):
        return None
    found = {
        str(origin): tuple(target for target in targets if isinstance(target, str))
        for origin, targets in table.items()
        if is_array(targets)
    }
    return found or None


def read_allowed(document: Any) -> tuple[str, ...] | None:
    """An order's ``allowed_statuses``, if it lists them."""
    allowed = document.get("allowed_statuses") if is_object(document) else None
    if not is_array(allowed):
        return None
    return tuple(status for status in allowed if isinstance(status, str))


def settable_statuses(transitions: Transitions | None) -> tuple[tuple[str, ...], str]:
    """The statuses a bulk update may set, and who says so: those some other status moves to
    in ``transitions`` (``checkout`` is where orders start, never where one goes), else the
    documented ones."""
    if transitions:
        found: list[str] = []
        for origin, targets in transitions.items():
            for target in targets:
                if target != origin and target not in found:
                    found.append(target)
        if found:
            return tuple(found), "the statuses the server's transitions lead to"
    return UPDATE_STATUSES, "the documented statuses"


def check_move(
    label: str,
    current: str | None,
    status: Any,
    allowed_here: Sequence[str] | None,
    transitions: Transitions | None,
) -> None:
    """Raise :class:`InvalidTransition` unless an order in ``current`` may be set to ``status``.

    Who decides, first found: the order's ``allowed_statuses`` (``allowed_here``), the server's
    ``transitions``, the documented table. An order whose status is unknown is not checked.
    """
    if allowed_here is not None:
        allowed, source = tuple(allowed_here), "its allowed_statuses"
    elif current is not None and transitions is not None and current in transitions:
        allowed, source = transitions[current], "the server's transitions"
    elif current is not None and current in ORDER_TRANSITIONS:
        allowed, source = ORDER_TRANSITIONS[current], "the documented transitions"
    else:
        return
    if isinstance(status, str) and status in allowed:
        return
    raise InvalidTransition(
        f"{label} is {current!r} and cannot be set to {status!r}; allowed: "
        f"{', '.join(allowed) or '(none)'} ({source})",
        status=status,
        current=current,
        allowed=allowed,
    )
