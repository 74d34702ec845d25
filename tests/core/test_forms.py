"""Forms: HAL-FORMS ``_templates`` (the specification's own examples, every property) and Bootic
``_actions``, read, checked and submitted (mocked with responses)."""

from __future__ import annotations

import copy
import datetime
import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

import halnav

API = "http://api.example.org"
HAL_FORMS = "application/prs.hal-forms+json"

# The specification's "Example HAL-FORMS document" (section 2.1).
SPEC_EXAMPLE: dict[str, Any] = {
    "_links": {"self": {"href": "http://api.example.org/rels/create"}},
    "_templates": {
        "default": {
            "title": "Create",
            "method": "POST",
            "contentType": "application/json",
            "properties": [
                {
                    "name": "title",
                    "required": True,
                    "value": "",
                    "prompt": "Title",
                    "regex": "",
                    "templated": False,
                },
                {
                    "name": "completed",
                    "required": False,
                    "value": "false",
                    "prompt": "Completed",
                    "regex": "",
                },
            ],
        }
    },
}

# Section 5.1: a GET form whose values become the query string.
SPEC_GET_FORM: dict[str, Any] = {
    "_links": {"self": {"href": "http://api.example.org/rels/filter"}},
    "_templates": {
        "default": {
            "title": "Filter",
            "method": "GET",
            "target": "http://api.example.org/task-list/",
            "properties": [
                {"name": "title", "value": "", "prompt": "Title"},
                {
                    "name": "completed",
                    "value": "",
                    "prompt": "Completed",
                    "regex": "^(true|false)$",
                },
            ],
        }
    },
}

# Section 3.4.4: the options examples, one property each.
SHIPPING_SIMPLE = {
    "name": "shipping",
    "prompt": "Select Shipping Method",
    "options": {"selectedValues": ["FedEx"], "inline": ["FedEx", "UPS", "DHL"]},
}
SHIPPING_PAIRS = {
    "name": "shipping",
    "type": "radio",
    "prompt": "Select Shipping Method",
    "options": {
        "selectedValues": ["FedEx"],
        "inline": [
            {"prompt": "Federal Express", "value": "FedEx"},
            {"prompt": "United Parcel Service", "value": "UPS"},
            {"prompt": "DHL Express", "value": "DHL"},
        ],
    },
}
SHIPPING_LINK = {
    "name": "shipping",
    "type": "radio",
    "prompt": "Select Shipping Method",
    "options": {
        "selectedValues": ["FedEx"],
        "link": {
            "href": "http://api.examples.org/shipping-options",
            "templated": "false",
            "type": "application/json",
        },
    },
}
SHIPPING_FIELDS = {
    "name": "shipping",
    "type": "radio",
    "prompt": "Select Shipping Method",
    "options": {
        "selectedValues": ["FedEx"],
        "inline": [
            {"shipName": "Federal Express", "shipCode": "FedEx"},
            {"shipName": "United Parcel Service", "shipCode": "UPS"},
            {"shipName": "DHL Express", "shipCode": "DHL"},
        ],
        "promptField": "shipName",
        "valueField": "shipCode",
    },
}
# "Multiple Return Values" (the specification's listing lacks a comma after maxItems).
SHIPPING_MULTIPLE = {
    "name": "shipping",
    "type": "checkbox",
    "prompt": "Select Shipping Method",
    "options": {
        "selectedValues": ["FedEx"],
        "inline": [
            {"shipName": "Federal Express", "shipCode": "FedEx"},
            {"shipName": "United Parcel Service", "shipCode": "UPS"},
            {"shipName": "DHL Express", "shipCode": "DHL"},
        ],
        "minItems": 1,
        "maxItems": 2,
        "promptField": "shipName",
        "valueField": "shipCode",
    },
}

# Every "additional" property attribute of section 3.3.2.
EVERY_ATTRIBUTE = {
    "name": "notes",
    "prompt": "Notes",
    "type": "textarea",
    "cols": 60,
    "rows": 8,
    "placeholder": "anything to add",
    "minLength": 2,
    "maxLength": 10,
    "readOnly": False,
    "required": False,
    "value": "ok",
}
NUMBER_FIELD = {"name": "size", "type": "number", "min": 0, "max": 12, "step": 3}

