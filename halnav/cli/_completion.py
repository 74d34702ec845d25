"""``halnav completion bash|zsh|fish``: a shell script that completes halnav's commands and options.

The script asks halnav itself (through argcomplete, the ``cli`` extra) what may come next, so
the completions are read from the very parser that parses the command line: they cannot drift.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ._common import MissingExtra

__all__ = ["SHELLS", "add_parser", "complete_if_asked", "script"]

SHELLS = ("bash", "zsh", "fish")
_INSTALL = {
    "bash": 'eval "$(halnav completion bash)"   # in ~/.bashrc',
    "zsh": 'eval "$(halnav completion zsh)"    # in ~/.zshrc, after compinit',
    "fish": "halnav completion fish > ~/.config/fish/completions/halnav.fish",
}


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Register ``completion``."""
    parser = subparsers.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description="Print the script that makes SHELL complete halnav's commands and options. "
        + " ".join(f"{shell}: {line}." for shell, line in _INSTALL.items()),
    )
    parser.add_argument("shell", choices=SHELLS, help="the shell")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``halnav completion``."""
    sys.stdout.write(script(args.shell))
    return 0


def script(shell: str) -> str:
    """The completion script for ``shell``."""
    try:
        from argcomplete.shell_integration import shellcode
    except ImportError as exc:
        raise MissingExtra(
            "shell completion needs the cli extra: pip install 'halnav[cli]'"
        ) from exc
    return shellcode(["halnav"], shell=shell)


def complete_if_asked(parser: argparse.ArgumentParser) -> None:
    """When a shell's completion runs halnav (``_ARGCOMPLETE`` set), print the completions and
    exit; otherwise do nothing (argcomplete is not even imported)."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    try:
        import argcomplete
    except ImportError:
        return
    argcomplete.autocomplete(parser)
