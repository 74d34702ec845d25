"""Parsing HAL documents on plain dicts: links, embedded, CURIEs, relative hrefs, bad shapes."""

from __future__ import annotations

import pytest

import halnav
from halnav import Resource

from .helpers import CURIES, ROOT, root_document


def resource(document, url=f"{ROOT}/shops/1.json"):
    return Resource(document, url=url)


# 1. one object or an array, for any relation -------------------------------------------------


@pytest.mark.parametrize("rel", ["self", "next", "btc:orders", "https://example.org/rels/x"])
def test_links_accept_one_object_or_an_array_for_any_relation(rel):
    single = resource({"_links": {rel: {"href": "/a"}}})
    many = resource({"_links": {rel: [{"href": "/a"}, {"href": "/b"}]}})
    assert [link.href for link in single.links[rel]] == ["/a"]
    assert [link.href for link in many.links[rel]] == ["/a", "/b"]
    assert single.link(rel).url() == "https://api.bootic.net/a"
    assert many.link(rel).url() == "https://api.bootic.net/a"


@pytest.mark.parametrize("rel", ["items", "btc:shop", "contact"])
def test_embedded_keeps_the_shape_the_document_gives(rel):
    single = resource({"_embedded": {rel: {"id": 1}}})
    many = resource({"_embedded": {rel: [{"id": 1}, {"id": 2}]}})
    assert isinstance(single.embedded[rel], Resource)
    assert single.embedded[rel]["id"] == 1
    assert [item["id"] for item in many.embedded[rel]] == [1, 2]


# 2. link arrays picked by name -----------------------------------------------------------------


def test_link_arrays_are_selected_by_name_and_default_to_the_first():
    doc = {
        "_links": {
            "btc:products": [
                {"href": "/p/shoes", "name": "shoes", "title": "Shoes"},
                {"href": "/p/hats", "name": "hats"},
            ]
        }
    }
    res = resource(doc)
    assert res.link("btc:products", name="hats").href == "/p/hats"
    assert res.link("btc:products").name == "shoes"
    assert [link.name for link in res.links["btc:products"]] == ["shoes", "hats"]
    with pytest.raises(halnav.LinkNotFound) as info:
        res.link("btc:products", name="socks")
    assert "'shoes'" in str(info.value) and "'hats'" in str(info.value)


def test_link_exposes_every_attribute():
    doc = {
        "_links": {
            "btc:x": {
                "href": "/x/{id}",
                "templated": True,
                "name": "n",
                "title": "T",
                "type": "text/html",
                "deprecation": "https://dep",
                "profile": "https://profile",
                "hreflang": "es",
                "method": "put",
            }
        }
    }
    link = resource(doc).link("btc:x")
    assert (link.rel, link.href, link.templated, link.variables) == (
        "btc:x",
        "/x/{id}",
        True,
        ("id",),
    )
    assert (link.name, link.title, link.type, link.hreflang) == ("n", "T", "text/html", "es")
    assert (link.deprecation, link.profile, link.method) == (
        "https://dep",
        "https://profile",
        "PUT",
    )
    assert resource({"_links": {"a": {"href": "/a"}}}).link("a").method == "GET"


def test_unknown_relation_names_the_ones_the_document_has():
    res = resource(
        {"_links": {"self": {"href": "/s"}, "next": {"href": "/n"}}, "_embedded": {"items": []}}
    )
    with pytest.raises(halnav.LinkNotFound) as info:
        res.link("btc:orders")
    message = str(info.value)
    assert "btc:orders" in message and "self" in message and "next" in message
    assert isinstance(info.value, KeyError)
    assert info.value.available == ("self", "next")


# 3. CURIEs -------------------------------------------------------------------------------------


def test_relations_are_found_by_curie_expanded_uri_and_bare_name():
    res = resource(root_document())
    expected = f"{ROOT}/shops/3.json"
    assert res.link("btc:shop").url(id=3) == expected
    assert res.link("https://developers.bootic.net/rels/shop").url(id=3) == expected
    assert res.link("shop").url(id=3) == expected
    assert res.has("shop") and res.has("https://developers.bootic.net/rels/orders")
    assert not res.has("btc:nothing")


