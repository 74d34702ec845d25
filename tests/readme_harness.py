"""Every example of README.md, run as a reader runs it, against the sandbox (issue 16).

The README is read into fenced blocks, each with its language, the line of its opening fence, the
``##`` section it is in and an optional marker. A section's blocks run in README order, in one
Python namespace and one shell session, against a sandbox of the section's own
(``halnav.sandbox.serve()``: seed 0, the default 14,486 orders), so an example may build on the
ones before it. :func:`run_section` gives the failures, each naming the README line of its block
and showing the difference.

What each language means:

``pycon``
    A doctest (``ELLIPSIS``, ``NORMALIZE_WHITESPACE``; ``Traceback (most recent call last):`` for
    an exception), in the section's namespace.
``python``
    Executed in the section's namespace. Results are never shown in comments: an example that
    shows a result is a ``pycon`` block. What a ``python`` block prints is not compared.
``console``
    Each ``$ `` line is a command run by bash (so ``echo $?``, pipes, redirections and
    ``export`` work as in a reader's shell; a line ending in ``\\`` goes on on the next line);
    its output, stdout and stderr interleaved as a terminal shows them, is compared line by line
    with the lines that follow it, up to the next ``$ `` line (trailing spaces and blank lines at
    the end aside). A line that is exactly ``...`` stands for any number of lines, and ``...``
    inside a line for any text. ``>>> `` lines after a command are its input, one statement
    each (``halnav shell``): the transcript is compared as a terminal shows it, each prompt
    followed by the line typed. Every command runs with a timeout of :data:`COMMAND_TIMEOUT`.
``sh``, ``bash``
    Commands that change the reader's machine (installs), run tools over the whole project
    (``.ci/run`` runs those) or serve until Ctrl-C: never run here. Checked: bash syntax
    (``bash -n``), the extras a ``pip install`` names exist in pyproject.toml, and every
    ``halnav ...`` command (``python -m halnav.sandbox`` too) parses with the command's own
    argparse parser.
``toml``
    A configuration file: written to a file of its own (mode 0600) and loaded by the command's
    configuration reader, every profile of it.
``text``
    Output shown for reading (a banner, a message), not an example: it must carry a ``not run``
    marker saying why it is not an executed example's output; the halnav names in it
    (``halnav.X``, and an exception's name that starts a line, ``ServerError: ...``) must exist.

Markers, an HTML comment on the line just before a fence:

``<!-- example: not run: REASON -->``
    The block cannot run against the sandbox (the live API at api.bootic.net, OAuth against
    auth.bootic.net, a server that runs until Ctrl-C...). It is still checked: ``python`` and
    ``pycon`` compile, and every halnav name they use (``halnav.X``, ``from halnav... import X``)
    exists; a ``console`` block's ``halnav ...`` commands parse with the command's parser; a
    ``text`` block as above.
``<!-- example: pytest -->``
    A ``python`` block that is a test module: written to a file of its own and run by pytest in
    a subprocess, as a reader's project would run it (the sandbox's plugin comes by its entry
    point); every test in it must pass.

Addresses: the README's examples use ``http://127.0.0.1:8000``, what ``halnav sandbox`` serves by
default, and the sandbox's ready-made tokens. In code and commands, ``127.0.0.1:8000`` and
``localhost:8000`` (the sandbox's other origin) are replaced by the section's sandbox's address;
in what is printed, its port is shown as ``8000`` again. Any other port on 127.0.0.1 or
localhost (a sandbox that ``halnav demo``, ``halnav shell`` or an example starts itself) is
compared as ``PORT``, in the README's text and in the output alike.

Environment: each section runs in a fresh temporary home directory, its working directory
(``HOME`` set to it, no ``XDG_*`` variables, no configuration file, no ``HALNAV_*`` variables: a
fresh machine); ``halnav`` on the ``PATH`` is this interpreter's. The logging configuration an
example changes is put back after the section.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import doctest
import importlib
import io
import json
import logging
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from halnav.cli import _main as cli_main
from halnav.cli._config import load_profile
from halnav.sandbox import SandboxURL, serve
from halnav.sandbox import cli as sandbox_cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10 has no tomllib; the test extra installs tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

#: Sections another engineer is rewriting (issue 16's second half): the harness runs them when
#: asked (``HALNAV_README_PENDING=run``), the suite skips them. Empty this set as they pass.
PENDING: frozenset[str] = frozenset()

#: Seconds a console command may take (``halnav demo`` starts a sandbox of its own and walks it).
COMMAND_TIMEOUT = 90

#: Where a command's requests to anything but loopback go: a port nothing listens on.
CLOSED_PROXY = "http://127.0.0.1:9"
_LOOPBACK = ("localhost", "::1")

LANGUAGES = ("pycon", "python", "console", "sh", "bash", "toml", "text")
NOT_RUN = "not run"
PYTEST = "pytest"

#: The address the README's examples use: ``halnav sandbox``'s default.
SHOWN_PORT = "8000"
_SHOWN_ADDRESS = re.compile(rf"\b(127\.0\.0\.1|localhost):{SHOWN_PORT}(?!\d)")
_ANY_ADDRESS = re.compile(r"\b(127\.0\.0\.1|localhost):(\d+)(?!\d)")
_MARKER = re.compile(r"^<!--\s*example:\s*(?P<kind>[a-z ]+?)\s*(?::\s*(?P<reason>.*?))?\s*-->$")
_FENCE = re.compile(r"^```(?P<language>\S*)\s*$")


# -- reading the README ------------------------------------------------------------------------


@dataclass(frozen=True)
class Marker:
    """What the HTML comment before a fence says: ``kind`` (``not run``, ``pytest``), ``reason``."""

    kind: str
    reason: str = ""


@dataclass(frozen=True)
class Block:
    """A fenced block: its language, the line of its opening fence, its section, its marker."""

    language: str
    line: int
    section: str
    text: str
    marker: Marker | None = None

    @property
    def where(self) -> str:
        return f"README.md line {self.line} ({self.language} block in {self.section!r})"

    @property
    def runs(self) -> bool:
        return self.marker is None or self.marker.kind != NOT_RUN


class ReadmeError(ValueError):
    """The README cannot be read into blocks (an unclosed fence, an unknown marker...)."""


def read_blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown text, in order."""
    blocks: list[Block] = []
    lines = text.splitlines()
    section = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        heading = re.match(r"^(#{1,2}) (.*)$", line)
        if heading:
            section = heading.group(2).strip()
        fence = _FENCE.match(line)
        if fence is None:
            index += 1
            continue
        start = index
        index += 1
        while index < len(lines) and lines[index].rstrip() != "```":
            index += 1
        if index == len(lines):
            raise ReadmeError(f"README.md line {start + 1}: a fence that is never closed")
        marker = _marker(lines[start - 1] if start else "", start + 1)
        body = "\n".join(lines[start + 1 : index]) + "\n"
        blocks.append(Block(fence["language"], start + 1, section, body, marker))
        index += 1
    return blocks


