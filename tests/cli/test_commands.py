"""The ``halnav`` entry points: the console script, ``python -m halnav``, help, ``sandbox``."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import halnav
from halnav.cli import main

from .conftest import run_halnav

SCRIPT = Path(sys.executable).parent / "halnav"


def test_the_installed_console_script_runs(sandbox):
    assert SCRIPT.exists(), "pip install -e . creates the halnav script"
    version = subprocess.run([str(SCRIPT), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.strip() == f"halnav {halnav.__version__}"
    env = {**os.environ, "HALNAV_URL": sandbox, "HALNAV_TOKEN": sandbox.token}
    result = subprocess.run(
        [str(SCRIPT), "get", "--pointer", "/user_name"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sandbox-owner"


def test_help_lists_every_command():
    result = run_halnav("--help")
    assert result.returncode == 0
    for command in ("demo", "get", "shell", "sandbox", "bootic"):
        assert re.search(rf"^\s+{command}\s", result.stdout, re.MULTILINE), command
    bootic = run_halnav("bootic", "--help")
    for command in ("orders", "create-order", "update-orders"):
        assert command in bootic.stdout


def test_a_missing_or_unknown_command_is_a_usage_error():
    assert run_halnav().returncode == 2
    unknown = run_halnav("frobnicate")
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr


def test_main_returns_the_exit_status_without_exiting(capsys):
    assert main(["--version"]) == 0
    assert main(["get", "--bogus"]) == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_sandbox_is_dispatched_to_the_sandbox_command():
    result = run_halnav("sandbox", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: halnav sandbox") and "--layout" in result.stdout


def test_the_sandbox_command_serves_until_terminated():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HALNAV_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "halnav", "sandbox", "--port", "0", "--orders", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        lines = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        banner = "".join(lines)
        url = re.search(r"root URL\s+(\S+)", banner).group(1)
        token = re.search(r"shop1_admin\s+(\S+)", banner).group(1)
        assert url.startswith("http://127.0.0.1:")
        result = run_halnav("get", "--url", url, "--token", token, "--pointer", "/user_name")
        assert result.stdout.strip() == "sandbox-owner"
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "Sandbox stopped." in out


def test_a_missing_extra_names_the_pip_command():
    # werkzeug made unimportable: the sandbox extra is "not installed".
    code = (
        "import sys; sys.modules['werkzeug'] = None\n"
        "from halnav.cli import main\n"
        "sys.exit(main(['demo']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "halnav: error: halnav demo needs the sandbox extra: pip install 'halnav[sandbox]'"
    )


def test_debug_logs_each_request_once_however_often_main_runs(sandbox, capsys):
    logger = logging.getLogger("halnav")
    handlers, level = list(logger.handlers), logger.level
    argv = ["get", "--debug", "--url", sandbox, "--token", sandbox.token, "--pointer", "/user_name"]
    for _ in range(3):
        assert main(argv) == 0
        err = capsys.readouterr().err
        assert len([line for line in err.splitlines() if f"GET {sandbox} -> 200" in line]) == 1
        assert sandbox.token not in err
    assert logger.handlers == handlers and logger.level == level  # put back after each run
    assert main(argv[:1] + argv[2:]) == 0
    assert capsys.readouterr().err == ""  # no --debug, no log


def test_retries_takes_decimal_digits_only():
    for value in ("²", "-1", "x"):
        result = run_halnav("--retries", value, "get", "--url", "http://127.0.0.1:9/v1")
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert f"argument --retries: must be a whole number >= 0, got '{value}'" in result.stderr
