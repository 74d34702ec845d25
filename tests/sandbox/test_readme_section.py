"""The README's section on the sandbox stays true: its tables say what the code does, its banner is
the command's (its examples are run by tests/test_readme_examples.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import halnav.sandbox
from halnav.sandbox import TRANSITIONS, SandboxURL, serve
from halnav.sandbox.cli import build_parser

README = Path(halnav.sandbox.__file__).parent.parent.parent / "README.md"


@pytest.fixture(scope="module")
def section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## The Bootic sandbox\n")
    return text[start : text.index("\n## ", start + 1)]


def _blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", section, re.S | re.M)


def test_the_options_table_lists_every_option(section: str) -> None:
    documented = set(re.findall(r"^\| `(--[a-z-]+)", section, re.M))
    options = {a.option_strings[-1] for a in build_parser()._actions if a.dest != "help"}
    assert documented == options


def test_the_transitions_table_is_the_codes(section: str) -> None:
    table = section[section.index("| from \\ to |") :].split("\n\n")[0].splitlines()
    statuses = [cell.strip() for cell in table[0].strip("|").split("|")[1:]]
    found: dict[str, tuple[str, ...]] = {}
    for row in table[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        found[cells[0]] = tuple(
            to for to, cell in zip(statuses, cells[1:], strict=True) if cell in ("yes", "(no-op)")
        )
    assert {k: set(v) for k, v in found.items()} == {k: set(v) for k, v in TRANSITIONS.items()}


def test_the_attributes_table_names_every_attribute(section: str) -> None:
    table = section[section.index("| attribute | value |") :].split("\n\n")[0]
    documented = set(
        re.findall(r"`([a-z_]+)`", "\n".join(r.split("|")[1] for r in table.splitlines()[2:]))
    )
    with serve(orders=3) as url:
        attributes = set(vars(url)) | {
            name for name in dir(SandboxURL) if isinstance(getattr(SandboxURL, name), property)
        }
    assert documented == attributes


def test_the_banner_shown_is_the_banners_start(section: str) -> None:
    # The README's `$ halnav sandbox` block (not run: it serves until Ctrl-C), without the command.
    block = next(b for b in _blocks(section, "console") if b.startswith("$ halnav sandbox\n"))
    shown = [line for line in block.splitlines()[1:] if line.strip() != "..."]
    with serve(orders=3) as url:
        printed = halnav.sandbox.cli._banner(url, build_parser().parse_args([]), 14486)
    port = url.base_url.rsplit(":", 1)[1]
    printed = printed.replace(f":{port}", ":8000")
    for line in shown:
        assert line in printed.splitlines(), line
