"""Reading what a server says in an error answer's body, whatever server wrote it.

Pure functions on decoded documents: nothing here knows HTTP or the resource class.
:func:`read_error_body` reads the shapes real servers send (see its docstring) into one
normalised form; :func:`error_entries` reads Bootic's ``_embedded.errors`` entries as written.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ._json import is_array, is_object

__all__ = ["ErrorBody", "error_entries", "read_error_body", "summarize_body", "summarize_errors"]


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


#: The locations FastAPI names first in a validation error's ``loc``; ``body`` adds nothing to a
#: field's name, the others (``query``, ``path``...) say where the field was and stay.
_BODY = "body"
#: The most entries a message lists (``errors`` keeps them all).
_LISTED = 10


class ErrorBody(NamedTuple):
    """What an error answer's body says, whatever its shape."""

    #: The server's general text (``detail``, ``message``, ``title``...), or ``None``.
    message: str | None
    #: Normalised entries: ``{"field": "title" or None, "messages": ["..."]}``.
    errors: list[dict[str, Any]]
    #: Which shape was read: ``hal``, ``problem``, ``detail``, ``fastapi``, ``drf``, ``eve``,
    #: ``github``, ``vnd.error``, ``message``, or ``""`` for none.
    shape: str


def read_error_body(document: Any) -> ErrorBody:
    """Read a decoded error body: Bootic/HAL ``_embedded.errors``, Spring's vnd.error, RFC 9457
    problem details (``errors`` and ``invalid-params`` extensions), FastAPI ``detail`` (text or
    a validation list), DRF field maps and ``non_field_errors``, Eve ``_error``/``_issues``,
    GitHub ``message`` + ``errors``, and a plain ``message``/``error``.

    Never raises: what is not understood is left out (the raw body stays on the answer).
    """
    if is_array(document):
        return ErrorBody(None, _list_entries(None, document), "drf" if document else "")
    if not is_object(document):
        return ErrorBody(None, [], "")
    if "_issues" in document or "_error" in document:
        return _eve(document)
    embedded = document.get("_embedded")
    if is_object(embedded) and "errors" in embedded:
        entries = _hal_entries(embedded.get("errors"))
        return ErrorBody(_text(document.get("message")), entries, "hal")
    if _is_problem(document):
        return _problem(document)
    if "detail" in document:
        # FastAPI's HTTPException and DRF's exceptions: {"detail": "Not found."}; FastAPI's
        # validation errors: {"detail": [{"loc": [...], "msg": ..., "type": ...}]}.
        detail = document.get("detail")
        if is_array(detail):
            return ErrorBody(None, _fastapi_entries(detail), "fastapi")
        if is_object(detail):
            inner = read_error_body(detail)
            return ErrorBody(inner.message or _compact(detail), inner.errors, "detail")
        if _text(detail) is not None:
            return ErrorBody(_text(detail), [], "detail")
    message = _text(document.get("message"))
    if message is not None or "errors" in document:
        errors = document.get("errors")
        entries = _github_entries(errors)
        shape = "github" if "errors" in document or "documentation_url" in document else "message"
        if message is None and not entries:
            shape = ""
        if "logref" in document:
            shape = "vnd.error"
            path = _text(document.get("path"))
            if path is not None and message is not None:
                return ErrorBody(message, [_entry(_pointer_field(path), [message])], shape)
        return ErrorBody(message, entries, shape)
    error = document.get("error")
    if is_object(error):
        inner = read_error_body(error)
        if inner.message is not None or inner.errors:
            return inner
    if isinstance(error, str):
        described = _text(document.get("error_description"))
        return ErrorBody(f"{error}: {described}" if described else error, [], "message")
    if _is_field_map(document):
        return ErrorBody(None, _map_entries(None, document), "drf")
    return ErrorBody(None, [], "")


def summarize_body(body: ErrorBody) -> str:
    """The server's text and its entries in one line, for an exception message."""
    parts = [body.message] if body.message else []
    listed = summarize_errors(body.errors[:_LISTED])
    if listed and listed != body.message:
        parts.append(listed)
    if len(body.errors) > _LISTED:
        parts.append(f"(and {len(body.errors) - _LISTED} more)")
    return "; ".join(parts)


def _entry(field: str | None, messages: list[str]) -> dict[str, Any]:
    return {"field": field, "messages": messages}