def _marker(line: str, fence_line: int) -> Marker | None:
    if "<!--" not in line or "example" not in line:
        return None
    found = _MARKER.match(line.strip())
    if found is None or found["kind"] not in (NOT_RUN, PYTEST):
        raise ReadmeError(
            f"README.md line {fence_line - 1}: unknown marker {line.strip()!r}; markers: "
            "<!-- example: not run: REASON -->, <!-- example: pytest -->"
        )
    reason = found["reason"] or ""
    if found["kind"] == NOT_RUN and not reason:
        raise ReadmeError(f"README.md line {fence_line - 1}: a 'not run' marker needs a reason")
    return Marker(found["kind"], reason)


def sections(blocks: list[Block]) -> dict[str, list[Block]]:
    """The blocks by section (the text before the first ``##`` is the ``#`` title's), in order."""
    found: dict[str, list[Block]] = {}
    for block in blocks:
        found.setdefault(block.section, []).append(block)
    return found


def readme_blocks() -> list[Block]:
    return read_blocks(README.read_text(encoding="utf-8"))


# -- addresses ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Addresses:
    """The README's ``127.0.0.1:8000`` for code, and the real port back to 8000 in output."""

    port: str | None = None

    def into_code(self, text: str) -> str:
        if self.port is None:
            return text
        return _SHOWN_ADDRESS.sub(lambda m: f"{m[1]}:{self.port}", text)

    def shown(self, output: str) -> str:
        """Output as the README shows it: the sandbox's port as 8000, any other as ``PORT``."""

        def one(match: re.Match[str]) -> str:
            port = match[2]
            if port == self.port:
                return f"{match[1]}:{SHOWN_PORT}"
            return f"{match[1]}:{port if port == SHOWN_PORT else 'PORT'}"

        return _ANY_ADDRESS.sub(one, output)

    @staticmethod
    def expected(text: str) -> str:
        """The README's text, with any port but 8000 as ``PORT``."""
        return _ANY_ADDRESS.sub(lambda m: f"{m[1]}:{m[2] if m[2] == SHOWN_PORT else 'PORT'}", text)


