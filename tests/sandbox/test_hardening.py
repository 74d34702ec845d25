"""The security review's findings: request bodies bounded in size and nesting, no serving beyond
loopback unless asked, a cap on connections served at once, and a command whose help is exact.
(The root's embedded shops for a public token are in test_auth.)"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from werkzeug.test import Client

import halnav.sandbox
from halnav.sandbox import SandboxURL, make_app, serve
from halnav.sandbox._options import check_host, is_loopback
from halnav.sandbox.cli import build_parser, main

from .conftest import TIMEOUT, Api, TimeoutSession, errors_of, message_of

ADMIN = {"Authorization": "Bearer sandbox-shop1-admin-token"}


def _until(condition: Callable[[], bool], what: str) -> None:
    """Wait for a state of the server (polled; bounded by TIMEOUT, never asserted as a time)."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.01)


# -- request bodies ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    app = make_app(orders=20)
    yield Client(app)
    app.close()


@pytest.mark.parametrize("depth", [40, 300, 100_000])
def test_a_deeply_nested_body_is_400(client: Client, depth: int) -> None:
    body = "[" * depth + "]" * depth
    response = client.post("/v1/shops/29/orders", data=body, headers=ADMIN)
    assert response.status_code == 400
    assert errors_of(response) == {"body": ["is nested too deeply: at most 32 levels"]}


def test_a_deep_value_the_bulk_update_would_echo_is_400(client: Client) -> None:
    # removals are echoed as given: too deep for the encoders, they must be refused first
    nested: Any = {}
    for _ in range(300):
        nested = {"a": nested}
    body = {"ids": [1], "additions": {"status": "closed"}, "removals": nested}
    response = client.post("/v1/shops/29/orders/updaters.json", json=body, headers=ADMIN)
    assert response.status_code == 400
    assert "nested too deeply" in errors_of(response)["body"][0]


def test_a_body_as_deep_as_an_api_body_needs_is_taken(client: Client) -> None:
    nested: Any = {}
    for _ in range(29):
        nested = {"a": nested}
    body = {"ids": [1], "additions": {"status": "closed"}, "removals": nested}
    response = client.post("/v1/shops/29/orders/updaters.json", json=body, headers=ADMIN)
    assert response.status_code == 200
    assert response.json["removals"] == nested


def test_a_body_over_the_limit_is_413_naming_it(client: Client) -> None:
    body = b'{"line_items": [' + b'{"variant_id": 1, "units": 1},' * 40_000 + b"{}]}"
    assert len(body) > 2**20
    response = client.post("/v1/shops/29/orders", data=body, headers=ADMIN)
    assert response.status_code == 413
    assert message_of(response) == "The request body is too large: the limit is 1048576 bytes"


@pytest.mark.bootic_sandbox(orders=10, max_body_bytes=2000)
def test_the_limit_is_configurable_and_holds_over_http(bootic_sandbox: SandboxURL) -> None:
    url = bootic_sandbox
    create = f"{url.base_url}/v1/shops/{url.shop_id}/orders"
    line = {"variant_id": url.variant_ids[0], "units": 1}
    with Api(url, url.token) as session:
        small = session.post(create, json={"line_items": [line] * 10})
        assert small.status_code == 201
        large = session.post(create, json={"line_items": [line] * 100})
        assert large.status_code == 413
        assert message_of(large) == "The request body is too large: the limit is 2000 bytes"
        assert large.headers["Connection"] == "close"
        # the server goes on: a new connection is served
        assert session.post(create, json={"line_items": [line]}).status_code == 201


