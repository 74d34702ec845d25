"""Fault injection: 503s with Retry-After, dropped connections, latency, all switchable live."""

from __future__ import annotations

import contextlib
import threading

import pytest
import requests
from werkzeug.test import Client

from halnav.sandbox import SandboxConfig, SandboxURL, make_app, serve
from halnav.sandbox import _faults as faults

from .conftest import TIMEOUT, Api, message_of


def _outcomes(url: SandboxURL, count: int) -> list[str]:
    outcomes = []
    with Api(url, url.token) as session:
        for _ in range(count):
            try:
                outcomes.append(str(session.get(url).status_code))
            except requests.ConnectionError:
                outcomes.append("drop")
    return outcomes


@pytest.mark.bootic_sandbox(orders=10, fail_rate=1.0)
def test_503_with_retry_after(bootic_sandbox: SandboxURL) -> None:
    bootic_sandbox.config.fail_kinds = ("503",)
    with Api(bootic_sandbox, bootic_sandbox.token) as session:
        response = session.get(bootic_sandbox)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "0"
    assert message_of(response) == "Injected fault (fail_rate): service unavailable, retry"


@pytest.mark.bootic_sandbox(orders=10, fail_rate=1.0)
def test_dropped_connection(bootic_sandbox: SandboxURL) -> None:
    bootic_sandbox.config.fail_kinds = ("drop",)
    with (
        Api(bootic_sandbox, bootic_sandbox.token) as session,
        pytest.raises(requests.ConnectionError),
    ):
        session.get(bootic_sandbox)


@pytest.mark.bootic_sandbox(orders=10, fail_rate=1.0)
def test_token_endpoint_and_web_pages_never_fail(bootic_sandbox: SandboxURL) -> None:
    url = bootic_sandbox
    code = url.db.query("SELECT code FROM orders LIMIT 1")[0][0]
    for _ in range(5):
        token = requests.post(
            url.token_url,
            data={"grant_type": "client_credentials"},
            auth=(url.client_id, url.client_secret),
            timeout=TIMEOUT,
        )
        assert token.status_code == 200
        assert requests.get(f"{url.base_url}/cart/{code}", timeout=TIMEOUT).status_code == 200


@pytest.mark.bootic_sandbox(orders=10)
def test_faults_switch_on_and_off_live(bootic_sandbox: SandboxURL) -> None:
    url = bootic_sandbox
    assert _outcomes(url, 5) == ["200"] * 5
    url.config.fail_rate = 1.0
    assert set(_outcomes(url, 10)) == {"503", "drop"}  # both kinds, drawn evenly
    url.config.fail_rate = 0.0
    assert _outcomes(url, 5) == ["200"] * 5


def test_faults_are_deterministic_from_the_seed() -> None:
    runs = []
    for seed in (5, 5, 6):
        with serve(orders=10, seed=seed, fail_rate=0.5) as url:
            runs.append(_outcomes(url, 24))
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    assert {"200", "503", "drop"} <= set(runs[0])


@pytest.mark.bootic_sandbox(orders=10, fail_rate=1.0)
def test_a_failed_post_changed_nothing(bootic_sandbox: SandboxURL) -> None:
    url = bootic_sandbox
    before = url.db.query("SELECT COUNT(*) FROM orders")[0][0]
    body = {"line_items": [{"variant_id": url.variant_ids[0], "units": 1}]}
    create = f"{url.base_url}/v1/shops/{url.shop_id}/orders"
    with Api(url, url.token) as session:
        for _ in range(6):
            with contextlib.suppress(requests.ConnectionError):  # a dropped connection
                assert session.post(create, json=body).status_code == 503
        assert url.db.query("SELECT COUNT(*) FROM orders")[0][0] == before
        url.config.fail_rate = 0
        assert session.post(create, json=body).status_code == 201


def test_latency_sleeps_before_each_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    # No timing is asserted: the sleep itself is observed, on this sandbox's own sleep only.
    slept: list[float] = []
    app = make_app(orders=5, latency_ms=40)
    monkeypatch.setattr(app.faults, "wait", slept.append)
    try:
        client = Client(app)
        headers = {"Authorization": "Bearer sandbox-shop1-admin-token"}
        assert client.get("/v1", headers=headers).status_code == 200
        assert slept == [0.04]
        app.config.latency_ms = 0
        client.get("/v1", headers=headers)
        assert slept == [0.04]
    finally:
        app.close()


@pytest.mark.bootic_sandbox(orders=10, latency_ms=5)
def test_latency_still_answers(bootic_sandbox: SandboxURL) -> None:
    assert _outcomes(bootic_sandbox, 2) == ["200", "200"]


def test_drop_without_a_socket_raises_in_the_test_client() -> None:
    app = make_app(orders=5, fail_rate=1.0)
    app.config.fail_kinds = ("drop",)
    try:
        with pytest.raises(ConnectionAbortedError):
            Client(app).get("/v1")
    finally:
        app.close()


def test_the_latency_sleep_ends_when_the_sandbox_stops() -> None:
    injector = faults.FaultInjector(SandboxConfig(latency_ms=600_000), seed=0)
    sleeper = threading.Thread(target=injector.delay)
    sleeper.start()
    injector.stopped.set()
    sleeper.join(TIMEOUT)
    assert not sleeper.is_alive()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("fail_rate", 1.5),
        ("fail_rate", -0.1),
        ("fail_rate", float("nan")),
        ("latency_ms", -1),
        ("latency_ms", float("inf")),
        ("latency_ms", float("nan")),
        ("fail_kinds", ("boom",)),
    ],
)
def test_config_rejects_bad_values(name: str, value: object) -> None:
    config = SandboxConfig()
    with pytest.raises(ValueError):
        setattr(config, name, value)


def test_a_long_latency_does_not_delay_startup() -> None:
    # serve() polls "/" until the server answers; that answer is never delayed.
    with serve(orders=3, latency_ms=60_000) as url:
        url.config.latency_ms = 0
        assert _outcomes(url, 1) == ["200"]
