"""Error answers keep the server's words: the shapes real servers send, read into one form.

Each body below is shaped like what that server really answers (FastAPI's HTTPException and
RequestValidationError, Django REST Framework's exceptions and serializer errors, Eve's
``_error``/``_issues``, RFC 9457 problem details with its ``errors`` extension example, GitHub's
``message`` + ``errors``, Spring HATEOAS's vnd.error, Bootic's ``_embedded.errors`` and ``message``).
"""

from __future__ import annotations

import pytest

import halnav
from halnav._error_bodies import read_error_body

API = "https://api.example.test"
PROBLEM = "application/problem+json"


def raise_for(rsps, status, body, content_type="application/json", method="GET"):
    rsps.add(method, f"{API}/books/99999", json=body, status=status, content_type=content_type)
    client = halnav.Client(API, retries=0, cache=False)
    with pytest.raises(halnav.HTTPError) as info:
        client.request(method, f"{API}/books/99999")
    return info.value


def test_a_fastapi_404_detail_is_the_message(rsps):
    error = raise_for(rsps, 404, {"detail": "Book 99999 not found"})
    assert isinstance(error, halnav.NotFound)
    assert str(error) == f"404 Not Found for GET {API}/books/99999: Book 99999 not found"
    assert error.detail == "Book 99999 not found"
    assert error.errors == []
    assert error.body == b'{"detail": "Book 99999 not found"}'


