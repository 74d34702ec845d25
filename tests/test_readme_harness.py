"""The README harness itself: it reads every block, and it fails an example that is not true.

Each test gives the harness a small Markdown text of its own (a README with one wrong thing in
it) and checks the failure names the line and shows the difference.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import readme_harness
from readme_harness import (
    Addresses,
    Failure,
    ReadmeError,
    lines_match,
    read_blocks,
    run_section,
    shell_commands,
)

from halnav.sandbox import serve

FENCE = "```"


def markdown(*parts: str) -> str:
    """A Markdown text: each part is ``LANGUAGE\\nBODY`` fenced, or a plain line of text."""
    lines = ["# title", "", "## Section", ""]
    for part in parts:
        if part.startswith("<!--") or "\n" not in part:
            lines.append(part)
            continue
        language, body = part.split("\n", 1)
        lines += [f"{FENCE}{language}", body.rstrip("\n"), FENCE, ""]
    return "\n".join(lines) + "\n"


def run(tmp_path: Path, *parts: str) -> list[Failure]:
    small = functools.partial(serve, orders=40)
    return run_section(read_blocks(markdown(*parts)), tmp_path / "home", small)


# -- reading -----------------------------------------------------------------------------------


def test_blocks_have_their_language_line_section_and_marker():
    text = markdown(
        "python\nx = 1",
        "<!-- example: not run: the live API -->",
        "pycon\n>>> x\n1",
    )
    first, second = read_blocks(text)
    assert (first.language, first.line, first.section, first.marker) == (
        "python",
        5,
        "Section",
        None,
    )
    assert second.line == 10 and second.marker is not None
    assert (second.marker.kind, second.marker.reason) == ("not run", "the live API")
    assert not second.runs


@pytest.mark.parametrize(
    ("marker", "said"),
    [
        ("<!-- example: skipped -->", "unknown marker"),
        ("<!-- example: not run -->", "needs a reason"),
    ],
)
def test_a_marker_the_harness_does_not_know_is_an_error(marker, said):
    with pytest.raises(ReadmeError, match=said):
        read_blocks(markdown(marker, "python\nx = 1"))


def test_an_unclosed_fence_is_an_error():
    with pytest.raises(ReadmeError, match="line 1: a fence that is never closed"):
        read_blocks("```python\nx = 1\n")


def test_the_readmes_blocks_are_of_known_languages():
    blocks = readme_harness.readme_blocks()
    languages = {b.language for b in blocks if b.section not in readme_harness.PENDING}
    assert languages <= set(readme_harness.LANGUAGES)


# -- comparing ---------------------------------------------------------------------------------


def test_a_line_of_dots_stands_for_any_lines_and_dots_in_a_line_for_any_text():
    printed = ["head", "one", "two", "total: 14486 orders  ", ""]
    assert lines_match(["head", "...", "total: ... orders"], printed)
    assert lines_match(["head", "one", "...", "two", "..."], printed)
    assert not lines_match(["head", "two", "..."], printed)
    assert not lines_match(["head", "...", "total: 3 orders"], printed)


def test_the_sandboxs_port_is_shown_as_8000_and_any_other_as_port():
    addresses = Addresses("41000")
    assert addresses.into_code("curl http://127.0.0.1:8000/v1 http://localhost:8000/x") == (
        "curl http://127.0.0.1:41000/v1 http://localhost:41000/x"
    )
    printed = "http://127.0.0.1:41000/v1 http://localhost:41000/c http://127.0.0.1:52555/v1"
    assert addresses.shown(printed) == (
        "http://127.0.0.1:8000/v1 http://localhost:8000/c http://127.0.0.1:PORT/v1"
    )
    assert Addresses.expected("at http://127.0.0.1:41317/v1, :8000 kept") == (
        "at http://127.0.0.1:PORT/v1, :8000 kept"
    )


def test_shell_commands_are_split_on_operators_and_substitutions():
    text = 'eval "$(halnav completion bash)"   # in ~/.bashrc\nhalnav get a | head -3 > out.txt\n'
    assert shell_commands(text) == [
        ["halnav", "completion", "bash"],
        ["eval", "$(halnav completion bash)"],
        ["halnav", "get", "a"],
        ["head", "-3"],
    ]


# -- running -----------------------------------------------------------------------------------


def test_a_pycon_example_that_prints_something_else_fails_at_its_line(tmp_path):
    failures = run(tmp_path, "pycon\n>>> 1 + 1\n2\n>>> 2 + 2\n5")
    assert len(failures) == 1
    assert failures[0].line == 8
    assert "Expected:\n    5\nGot:\n    4" in failures[0].what


def test_blocks_of_a_section_share_one_namespace_and_see_the_sandbox_at_8000(tmp_path):
    failures = run(
        tmp_path,
        'python\nimport halnav\nclient = halnav.Client("http://127.0.0.1:8000/v1", '
        'token="sandbox-shop1-admin-token")',
        """pycon
>>> client.root()["user_name"], client.root().url
('sandbox-owner', 'http://127.0.0.1:8000/v1')
>>> client.get("/v1/shops/1.json")
Traceback (most recent call last):
halnav.NotFound: 404 NOT FOUND for GET http://127.0.0.1:8000/v1/shops/1.json: ...""",
    )
    assert failures == []