def test_a_document_keyed_by_full_uri_is_found_by_its_compact_name():
    doc = {
        "_links": {"curies": CURIES, "https://developers.bootic.net/rels/orders": {"href": "/o"}}
    }
    assert resource(doc).link("btc:orders").href == "/o"
    assert resource(doc).link("orders").href == "/o"


def test_ambiguous_bare_name_raises_naming_the_candidates():
    doc = {
        "_links": {
            "curies": [
                *CURIES,
                {"name": "acme", "href": "https://acme.test/rels/{rel}", "templated": True},
            ],
            "btc:orders": {"href": "/a"},
            "acme:orders": {"href": "/b"},
        }
    }
    with pytest.raises(halnav.AmbiguousRelation) as info:
        resource(doc).link("orders")
    assert "btc:orders" in str(info.value) and "acme:orders" in str(info.value)
    assert isinstance(info.value, halnav.LinkNotFound)
    assert resource(doc).link("acme:orders").href == "/b"


def test_rels_excludes_curies_and_includes_embedded():
    doc = root_document()
    doc["_embedded"] = {"shops": [{"id": 1}]}
    assert resource(doc).rels == ["self", "btc:shop", "btc:orders", "shops"]


def test_embedded_resources_inherit_the_curies_in_scope():
    doc = {
        "_links": {"curies": CURIES},
        "_embedded": {"btc:shop": {"_links": {"btc:orders": {"href": "/o"}}}},
    }
    shop = resource(doc).embedded["shop"]
    assert shop.link("orders").href == "/o"
    assert shop.link("https://developers.bootic.net/rels/orders").href == "/o"


# 5. relative hrefs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/v1/shops/1", "https://api.bootic.net/v1/shops/1"),
        ("orders?page=2", "https://api.bootic.net/v1/shops/orders?page=2"),
        ("../x", "https://api.bootic.net/v1/x"),
        ("https://checkout.bootic.net/orders/A", "https://checkout.bootic.net/orders/A"),
    ],
)
def test_relative_hrefs_resolve_against_the_document_url(href, expected):
    res = resource({"_links": {"a": {"href": href}}}, url="https://api.bootic.net/v1/shops/1.json")
    assert res.link("a").url() == expected


def test_relative_hrefs_in_embedded_resources_resolve_against_the_enclosing_document():
    doc = {
        "_embedded": {
            "items": [
                {"_links": {"self": {"href": "orders/7.json"}, "up": {"href": "../root"}}, "id": 7}
            ]
        }
    }
    item = resource(doc, url="https://api.bootic.net/v1/shops/1/orders.json").embedded["items"][0]
    assert item.url == "https://api.bootic.net/v1/shops/1/orders/7.json"
    assert item.link("up").url() == "https://api.bootic.net/v1/shops/root"


def test_relative_templated_href_is_expanded_then_resolved():
    res = resource(
        {"_links": {"o": {"href": "orders{?page}", "templated": True}}}, url=f"{ROOT}/shops/1/"
    )
    assert res.link("o").url(page=2) == f"{ROOT}/shops/1/orders?page=2"


# properties ------------------------------------------------------------------------------------


def test_properties_exclude_the_hal_parts_and_the_document_is_untouched(fixture_doc):
    document = fixture_doc("order.json")
    original = fixture_doc("order.json")
    res = resource(document)
    assert res["status"] == "closed"
    assert res.get("nothing", 42) == 42
    assert "_links" not in res.properties and "_embedded" not in res.properties
    assert res.properties["payment_info"]["type"] == "webpay"
    res.properties["status"] = "changed"
    assert res["status"] == "closed"
    assert res.pointer("/payment_info/type") == "webpay"
    assert res.pointer("/_embedded/line_items/0/variant_sku") == "SXDD3"
    _ = (res.links, res.embedded, res.rels, res.embedded["line_items"][0].links)
    assert res.document is document and document == original
    assert "status" in res and "_links" not in res


