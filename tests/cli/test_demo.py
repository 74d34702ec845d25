"""``halnav demo``: the README's main command, run once as a user would."""

from __future__ import annotations

import re

from .conftest import run_halnav


def test_the_demo_walks_through_the_api_and_exits_0():
    result = run_halnav("demo", timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "The sandbox serves a Bootic-compatible API at http://127.0.0.1:" in out
    # 1. root and rels, 2. the shop
    assert "rels: self, btc:shop, btc:docs, shops" in out
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
    # 6. the bulk update: three valid, the invalid one with its error
    assert "result.valid_items (3):" in out and "result.invalid_items (1):" in out
    assert "999999999  id: Order 999999999 does not exist in this shop" in out
    # 7. the checkout link, on the sandbox's other loopback origin, fetched without the token
    assert re.search(r"checkout: http://localhost:\d+/checkout/orders/R[0-9A-F]+", out)
    assert "GET checkout -> 200 text/html" in out and "no token sent" in out
    assert "Traceback" not in result.stderr
