"""The ``halnav`` command line: ``demo``, ``get``, ``shell``, ``sandbox`` and ``bootic ...``.

Run ``halnav --help``; ``python -m halnav`` is the same command.
"""

from ._main import main

__all__ = ["main"]
