"""``halnav shell``: the standard console fed from stdin, with ``explain()`` and the sandbox."""

from __future__ import annotations

import re

from .conftest import run_halnav

SCRIPT = """\
print("welcome:", root["welcome"])
explain(root)
order = bootic.shop().orders(per_page=1).orders[0]
explain(order.follow("btc:web_checkout"))
print("client is", type(client).__name__)
1/0
print("still running")
"""


def test_the_shell_binds_client_root_bootic_and_explain(sandbox):
    result = run_halnav("shell", sandbox, "--token", sandbox.token, "--plain", stdin=SCRIPT)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "welcome: Welcome to the Bootic sandbox" in out
    assert "client is Client" in out
    # explain(root): properties, links with method/title/templated, embedded, a masked curl line
    assert "properties" in out and "user_name" in out
    assert re.search(r"btc:docs +GET", out) and "API documentation" in out
    assert "embedded" in out and "shops" in out
    assert (
        f"curl -H 'Accept: application/hal+json' -H 'Authorization: Bearer ****' '{sandbox}'"
    ) in out
    # the checkout page is on another origin: the client sends no token there, nor does curl
    checkout_curl = next(
        line for line in out.splitlines() if "/checkout/orders/" in line and "curl" in line
    )
    assert "Authorization" not in checkout_curl
    assert "body: text/html" in out
    # an exception in the console is shown and the console goes on
    assert "ZeroDivisionError" in result.stderr and "still running" in out
    assert "halnav shell at" in result.stderr
    assert sandbox.token not in out + result.stderr


def test_with_no_url_the_shell_starts_the_sandbox():
    result = run_halnav(
        "shell", "--plain", stdin="print('at', root.url)\nprint(bootic.shop()['subdomain'])\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Started the Bootic sandbox at http://127.0.0.1:" in result.stderr
    assert "at http://127.0.0.1:" in result.stdout and "sandbox-shop" in result.stdout


def test_the_shell_refuses_a_relation_for_a_url():
    result = run_halnav("shell", "btc:shop")
    assert result.returncode == 2
    assert result.stderr.strip() == "halnav: error: shell takes a URL, got 'btc:shop'"
