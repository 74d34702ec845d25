"""Running the ``halnav`` command in a subprocess against a sandbox served by the test process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from halnav.sandbox import serve


def run_halnav(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python -m halnav ARGS`` with no HALNAV_* variables but those in ``env``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HALNAV_")}
    environment.update(env or {})
    environment["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "halnav", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    """A sandbox shared by one module's commands (tests that write pick their own orders)."""
    with serve(orders=60, seed=11) as url:
        yield url


@pytest.fixture
def fresh() -> Iterator[str]:
    """A sandbox of this test's own, for commands that change data."""
    with serve(orders=40, seed=11) as url:
        yield url


def connected(url: str):
    """``run(*args)``: the command with ``--url`` and ``--token`` of the sandbox at ``url``."""

    def run(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
        return run_halnav(*args, "--url", url, "--token", url.token, **kwargs)

    return run


@pytest.fixture
def halnav(sandbox):
    """``halnav(*args)``: run the command with ``--url`` and ``--token`` of the shared sandbox."""
    return connected(sandbox)