# The real Bootic orders page's search action (bootic-api-reference.md), trimmed.
BOOTIC_PAGE: dict[str, Any] = {
    "_class": ["results", "orders"],
    "_links": {"self": {"href": f"{API}/v1/shops/47/orders?page=1&per_page=30"}},
    "_actions": {
        "search": {
            "prompt": "Search orders",
            "method": "GET",
            "type": "application/x-www-form-urlencoded",
            "href": f"{API}/v1/shops/47/orders",
            "fields": [
                {"name": "page", "prompt": "Page", "value": "1", "options": None},
                {"name": "per_page", "prompt": "Per page", "value": "30", "options": None},
                {"name": "q", "prompt": "Search", "value": None, "options": None},
                {
                    "name": "status",
                    "prompt": "Status",
                    "value": None,
                    "options": [
                        "checkout",
                        "pending",
                        "invalid",
                        "closed",
                        "shipped",
                        "delivered",
                        "all",
                        "successful",
                    ],
                },
                {
                    "name": "sort",
                    "prompt": "Sort",
                    "value": "created_on.desc",
                    "options": ["created_on.desc", "created_on.asc", "net_total.asc"],
                },
            ],
        }
    },
    "total_items": 0,
    "_embedded": {"items": []},
}


@pytest.fixture
def client():
    with halnav.Client(API, retries=0) as c:
        yield c


def fetched(rsps, client, document: dict[str, Any], url: str) -> halnav.Resource:
    """``document`` served at ``url``, fetched through ``client``."""
    rsps.get(url, json=document, content_type=HAL_FORMS)
    return client.get(url)


def with_properties(*properties: dict[str, Any], **template: Any) -> dict[str, Any]:
    return {
        "_links": {"self": {"href": f"{API}/tasks/1"}},
        "_templates": {"default": {"method": "PUT", **template, "properties": list(properties)}},
    }


def sent_query(rsps, index: int = -1) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(rsps.calls[index].request.url).query, keep_blank_values=True)


# -- reading HAL-FORMS -----------------------------------------------------------------------


def test_the_specification_example_reads_every_template_property(rsps, client):
    resource = fetched(rsps, client, SPEC_EXAMPLE, f"{API}/rels/create")
    assert list(resource.forms) == ["default"]
    form = resource.form()
    assert isinstance(form, halnav.Form)
    assert form.name == "default"
    assert form.title == form.prompt == "Create"
    assert form.method == "POST"
    assert form.content_type == "application/json"
    # No target: the document's own URL (its self link).
    assert form.target == "http://api.example.org/rels/create" and not form.templated
    assert form.source == "_templates"
    assert form.field_names == ["title", "completed"]
    title, completed = form.fields
    assert isinstance(title, halnav.Field)
    assert (title.name, title.prompt, title.required, title.value) == ("title", "Title", True, "")
    assert title.regex is None  # "" means no pattern
    assert title.templated is False and title.read_only is False and title.type == "text"
    assert (completed.required, completed.value, completed.default) == (False, "false", "false")
    assert form.field("completed") is completed


def test_every_additional_property_attribute_is_read(rsps, client):
    properties = [EVERY_ATTRIBUTE, NUMBER_FIELD, SHIPPING_MULTIPLE]
    resource = fetched(rsps, client, with_properties(*properties), f"{API}/tasks/1")
    notes, size, shipping = resource.form().fields
    assert notes.type == "textarea" and (notes.cols, notes.rows) == (60, 8)
    assert notes.placeholder == "anything to add"
    assert (notes.min_length, notes.max_length) == (2, 10)
    assert (size.min, size.max, size.step) == (0, 12, 3)
    assert size.prompt == "size"  # no prompt: the name
    assert (shipping.min_items, shipping.max_items) == (1, 2)
    assert (shipping.prompt_field, shipping.value_field) == ("shipName", "shipCode")
    assert shipping.selected_values == ("FedEx",)
    assert shipping.attributes is SHIPPING_MULTIPLE or shipping.attributes == SHIPPING_MULTIPLE