def test_a_fastapi_validation_error_lists_fields_from_loc(rsps):
    body = {
        "detail": [
            {
                "type": "missing",
                "loc": ["body", "title"],
                "msg": "Field required",
                "input": {"year": 1999},
            },
            {
                "type": "int_parsing",
                "loc": ["query", "page"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "x",
            },
            {"type": "value_error", "loc": ["body"], "msg": "Value error, dates reversed"},
        ]
    }
    error = raise_for(rsps, 422, body, method="POST")
    assert isinstance(error, halnav.UnprocessableEntity)
    assert error.errors == [
        {"field": "title", "messages": ["Field required"]},
        {
            "field": "query.page",
            "messages": ["Input should be a valid integer, unable to parse string as an integer"],
        },
        {"field": None, "messages": ["Value error, dates reversed"]},
    ]
    assert "title: Field required" in str(error) and "dates reversed" in str(error)


def test_drf_detail_field_maps_and_non_field_errors(rsps):
    assert raise_for(rsps, 404, {"detail": "Not found."}).detail == "Not found."
    body = {
        "title": ["This field is required."],
        "isbn": ["Ensure this field has no more than 13 characters.", "Not a valid ISBN."],
        "author": {"email": ["Enter a valid email address."]},
        "chapters": [{}, {"pages": ["A valid integer is required."]}],
        "non_field_errors": ["The fields title, author must make a unique set."],
    }
    rsps.reset()
    error = raise_for(rsps, 400, body, method="POST")
    assert isinstance(error, halnav.BadRequest)
    assert error.errors == [
        {"field": "title", "messages": ["This field is required."]},
        {
            "field": "isbn",
            "messages": ["Ensure this field has no more than 13 characters.", "Not a valid ISBN."],
        },
        {"field": "author.email", "messages": ["Enter a valid email address."]},
        {"field": "chapters.1.pages", "messages": ["A valid integer is required."]},
        {"field": None, "messages": ["The fields title, author must make a unique set."]},
    ]
    assert "title: This field is required." in str(error)
    assert "The fields title, author must make a unique set." in str(error)


def test_drf_a_list_of_messages(rsps):
    error = raise_for(rsps, 400, ["Cannot publish a draft without chapters."], method="POST")
    assert error.errors == [
        {"field": None, "messages": ["Cannot publish a draft without chapters."]}
    ]
    assert str(error).endswith(": Cannot publish a draft without chapters.")


@pytest.mark.parametrize(
    ("status", "cls", "message"),
    [
        (412, halnav.PreconditionFailed, "Client and server etags don't match"),
        (
            428,
            halnav.PreconditionRequired,
            "To edit a document its etag must be provided using the If-Match header",
        ),
        (405, halnav.MethodNotAllowed, "The method is not allowed for the requested URL."),
    ],
)
def test_eve_error_messages(rsps, status, cls, message):
    error = raise_for(
        rsps, status, {"_status": "ERR", "_error": {"code": status, "message": message}}
    )
    assert type(error) is cls and error.detail == message and message in str(error)


def test_eve_issues_per_field(rsps):
    body = {
        "_status": "ERR",
        "_issues": {
            "title": "required field",
            "isbn": "value 'x' is not unique",
            "author": {"email": "must be of string type"},
        },
        "_error": {"code": 422, "message": "Insertion failure: 1 document(s) contain(s) error(s)"},
    }
    error = raise_for(rsps, 422, body, method="POST")
    assert error.detail == "Insertion failure: 1 document(s) contain(s) error(s)"
    assert error.errors == [
        {"field": "title", "messages": ["required field"]},
        {"field": "isbn", "messages": ["value 'x' is not unique"]},
        {"field": "author.email", "messages": ["must be of string type"]},
    ]
    assert "Insertion failure" in str(error) and "title: required field" in str(error)


def test_problem_details_with_the_rfc_9457_errors_extension(rsps):
    body = {
        "type": "https://example.net/validation-error",
        "title": "Your request is not valid.",
        "status": 422,
        "errors": [
            {"detail": "must be a positive integer", "pointer": "#/age"},
            {"detail": "must be 'green', 'red' or 'blue'", "pointer": "#/profile/color"},
        ],
    }
    error = raise_for(rsps, 422, body, content_type=PROBLEM, method="POST")
    assert error.detail == "Your request is not valid."
    assert error.errors == [
        {"field": "age", "messages": ["must be a positive integer"]},
        {"field": "profile.color", "messages": ["must be 'green', 'red' or 'blue'"]},
    ]


def test_problem_details_title_and_detail(rsps):
    body = {
        "type": "https://example.com/probs/out-of-credit",
        "title": "You do not have enough credit.",
        "detail": "Your current balance is 30, but that costs 50.",
        "instance": "/account/12345/msgs/abc",
        "balance": 30,
    }
    error = raise_for(rsps, 403, body, content_type=PROBLEM)
    assert isinstance(error, halnav.Forbidden)
    assert error.detail == (
        "You do not have enough credit.: Your current balance is 30, but that costs 50."
    )
    assert error.resource is not None and error.resource["balance"] == 30


def test_rfc_7807_invalid_params(rsps):
    body = {
        "type": "https://example.net/validation-error",
        "title": "Your request parameters didn't validate.",
        "invalid-params": [
            {"name": "age", "reason": "must be a positive integer"},
            {"name": "color", "reason": "must be 'green', 'red' or 'blue'"},
        ],
    }
    error = raise_for(rsps, 400, body, content_type=PROBLEM)
    assert error.errors[0] == {"field": "age", "messages": ["must be a positive integer"]}


def test_github_message_and_errors(rsps):
    body = {
        "message": "Validation Failed",
        "errors": [
            {"resource": "Issue", "field": "title", "code": "missing_field"},
            {
                "resource": "Label",
                "field": "name",
                "code": "custom",
                "message": "name already exists",
            },
        ],
        "documentation_url": "https://docs.github.com/rest/issues/issues#create-an-issue",
    }
    error = raise_for(rsps, 422, body, method="POST")
    assert error.detail == "Validation Failed"
    assert error.errors == [
        {"field": "title", "messages": ["missing_field"]},
        {"field": "name", "messages": ["name already exists"]},
    ]
    assert "Validation Failed; title: missing_field; name: name already exists" in str(error)


def test_a_plain_message_bootics_and_githubs(rsps):
    error = raise_for(rsps, 404, {"_class": ["errors"], "message": "Order not found"})
    assert error.detail == "Order not found" and error.errors == []
    assert str(error).endswith(": Order not found")


def test_spring_vnd_error_single_and_embedded():
    single = read_error_body({"message": "Validation failed", "logref": 42, "path": "/username"})
    assert single.errors == [{"field": "username", "messages": ["Validation failed"]}]
    embedded = read_error_body(
        {
            "total": 2,
            "_embedded": {
                "errors": [
                    {"message": "must not be blank", "path": "/username", "_links": {}},
                    {"message": "too short", "path": "/password"},
                ]
            },
        }
    )
    assert embedded.errors == [
        {"field": "username", "messages": ["must not be blank"]},
        {"field": "password", "messages": ["too short"]},
    ]


def test_bootic_entries_are_normalised(rsps, fixture_doc):
    error = raise_for(rsps, 422, fixture_doc("create_order_422.json"), method="POST")
    assert error.errors == [
        {"field": "variant.id", "messages": ["Variant 32222 does not exist in this shop"]}
    ]
    assert error.resource is not None
    assert error.resource.document["_embedded"]["errors"][0]["_class"] == ["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"status": "failed", "code": 7},
        {"a": 1},
        {},
        None,
        "text",
        [1, 2],
        {"detail": None},
        {"_embedded": {"errors": "nope"}},
        {"errors": {"x": [None, 3]}},
        {"type": 1, "title": [], "status": 500},
    ],
)
def test_bodies_that_say_nothing_readable_never_raise(body):
    result = read_error_body(body)
    assert all(set(entry) == {"field", "messages"} for entry in result.errors)


def test_oauth_error_and_description(rsps):
    error = raise_for(rsps, 401, {"error": "invalid_token", "error_description": "expired"})
    assert error.detail == "invalid_token: expired"


def test_a_long_list_is_cut_in_the_message_but_kept_whole(rsps):
    body = {f"field{i}": ["bad"] for i in range(30)}
    error = raise_for(rsps, 400, body, method="POST")
    assert len(error.errors) == 30
    assert "(and 20 more)" in str(error) and "field29" not in str(error)


def test_a_credential_the_server_echoes_is_masked_in_the_message(rsps):
    body = {"detail": "bad link https://joe:pw@api.example.test/x?access_token=s3cr3t"}
    error = raise_for(rsps, 400, body)
    assert "s3cr3t" not in str(error) and "pw@" not in str(error)
