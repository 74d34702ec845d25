"""The in-process server: what serve() yields, clean shutdown, the package surface."""

from __future__ import annotations

import ast
import contextlib
import logging
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import requests
from werkzeug.test import Client

import halnav.sandbox
from halnav.sandbox import SandboxConfig, SandboxURL, make_app, serve
from halnav.sandbox import _app as app_module

from .conftest import TIMEOUT, TimeoutSession, message_of

PACKAGE = Path(halnav.sandbox.__file__).parent
ADMIN = {"Authorization": "Bearer sandbox-shop1-admin-token"}


def test_serve_yields_a_url_with_everything_a_test_needs() -> None:
    with serve(orders=15) as url:
        assert isinstance(url, str) and isinstance(url, SandboxURL)
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        assert url == f"{url.base_url}/v1"
        assert url.token == url.tokens["shop1_admin"]
        assert set(url.tokens) == {"shop1_admin", "shop2_admin", "shop1_public", "shop1_expired"}
        assert url.token_url == f"{url.base_url}/oauth/token"
        assert (url.client_id, url.client_secret) == ("sandbox-client", "sandbox-secret")
        assert (url.username, url.password) == ("sandbox-owner", "sandbox-owner-password")
        assert url.users == {
            "sandbox-owner": "sandbox-owner-password",
            "other-owner": "other-owner-password",
        }
        assert len(url.order_codes) == 15 and url.order_codes[0].startswith("R")
        assert url.server.waiting == 0 and url.server.serving <= 1  # (the readiness probe)
        # its repr is the URL alone: the credentials it carries never show in a log or a diff
        assert repr(url) == f"SandboxURL({str(url)!r})"
        assert (url.shop_id, url.other_shop_id) == (29, 31)
        assert isinstance(url.config, SandboxConfig)
        assert len(url.order_ids) == 15
        assert url.variant_ids and url.product_ids and url.contact_emails and url.address_ids
        assert url.db.query("SELECT COUNT(*) FROM orders WHERE shop_id = 29")[0][0] == 15
        assert requests.get(
            url, headers={"Authorization": f"Bearer {url.token}"}, timeout=TIMEOUT
        ).ok


def test_exit_stops_the_server_and_ends_kept_alive_connections() -> None:
    with serve(orders=5) as url, TimeoutSession() as session:
        session.headers["Authorization"] = f"Bearer {url.token}"
        assert session.get(url).status_code == 200  # leaves a pooled keep-alive connection
        port = int(url.base_url.rsplit(":", 1)[1])
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def _connection_threads(port: int) -> list[threading.Thread]:
    name = f"halnav-sandbox-{port}-connection"
    return [thread for thread in threading.enumerate() if thread.name == name]


