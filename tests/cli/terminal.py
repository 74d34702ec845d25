"""Running ``halnav`` on a pseudo-terminal, and reading the screen it leaves."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time

COLUMNS = 100
_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_on_terminal(*args: str, env: dict[str, str], timeout: float = 60) -> tuple[int, str]:
    """``python -m halnav ARGS`` with stdin, stdout and stderr on one pseudo-terminal: its exit
    status and everything it wrote there."""
    return _on_terminal(list(args), env, timeout)


def run_typing_on_terminal(
    args: list[str], typed: str, *, prompt: bytes = b">>> ", timeout: float = 60
) -> tuple[int, str]:
    """``python -m halnav ARGS`` on a pseudo-terminal, ``typed`` line by line, each line once
    the program shows ``prompt``: its exit status and everything the terminal showed."""
    return _on_terminal(args, {}, timeout, typed.splitlines(keepends=True), prompt)


def _on_terminal(
    args: list[str],
    env: dict[str, str],
    timeout: float,
    typed: list[str] | None = None,
    prompt: bytes = b"",
) -> tuple[int, str]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, COLUMNS, 0, 0))
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HALNAV_")}
    environment.update(env)
    environment.update(PYTHONIOENCODING="utf-8", COLUMNS=str(COLUMNS), TERM="xterm")
    process = subprocess.Popen(
        [sys.executable, "-m", "halnav", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=environment,
        close_fds=True,
    )
    os.close(slave)
    shown = b""
    lines = list(typed or [])
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if lines and shown.endswith(prompt):
                os.write(master, lines.pop(0).encode())
            ready, _, _ = select.select([master], [], [], 0.2)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the other side is closed
                break
            if not data:
                break
            shown += data
        status = process.wait(timeout=max(1, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return status, shown.decode("utf-8", errors="replace")


def screen_lines(raw: str) -> list[str]:
    """The lines a terminal shows after ``raw``: a carriage return goes back to the start of
    the line, and what is written next overwrites what was there."""
    lines: list[str] = []
    line: list[str] = []
    column = 0
    for char in _ESCAPE.sub("", raw):
        if char == "\r":
            column = 0
        elif char == "\n":
            lines.append("".join(line).rstrip())
            line, column = [], 0
        else:
            if column < len(line):
                line[column] = char
            else:
                line.append(char)
            column += 1
    lines.append("".join(line).rstrip())
    return [text for text in lines if text]
