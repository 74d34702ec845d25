"""The Bootic sandbox: a local server that behaves as the Bootic API's documentation says.

It is the target of halnav's demo, integration tests and benchmarks, and a place for users to try
their scripts without a live shop. It needs the ``sandbox`` extra (werkzeug)::

    pip install 'halnav[sandbox]'

:func:`serve` runs one in a thread and yields its root URL (a :class:`SandboxURL` carrying the
tokens); :func:`make_app` gives the WSGI application alone. The sandbox imports nothing from the
halnav client: it renders HAL by itself, so that testing the client against it proves something.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TRANSITIONS", "SandboxApp", "SandboxConfig", "SandboxURL", "make_app", "serve"]

_EXTRA_HINT = "halnav.sandbox needs werkzeug (the sandbox extra): pip install 'halnav[sandbox]'"

try:
    import werkzeug  # noqa: F401
except ImportError as _missing:  # keep the package importable: the pytest plugin lives in it
    _MISSING: ImportError | None = _missing
else:
    _MISSING = None
    from ._app import SandboxApp, make_app
    from ._faults import SandboxConfig
    from ._orders import TRANSITIONS
    from ._server import SandboxURL, serve


def __getattr__(name: str) -> Any:
    # Only reached when werkzeug is missing (otherwise the names above exist).
    if name in __all__:
        raise ImportError(_EXTRA_HINT, name=__name__) from _MISSING
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
