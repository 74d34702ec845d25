"""Sandboxes for the layer's tests: one shared for reading, a fresh one where a test writes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from halnav.bootic import BooticClient
from halnav.sandbox import serve


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    """A sandbox whose data the tests of one module only read."""
    with serve(orders=150, seed=3) as url:
        yield url


@pytest.fixture
def fresh() -> Iterator[str]:
    """A sandbox of this test's own, for tests that change data."""
    with serve(orders=40, seed=5) as url:
        yield url


@pytest.fixture
def bootic(sandbox) -> Iterator[BooticClient]:
    with BooticClient(token=sandbox.token, root_url=sandbox) as client:
        yield client