def test_missing_property_and_pointer_raise_clear_errors():
    res = resource({"status": "closed", "code": "X"})
    with pytest.raises(halnav.PropertyNotFound) as info:
        res["nope"]
    assert "nope" in str(info.value) and "status" in str(info.value)
    with pytest.raises(KeyError):
        res["_links"]
    with pytest.raises(halnav.PropertyNotFound):
        res.pointer("/a/b")
    assert res.pointer("/a/b", default=None) is None


# 11. wrong types -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("links", "pointer"),
    [
        ({"next": 12}, "/_links/next"),
        ({"next": {"title": "no href"}}, "/_links/next/href"),
        ({"next": {"href": 3}}, "/_links/next/href"),
        ({"next": [{"name": "a"}, 7]}, "/_links/next/0/href"),
        ({"a/b": True}, "/_links/a~1b"),
    ],
)
def test_a_link_of_the_wrong_type_names_the_url_and_pointer_and_the_rest_stays_usable(
    links, pointer
):
    doc = {"_links": {"self": {"href": "/s"}, **links}, "status": "ok"}
    res = resource(doc)
    rel = next(iter(links))
    with pytest.raises(halnav.InvalidDocument) as info:
        res.link(rel)
    assert info.value.pointer == pointer
    assert info.value.url == res.url
    assert res.url in str(info.value) and pointer in str(info.value)
    assert res["status"] == "ok"
    assert res.link("self").href == "/s"
    assert rel in res.rels
    repr(res)


@pytest.mark.parametrize("value", ["links", 3, ["a"], True])
def test_links_or_embedded_of_the_wrong_type(value):
    res = resource({"_links": value, "_embedded": value, "id": 1})
    with pytest.raises(halnav.InvalidDocument) as info:
        _ = res.links
    assert info.value.pointer == "/_links"
    with pytest.raises(halnav.InvalidDocument) as info:
        _ = res.embedded
    assert info.value.pointer == "/_embedded"
    assert res["id"] == 1
    assert res.rels == []
    assert not res.has("next")
    repr(res)


def test_embedded_scalars_are_invalid_at_their_pointer():
    res = resource({"_embedded": {"items": [{"id": 1}, 5], "one": "x"}})
    with pytest.raises(halnav.InvalidDocument) as info:
        res.embedded["items"]
    assert info.value.pointer == "/_embedded/items/1"
    with pytest.raises(halnav.InvalidDocument) as info:
        res.embedded["one"]
    assert info.value.pointer == "/_embedded/one"
    items = res.iter_embedded("items")
    assert next(items)["id"] == 1
    with pytest.raises(halnav.InvalidDocument):
        next(items)


# 12. JSON pointers, Location, raw parts, embedded items, refresh ----------------------------------


def test_a_pointer_that_reaches_nothing_says_where_it_stopped_in_a_few_words():
    big = {"a": {"b": "x" * 150_000}, "items": [{"id": 1}, {"id": 2}, {"id": 3}], "n": 5}
    res = resource(big)
    cases = {
        "/a/zz": "the object at '/a' has no member 'zz'",
        "/nope/x": "the object at the root has no member 'nope'",
        "/items/7/id": "the array at '/items' (3 items) has no index '7'",
        "/items/01": "has no index '01'",
        "/items/-": "the array at '/items' ends there: '-' is past its last item, not a value",
        "/n/x": "the value at '/n' is a number (5), not an object or array",
        "/a/b/c": "the value at '/a/b' is a string ('xxxxx",
        "a/b": "not a JSON pointer",
    }
    for pointer, reason in cases.items():
        with pytest.raises(halnav.PropertyNotFound) as info:
            res.pointer(pointer)
        message = str(info.value)
        assert reason in message
        assert message.startswith(f"no value at pointer {pointer!r} in resource {res.url}")
        assert len(message) < 300  # never the sub-document
        assert res.pointer(pointer, default="none") == "none"
    assert res.pointer("/items/2/id") == 3
    assert res.pointer("") is big


def test_the_end_of_an_array_is_not_a_value():
    res = resource({"items": [1, 2]})
    with pytest.raises(halnav.PropertyNotFound):
        res.pointer("/items/-")
    assert res.pointer("/items/-", default=None) is None
    assert res.pointer("/items/1") == 2