def test_defaults_follow_the_specification_for_missing_and_unrecognized_values(rsps, client):
    properties = [
        {"name": "a", "required": "yes", "readOnly": None, "type": "", "cols": -1, "rows": "x"},
        {"name": ""},  # no name: ignored
        {"prompt": "nameless"},  # ignored too
        {"name": "b", "regex": "([", "min": "2024-01-01", "max": True, "minLength": "3"},
        {"name": "c", "required": "true", "templated": "true", "value": "{x}"},
    ]
    document = with_properties(*properties, method="")
    form = fetched(rsps, client, document, f"{API}/tasks/1").form()
    assert form.method == "GET"  # empty method: GET
    assert form.title is None
    assert form.content_type == "application/json"  # no contentType: JSON
    a, b, c = form.fields
    assert (a.required, a.read_only, a.type, a.cols, a.rows) == (False, False, "text", None, None)
    assert b.regex is None  # an unparsable regex is ignored
    assert (b.min, b.max, b.min_length) == ("2024-01-01", None, 3)
    assert (c.required, c.templated) == (True, True)


def test_several_templates_and_a_relative_target(rsps, client):
    document = {
        "_links": {"self": {"href": f"{API}/employees/1"}},
        "_templates": {
            "default": {"method": "put", "properties": [{"name": "firstName"}]},
            "delete": {"method": "DELETE", "target": "/employees/1?soft=1"},
            "fire": {"title": "Fire", "method": "POST", "target": "fire"},
        },
    }
    resource = fetched(rsps, client, document, f"{API}/employees/1")
    assert list(resource.forms) == ["default", "delete", "fire"]
    assert resource.form("default").method == "PUT"
    assert resource.form("delete").target == f"{API}/employees/1?soft=1"
    assert resource.form("delete").fields == ()  # no properties: no parameters
    assert resource.form("fire").target == f"{API}/employees/fire"


def test_a_missing_form_names_the_forms_there_are(rsps, client):
    resource = fetched(rsps, client, SPEC_EXAMPLE, f"{API}/rels/create")
    with pytest.raises(halnav.FormError) as info:
        resource.form("edit")
    assert isinstance(info.value, ValueError)
    assert "no form 'edit'" in str(info.value) and "forms: default" in str(info.value)
    assert info.value.available == ("default",)
    with pytest.raises(halnav.FormError, match="its fields: title, completed"):
        resource.form().field("nope")


def test_a_resource_without_forms(rsps, client):
    resource = fetched(rsps, client, {"_links": {}, "name": "x"}, f"{API}/plain")
    assert dict(resource.forms) == {}
    with pytest.raises(halnav.FormError, match=r"forms: \(none\)"):
        resource.form()


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        ({"_templates": []}, "/_templates"),
        ({"_templates": {"default": "POST"}}, "/_templates/default"),
        ({"_templates": {"default": {"properties": {}}}}, "/_templates/default/properties"),
        (
            {"_templates": {"default": {"properties": ["title"]}}},
            "/_templates/default/properties/0",
        ),
        ({"_actions": {"search": {"fields": 3}}}, "/_actions/search/fields"),
    ],
)
def test_forms_of_the_wrong_shape_are_reported_with_their_pointer(rsps, client, document, pointer):
    resource = fetched(rsps, client, document, f"{API}/bad")
    with pytest.raises(halnav.InvalidDocument) as info:
        _ = resource.forms
    assert info.value.pointer == pointer and f"{API}/bad" in str(info.value)
    assert "forms: invalid" in resource.describe()
    assert resource.properties == document  # the rest of the document stays readable


def test_embedded_resources_have_their_own_forms(rsps, client):
    item = {"_links": {"self": {"href": "/tasks/7"}}, **{"_templates": SPEC_EXAMPLE["_templates"]}}
    page = fetched(rsps, client, {"_embedded": {"items": [item]}}, f"{API}/tasks")
    embedded = page.embedded["items"][0]
    assert page.forms == {}
    assert embedded.form().target == f"{API}/tasks/7"


