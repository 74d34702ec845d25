"""What the layer has learnt of a server from the orders pages it fetched, per client.

An orders page declares its search form (which filters, which values) and the status
``transitions``. The layer remembers them for the client that fetched the page, so that the next
query is checked before it is sent, and a bulk update knows which statuses exist. Forms are kept
by collection URL (one per shop), transitions once per client (one API, one status machine).
The memory goes with the client (weakly held).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from ._forms import SearchForm
from ._transitions import Transitions

__all__ = ["Learnt", "learnt_about", "remember_form", "remember_transitions"]


@dataclass
class Learnt:
    """What one client's pages declared."""

    #: By collection URL: the search form, or ``None`` when the page declared none.
    forms: dict[str, SearchForm | None] = field(default_factory=dict[str, SearchForm | None])
    #: The ``transitions.status`` table of the last orders page that had one.
    transitions: Transitions | None = None


_LOCK = threading.Lock()
_BY_CLIENT: weakref.WeakKeyDictionary[Any, Learnt] = weakref.WeakKeyDictionary()


def learnt_about(client: object) -> Learnt:
    """The memory of ``client`` (a new, empty one the first time; one that is not kept when
    the client cannot be referenced weakly)."""
    with _LOCK:
        try:
            found = _BY_CLIENT.get(client)
            if found is None:
                found = _BY_CLIENT[client] = Learnt()
        except TypeError:  # not weakly referenceable, or not hashable
            return Learnt()
        return found


def remember_form(client: object, collection: str, form: SearchForm | None) -> None:
    """Keep ``form`` (or its absence) as the one of ``collection`` for ``client``."""
    memory = learnt_about(client)
    with _LOCK:
        memory.forms[collection] = form


def remember_transitions(client: object, transitions: Transitions | None) -> None:
    """Keep ``transitions`` for ``client``, when a page declared them."""
    if transitions is None:
        return
    memory = learnt_about(client)
    with _LOCK:
        memory.transitions = transitions
