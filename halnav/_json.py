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


def loads(data: bytes | str) -> Any:
    """Decode a JSON text; raises :data:`DecodeError` with the position of the fault."""
    if _orjson is not None:
        return _orjson.loads(data)
    return _stdlib_json.loads(data)


def dumps(value: Any) -> bytes:
    """Encode a value as compact UTF-8 JSON."""
    if _orjson is not None:
        encoded: bytes = _orjson.dumps(value)
        return encoded
    return _stdlib_json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def is_object(value: object) -> TypeGuard[dict[str, Any]]:
    """Whether a decoded JSON value is an object (its keys are strings, its values anything)."""
    return isinstance(value, dict)


def is_array(value: object) -> TypeGuard[list[Any]]:
    """Whether a decoded JSON value is an array."""
    return isinstance(value, list)
