"""The ``halnav`` command: argument parsing, dispatch, and turning errors into one clear line.

Exit statuses: 0 done; 1 a failed request (or any failure that is not a usage error); 2 a usage
error, found before any request is sent; 130 interrupted (Ctrl-C). A reader that stops reading
early (``halnav ... | head``) ends the command quietly with 0, whatever the format.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import traceback
from collections.abc import Generator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from .. import HALNavError, Unauthorized
from .._redact import mask_secrets, redact_message
from .._version import __version__
from ..sandbox.cli import main as sandbox_main
from . import _bootic, _completion, _demo, _get, _invoke, _shell
from ._common import CLIError, option
from ._settings import Connection, add_connection_options

__all__ = ["Parser", "build_parser", "main"]

PROG = "halnav"
_GLOBAL_WITH_VALUE = (
    "--url",
    "--token",
    "--retries",
    "--profile",
    "--client-id",
    "--client-secret",
    "--token-url",
    "--scope",
)
_GLOBAL_FLAGS = ("--debug",)
#: An option value that argparse would take for an option: ``-33.45,-70.66``, ``-1``, ``-.5``.
_NEGATIVE = re.compile(r"^-\.?\d")


class DefaultsFormatter(argparse.HelpFormatter):
    """Help that ends each option's text with its default, unless the text already says it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            not action.option_strings
            or "default" in text
            or default in (None, False, [], argparse.SUPPRESS)
            or "%(default)" in text
        ):
            return text
        return f"{text} (default: %(default)s)"


class Parser(argparse.ArgumentParser):
    """An argument parser whose help shows defaults; its subcommands' parsers are Parsers too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", DefaultsFormatter)
        super().__init__(*args, **kwargs)


def build_parser() -> Parser:
    """The parser of every command (``sandbox`` is dispatched before parsing, see :func:`main`)."""
    common = Parser(add_help=False)
    add_connection_options(common)
    parser = Parser(
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
    _invoke.add_parser(commands, [common])
    _shell.add_parser(commands, [common])
    commands.add_parser(
        "sandbox",
        add_help=False,
        help="run the Bootic sandbox server (halnav sandbox --help)",
    )
    _bootic.add_parser(commands, [common])
    _completion.add_parser(commands, [common])
    _remember_parsers(parser)
    return parser


def _remember_parsers(parser: argparse.ArgumentParser) -> None:
    """Each subcommand's parser sets ``args.command_parser`` to itself: its usage is the one an
    unknown option shows."""
    parser.set_defaults(command_parser=parser)
    for sub in _subcommands(parser):
        _remember_parsers(sub)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``halnav`` command with ``argv`` (default ``sys.argv[1:]``); the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    sandbox_arguments = _sandbox_arguments(arguments)
    if sandbox_arguments is not None:
        return _run_sandbox(sandbox_arguments)
    parser = build_parser()
    _completion.complete_if_asked(parser)  # only when a shell's completion runs the command
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
        try:
            code = int(args.handler(args))
            sys.stdout.flush()  # a closed pipe shows here when the output was buffered
            return code
        finally:
            made = getattr(args, "connection", None)
            if isinstance(made, Connection):
                made.close()
    except BrokenPipeError:
        return _broken_pipe()
    except CLIError as exc:
        return _fail(exc, str(exc), exc.code, args, debug)
    except HALNavError as exc:
        message = str(exc)
        if isinstance(exc, Unauthorized):
            made = getattr(args, "connection", None)
            withheld = made.withheld(exc) if isinstance(made, Connection) else None
            message += f" ({withheld})" if withheld else " (check --token or $HALNAV_TOKEN)"
        return _fail(exc, message, 1, args, debug)
    except OSError as exc:  # e.g. --output to a directory that does not exist
        return _fail(exc, str(exc), 1, args, debug)
    except KeyboardInterrupt as exc:
        return _fail(exc, "interrupted", 130, args, debug)
    except RecursionError as exc:  # a document nested deeper than Python's stack allows
        return _fail(exc, _too_deep(args), 1, args, debug)
    except Exception as exc:  # a bug: still one line, and --debug for the traceback
        text = f"{type(exc).__name__}: {exc} (a bug in halnav? --debug shows the traceback)"
        return _fail(exc, text, 1, args, debug)


def _too_deep(args: argparse.Namespace) -> str:
    shown = f"--pointer {args.pointer}" if getattr(args, "pointer", None) else "the document"
    return (
        f"cannot show {shown}: it is nested too deeply (arrays and objects more than "
        f"{sys.getrecursionlimit()} levels deep, Python's limit); --pointer PTR shows a part "
        "of it nearer the top"
    )


def _parse(parser: argparse.ArgumentParser, arguments: list[str]) -> argparse.Namespace:
    """Parse; ``get`` and ``invoke`` may interleave relations and options (``get btc:shop -p
    id=1 btc:orders``), which argparse leaves over, in order, after the first positionals.
    Anything else left over is an error shown with the subcommand's own usage."""
    args, extras = parser.parse_known_args(_negative_values(parser, arguments))
    if extras and getattr(args, "command", None) in ("get", "invoke"):
        unknown = [extra for extra in extras if extra.startswith("-") and extra != "-"]
        if not unknown:
            args.path = [*args.path, *extras]
            extras = []
    if extras:
        target = getattr(args, "command_parser", None) or parser
        target.error(f"unrecognized arguments: {' '.join(extras)}")
    return args


