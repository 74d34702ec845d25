"""A progress bar on stderr: tqdm (the ``cli`` extra) when stderr is a terminal, else nothing."""

from __future__ import annotations

import sys
from typing import IO, Any

__all__ = ["Progress"]


class Progress:
    """Counts items; shows a tqdm bar only when tqdm is installed and ``stream`` is a terminal.

    >>> with Progress(total=14486, description="orders") as bar:
    ...     for order in orders:
    ...         bar.update()
    """

    def __init__(
        self, total: int | None = None, description: str = "", stream: IO[str] | None = None
    ) -> None:
        self.count = 0
        self._bar: Any = None
        stream = stream if stream is not None else sys.stderr
        if not _is_terminal(stream):
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self._bar = tqdm(total=total, desc=description, unit=" items", file=stream, leave=False)

    @property
    def shown(self) -> bool:
        """Whether a bar is being drawn."""
        return self._bar is not None

    def update(self, amount: int = 1) -> None:
        """Count ``amount`` more items."""
        self.count += amount
        if self._bar is not None:
            self._bar.update(amount)

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
