"""HTTP plumbing of the app: reading request bodies safely, conditional GETs, rendered pages.

A request body is read only up to the app's limit (413 beyond it, the connection then closed), and
a JSON body is refused (400) when nested deeper than any API body needs, before any handler walks
it: Python's parser and encoders recurse, and a deep enough document would otherwise end in a
``RecursionError`` (a 500) or in an encoder's own depth limit.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import IO, Any, TypeGuard
from urllib.parse import parse_qsl

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from ._errors import ApiError

MAX_JSON_DEPTH = 32  # the deepest API body (bulk removals echoed as given) needs far less
CLOSE_KEY = "halnav.sandbox.close"  # set in the environ when the connection must be closed


def http_time(stamp: str) -> datetime:
    """A stored UTC date as an aware datetime (``Last-Modified``)."""
    return datetime.fromisoformat(stamp).replace(tzinfo=timezone.utc)


def _read_at_most(stream: IO[bytes], size: int) -> bytes:
    """Up to ``size`` bytes of ``stream`` (a read may return less than asked before the end)."""
    parts: list[bytes] = []
    left = size
    while left > 0:
        part = stream.read(min(left, 64 * 1024))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def read_body(request: Request) -> bytes:
    """The request's body, at most ``request.max_content_length`` bytes, else a 413 (and the
    connection is marked to be closed: what is left of the body is not worth reading).

    A body with a ``Content-Length`` over the limit is refused before any of it is read; a
    chunked one is read up to one byte past the limit (werkzeug's own stream would stop at the
    limit and take a body cut there for the whole of it)."""
    limit = request.max_content_length
    try:
        if limit is not None and "wsgi.input_terminated" in request.environ:
            data = _read_at_most(request.environ["wsgi.input"], limit + 1)
            if len(data) > limit:
                raise RequestEntityTooLarge()
            return data
        return request.get_data(cache=True)
    except RequestEntityTooLarge:
        request.environ[CLOSE_KEY] = True
        raise ApiError(
            413, message=f"The request body is too large: the limit is {limit} bytes"
        ) from None


def form_body(request: Request) -> dict[str, str]:
    """The request's ``application/x-www-form-urlencoded`` body (the first value of each
    name), within the size limit (see :func:`read_body`)."""
    text = read_body(request).decode("ascii", errors="replace")
    form: dict[str, str] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        form.setdefault(name, value)
    return form


def is_object(value: object) -> TypeGuard[dict[str, Any]]:
    """Whether a parsed JSON value is an object (JSON object keys are strings)."""
    return isinstance(value, dict)


def is_array(value: object) -> TypeGuard[list[Any]]:
    """Whether a parsed JSON value is an array."""
    return isinstance(value, list)


def _depth(value: Any, limit: int) -> bool:
    """Whether ``value`` nests arrays and objects no deeper than ``limit`` (no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if is_object(item):
            children = item.values()
        elif is_array(item):
            children = item
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


def json_body(request: Request, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The request's JSON body, or a 400 (empty, not JSON, not text, nested too deeply) or
    413 (too large) :class:`ApiError`."""
    data = read_body(request)
    if not data.strip():
        raise ApiError(400, "body", "is required: a JSON object")
    too_deep = ApiError(400, "body", f"is nested too deeply: at most {max_depth} levels")
    try:
        body = json.loads(data)
    except RecursionError:
        raise too_deep from None
    except ValueError as exc:  # JSONDecodeError, undecodable bytes
        raise ApiError(400, "body", f"is not valid JSON text: {exc}") from None
    if not _depth(body, max_depth):
        raise too_deep
    try:
        # "\ud800" is valid JSON but no text: it could be neither stored nor rendered.
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except ValueError as exc:
        raise ApiError(400, "body", f"is not valid JSON text: {exc}") from None
    return body


def not_modified(
    request: Request, etag: str, last_modified: datetime | None, ambiguous: bool
) -> bool:
    """Whether the client's copy is current (RFC 9110 13.2.2): ``If-None-Match`` decides when
    present, ``If-Modified-Since`` is then ignored; a date proves a copy current when it is not
    older than ``last_modified``, unless that second is ``ambiguous`` (two writes fell in it)."""
    if "If-None-Match" in request.headers:
        return request.if_none_match.contains_weak(etag.strip('"'))
    since = request.if_modified_since
    if since is None or last_modified is None:
        return False
    return last_modified < since or (last_modified == since and not ambiguous)


Page = tuple[bytes, str, bool]  # body, Last-Modified, whether that date is ambiguous


class RenderedPages:
    """Rendered order pages, least recently used out, bounded by bytes (thread-safe).

    Keys hold the data's state (``store.data_state``), so any write retires every page.
    """

    def __init__(self, max_bytes: int = 64 * 2**20) -> None:
        self.max_bytes = max_bytes
        self._pages: OrderedDict[Any, Page] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._pages)

    def get(self, key: Any) -> Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: Any, body: bytes, last_modified: str, ambiguous: bool) -> Page:
        page = (body, last_modified, ambiguous)
        with self._lock:
            if key not in self._pages:
                self._pages[key] = page
                self._size += len(body)
            while self._size > self.max_bytes and self._pages:
                _, (old, _, _) = self._pages.popitem(last=False)
                self._size -= len(old)
        return page