def test_a_python_block_that_raises_names_the_readme_line(tmp_path):
    failures = run(tmp_path, "python\nx = 1\ny = x / 0")
    assert [(f.line, f.what.splitlines()[-1]) for f in failures] == [
        (7, "ZeroDivisionError: division by zero")
    ]


def test_an_example_reaches_no_other_machine(tmp_path):
    failures = run(tmp_path, 'python\nimport requests\nrequests.get("http://example.com/")')
    assert "example.com: a README example reaches the sandbox only" in failures[0].what


def test_console_commands_run_in_one_shell_session_from_a_fresh_machine(tmp_path, monkeypatch):
    monkeypatch.setenv("HALNAV_URL", "http://elsewhere.example/v1")
    failures = run(
        tmp_path,
        """console
$ echo "[$HALNAV_URL]"
[]
$ false
$ echo $?
1
$ export HALNAV_URL=http://127.0.0.1:8000/v1 HALNAV_TOKEN=sandbox-shop1-admin-token
$ halnav get --pointer /user_name
sandbox-owner
$ halnav get btc:nope; echo "status $?"
halnav: error: no relation 'btc:nope' in http://127.0.0.1:8000/v1; available: ...
status 1
$ printf '%s\\n' one \\
      two | wc -l
2""",
    )
    assert failures == []


def test_a_console_command_that_prints_something_else_shows_the_difference(tmp_path):
    failures = run(tmp_path, "console\n$ printf 'one\\ntwo\\nthree\\n'\none\n...\nfour")
    assert len(failures) == 1
    assert failures[0].line == 6
    assert failures[0].what.splitlines()[-1] == "-four"


def test_a_command_that_does_not_end_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(readme_harness, "COMMAND_TIMEOUT", 1)
    failures = run(tmp_path, "console\n$ sleep 30")
    assert "did not finish within 1 s" in failures[0].what


def test_lines_typed_after_a_command_are_its_input_shown_after_each_prompt():
    output = ">>> 2\n>>> hello\n>>> \n"
    assert readme_harness._transcript(output, ["1 + 1", "print('hello')"]) == (
        ">>> 1 + 1\n2\n>>> print('hello')\nhello\n"
    )


def test_a_block_not_run_is_still_checked_for_syntax_and_names(tmp_path):
    failures = run(
        tmp_path,
        "<!-- example: not run: the live API -->",
        "python\nimport halnav\nhalnav.Clientt('https://api.bootic.net/v1')",
        "<!-- example: not run: the live API -->",
        "pycon\n>>> from halnav.bootic import BooticClient, NoSuchThing",
        "<!-- example: not run: the live API -->",
        "python\nif x\n",
        "<!-- example: not run: serves until Ctrl-C -->",
        "console\n$ halnav sandbox --prot 9000\n...",
    )
    said = [failure.what for failure in failures]
    assert said[0] == "names that halnav does not have: halnav.Clientt"
    assert said[1] == "names that halnav does not have: halnav.bootic.NoSuchThing"
    assert said[2].startswith("does not compile")
    assert "unrecognized arguments: --prot" in said[3]
    assert len(said) == 4


def test_shell_blocks_are_checked_not_run(tmp_path):
    failures = run(
        tmp_path,
        "sh\npip install 'halnav[sandbox,speedy]'\nhalnav get --frmat csv\nif then",
    )
    said = [failure.what for failure in failures]
    assert any(s.startswith("bash -n:") for s in said)
    assert "halnav[sandbox,speedy]: no extra 'speedy' in pyproject.toml" in said
    assert any("unrecognized arguments: --frmat" in s for s in said)


def test_a_text_block_needs_a_reason_and_real_names(tmp_path):
    failures = run(
        tmp_path,
        "text\nServerError: 503",
        "<!-- example: not run: a fault the sandbox does not make -->",
        "text\nWalkMismatchError: the walk ended",
    )
    assert "mark it <!-- example: not run: REASON -->" in failures[0].what
    assert failures[1].what == "names that halnav does not have: WalkMismatchError"
    assert len(failures) == 2


def test_a_toml_block_is_read_by_the_configuration_reader(tmp_path):
    failures = run(tmp_path, 'toml\n[profiles.a]\nurl = "http://127.0.0.1:8000/v1"\nretries = "3"')
    assert "profile 'a': retries must be a whole number" in failures[0].what


def test_a_pytest_block_runs_as_a_test_module(tmp_path):
    failures = run(
        tmp_path,
        "<!-- example: pytest -->",
        "python\ndef test_one(bootic_sandbox):\n    assert bootic_sandbox.shop_id == 30",
    )
    assert len(failures) == 1
    assert "pytest exited with 1" in failures[0].what
    assert "assert 29 == 30" in failures[0].what


def test_a_command_reaches_no_other_machine(tmp_path):
    failures = run(tmp_path, "console\n$ halnav get --url http://example.com/v1 --token t\nanswer")
    # The request went to the closed port that stands for the world, not to example.com.
    assert "+halnav: error: GET http://example.com/v1 failed" in failures[0].what
    assert "ProxyError" in failures[0].what
