"""The filter tables: values become query text, anything a server does not accept is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from halnav import HALNavError, Resource
from halnav.bootic import (
    ORDER_FILTERS,
    ORDER_SORTS,
    ORDER_STATUSES,
    UPDATE_STATUSES,
    InvalidFilter,
    check_update_status,
    order_query,
)
from halnav.bootic._forms import FormField, SearchForm, search_form
from halnav.bootic._ids import order_ids, parse_id
from halnav.bootic._terms import DOCUMENTED, canonical, from_form, from_variables, spellings


def test_the_table_holds_every_documented_filter():
    documented = {
        "q", "page", "per_page", "status", "code", "product_id", "payment_method",
        "tags", "contact_email", "created_on_gte", "created_on_lte", "updated_on_gte", "updated_on_lte",
        "pending_on_gte", "pending_on_lte", "closed_on_gte", "closed_on_lte",
        "shipped_on_gte", "shipped_on_lte", "net_total_gte", "net_total_lte",
        "shipping_total_gte", "shipping_total_lte", "discount_total_gte", "discount_total_lte",
        "total_gte", "total_lte", "lat_long", "distance", "sort",
    }  # fmt: skip
    assert set(ORDER_FILTERS) == documented
    # The seed's values, and what the live API adds: delivered, the net_total sorts.
    assert ORDER_STATUSES == (
        "all", "checkout", "pending", "closed", "shipped", "invalid", "successful", "delivered",
    )  # fmt: skip
    assert UPDATE_STATUSES == ("pending", "closed", "shipped", "invalid", "delivered")
    assert "closed_on.asc" in ORDER_SORTS and len(ORDER_SORTS) == 12
    assert {"net_total.asc", "net_total.desc"} <= set(ORDER_SORTS)


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
    assert "all, checkout, pending, closed, shipped, invalid, successful, delivered" in str(
        caught.value
    )


def test_the_live_api_s_values_are_documented_ones():
    assert order_query({"status": "delivered", "sort": "net_total.desc"}) == {
        "status": "delivered",
        "sort": "net_total.desc",
    }
    assert order_query({"tags": ["vip", "gift"], "contact_email": "joe@bloggs.com"}) == {
        "tags": "vip,gift",
        "contact_email": "joe@bloggs.com",
    }


def test_update_statuses_are_the_documented_ones():
    for status in UPDATE_STATUSES:
        assert check_update_status(status) == status
    for status in ("checkout", "successful", "all", "SHIPPED", None):
        with pytest.raises(InvalidFilter, match="pending, closed, shipped, invalid, delivered"):
            check_update_status(status)
    with pytest.raises(InvalidFilter, match=r"allowed: pending, closed \(the server's\)"):
        check_update_status("shipped", ("pending", "closed"), "the server's")


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


FORM = SearchForm(
    "https://api.test/v1/shops/1/orders.json",
    "GET",
    (
        FormField("page"),
        FormField("status", options=("pending", "closed")),
        FormField("created_on.gte"),
        FormField("histogram", options=("day", "week")),
    ),
)


def test_a_form_s_fields_and_options_decide():
    terms = from_form(FORM, FORM.href)
    assert terms.names == ("page", "status", "created_on_gte", "histogram")
    assert terms.wire_name("created_on_gte") == "created_on.gte"
    assert order_query({"status": ["closed"], "histogram": "week"}, terms) == {
        "status": "closed",
        "histogram": "week",
    }
    with pytest.raises(InvalidFilter) as caught:
        order_query({"status": "shipped"}, terms)  # documented, but this server does not list it
    assert caught.value.allowed == ("pending", "closed")
    assert "allowed: pending, closed" in str(caught.value)
    with pytest.raises(InvalidFilter) as caught:
        order_query({"per_page": 5}, terms)
    assert str(caught.value) == (
        "unknown order filter 'per_page'; the server's search form at "
        "https://api.test/v1/shops/1/orders.json takes: page, status, created_on_gte, histogram"
    )
    assert caught.value.allowed == terms.names


def test_a_template_s_variables_take_dotted_names_and_documented_values():
    terms = from_variables(["page", "status", "created_on.gte", "sort"], "the template")
    assert terms.accepts("created_on_gte") and not terms.accepts("created_on.gte")
    assert terms.wire_name("created_on_gte") == "created_on.gte"
    assert terms.allowed("status") == ORDER_STATUSES and terms.allowed("sort") == ORDER_SORTS
    with pytest.raises(InvalidFilter, match="the template takes: page, status, created_on_gte"):
        order_query({"q": "x"}, terms)


def test_names_and_spellings():
    assert canonical("created_on.gte") == "created_on_gte" and canonical("total.lte") == "total_lte"
    assert canonical("per_page") == "per_page" and canonical("price.gte") == "price_gte"
    assert spellings("total_gte") == ("total_gte", "total.gte")
    assert spellings("per_page") == ("per_page",)
    assert DOCUMENTED.names == tuple(ORDER_FILTERS)


def test_a_search_form_is_read_leniently():
    def read(document: object) -> SearchForm | None:
        return search_form(Resource(document, url="https://api.test/orders?page=1"))

    assert read(None) is None and read({"_actions": []}) is None
    assert read({"_actions": {"search": {"fields": "x"}}}) is None
    # A field that is not an object: the form is malformed, and declares nothing.
    assert read({"_actions": {"search": {"fields": [{"name": "q"}, "junk"]}}}) is None
    form = read(
        {
            "_actions": {
                "search": {
                    "href": "https://api.test/orders",
                    "method": "get",
                    "fields": [
                        {"name": "status", "prompt": "Status", "value": None, "options": ["a", 1]},
                        {"name": "", "options": None},  # no name: ignored, as HAL-FORMS says
                        {"name": "q", "value": 5},
                    ],
                }
            }
        }
    )
    assert form == SearchForm(
        "https://api.test/orders",
        "GET",
        (FormField("status", "Status", None, ("a", "1")), FormField("q", "q", "5", None)),
    )
