"""The :class:`Fetcher` protocol: what a resource and a walk ask of the client that fetches.

Defined below both :class:`~halnav.Resource` and :class:`~halnav.Client`, so that the resource
depends on what it calls, not on who implements it. :class:`~halnav.Client` is the implementation;
a test double or another transport only needs these methods.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from contextlib import AbstractContextManager
from typing import Any, Protocol

from ._link import Via
from ._representation import Representation

__all__ = ["Fetcher"]


class Fetcher(Protocol):
    """Sends requests and gives back :class:`Representation` objects."""

    def fetch(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        via: Via | None = None,
        data: bytes | None = None,
    ) -> Representation:
        """Send a request and return its answer, raising :class:`~halnav.HTTPError` for a 4xx/5xx
        answer and :class:`~halnav.TransportError` when there is none. ``data`` is a body sent
        as it is (a form's), its ``Content-Type`` in ``headers``; ``json`` one encoded as JSON."""
        ...

    def exchange(
        self, method: str, url: str, *, via: Via | None = None
    ) -> Callable[[], Representation]:
        """Send a request and read its answer now; the callable returned decodes it (and raises
        as :meth:`fetch` does), so that another thread can do that part."""
        ...

    def walking(self, *, keep: bool = True) -> AbstractContextManager[None]:
        """A context for a walk's page requests (their retry budget); ``keep=False``: their
        answers are not newly stored in a cache."""
        ...

    def prefetch_executor(self, window: int) -> Executor:
        """The thread pool that fetches pages ahead for walks with ``prefetch=window``."""
        ...

    def cache_holds(self, body_size: int, count: int) -> bool:
        """Whether ``count`` answers of ``body_size`` bytes fit in the cache at once (``True``
        when there is no cache)."""
        ...

    def authenticates(self, url: str) -> bool:
        """Whether credentials would be sent to ``url``."""
        ...