def test_a_templated_target_takes_variables(rsps, client):
    # Older Spring HATEOAS wrote the affordance's template as the target.
    document = {
        "_links": {"self": {"href": f"{API}/employees"}},
        "_templates": {"default": {"method": "GET", "target": f"{API}/employees{{?size,page}}"}},
    }
    resource = fetched(rsps, client, document, f"{API}/employees")
    form = resource.form()
    assert form.templated and form.url() == f"{API}/employees"
    assert form.url(page=2) == f"{API}/employees?page=2"
    rsps.get(f"{API}/employees", json={"page": 2})
    answer = resource.submit(variables={"page": 2, "size": 5})
    assert answer["page"] == 2
    assert rsps.calls[-1].request.url == f"{API}/employees?size=5&page=2"
    with pytest.raises(halnav.TemplateError, match="does not declare"):
        form.url(sort="x")


def test_the_client_asks_for_hal_forms_when_told(rsps):
    rsps.get(API, json={})
    with halnav.Client(API, hal_forms=True) as client:
        client.root()
    accept = rsps.calls[0].request.headers["Accept"]
    assert accept.startswith("application/prs.hal-forms+json, application/hal+json")
    with halnav.Client(API, hal_forms=True, headers={"Accept": "application/json"}) as client:
        client.root()
    assert rsps.calls[1].request.headers["Accept"] == "application/json"


# -- options ---------------------------------------------------------------------------------


def test_inline_options_simple_and_as_pairs(rsps, client):
    document = with_properties(SHIPPING_SIMPLE)
    document["_templates"]["pairs"] = {"properties": [SHIPPING_PAIRS]}
    document["_templates"]["fields"] = {"properties": [SHIPPING_FIELDS]}
    resource = fetched(rsps, client, document, f"{API}/tasks/1")
    simple = resource.form().field("shipping")
    assert simple.options == (
        halnav.FieldOption("FedEx", "FedEx"),
        halnav.FieldOption("UPS", "UPS"),
        halnav.FieldOption("DHL", "DHL"),
    )
    assert simple.default == ["FedEx"]  # the selected values; maxItems unbounded: a list
    pairs = resource.form("pairs").field("shipping")
    assert [(o.value, o.prompt) for o in pairs.options or ()] == [
        ("FedEx", "Federal Express"),
        ("UPS", "United Parcel Service"),
        ("DHL", "DHL Express"),
    ]
    assert pairs.type == "radio"
    reference = resource.form("fields").field("shipping")
    assert [tuple(o) for o in reference.options or ()] == [tuple(o) for o in pairs.options or ()]


def test_options_behind_a_link_are_fetched_once_on_demand(rsps, client):
    resource = fetched(rsps, client, with_properties(SHIPPING_LINK), f"{API}/tasks/1")
    field = resource.form().field("shipping")
    assert field.has_options and len(rsps.calls) == 1  # not fetched yet
    assert field.options_link is not None
    assert field.options_link.href == "http://api.examples.org/shipping-options"
    assert field.options_link.templated is False  # "false", written as a string
    rsps.get("http://api.examples.org/shipping-options", json=["Fedex", "UPS", "DHL"])
    assert [o.value for o in field.options or ()] == ["Fedex", "UPS", "DHL"]
    assert [o.value for o in field.options or ()] == ["Fedex", "UPS", "DHL"]
    assert len(rsps.calls) == 2
    assert rsps.calls[1].request.headers["Accept"] == "application/json"


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        (
            "application/json",
            json.dumps(
                [
                    {"prompt": "Federal Express", "value": "FedEx"},
                    {"prompt": "United Parcel Service", "value": "UPS"},
                ]
            ),
            [("FedEx", "Federal Express"), ("UPS", "United Parcel Service")],
        ),
        (
            "text/csv",
            "Fedex\r\nUPS\r\nDHL\r\n",
            [("Fedex", "Fedex"), ("UPS", "UPS"), ("DHL", "DHL")],
        ),
        (
            "text/csv; charset=utf-8",
            "Federal Express,FedEx\nUnited Parcel Service,UPS\n",
            [("FedEx", "Federal Express"), ("UPS", "United Parcel Service")],
        ),
        (
            "application/hal+json",
            json.dumps({"_embedded": {"item": [{"value": "a", "prompt": "A"}, {"value": "b"}]}}),
            [("a", "A"), ("b", "b")],
        ),
    ],
)
def test_options_links_answer_json_csv_or_hal(rsps, client, content_type, body, expected):
    prop = copy.deepcopy(SHIPPING_LINK)
    prop["options"]["link"]["type"] = content_type.split(";")[0]
    resource = fetched(rsps, client, with_properties(prop), f"{API}/tasks/1")
    rsps.get("http://api.examples.org/shipping-options", body=body, content_type=content_type)
    options = resource.form().field("shipping").options or ()
    assert [(o.value, o.prompt) for o in options] == expected
    assert rsps.calls[-1].request.headers["Accept"] == content_type.split(";")[0]