# -- comparing lines -----------------------------------------------------------------------------


def _line_pattern(line: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in line.split("...")) + r"\Z", re.S)


def lines_match(expected: list[str], actual: list[str]) -> bool:
    """``actual`` is ``expected``, where a line ``...`` stands for any lines, and ``...`` in a
    line for any text (trailing spaces and trailing blank lines aside)."""
    want = _trimmed(expected)
    got = _trimmed(actual)
    patterns = [None if line.strip() == "..." else _line_pattern(line) for line in want]
    # reachable[j]: the expected lines so far can match the first j actual lines.
    reachable = [True] + [False] * len(got)
    for pattern in patterns:
        following = [False] * (len(got) + 1)
        for j in range(len(got) + 1):
            if not reachable[j]:
                continue
            if pattern is None:
                for k in range(j, len(got) + 1):
                    following[k] = True
                break
            if j < len(got) and pattern.match(got[j]):
                following[j + 1] = True
        reachable = following
    return reachable[len(got)]


def _trimmed(lines: list[str]) -> list[str]:
    trimmed = [line.rstrip() for line in lines]
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    while trimmed and not trimmed[0]:
        trimmed.pop(0)
    return trimmed


def difference(expected: list[str], actual: list[str]) -> str:
    """A unified diff of what the README shows and what was printed, with each ``...`` of the
    README given what it stood for where it matched, so that only real differences show."""
    diff = difflib.unified_diff(
        _resolved(_trimmed(expected), _trimmed(actual)),
        _trimmed(actual),
        "README",
        "printed",
        lineterm="",
        n=2,
    )
    return "\n".join(diff)


def _resolved(expected: list[str], actual: list[str]) -> list[str]:
    # Greedy, for display only: an elided line that matches the printed line at the same point
    # is shown as printed; a line "..." takes the printed lines up to the next README line's match.
    shown: list[str] = []
    position = 0
    for index, line in enumerate(expected):
        if line.strip() != "...":
            pattern = _line_pattern(line)
            found = next(
                (k for k in range(position, len(actual)) if pattern.match(actual[k])), None
            )
            if found is None:
                shown.append(line)  # not printed at all: the diff shows it
            else:
                shown.append(actual[found])  # printed lines skipped to reach it show as added
                position = found + 1
            continue
        following = next((e for e in expected[index + 1 :] if e.strip() != "..."), None)
        end = len(actual)
        if following is not None:
            pattern = _line_pattern(following)
            end = next((k for k in range(position, len(actual)) if pattern.match(actual[k])), end)
        shown.extend(actual[position:end])
        position = end
    return shown


# -- names a block uses ----------------------------------------------------------------------


def missing_names(source: str) -> list[str]:
    """The ``halnav`` names a piece of Python uses that do not exist."""
    tree = ast.parse(source)
    missing: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "halnav":
            module = node.module or ""
            for alias in node.names:
                if alias.name != "*" and not _exists(f"{module}.{alias.name}"):
                    missing.append(f"{module}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "halnav" and not _exists(alias.name):
                    missing.append(alias.name)
        elif isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Store):
            dotted = _dotted(node)
            if dotted and dotted.split(".")[0] == "halnav" and not _exists(dotted):
                missing.append(dotted)
    return sorted(set(missing))


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _exists(dotted: str) -> bool:
    parts = dotted.split(".")
    value: object = importlib.import_module(parts[0])
    for index, part in enumerate(parts[1:], start=1):
        if hasattr(value, part):
            value = getattr(value, part)
            continue
        if not isinstance(value, ModuleType):
            return False
        try:
            value = importlib.import_module(".".join(parts[: index + 1]))
        except ImportError:
            return False
    return True


def pycon_source(text: str) -> str:
    """The Python of a ``pycon`` block: its examples' sources, one after the other."""
    examples = doctest.DocTestParser().get_examples(text)
    return "".join(example.source for example in examples)


