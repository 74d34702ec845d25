"""Forms submitted to the sandbox over real HTTP: a GET search of the orders, a POST that creates
an order. Where the sandbox does not (yet) serve the orders page's ``_actions.search``, the test
writes that form onto the page itself, from what the shop's ``btc:orders`` template declares."""

from __future__ import annotations

from typing import Any

import pytest

import halnav

STATUSES = ["all", "checkout", "pending", "closed", "shipped", "invalid", "successful"]


def search_page(shop: halnav.Resource) -> halnav.Resource:
    """The shop's first orders page, with a ``search`` form (the server's own, when it sends one)."""
    page = shop.follow("btc:orders", per_page=5)
    if "search" in page.forms:
        return page
    variables = shop.link("btc:orders").variables
    fields: list[dict[str, Any]] = [
        {"name": name, "prompt": name, "value": None, "options": None} for name in variables
    ]
    for field in fields:
        if field["name"] == "status":
            field["options"] = STATUSES
    assert page.url is not None
    document = {
        **page.document,
        "_actions": {
            "search": {
                "prompt": "Search orders",
                "method": "GET",
                "type": "application/x-www-form-urlencoded",
                "href": page.url.split("?", 1)[0],
                "fields": fields,
            }
        },
    }
    return halnav.Resource(document, url=page.url, client=page.client)


@pytest.fixture
def client(bootic_sandbox):
    with halnav.Client(bootic_sandbox, token=bootic_sandbox.token) as made:
        yield made


@pytest.mark.bootic_sandbox(orders=80, seed=0)
def test_a_get_form_searches_the_orders(client):
    shop = client.root().follow("shops")
    page = search_page(shop)
    form = page.form("search")
    assert form.method == "GET" and "status" in form.field_names
    found = page.submit("search", status="pending", per_page=5, page=None)
    expected = shop.follow("btc:orders", status="pending", per_page=5)
    assert found["total_items"] == expected["total_items"] > 0
    assert {order["status"] for order in found.iterate()} == {"pending"}
    several = page.submit("search", status=["pending", "closed"], per_page=50, page=None)
    statuses = {order["status"] for order in several.iterate()}
    assert statuses == {"pending", "closed"}
    with pytest.raises(halnav.FormError) as info:
        page.submit("search", status="pendng")
    assert (info.value.field, info.value.rule) == ("status", "options")


@pytest.mark.bootic_sandbox(orders=20, seed=0)
def test_a_post_form_creates_an_order(client, bootic_sandbox):
    shop = client.root().follow("shops")
    create = shop.link("btc:create_order")
    document = {
        **shop.document,
        "_templates": {
            "create": {
                "title": "Create an order",
                "method": "POST",
                "target": create.url(),
                "contentType": "application/json",
                "properties": [
                    {"name": "line_items", "required": True},
                    {"name": "status", "options": {"inline": ["checkout", "pending"]}},
                ],
            }
        },
    }
    with_form = halnav.Resource(document, url=shop.url, client=client)
    variant = bootic_sandbox.variant_ids[0]
    created = with_form.submit("create", line_items=[{"variant_id": variant, "units": 2}])
    assert created.status_code == 201 and created["status"] == "checkout"
    assert created.location is not None
    assert created.refresh()["id"] == created["id"]
    line = created.embedded["line_items"]
    assert isinstance(line, list) and line[0]["variant_id"] == variant and line[0]["units"] == 2
    with pytest.raises(halnav.FormError, match="'line_items' is required"):
        with_form.submit("create")
    with pytest.raises(halnav.UnprocessableEntity):
        with_form.submit("create", line_items=[{"variant_id": -1, "units": 1}])
