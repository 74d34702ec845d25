"""What a person sees in a REPL: reprs, pretty printing, key completion."""

from __future__ import annotations

import halnav

from .helpers import ROOT


class Printer:
    def __init__(self):
        self.parts = []

    def text(self, value):
        self.parts.append(value)


def test_resource_repr_shows_url_some_properties_and_rels(fixture_doc):
    res = halnav.Resource(fixture_doc("order.json"), url=f"{ROOT}/shops/10/orders/20.json")
    text = repr(res)
    assert text.startswith(f"<Resource {ROOT}/shops/10/orders/20.json")
    assert "code='R1C3964'" in text and "status='closed'" in text
    assert "rels: self, shop, btc:web_checkout" in text
    assert len(text) < 400


def test_pretty_printing_lists_properties_links_and_embedded(fixture_doc):
    res = halnav.Resource(fixture_doc("created_order.json"), url=f"{ROOT}/shops/10/orders")
    printer = Printer()
    res._repr_pretty_(printer, cycle=False)
    text = "".join(printer.parts)
    assert "properties:" in text and "'checkout'" in text
    assert "btc:update_order  PUT https://api.bootic.net/v1/shops/10/orders/R1C3964" in text
    assert "line_items  (1 item)" in text
    printer = Printer()
    res._repr_pretty_(printer, cycle=True)
    assert printer.parts == ["<Resource ...>"]


def test_key_completion_offers_property_names(fixture_doc):
    res = halnav.Resource(fixture_doc("orders_page.json"), url=ROOT)
    assert res._ipython_key_completions_() == ["total_items", "per_page", "page"]


def test_link_repr_shows_rel_method_and_href():
    link = halnav.Link(rel="btc:update_order", href="/v1/shops/1/orders/2", method="PUT")
    assert repr(link) == "<Link rel='btc:update_order' PUT /v1/shops/1/orders/2>"
    templated = halnav.Link(rel="btc:shop", href="/v1/shops/{id}", templated=True)
    assert "templated" in repr(templated)


def test_non_json_and_status_show_in_repr():
    res = halnav.Resource(
        None,
        url="https://checkout.test/o/1",
        status_code=201,
        content=b"<p>",
        content_type="text/html",
    )
    assert repr(res) == "<Resource https://checkout.test/o/1 [201] text/html, 3 bytes>"


def test_describe_and_repr_read_around_malformed_parts():
    res = halnav.Resource(
        {"_links": {"self": {"href": "/a"}, "bad": 3}, "_embedded": ["x"], "id": 1}, url=ROOT
    )
    text = res.describe()
    assert "  self  GET /a" in text
    assert "  bad  (invalid: " in text
    assert "embedded:" not in text  # an _embedded that is not an object lists nothing
    assert res.rels == ["self", "bad"]
    assert repr(res) == f"<Resource {ROOT} id=1 rels: self, bad>"