def test_exit_with_requests_in_flight_is_prompt_and_quiet(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    results: list[object] = []
    sleeping = threading.Semaphore(0)
    with serve(orders=20, latency_ms=600_000) as url:
        port = int(url.base_url.rsplit(":", 1)[1])
        sleep = url.app.faults.wait

        def wait(seconds: float) -> None:
            sleeping.release()
            sleep(seconds)

        url.app.faults.wait = wait  # type: ignore[method-assign]
        orders = f"{url.base_url}/v1/shops/{url.shop_id}/orders.json"

        def fetch() -> None:
            try:
                results.append(requests.get(orders, headers=ADMIN, timeout=TIMEOUT).status_code)
            except requests.RequestException as exc:
                results.append(exc)

        clients = [threading.Thread(target=fetch) for _ in range(3)]
        for client in clients:
            client.start()
        for _ in clients:  # each request is sleeping out its ten minutes of latency
            assert sleeping.acquire(timeout=TIMEOUT)
        # and a connection accepted just before the exit, that never sends a request
        idle = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        deadline = time.monotonic() + TIMEOUT
        while len(_connection_threads(port)) < 4:
            assert time.monotonic() < deadline, "the server never took the idle connection"
            time.sleep(0.01)
    # The with statement returned: every connection thread has been joined.
    assert _connection_threads(port) == []
    for client in clients:
        client.join(TIMEOUT)
    assert results == [503, 503, 503]
    with idle, contextlib.suppress(ConnectionResetError):
        assert idle.recv(1) == b""  # closed by the server
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert "Traceback" not in capfd.readouterr().err


def test_a_closed_app_answers_503_without_a_traceback(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    app = make_app(orders=5)
    client = Client(app)
    authenticate = app_module.authenticate

    def close_then_authenticate(*args: object) -> object:
        app.close()  # the database closes under a request already being answered
        return authenticate(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(app_module, "authenticate", close_then_authenticate)
    late = client.get("/v1", headers=ADMIN)
    assert late.status_code == 503
    assert message_of(late) == "The sandbox is shutting down"
    after = client.get("/v1", headers=ADMIN)
    assert after.status_code == 503
    assert message_of(after) == "The sandbox is shutting down"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_busy_port_is_an_os_error_not_an_exit() -> None:
    with serve(orders=5) as url:
        port = int(url.base_url.rsplit(":", 1)[1])
        with pytest.raises(OSError), serve(orders=5, port=port):
            pass


def test_two_sandboxes_are_independent() -> None:
    with serve(orders=5) as first, serve(orders=5) as second:
        assert first.base_url != second.base_url
        first.db.execute("UPDATE orders SET status = 'invalid'")
        statuses = second.db.query("SELECT DISTINCT status FROM orders")
        assert {row[0] for row in statuses} != {"invalid"}


def test_public_names() -> None:
    assert sorted(halnav.sandbox.__all__) == sorted(
        ["TRANSITIONS", "SandboxApp", "SandboxConfig", "SandboxURL", "make_app", "serve"]
    )
    for name in halnav.sandbox.__all__:
        assert getattr(halnav.sandbox, name) is not None


def _halnav_imports_outside_the_sandbox(source: str, package: str = "halnav.sandbox") -> list[str]:
    """The halnav modules outside ``halnav.sandbox`` that the module's imports name, relative
    imports resolved against ``package`` (``from .. import _client`` is ``halnav._client``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            if node.level > len(parts):  # above the top package: not the sandbox, surely
                found.append("." * node.level + (node.module or ""))
                continue
            base = ".".join(parts[: len(parts) + 1 - node.level] if node.level else [])
            module = ".".join(part for part in (base, node.module or "") if part)
            if node.module is None:  # from .. import x: x is a module of the base package
                names = [f"{module}.{alias.name}" for alias in node.names]
            else:
                names = [module]
        for name in names:
            top = name.split(".")
            if top[0] == "halnav" and top[:2] != ["halnav", "sandbox"]:
                found.append(name)
    return found


@pytest.mark.parametrize(
    "source",
    [
        "import halnav.bootic",
        "import halnav",
        "from halnav import _client",
        "from halnav.bootic import BooticClient",
        "from .. import _client",
        "from ..bootic import x",
        "from .._transport import Transport",
        "from ..bootic._shop import Shop",
        "from ... import anything",
        "def f():\n    from .. import _client\n",
    ],
)
def test_the_import_check_sees_every_form(source: str) -> None:
    assert _halnav_imports_outside_the_sandbox(source), source


@pytest.mark.parametrize(
    "source",
    [
        "import json",
        "from . import _store",
        "from ._db import Database",
        "from .. import sandbox",
        "from ..sandbox._hal import dumps",
        "import halnav.sandbox._db",
        "from halnav.sandbox import serve",
    ],
)
def test_the_import_check_lets_the_sandbox_import_itself(source: str) -> None:
    assert _halnav_imports_outside_the_sandbox(source) == []


def test_the_sandbox_imports_nothing_from_the_client() -> None:
    # It renders HAL itself, so that testing the client against it proves something.
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) > 10
    for module in modules:
        source = module.read_text(encoding="utf-8")
        assert _halnav_imports_outside_the_sandbox(source) == [], module.name


def test_every_module_states_its_job() -> None:
    for module in PACKAGE.glob("*.py"):
        assert ast.get_docstring(ast.parse(module.read_text(encoding="utf-8"))), module.name


BLOCK_WERKZEUG = textwrap.dedent(
    """
    import sys

    class Block:
        def find_spec(self, name, path=None, target=None):
            if name == "werkzeug" or name.startswith("werkzeug."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    sys.meta_path.insert(0, Block())
    """
)


def _without_werkzeug(code: str) -> subprocess.CompletedProcess[str]:
    root = str(PACKAGE.parent.parent)
    return subprocess.run(
        [sys.executable, "-c", BLOCK_WERKZEUG + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
        env={"PYTHONPATH": root, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PATH": ""},
    )


def test_without_the_extra_the_error_names_it() -> None:
    result = _without_werkzeug(
        """
        import halnav.sandbox.pytest_plugin  # pytest loads it wherever halnav is installed
        try:
            from halnav.sandbox import serve
        except ImportError as exc:
            print("ImportError:", exc)
        from halnav.sandbox.cli import main
        print("exit", main(["--port", "0"]))
        """
    )
    assert result.returncode == 0, result.stderr
    assert "ImportError: halnav.sandbox needs werkzeug" in result.stdout
    assert "pip install 'halnav[sandbox]'" in result.stdout
    assert "exit 2" in result.stdout
    assert "pip install 'halnav[sandbox]'" in result.stderr


def test_without_the_extra_the_fixture_skips(tmp_path: Path) -> None:
    test_file = tmp_path / "test_user.py"
    test_file.write_text("def test_uses_it(bootic_sandbox):\n    assert False\n")
    result = _without_werkzeug(
        f"""
        import pytest
        raise SystemExit(pytest.main(
            [{str(test_file)!r}, "-p", "halnav.sandbox.pytest_plugin", "-rs", "-q",
             "-p", "no:cacheprovider"]
        ))
        """
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "pip install 'halnav[sandbox]'" in result.stdout
