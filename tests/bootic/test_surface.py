"""The public surface of halnav.bootic, and the core's independence from it."""

from __future__ import annotations

import ast
import types
from pathlib import Path

import halnav
import halnav.bootic
from halnav import Resource
from halnav.bootic import Order, OrderPage, Shop, UpdateResult

from .documents import make_shop

PACKAGE = Path(halnav.__file__).parent


def test_all_lists_exactly_the_public_names():
    public = {
        name
        for name, value in vars(halnav.bootic).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(halnav.bootic.__all__) == public
    assert len(halnav.bootic.__all__) == len(set(halnav.bootic.__all__))


def test_the_generic_core_never_imports_the_bootic_layer():
    for path in sorted(PACKAGE.glob("_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                names = [alias.name for alias in node.names]
                assert "bootic" not in module, f"{path.name} imports {module}"
                assert "bootic" not in names, f"{path.name} imports bootic"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert "bootic" not in alias.name, f"{path.name} imports {alias.name}"


def test_every_bootic_resource_is_a_slotted_resource_subclass():
    for cls in (Shop, Order, OrderPage, UpdateResult):
        assert issubclass(cls, Resource)
        assert cls.__slots__ == ()


def test_a_shop_is_still_a_resource():
    shop = make_shop()
    assert shop["subdomain"] == "acme" and shop.id == 1
    assert shop.link("btc:create_order").method == "POST"
    assert shop.pointer("/_links/btc:orders/templated") is True
    assert "btc:orders" in shop.rels
    assert shop.cast(Resource).document is shop.document  # no copy either way
