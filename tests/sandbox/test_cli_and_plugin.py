"""The ``halnav sandbox`` command and the ``bootic_sandbox`` pytest fixture."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

import halnav.sandbox
from halnav.sandbox import SandboxURL
from halnav.sandbox.cli import build_parser, main

ROOT = Path(halnav.sandbox.__file__).parent.parent.parent
PYPROJECT = ROOT / "pyproject.toml"


def test_parser_defaults() -> None:
    args = build_parser().parse_args([])
    assert (args.host, args.port, args.db, args.orders, args.seed) == (
        "127.0.0.1", 8000, None, 14486, 0
    )  # fmt: skip
    assert (args.latency_ms, args.fail_rate, args.token_lifetime) == (0, 0.0, 3600)


def test_parser_reads_every_option() -> None:
    args = build_parser().parse_args(
        [
            "--host",
            "0.0.0.0",
            "--port",
            "9000",
            "--db",
            "x.db",
            "--orders",
            "5",
            "--seed",
            "3",
            "--latency-ms",
            "20",
            "--fail-rate",
            "0.25",
            "--token-lifetime",
            "60",
            "--layout",
            "alternate",
        ]  # fmt: skip
    )
    assert (args.host, args.port, args.db, args.orders, args.seed) == (
        "0.0.0.0",
        9000,
        "x.db",
        5,
        3,
    )
    assert (args.latency_ms, args.fail_rate, args.token_lifetime) == (20, 0.25, 60)
    assert args.layout == "alternate"


@pytest.mark.parametrize(
    "argv", [["--fail-rate", "2"], ["--orders", "-1"], ["--port", "x"], ["--layout", "z"]]
)
def test_bad_options_exit_with_usage(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "usage: halnav sandbox" in capsys.readouterr().err


def test_python_dash_m_serves_until_interrupted() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "halnav.sandbox", "--port", "0", "--orders", "25", "--seed", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        banner = []
        for line in proc.stdout:
            banner.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        text = "".join(banner)
        root = next(line.split()[-1] for line in banner if "root URL" in line)
        for value in (
            "sandbox-shop1-admin-token",
            "sandbox-shop2-admin-token",
            "sandbox-shop1-public-token",
            "sandbox-client",
            "sandbox-secret",
        ):
            assert value in text  # fmt: skip
        assert "25 orders" in text
        response = requests.get(root, headers={"Authorization": "Bearer sandbox-shop1-admin-token"})
        assert response.status_code == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err
        assert "Sandbox stopped." in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_busy_port_fails_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    from halnav.sandbox import serve

    with serve(orders=3) as url:
        port = url.base_url.rsplit(":", 1)[1]
        assert main(["--port", port, "--orders", "3"]) == 1
    assert "cannot listen" in capsys.readouterr().err


def test_plugin_is_declared_as_an_entry_point() -> None:
    text = PYPROJECT.read_text(encoding="utf-8")
    assert (
        '[project.entry-points.pytest11]\nhalnav_sandbox = "halnav.sandbox.pytest_plugin"' in text
    )


def test_fixture_defaults(bootic_sandbox: SandboxURL) -> None:
    assert isinstance(bootic_sandbox, SandboxURL)
    assert len(bootic_sandbox.order_ids) == 120
    response = requests.get(
        bootic_sandbox, headers={"Authorization": f"Bearer {bootic_sandbox.token}"}
    )
    assert response.status_code == 200


@pytest.mark.bootic_sandbox(orders=7, seed=9, layout="alternate", fail_rate=0.0)
def test_fixture_marker_options(bootic_sandbox: SandboxURL) -> None:
    assert len(bootic_sandbox.order_ids) == 7
    assert bootic_sandbox.endswith("/api/entry")


@pytest.mark.bootic_sandbox(orders=3)
def test_fixture_data_is_fresh_for_each_test_part_one(bootic_sandbox: SandboxURL) -> None:
    bootic_sandbox.db.execute("UPDATE orders SET status = 'invalid'")


@pytest.mark.bootic_sandbox(orders=3)
def test_fixture_data_is_fresh_for_each_test_part_two(bootic_sandbox: SandboxURL) -> None:
    statuses = {row[0] for row in bootic_sandbox.db.query("SELECT status FROM orders")}
    assert statuses != {"invalid"}