def test_a_link_with_reference_fields_and_a_pointer(rsps, client):
    prop = copy.deepcopy(SHIPPING_LINK)
    prop["options"].update(promptField="shipName", valueField="/code/id")
    resource = fetched(rsps, client, with_properties(prop), f"{API}/tasks/1")
    rsps.get(
        "http://api.examples.org/shipping-options",
        json=[{"shipName": "Federal Express", "code": {"id": "FedEx"}}],
    )
    assert resource.form().field("shipping").options == (
        halnav.FieldOption("FedEx", "Federal Express"),
    )


def test_options_that_cannot_be_read_are_reported(rsps, client):
    prop = copy.deepcopy(SHIPPING_PAIRS)
    prop["options"]["inline"].append({"prompt": "no value"})
    resource = fetched(rsps, client, with_properties(prop, SHIPPING_LINK), f"{API}/tasks/1")
    with pytest.raises(halnav.InvalidDocument, match="item 3 .* has no 'value'"):
        _ = resource.form().fields[0].options
    rsps.get("http://api.examples.org/shipping-options", body="<html>", content_type="text/html")
    with pytest.raises(halnav.InvalidDocument, match="expected a JSON array"):
        _ = resource.form().fields[1].options


# -- validation ------------------------------------------------------------------------------


@pytest.fixture
def strict_form(rsps, client) -> halnav.Form:
    properties = [
        {"name": "title", "required": True, "regex": "[A-Z][a-z]+", "maxLength": 8},
        {"name": "code", "minLength": 3, "regex": r"\d+"},
        NUMBER_FIELD,
        {"name": "when", "type": "date", "min": "2024-01-01", "max": "2024-12-31"},
        {"name": "id", "readOnly": True, "value": "42"},
        {"name": "secret", "type": "password", "minLength": 8},
        SHIPPING_MULTIPLE,
    ]
    return fetched(rsps, client, with_properties(*properties), f"{API}/tasks/1").form()


def test_values_the_form_accepts_are_given_back_with_the_defaults(strict_form):
    checked = strict_form.validate(
        title="Write",
        code="0042",
        size="9",
        when=datetime.date(2024, 3, 1),
        id=42,
        shipping=["FedEx", "UPS"],
    )
    assert checked == {
        "title": "Write",
        "code": "0042",
        "size": "9",
        "when": datetime.date(2024, 3, 1),
        "id": 42,
        "shipping": ["FedEx", "UPS"],
    }
    assert strict_form.validate(title="Go") == {"title": "Go", "id": "42", "shipping": ["FedEx"]}


@pytest.mark.parametrize(
    ("values", "field", "rule"),
    [
        ({"titel": "Write"}, "titel", "unknown"),
        ({"title": None}, "title", "required"),
        ({"title": ""}, "title", "required"),
        ({"title": "write"}, "title", "regex"),
        ({"title": "Writewrite"}, "title", "max_length"),
        ({"code": "12"}, "code", "min_length"),
        ({"code": "12a"}, "code", "regex"),
        ({"code": "١٢٣"}, "code", "regex"),  # \d is ASCII, as in HTML
        ({"size": "big"}, "size", "type"),
        ({"size": -3}, "size", "min"),
        ({"size": 15}, "size", "max"),
        ({"size": 4}, "size", "step"),
        ({"size": True}, "size", "type"),
        ({"when": "2023-12-31"}, "when", "min"),
        ({"when": datetime.date(2025, 1, 1)}, "when", "max"),
        ({"id": 43}, "id", "read_only"),
        ({"shipping": "USPS"}, "shipping", "options"),
        ({"shipping": ["FedEx", "UPS", "DHL"]}, "shipping", "max_items"),
        ({"shipping": []}, "shipping", "min_items"),
    ],
)
def test_each_rule_names_its_field(strict_form, values, field, rule):
    given = {"title": "Write", **values}
    with pytest.raises(halnav.FormError) as info:
        strict_form.validate(**given)
    assert (info.value.field, info.value.rule) == (field, rule)
    assert info.value.form == "default"
    assert f"field {field!r}" in str(info.value) and f"[{rule}]" in str(info.value)


