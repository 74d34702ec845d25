"""``--output FILE``: written whole or not at all.

The output goes to a temporary file beside ``FILE``, renamed over it once complete: an
interrupted or failed run leaves ``FILE`` as it was, and says so.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Generator
from contextlib import contextmanager
from typing import IO, cast

from ._common import CLIError

__all__ = ["Interrupted", "add_note", "output_stream"]


class Interrupted(CLIError):
    """Ctrl-C: exit status 130, as a shell reports a process stopped by SIGINT."""

    code = 130


@contextmanager
def output_stream(path: str | None, newline: str | None = None) -> Generator[IO[str], None, None]:
    """stdout (``path`` ``None``), or a file at ``path`` that appears only when the block ends
    without an error. ``newline`` is :func:`open`'s (``""`` for CSV)."""
    if path is None:
        yield sys.stdout
        return
    directory = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(
            dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".part"
        )
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        os.fchmod(handle, _mode_for(path))
        with os.fdopen(handle, "w", encoding="utf-8", newline=newline) as stream:
            yield stream
        os.replace(temporary, path)
    except KeyboardInterrupt:
        _remove(temporary)
        raise Interrupted(f"interrupted: nothing written to {path}") from None
    except BaseException as exc:
        _remove(temporary)
        add_note(exc, f"nothing written to {path}")
        raise


def add_note(exc: BaseException, note: str) -> None:
    """``exc.add_note(note)`` (Python 3.11+), by hand on 3.10; the failure line shows notes."""
    notes: object = getattr(exc, "__notes__", None)
    if isinstance(notes, list):
        cast("list[str]", notes).append(note)
    else:
        setattr(exc, "__notes__", [note])  # noqa: B010 - BaseException.add_note is 3.11's


def _mode_for(path: str) -> int:
    """The mode of the file replaced, else what a new file gets (0666 less the umask)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
