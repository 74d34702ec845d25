"""Order ids as a bulk update sends them: ints where they are whole numbers, each once."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["id_key", "order_ids", "parse_id"]


def parse_id(value: str) -> int | str:
    """An id given as text: an ``int`` when it is a whole number (``" 42 "``), else as given.

    Only decimal digits count: ``"²"`` is a digit to :meth:`str.isdigit` but not a number
    ``int()`` takes, so it stays a string (the server says whether such an id exists).
    """
    text = value.strip()
    return int(text) if text.isdecimal() else value


def id_key(value: object) -> str:
    """What two ids compare by: ``29`` and ``"29"`` are the same id (servers write both)."""
    return str(value).strip()


def order_ids(ids: Iterable[int | str]) -> list[int | str]:
    """The order ids of a bulk update, checked before any request: ints, or strings (whole
    numbers become ints), each once, in the order given."""
    if isinstance(ids, (str, bytes, int)):
        raise TypeError("update_orders() takes a list of order ids, e.g. [577048, 12001]")
    sent: list[int | str] = []
    seen: set[int | str] = set()
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise TypeError(f"an order id must be an int or a string, got {value!r}")
        if isinstance(value, str):
            value = parse_id(value)
        if value not in seen:
            seen.add(value)
            sent.append(value)
    if not sent:
        raise ValueError("update_orders() needs at least one order id")
    return sent
