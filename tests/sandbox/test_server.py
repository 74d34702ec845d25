"""The in-process server: what serve() yields, clean shutdown, the package surface."""

from __future__ import annotations

import ast
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import requests

import halnav.sandbox
from halnav.sandbox import SandboxConfig, SandboxURL, serve

PACKAGE = Path(halnav.sandbox.__file__).parent


def test_serve_yields_a_url_with_everything_a_test_needs() -> None:
    with serve(orders=15) as url:
        assert isinstance(url, str) and isinstance(url, SandboxURL)
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        assert url == f"{url.base_url}/v1"
        assert url.token == url.tokens["shop1_admin"]
        assert set(url.tokens) == {"shop1_admin", "shop2_admin", "shop1_public", "shop1_expired"}
        assert url.token_url == f"{url.base_url}/oauth/token"
        assert (url.client_id, url.client_secret) == ("sandbox-client", "sandbox-secret")
        assert (url.shop_id, url.other_shop_id) == (29, 31)
        assert isinstance(url.config, SandboxConfig)
        assert len(url.order_ids) == 15
        assert url.variant_ids and url.product_ids and url.contact_emails and url.address_ids
        assert url.db.query("SELECT COUNT(*) FROM orders WHERE shop_id = 29")[0][0] == 15
        assert requests.get(url, headers={"Authorization": f"Bearer {url.token}"}).ok


def test_exit_stops_the_server_and_ends_kept_alive_connections() -> None:
    with serve(orders=5) as url, requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {url.token}"
        assert session.get(url).status_code == 200  # leaves a pooled keep-alive connection
        port = int(url.base_url.rsplit(":", 1)[1])
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


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


def test_the_sandbox_imports_nothing_from_the_client() -> None:
    # It renders HAL itself, so that testing the client against it proves something.
    for module in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                inside = name.split(".")[:2] == ["halnav", "sandbox"]
                assert inside or not name.startswith("halnav"), (module.name, name)


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
