"""The configuration file: named profiles of connection settings, and its permissions check.

``$XDG_CONFIG_HOME/halnav/config.toml`` (else ``~/.config/halnav/config.toml``)::

    default_profile = "sandbox"          # optional: the profile used when none is named

    [profiles.sandbox]
    url = "http://127.0.0.1:8000/v1"
    token = "sandbox-shop1-admin-token"

    [profiles.live]
    url = "https://api.bootic.net/v1"
    client_id = "..."
    client_secret = "..."
    scope = "admin"

A file that holds a secret (``token``, ``client_secret``) must be readable by its owner only.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from .._json import is_object
from ._common import CLIError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 has no tomllib
    import tomli as tomllib

__all__ = [
    "PROFILE_KEYS",
    "SECRET_KEYS",
    "ConfigError",
    "Profile",
    "config_path",
    "load_profile",
]

#: The settings a profile may hold, and their types.
PROFILE_KEYS: Mapping[str, type] = {
    "url": str,
    "token": str,
    "client_id": str,
    "client_secret": str,
    "token_url": str,
    "scope": str,
    "retries": int,
}
#: The settings that are secrets: a file holding one must be private.
SECRET_KEYS = ("token", "client_secret")


class ConfigError(CLIError):
    """The configuration file cannot be used (unreadable, malformed, readable by others...)."""


@dataclass(frozen=True)
class Profile:
    """One profile's settings, and where they came from."""

    name: str
    settings: Mapping[str, Any] = field(default_factory=dict[str, Any])
    #: Whether it was named (``--profile``, ``$HALNAV_PROFILE``) rather than the file's default.
    named: bool = False


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/halnav/config.toml``, else ``~/.config/halnav/config.toml``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".config"
    return root / "halnav" / "config.toml"


def load_profile(name: str | None, path: Path | None = None) -> Profile | None:
    """The profile ``name`` (``None``: the file's ``default_profile``, else ``[profiles.default]``).

    ``None`` when no profile applies: no file and no name, or no default in the file. Raises
    :class:`ConfigError` for a named profile that does not exist, a malformed file, an unknown
    or mistyped setting, or secrets in a file that others may read.
    """
    path = path or config_path()
    if not path.exists():
        if name is not None:
            raise ConfigError(f"no profile {name!r}: {path} does not exist")
        return None
    data = _read(path)
    found: object = data.get("profiles", {})
    if not is_object(found) or not all(is_object(p) for p in found.values()):
        raise ConfigError(f"{path}: 'profiles' must be tables ([profiles.NAME])")
    profiles = cast("dict[str, dict[str, Any]]", found)
    unknown = sorted(set(data) - {"profiles", "default_profile"})
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting {', '.join(unknown)}; "
            "top-level keys: default_profile, profiles"
        )
    _check_private(path, profiles)
    named = name is not None
    if name is None:
        default = data.get("default_profile")
        if default is not None and not isinstance(default, str):
            raise ConfigError(f"{path}: default_profile must be a string")
        name = default or ("default" if "default" in profiles else None)
        if name is None:
            return None
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "(none)"
        raise ConfigError(f"no profile {name!r} in {path}; profiles: {known}")
    settings = profiles[name]
    for key, value in settings.items():
        expected = PROFILE_KEYS.get(key)
        if expected is None:
            raise ConfigError(
                f"{path}: profile {name!r} has unknown setting {key!r}; "
                f"settings: {', '.join(PROFILE_KEYS)}"
            )
        if not isinstance(value, expected) or isinstance(value, bool):
            raise ConfigError(
                f"{path}: profile {name!r}: {key} must be a {_type_name(expected)}, "
                f"got {type(value).__name__}"
            )
    return Profile(name, dict(settings), named)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as stream:
            data: dict[str, Any] = tomllib.load(stream)
            return data
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None


def _check_private(path: Path, profiles: Mapping[str, Mapping[str, Any]]) -> None:
    """Refuse a file with secrets that its group or others may read (never the secret itself)."""
    holding = [
        f"{name}.{key}" for name, values in profiles.items() for key in SECRET_KEYS if key in values
    ]
    if not holding:
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    readers = [who for who, bits in (("group", 0o070), ("others", 0o007)) if mode & bits]
    if readers:
        raise ConfigError(
            f"{path} holds secrets ({', '.join(holding)}) but is open to "
            f"{' and '.join(readers)} (mode {mode:04o}); make it private: chmod 600 {path}"
        )


def _type_name(kind: type) -> str:
    return {str: "string", int: "whole number"}.get(kind, kind.__name__)
