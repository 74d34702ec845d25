"""RFC 6570 expansion with halnav's strictness on top of uritemplate."""

from __future__ import annotations

import datetime as dt

import pytest

import halnav
from halnav import Link


def link(href, templated=True, base="https://api.test/v1/"):
    return Link(rel="x", href=href, base=base, templated=templated)


@pytest.mark.parametrize(
    ("href", "variables", "expected"),
    [
        ("/o/{id}", {"id": 7}, "/o/7"),
        ("/o{/id}", {"id": 7}, "/o/7"),
        ("/o{/path*}", {"path": ["a", "b"]}, "/o/a/b"),
        ("/o{.ext}", {"ext": "json"}, "/o.json"),
        ("/o{;v}", {"v": 1}, "/o;v=1"),
        ("/o{?page,color}", {"page": 2}, "/o?page=2"),
        ("/o{?page,color}", {}, "/o"),
        ("/o?a=1{&x}", {"x": "y z"}, "/o?a=1&x=y%20z"),
        ("/o/{+path}", {"path": "a/b?c"}, "/o/a/b?c"),
        ("/o{#frag}", {"frag": "top"}, "/o#top"),
        ("/o/{code:3}", {"code": "R1C3964"}, "/o/R1C"),
        ("/o{?status}", {"status": ["closed", "shipped"]}, "/o?status=closed,shipped"),
        ("/o{?d}", {"d": dt.date(2016, 5, 10)}, "/o?d=2016-05-10"),
        ("/o{?flag}", {"flag": True}, "/o?flag=true"),
        ("/o{?page}", {"page": None}, "/o"),
    ],
)
def test_every_operator_expands(href, variables, expected):
    assert link(href).url(**variables) == "https://api.test" + expected


@pytest.mark.parametrize("href", ["/o/{id}", "/o{/id}", "/o{+id}", "/o{#id}", "/o{.id}", "/o{;id}"])
def test_a_missing_variable_outside_query_expressions_is_an_error(href):
    with pytest.raises(halnav.TemplateError) as info:
        link(href).url()
    assert "'id'" in str(info.value) and "id (required)" in str(info.value)
    assert info.value.accepted == ("id",)


def test_an_undeclared_variable_is_an_error_listing_what_is_accepted():
    with pytest.raises(halnav.TemplateError) as info:
        link("/shops/{id}/orders{?page,status}").url(id=1, colour="red")
    message = str(info.value)
    assert "'colour'" in message and "id (required), page, status" in message


def test_variables_on_a_plain_link_are_an_error():
    with pytest.raises(halnav.TemplateError) as info:
        link("/o", templated=False).url(page=2)
    assert "not templated" in str(info.value) and "page" in str(info.value)
    assert link("/o", templated=False).url() == "https://api.test/o"


@pytest.mark.parametrize("href", ["/o/{id", "/o/id}", "/o/{}", "/o/{a b}", "/o/{?a,,b}"])
def test_malformed_templates_are_reported(href):
    with pytest.raises(halnav.TemplateError) as info:
        link(href).url(id=1)
    assert "malformed" in str(info.value)


def test_variables_and_required_variables():
    one = link("/shops/{id}/orders{?page,status}{&q}")
    assert one.variables == ("id", "page", "status", "q")
    assert one.required_variables == {"id"}
    assert link("/o", templated=False).variables == ()
    assert isinstance(halnav.TemplateError("x"), ValueError)
