"""``halnav shell``: an interactive console with ``client``, ``root`` and ``explain`` bound."""

from __future__ import annotations

import argparse
import code
import importlib
import re
import rlcompleter
import sys
from contextlib import ExitStack
from typing import Any, cast

import halnav

from ._common import UsageError, check_url, looks_like_url, running_sandbox
from ._explain import explain
from ._settings import Connection, Settings, connection

__all__ = ["add_parser", "run"]

BANNER = """halnav shell at {url}
  client   the halnav.Client          root     client.root(), already fetched
  bootic   a halnav.bootic.BooticClient for the same API
  explain(resource)   properties, links, embedded, and a curl line (token masked)
Try: explain(root)   root.rels   shop = bootic.shop()   explain(shop.orders(per_page=5))"""


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Register ``shell`` and its options."""
    parser = subparsers.add_parser(
        "shell",
        parents=parents,
        help="an interactive console at an API's root (the sandbox's when no URL)",
        description=(
            "Open a Python console with client, root, bootic and explain() bound. IPython is "
            "used when installed. With no URL (argument, --url or $HALNAV_URL) the in-memory "
            "Bootic sandbox is started and the console opens at its root."
        ),
    )
    parser.add_argument("target", nargs="?", metavar="URL", help="the API's root URL")
    parser.add_argument(
        "--plain", action="store_true", help="use the standard console even if IPython is installed"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``halnav shell``."""
    if args.target and not looks_like_url(args.target):
        raise UsageError(f"shell takes a URL, got {args.target!r}")
    if args.target:
        check_url(args.target, "URL")
    made = connection(args)
    url = args.target or made.settings.url
    with ExitStack() as stack:
        if url is None:
            sandbox = stack.enter_context(running_sandbox("shell"))
            url = str(sandbox)
            made = Connection(Settings(url=url, token=sandbox.token))
            stack.callback(made.close)
            print(f"Started the Bootic sandbox at {url} (in memory, gone on exit)", file=sys.stderr)
        client = made.client(url)
        bootic = made.bootic(url, require_credentials=False)
        namespace = {
            "halnav": halnav,
            "client": client,
            "root": client.root(),
            "bootic": bootic,
            "explain": explain,
        }
        _interact(namespace, BANNER.format(url=url), plain=args.plain)
    return 0


def _interact(namespace: dict[str, Any], banner: str, plain: bool) -> None:
    if not plain:
        try:
            # Optional: IPython is used when installed (looked up by name, it has no stubs).
            ipython = importlib.import_module("IPython")
        except ImportError:
            pass
        else:
            print(banner, file=sys.stderr)
            ipython.start_ipython(argv=["--no-banner"], user_ns=namespace)
            return
    _enable_completion(namespace)
    console = code.InteractiveConsole(namespace)
    console.interact(banner=banner, exitmsg="")


def _enable_completion(namespace: dict[str, Any]) -> None:
    """Tab completion of names, attributes and keys (``root["<TAB>``, ``root.links["<TAB>``)
    in the standard console, where readline exists."""
    try:
        import readline
    except ImportError:
        return
    readline.set_completer(KeyCompleter(namespace).complete)
    # The completer is given the whole ``expr["btc:key`` (rlcompleter's default delimiters
    # would cut it at the bracket, the quote and the CURIE's colon).
    readline.set_completer_delims(" \t\n`~!@#$%^&*()-=+{]}\\|;,<>/?")
    if "libedit" in (readline.__doc__ or ""):
        readline.parse_and_bind("bind ^I rl_complete")
    else:
        readline.parse_and_bind("tab: complete")


class KeyCompleter(rlcompleter.Completer):
    """rlcompleter's names and attributes, and the keys of ``expr["`` where ``expr`` is a dotted
    name whose value offers them (``_ipython_key_completions_``, as IPython asks: a resource's
    properties, a link or embedded map's relations)."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        super().__init__(namespace)
        self._names = namespace

    def complete(self, text: str, state: int) -> str | None:
        match = _KEY_PREFIX.match(text)
        if match is None:
            completed: str | None = super().complete(text, state)
            return completed
        if state == 0:
            self.matches = self.key_matches(match["expr"], match["quote"], match["prefix"])
        return self.matches[state] if state < len(self.matches) else None

    def key_matches(self, expr: str, quote: str, prefix: str) -> list[str]:
        """``expr[quote key quote]`` for each key of ``expr`` starting with ``prefix``."""
        value = self._value_of(expr)
        offer: object = getattr(value, "_ipython_key_completions_", None)
        keys: object = offer() if callable(offer) else None
        if not isinstance(keys, list):
            return []
        return [
            f"{expr}[{quote}{key}{quote}]"
            for key in cast("list[object]", keys)
            if isinstance(key, str) and key.startswith(prefix)
        ]

    def _value_of(self, expr: str) -> object:
        # A dotted name looked up step by step: nothing is called but properties, as
        # rlcompleter's own attribute completion does.
        head, *attributes = expr.split(".")
        if head not in self._names:
            return None
        value: object = self._names[head]
        try:
            for attribute in attributes:
                value = getattr(value, attribute)
        except Exception:  # a property that fails while the user types: nothing to offer
            return None
        return value


_KEY_PREFIX = re.compile(r"""^(?P<expr>[A-Za-z_][\w.]*)\[(?P<quote>["'])(?P<prefix>[^"']*)$""")
