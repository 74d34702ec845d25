"""Checking one filter value by its kind (a date, a whole number, a list...) and writing it as text.

Each check takes the filter's name, the value given and the values allowed (``None``: any of the
right shape), and returns the query text or raises :class:`InvalidFilter` naming what is expected.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from ._errors import InvalidFilter

__all__ = ["check_value"]

_DISTANCE = re.compile(r"^\d+(\.\d+)?(km|m)$")
_POSITIVE = frozenset({"page", "per_page"})

Check = Callable[[str, Any, "Sequence[str] | None"], str]


def check_value(kind: str, name: str, value: Any, allowed: Sequence[str] | None) -> str:
    """``value`` of the filter ``name`` as query text, checked by ``kind`` and against ``allowed``.

    An unknown kind is checked as text.
    """
    return _CHECKS.get(kind, _text)(name, value, allowed)


def _items(value: Any) -> list[object]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",")]
    if isinstance(value, Iterable) and not isinstance(value, (bytes, dict)):
        given = cast("Iterable[object]", value)
        return [part.strip() if isinstance(part, str) else part for part in given]
    return [value]


def _statuses(name: str, value: Any, allowed: Sequence[str] | None) -> str:
    items = _items(value)
    if allowed is None:
        bad = [item for item in items if not isinstance(item, str) or not item]
    else:
        bad = [item for item in items if item not in allowed]
    if bad or not items:
        shown = ", ".join(repr(item) for item in bad) or "nothing"
        expected = ", ".join(allowed) if allowed is not None else "status names"
        raise InvalidFilter(
            f"invalid {name} {shown}; allowed: {expected} (several may be given, comma-separated)",
            name=name,
            value=value,
            allowed=allowed or (),
        )
    return ",".join(str(item) for item in items)


def _list(name: str, value: Any, allowed: Sequence[str] | None) -> str:
    items = _items(value)
    if not items or any(not isinstance(item, str) or not item for item in items):
        raise InvalidFilter(
            f"invalid {name} {value!r}; expected text, or a list of text (comma-separated)",
            name=name,
            value=value,
        )
    return _one_of(name, ",".join(cast("list[str]", items)), value, allowed)


def _one_of(name: str, text: str, value: Any, allowed: Sequence[str] | None) -> str:
    if allowed is not None and text not in allowed:
        raise InvalidFilter(
            f"invalid {name} {value!r}; allowed: {', '.join(allowed)}",
            name=name,
            value=value,
            allowed=allowed,
        )
    return text


def _sort(name: str, value: Any, allowed: Sequence[str] | None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidFilter(
            f"invalid {name} {value!r}; expected a column and a direction, like "
            "'created_on.desc'" + (f"; allowed: {', '.join(allowed)}" if allowed else ""),
            name=name,
            value=value,
            allowed=allowed or (),
        )
    return _one_of(name, value.strip(), value, allowed)


def _date(name: str, value: Any, allowed: Sequence[str] | None) -> str:
    if isinstance(value, _dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return _dt.date.fromisoformat(text).isoformat()
            _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return text
        except ValueError:
            pass
    raise InvalidFilter(
        f"invalid {name} {value!r}; expected a date (datetime.date, datetime.datetime or "
        "'YYYY-MM-DD')",
        name=name,
        value=value,
    )


def _integer(name: str, value: Any, allowed: Sequence[str] | None) -> str:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdecimal():
        number = int(value.strip())
    least = 1 if name in _POSITIVE else 0
    if number is None or number < least:
        raise InvalidFilter(
            f"invalid {name} {value!r}; expected a whole number of at least {least}",
            name=name,
            value=value,
        )
    return _one_of(name, str(number), value, allowed)


def _text(name: str, value: Any, allowed: Sequence[str] | None) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidFilter(f"invalid {name} {value!r}; expected a string", name=name, value=value)
    return _one_of(name, str(value), value, allowed)


def _lat_long(name: str, value: Any, allowed: Sequence[str] | None) -> str:
    parts: list[Any]
    if isinstance(value, str):
        parts = [part.strip() for part in value.split(",")]
    elif isinstance(value, (tuple, list)):
        parts = list(cast("Iterable[object]", value))
    else:
        parts = []
    try:
        if len(parts) != 2:
            raise ValueError
        latitude, longitude = (float(part) for part in parts)
    except (TypeError, ValueError):
        raise InvalidFilter(
            f"invalid {name} {value!r}; expected 'latitude,longitude' or a pair of numbers",
            name=name,
            value=value,
        ) from None
    return f"{parts[0]},{parts[1]}" if isinstance(value, str) else f"{latitude},{longitude}"


def _distance(name: str, value: Any, allowed: Sequence[str] | None) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return f"{value}km"
    if isinstance(value, str) and _DISTANCE.match(value.strip()):
        return value.strip()
    raise InvalidFilter(
        f"invalid {name} {value!r}; expected a distance like '1km' or '34km' (or a number of km)",
        name=name,
        value=value,
    )


_CHECKS: dict[str, Check] = {
    "text": _text,
    "list": _list,
    "integer": _integer,
    "statuses": _statuses,
    "sort": _sort,
    "date": _date,
    "lat_long": _lat_long,
    "distance": _distance,
}
