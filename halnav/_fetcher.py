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

from ._deadline import DeadlineOption
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
        deadline: DeadlineOption = ...,
    ) -> Representation:
        """Send a request and return its answer, raising :class:`~halnav.HTTPError` for a 4xx/5xx
        answer and :class:`~halnav.TransportError` when there is none. ``data`` is a body sent
        as it is (a form's), its ``Content-Type`` in ``headers``; ``json`` one encoded as JSON.

        ``deadline`` bounds the request as a whole (seconds, or a :class:`~halnav.Deadline`
        shared with other requests: a walk gives the same one to each of its pages), raising
        :class:`~halnav.DeadlineExceeded`; left out, the fetcher's own bound applies. A walk
        passes it only when it has a deadline of its own, so a fetcher that takes none (a test
        double) still serves walks without one."""
        ...

    def exchange(
        self,
        method: str,
        url: str,
        *,
        via: Via | None = None,
        deadline: DeadlineOption = ...,
    ) -> Callable[[], Representation]:
        """Send a request and read its answer now; the callable returned decodes it (and raises
        as :meth:`fetch` does), so that another thread can do that part. ``deadline`` as for
        :meth:`fetch`."""
        ...

    def walking(self, *, keep: bool = True) -> AbstractContextManager[None]:
        """A context for a walk's page requests (their retry budget); ``keep=False``: their
        answers are not newly stored in a cache. A walk's ``deadline`` given to a page request
        inside it bounds that request together with the fetcher's own per-request bound,
        whichever ends first."""
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
