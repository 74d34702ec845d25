"""Shared fixtures of the sandbox tests: sandboxes, authenticated sessions, handy helpers.

Every test talks plain HTTP (requests, or werkzeug's test Client) to 127.0.0.1 only, and never
waits for an answer longer than :data:`TIMEOUT` seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

import halnav.sandbox.pytest_plugin as plugin
from halnav.sandbox import SandboxURL, serve

TIMEOUT = 15  # seconds: pass it to bare requests calls; Api sessions use it by default


def pytest_configure(config: pytest.Config) -> None:
    # Installed halnav registers the plugin through its pytest11 entry point; a source checkout
    # run with PYTHONPATH does not, so register it here in that case only.
    if not config.pluginmanager.is_registered(plugin):
        config.pluginmanager.register(plugin, "halnav_sandbox")


class TimeoutSession(requests.Session):
    """A session whose requests time out after :data:`TIMEOUT` seconds unless told otherwise,
    so that a sandbox that stops answering fails the test instead of hanging it."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(method, url, *args, **kwargs)


class Api(TimeoutSession):
    """A session that sends a bearer token and knows the sandbox's root."""

    def __init__(self, url: SandboxURL, token: str | None = None) -> None:
        super().__init__()
        self.url = url
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"

    def doc(self, href: str, **params: Any) -> dict[str, Any]:
        """GET a document that must answer 200."""
        response = self.get(href, params=params or None)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def shop(self) -> dict[str, Any]:
        return self.doc(self.url)["_embedded"]["shops"][0]

    def orders_url(self) -> str:
        return self.shop()["_links"]["btc:orders"]["href"].split("{")[0]

    def order_url(self, code: str) -> str:
        """An order's URL, from the shop's ``btc:order`` template (by code)."""
        return self.shop()["_links"]["btc:order"]["href"].replace("{code}", code)

    def all_orders(self, **params: Any) -> list[dict[str, Any]]:
        """Every order of shop 1 matching ``params``, by following ``next`` links."""
        docs, href = [], self.orders_url()
        page = self.doc(href, per_page=200, **params)
        while True:
            docs.extend(page["_embedded"]["items"])
            if "next" not in page["_links"]:
                return docs
            page = self.doc(page["_links"]["next"]["href"])


@pytest.fixture(scope="module")
def shared() -> Iterator[SandboxURL]:
    """One sandbox per module, for tests that only read."""
    with serve(orders=300, seed=7) as url:
        yield url


@pytest.fixture
def api(bootic_sandbox: SandboxURL) -> Iterator[Api]:
    """An admin session on a fresh sandbox (120 orders) that the test may change."""
    with Api(bootic_sandbox, bootic_sandbox.token) as session:
        yield session


@pytest.fixture(scope="module")
def reader(shared: SandboxURL) -> Iterator[Api]:
    """An admin session on the module's shared, read-only sandbox."""
    with Api(shared, shared.token) as session:
        yield session


def errors_of(response: Any) -> dict[str, list[str]]:
    """``{field: messages}`` of a 422 (or 400) errors body, asserting its documented shape: the
    create-order seed page's for a 422, with a ``message`` as well for a 400. Takes a requests
    or a werkzeug test response."""
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    body = response.json() if callable(response.json) else response.json
    assert body["_class"] == ["errors"]
    if response.status_code == 422:
        assert set(body) == {"_class", "_embedded"}
    else:
        assert response.status_code == 400, response.status_code
        assert set(body) == {"_class", "message", "_embedded"}
    result: dict[str, list[str]] = {}
    for error in body["_embedded"]["errors"]:
        assert error["_class"] == ["error"]
        assert set(error) == {"_class", "field", "messages"}
        result[error["field"]] = error["messages"]
    if response.status_code == 400:
        for field, messages in result.items():
            assert f"{field}: {' '.join(messages)}" in body["message"]
    return result


def message_of(response: Any) -> str:
    """The ``message`` of an error other than a 422 or 400, asserting the real API's shape
    ``{"_class": ["errors"], "message": "..."}``. Takes a requests or a werkzeug response."""
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    body = response.json() if callable(response.json) else response.json
    assert body == {"_class": ["errors"], "message": body.get("message")}, body
    assert isinstance(body["message"], str) and body["message"]
    return body["message"]  # type: ignore[no-any-return]
