"""What every command shares: CLI errors, URL checks, and starting the sandbox."""

from __future__ import annotations

import argparse
from collections.abc import Generator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from .. import sandbox

__all__ = [
    "CLIError",
    "MissingExtra",
    "UsageError",
    "check_url",
    "looks_like_url",
    "option",
    "running_sandbox",
]


class CLIError(Exception):
    """A failure the command reports in one line; ``code`` is the exit status."""

    code = 1


class UsageError(CLIError):
    """The command line asks for something impossible (exit status 2, like argparse)."""

    code = 2


class MissingExtra(CLIError):
    """An optional dependency is not installed; the message names the pip extra."""


def option(args: argparse.Namespace, name: str) -> Any:
    """A global option that may have been given before or after the subcommand."""
    return getattr(args, name, None)


def looks_like_url(text: str) -> bool:
    """Whether a positional argument is a URL (absolute, or a path) rather than a relation."""
    return text.startswith(("http://", "https://", "/"))


def check_url(text: str, what: str) -> str:
    """``text`` if it is an absolute http(s) URL with a host, else a :class:`UsageError` saying
    what was given (``what``: ``--url``, ``$HALNAV_URL``...) and, for a URL without its scheme,
    what was probably meant. Without this, ``127.0.0.1:8000/v1`` would be read as a path."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise UsageError(f"{what} {text!r} is not a valid URL ({exc})") from None
    if parts.scheme in ("http", "https") and parts.hostname:
        return text
    hint = ""
    if "://" not in text and not text.startswith("/"):
        hint = f"; did you mean http://{text} (or https://)?"
    raise UsageError(f"{what} {text!r} is not an absolute http(s) URL{hint}")


@contextmanager
def running_sandbox(command: str, **options: Any) -> Generator[Any, None, None]:
    """Serve the in-memory Bootic sandbox on a free loopback port for the ``with`` block."""
    try:
        serve = sandbox.serve  # without werkzeug, the package raises ImportError here
    except ImportError as exc:
        raise MissingExtra(
            f"halnav {command} needs the sandbox extra: pip install 'halnav[sandbox]'"
        ) from exc
    with serve(**options) as url:
        yield url
