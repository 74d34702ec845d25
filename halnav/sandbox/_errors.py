"""The error every sandbox layer raises for a non-2xx API answer, and the body it is rendered to.

All API errors (400, 401, 403, 404, 405, 409, 422, 503) share the shape of the create-order seed
page's 422: ``{"_class": ["errors"], "_embedded": {"errors": [{"_class": ["error"], "field": ...,
"messages": [...]}]}}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class ApiError(Exception):
    """An HTTP error answer: a status, one or more ``(field, messages)`` pairs, extra headers."""

    def __init__(
        self,
        status: int,
        field: str | None = None,
        message: str | None = None,
        *,
        errors: Iterable[tuple[str, list[str]]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.errors: list[tuple[str, list[str]]] = list(errors)
        if field is not None:
            self.errors.insert(0, (field, [message or "is invalid"]))
        self.headers = dict(headers or {})
        super().__init__(f"{status}: {self.errors}")


def error_items(errors: Iterable[tuple[str, list[str]]]) -> list[dict[str, Any]]:
    """The ``_embedded.errors`` list (also embedded in refused items of a bulk update)."""
    return [{"_class": ["error"], "field": f, "messages": list(m)} for f, m in errors]


def errors_body(errors: Iterable[tuple[str, list[str]]]) -> dict[str, Any]:
    return {"_class": ["errors"], "_embedded": {"errors": error_items(errors)}}


class ErrorList:
    """Collects ``(field, message)`` pairs while validating, so that one answer names them all."""

    def __init__(self) -> None:
        self._errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        messages = self._errors.setdefault(field, [])
        if message not in messages:
            messages.append(message)

    def __bool__(self) -> bool:
        return bool(self._errors)

    def items(self) -> list[tuple[str, list[str]]]:
        return list(self._errors.items())

    def raise_if_any(self, status: int) -> None:
        if self._errors:
            raise ApiError(status, errors=self.items())
