"""``Deprecation`` (RFC 9745) and ``Sunset`` (RFC 8594) response headers, told as a warning.

``Deprecation: @1688169599`` (a structured-field date: seconds since the epoch; the drafts before
RFC 9745 wrote an HTTP-date, or ``true``) says the resource is, or will be, deprecated;
``Sunset: Sat, 31 Dec 2044 23:59:59 GMT`` says when it may stop answering. Either one makes a
:class:`~halnav.DeprecatedResourceWarning` naming the resource (credentials masked) and the
dates, with the documentation the ``Link`` header gives (``rel="deprecation"``/``"sunset"``).
A value that is none of those forms is ignored, as RFC 9745 asks of an invalid field.
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from ._exceptions import DeprecatedResourceWarning
from ._link_headers import header_links
from ._redact import redact_url

__all__ = ["parse_deprecation", "parse_http_date", "warn_if_deprecated"]

_EPOCH_DATE = re.compile(r"@(-?[0-9]{1,15})")


def parse_http_date(value: str) -> datetime | None:
    """An HTTP-date (``Sun, 06 Nov 1994 08:49:37 GMT``) as an aware UTC datetime, else ``None``."""
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:  # "-0000" or no zone: HTTP-dates are UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def parse_deprecation(value: str) -> datetime | bool | None:
    """A ``Deprecation`` value: its date (``@epoch``, or an older HTTP-date), ``True`` for the
    older drafts' ``true``, ``None`` for anything else."""
    text = value.strip()
    match = _EPOCH_DATE.fullmatch(text)
    if match:
        try:
            return datetime.fromtimestamp(int(match.group(1)), tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if text.lower() == "true":
        return True
    return parse_http_date(text)


def warn_if_deprecated(headers: Mapping[str, str], url: str | None) -> None:
    """Warn once with :class:`~halnav.DeprecatedResourceWarning` when the answer's headers say
    that the resource at ``url`` is deprecated or has a sunset; nothing otherwise."""
    if not headers:
        return
    raw_deprecation = headers.get("Deprecation")
    raw_sunset = headers.get("Sunset")
    if raw_deprecation is None and raw_sunset is None:
        return
    deprecation = parse_deprecation(raw_deprecation) if raw_deprecation is not None else None
    sunset = parse_http_date(raw_sunset) if raw_sunset is not None else None
    if deprecation is None and sunset is None:
        return
    shown = redact_url(url) if url else "(unknown URL)"
    documentation = tuple(
        redact_url(link.url())
        for link in header_links(headers, url)
        if link.rel in ("deprecation", "sunset")
    )
    parts: list[str] = []
    if isinstance(deprecation, datetime):
        parts.append(
            f"resource {shown} is deprecated as of {_when(deprecation)} (Deprecation header)"
        )
    elif deprecation:
        parts.append(f"resource {shown} is deprecated (Deprecation header)")
    if sunset is not None:
        lead = "" if parts else f"resource {shown} "
        parts.append(
            f"{lead}has a sunset date of {_when(sunset)} (Sunset header): "
            "it may stop answering after that"
        )
    message = "; ".join(parts)
    if documentation:
        message += f"; see {', '.join(dict.fromkeys(documentation))}"
    warning = DeprecatedResourceWarning(
        message,
        url=shown,
        deprecation=deprecation if isinstance(deprecation, datetime) else None,
        sunset=sunset,
        documentation=documentation,
    )
    warnings.warn(warning, stacklevel=_caller_level())


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _caller_level() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside halnav: the user's
    line that made the request, whichever halnav function (follow, iterate...) sent it."""
    level = 1
    here = inspect.currentframe()
    frame = here.f_back if here is not None else None  # warnings.warn's caller: level 1
    while frame is not None and _is_halnav(str(frame.f_globals.get("__name__", ""))):
        frame = frame.f_back
        level += 1
    return level


def _is_halnav(module: str) -> bool:
    return module == "halnav" or module.startswith("halnav.")