def _negative_values(parser: argparse.ArgumentParser, arguments: list[str]) -> list[str]:
    """``--lat-long -33.45,-70.66`` as ``--lat-long=-33.45,-70.66``: argparse takes a value
    that starts with ``-`` for an option unless it is a plain number."""
    takes_value = _options_with_values(parser)
    fixed: list[str] = []
    index = 0
    while index < len(arguments):
        token = arguments[index]
        following = arguments[index + 1] if index + 1 < len(arguments) else None
        if token == "--":
            fixed += arguments[index:]
            break
        if token in takes_value and following is not None and _NEGATIVE.match(following):
            fixed.append(f"{token}={following}" if token.startswith("--") else token + following)
            index += 2
            continue
        fixed.append(token)
        index += 1
    return fixed


def _options_with_values(parser: argparse.ArgumentParser) -> set[str]:
    found: set[str] = set()
    for sub in _subcommands(parser):
        found |= _options_with_values(sub)
    for action in _actions(parser):
        if action.option_strings and action.nargs is None and action.const is None:
            found.update(action.option_strings)
    return found


def _actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    # argparse has no public way to list a parser's options.
    return parser._actions


def _subcommands(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parsers of ``parser``'s subcommands (each once, whatever its aliases)."""
    found: list[argparse.ArgumentParser] = []
    for action in _actions(parser):
        choices: object = action.choices
        if action.nargs == argparse.PARSER and isinstance(choices, dict):
            for sub in cast("dict[str, argparse.ArgumentParser]", choices).values():
                if sub not in found:
                    found.append(sub)
    return found


def _fail(
    exc: BaseException, message: str, code: int, args: argparse.Namespace, debug: bool
) -> int:
    found: object = getattr(exc, "__notes__", None)
    listed = cast("list[object]", found) if isinstance(found, list) else []
    notes = [note for note in listed if isinstance(note, str)]
    text = " ".join("; ".join([message, *notes]).split())
    made = getattr(args, "connection", None)
    secrets = made.settings.secrets() if isinstance(made, Connection) else []
    secrets += [value for value in (option(args, "token"), option(args, "client_secret")) if value]
    # A secret of a few characters would mask every word it occurs in; such a test token is
    # no secret (the same rule as halnav.ClientCredentials').
    secrets = [s for s in secrets if len(s) >= 4]
    if debug:
        # The traceback holds the messages of the exceptions chained under this one (requests'
        # and urllib3's, which name URLs with their queries): masked as the error line is.
        shown = "".join(traceback.format_exception(exc))
        print(mask_secrets(redact_message(shown), secrets), end="", file=sys.stderr)
    print(f"{PROG}: error: {mask_secrets(redact_message(text), secrets)}", file=sys.stderr)
    return code


def _broken_pipe() -> int:
    # The reader went away (halnav ... | head): stop quietly, as Python's docs advise, with 0:
    # whether the pipe closes before the last write depends on buffer sizes and timing, so a
    # status that told it would vary from run to run.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0


@contextmanager
def _logged_requests(debug: bool) -> Generator[None, None, None]:
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


def _run_sandbox(arguments: list[str]) -> int:
    # The sandbox's own command (it says which extra to install when werkzeug is missing).
    return int(sandbox_main(arguments) or 0)
