"""What every command shares: connection settings, CLI errors, and starting the sandbox."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .._client import Client

__all__ = [
    "ENV_TOKEN",
    "ENV_URL",
    "CLIError",
    "MissingExtra",
    "UsageError",
    "client_options",
    "looks_like_url",
    "make_client",
    "option",
    "running_sandbox",
    "setting_token",
    "setting_url",
]

ENV_URL = "HALNAV_URL"
ENV_TOKEN = "HALNAV_TOKEN"


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


def setting_url(args: argparse.Namespace) -> str | None:
    """``--url``, else ``$HALNAV_URL``, else ``None``."""
    return option(args, "url") or os.environ.get(ENV_URL) or None


def setting_token(args: argparse.Namespace) -> str | None:
    """``--token``, else ``$HALNAV_TOKEN``, else ``None``. Never printed."""
    return option(args, "token") or os.environ.get(ENV_TOKEN) or None


def looks_like_url(text: str) -> bool:
    """Whether a positional argument is a URL (absolute, or a path) rather than a relation."""
    return text.startswith(("http://", "https://", "/"))


def client_options(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for :class:`halnav.Client` from the global options (``--retries``)."""
    retries = option(args, "retries")
    return {} if retries is None else {"retries": retries}


def make_client(root_url: str, token: str | None, args: argparse.Namespace) -> Client:
    """A :class:`halnav.Client` for ``root_url``; the token goes to that origin only."""
    return Client(root_url, token=token, **client_options(args))


@contextmanager
def running_sandbox(command: str, **options: Any) -> Iterator[Any]:
    """Serve the in-memory Bootic sandbox on a free loopback port for the ``with`` block."""
    try:
        from ..sandbox import serve
    except ImportError as exc:
        raise MissingExtra(
            f"halnav {command} needs the sandbox extra: pip install 'halnav[sandbox]'"
        ) from exc
    with serve(**options) as url:
        yield url
