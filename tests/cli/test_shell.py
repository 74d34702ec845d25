"""``halnav shell``: the standard console fed from stdin, with ``explain()`` and the sandbox."""

from __future__ import annotations

import re

from halnav import Resource
from halnav.cli._shell import KeyCompleter

from .conftest import run_halnav
from .terminal import run_typing_on_terminal

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


ROOT_DOCUMENT = {
    "_links": {"self": {"href": "/v1"}, "btc:shop": {"href": "/v1/shops/{id}", "templated": True}},
    "_embedded": {"shops": [{"id": 1}]},
    "welcome": "hi",
    "user_name": "joe",
}


def completions(completer: KeyCompleter, text: str) -> list[str]:
    found = []
    while (match := completer.complete(text, len(found))) is not None:
        found.append(match)
    return found


def test_keys_complete_in_the_plain_console():
    root = Resource(ROOT_DOCUMENT, url="https://api.test/v1")
    completer = KeyCompleter({"root": root, "answer": 42})
    assert completions(completer, 'root["') == ['root["welcome"]', 'root["user_name"]']
    assert completions(completer, "root['us") == ["root['user_name']"]
    assert completions(completer, 'root.links["btc:') == ['root.links["btc:shop"]']
    assert completions(completer, 'root.embedded["') == ['root.embedded["shops"]']
    # names and attributes still complete as rlcompleter does; nothing for what has no keys
    assert "root.links" in completions(completer, "root.li")
    assert completions(completer, 'answer["') == []
    assert completions(completer, 'nothing["') == []


def test_ipython_completes_the_keys_of_links_and_embedded():
    root = Resource(ROOT_DOCUMENT, url="https://api.test/v1")
    assert root.links._ipython_key_completions_() == ["self", "btc:shop"]
    assert root.embedded._ipython_key_completions_() == ["shops"]
    assert root._ipython_key_completions_() == ["welcome", "user_name"]


def test_tab_completes_a_relation_on_a_terminal(sandbox):
    typed = 'shop_link = root.links["btc:sh\t\nprint("links:", len(shop_link))\nexit()\n'
    status, screen = run_typing_on_terminal(
        ["shell", sandbox, "--token", sandbox.token, "--plain"], typed
    )
    assert status == 0, screen
    assert 'root.links["btc:shop"]' in screen
    assert "links: 1" in screen
