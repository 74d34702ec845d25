"""Fault injection: settings that can change while the sandbox runs, and the seeded draw.

Each request to an API endpoint draws from the sandbox's own ``random.Random`` (derived from the
seed), whatever the current rate, so the sequence of faults depends only on the seed and on the
order of requests. A drawn fault is a 503 with ``Retry-After: 0`` or a dropped connection. Faults
are decided before the request is processed, so a failed POST has changed nothing. The latency
sleep ends early when the sandbox stops, so that stopping never waits for it.
"""

from __future__ import annotations

import math
import random
import threading

FAIL_KINDS = ("503", "drop")


class SandboxConfig:
    """Knobs a test may turn while the sandbox serves (``url.config.fail_rate = 0.5``)."""

    def __init__(
        self,
        latency_ms: float = 0,
        fail_rate: float = 0.0,
        fail_kinds: tuple[str, ...] = FAIL_KINDS,
    ) -> None:
        self.latency_ms = latency_ms
        self.fail_rate = fail_rate
        self.fail_kinds = fail_kinds

    @property
    def latency_ms(self) -> float:
        """Milliseconds slept before each answer (outside any lock, so requests overlap)."""
        return self._latency_ms

    @latency_ms.setter
    def latency_ms(self, value: float) -> None:
        if not 0 <= value < math.inf:
            raise ValueError("latency_ms must be >= 0 (and finite)")
        self._latency_ms = value

    @property
    def fail_rate(self) -> float:
        """The fraction of API requests that fail (0 to 1)."""
        return self._fail_rate

    @fail_rate.setter
    def fail_rate(self, value: float) -> None:
        if not 0 <= value <= 1:
            raise ValueError("fail_rate must be between 0 and 1")
        self._fail_rate = value

    @property
    def fail_kinds(self) -> tuple[str, ...]:
        """How a failing request fails: ``"503"`` and/or ``"drop"`` (picked evenly)."""
        return self._fail_kinds

    @fail_kinds.setter
    def fail_kinds(self, value: tuple[str, ...]) -> None:
        value = tuple(value)
        if not value or any(kind not in FAIL_KINDS for kind in value):
            raise ValueError(f"fail_kinds must be a non-empty subset of {FAIL_KINDS}")
        self._fail_kinds = value

    def __repr__(self) -> str:
        return (
            f"SandboxConfig(latency_ms={self.latency_ms!r}, fail_rate={self.fail_rate!r},"
            f" fail_kinds={self.fail_kinds!r})"
        )


class FaultInjector:
    """The latency sleep and the fault draw of one sandbox; ``stopped`` set ends sleeps early."""

    def __init__(
        self, config: SandboxConfig, seed: int, stopped: threading.Event | None = None
    ) -> None:
        self.config = config
        self.stopped = stopped if stopped is not None else threading.Event()
        self._rng = random.Random(f"halnav-sandbox-faults:{seed}")
        self._lock = threading.Lock()

    def wait(self, seconds: float) -> None:
        """The sandbox's own sleep: over at once when it stops."""
        self.stopped.wait(seconds)

    def delay(self) -> None:
        latency = self.config.latency_ms
        if latency > 0:
            self.wait(latency / 1000)

    def draw(self) -> str | None:
        """``None`` (serve normally), ``"503"`` or ``"drop"``."""
        with self._lock:
            chance, pick = self._rng.random(), self._rng.random()
        config = self.config
        if chance >= config.fail_rate:
            return None
        kinds = config.fail_kinds
        return kinds[min(int(pick * len(kinds)), len(kinds) - 1)]