_SHOWN_EXCEPTION = re.compile(
    r"^(?:halnav\.(?:bootic\.)?)?([A-Z][A-Za-z]+(?:Error|Exceeded|"
    r"Mismatch|Found|Unknown|Entity|Warning|Large)):",
    re.M,
)


def missing_shown_names(text: str) -> list[str]:
    """The halnav names a text block shows that do not exist."""
    missing = [
        name
        for name in re.findall(r"\bhalnav(?:\.[A-Za-z_]\w*)+", text)
        if not _exists(name.rstrip("."))
    ]
    for name in _SHOWN_EXCEPTION.findall(text):
        if not (_exists(f"halnav.{name}") or _exists(f"halnav.bootic.{name}")):
            missing.append(name)
    return sorted(set(missing))


# -- shell commands ----------------------------------------------------------------------------


def shell_commands(text: str) -> list[list[str]]:
    """The simple commands of a shell text (comments, operators and redirections split off;
    a ``$(...)`` word's own commands included)."""
    commands: list[list[str]] = []
    logical = text.replace("\\\n", " ")
    for line in logical.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|<>")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        current: list[str] = []
        redirect = False
        for word in lexer:
            if set(word) <= set(";&|"):
                commands.append(current)
                current, redirect = [], False
            elif set(word) <= set("<>"):
                redirect = True
            elif redirect:
                redirect = False
            else:
                current.append(word)
                for inner in re.findall(r"\$\(([^)]*)\)", word):
                    commands.extend(shell_commands(inner))
        commands.append(current)
    return [command for command in commands if command]


def halnav_arguments(command: list[str]) -> list[str] | None:
    """The arguments of a ``halnav`` command (``python -m halnav[.sandbox]`` too), else None."""
    words = [word for word in command if not re.match(r"^[A-Z_]+=", word)]
    if not words:
        return None
    if words[0] == "halnav":
        return words[1:]
    if words[0] in ("python", "python3") and words[1:3] == ["-m", "halnav"]:
        return words[3:]
    if words[0] in ("python", "python3") and words[1:3] == ["-m", "halnav.sandbox"]:
        return ["sandbox", *words[3:]]
    return None


def parse_problem(arguments: list[str]) -> str | None:
    """Why the ``halnav`` command with ``arguments`` does not parse (None: it does)."""
    said = io.StringIO()
    with contextlib.redirect_stderr(said), contextlib.redirect_stdout(io.StringIO()):
        try:
            sandbox_arguments = cli_main._sandbox_arguments(arguments)
            if sandbox_arguments is not None:
                sandbox_cli.build_parser().parse_args(sandbox_arguments)
            else:
                cli_main._parse(cli_main.build_parser(), arguments)
        except SystemExit as exc:
            if exc.code not in (0, None):
                return said.getvalue().strip() or f"exit status {exc.code}"
    return None


def pip_extras_problems(command: list[str]) -> list[str]:
    if command[:2] not in (["pip", "install"], ["pip3", "install"]):
        return []
    declared = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
            "optional-dependencies"
        ]
    )
    problems = []
    for word in command[2:]:
        found = re.match(r"^(?:halnav|\.)\[([^\]]*)\]$", word)
        for extra in found.group(1).split(",") if found else []:
            if extra.strip() not in declared:
                problems.append(f"{word}: no extra {extra.strip()!r} in pyproject.toml")
    return problems


# -- running a section ---------------------------------------------------------------------------


@dataclass
class Failure:
    """A block that did not do what the README says, with the line to look at."""

    block: Block
    line: int
    what: str

    def __str__(self) -> str:
        return (
            f"README.md line {self.line} ({self.block.language} block at line "
            f"{self.block.line}, in {self.block.section!r}):\n{self.what}"
        )


class _Checker(doctest.OutputChecker):
    """doctest's comparison, of the output as the README shows it (addresses, see above)."""

    def __init__(self, addresses: Callable[[], Addresses]) -> None:
        self._addresses = addresses

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        addresses = self._addresses()
        return super().check_output(addresses.expected(want), addresses.shown(got), optionflags)

    def output_difference(self, example: doctest.Example, got: str, optionflags: int) -> str:
        addresses = self._addresses()
        shown = doctest.Example(example.source, addresses.expected(example.want))
        return super().output_difference(shown, addresses.shown(got), optionflags)


