"""The sandbox tests' own helpers: no request of theirs can wait for an answer forever."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter

from .conftest import TIMEOUT, Api, TimeoutSession

HERE = Path(__file__).parent
VERBS = {"get", "post", "put", "patch", "delete", "head", "options", "request"}


class _Recording(BaseAdapter):
    """Records the timeout of each request instead of sending it."""

    def __init__(self) -> None:
        super().__init__()
        self.timeouts: list[Any] = []

    def send(self, request: Any, timeout: Any = None, **kwargs: Any) -> Any:
        self.timeouts.append(timeout)
        raise requests.ConnectionError("not sent")

    def close(self) -> None:
        pass


@pytest.mark.parametrize("make", [TimeoutSession, lambda: Api("http://127.0.0.1:9/v1", "x")])
def test_sessions_time_out_by_default(make: Any) -> None:
    recording = _Recording()
    with make() as session:
        session.mount("http://", recording)
        for call in (
            lambda: session.get("http://127.0.0.1:9/v1"),
            lambda: session.post("http://127.0.0.1:9/v1", json={}),
            lambda: session.get("http://127.0.0.1:9/v1", timeout=3),
        ):
            with pytest.raises(requests.ConnectionError):
                call()
    assert recording.timeouts == [TIMEOUT, TIMEOUT, 3]


def test_every_bare_requests_call_passes_a_timeout() -> None:
    missing = []
    for path in sorted(HERE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "requests"
                and node.func.attr in VERBS
                and not any(keyword.arg == "timeout" for keyword in node.keywords)
            ):
                missing.append(f"{path.name}:{node.lineno}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "requests"
                and node.func.attr == "Session"
            ):
                missing.append(f"{path.name}:{node.lineno} (a plain requests.Session)")
    assert missing == []
