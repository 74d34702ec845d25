"""The Bootic sandbox: a local server that answers as the real Bootic API does.

It is the target of halnav's demo, integration tests and benchmarks, and a place for users to try
their scripts without a live shop. It needs the ``sandbox`` extra (werkzeug)::

    pip install 'halnav[sandbox]'

:func:`serve` runs one in a thread and yields its root URL (a :class:`SandboxURL` carrying the
tokens); :func:`make_app` gives the WSGI application alone. The sandbox imports nothing from the
halnav client: it renders HAL by itself, so that testing the client against it proves something.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any

__all__ = ["TRANSITIONS", "SandboxApp", "SandboxConfig", "SandboxURL", "make_app", "serve"]

EXTRA_HINT = "halnav.sandbox needs werkzeug (the sandbox extra): pip install 'halnav[sandbox]'"


def _extra_missing() -> ImportError | None:
    """Why the ``sandbox`` extra cannot be used, or None when it can."""
    try:
        if find_spec("werkzeug") is None:
            return ModuleNotFoundError("No module named 'werkzeug'", name="werkzeug")
    except ImportError as error:
        return error
    return None


# The package stays importable without the extra: the pytest plugin and the command live in it.
missing_extra = _extra_missing()
if missing_extra is None:
    from ._app import SandboxApp, make_app
    from ._faults import SandboxConfig
    from ._orders import TRANSITIONS
    from ._server import SandboxURL, serve


def __getattr__(name: str) -> Any:
    # Only reached when werkzeug is missing (otherwise the names above exist).
    if name in __all__:
        raise ImportError(EXTRA_HINT, name=__name__) from missing_extra
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
