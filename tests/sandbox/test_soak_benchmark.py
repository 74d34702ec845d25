"""benchmarks/soak_faults.py: a walk resumes from a failed page even when resuming fails too."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import halnav
import halnav.sandbox

SOAK = Path(halnav.sandbox.__file__).parent.parent.parent / "benchmarks" / "soak_faults.py"


@pytest.fixture(scope="module")
def soak() -> ModuleType:
    spec = importlib.util.spec_from_file_location("soak_faults", SOAK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _server_error(url: str) -> halnav.ServerError:
    error = halnav.ServerError("503 SERVICE UNAVAILABLE", status_code=503, method="GET", url=url)
    error.page_url = url  # type: ignore[attr-defined]  # as a walk's failure carries it
    return error


class _Page:
    """A page whose walk yields ``ids``, then fails at ``fail_at`` (the URL to resume from)."""

    def __init__(self, ids: list[int], fail_at: str | None = None) -> None:
        self.ids, self.fail_at = ids, fail_at

    def iterate(self, prefetch: int = 0) -> Iterator[dict[str, Any]]:
        for order_id in self.ids:
            yield {"id": order_id}
        if self.fail_at is not None:
            raise _server_error(self.fail_at)


class _Client:
    """The few client calls the soak makes; ``get`` fails with ``failures`` first, in turn."""

    def __init__(self, first: _Page, pages: dict[str, _Page], failures: list[Exception]) -> None:
        self.first, self.pages, self.failures = first, pages, failures
        self.gets: list[str] = []

    def root(self) -> _Client:
        return self

    def follow(self, rel: str) -> Any:
        return self.first if rel == "btc:orders" else self

    def get(self, url: str) -> _Page:
        self.gets.append(url)
        if self.failures:
            raise self.failures.pop(0)
        return self.pages[url]


def test_a_failing_resume_is_retried_and_counted(soak: ModuleType) -> None:
    failures: list[Exception] = [
        halnav.TransportError("connection dropped", method="GET", url="page-2"),
        _server_error("page-2"),
    ]
    client = _Client(_Page([1, 2], fail_at="page-2"), {"page-2": _Page([3, 4])}, failures)
    ids, resumes = soak.walk(client, 0)
    assert ids == [1, 2, 3, 4]
    assert client.gets == ["page-2"] * 3
    assert resumes == 3  # every try counts


def test_resuming_gives_up_after_a_bounded_number_of_tries(
    soak: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(soak, "MAX_RESUMES", 4)
    failures: list[Exception] = [_server_error("page-2") for _ in range(10)]
    client = _Client(_Page([1], fail_at="page-2"), {"page-2": _Page([2])}, failures)
    with pytest.raises(halnav.ServerError):
        soak.walk(client, 0)
    assert client.gets == ["page-2"] * 4
