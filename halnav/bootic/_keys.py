"""The sort keys a stable walk moves by: which columns, how their values read, compare and step.

Every documented sort is on a column with a ``_gte``/``_lte`` filter (the five dates, and
``net_total``), so a walk can ask for "the orders from this value on" instead of "page N". A key
is read from an order as served (``2013-10-19T11:06:18.000Z``, ``2013-10-19T11:06:18Z``, or
``29990``) and sent back written the same way; the smallest step past it is one unit of the
precision it is written in (a second, a millisecond, a cent), or one day when the server takes
dates only.

How a column's values change under writes decides what a walk must do about orders that move
while it runs: the API stamps a date with the time of the write, so dates only move forward
(``created_on`` never moves); ``net_total`` changes with an order's lines, either way.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["KEY_COLUMNS", "Key", "KeyColumn", "key_column", "read_key"]

#: How a column's values move when an order is written: ``never``, ``forward`` (to the time of
#: the write), or ``any`` (up or down).
Moves = Literal["never", "forward", "any"]


@dataclass(frozen=True)
class KeyColumn:
    """A column a stable walk can move by."""

    name: str
    #: ``moment`` (a date-time) or ``number`` (cents).
    kind: Literal["moment", "number"]
    #: Whether an order may have no value (then no ``_gte``/``_lte`` filter reaches it).
    nullable: bool
    moves: Moves

    @property
    def low(self) -> str:
        """The filter of the lower bound: ``created_on_gte``."""
        return f"{self.name}_gte"

    @property
    def high(self) -> str:
        """The filter of the upper bound: ``created_on_lte``."""
        return f"{self.name}_lte"


#: The columns of the documented sorts.
KEY_COLUMNS: dict[str, KeyColumn] = {
    "created_on": KeyColumn("created_on", "moment", nullable=False, moves="never"),
    "updated_on": KeyColumn("updated_on", "moment", nullable=False, moves="forward"),
    "pending_on": KeyColumn("pending_on", "moment", nullable=True, moves="forward"),
    "closed_on": KeyColumn("closed_on", "moment", nullable=True, moves="forward"),
    "shipped_on": KeyColumn("shipped_on", "moment", nullable=True, moves="forward"),
    "net_total": KeyColumn("net_total", "number", nullable=False, moves="any"),
}


def key_column(name: str) -> KeyColumn | None:
    """The column ``name`` (``created_on``), if a stable walk can move by it."""
    return KEY_COLUMNS.get(name)


# 2013-10-19T11:06:18, with an optional fraction and zone (Z, +00:00, -0300).
_MOMENT = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?$"
)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


@dataclass(frozen=True)
class Key:
    """One value of a sort column: ``text`` as it is sent, ``value`` to compare by (cents, or
    microseconds since 1970 in UTC, so that a date and a date-time compare).

    ``digits`` is how many digits of a second the text writes (``None`` for a number, ``-1``
    for a date alone, ``0`` for whole seconds); ``zone`` its zone suffix as written.
    """

    text: str
    value: int
    digits: int | None = None
    zone: str = ""

    def step(self, direction: int) -> Key:
        """The nearest value past this one (``direction`` ``1``: after it, ``-1``: before it),
        written with the same precision: a second later for ``...:18Z``, a millisecond for
        ``...:18.000Z``, a day for a date, a cent for a number."""
        if self.digits is None:
            return Key(str(self.value + direction), self.value + direction)
        if self.digits < 0:
            day = self.moment().date() + _dt.timedelta(days=direction)
            return _day_key(day)
        unit = _dt.timedelta(microseconds=10 ** (6 - self.digits))
        return _moment_key(self.moment() + direction * unit, self.digits, self.zone)

    def earlier(self, delta: _dt.timedelta) -> Key:
        """A date-time ``delta`` before this one, written the same way (a date: the day it
        falls on; a number stays as it is)."""
        if self.digits is None:
            return self
        if self.digits < 0:
            return _day_key((self.moment() - delta).date())
        return _moment_key(self.moment() - delta, self.digits, self.zone)

    def moment(self) -> _dt.datetime:
        """A date's or date-time's value as a UTC date-time."""
        return _EPOCH + _dt.timedelta(microseconds=self.value)

    def day(self) -> Key:
        """This value as the day it falls on (for a server that takes dates only)."""
        if self.digits is None or self.digits < 0:
            return self
        # The day as written (a server reads a date in the zone it writes its dates in).
        return _day_key(_dt.date.fromisoformat(self.text[:10]))

    def __str__(self) -> str:
        return self.text


def read_key(column: KeyColumn, value: object, *, days: bool = False) -> Key | None:
    """The key of a served value of ``column`` (``None`` when it is not one: null, or text that
    is no date); ``days``: as the day it falls on."""
    if column.kind == "number":
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return Key(str(value), value)
        if isinstance(value, str) and value.strip().lstrip("-").isdecimal():
            number = int(value.strip())
            return Key(str(number), number)
        return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    key = _read_moment(text)
    if key is None:
        return None
    return key.day() if days else key


def _read_moment(text: str) -> Key | None:
    if _DAY.match(text):
        try:
            return _day_key(_dt.date.fromisoformat(text))
        except ValueError:
            return None
    match = _MOMENT.match(text)
    if match is None:
        return None
    day_text, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = _dt.datetime.combine(
            _dt.date.fromisoformat(day_text),
            _dt.time(int(hour), int(minute), int(second), int((fraction or "").ljust(6, "0"))),
        )
    except ValueError:
        return None
    # Compared in UTC; written back in the zone it came in.
    moment = (moment - _offset(zone or "")).replace(tzinfo=_dt.timezone.utc)
    return Key(text, _microseconds(moment), digits=len(fraction or ""), zone=zone or "")


def _offset(zone: str) -> _dt.timedelta:
    if zone in ("", "Z"):
        return _dt.timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))


def _microseconds(moment: _dt.datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _day_key(day: _dt.date) -> Key:
    start = _dt.datetime.combine(day, _dt.time(), tzinfo=_dt.timezone.utc)
    return Key(day.isoformat(), _microseconds(start), digits=-1)


def _moment_key(value: _dt.datetime, digits: int, zone: str) -> Key:
    """``value`` (UTC) written with ``digits`` of a second, in ``zone``."""
    local = value.replace(tzinfo=None) + _offset(zone)
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if digits > 0:
        text += "." + f"{local.microsecond:06d}"[:digits]
    return Key(text + zone, _microseconds(value), digits=digits, zone=zone)
