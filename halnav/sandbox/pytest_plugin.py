"""pytest plugin: the ``bootic_sandbox`` fixture, a running sandbox with fresh data for each test.

Registered through the ``pytest11`` entry point, so it loads wherever halnav is installed; it
imports nothing heavy at load time and skips its fixture when the ``sandbox`` extra is missing.
Options come from a marker::

    @pytest.mark.bootic_sandbox(orders=500, fail_rate=0.2)
    def test_retries(bootic_sandbox): ...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .. import sandbox

DEFAULT_ORDERS = 120
OPTIONS = (
    "orders", "seed", "fail_rate", "latency_ms", "token_lifetime", "layout", "max_body_bytes",
    "max_connections",
)  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "bootic_sandbox(orders=120, seed=0, fail_rate=0.0, latency_ms=0, token_lifetime=3600,"
        " layout='default', max_body_bytes=1048576, max_connections=64): options of the"
        " bootic_sandbox fixture",
    )


@pytest.fixture
def bootic_sandbox(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A running Bootic sandbox with fresh data; the value is its root URL (a ``SandboxURL``)
    with ``.token``, ``.tokens``, ``.token_url``, ``.client_id``, ``.client_secret``,
    ``.username``, ``.password``, ``.shop_id``, ``.config`` (change ``latency_ms``/``fail_rate``
    live) and ``.db``."""
    try:
        serve = sandbox.serve  # without werkzeug, the package raises ImportError here
    except ImportError as exc:
        pytest.skip(
            f"bootic_sandbox needs the sandbox extra: pip install 'halnav[sandbox]' ({exc})"
        )
    options: dict[str, Any] = {"orders": DEFAULT_ORDERS}
    marker = request.node.get_closest_marker("bootic_sandbox")
    if marker is not None:
        unknown = sorted(set(marker.kwargs) - set(OPTIONS))
        if marker.args or unknown:
            pytest.fail(
                f"bootic_sandbox marker takes keyword options among {', '.join(OPTIONS)}"
                f" (got args {marker.args!r}, unknown {unknown!r})",
                pytrace=False,
            )
        options.update(marker.kwargs)
    with serve(**options) as url:
        yield url