@dataclass
class SectionRun:
    """One section's run: its namespace, its shell's state, its sandbox (started when first
    needed), and what failed."""

    home: Path
    namespace: dict[str, Any] = field(default_factory=lambda: {"__name__": "__readme__"})
    failures: list[Failure] = field(default_factory=list)
    status: int = 0
    environment: dict[str, str] = field(default_factory=dict)
    #: Starts the section's sandbox (the harness's own tests give a smaller one).
    start_sandbox: Callable[[], contextlib.AbstractContextManager[SandboxURL]] = serve
    _sandbox: SandboxURL | None = None
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    # -- the section's world ------------------------------------------------------------------

    @property
    def addresses(self) -> Addresses:
        if self._sandbox is None:
            return Addresses()
        return Addresses(self._sandbox.base_url.rsplit(":", 1)[1])

    def sandbox(self) -> SandboxURL:
        if self._sandbox is None:
            self._sandbox = self._stack.enter_context(self.start_sandbox())
        return self._sandbox

    def __enter__(self) -> SectionRun:
        self._stack.enter_context(_fresh_home(self.home))
        self._stack.enter_context(_logging_restored())
        self._stack.enter_context(_loopback_only())
        self._stack.callback(self._close_clients)
        bin_dir = self.home / ".readme-bin"
        bin_dir.mkdir(parents=True, exist_ok=True)
        shim = bin_dir / "halnav"
        shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m halnav "$@"\n')
        shim.chmod(0o755)
        # A fresh machine's shell: no halnav settings, no XDG folders, no terminal size (a pipe
        # has none: the command's own default applies), nothing of the pytest running this.
        self.environment = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("HALNAV_", "XDG_", "PYTEST_"))
            and name not in ("COLUMNS", "LINES")
        }
        self.environment.update(
            HOME=str(self.home),
            PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            PWD=str(self.home),
            PYTHONIOENCODING="utf-8",
            # What a terminal shows: stdout and stderr in the order they were written.
            PYTHONUNBUFFERED="1",
        )
        # No command reaches another machine: anything but loopback goes to a closed port.
        for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
            self.environment[name] = CLOSED_PROXY
        for name in ("no_proxy", "NO_PROXY"):
            self.environment[name] = "127.0.0.1,localhost"
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def _close_clients(self) -> None:
        # What a reader's script leaves open goes when it exits; here the process goes on.
        for value in list(self.namespace.values()):
            close = getattr(value, "close", None)
            if type(value).__module__.startswith("halnav") and callable(close):
                close()
        self.namespace.clear()

    def fail(self, block: Block, what: str, line: int | None = None) -> None:
        self.failures.append(Failure(block, line or block.line, what))

    # -- the blocks -----------------------------------------------------------------------

    def run(self, block: Block) -> None:
        if block.language not in LANGUAGES:
            self.fail(block, f"unknown language {block.language!r}; one of {', '.join(LANGUAGES)}")
            return
        if block.marker is not None and block.marker.kind == PYTEST and block.language != "python":
            self.fail(block, "only a python block can be a pytest module")
            return
        try:
            getattr(self, f"_{block.language}")(block)
        except ReadmeError as exc:
            self.fail(block, str(exc))

    def _names(self, block: Block, source: str) -> bool:
        try:
            compile(source, block.where, "exec")
        except SyntaxError as exc:
            self.fail(block, f"does not compile: {exc}", block.line + (exc.lineno or 0))
            return False
        missing = missing_names(source)
        if missing:
            self.fail(block, f"names that halnav does not have: {', '.join(missing)}")
            return False
        return True

    def _python(self, block: Block) -> None:
        if not self._names(block, block.text):
            return
        if not block.runs:
            return
        if block.marker is not None and block.marker.kind == PYTEST:
            self._pytest(block)
            return
        self.sandbox()
        source = "\n" * block.line + self.addresses.into_code(block.text)
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(source, str(README), "exec"), self.namespace)
        except Exception as exc:
            shown = self.addresses.shown(_readme_traceback(exc))
            self.fail(block, shown, _readme_line(exc) or block.line)

    def _pycon(self, block: Block) -> None:
        if not self._names(block, pycon_source(block.text)):
            return
        if not block.runs:
            return
        self.sandbox()
        test = doctest.DocTestParser().get_doctest(
            block.text, self.namespace, block.where, str(README), block.line
        )
        test.globs = self.namespace  # DocTest copies the names it is given: share them instead
        for example in test.examples:
            example.source = self.addresses.into_code(example.source)
        runner = doctest.DocTestRunner(
            checker=_Checker(lambda: self.addresses),
            optionflags=doctest.ELLIPSIS
            | doctest.NORMALIZE_WHITESPACE
            | doctest.REPORT_ONLY_FIRST_FAILURE,
        )
        said: list[str] = []
        runner.run(test, out=said.append, clear_globs=False)
        if runner.failures:
            first = re.search(r"line (\d+), in", "".join(said))
            self.fail(block, "".join(said).rstrip(), int(first[1]) if first else block.line)

    def _pytest(self, block: Block) -> None:
        folder = self.home / f"pytest-{block.line}"
        folder.mkdir()
        module = folder / f"test_readme_line_{block.line}.py"
        module.write_text(self.addresses.into_code(block.text), encoding="utf-8")
        ran = self._subprocess(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", module.name],
            cwd=folder,
        )
        if ran is None:
            self.fail(block, f"pytest did not finish within {COMMAND_TIMEOUT} s")
        elif ran[0] != 0:
            self.fail(block, f"pytest exited with {ran[0]}:\n{ran[1]}")

    def _console(self, block: Block) -> None:
        commands = _console_commands(block)
        if not block.runs:
            for line, command, _ in commands:
                self._check_shell(block, command, line)
            return
        self.sandbox()
        for line, command, expected in commands:
            typed = [shown[4:] for shown in expected if shown.startswith(">>> ")]
            ran = self._command(command, typed)
            if ran is None:
                self.fail(block, f"$ {command}\ndid not finish within {COMMAND_TIMEOUT} s", line)
                return
            self.status, output = ran
            printed = _transcript(output, typed) if typed else output
            actual = self.addresses.shown(printed).splitlines()
            wanted = Addresses.expected("\n".join(expected)).splitlines()
            if not lines_match(wanted, actual):
                self.fail(block, f"$ {command}\n{difference(wanted, actual)}", line)

    def _command(self, command: str, typed: list[str]) -> tuple[int, str] | None:
        """Run one command line in bash, as the next line of one shell session: ``$?`` is the
        last command's status (``(exit N)`` sets it), and the variables it exports are the next
        command's environment."""
        state = self.home / ".readme-environment.json"
        keep = "import json, os, sys; json.dump(dict(os.environ), open(sys.argv[1], 'w'))"
        script = (
            f"(exit {self.status})\n{self.addresses.into_code(command)}\n__readme_status=$?\n"
            f"{shlex.quote(sys.executable)} -c {shlex.quote(keep)} {shlex.quote(str(state))}\n"
            "exit $__readme_status\n"
        )
        stdin = "".join(f"{line}\n" for line in typed)
        ran = self._subprocess(["bash", "-c", script], stdin=stdin, cwd=None)
        if ran is not None and state.exists():
            exported: dict[str, str] = json.loads(state.read_text(encoding="utf-8"))
            for name in ("_", "SHLVL", "OLDPWD"):
                exported.pop(name, None)
            self.environment = exported
            state.unlink()
        return ran

    def _subprocess(
        self, argv: list[str], stdin: str = "", cwd: Path | None = None
    ) -> tuple[int, str] | None:
        """Run ``argv``, stdout and stderr into one pipe; None when it outlived the timeout
        (then its whole process group is ended)."""
        where = cwd or Path(self.environment.get("PWD", str(self.home)))
        process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=where,
            env=self.environment,
            start_new_session=True,
        )
        try:
            output, _ = process.communicate(stdin.encode(), timeout=COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return None
        return process.returncode, output.decode("utf-8", errors="replace")

    def _sh(self, block: Block) -> None:
        checked = subprocess.run(
            ["bash", "-n"], input=block.text, capture_output=True, text=True, check=False
        )
        if checked.returncode != 0:
            self.fail(block, f"bash -n: {checked.stderr.strip()}")
        self._check_shell(block, block.text, block.line)

    _bash = _sh

    def _check_shell(self, block: Block, text: str, line: int) -> None:
        for command in shell_commands(text):
            for problem in pip_extras_problems(command):
                self.fail(block, problem, line)
            arguments = halnav_arguments(command)
            if arguments is not None:
                problem = parse_problem(arguments)
                if problem:
                    self.fail(block, f"$ {shlex.join(command)}\ndoes not parse:\n{problem}", line)

    def _toml(self, block: Block) -> None:
        folder = self.home / f"toml-{block.line}"
        folder.mkdir()
        path = folder / "config.toml"
        path.write_text(block.text, encoding="utf-8")
        path.chmod(0o600)
        try:
            profiles = tomllib.loads(block.text).get("profiles", {})
            load_profile(None, path)
            for name in profiles:
                load_profile(name, path)
        except Exception as exc:
            self.fail(block, f"the configuration reader refuses it: {exc}")

    def _text(self, block: Block) -> None:
        if block.runs:
            self.fail(
                block,
                "a text block is output shown for reading: mark it "
                "<!-- example: not run: REASON --> saying why it is not an executed example",
            )
        missing = missing_shown_names(block.text)
        if missing:
            self.fail(block, f"names that halnav does not have: {', '.join(missing)}")


def run_section(
    blocks: list[Block],
    home: Path,
    start_sandbox: Callable[[], contextlib.AbstractContextManager[SandboxURL]] = serve,
) -> list[Failure]:
    """Run a section's blocks in order, in ``home``; what failed."""
    with SectionRun(home, start_sandbox=start_sandbox) as section:
        for block in blocks:
            section.run(block)
    return section.failures


def _console_commands(block: Block) -> list[tuple[int, str, list[str]]]:
    """(README line, command, the lines shown after it) for each ``$ `` line of a block."""
    commands: list[tuple[int, str, list[str]]] = []
    lines = block.text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith("$ "):
            if commands:
                commands[-1][2].append(line)
            elif line.strip():
                raise ReadmeError(
                    f"README.md line {block.line + 1 + index}: a console block "
                    "must start with a '$ ' command"
                )
            index += 1
            continue
        start = index
        command = line[2:]
        while command.endswith("\\") and index + 1 < len(lines):
            index += 1
            command += "\n" + lines[index]
        commands.append((block.line + 1 + start, command, []))
        index += 1
    return commands


def _transcript(output: str, typed: list[str]) -> str:
    """The output of a console fed ``typed`` as a terminal shows it: each prompt followed by
    the line typed (a pipe echoes nothing), and the last prompt, answered by the end of input,
    left out."""
    shown: list[str] = []
    rest = output
    for line in typed:
        found = re.search(r"(?m)^>>> ", rest)
        if found is None:
            break
        shown.append(rest[: found.end()] + line + "\n")
        rest = rest[found.end() :]
    shown.append(re.sub(r"(?m)^>>> ?\n?\Z", "", rest))
    return "".join(shown)


def _readme_line(exc: BaseException) -> int | None:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(README)]
    return frames[-1].lineno if frames else None


