"""The public surface: one flat namespace, typed."""

from __future__ import annotations

import types
from pathlib import Path

import halnav


def test_all_lists_exactly_the_public_names():
    # Submodules (sandbox, bootic, cli) become attributes once imported; they are not re-exports.
    public = {
        name
        for name in dir(halnav)
        if not name.startswith("_") and not isinstance(getattr(halnav, name), types.ModuleType)
    }
    assert set(halnav.__all__) == public | {"__version__"}
    assert list(halnav.__all__) == sorted(halnav.__all__, key=lambda n: (n.startswith("_"), n))


def test_package_is_typed_and_versioned():
    assert (Path(halnav.__file__).parent / "py.typed").exists()
    assert halnav.__version__ == "0.1.0"


def test_errors_form_one_tree_under_halnaverror():
    for name in halnav.__all__:
        obj = getattr(halnav, name)
        if isinstance(obj, type) and issubclass(obj, Exception) and not issubclass(obj, Warning):
            assert issubclass(obj, halnav.HALNavError), name
    assert issubclass(halnav.LinkNotFound, KeyError)
    assert issubclass(halnav.DeprecatedLinkWarning, halnav.HALNavWarning)
    assert issubclass(halnav.HALNavWarning, UserWarning)


def test_the_generic_core_never_imports_the_bootic_layer():
    package = Path(halnav.__file__).parent
    for module in package.glob("_*.py"):
        text = module.read_text(encoding="utf-8")
        assert (
            "import halnav.bootic" not in text
            and "from .bootic" not in text
            and "from halnav.bootic" not in text
        )
        assert "sandbox" not in [
            line.split()[1] for line in text.splitlines() if line.startswith(("import ", "from "))
        ]
