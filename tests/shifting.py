"""An offset-paginated HAL collection in memory that changes under a walk, served by ``responses``.

Each page is cut from the collection as it is when the request arrives, as a database-backed
server does: an item removed before a page's window shifts the later items back, an item added
there shifts them on. ``before_each`` runs before every page is answered (another writer); the
test's own loop changes the collection between pages (``remove``, ``add``), as a loop that
closes each pending order does.

Styles: ``pages`` (Bootic: ``page``/``per_page``, ``total_items``, ``next``/``prev``/``last``),
``offset`` (``offset``/``limit`` and a ``total``, no ``last``), ``spring`` (a 0-based ``page``,
``page: {size, totalElements, totalPages, number}``) and ``cursor`` (an opaque ``next`` token).
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import responses

API = "https://api.example.test"
THINGS = f"{API}/things"
HAL = "application/hal+json"


def href(item: int) -> str:
    return f"{THINGS}/{item}"


class Shifting:
    """The collection: ``items`` in their order, ``size`` to a page."""

    def __init__(self, items: Iterable[int], size: int = 5, style: str = "pages") -> None:
        self.items = list(items)
        self.size = size
        self.style = style
        self.lock = threading.Lock()
        self.requests: list[str] = []
        self.before_each: Callable[[Shifting], None] | None = None
        #: Items answered without a self link.
        self.anonymous = False
        #: Page number -> a function of that page's document (a server's fault).
        self.override: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
        #: Page numbers answered 503.
        self.failing: set[int] = set()
        #: A page past the last one is answered 404, as Bootic does (else an empty page).
        self.missing_past_the_end = False

    # -- changes -----------------------------------------------------------------------------

    def remove(self, item: int) -> None:
        with self.lock:
            if item in self.items:
                self.items.remove(item)

    def add(self, item: int, at: int = 0) -> None:
        with self.lock:
            self.items.insert(min(at, len(self.items)), item)

    # -- serving -----------------------------------------------------------------------------

    def url(self, index: int) -> str:
        """The URL of the page at 0-based ``index``, as this style's links write it."""
        if self.style == "offset":
            return f"{THINGS}?" + urlencode({"limit": self.size, "offset": index * self.size})
        if self.style == "spring":
            return f"{THINGS}?" + urlencode({"page": index, "size": self.size})
        if self.style == "cursor":
            return f"{THINGS}?" + urlencode({"after": f"c{index * 7919}", "per_page": self.size})
        return f"{THINGS}?" + urlencode({"page": index + 1, "per_page": self.size})

    def first_url(self) -> str:
        return f"{THINGS}?" + urlencode(
            {"per_page" if self.style != "offset" else "limit": self.size}
        )

    def index_of(self, query: dict[str, str]) -> int:
        if self.style == "offset":
            return int(query.get("offset", "0")) // self.size
        if self.style == "spring":
            return int(query.get("page", "0"))
        if self.style == "cursor":
            return int(query.get("after", "c0")[1:]) // 7919
        return int(query.get("page", "1")) - 1

    def document(self, index: int) -> dict[str, Any]:
        with self.lock:
            items = list(self.items)
        total = len(items)
        pages = max(1, math.ceil(total / self.size))
        window = items[index * self.size : (index + 1) * self.size]
        links: dict[str, Any] = {"self": {"href": self.url(index)}}
        if index + 1 < pages:
            links["next"] = {"href": self.url(index + 1)}
        if index and self.style != "cursor":
            links["prev"] = {"href": self.url(index - 1)}
        embedded = [
            {"id": item}
            if self.anonymous
            else {"_links": {"self": {"href": href(item)}}, "id": item}
            for item in window
        ]
        document: dict[str, Any] = {"_links": links, "_embedded": {"things": embedded}}
        if self.style == "pages":
            links["last"] = {"href": self.url(pages - 1)}
            document.update(total_items=total, per_page=self.size, page=index + 1)
        elif self.style == "offset":
            document["total"] = total
        elif self.style == "spring":
            links["last"] = {"href": self.url(pages - 1)}
            document["page"] = {
                "size": self.size,
                "totalElements": total,
                "totalPages": pages,
                "number": index,
            }
        else:
            document["total_items"] = total
        change = self.override.get(index + 1)
        return change(document) if change is not None else document

    def answer(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.requests.append(request.url)
        if self.before_each is not None:
            self.before_each(self)
        query = dict(parse_qsl(urlsplit(request.url).query))
        index = self.index_of(query)
        if index + 1 in self.failing:
            return 503, {"Content-Type": "application/json"}, "{}"
        with self.lock:
            past_the_end = index and index * self.size >= len(self.items)
        if past_the_end and self.missing_past_the_end:
            return 404, {"Content-Type": "application/json"}, '{"message": "no such page"}'

        return 200, {"Content-Type": HAL}, json.dumps(self.document(index))

    def serve(self, rsps: responses.RequestsMock) -> None:
        rsps.add_callback(
            responses.GET, re.compile(re.escape(THINGS) + r"(\?.*)?$"), callback=self.answer
        )