def test_every_problem_is_reported_at_once(strict_form):
    with pytest.raises(halnav.FormError) as info:
        strict_form.validate(code="1", size=21, extra=1)
    assert [(f, r) for f, r, _ in info.value.problems] == [
        ("title", "required"),
        ("code", "min_length"),
        ("size", "max"),
        ("extra", "unknown"),
    ]


def test_a_password_is_never_shown_in_the_error(strict_form):
    with pytest.raises(halnav.FormError) as info:
        strict_form.validate(title="Write", secret="hunter2")
    assert info.value.rule == "min_length" and "hunter2" not in str(info.value)


def test_options_behind_a_link_are_fetched_to_check_a_value(rsps, client):
    resource = fetched(rsps, client, with_properties(SHIPPING_LINK), f"{API}/tasks/1")
    rsps.get("http://api.examples.org/shipping-options", json=["FedEx", "UPS"])
    with pytest.raises(halnav.FormError, match="got 'DHL', not one of: FedEx, UPS"):
        resource.form().validate(shipping="DHL")
    assert resource.form().validate(shipping="UPS") == {"shipping": "UPS"}


def test_a_required_templated_default_is_expanded_with_the_variables(rsps, client):
    prop = {"name": "owner", "templated": True, "value": "/users/{user}", "required": True}
    resource = fetched(rsps, client, with_properties(prop), f"{API}/tasks/1")
    rsps.put(f"{API}/tasks/1", json={})
    resource.submit(variables={"user": "ann"})
    assert json.loads(rsps.calls[-1].request.body) == {"owner": "/users/ann"}
    with pytest.raises(halnav.TemplateError, match="needs variable 'user'"):
        resource.submit()


# -- submitting ------------------------------------------------------------------------------


def test_a_get_form_sends_its_values_in_the_query_string(rsps, client):
    resource = fetched(rsps, client, SPEC_GET_FORM, f"{API}/rels/filter")
    rsps.get(f"{API}/task-list/", json={"_embedded": {"items": []}})
    answer = resource.submit(title="sample", completed="false")
    assert isinstance(answer, halnav.Resource)
    assert (
        rsps.calls[-1].request.url
        == "http://api.example.org/task-list/?title=sample&completed=false"
    )
    assert rsps.calls[-1].request.body is None
    with pytest.raises(halnav.FormError, match="does not match"):
        resource.submit(completed="maybe")
    assert len(rsps.calls) == 2  # nothing sent for values the form refuses


def test_a_post_form_sends_a_json_body(rsps, client):
    resource = fetched(rsps, client, SPEC_EXAMPLE, f"{API}/rels/create")
    rsps.post(
        f"{API}/rels/create",
        json={"title": "A Sample HAL Forms Response"},
        status=201,
        headers={"Location": "/tasks/9"},
    )
    answer = resource.submit(title="A Sample HAL Forms Response", completed=False)
    request = rsps.calls[-1].request
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {"title": "A Sample HAL Forms Response", "completed": False}
    assert answer.status_code == 201 and answer.location == f"{API}/tasks/9"


