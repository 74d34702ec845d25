"""The ``halnav`` command: argument parsing, dispatch, and turning errors into one clear line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from .._exceptions import HALNavError, Unauthorized
from .._version import __version__
from . import _bootic, _demo, _get, _shell
from ._common import CLIError, MissingExtra, option

__all__ = ["build_parser", "main"]

PROG = "halnav"
_GLOBAL_WITH_VALUE = ("--url", "--token", "--retries")
_GLOBAL_FLAGS = ("--debug",)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command (``sandbox`` is dispatched before parsing, see :func:`main`)."""
    common = argparse.ArgumentParser(add_help=False)
    connection = common.add_argument_group("connection")
    connection.add_argument(
        "--url", default=argparse.SUPPRESS, help="the API's root URL (default: $HALNAV_URL)"
    )
    connection.add_argument(
        "--token",
        default=argparse.SUPPRESS,
        help="a bearer token (default: $HALNAV_TOKEN); it is never printed",
    )
    connection.add_argument(
        "--retries",
        type=_retries,
        default=argparse.SUPPRESS,
        metavar="N",
        help="retries of a GET, PUT or DELETE after a failed connection or a 429/502/503/504 "
        "(default: halnav.Client's; a POST is never retried)",
    )
    connection.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show tracebacks and log every request (credentials masked)",
    )
    parser = argparse.ArgumentParser(
        prog=PROG,
        parents=[common],
        description="Explore and script HAL APIs; the Bootic API and a local sandbox of it.",
        epilog="Start with: halnav demo",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    _demo.add_parser(commands, [common])
    _get.add_parser(commands, [common])
    _shell.add_parser(commands, [common])
    commands.add_parser(
        "sandbox",
        add_help=False,
        help="run the Bootic sandbox server (halnav sandbox --help)",
    )
    _bootic.add_parser(commands, [common])
    return parser


def _retries(text: str) -> int:
    if not text.isdecimal():
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {text!r}")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``halnav`` command with ``argv`` (default ``sys.argv[1:]``); the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    sandbox_arguments = _sandbox_arguments(arguments)
    if sandbox_arguments is not None:
        return _run_sandbox(sandbox_arguments, debug="--debug" in arguments)
    parser = build_parser()
    try:
        args = _parse(parser, arguments)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    debug = bool(option(args, "debug"))
    with _logged_requests(debug):
        return _run(args, debug)


def _run(args: argparse.Namespace, debug: bool) -> int:
    """Run the command parsed into ``args``; its errors become one line and an exit status."""
    try:
        return int(args.handler(args))
    except CLIError as exc:
        return _fail(str(exc), exc.code, debug)
    except HALNavError as exc:
        message = str(exc)
        if isinstance(exc, Unauthorized):
            message += " (check --token or $HALNAV_TOKEN)"
        return _fail(message, 1, debug)
    except OSError as exc:  # e.g. --output to a directory that does not exist
        if isinstance(exc, BrokenPipeError):
            return _broken_pipe()
        return _fail(str(exc), 1, debug)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _parse(parser: argparse.ArgumentParser, arguments: list[str]) -> argparse.Namespace:
    """Parse; ``get`` may interleave relations and options (``get btc:shop -p id=1 btc:orders``),
    which argparse leaves over, in order, after the first run of positionals."""
    args, extras = parser.parse_known_args(arguments)
    if extras and getattr(args, "command", None) == "get":
        unknown = [extra for extra in extras if extra.startswith("-") and extra != "-"]
        if not unknown:
            args.path = [*args.path, *extras]
            extras = []
    if extras:
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    return args


def _fail(message: str, code: int, debug: bool) -> int:
    if debug:
        traceback.print_exc()
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)
    return code


def _broken_pipe() -> int:
    # The reader went away (halnav ... | head): stop quietly, as Python's docs advise.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 1


@contextmanager
def _logged_requests(debug: bool) -> Iterator[None]:
    """With ``debug``, log halnav's records to stderr for one run, then put the logger back as
    it was (``main`` may run many times in one process)."""
    if not debug:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    logger = logging.getLogger("halnav")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _sandbox_arguments(arguments: list[str]) -> list[str] | None:
    """The arguments after ``sandbox`` when it is the command (global options may precede it)."""
    index = 0
    while index < len(arguments):
        token = arguments[index]
        if token in _GLOBAL_FLAGS or token.startswith(tuple(f"{o}=" for o in _GLOBAL_WITH_VALUE)):
            index += 1
        elif token in _GLOBAL_WITH_VALUE:
            index += 2
        else:
            return arguments[index + 1 :] if token == "sandbox" else None
    return None


def _run_sandbox(arguments: list[str], debug: bool) -> int:
    try:
        from ..sandbox.cli import main as sandbox_main
    except ImportError as exc:
        if (exc.name or "").startswith("halnav"):
            return _fail(f"this halnav has no sandbox command ({exc})", 1, debug)
        error = MissingExtra(
            f"halnav sandbox needs the sandbox server's dependencies ({exc}); "
            "install them with: pip install 'halnav[sandbox]'"
        )
        return _fail(str(error), error.code, debug)
    return int(sandbox_main(arguments) or 0)