def test_location_resolves_and_a_malformed_one_is_an_invalid_document_naming_the_header():
    created = Resource({}, url=f"{ROOT}/shops/1/orders", headers={"Location": "orders/9.json"})
    assert created.location == f"{ROOT}/shops/1/orders/9.json"
    bad = Resource({}, url=f"{ROOT}/shops/1/orders", headers={"Location": "http://[oops/9"})
    with pytest.raises(halnav.InvalidDocument, match="Location header") as info:
        _ = bad.location
    assert "http://[oops/9" in str(info.value)
    assert Resource({}, url=ROOT).location is None


@pytest.mark.parametrize("document", [None, [], "x", {"_links": 3}, {"_links": ["a"]}])
def test_raw_part_reads_around_anything_that_is_not_an_object(document):
    from halnav._document import raw_part

    assert raw_part(document, "_links") == {}
    assert raw_part({"_links": {"self": {"href": "/"}}}, "_links") == {"self": {"href": "/"}}


def test_embedded_items_are_made_one_by_one_by_the_same_code_as_the_map():
    from halnav._curies import Curies
    from halnav._document import EmbeddedMap

    made = []

    def make(document, pointer):
        made.append(pointer)
        return Resource(document)

    raw = {"items": [{"id": 1}, {"id": 2}, 3], "one": {"id": 9}}
    embedded = EmbeddedMap.build(raw, make, Curies(), "https://h/p")
    items = embedded.iter_resources("items")
    assert made == []  # nothing made before it is asked for
    assert next(items)["id"] == 1
    assert made == ["/_embedded/items/0"]
    assert next(items)["id"] == 2
    with pytest.raises(halnav.InvalidDocument) as walked:
        next(items)
    with pytest.raises(halnav.InvalidDocument) as mapped:
        embedded["items"]
    assert walked.value.pointer == mapped.value.pointer == "/_embedded/items/2"
    assert str(walked.value) == str(mapped.value)
    assert [res["id"] for res in embedded.iter_resources("one")] == [embedded["one"]["id"]]
    assert not hasattr(Resource, "_make_embedded")  # the module function makes them


def test_refresh_gives_back_the_same_class():
    import responses

    class Order(Resource):
        __slots__ = ()

        @property
        def checkout_url(self):
            return self.link("checkout").url()

    url = f"{ROOT}/shops/1/orders/9.json"
    document = {"_links": {"self": {"href": url}, "checkout": {"href": "/checkout/9"}}, "id": 9}
    with responses.RequestsMock() as rsps, halnav.Client(ROOT, cache=False) as client:
        rsps.add(responses.GET, url, json=document)
        rsps.add(responses.GET, url, json={**document, "id": 10})
        order = client.get(url).cast(Order)
        again = order.refresh()
    assert type(again) is Order
    assert again["id"] == 10
    assert again.checkout_url == "https://api.bootic.net/checkout/9"


def test_an_error_after_retries_says_how_many_tries_from_urllib3s_history():
    from types import SimpleNamespace

    import requests
    from requests.structures import CaseInsensitiveDict

    from halnav._response import resource_from_response

    answer = requests.Response()
    answer.status_code, answer.url, answer.reason = 503, f"{ROOT}/x", "SERVICE UNAVAILABLE"
    answer._content = b""
    answer.headers = CaseInsensitiveDict()
    answer.raw = SimpleNamespace(retries=SimpleNamespace(history=("first", "second")))
    with pytest.raises(halnav.ServerError, match=r"for GET .*/x after 3 tries$"):
        resource_from_response(answer, None, "GET")
    answer.raw = SimpleNamespace(retries=SimpleNamespace(history=()))
    with pytest.raises(halnav.ServerError) as info:
        resource_from_response(answer, None, "GET")
    assert "tries" not in str(info.value)


def test_follow_names_embedded_relations_too_when_nothing_matches():
    res = resource({"_links": {"self": {"href": "/s"}}, "_embedded": {"shops": [{"id": 1}]}})
    with pytest.raises(halnav.LinkNotFound) as info:
        res.follow("btc:nope")
    assert str(info.value).endswith("available: self; embedded: shops")
    assert info.value.available == ("self", "shops")
    assert res.follow("shops")["id"] == 1