def _readme_traceback(exc: BaseException) -> str:
    """The README's lines in the traceback, then the exception."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(README)]
    shown = [f"  README.md line {f.lineno}: {f.line}" for f in frames]
    return "\n".join([*shown, *traceback.format_exception_only(type(exc), exc)]).rstrip()


@contextlib.contextmanager
def _fresh_home(home: Path) -> Iterator[None]:
    """``HOME`` and the working directory in a fresh folder, no XDG or HALNAV variables."""
    home.mkdir(parents=True, exist_ok=True)
    saved = dict(os.environ)
    cwd = Path.cwd()
    for name in list(os.environ):
        if name.startswith(("HALNAV_", "XDG_")):
            del os.environ[name]
    os.environ["HOME"] = str(home)
    os.chdir(home)
    try:
        yield
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _loopback_only() -> Iterator[None]:
    """No example reaches another machine: a name other than loopback is not even looked up."""
    lookup = socket.getaddrinfo

    def loopback(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name not in _LOOPBACK and not str(name).startswith("127."):
            raise socket.gaierror(
                socket.EAI_NONAME, f"{name}: a README example reaches the sandbox only"
            )
        return lookup(host, *args, **kwargs)

    socket.getaddrinfo = loopback
    try:
        yield
    finally:
        socket.getaddrinfo = lookup


@contextlib.contextmanager
def _logging_restored() -> Iterator[None]:
    """Logging as it was before (an example may call ``logging.basicConfig``)."""
    loggers = [logging.getLogger(name) for name in ("", "halnav", "urllib3")]
    kept = [(logger, list(logger.handlers), logger.level) for logger in loggers]
    try:
        yield
    finally:
        for logger, handlers, level in kept:
            for handler in list(logger.handlers):
                if handler not in handlers:
                    logger.removeHandler(handler)
                    handler.close()
            logger.setLevel(level)
