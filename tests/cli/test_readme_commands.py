"""The README's sections on ``halnav bootic update-orders`` and ``halnav bootic sync`` print
what the commands print: each section's console examples are run, in order, against a fresh
sandbox (seed 0). In an expected line, ``...`` stands for any text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from halnav.sandbox import serve

from .conftest import run_halnav

README = Path(__file__).resolve().parents[2] / "README.md"
SECTIONS = ["### `halnav bootic update-orders`", "### `halnav bootic sync`"]


def commands(heading: str) -> list[tuple[str, list[str]]]:
    """The section's commands (``$ ...`` lines) and the lines each is shown to print."""
    text = README.read_text(encoding="utf-8")
    start = text.index(heading + "\n")
    body = text[start : text.find("\n### ", start + 1)]
    found: list[tuple[str, list[str]]] = []
    for block in re.findall(r"^```console\n(.*?)^```$", body, re.S | re.M):
        for line in block.splitlines():
            if line.startswith("$ "):
                found.append((line[2:], []))
            else:
                found[-1][1].append(line)
    return found


def matches(expected: str, actual: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, actual) is not None


@pytest.mark.slow
@pytest.mark.parametrize("heading", SECTIONS)
def test_the_sections_commands_print_what_it_shows(heading, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status = 0
    with serve(seed=0) as sandbox:
        env = {"HALNAV_URL": str(sandbox), "HALNAV_TOKEN": sandbox.token}
        for command, expected in commands(heading):
            if command == "echo $?":
                assert expected == [str(status)], f"exit status of the command before {command}"
                continue
            assert command.startswith("halnav ")
            result = run_halnav(*command.split()[1:], env=env, timeout=120)
            status = result.returncode
            actual = (result.stdout + result.stderr).splitlines()
            assert len(actual) == len(expected), f"{command}:\n{result.stdout}{result.stderr}"
            for want, got in zip(expected, actual, strict=True):
                assert matches(want, got), f"{command}:\nexpected {want!r}\n     got {got!r}"
