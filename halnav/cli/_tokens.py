"""OAuth2 tokens kept between runs, one file per profile, readable by the user only.

``$XDG_CACHE_HOME/halnav/tokens/PROFILE.json`` (else ``~/.cache/halnav/...``), mode 0600 in a
0700 directory. A token is reused only for the same client id, token URL and scope; a file that
others may read, or that does not parse, is ignored (and replaced by the next token).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._json import is_object

__all__ = ["TokenCache", "cache_dir"]


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/halnav/tokens``, else ``~/.cache/halnav/tokens``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "halnav" / "tokens"


class TokenCache:
    """The saved token of one profile, for one client id, token URL and scope."""

    def __init__(
        self, profile: str, client_id: str, token_url: str, scope: str | None, directory: Path
    ) -> None:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", profile) or "default"
        self.path = directory / f"{safe}.json"
        self._key = {"client_id": client_id, "token_url": token_url, "scope": scope}

    def load(self) -> dict[str, Any] | None:
        """The saved token, if there is one for this client and nobody else could read it."""
        try:
            info = self.path.stat()
            if stat.S_IMODE(info.st_mode) & 0o077 or info.st_uid != os.getuid():
                return None
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not is_object(data) or data.get("for") != self._key:
            return None
        token = data.get("token")
        return token if is_object(token) else None

    def save(self, token: Mapping[str, Any]) -> None:
        """Write ``token`` (0600, replacing the file whole); a failure to write is not an error:
        the next run fetches a new token."""
        directory = self.path.parent
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:  # mkstemp: mode 0600
                json.dump({"for": self._key, "token": dict(token)}, stream)
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
