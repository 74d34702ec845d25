"""``Deprecation`` (RFC 9745) and ``Sunset`` (RFC 8594) headers: one warning per fetched answer,
naming the resource (credentials masked) and the dates (mocked with responses)."""

from __future__ import annotations

import warnings
from datetime import datetime, timezone

import pytest

import halnav
from halnav._deprecation import parse_deprecation, parse_http_date

API = "https://api.example.test"


@pytest.fixture
def client():
    with halnav.Client(API, retries=0, cache=False) as c:
        yield c


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("@1688169599", datetime(2023, 6, 30, 23, 59, 59, tzinfo=timezone.utc)),
        ("@0", datetime(1970, 1, 1, tzinfo=timezone.utc)),
        ("Sun, 11 Nov 2018 23:59:59 GMT", datetime(2018, 11, 11, 23, 59, 59, tzinfo=timezone.utc)),
        ("true", True),
        ("TRUE", True),
        ("@", None),
        ("@99999999999999999", None),
        ("false", None),
        ("soon", None),
    ],
)
def test_deprecation_values(value, expected):
    assert parse_deprecation(value) == expected


def test_http_dates():
    assert parse_http_date("Sat, 31 Dec 2044 23:59:59 GMT") == datetime(
        2044, 12, 31, 23, 59, 59, tzinfo=timezone.utc
    )
    assert parse_http_date("not a date") is None


def test_a_deprecated_resource_warns_with_its_date_and_documentation(rsps, client):
    rsps.get(
        f"{API}/v1/old",
        json={"a": 1},
        headers={
            "Deprecation": "@1688169599",
            "Sunset": "Sat, 31 Dec 2044 23:59:59 GMT",
            "Link": '<https://developer.example.test/deprecation>; rel="deprecation"; '
            'type="text/html"',
        },
    )
    with pytest.warns(halnav.DeprecatedResourceWarning) as caught:
        resource = client.get("/v1/old")
    assert resource["a"] == 1
    assert len(caught) == 1
    warning = caught[0].message
    assert isinstance(warning, halnav.DeprecatedResourceWarning)
    assert isinstance(warning, halnav.HALNavWarning)
    assert not isinstance(warning, halnav.DeprecatedLinkWarning)  # a sibling
    assert str(warning) == (
        f"resource {API}/v1/old is deprecated as of 2023-06-30 23:59:59 UTC (Deprecation header); "
        "has a sunset date of 2044-12-31 23:59:59 UTC (Sunset header): it may stop answering "
        "after that; see https://developer.example.test/deprecation"
    )
    assert warning.url == f"{API}/v1/old"
    assert warning.deprecation == datetime(2023, 6, 30, 23, 59, 59, tzinfo=timezone.utc)
    assert warning.sunset == datetime(2044, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
    assert warning.documentation == ("https://developer.example.test/deprecation",)
    assert caught[0].filename == __file__  # pointed at the line that made the request
    assert resource.has("deprecation")  # the documentation link is a link like any other


def test_sunset_alone_and_the_older_true(rsps, client):
    rsps.get(f"{API}/a", json={}, headers={"Sunset": "Wed, 11 Nov 2026 11:11:11 GMT"})
    rsps.get(f"{API}/b", body="x", content_type="text/plain", headers={"Deprecation": "true"})
    with pytest.warns(halnav.DeprecatedResourceWarning, match=r"resource .*/a has a sunset date"):
        client.get("/a")
    with pytest.warns(halnav.DeprecatedResourceWarning, match=r"/b is deprecated \(Deprecation"):
        client.get("/b")


def test_credentials_in_the_url_are_masked(rsps, client):
    rsps.get(f"{API}/old", json={}, headers={"Deprecation": "@1"})
    with pytest.warns(halnav.DeprecatedResourceWarning) as caught:
        client.get("/old", access_token="s3cr3t")
    assert "s3cr3t" not in str(caught[0].message)
    assert "s3cr3t" not in caught[0].message.url  # type: ignore[union-attr]


def test_invalid_values_and_plain_answers_do_not_warn(rsps, client):
    rsps.get(f"{API}/a", json={}, headers={"Deprecation": "maybe", "Sunset": "later"})
    rsps.get(f"{API}/b", json={})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client.get("/a")
        client.get("/b")


def test_once_per_fetched_answer_and_for_each_page_of_a_walk(rsps, client):
    pages = {
        1: {"_links": {"next": {"href": "/list?page=2"}}, "_embedded": {"items": [{"n": 1}]}},
        2: {"_embedded": {"items": [{"n": 2}]}},
    }
    rsps.get(f"{API}/list", json=pages[1], headers={"Deprecation": "@1"})
    rsps.get(f"{API}/list?page=2", json=pages[2], headers={"Deprecation": "@1"})
    with pytest.warns(halnav.DeprecatedResourceWarning) as caught:
        first = client.get("/list")
        # reading the resource again (links, forms, embedded) warns no more
        _ = first.links, first.forms, first.embedded, first.rels
    assert len(caught) == 1
    with pytest.warns(halnav.DeprecatedResourceWarning) as caught:
        assert [item["n"] for item in first.iterate()] == [1, 2]
    assert len(caught) == 1 and "/list?page=2" in str(caught[0].message)


def test_a_form_submission_answer_warns_too(rsps, client):
    document = {"_templates": {"default": {"method": "POST", "properties": [{"name": "x"}]}}}
    rsps.get(f"{API}/form", json=document)
    rsps.post(f"{API}/form", json={}, headers={"Sunset": "Wed, 11 Nov 2026 11:11:11 GMT"})
    resource = client.get("/form")
    with pytest.warns(halnav.DeprecatedResourceWarning, match="has a sunset date of 2026-11-11"):
        resource.submit(x="1")
