"""The ``halnav sandbox`` command and the ``bootic_sandbox`` pytest fixture."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import requests

import halnav.sandbox
from halnav.sandbox import SandboxConfig, SandboxURL
from halnav.sandbox.cli import build_parser, main

from .conftest import TIMEOUT

ROOT = Path(halnav.sandbox.__file__).parent.parent.parent
PYPROJECT = ROOT / "pyproject.toml"
BANNER_TIMEOUT = 60  # seconds for the command to print its banner (it seeds 25 orders)


def read_banner(proc: subprocess.Popen[str], timeout: float) -> list[str]:
    """The command's banner, up to its ``Press Ctrl-C`` line. A reader thread does the blocking
    reads, so that a child that stalls (or exits early) fails the test: it is killed then."""
    assert proc.stdout is not None
    stdout = proc.stdout
    lines: list[str] = []
    done = threading.Event()

    def read() -> None:
        try:
            for line in stdout:
                lines.append(line)
                if line.startswith("Press Ctrl-C"):
                    break
        finally:
            done.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if not done.wait(timeout):
        proc.kill()
        reader.join(TIMEOUT)
        pytest.fail(f"no banner within {timeout} s; printed so far: {''.join(lines)!r}")
    if not lines or not lines[-1].startswith("Press Ctrl-C"):
        pytest.fail(f"the command ended before its banner; printed: {''.join(lines)!r}")
    return lines


def _stop(proc: subprocess.Popen[str]) -> None:
    """Kill the child if still running and reap it, without raising (a test's own failure must
    be the one reported)."""
    with contextlib.suppress(Exception):
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=TIMEOUT)


def test_parser_defaults() -> None:
    args = build_parser().parse_args([])
    assert (args.host, args.port, args.db, args.orders, args.seed) == (
        "127.0.0.1", 8000, None, 14486, 0
    )  # fmt: skip
    assert (args.latency_ms, args.fail_rate, args.token_lifetime) == (0, 0.0, 3600)
    assert (args.allow_remote, args.max_connections, args.max_body_bytes) == (False, 64, 2**20)


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
            "--allow-remote",
            "--max-connections",
            "8",
            "--max-body-bytes",
            "4096",
        ]  # fmt: skip
    )
    assert (args.allow_remote, args.max_connections, args.max_body_bytes) == (True, 8, 4096)
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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--fail-rate", "1.5"], "--fail-rate must be between 0 and 1"),
        (["--fail-rate", "nan"], "--fail-rate must be between 0 and 1"),
        (["--orders", "-1"], "--orders must be >= 0"),
        (["--latency-ms", "-1"], "--latency-ms must be >= 0"),
        (["--token-lifetime", "-1"], "--token-lifetime must be >= 0"),
        (["--port", "65536"], "--port must be between 0 and 65535"),
        (["--port", "-1"], "--port must be between 0 and 65535"),
        (["--max-connections", "0"], "--max-connections must be >= 1"),
        (["--max-body-bytes", "0"], "--max-body-bytes must be >= 1"),
        (["--host", "192.0.2.1"], "--host '192.0.2.1' is not a loopback address"),
    ],
)
def test_option_values_are_checked_by_the_sandbox_itself(
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def serve(**options: object) -> None:  # were a bad value let through, it would serve on
        raise AssertionError(f"the command started serving with {options}")

    monkeypatch.setattr(halnav.sandbox, "serve", serve)
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "usage: halnav sandbox" in err
    assert f"halnav sandbox: error: {message}" in err


def test_the_cli_repeats_no_range_check() -> None:
    # The parser takes any number; the message is the sandbox's own check's, option-named.
    args = build_parser().parse_args(["--fail-rate", "7", "--orders", "-3", "--port", "99999"])
    assert (args.fail_rate, args.orders, args.port) == (7.0, -3, 99999)
    with pytest.raises(ValueError, match="^fail_rate must be between 0 and 1$"):
        SandboxConfig(fail_rate=7)


def test_read_banner_kills_a_stalled_child() -> None:
    stalled = "import time; print('halnav Bootic sandbox: starting', flush=True); time.sleep(120)"
    proc = subprocess.Popen(
        [sys.executable, "-c", stalled], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        with pytest.raises(pytest.fail.Exception, match="no banner within 1 s") as failure:
            read_banner(proc, 1)
        assert "halnav Bootic sandbox: starting" in str(failure.value)
        assert proc.wait(TIMEOUT) != 0  # killed, not left running
    finally:
        _stop(proc)


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
        banner = read_banner(proc, BANNER_TIMEOUT)
        text = "".join(banner)
        root = next(line.split()[-1] for line in banner if "root URL" in line)
        for value in (
            "sandbox-shop1-admin-token",
            "sandbox-shop2-admin-token",
            "sandbox-shop1-public-token",
            "sandbox-client",
            "sandbox-secret",
            "sandbox-owner-password",
            "other-owner-password",
        ):
            assert value in text  # fmt: skip
        assert "25 orders in shop 29" in text
        assert "users (password grant)" in text
        assert proc.stderr is not None
        response = requests.get(
            root, headers={"Authorization": "Bearer sandbox-shop1-admin-token"}, timeout=TIMEOUT
        )
        assert response.status_code == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 0, err
        assert "Sandbox stopped." in out
        assert "WARNING" not in err  # on loopback, without --allow-remote
    finally:
        _stop(proc)


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
        bootic_sandbox, headers={"Authorization": f"Bearer {bootic_sandbox.token}"}, timeout=TIMEOUT
    )
    assert response.status_code == 200


@pytest.mark.bootic_sandbox(orders=7, seed=9, layout="alternate", fail_rate=0.0)
def test_fixture_marker_options(bootic_sandbox: SandboxURL) -> None:
    assert len(bootic_sandbox.order_ids) == 7
    assert bootic_sandbox.endswith("/api/entry")


FRESH_DATA_SESSION = textwrap.dedent(
    """
    import pytest

    STATUSES = "SELECT DISTINCT status FROM orders"


    @pytest.mark.bootic_sandbox(orders=3)
    def test_a_changes_every_order(bootic_sandbox):
        assert bootic_sandbox.db.execute("UPDATE orders SET status = 'invalid'") > 0
        assert {row[0] for row in bootic_sandbox.db.query(STATUSES)} == {"invalid"}


    @pytest.mark.bootic_sandbox(orders=3)
    def test_b_sees_the_seeded_data_again(bootic_sandbox):
        assert {row[0] for row in bootic_sandbox.db.query(STATUSES)} != {"invalid"}
    """
)


def test_fixture_data_is_fresh_for_each_test(tmp_path: Path) -> None:
    # One pytest session of two tests, in this order: the second must not see the first's write.
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "test_fresh.py").write_text(FRESH_DATA_SESSION, encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-p", "halnav.sandbox.pytest_plugin", "-q"]
    command += ["-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"), "test_fresh.py"]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
