"""The README's sections on stable walks, updates by query and the mirror run as written: their
examples are doctests, each section's against a fresh sandbox (seed 0)."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

from halnav.bootic import BooticClient
from halnav.sandbox import serve

README = Path(__file__).resolve().parents[2] / "README.md"
SECTIONS = [
    "### Walks that stay exact while the orders change",
    "### Updating the orders a query selects",
    "### A local mirror of the orders: `shop.sync_orders`",
]


def section(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(heading + "\n")
    end = text.find("\n### ", start + 1)
    return text[start:end]


def examples(heading: str) -> str:
    blocks = re.findall(r"^```python\n(.*?)^```$", section(heading), re.S | re.M)
    found = [block for block in blocks if ">>>" in block]
    assert found, f"{heading} lost its examples"
    return "\n".join(found)


@pytest.mark.slow
@pytest.mark.parametrize("heading", SECTIONS)
def test_the_section_runs_as_written(heading, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the mirror's file is made here
    with serve(seed=0) as sandbox, BooticClient(token=sandbox.token, root_url=sandbox) as bootic:
        globs = {"bootic": bootic, "shop": bootic.shop()}
        test = doctest.DocTestParser().get_doctest(
            examples(heading), globs, heading, str(README), 0
        )
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        output: list[str] = []
        runner.run(test, out=output.append)
    assert runner.failures == 0, "".join(output)
