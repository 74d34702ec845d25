"""Fixtures shared by every test directory."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
import urllib3.util.retry
from hypothesis import settings
from rawserver import Behaviour, RawServer, ScriptServer

import halnav._deadline

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# CI runs the same examples every time (a red CI blocks a landing, so it must be reproducible);
# a developer's run explores new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def load_fixture(name: str) -> Any:
    """A decoded JSON document from ``fixtures/`` (the seed pages' examples)."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def fixture_doc():
    """``fixture_doc("order.json")`` gives a fresh copy of a seed example document."""
    return load_fixture


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """A ``responses`` mock for the whole test, failing it if a registered answer went unused."""
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def raw() -> Iterator[Callable[[Behaviour], RawServer]]:
    """``raw(behaviour)`` starts a :class:`RawServer` on 127.0.0.1, closed after the test."""
    servers: list[RawServer] = []

    def start(behaviour: Behaviour) -> RawServer:
        server = RawServer(behaviour)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


class Clock:
    """The deadlines' clock, moved on by the sleeps between tries, which are not slept."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self._real = time.monotonic

    def monotonic(self) -> float:
        return self._real() + sum(self.slept)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The sleeps between tries, recorded instead of slept; a deadline sees them pass."""
    clock = Clock()
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", clock.sleep)
    monkeypatch.setattr(halnav._deadline, "time", clock)
    return clock.slept


@pytest.fixture
def stop() -> Iterator[threading.Event]:
    """Set when the test ends: a server that drips or never ends its answer stops then."""
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def script(stop: threading.Event) -> Iterator[Callable[..., ScriptServer]]:
    """``script(action, ...)``: a :class:`ScriptServer` answering its connections in turn,
    closed (after ``stop`` is set) when the test ends."""
    servers: list[ScriptServer] = []

    def start(*actions: Any) -> ScriptServer:
        server = ScriptServer(*actions)
        servers.append(server)
        return server

    yield start
    stop.set()
    for server in servers:
        server.close()
