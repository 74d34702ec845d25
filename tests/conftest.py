"""Fixtures shared by every test directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def load_fixture(name: str) -> Any:
    """A decoded JSON document from ``fixtures/`` (the seed pages' examples)."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def fixture_doc():
    """``fixture_doc("order.json")`` gives a fresh copy of a seed example document."""
    return load_fixture