def _text(value: object) -> str | None:
    """A message the server wrote: a non-empty string (a number is shown as text)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _messages(value: object) -> list[str]:
    """The messages of one field: a string, or a list of strings (or of objects with one)."""
    text = _text(value)
    if text is not None:
        return [text]
    if is_array(value):
        found: list[str] = []
        for item in value:
            if is_object(item):
                item_text = _first_text(item, "message", "msg", "detail", "reason", "code")
                if item_text is not None:
                    found.append(item_text)
            else:
                found.extend(_messages(item))
        return found
    if is_object(value):
        item_text = _first_text(value, "message", "msg", "detail", "reason")
        return [item_text] if item_text is not None else []
    return []


def _first_text(document: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        text = _text(document.get(key))
        if text is not None:
            return text
    return None


def _join(parent: str | None, key: object) -> str:
    return f"{parent}.{key}" if parent else str(key)


def _hal_entries(errors: object) -> list[dict[str, Any]]:
    # Bootic's {"field", "messages"}; Spring's vnd.error {"message", "path"}.
    items = [errors] if is_object(errors) else errors if is_array(errors) else []
    entries: list[dict[str, Any]] = []
    for item in items:
        if not is_object(item):
            entries.extend(_entry(None, [m]) for m in _messages(item))
            continue
        field = _text(item.get("field"))
        if field is None and _text(item.get("path")) is not None:
            field = _pointer_field(str(item["path"]))
        messages = _messages(item.get("messages")) or _messages(item.get("message"))
        if field is not None or messages:
            entries.append(_entry(field, messages))
    return entries


def _is_problem(document: dict[str, Any]) -> bool:
    # RFC 9457: "type" is a URI reference, with "title", "status" or "detail" beside it.
    has_type = isinstance(document.get("type"), str) and (
        "title" in document or "status" in document or "detail" in document
    )
    return has_type or ("title" in document and "status" in document)


def _problem(document: dict[str, Any]) -> ErrorBody:
    detail, title = _text(document.get("detail")), _text(document.get("title"))
    message = f"{title}: {detail}" if title and detail and detail != title else detail or title
    entries: list[dict[str, Any]] = []
    # RFC 9457's example extension: "errors": [{"detail": ..., "pointer": "#/age"}]; RFC 7807's:
    # "invalid-params": [{"name": ..., "reason": ...}]; others write "field" and "message".
    for key in ("errors", "invalid-params", "invalid_params", "violations"):
        items = document.get(key)
        if not is_array(items):
            continue
        for item in items:
            if not is_object(item):
                entries.extend(_entry(None, [m]) for m in _messages(item))
                continue
            pointer = _text(item.get("pointer"))
            field = _pointer_field(pointer) if pointer is not None else None
            field = field or _first_text(item, "field", "name", "propertyPath", "parameter")
            messages = _messages(item.get("messages")) or [
                text
                for text in [_first_text(item, "detail", "reason", "message", "title")]
                if text is not None
            ]
            entries.append(_entry(field, messages))
    return ErrorBody(message, entries, "problem")


def _pointer_field(pointer: str) -> str | None:
    """``#/profile/color`` or ``/profile/color`` as ``profile.color``; the root as ``None``."""
    tokens = pointer.lstrip("#").split("/")[1:] if pointer.lstrip("#").startswith("/") else []
    if not tokens:
        return pointer.lstrip("#") or None
    return ".".join(token.replace("~1", "/").replace("~0", "~") for token in tokens)


def _fastapi_entries(detail: list[Any]) -> list[dict[str, Any]]:
    # RequestValidationError: [{"loc": ["body", "title"], "msg": ..., "type": ...}, ...]
    entries: list[dict[str, Any]] = []
    for item in detail:
        if not is_object(item):
            entries.extend(_entry(None, [m]) for m in _messages(item))
            continue
        loc = item.get("loc")
        parts = [str(part) for part in loc] if is_array(loc) else []
        if len(parts) > 1 and parts[0] == _BODY:
            parts = parts[1:]
        field = ".".join(parts) if parts and parts != [_BODY] else None
        messages = _messages(item.get("msg")) or _messages(item.get("message"))
        entries.append(_entry(field, messages or _messages(item.get("type"))))
    return entries


def _eve(document: dict[str, Any]) -> ErrorBody:
    # {"_status": "ERR", "_error": {"code": 422, "message": ...}, "_issues": {field: text}}
    error = document.get("_error")
    message = _first_text(error, "message") if is_object(error) else _text(error)
    issues = document.get("_issues")
    entries = _map_entries(None, issues) if is_object(issues) else _list_entries(None, issues)
    return ErrorBody(message, entries, "eve")


def _github_entries(errors: object) -> list[dict[str, Any]]:
    # [{"resource": "Issue", "field": "title", "code": "missing_field"}], strings, or a Rails map.
    if is_object(errors):
        return _map_entries(None, errors)
    if not is_array(errors):
        return []
    entries: list[dict[str, Any]] = []
    for item in errors:
        if is_object(item):
            field = _first_text(item, "field", "param", "name")
            messages = _messages(item.get("messages")) or [
                text for text in [_first_text(item, "message", "detail", "code")] if text
            ]
            entries.append(_entry(field, messages))
        else:
            entries.extend(_entry(None, [m]) for m in _messages(item))
    return entries


_NON_FIELD = ("non_field_errors", "__all__")


def _is_field_map(document: dict[str, Any]) -> bool:
    """Whether every value is a field's messages: a list of strings, or a nested map of them
    (DRF's serializer errors), never a lone string (``{"status": "failed"}`` is not one)."""
    if not document:
        return False
    for value in document.values():
        if is_array(value):
            if not all(isinstance(v, str) or is_object(v) or is_array(v) for v in value):
                return False
        elif not (is_object(value) and _is_field_map(value)):
            return False
    return True


def _map_entries(parent: str | None, errors: object) -> list[dict[str, Any]]:
    """``{field: messages}`` maps, nested (``address.city``), and lists of them (``items.1.qty``)."""
    if not is_object(errors):
        return _list_entries(parent, errors)
    entries: list[dict[str, Any]] = []
    for key, value in errors.items():
        field = parent if key in _NON_FIELD else _join(parent, key)
        if is_object(value) and not _first_text(value, "message", "msg", "detail"):
            entries.extend(_map_entries(field, value))
        elif is_array(value) and any(is_object(v) or is_array(v) for v in value):
            entries.extend(_list_entries(field, value))
        else:
            messages = _messages(value)
            if messages:
                entries.append(_entry(field, messages))
    return entries


def _list_entries(parent: str | None, errors: object) -> list[dict[str, Any]]:
    # A list of messages, or (DRF's many=True, nested lists) one map per item, by position.
    if not is_array(errors):
        messages = _messages(errors)
        return [_entry(parent, messages)] if messages else []
    loose = [item for item in errors if not (is_object(item) or is_array(item))]
    entries = [_entry(parent, _messages(loose))] if _messages(loose) else []
    for index, item in enumerate(errors):
        if is_object(item) or is_array(item):
            entries.extend(_map_entries(_join(parent, index), item))
    return entries


def _compact(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."