def test_a_form_encoded_body(rsps, client):
    document = copy.deepcopy(SPEC_EXAMPLE)
    document["_templates"]["default"]["contentType"] = "application/x-www-form-urlencoded"
    document["_templates"]["default"]["properties"].append(SHIPPING_SIMPLE)
    resource = fetched(rsps, client, document, f"{API}/rels/create")
    rsps.post(f"{API}/rels/create", status=204)
    resource.submit(title="A Sample HAL Forms Response", shipping=["FedEx", "DHL"])
    request = rsps.calls[-1].request
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.body == (
        b"title=A+Sample+HAL+Forms+Response&completed=false&shipping=FedEx&shipping=DHL"
    )


def test_selected_values_are_a_json_array(rsps, client):
    resource = fetched(rsps, client, with_properties(SHIPPING_MULTIPLE), f"{API}/tasks/1")
    rsps.put(f"{API}/tasks/1", json={})
    resource.submit(shipping=["FedEx", "DHL"])
    assert json.loads(rsps.calls[-1].request.body) == {"shipping": ["FedEx", "DHL"]}
    resource.submit()  # the selected value is the default
    assert json.loads(rsps.calls[-1].request.body) == {"shipping": ["FedEx"]}


def test_a_field_called_name_headers_or_values(rsps, client):
    properties = [{"name": "name"}, {"name": "headers"}, {"name": "values"}]
    resource = fetched(rsps, client, with_properties(*properties), f"{API}/tasks/1")
    rsps.put(f"{API}/tasks/1", json={})
    resource.submit("default", name="Ann", values={"headers": "h", "values": "v"})
    assert json.loads(rsps.calls[-1].request.body) == {"name": "Ann", "headers": "h", "values": "v"}
    with pytest.raises(TypeError, match="given twice"):
        resource.submit(name="a", values={"name": "b"})


def test_headers_go_with_the_request_and_none_leaves_a_default_out(rsps, client):
    resource = fetched(rsps, client, SPEC_EXAMPLE, f"{API}/rels/create")
    rsps.post(f"{API}/rels/create", json={})
    resource.submit(title="T", completed=None, headers={"If-Match": '"v1"'})
    request = rsps.calls[-1].request
    assert request.headers["If-Match"] == '"v1"'
    assert json.loads(request.body) == {"title": "T"}


def test_a_merge_patch_form_and_dates(rsps, client):
    document = with_properties({"name": "due", "type": "date"}, method="PATCH")
    document["_templates"]["default"]["contentType"] = "application/merge-patch+json"
    resource = fetched(rsps, client, document, f"{API}/tasks/1")
    rsps.patch(f"{API}/tasks/1", json={})
    resource.submit(due=datetime.date(2024, 5, 1))
    request = rsps.calls[-1].request
    assert request.headers["Content-Type"] == "application/merge-patch+json"
    assert json.loads(request.body) == {"due": "2024-05-01"}


def test_error_answers_raise_as_usual(rsps, client):
    resource = fetched(rsps, client, SPEC_EXAMPLE, f"{API}/rels/create")
    rsps.post(
        f"{API}/rels/create",
        status=422,
        json={"_embedded": {"errors": [{"field": "title", "messages": ["is taken"]}]}},
    )
    with pytest.raises(halnav.UnprocessableEntity) as info:
        resource.submit(title="Taken")
    assert info.value.method == "POST" and info.value.errors[0]["field"] == "title"


def test_a_resource_without_a_client_cannot_submit():
    resource = halnav.Resource(SPEC_EXAMPLE, url=f"{API}/rels/create")
    assert resource.form().validate(title="ok") == {"title": "ok", "completed": "false"}
    with pytest.raises(halnav.HALNavError, match="without a client"):
        resource.submit(title="ok")


# -- Bootic _actions -------------------------------------------------------------------------


def test_the_bootic_search_action_is_a_form(rsps, client):
    page = fetched(rsps, client, BOOTIC_PAGE, f"{API}/v1/shops/47/orders?page=1&per_page=30")
    assert list(page.forms) == ["search"]
    form = page.form("search")
    assert form.source == "_actions"
    assert form.title == form.prompt == "Search orders"
    assert (form.method, form.target) == ("GET", f"{API}/v1/shops/47/orders")
    assert form.content_type == "application/x-www-form-urlencoded"
    status = form.field("status")
    assert [o.value for o in status.options or ()][:3] == ["checkout", "pending", "invalid"]
    assert form.field("q").options is None and form.field("q").value is None
    assert form.field("page").value == "1"
    # What the Bootic layer checks filter values with:
    assert form.validate(status=["pending", "closed"], q="shoes")["status"] == ["pending", "closed"]
    with pytest.raises(halnav.FormError) as info:
        form.validate(status="pendng")
    assert (info.value.field, info.value.rule) == ("status", "options")
    assert "got 'pendng', not one of: checkout, pending" in str(info.value)
    with pytest.raises(halnav.FormError, match="not a field of this form"):
        form.validate(stauts="pending")


