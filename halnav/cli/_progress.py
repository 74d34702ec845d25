"""A progress bar on stderr: tqdm (the ``cli`` extra) when stderr is a terminal, else nothing.

When stdout is a terminal too (the bar and the output share a screen), output must go through
:meth:`Progress.writer`: the bar is cleared before each write and drawn again after it, so no
output line is ever cut by the bar.
"""

from __future__ import annotations

import sys
from typing import IO, Any, cast

__all__ = ["Progress"]


class Progress:
    """Counts items; shows a tqdm bar only when tqdm is installed and ``stream`` is a terminal.

    >>> with Progress(total=14486, description="orders") as bar:
    ...     out = bar.writer(sys.stdout)
    ...     for order in orders:
    ...         out.write(f"{order['code']}\\n")
    ...         bar.update()
    """

    def __init__(
        self, total: int | None = None, description: str = "", stream: IO[str] | None = None
    ) -> None:
        self.count = 0
        self._bar: Any = None
        self._writers: list[_AroundBar] = []
        stream = stream if stream is not None else sys.stderr
        if not _is_terminal(stream):
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        # miniters=1: tqdm's monitor thread then never redraws the bar by itself, so the bar is
        # drawn only from this thread, between two writes of the output (see writer()).
        self._bar = tqdm(
            total=total, desc=description, unit=" items", file=stream, leave=False, miniters=1
        )

    @property
    def shown(self) -> bool:
        """Whether a bar is being drawn."""
        return self._bar is not None

    def update(self, amount: int = 1) -> None:
        """Count ``amount`` more items."""
        self.count += amount
        if self._bar is not None:
            self._bar.update(amount)

    def writer(self, out: IO[str]) -> IO[str]:
        """``out``, or, when the bar is shown and ``out`` is a terminal, a stream that clears the
        bar before each write and draws it again after."""
        if self._bar is None or not _is_terminal(out):
            return out
        writer = _AroundBar(out, self)
        self._writers.append(writer)
        return cast(IO[str], writer)

    def clear(self) -> None:
        """Take the bar off the screen (it is drawn again at the next update)."""
        if self._bar is not None:
            self._bar.clear()

    def refresh(self) -> None:
        """Draw the bar again now."""
        if self._bar is not None:
            self._bar.refresh()

    def close(self) -> None:
        """Remove the bar, then write what its writers held back (a line not ended)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        writers, self._writers = self._writers, []
        for writer in writers:
            writer.release()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class _AroundBar:
    """A text stream whose writes never share a line with the progress bar."""

    def __init__(self, out: IO[str], progress: Progress) -> None:
        self._out = out
        self._progress = progress
        self._pending = ""  # the start of a line not ended yet: the bar must not follow it

    def write(self, text: str) -> int:
        lines, newline, rest = (self._pending + text).rpartition("\n")
        self._pending = rest
        if newline:
            self._put(lines + newline)
        return len(text)

    def flush(self) -> None:
        # A line not ended is held until the bar is gone: the bar would be drawn after it.
        self._out.flush()

    def release(self) -> None:
        """Write the line not ended (the bar is gone)."""
        pending, self._pending = self._pending, ""
        if pending:
            self._out.write(pending)
        self._out.flush()

    def _put(self, text: str) -> None:
        self._progress.clear()
        self._out.write(text)
        self._out.flush()  # on the screen before the bar is drawn after it
        self._progress.refresh()

    def isatty(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._out, name)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
