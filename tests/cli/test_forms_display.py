"""Forms as ``halnav get`` and ``explain()`` show them, on plain documents, without HTTP."""

from __future__ import annotations

import io

from halnav import Resource
from halnav.cli._explain import explain
from halnav.cli._get import print_resource

ROOT = "http://127.0.0.1:9/v1"
PAGE = {
    "_links": {"self": {"href": "/v1/shops/1/orders"}},
    "_actions": {
        "search": {
            "prompt": "Search orders",
            "method": "GET",
            "type": "application/x-www-form-urlencoded",
            "href": "http://127.0.0.1:9/v1/shops/1/orders",
            "fields": [
                {"name": "q", "prompt": "Search", "value": None, "options": None},
                {"name": "status", "value": "pending", "options": ["pending", "closed"]},
            ],
        }
    },
    "_templates": {
        "default": {
            "title": "Create",
            "method": "POST",
            "properties": [
                {"name": "title", "required": True, "regex": "[a-z]+", "maxLength": 20},
                {"name": "size", "type": "number", "min": 1, "max": 9},
                {"name": "ship", "options": {"link": {"href": "/shipping"}}},
            ],
        }
    },
    "total_items": 3,
}


def test_get_prints_each_form_and_a_table_of_its_fields():
    out = io.StringIO()
    print_resource(out, Resource(PAGE, url=ROOT, status_code=200), None, False)
    text = out.getvalue()
    assert "_actions" not in text and "_templates" not in text  # forms, not properties
    assert "total_items  3" in text
    assert "\nforms\n" in text
    assert (
        "  default  POST http://127.0.0.1:9/v1/shops/1/orders  (application/json)  Create" in text
    )
    assert (
        "  search  GET http://127.0.0.1:9/v1/shops/1/orders  (application/x-www-form-urlencoded)"
        "  Search orders"
    ) in text
    lines = text.splitlines()
    assert lines[
        lines.index(
            "  default  POST http://127.0.0.1:9/v1/shops/1/orders  (application/json)  Create"
        )
        + 1
    ].split() == [
        "field",
        "type",
        "required",
        "default",
        "accepts",
    ]
    assert any(
        line.split() == ["title", "text", "yes", "matching", "[a-z]+;", "..20", "chars"]
        for line in lines
    )
    assert any(line.split() == ["size", "number", "1..9"] for line in lines)
    assert any("options from /shipping" in line for line in lines)
    assert any(
        line.split() == ["status", "text", "pending", "one", "of", "pending,", "closed"]
        for line in lines
    )


def test_explain_shows_forms_and_an_invalid_one_says_so():
    out = io.StringIO()
    explain(Resource(PAGE, url=ROOT), file=out)
    assert "  search  GET" in out.getvalue()
    broken = io.StringIO()
    explain(Resource({"_templates": [1], "a": 1}, url=ROOT), file=broken)
    assert "forms: invalid" in broken.getvalue() and "/_templates" in broken.getvalue()
