"""benchmarks/soak_sync.py, the outside soak of stable walks and the mirror, still runs: one
small round, its checks passing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SOAK = Path(__file__).resolve().parents[2] / "benchmarks" / "soak_sync.py"


def test_one_round_of_the_soak_passes(capsys):
    spec = importlib.util.spec_from_file_location("soak_sync", SOAK)
    assert spec is not None and spec.loader is not None
    soak = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(soak)
    assert soak.main(["--rounds", "1", "--orders", "300", "--writers", "2"]) == 0
    assert "PASS" in capsys.readouterr().out
