"""On a terminal where stdout and stderr are one screen, the progress bar never cuts a line."""

from __future__ import annotations

import csv
import io

import pytest

from halnav.bootic import BooticClient
from halnav.cli._bootic import ORDER_COLUMNS
from halnav.cli._progress import Progress
from halnav.sandbox import serve

from .terminal import run_on_terminal, screen_lines

# tqdm redraws at every update: the bar is drawn between any two lines, as often as it can be.
EAGER_BAR = {"TQDM_MININTERVAL": "0"}


@pytest.fixture(scope="module")
def walked():
    with serve(orders=150, seed=5) as url:
        yield url


def environment(sandbox):
    return {"HALNAV_URL": sandbox, "HALNAV_TOKEN": sandbox.token, **EAGER_BAR}


def codes(sandbox):
    with BooticClient(token=sandbox.token, root_url=sandbox) as bootic:
        return [order.code for order in bootic.shop().iter_orders(per_page=50)]


def test_get_all_prints_whole_lines_while_the_bar_is_drawn(walked):
    status, raw = run_on_terminal(
        "get", "shops", "btc:orders", "-p", "per_page=7", "--all", "--pointer", "/code",
        env=environment(walked),
    )  # fmt: skip
    assert status == 0, raw
    assert "items/s" in raw or "items" in raw  # the bar was drawn on that terminal
    assert screen_lines(raw) == codes(walked)


def test_bootic_orders_csv_keeps_its_header_and_rows_whole(walked):
    status, raw = run_on_terminal(
        "bootic", "orders", "--all", "--per-page", "9", "--format", "csv",
        env=environment(walked),
    )  # fmt: skip
    assert status == 0, raw
    lines = screen_lines(raw)
    assert lines[-1] == "150 of 150 orders"
    rows = list(csv.reader(lines[:-1]))
    assert rows[0] == [name for name, _ in ORDER_COLUMNS]
    assert len(rows) == 151 and all(len(row) == len(ORDER_COLUMNS) for row in rows)
    assert [row[1] for row in rows[1:]] == codes(walked)


class Screen(io.StringIO):
    """stdout and stderr of one terminal: both write here."""

    def isatty(self):
        return True


def test_the_writer_clears_the_bar_before_each_line_and_holds_a_partial_one():
    screen = Screen()
    with Progress(total=5, description="items", stream=screen) as bar:
        out = bar.writer(screen)
        for number in range(5):
            out.write(f"line {number}")  # print() writes the text, then the newline apart
            out.write("\n")
            bar.update()
        out.write("no newline yet")
        out.flush()
    assert screen_lines(screen.getvalue()) == [*(f"line {n}" for n in range(5)), "no newline yet"]


def test_the_writer_is_the_stream_itself_when_no_bar_is_shown():
    plain = io.StringIO()
    with Progress(total=1, stream=plain) as bar:
        assert bar.writer(plain) is plain
    with Progress(total=1, stream=Screen()) as bar:
        assert bar.writer(plain) is plain  # a file: the bar is not on its screen
