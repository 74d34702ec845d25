"""Naming the public home of a package's classes, so that tracebacks and reprs show it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["publish"]


def publish(package: str, namespace: Mapping[str, object], names: Iterable[str]) -> None:
    """Give every class among ``names`` in ``namespace`` the ``__module__`` ``package``, so a
    traceback names ``halnav.TemplateError``, not the private module that defines it."""
    for name in names:
        value = namespace[name]
        if isinstance(value, type) and value.__module__.startswith(f"{package}._"):
            value.__module__ = package
