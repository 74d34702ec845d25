"""The documented filter table: values become query variables, anything else is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from halnav import HALNavError
from halnav.bootic import (
    ORDER_FILTERS,
    ORDER_SORTS,
    ORDER_STATUSES,
    UPDATE_STATUSES,
    InvalidFilter,
    check_update_status,
    order_query,
)
from halnav.bootic._filters import order_ids, parse_id


def test_the_table_holds_every_documented_filter():
    documented = {
        "q", "page", "per_page", "status", "code", "product_id", "payment_method",
        "created_on_gte", "created_on_lte", "updated_on_gte", "updated_on_lte",
        "pending_on_gte", "pending_on_lte", "closed_on_gte", "closed_on_lte",
        "shipped_on_gte", "shipped_on_lte", "net_total_gte", "net_total_lte",
        "shipping_total_gte", "shipping_total_lte", "discount_total_gte", "discount_total_lte",
        "total_gte", "total_lte", "lat_long", "distance", "sort",
    }  # fmt: skip
    assert set(ORDER_FILTERS) == documented
    assert ORDER_STATUSES == (
        "all", "checkout", "pending", "closed", "shipped", "invalid", "successful",
    )  # fmt: skip
    assert UPDATE_STATUSES == ("pending", "closed", "shipped", "invalid")
    assert "closed_on.asc" in ORDER_SORTS and len(ORDER_SORTS) == 10


def test_values_become_query_strings():
    query = order_query(
        {
            "status": ["closed", "shipped"],
            "closed_on_gte": dt.date(2016, 5, 10),
            "updated_on_lte": dt.datetime(2016, 5, 10, 12, 30, 5),
            "created_on_gte": "2013-01-02",
            "per_page": 50,
            "page": "2",
            "total_gte": 3000,
            "lat_long": (-33.45, -70.66),
            "distance": "10km",
            "sort": "closed_on.asc",
            "q": "shoes",
            "code": None,  # None is left out
        }
    )
    assert query == {
        "status": "closed,shipped",
        "closed_on_gte": "2016-05-10",
        "updated_on_lte": "2016-05-10T12:30:05",
        "created_on_gte": "2013-01-02",
        "per_page": "50",
        "page": "2",
        "total_gte": "3000",
        "lat_long": "-33.45,-70.66",
        "distance": "10km",
        "sort": "closed_on.asc",
        "q": "shoes",
    }


def test_status_accepts_a_comma_separated_string():
    assert order_query({"status": "closed, shipped"}) == {"status": "closed,shipped"}
    assert order_query({"status": "successful"}) == {"status": "successful"}


def test_an_unknown_filter_lists_the_documented_ones():
    with pytest.raises(InvalidFilter) as caught:
        order_query({"state": "pending"})
    error = caught.value
    assert isinstance(error, HALNavError) and isinstance(error, ValueError)
    assert error.name == "state"
    assert "closed_on_gte" in str(error) and "per_page" in str(error)
    assert set(error.allowed) == set(ORDER_FILTERS)


@pytest.mark.parametrize("status", ["open", "closed,open", ["pending", "paid"], ""])
def test_an_undocumented_status_lists_the_allowed_values(status):
    with pytest.raises(InvalidFilter) as caught:
        order_query({"status": status})
    assert caught.value.allowed == ORDER_STATUSES
    assert "all, checkout, pending, closed, shipped, invalid, successful" in str(caught.value)


def test_update_statuses_are_the_four_documented():
    for status in UPDATE_STATUSES:
        assert check_update_status(status) == status
    for status in ("checkout", "successful", "all", "SHIPPED", None):
        with pytest.raises(InvalidFilter, match="pending, closed, shipped, invalid"):
            check_update_status(status)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("sort", "created_on", "created_on.asc, created_on.desc"),
        ("closed_on_gte", "10/05/2016", "expected a date"),
        ("closed_on_gte", 20160510, "expected a date"),
        ("per_page", 0, "at least 1"),
        ("page", "two", "whole number"),
        ("total_lte", True, "whole number"),
        ("lat_long", "-33.4", "latitude,longitude"),
        ("distance", "far", "1km"),
        ("q", ["a"], "expected a string"),
    ],
)
def test_a_value_of_the_wrong_shape_is_refused(name, value, expected):
    with pytest.raises(InvalidFilter, match=expected) as caught:
        order_query({name: value})
    assert caught.value.name == name


def test_only_decimal_digits_make_a_number():
    # "²" is a digit to str.isdigit() but not a number int() takes: refused, not a ValueError.
    for value in ("²", "1²", "⑦"):
        with pytest.raises(InvalidFilter, match="whole number") as caught:
            order_query({"page": value})
        assert caught.value.name == "page" and caught.value.value == value
    assert order_query({"per_page": " 25 ", "total_gte": "0"}) == {
        "per_page": "25",
        "total_gte": "0",
    }


def test_order_ids_are_ints_when_whole_numbers_else_kept_as_given():
    assert order_ids(["12", " 7 ", 5, "²", "R1C3964"]) == [12, 7, 5, "²", "R1C3964"]
    assert parse_id(" 29 ") == 29 and parse_id("²") == "²" and parse_id("acme") == "acme"


def test_order_ids_are_sent_once_each_in_the_order_given():
    ids = [*range(20_000), *(str(i) for i in range(20_000)), "x", "x", 3]
    assert order_ids(ids) == [*range(20_000), "x"]
    assert order_ids(["9", 9, " 9", 8]) == [9, 8]


@pytest.mark.parametrize(
    ("ids", "error"),
    [("12", TypeError), (12, TypeError), ([True], TypeError), ([1.5], TypeError), ([], ValueError)],
)
def test_order_ids_refuse_what_is_not_a_list_of_ids(ids, error):
    with pytest.raises(error):
        order_ids(ids)
