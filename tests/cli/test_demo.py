"""``halnav demo``: the README's main command, run once as a user would."""

from __future__ import annotations

import re
import types

from halnav import Resource
from halnav.cli import _demo
from halnav.cli._output import link_rows, table

from .conftest import run_halnav


def test_the_demo_walks_through_the_api_and_exits_0():
    result = run_halnav("demo", timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "The sandbox serves a Bootic-compatible API at http://127.0.0.1:" in out
    # 1. root and rels, 2. the shop
    assert "rels: self, btc:shop, btc:all_products, btc:product, btc:docs, shops" in out
    assert "subdomain      sandbox-shop" in out
    # 3. a table of pending orders
    pending = re.search(r"(\d+) shown of ([\d,]+) pending orders", out)
    assert pending and pending.group(1) == "10"
    # 4. every successful order counted across pages, agreeing with total_items
    counted = re.search(r"([\d,]+) successful orders over (\d+) pages \(matches total_items", out)
    assert counted and int(counted.group(2)) > 1
    # 5. an order created, and the documented 422
    assert re.search(r"created R[0-9A-F]+ \(id \d+\): status checkout", out)
    assert "variant.id: Variant 32222222 does not exist in this shop" in out
    # 6. the new order by its code, edited in checkout, set pending, a refused move
    created = re.search(r"created (R[0-9A-F]+) \(id", out).group(1)
    assert f'>>> order = shop.order("{created}")' in out
    assert "edited: 1 unit, total" in out
    assert "status pending; it may now be set to: pending, closed, invalid" in out
    assert (
        f"halnav.bootic.InvalidTransition (before any request): order {created} is 'pending' "
        "and cannot be set to 'shipped'; allowed: pending, closed, invalid"
    ) in out
    # 7. the bulk update: three valid, the invalid one with its error
    assert "result.valid_items (3):" in out and "result.invalid_items (1):" in out
    assert "999999999  id: Order 999999999 does not exist in this shop" in out
    # 8. the checkout link, on the sandbox's other loopback origin, fetched without the token
    assert re.search(r"checkout: http://localhost:\d+/checkout/orders/R[0-9A-F]+", out)
    assert "GET checkout -> 200 text/html" in out and "no token sent" in out
    assert "Traceback" not in result.stderr


def test_the_root_table_is_made_of_the_link_rows_without_titles(capsys):
    root = Resource(
        {
            "_links": {
                "curies": [{"name": "btc", "href": "http://docs.test/{rel}", "templated": True}],
                "self": {"href": "/v1"},
                "btc:shop": {"href": "/v1/shops/{id}.json", "templated": True},
                "btc:docs": {"href": "http://docs.test", "title": "API documentation"},
                "alternate": [{"href": "/v1.csv", "name": "csv"}],
            }
        },
        url="http://api.test/v1",
    )
    client = types.SimpleNamespace(root=lambda: root)
    _demo._root(client)
    out = capsys.readouterr().out
    expected = [
        (rel, method, href, templated) for rel, method, href, _, templated in link_rows(root)
    ]
    assert [row[0] for row in expected] == ["self", "btc:shop", "btc:docs", "alternate[csv]"]
    assert (
        out.splitlines()[-len(expected) - 2 :]
        == table(("rel", "method", "href", "templated"), expected, "   ").splitlines()
    )
    assert "API documentation" not in out and "curies" not in out.split("rels:")[1]
