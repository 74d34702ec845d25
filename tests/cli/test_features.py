"""Profiles, OAuth2 on the command line, invoke, get --format, completion, demo --url."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import halnav
from halnav.cli._invoke import link_method

from .conftest import connected, run_halnav
from .test_get import assert_one_line_error


def write_config(home: Path, text: str, mode: int = 0o600) -> Path:
    path = home / "halnav" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


@pytest.fixture
def dirs(tmp_path):
    return {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_CACHE_HOME": str(tmp_path / "cache")}


def test_a_profile_gives_the_url_and_token(sandbox, dirs):
    write_config(
        Path(dirs["XDG_CONFIG_HOME"]),
        f'default_profile = "box"\n[profiles.box]\nurl = "{sandbox}"\ntoken = "{sandbox.token}"\n'
        f'[profiles.other]\nurl = "{sandbox}"\ntoken = "sandbox-shop2-admin-token"\n',
    )
    for extra, env, user in (
        ((), {}, "sandbox-owner"),
        (("--profile", "other"), {}, "other-owner"),
        ((), {"HALNAV_PROFILE": "other"}, "other-owner"),
        # a named profile comes before the environment; options before both
        (("--profile", "other"), {"HALNAV_TOKEN": sandbox.token}, "other-owner"),
        (("--profile", "other", "--token", sandbox.token), {}, "sandbox-owner"),
        ((), {"HALNAV_TOKEN": "sandbox-shop2-admin-token"}, "other-owner"),
    ):
        result = run_halnav("get", *extra, "--pointer", "/user_name", env={**dirs, **env})
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"{user}\n", (extra, env)
    line = assert_one_line_error(run_halnav("get", "--profile", "nope", env=dirs), 1)
    assert line.endswith("profiles: box, other")


def test_a_config_file_with_secrets_open_to_others_is_refused(sandbox, dirs):
    path = write_config(
        Path(dirs["XDG_CONFIG_HOME"]), f'[profiles.default]\ntoken = "{sandbox.token}"\n', 0o644
    )
    result = run_halnav("get", "--url", sandbox, env=dirs)
    line = assert_one_line_error(result)
    assert line == (
        f"halnav: error: {path} holds secrets (default.token) but is open to group and others "
        f"(mode 0644); make it private: chmod 600 {path}"
    )
    assert sandbox.token not in result.stderr
    path.chmod(0o640)
    assert "open to group (mode 0640)" in run_halnav("get", env=dirs).stderr


def test_oauth_client_credentials_on_the_command_line_with_a_cached_token(sandbox, dirs):
    env = {**dirs, "HALNAV_CLIENT_SECRET": sandbox.client_secret}
    env.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
    args = ("get", "--url", sandbox, "--client-id", sandbox.client_id, "--token-url")
    args += (sandbox.token_url, "--pointer", "/user_name", "--debug")
    first = run_halnav(*args, env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "sandbox-owner\n"
    cached = Path(dirs["XDG_CACHE_HOME"]) / "halnav" / "tokens" / "default.json"
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600
    token = json.loads(cached.read_text())["token"]["access_token"]
    second = run_halnav(*args, env=env)
    assert second.returncode == 0, second.stderr
    assert "new token" not in second.stderr  # the cached one was used
    assert json.loads(cached.read_text())["token"]["access_token"] == token
    for result in (first, second):
        shown = result.stdout + result.stderr
        assert token not in shown and sandbox.client_secret not in shown
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ


def test_client_credentials_usage_errors(sandbox):
    line = assert_one_line_error(run_halnav("get", "--url", sandbox, "--client-id", "x"), 2)
    assert "a client id needs its secret" in line
    line = assert_one_line_error(
        run_halnav("get", "--url", sandbox, "--client-id", "x", "--client-secret", "yyyy"), 2
    )
    assert "need --token-url" in line and "yyyy" not in line


def test_a_loopback_token_url_needs_no_insecure_transport_switch(sandbox, monkeypatch):
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
    auth = halnav.ClientCredentials(sandbox.token_url, sandbox.client_id, sandbox.client_secret)
    with halnav.Client(sandbox, auth=auth) as client:
        assert client.root()["user_name"] == "sandbox-owner"
    auth.close()
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ
    for url in ("http://auth.example/token", "http://10.0.0.1/token", "http://localhost.example/t"):
        with pytest.raises(ValueError, match="plain http is allowed for a loopback host"):
            halnav.ClientCredentials(url, "id", "secret")


def test_invoke_writes_with_the_link_s_method_and_prints_the_answer(fresh, tmp_path):
    halnav_ = connected(fresh)
    body = {"line_items": [{"variant_id": fresh.variant_ids[0], "units": 1}]}
    created = halnav_("invoke", "shops", "btc:create_order", "--json", json.dumps(body), "--raw")
    assert created.returncode == 0, created.stderr
    order = json.loads(created.stdout)
    assert order["status"] == "checkout"
    path = tmp_path / "update.json"
    path.write_text(json.dumps({"ids": [order["id"]], "additions": {"status": "pending"}}))
    updated = halnav_(
        "invoke",
        "shops",
        "btc:update_orders",
        "--json",
        f"@{path}",
        "--pointer",
        "/_embedded/valid_items/0/status",
    )
    assert updated.returncode == 0, updated.stderr
    assert updated.stdout == "pending\n"
    refused = halnav_("invoke", "shops", "btc:create_order", "--json", '{"line_items": []}')
    line = assert_one_line_error(refused)
    assert "422" in line and "POST" in line
    bad = halnav_("invoke", "shops", "btc:create_order", "--json", "{nope")
    assert "--json is not valid JSON" in assert_one_line_error(bad, 2)
    read = halnav_("invoke", "btc:shop", "-p", f"id={fresh.shop_id}", "--pointer", "/id")
    assert read.stdout == f"{fresh.shop_id}\n"


def test_the_method_of_an_invoked_link():
    assert link_method({"method": "put"}, None) == "PUT"
    assert link_method({}, {"a": 1}) == "POST"
    assert link_method({}, None) == "GET"


def test_get_format_prints_a_collection_s_items(halnav):
    table = halnav(
        "get",
        "shops",
        "btc:orders",
        "-p",
        "per_page=3",
        "--format",
        "table",
        "--columns",
        "id,code,status",
    )
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["id", "code", "status"] and len(lines) == 5
    assert table.stderr == "3 of 60 items (first page; --all for every page)\n"
    jsonl = halnav("get", "shops", "btc:orders", "-p", "per_page=25", "--all", "--format", "jsonl")
    assert len(jsonl.stdout.splitlines()) == 60
    shop = halnav("get", "shops", "--format", "csv")
    assert "--format needs a collection" in assert_one_line_error(shop, 2)


def test_completion_scripts_complete_from_the_parser(tmp_path):
    for shell in ("bash", "zsh", "fish"):
        result = run_halnav("completion", shell)
        assert (
            result.returncode == 0 and "halnav" in result.stdout and "_ARGCOMPLETE" in result.stdout
        )
    out = tmp_path / "candidates"
    env = {**os.environ, "_ARGCOMPLETE": "1", "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
           "COMP_LINE": "halnav bootic orders --sta", "COMP_POINT": "26", "_ARGCOMPLETE_IFS": "\n"}  # fmt: skip
    subprocess.run([sys.executable, "-m", "halnav"], env=env, check=True, timeout=60)
    assert out.read_text().split() == ["--status"]


def test_bash_completes_halnav_commands(tmp_path):
    script = run_halnav("completion", "bash").stdout
    bin_dir = Path(sys.executable).parent
    probe = (
        f'export PATH="{bin_dir}:$PATH"\n{script}\n'
        'COMP_WORDS=(halnav boo); COMP_CWORD=1; COMP_LINE="halnav boo"; COMP_POINT=10\n'
        '_python_argcomplete halnav boo halnav\necho "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["bootic"], result.stderr


def test_demo_runs_read_only_on_a_given_api(sandbox):
    result = run_halnav("demo", "--url", sandbox, "--token", sandbox.token, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"halnav demo: a walk through the Bootic API at {sandbox}.")
    assert "Reading only: steps 5 to 8 write to the shop, and run with --write." in out
    assert "4. Counting every successful order" in out and "5. " not in out
    assert sandbox.token not in out + result.stderr


def test_demo_writes_on_a_given_api_only_with_write(fresh):
    result = run_halnav("demo", "--url", fresh, "--token", fresh.token, "--write", timeout=120)
    assert result.returncode == 0, result.stderr
    assert "created R" in result.stdout and "result.valid_items (3):" in result.stdout
    line = assert_one_line_error(run_halnav("demo", "--token", "x"), 2)
    assert "--token and --client-id need --url" in line
    line = assert_one_line_error(run_halnav("demo", "--url", fresh, "--seed", "3"), 2)
    assert "not with --url" in line
