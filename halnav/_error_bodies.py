"""Reading what a server says in an error answer's body: the entries of a Bootic ``errors`` list.

Pure functions on decoded documents: nothing here knows HTTP or the resource class.
"""

from __future__ import annotations

from typing import Any

__all__ = ["error_entries", "summarize_errors"]


def error_entries(document: Any) -> list[dict[str, Any]]:
    """The Bootic ``_embedded.errors`` list (entries with ``field`` and ``messages``)."""
    if not isinstance(document, dict):
        return []
    embedded = document.get("_embedded")
    errors = embedded.get("errors") if isinstance(embedded, dict) else None
    if isinstance(errors, dict):
        errors = [errors]
    if not isinstance(errors, list):
        return []
    return [entry for entry in errors if isinstance(entry, dict)]


def summarize_errors(errors: list[dict[str, Any]]) -> str:
    """``field: message; field: message`` for an exception message."""
    parts = []
    for entry in errors:
        messages = entry.get("messages")
        if isinstance(messages, str):
            messages = [messages]
        text = "; ".join(str(m) for m in messages) if isinstance(messages, list) else ""
        field = entry.get("field")
        parts.append(f"{field}: {text}" if field else text)
    return "; ".join(part for part in parts if part)
