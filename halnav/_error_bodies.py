"""Reading what a server says in an error answer's body: the entries of a Bootic ``errors`` list.

Pure functions on decoded documents: nothing here knows HTTP or the resource class.
"""

from __future__ import annotations

from typing import Any

from ._json import is_array, is_object

__all__ = ["error_entries", "summarize_errors"]


def error_entries(document: Any) -> list[dict[str, Any]]:
    """The Bootic ``_embedded.errors`` list (entries with ``field`` and ``messages``)."""
    if not is_object(document):
        return []
    embedded = document.get("_embedded")
    errors = embedded.get("errors") if is_object(embedded) else None
    if is_object(errors):
        return [errors]
    if not is_array(errors):
        return []
    return [entry for entry in errors if is_object(entry)]


def summarize_errors(errors: list[dict[str, Any]]) -> str:
    """``field: message; field: message`` for an exception message."""
    parts: list[str] = []
    for entry in errors:
        messages: object = entry.get("messages")
        if isinstance(messages, str):
            messages = [messages]
        text = "; ".join(str(m) for m in messages) if is_array(messages) else ""
        field = entry.get("field")
        parts.append(f"{field}: {text}" if field else text)
    return "; ".join(part for part in parts if part)
