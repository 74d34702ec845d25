"""The error every sandbox layer raises for a non-2xx API answer, and the body it is rendered to.

Two shapes, as the real API answers:

- 422 (validation) keeps the create-order seed page's shape: ``{"_class": ["errors"],
  "_embedded": {"errors": [{"_class": ["error"], "field": ..., "messages": [...]}]}}``;
- every other error (400, 401, 403, 404, 405, 413, 503...) is ``{"_class": ["errors"],
  "message": "..."}``. A 400 about named parameters also lists them in ``_embedded.errors``, so
  that a client can tell which one was wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

ErrorPairs = list[tuple[str, list[str]]]


class ApiError(Exception):
    """An HTTP error answer: a status, a message and/or ``(field, messages)`` pairs, headers."""

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
        self.errors: ErrorPairs = list(errors)
        self.message = message
        if field is not None:
            self.errors.insert(0, (field, [message or "is invalid"]))
        self.headers = dict(headers or {})
        super().__init__(f"{status}: {self.text}")

    @property
    def text(self) -> str:
        """One line saying everything: for a 400 or 422 each field with its messages (they say
        what a field must be), else the message (a sentence of its own)."""
        if self.errors and (self.message is None or self.status in (400, 422)):
            return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in self.errors)
        return self.message or f"HTTP {self.status}"

    def body(self) -> dict[str, Any]:
        """The document this error is answered with."""
        if self.status == 422:
            return errors_body(self.errors)
        body: dict[str, Any] = {"_class": ["errors"], "message": self.text}
        if self.status == 400 and self.errors:
            body["_embedded"] = {"errors": error_items(self.errors)}
        return body


def error_items(errors: Iterable[tuple[str, list[str]]]) -> list[dict[str, Any]]:
    """The ``_embedded.errors`` list (also embedded in refused items of a bulk update)."""
    return [{"_class": ["error"], "field": f, "messages": list(m)} for f, m in errors]


def errors_body(errors: Iterable[tuple[str, list[str]]]) -> dict[str, Any]:
    """The 422 body of the create-order seed page."""
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

    def items(self) -> ErrorPairs:
        return list(self._errors.items())

    def raise_if_any(self, status: int) -> None:
        if self._errors:
            raise ApiError(status, errors=self.items())