@pytest.mark.bootic_sandbox(orders=10, max_body_bytes=2000)
def test_a_large_body_announced_with_expect_is_refused_before_it_is_sent(
    bootic_sandbox: SandboxURL,
) -> None:
    url = bootic_sandbox
    port = int(url.base_url.rsplit(":", 1)[1])
    head = (
        f"POST /v1/shops/{url.shop_id}/orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {url.token}\r\nContent-Type: application/json\r\n"
        "Content-Length: 50000000\r\nExpect: 100-continue\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(head.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            assert chunk, answer
            answer += chunk
    status = answer.split(b"\r\n", 1)[0]
    assert status == b"HTTP/1.1 413 REQUEST ENTITY TOO LARGE", answer  # no 100 Continue first
    assert b"Connection: close" in answer


@pytest.mark.bootic_sandbox(orders=10, max_body_bytes=2000)
def test_a_chunked_body_over_the_limit_is_413(bootic_sandbox: SandboxURL) -> None:
    url = bootic_sandbox

    def chunks() -> Iterator[bytes]:
        yield b'{"line_items": ['
        for _ in range(200):
            yield b'{"variant_id": 1, "units": 1},'
        yield b"{}]}"

    with Api(url, url.token) as session:
        response = session.post(
            f"{url.base_url}/v1/shops/{url.shop_id}/orders",
            data=chunks(),
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 413


# -- where it listens --------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)
    check_host(host, allow_remote=False)


@pytest.mark.parametrize("host", ["0.0.0.0", "", "::", "192.0.2.10", "2001:db8::1"])
def test_other_hosts_need_allow_remote(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(ValueError, match="is not a loopback address"):
        check_host(host, allow_remote=False)
    check_host(host, allow_remote=True)


def test_serve_refuses_a_host_beyond_loopback_before_binding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from halnav.sandbox import _app

    def no_seeding(*args: object, **kwargs: object) -> None:
        raise AssertionError("seeded despite a refused host")

    monkeypatch.setattr(_app, "open_database", no_seeding)
    with (
        pytest.raises(ValueError, match="'0.0.0.0' is not a loopback address"),
        serve(host="0.0.0.0"),
    ):
        pass


def test_the_command_refuses_a_host_beyond_loopback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def serve(**options: object) -> None:
        raise AssertionError(f"the command started serving with {options}")

    monkeypatch.setattr(halnav.sandbox, "serve", serve)
    with pytest.raises(SystemExit) as exit_info:
        main(["--host", "0.0.0.0"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "usage: halnav sandbox" in err
    assert "halnav sandbox: error: --host '0.0.0.0' is not a loopback address" in err
    assert "--allow-remote" in err


def test_allow_remote_warns_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}

    @contextlib.contextmanager
    def serve(**options: object) -> Iterator[None]:
        seen.update(options)
        raise OSError("not serving in this test")
        yield

    monkeypatch.setattr(halnav.sandbox, "serve", serve)
    assert main(["--host", "0.0.0.0", "--allow-remote", "--port", "0"]) == 1
    assert (seen["host"], seen["allow_remote"]) == ("0.0.0.0", True)
    out, err = capsys.readouterr()
    assert "WARNING: --allow-remote: serving on 0.0.0.0" in err
    assert "tokens" in err and out == ""


# -- connections -------------------------------------------------------------------------------------


@pytest.fixture
def gated() -> Iterator[tuple[SandboxURL, threading.Event]]:
    """A sandbox serving two connections at once, whose requests wait at a gate."""
    gate = threading.Event()
    with serve(orders=10, latency_ms=1, max_connections=2) as url:
        url.app.faults.wait = lambda seconds: gate.wait(TIMEOUT)  # type: ignore[method-assign]
        try:
            yield url, gate
        finally:
            gate.set()


def test_connections_beyond_the_cap_wait_for_a_thread(
    gated: tuple[SandboxURL, threading.Event],
) -> None:
    url, gate = gated
    results: list[int] = []

    def fetch() -> None:
        with TimeoutSession() as session:
            results.append(session.get(url, headers=ADMIN).status_code)

    clients = [threading.Thread(target=fetch) for _ in range(3)]
    _until(lambda: url.server.serving == 0, "the readiness probe's connection closed")
    for client in clients[:2]:
        client.start()
    _until(lambda: url.server.serving == 2, "two connections served")
    clients[2].start()
    _until(lambda: url.server.waiting == 1, "the third connection waiting")
    assert url.server.serving == 2  # the cap holds: no third thread
    gate.set()
    for client in clients:
        client.join(TIMEOUT)
    assert results == [200, 200, 200]
    _until(lambda: url.server.serving == 0, "every connection closed")


def test_idle_keep_alive_connections_make_room() -> None:
    with serve(orders=10, max_connections=2) as url:
        sessions = [Api(url, url.token) for _ in range(3)]
        _until(lambda: url.server.serving == 0, "the readiness probe's connection closed")
        try:
            for session in sessions[:2]:  # two pooled keep-alive connections, idle now
                assert session.get(url).status_code == 200
            _until(lambda: url.server.serving == 2, "two idle connections held")
            # a third client is served without waiting for an idle one to time out
            assert sessions[2].get(url).status_code == 200
            for session in sessions:  # and the others can go on (on a new connection)
                assert session.get(url).status_code == 200
        finally:
            for session in sessions:
                session.close()


def test_beyond_the_queue_connections_are_refused_and_the_server_goes_on() -> None:
    with serve(orders=10, max_connections=1) as url:
        port = int(url.base_url.rsplit(":", 1)[1])
        opened: list[socket.socket] = []
        _until(lambda: url.server.serving == 0, "the readiness probe's connection closed")
        try:
            # one connection served (it says nothing yet), eight waiting, then two too many
            opened.append(socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT))
            _until(lambda: url.server.serving == 1, "one connection served")
            for count in range(1, 9):
                opened.append(socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT))
                _until(lambda n=count: url.server.waiting == n, f"{count} waiting")  # type: ignore[misc]
            refused = [
                socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) for _ in range(2)
            ]
            for sock in refused:
                with sock:
                    answer = b""
                    while chunk := sock.recv(4096):
                        answer += chunk
                assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
                assert answer.endswith(b'"message":"The sandbox has too many connections; retry"}')
        finally:
            for sock in opened:
                sock.close()
        # the waiting ones were served in turn (closed, they end at once); it serves again
        _until(lambda: url.server.waiting == 0, "the queue drained")
        assert requests.get(url, headers=ADMIN, timeout=TIMEOUT).status_code == 200


@pytest.mark.parametrize("value", [0, -1])
def test_max_connections_is_checked(value: int) -> None:
    with (
        pytest.raises(ValueError, match="max_connections must be >= 1"),
        serve(orders=1, max_connections=value),
    ):
        pass


# -- the command's help ------------------------------------------------------------------------------


def test_help_names_shop_29_as_the_banner_does() -> None:
    text = build_parser().format_help()
    assert "shop 29" in text and "shop 1" not in text


def test_help_shows_every_options_default() -> None:
    parser = build_parser()
    text = parser.format_help()
    # one block per option: from its line to the next option's
    blocks = [" ".join(block.split()) for block in text.split("options:")[1].split("\n  -")]
    documented = {block.split()[0].lstrip("-"): block for block in blocks if block}
    for action in parser._actions:
        if action.dest != "help":
            name = action.option_strings[-1].lstrip("-")
            assert "(default: " in documented[name], name
    assert "(default: 127.0.0.1)" in documented["host"]
    assert "(default: in memory)" in documented["db"]
    assert "(default: off)" in documented["allow-remote"]
    assert "(default: 1048576)" in documented["max-body-bytes"]


def test_help_describes_the_layouts() -> None:
    text = " ".join(build_parser().format_help().split())
    assert "{default,alternate}" in text
    assert "default: the real API's URLs" in text
    assert "alternate: the same API under unrelated URLs" in text


@pytest.mark.parametrize(
    "argv",
    [["--bogus"], ["--orders", "3", "--nope", "x"]],
)
def test_an_unknown_option_shows_the_sandbox_usage(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: halnav sandbox [-h] [--host HOST]")
    assert "unrecognized arguments" in err


def test_an_unknown_option_of_halnav_sandbox_shows_the_sandbox_usage() -> None:
    # through the halnav command itself, as a user types it
    result = subprocess.run(
        [sys.executable, "-c", "import sys, halnav.cli; sys.exit(halnav.cli.main())", "sandbox",
         "--bogus"],
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("usage: halnav sandbox [-h] [--host HOST]")
