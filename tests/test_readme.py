"""The README's tour runs as written: its examples are a doctest against a fresh sandbox."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import halnav

README = Path(__file__).resolve().parent.parent / "README.md"


def tour_text() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- tour:start -->(.*?)<!-- tour:end -->", text, re.S)
    assert match, "README.md lost its tour markers"
    # A code fence ends an example's expected output, as a blank line does.
    return re.sub(r"^```\w*$", "", match.group(1), flags=re.M)


def test_the_readme_opens_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    test_command = ci.strip().splitlines()[-1]
    head = text[:1500]
    assert "halnav demo" in head
    assert test_command in head


@pytest.mark.bootic_sandbox(orders=300, seed=0)
def test_the_tour_runs_as_written(bootic_sandbox):
    client = halnav.Client(bootic_sandbox, token=bootic_sandbox.token)
    globs = {"halnav": halnav, "client": client, "root": client.root()}
    parser = doctest.DocTestParser()
    test = parser.get_doctest(tour_text(), globs, "README tour", str(README), 0)
    assert len(test.examples) > 20
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    output: list[str] = []
    runner.run(test, out=output.append)
    client.close()
    assert runner.failures == 0, "".join(output)
