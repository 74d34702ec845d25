"""Every example document of the seed pages parses, and its links can be followed."""

from __future__ import annotations

import pytest
import responses

import halnav

from .helpers import API

EXAMPLES = {
    "orders_page.json": f"{API}/v1/shops/10/orders.json",
    "order.json": f"{API}/v1/shops/10/orders/20.json",
    "created_order.json": f"{API}/v1/shops/10/orders",
    "update_orders_response.json": f"{API}/v1/shops/10/orders/updaters.json",
    "create_order_422.json": f"{API}/v1/shops/10/orders",
}


def every_link(resource):
    for rel in resource.links:
        yield from resource.links[rel]
    for rel in resource.embedded:
        value = resource.embedded[rel]
        for item in value if isinstance(value, list) else [value]:
            yield from every_link(item)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_seed_example_parses_and_every_link_is_followed(name, fixture_doc):
    url = EXAMPLES[name]
    with responses.RequestsMock() as rsps:
        client = halnav.Client(f"{API}/v1", token="tok", retries=0)
        res = halnav.Resource(fixture_doc(name), url=url, client=client)
        links = list(every_link(res))
        for link in links:
            target = link.url()
            is_html = link.type == "text/html"
            rsps.get(
                target,
                body="<html></html>" if is_html else "{}",
                content_type=link.type or "application/json",
            )
        for link in links:
            followed = client.get_link(link)
            assert followed.status_code == 200
            if link.type == "text/html":
                assert followed.text == "<html></html>"
        for call in rsps.calls:
            sent = call.request.headers.get("Authorization")
            assert (sent == "Bearer tok") == call.request.url.startswith(f"{API}/")
    repr(res)


def test_orders_page_example(fixture_doc):
    page = halnav.Resource(fixture_doc("orders_page.json"), url=f"{API}/v1/shops/3/orders.json")
    assert (page["total_items"], page["per_page"], page["page"]) == (14486, 50, 1)
    assert page.link("next").url() == f"{API}/v1/shops/3/orders.json?page=2"
    assert page.link("last").url().endswith("page=290")
    assert page.embedded["items"] == []


def test_order_example_embedded_parts(fixture_doc):
    order = halnav.Resource(fixture_doc("order.json"), url=f"{API}/v1/shops/10/orders/20.json")
    assert order.embedded["contact"]["email"] == "joe-perk@gmail.com"
    item = order.embedded["line_items"][0]
    assert item.link("product").url() == f"{API}/v1/shops/29/products/130924-tinto"
    assert item.embedded["image"]["file_name"] == "_MG_4360.JPG"
    assert order.embedded["discounts"] == []
    assert order.link("btc:web_checkout").type == "text/html"


def test_updaters_and_errors_examples(fixture_doc):
    result = halnav.Resource(
        fixture_doc("update_orders_response.json"), url=EXAMPLES["update_orders_response.json"]
    )
    assert [item["id"] for item in result.embedded["valid_items"]] == [577048, 12001]
    assert result.embedded["invalid_items"] == []
    assert result["ids"] == [577048, 12001] and result["additions"] == {"status": "shipped"}
    errors = halnav.Resource(
        fixture_doc("create_order_422.json"), url=EXAMPLES["create_order_422.json"]
    )
    assert errors.embedded["errors"][0]["field"] == "variant.id"
