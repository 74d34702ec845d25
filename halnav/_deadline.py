"""Deadlines: the moment by which a request (or a whole walk) must be done, whatever happens.

A timeout bounds one wait (connecting, or the silence between two bytes); a server that drips a
byte a second never trips it. A :class:`Deadline` bounds the total: the transport caps every wait
by the time left (connecting, each read of the answer's head and body, redirects, and the sleeps
between retries), and gives up as soon as the time left cannot cover what comes next.

The deadline of the request being sent is set for the sending thread (a context variable) by
:func:`bound_by`, and read by the parts below the transport that urllib3 calls without any way
to pass it: the connection, the socket reads, the retry's sleeps.
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

import urllib3.exceptions

__all__ = [
    "Deadline",
    "DeadlineOption",
    "DeadlineReached",
    "bound_by",
    "capped_timeout",
    "current_deadline",
    "make_deadline",
]


class Deadline:
    """A moment on the monotonic clock: ``Deadline(30)`` is 30 seconds from now.

    Give one object to several calls (``client.request(..., deadline=d)``) to bound them all
    together, as a walk bounds its pages: each call has whatever time the earlier ones left.
    Thread-safe (it never changes).
    """

    __slots__ = ("at", "seconds")

    def __init__(self, seconds: float) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(f"a deadline is a number of seconds, got {seconds!r}")
        if math.isnan(seconds) or seconds <= 0:
            raise ValueError(f"a deadline must be more than 0 seconds, got {seconds!r}")
        #: The budget as given, in seconds (for messages).
        self.seconds = float(seconds)
        #: When it passes, on :func:`time.monotonic`'s clock.
        self.at = time.monotonic() + self.seconds

    def remaining(self) -> float:
        """Seconds left (0 or less once it has passed)."""
        return self.at - time.monotonic()

    @property
    def expired(self) -> bool:
        """Whether it has passed."""
        # Socket timeouts are rounded up to the millisecond: one that the deadline capped ends
        # at the deadline or a hair after, never noticeably before.
        return self.remaining() <= 0.001

    def describe(self) -> str:
        """``"the deadline of 5s"``, for messages."""
        return f"the deadline of {self.seconds:g}s"

    def __repr__(self) -> str:
        return f"<Deadline {self.seconds:g}s, {max(self.remaining(), 0.0):.3f}s left>"


#: What a ``deadline=`` argument takes: seconds from now, a :class:`Deadline`, or ``None``.
DeadlineOption = float | Deadline | None


def make_deadline(value: DeadlineOption) -> Deadline | None:
    """A :class:`Deadline` for a ``deadline=`` argument (seconds from now), or ``None``."""
    if value is None or isinstance(value, Deadline):
        return value
    return Deadline(value)


class DeadlineReached(urllib3.exceptions.TimeoutError):
    """Raised below the transport (a connection, a socket read, a retry's sleep) when the time
    left cannot cover what comes next; its text says what ("before retry 2: ...").

    A urllib3 error, so that requests and urllib3 pass it up like their own; the transport
    turns it into :class:`~halnav.DeadlineExceeded`. ``sent``: whether the request may have
    left (``False`` when it stopped before sending).
    """

    def __init__(self, text: str, *, sent: bool = True) -> None:
        super().__init__(text)
        self.sent = sent


def capped_timeout(timeout: Any, deadline: Deadline) -> Any:
    """``timeout`` (a number, a ``(connect, read)`` pair or ``None``) with no part longer than
    the time ``deadline`` leaves; raises :class:`DeadlineReached` when there is none left."""
    left = deadline.remaining()
    if deadline.expired:
        raise DeadlineReached("before sending the request", sent=False)
    if isinstance(timeout, tuple):
        pair = cast("tuple[float | None, float | None]", timeout)
        return tuple(left if part is None else min(part, left) for part in pair)
    if isinstance(timeout, (int, float)):
        return min(timeout, left)
    if timeout is None:
        return left
    return timeout  # a urllib3 Timeout of the caller's: the socket reads are capped anyway


_CURRENT: ContextVar[Deadline | None] = ContextVar("halnav_deadline", default=None)


def current_deadline() -> Deadline | None:
    """The deadline of the request this thread is sending, if it has one."""
    return _CURRENT.get()


@contextmanager
def bound_by(deadline: Deadline | None) -> Generator[None, None, None]:
    """Within the block, this thread's requests are bounded by ``deadline`` (``None``: none)."""
    token = _CURRENT.set(deadline)
    try:
        yield
    finally:
        _CURRENT.reset(token)
