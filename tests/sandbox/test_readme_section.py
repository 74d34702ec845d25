"""The README's section on the sandbox stays true: its Python examples run, its tables say what the
code does."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import halnav.sandbox
from halnav.sandbox import TRANSITIONS, SandboxURL, serve
from halnav.sandbox.cli import build_parser
from halnav.sandbox.pytest_plugin import OPTIONS

README = Path(halnav.sandbox.__file__).parent.parent.parent / "README.md"


@pytest.fixture(scope="module")
def section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## The Bootic sandbox\n")
    return text[start : text.index("\n## ", start + 1)]


def _blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", section, re.S | re.M)


def test_the_python_examples_run(section: str) -> None:
    serve_example, app_example, plugin_example = _blocks(section, "python")
    scope: dict[str, Any] = {}
    exec(serve_example.replace("orders=500", "orders=20"), scope)
    assert scope["r"].status_code == 200
    assert scope["r"].json()["user_name"] == "sandbox-owner"
    scope = {}
    exec(app_example.replace("client.get(", "answer = client.get("), scope)
    assert scope["answer"]["_class"] == ["root"]
    scope["client"].application.close()
    # the plugin's example: its tests, run against a sandbox as the fixture would give it
    scope = {}
    exec(plugin_example, scope)
    marker = scope["test_my_retries"].pytestmark[0]
    assert set(marker.kwargs) == set(OPTIONS)  # every option of the marker, and only those
    with serve(orders=5) as url:
        scope["test_my_script"](url)
        url.config.fail_rate = 0.5
        scope["test_my_retries"](url)
        assert url.config.fail_rate == 0


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
    shown = [line for line in _blocks(section, "text")[0].splitlines() if line.strip() != "..."]
    with serve(orders=3) as url:
        printed = halnav.sandbox.cli._banner(url, build_parser().parse_args([]), 14486)
    port = url.base_url.rsplit(":", 1)[1]
    printed = printed.replace(f":{port}", ":8000")
    for line in shown:
        assert line in printed.splitlines(), line
