"""The keys a stable walk moves by: read as the server writes them, stepped by the precision
they are written in, compared across zones and between a date and a date-time."""

from __future__ import annotations

import datetime as dt

import pytest

from halnav.bootic._keys import KEY_COLUMNS, read_key

CREATED = KEY_COLUMNS["created_on"]
TOTAL = KEY_COLUMNS["net_total"]


@pytest.mark.parametrize(
    ("served", "after", "before"),
    [
        ("2013-10-19T11:06:18Z", "2013-10-19T11:06:19Z", "2013-10-19T11:06:17Z"),
        ("2013-10-19T11:06:18.000Z", "2013-10-19T11:06:18.001Z", "2013-10-19T11:06:17.999Z"),
        ("2013-10-19T11:06:18", "2013-10-19T11:06:19", "2013-10-19T11:06:17"),
        ("2013-12-31T23:59:59Z", "2014-01-01T00:00:00Z", "2013-12-31T23:59:58Z"),
        ("2013-10-19T11:06:18-03:00", "2013-10-19T11:06:19-03:00", "2013-10-19T11:06:17-03:00"),
        ("2013-10-19", "2013-10-20", "2013-10-18"),
    ],
)
def test_a_date_steps_by_the_precision_it_is_written_in(served, after, before):
    key = read_key(CREATED, served)
    assert key is not None and key.text == served
    assert key.step(1).text == after and key.step(-1).text == before
    assert key.step(-1).value < key.value < key.step(1).value


def test_values_compare_in_utc_whatever_their_zone():
    utc = read_key(CREATED, "2013-10-19T14:06:18Z")
    chile = read_key(CREATED, "2013-10-19T11:06:18-03:00")
    assert utc is not None and chile is not None and utc.value == chile.value
    day = read_key(CREATED, "2013-10-19")
    assert day is not None and day.value < utc.value
    assert utc.day().text == "2013-10-19" and chile.day().text == "2013-10-19"


def test_the_overlap_before_a_mark_is_written_as_the_mark_is():
    mark = read_key(CREATED, "2017-01-03T22:28:29Z")
    assert mark is not None
    assert mark.earlier(dt.timedelta(minutes=2)).text == "2017-01-03T22:26:29Z"
    fine = read_key(CREATED, "2017-01-03T22:28:29.000Z")
    assert fine is not None
    assert fine.earlier(dt.timedelta(seconds=1)).text == "2017-01-03T22:28:28.000Z"


@pytest.mark.parametrize("value", [None, "", "yesterday", "2013-02-30", "2013-10-19T25:00:00Z", 3])
def test_what_is_no_date_reads_as_none(value):
    assert read_key(CREATED, value) is None


def test_amounts_step_by_a_cent():
    key = read_key(TOTAL, 29990)
    assert key is not None and key.step(1).text == "29991" and key.step(-1).value == 29989
    assert read_key(TOTAL, "29990") == key
    assert read_key(TOTAL, True) is None and read_key(TOTAL, "29.9") is None
