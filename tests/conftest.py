"""Fixtures shared by every test directory."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
from hypothesis import settings
from rawserver import Behaviour, RawServer

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