def test_submitting_the_bootic_search_joins_several_values_with_commas(rsps, client):
    page = fetched(rsps, client, BOOTIC_PAGE, f"{API}/v1/shops/47/orders?page=1&per_page=30")
    rsps.get(f"{API}/v1/shops/47/orders", json=BOOTIC_PAGE)
    result = page.submit("search", status=["pending", "closed"], page=None)
    assert result.url is not None and result.url.startswith(f"{API}/v1/shops/47/orders?")
    assert sent_query(rsps) == [
        ("per_page", "30"),
        ("status", "pending,closed"),
        ("sort", "created_on.desc"),
    ]


def test_templates_win_over_actions_of_the_same_name(rsps, client):
    document = {**BOOTIC_PAGE, "_templates": {"search": {"method": "POST"}}}
    page = fetched(rsps, client, document, f"{API}/v1/shops/47/orders")
    assert page.form("search").source == "_templates"


# -- showing forms ---------------------------------------------------------------------------


def test_describe_shows_forms_and_their_fields(rsps, client):
    document = copy.deepcopy(SPEC_EXAMPLE)
    document["_templates"]["default"]["properties"] += [NUMBER_FIELD, SHIPPING_LINK]
    resource = fetched(rsps, client, document, f"{API}/rels/create")
    text = resource.describe()
    assert (
        "forms:\n  default  POST http://api.example.org/rels/create  (application/json)  Create"
        in text
    )
    assert "    title*" in text  # required
    assert "completed   text, 'Completed', default 'false'" in text
    assert "number, from 0 to 12" in text
    assert "options from http://api.examples.org/shipping-options" in text
    assert "_templates" not in text  # shown as forms, not as a property
    assert len(rsps.calls) == 1  # describing fetches nothing
    assert repr(resource.form()) == (
        "<Form 'default' POST http://api.example.org/rels/create fields: title, completed, size, shipping>"
    )


def test_a_bootic_form_checks_each_of_comma_separated_values(rsps, client):
    page = fetched(rsps, client, BOOTIC_PAGE, f"{API}/v1/shops/47/orders")
    form = page.form("search")
    assert form.validate(status="pending,closed")["status"] == "pending,closed"
    with pytest.raises(halnav.FormError, match="got 'closd', not one of"):
        form.validate(status="pending, closd")
    hal_forms = fetched(rsps, client, with_properties(SHIPPING_SIMPLE), f"{API}/tasks/1").form()
    with pytest.raises(halnav.FormError, match="got 'FedEx,UPS', not one of"):
        hal_forms.validate(shipping="FedEx,UPS")  # HAL-FORMS: one value with a comma in it


def test_forms_are_read_once_and_read_only(rsps, client):
    resource = fetched(rsps, client, SPEC_EXAMPLE, f"{API}/rels/create")
    assert resource.forms is resource.forms
    with pytest.raises(TypeError):
        resource.forms["x"] = resource.form()  # type: ignore[index]


def test_without_target_nor_self_link_a_form_goes_to_the_url_fetched(rsps, client):
    document = {"_templates": {"default": {"method": "DELETE"}}}
    resource = fetched(rsps, client, document, f"{API}/tasks/3?view=full")
    assert resource.form().target == f"{API}/tasks/3?view=full"
    rsps.delete(f"{API}/tasks/3?view=full", status=204)
    assert resource.submit().status_code == 204
    templated_self = {"_links": {"self": {"href": "/tasks/{id}", "templated": True}}, **document}
    assert fetched(rsps, client, templated_self, f"{API}/t").form().target == f"{API}/t"
