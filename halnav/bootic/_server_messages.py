"""The server's own words in an error: the ``message`` of a Bootic error body.

Bootic answers 401, 403, 404 (and a page past the last) with ``{"_class": ["errors"],
"message": "..."}``. When halnav's core leaves that message out of an :class:`HTTPError`'s text,
the layer adds it, so that every error raised through the layer says what the server said.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from .._exceptions import HTTPError
from .._json import is_object

__all__ = ["server_message", "server_messages", "with_server_messages"]

P = ParamSpec("P")
T = TypeVar("T")


def server_message(error: HTTPError) -> str | None:
    """The ``message`` of the error's body, if it has one."""
    resource = error.resource
    document = resource.document if resource is not None else None
    message = document.get("message") if is_object(document) else None
    if isinstance(message, str) and message.strip():
        return message.strip()
    return None


def add_server_message(error: HTTPError) -> None:
    """Put the body's ``message`` in the error's text, unless it is there already."""
    message = server_message(error)
    if message and message not in error.message:
        error.message = f"{error.message}: {message}"
        error.args = (error.message,)


@contextmanager
def server_messages() -> Generator[None, None, None]:
    """Within the block, an :class:`HTTPError` that propagates carries the server's message."""
    try:
        yield
    except HTTPError as error:
        add_server_message(error)
        raise


def with_server_messages(function: Callable[P, T]) -> Callable[P, T]:
    """``function``, whose :class:`HTTPError` s carry the server's message."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with server_messages():
            return function(*args, **kwargs)

    return wrapper
