"""Retries: urllib3's Retry on the adapter, idempotent methods only, against a real socket server.

``responses`` replaces the adapter, so it cannot show retries; these tests run a small raw-socket
HTTP/1.1 server on 127.0.0.1 that answers each request with the next scripted action: an answer,
a dropped connection, or silence.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from rawserver import RawServer
from urllib3.util.retry import Retry

import halnav
from halnav._redact import redact_url
from halnav._retry import DEFAULT_RETRIES, IDEMPOTENT_METHODS, HALNavRetry, make_retry

JSON = {"Content-Type": "application/json"}
OK = ("answer", 200, JSON, b'{"ok": true}')
DROP = "drop"


def answer(
    status: int, body: bytes = b"", **headers: str
) -> tuple[str, int, dict[str, str], bytes]:
    return ("answer", status, {k.replace("_", "-"): v for k, v in headers.items()}, body)


class ScriptedServer(RawServer):
    """Answers request *n* with ``actions[n]`` (then ``OK``), keeping connections alive.

    ``DROP`` closes the connection after reading the request, without a byte of answer: what a
    proxy restart or a server crash looks like to the client.
    """

    def __init__(self, actions: list[Any]) -> None:
        self.actions = list(actions)
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        super().__init__(self._serve)

    def _serve(self, connection: socket.socket) -> None:
        connection.settimeout(5)
        buffer = b""
        while not self.stop.is_set():
            while b"\r\n\r\n" not in buffer:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
            length = int(headers.get("content-length", 0))
            while len(buffer) < length:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            buffer = buffer[length:]
            with self._lock:
                self.requests.append((method, path, headers))
                action = self.actions.pop(0) if self.actions else OK
            if action == DROP:
                return
            _, status, extra, body = action
            lines = [f"HTTP/1.1 {status} Scripted", f"Content-Length: {len(body)}"]
            lines += [f"{key}: {value}" for key, value in extra.items()]
            connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    @property
    def methods(self) -> list[str]:
        return [method for method, _, _ in self.requests]


@pytest.fixture
def script() -> Iterator[Any]:
    servers: list[ScriptedServer] = []

    def start(*actions: Any) -> ScriptedServer:
        server = ScriptedServer(list(actions))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def client_for(server: ScriptedServer, **options: Any) -> halnav.Client:
    return halnav.Client(server.url + "/v1", token="s3cr3t", cache=False, **options)


# -- the policy -----------------------------------------------------------------------------


def test_default_policy_is_documented_and_built_on_urllib3_retry():
    retry = make_retry(DEFAULT_RETRIES)
    assert isinstance(retry, Retry) and isinstance(retry, HALNavRetry)
    assert DEFAULT_RETRIES == 3 and retry.total == 3
    assert set(retry.allowed_methods) == {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}
    assert "POST" not in retry.allowed_methods and "PATCH" not in retry.allowed_methods
    assert set(retry.status_forcelist) == {429, 502, 503, 504}
    assert retry.respect_retry_after_header and not retry.raise_on_status
    assert retry.backoff_factor > 0 and retry.backoff_jitter > 0


def test_the_client_mounts_the_retry_on_its_session_adapters():
    with halnav.Client("http://127.0.0.1:9/v1", retries=2) as client:
        for prefix in ("http://", "https://"):
            adapter = client.session.get_adapter(prefix + "example.org")
            assert isinstance(adapter.max_retries, HALNavRetry)
            assert adapter.max_retries.total == 2


def test_a_retry_instance_is_used_as_is():
    mine = Retry(total=1, status_forcelist=[500])
    with halnav.Client("http://127.0.0.1:9/v1", retries=mine) as client:
        assert client.session.get_adapter("http://x").max_retries is mine


def test_a_given_session_keeps_its_adapters_unless_retries_are_asked_for():
    session = requests.Session()
    own = session.get_adapter("http://x")
    with halnav.Client("http://127.0.0.1:9/v1", session=session):
        assert session.get_adapter("http://x") is own
    with halnav.Client("http://127.0.0.1:9/v1", session=session, retries=0):
        assert session.get_adapter("http://x") is not own


@pytest.mark.parametrize("bad", [-1, True, 2.5, "3"])
def test_nonsense_retries_are_refused(bad):
    with pytest.raises((TypeError, ValueError)):
        make_retry(bad)


# -- what is retried ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_a_get_is_retried_on_overload_and_gateway_errors(script, sleeps, status):
    server = script(answer(status, Retry_After="0"), answer(status), OK)
    with client_for(server) as client:
        assert client.root()["ok"] is True
    assert server.methods == ["GET", "GET", "GET"]


@pytest.mark.parametrize("method", sorted(IDEMPOTENT_METHODS))
def test_every_idempotent_method_is_retried_on_503_and_on_a_dropped_connection(
    script, sleeps, method
):
    server = script(
        answer(503, Retry_After="0"),
        DROP,
        answer(200, b"{}", **{"Content_Type": "application/json"}),
    )
    with client_for(server) as client:
        client.request(
            method, "/v1/orders/1", json={"status": "closed"} if method == "PUT" else None
        )
    assert server.methods == [method] * 3


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_post_and_patch_are_never_retried_on_5xx(script, sleeps, method):
    server = script(answer(503, Retry_After="0"))
    with client_for(server) as client, pytest.raises(halnav.ServerError) as info:
        client.request(method, "/v1/shops/1/orders", json={"line_items": []})
    assert server.methods == [method]
    assert info.value.status_code == 503 and sleeps == []


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_post_and_patch_are_never_retried_on_a_dropped_connection(script, sleeps, method):
    server = script(DROP)
    with client_for(server) as client, pytest.raises(halnav.TransportError) as info:
        client.request(method, "/v1/shops/1/orders", json={"line_items": []})
    assert server.methods == [method]
    message = str(info.value)
    assert f"{method} not retried" in message and "outcome is unknown" in message
    assert info.value.method == method and info.value.url.endswith("/v1/shops/1/orders")


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_post_and_patch_are_never_retried_on_a_reused_keep_alive_connection(script, sleeps, method):
    # The first request opens a keep-alive connection; the server drops it on the second.
    server = script(OK, DROP, OK)
    with client_for(server) as client:
        client.root()
        with pytest.raises(halnav.TransportError):
            client.request(method, "/v1/shops/1/orders", json={})
        assert server.connections == 1
        client.root()  # the pool recovers with a new connection
    assert server.methods == ["GET", method, "GET"]


def test_a_get_on_a_dropped_keep_alive_connection_is_retried_on_a_new_one(script, sleeps):
    server = script(OK, DROP)
    with client_for(server) as client:
        client.root()
        assert client.root()["ok"] is True
    assert server.methods == ["GET", "GET", "GET"]
    assert server.connections == 2


def test_a_refused_connection_is_not_retried_for_post_and_says_nothing_was_sent(sleeps):
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nobody listens there now
    with halnav.Client(f"http://127.0.0.1:{port}/v1", cache=False) as client:
        with pytest.raises(halnav.TransportError) as info:
            client.request("POST", "/v1/orders", json={})
        assert "not sent" in str(info.value) and sleeps == []
        with pytest.raises(halnav.TransportError) as info:
            client.root()
    assert "refused" in str(info.value).lower()
    assert len(sleeps) == DEFAULT_RETRIES - 1  # the first retry is immediate


# -- how many, how long -----------------------------------------------------------------------


@pytest.mark.parametrize("retries", [0, None])
def test_retries_can_be_switched_off(script, sleeps, retries):
    server = script(answer(503), DROP)
    with client_for(server, retries=retries) as client:
        with pytest.raises(halnav.ServerError):
            client.root()
        with pytest.raises(halnav.TransportError):
            client.root()
    assert server.methods == ["GET", "GET"] and sleeps == []


def test_the_default_is_three_retries_then_the_last_answer_is_raised(script, sleeps):
    server = script(*[answer(503, b"busy")] * 20)
    with client_for(server) as client, pytest.raises(halnav.ServerError) as info:
        client.root()
    assert len(server.requests) == 1 + DEFAULT_RETRIES
    assert info.value.status_code == 503 and "busy" in str(info.value)
    assert f"after {DEFAULT_RETRIES + 1} tries" in str(info.value)


def test_exhausted_retries_on_dropped_connections_raise_transport_error(script, sleeps):
    server = script(*[DROP] * 5)
    with client_for(server, retries=2) as client, pytest.raises(halnav.TransportError) as info:
        client.root()
    assert len(server.requests) == 3
    assert "failed after 3 tries, no answer" in str(info.value)
    assert "s3cr3t" not in str(info.value)


def test_backoff_doubles_with_jitter_and_the_first_retry_is_immediate(script, sleeps):
    server = script(*[answer(502)] * 5)
    with client_for(server, retries=4) as client, pytest.raises(halnav.ServerError):
        client.root()
    assert len(sleeps) == 3  # no sleep before the first retry
    for slept, base in zip(sleeps, (0.1, 0.2, 0.4), strict=True):
        assert base <= slept <= base + 0.05


def test_retry_after_is_honoured(script, sleeps):
    server = script(answer(429, Retry_After="3"), answer(503, Retry_After="1"), OK)
    with client_for(server) as client:
        client.root()
    assert sleeps == [3, 1]


def test_a_retry_after_beyond_a_minute_is_left_to_the_caller(script, sleeps):
    server = script(answer(429, Retry_After="3600"), OK)
    with client_for(server) as client, pytest.raises(halnav.TooManyRequests) as info:
        client.root()
    assert info.value.headers["Retry-After"] == "3600"
    assert len(server.requests) == 1 and sleeps == []


def test_an_unreadable_retry_after_counts_as_absent(script, sleeps):
    server = script(answer(503, Retry_After="soon"), answer(503, Retry_After="soon"), OK)
    with client_for(server) as client:
        assert client.root()["ok"] is True
    assert len(server.requests) == 3 and len(sleeps) == 1


def test_a_401_or_404_is_not_retried(script, sleeps):
    server = script(answer(404), answer(400))
    with client_for(server) as client:
        with pytest.raises(halnav.NotFound):
            client.root()
        with pytest.raises(halnav.BadRequest):
            client.root()
    assert len(server.requests) == 2


def test_redact_url_hides_userinfo_and_credential_parameters():
    assert redact_url("https://joe:pw@api.example/v1?page=2") == "https://api.example/v1?page=2"
    shown = redact_url("https://api.example/v1?access_token=abc123&page=2")
    assert "abc123" not in shown and "page=2" in shown and "access_token=****" in shown
    assert redact_url("https://api.example/v1?page=2") == "https://api.example/v1?page=2"


# -- walks ------------------------------------------------------------------------------------


def _page(server: ScriptedServer, number: int, last: int) -> bytes:
    links: dict[str, Any] = {"self": {"href": f"{server.url}/v1/orders?page={number}"}}
    if number < last:
        links["next"] = {"href": f"{server.url}/v1/orders?page={number + 1}"}
    document = {"_links": links, "page": number, "_embedded": {"items": [{"id": number}]}}
    return json.dumps(document).encode()


def test_a_walks_page_requests_get_the_larger_walk_budget(script, sleeps):
    # Five failures in a row exhaust a single request's 4 tries, not a walk page's 9.
    server = script(answer(200, b"placeholder"), *[answer(503)] * 5, answer(200, b"placeholder"))
    server.actions[0] = answer(200, _page(server, 1, 2), content_type="application/hal+json")
    server.actions[-1] = answer(200, _page(server, 2, 2), content_type="application/hal+json")
    with client_for(server) as client:
        first = client.get("/v1/orders?page=1")
        assert [item["id"] for item in first.iterate()] == [1, 2]
    assert len(server.requests) == 7


def test_a_single_request_keeps_the_default_budget_outside_walks(script, sleeps):
    server = script(*[answer(503)] * 5, answer(200, b"{}"))
    with client_for(server) as client, pytest.raises(halnav.ServerError) as info:
        client.get("/v1/orders?page=2")
    assert len(server.requests) == 1 + DEFAULT_RETRIES
    assert "after 4 tries" in str(info.value)


@pytest.mark.parametrize("retries", [0, None])
def test_switching_retries_off_switches_them_off_for_walks_too(script, sleeps, retries):
    server = script(answer(200, b"placeholder"), answer(503))
    server.actions[0] = answer(200, _page(server, 1, 2), content_type="application/hal+json")
    with client_for(server, retries=retries) as client:
        pages = client.get("/v1/orders?page=1").pages()
        next(pages)
        with pytest.raises(halnav.ServerError) as info:
            next(pages)
    assert info.value.page_url.endswith("page=2") and len(server.requests) == 2


def test_a_chosen_retry_policy_applies_to_walks_unless_walk_retries_is_given():
    with halnav.Client("http://127.0.0.1:9/v1", retries=2) as client:
        assert client._transport.walk_retry.total == 2
    with halnav.Client("http://127.0.0.1:9/v1", retries=2, walk_retries=5) as client:
        assert client._transport.walk_retry.total == 5
    with halnav.Client("http://127.0.0.1:9/v1") as client:
        assert client._transport.retry.total == 3 and client._transport.walk_retry.total == 8
    # Chosen, even if it is the default value: walks follow it.
    with halnav.Client("http://127.0.0.1:9/v1", retries=DEFAULT_RETRIES) as client:
        assert client._transport.retry.total == 3 and client._transport.walk_retry.total == 3
    with halnav.Client("http://127.0.0.1:9/v1", walk_retries=5) as client:
        assert client._transport.retry.total == 3 and client._transport.walk_retry.total == 5


@pytest.mark.parametrize(
    "options",
    [{"retries": DEFAULT_RETRIES}, {"walk_retries": 8}, {"retries": 3, "walk_retries": 8}],
)
def test_a_given_session_gets_halnavs_retries_when_any_retries_are_given(options):
    # retries=3 is asked for even though it is the default value: the adapter is mounted.
    session = requests.Session()
    own = session.get_adapter("http://x")
    with halnav.Client("http://127.0.0.1:9/v1", session=session, **options) as client:
        adapter = session.get_adapter("http://x")
        assert adapter is not own and isinstance(adapter.max_retries, HALNavRetry)
        assert adapter.max_retries.total == options.get("retries", DEFAULT_RETRIES)
        assert client._transport.walk_retry.total == options.get("walk_retries", 3)


def test_an_explicit_default_retries_gives_walks_that_budget_too(script, sleeps):
    # retries=3 given: a walk page gets 4 tries, not the walk default of 9.
    server = script(answer(200, b"placeholder"), *[answer(503)] * 5, answer(200, b"{}"))
    server.actions[0] = answer(200, _page(server, 1, 2), content_type="application/hal+json")
    with client_for(server, retries=DEFAULT_RETRIES) as client:
        pages = client.get("/v1/orders?page=1").pages()
        next(pages)
        with pytest.raises(halnav.ServerError) as info:
            next(pages)
    assert len(server.requests) == 1 + 1 + DEFAULT_RETRIES
    assert "after 4 tries" in str(info.value) and info.value.page_url.endswith("page=2")
