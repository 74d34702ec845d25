"""Decoding and encoding JSON: orjson when installed (``halnav[speed]``), the standard library otherwise."""

from __future__ import annotations

import json as _stdlib_json
from types import ModuleType
from typing import Any, TypeGuard

_orjson: ModuleType | None
try:  # pragma: no cover - depends on the environment
    import orjson

    _orjson = orjson
except ImportError:  # pragma: no cover
    _orjson = None

__all__ = ["BACKEND", "DecodeError", "dumps", "is_array", "is_object", "loads"]

#: Both backends raise a subclass of this, with ``pos``, ``lineno`` and ``colno``.
DecodeError = _stdlib_json.JSONDecodeError

BACKEND = "orjson" if _orjson is not None else "json"

# orjson reads an integer beyond 64 bits as a float (losing its last digits) and refuses to write
# one. 2**64 has 20 digits: a text with no run of 19 digits or more holds no such integer, and
# one that has such a run (in a number or in a string: which, a scan cannot tell cheaply) is
# decoded by the standard library, whose numbers are exact. The scan maps every digit to "0"
# and looks for 19 of them in a row: two passes in C, a seventh of orjson's own time on a page
# of orders (a regular expression took twice orjson's).
_ALL_DIGITS_TO_ZERO = bytes.maketrans(b"0123456789", b"0000000000")
_LONG_RUN = b"0" * 19


def loads(data: bytes | str) -> Any:
    """Decode a JSON text; raises :data:`DecodeError` with the position of the fault.

    Integers are exact whatever the backend: one beyond 64 bits stays an ``int``.
    """
    if _orjson is not None:
        raw = data.encode() if isinstance(data, str) else data
        if _LONG_RUN not in raw.translate(_ALL_DIGITS_TO_ZERO):
            return _orjson.loads(raw)
    return _stdlib_json.loads(data)


def dumps(value: Any) -> bytes:
    """Encode a value as compact UTF-8 JSON (an integer beyond 64 bits included)."""
    if _orjson is not None:
        try:
            encoded: bytes = _orjson.dumps(value)
        except TypeError:  # an integer beyond 64 bits, or a type only the standard library takes
            pass
        else:
            return encoded
    return _stdlib_json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def is_object(value: object) -> TypeGuard[dict[str, Any]]:
    """Whether a decoded JSON value is an object (its keys are strings, its values anything)."""
    return isinstance(value, dict)


def is_array(value: object) -> TypeGuard[list[Any]]:
    """Whether a decoded JSON value is an array."""
    return isinstance(value, list)
