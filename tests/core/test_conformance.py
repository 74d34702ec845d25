"""Conformance with the HAL draft, RFC 6570 and RFC 3986, on documents shaped like real servers'.

The shapes: the HAL draft's and stateless.co's examples; drf-hal-json (bare-string links, a null
``previous``); fastapi-hypermodel (link objects with ``null`` hints, ``templated`` written as it
comes); Eve (``_etag``, relative hrefs, ``If-Match`` on PATCH); servers that write an empty link
array or ``null`` for a relation they do not have.
"""

from __future__ import annotations

import json
import warnings

import pytest
import responses

import halnav
from halnav import _json
from halnav._curies import REGISTERED_RELATIONS, Curies
from halnav._templates import TEMPLATE_CACHE, parse_template

API = "https://api.example.test"
HAL = "application/hal+json"

#: The HAL spec page's example (stateless.co/hal_specification), with its "ea" curie.
SPEC_ORDERS = {
    "_links": {
        "self": {"href": "/orders"},
        "curies": [{"name": "ea", "href": "http://example.com/docs/rels/{rel}", "templated": True}],
        "next": {"href": "/orders?page=2"},
        "ea:find": {"href": "/orders{?id}", "templated": True},
        "ea:admin": [
            {"href": "/admins/2", "title": "Fred"},
            {"href": "/admins/5", "title": "Kate"},
        ],
    },
    "currentlyProcessing": 14,
    "shippedToday": 20,
    "_embedded": {
        "ea:order": [
            {
                "_links": {
                    "self": {"href": "/orders/123"},
                    "ea:basket": {"href": "/baskets/98712"},
                    "ea:customer": {"href": "/customers/7809"},
                },
                "total": 30.00,
                "currency": "USD",
                "status": "shipped",
            },
            {
                "_links": {
                    "self": {"href": "/orders/124"},
                    "ea:basket": {"href": "/baskets/97213"},
                    "ea:customer": {"href": "/customers/12369"},
                },
                "total": 20.00,
                "currency": "USD",
                "status": "processing",
            },
        ]
    },
}


def resource(document, url=f"{API}/orders", client=None):
    return halnav.Resource(document, url=url, client=client)


# -- the spec's examples -----------------------------------------------------------------------


def test_the_spec_example_reads_as_the_spec_says():
    orders = resource(SPEC_ORDERS)
    assert orders.rels == ["self", "next", "ea:find", "ea:admin", "ea:order"]
    assert orders.link("ea:find").url(id=7) == f"{API}/orders?id=7"
    assert orders.link("http://example.com/docs/rels/find") == orders.link("ea:find")
    assert orders.link("find") == orders.link("ea:find")
    assert orders.link("ea:admin", title="Kate").url() == f"{API}/admins/5"
    assert orders.link("ea:admin").url() == f"{API}/admins/2"
    [order_123, order_124] = orders.embedded["order"]
    assert order_123.url == f"{API}/orders/123"
    assert order_124.link("customer").url() == f"{API}/customers/12369"
    assert orders.properties == {"currentlyProcessing": 14, "shippedToday": 20}


def test_a_title_that_no_link_has_names_the_titles_there_are():
    with pytest.raises(halnav.LinkNotFound) as caught:
        resource(SPEC_ORDERS).link("ea:admin", title="Bob")
    assert "titles: 'Fred', 'Kate'" in str(caught.value)
    assert caught.value.available == ("Fred", "Kate")


def test_links_and_rels_agree_about_curies_which_the_resource_gives():
    orders = resource(SPEC_ORDERS)
    assert "curies" not in orders.links and "curies" not in list(orders.links)
    assert not orders.has("curies")
    assert list(orders.links) == ["self", "next", "ea:find", "ea:admin"]
    assert orders.curies.prefixes == ("ea",)
    [curie] = orders.curies.links
    assert (curie.name, curie.href, curie.templated) == (
        "ea",
        "http://example.com/docs/rels/{rel}",
        True,
    )


# -- link arrays, null and empty relations, lenient hints --------------------------------------


def test_an_unusable_array_member_makes_only_itself_unusable():
    document = {
        "_links": {
            "item": [
                {"href": "/a", "name": "a"},
                {"name": "broken"},
                42,
                {"href": "/d", "name": "d", "title": "Dee"},
            ]
        }
    }
    res = resource(document)
    links = res.links["item"]
    assert len(links) == 4
    assert links[0].url() == f"{API}/a" and links[3].url() == f"{API}/d"  # by position
    assert res.link("item", "d").url() == f"{API}/d"  # by name
    assert res.link("item", title="Dee").url() == f"{API}/d"  # by title
    assert res.link("item").url() == f"{API}/a"
    assert not links[1].usable and links[0].usable
    with pytest.raises(halnav.InvalidDocument) as caught:
        links[2].url()
    assert caught.value.pointer == "/_links/item/2"
    with pytest.raises(halnav.InvalidDocument) as caught:
        res.link("item", "broken")
    assert caught.value.pointer == "/_links/item/1/href"
    assert "UnusableLink" in repr(links[1])
    described = res.describe()
    assert "item[d]  GET /d  Dee" in described and "(unusable: " in described


def test_when_no_member_is_usable_the_first_ones_problem_is_raised():
    res = resource({"_links": {"item": [7, {"title": "x"}]}})
    with pytest.raises(halnav.InvalidDocument) as caught:
        res.link("item")
    assert caught.value.pointer == "/_links/item/0"


@pytest.mark.parametrize("value", [None, []])
def test_a_null_link_or_an_empty_array_means_the_relation_is_absent(value):
    res = resource({"_links": {"self": {"href": "/s"}, "previous": value, "next": value}})
    assert not res.has("previous") and not res.has("next")
    assert res.rels == ["self"] and list(res.links) == ["self"]
    with pytest.raises(halnav.LinkNotFound):
        res.link("previous")
    assert list(res.pages()) == [res]  # no next: a walk ends here


def test_drf_hal_json_bare_string_links(rsps):
    page = {
        "_links": {
            "self": f"{API}/api/books/?page=1",
            "next": f"{API}/api/books/?page=2",
            "previous": None,
        },
        "count": 3,
        "_embedded": {"items": [{"_links": {"self": f"{API}/api/books/1/"}, "id": 1}]},
    }
    res = resource(page, url=f"{API}/api/books/")
    assert res.link("next").url() == f"{API}/api/books/?page=2"
    assert res.link("self").attributes == {"href": f"{API}/api/books/?page=1"}
    assert not res.has("previous")
    [book] = res.embedded["items"]
    assert book.url == f"{API}/api/books/1/"  # a bare-string self gives the embedded URL


@pytest.mark.parametrize(
    ("written", "templated"), [("yes", False), (1, False), (None, False), ("true", False)]
)
def test_templated_that_is_not_a_boolean_is_false(written, templated):
    res = resource({"_links": {"find": {"href": "/find{?q}", "templated": written}}})
    link = res.link("find")
    assert link.templated is templated
    assert link.url() == f"{API}/find%7B?q%7D" or link.url() == f"{API}/find{{?q}}"


def test_hints_that_are_not_strings_are_absent():
    # fastapi-hypermodel writes null hints; other servers write numbers or lists.
    link = resource(
        {
            "_links": {
                "self": {
                    "href": "/s",
                    "type": 3,
                    "name": ["x"],
                    "title": None,
                    "hreflang": False,
                    "deprecation": None,
                    "profile": None,
                    "method": 7,
                }
            }
        }
    ).link("self")
    assert (link.type, link.name, link.title, link.hreflang, link.method) == (
        None,
        None,
        None,
        None,
        "GET",
    )
    assert link.attributes["type"] == 3  # still there as written


# -- relation names ----------------------------------------------------------------------------


@pytest.mark.parametrize("rel", ["next", "item", "self", "collection", "search", "Next"])
def test_a_registered_relation_never_resolves_to_an_extension_relation(rel):
    res = resource({"_links": {f"acme:{rel.lower()}": {"href": "/x"}}})
    assert not res.has(rel)
    with pytest.raises(halnav.LinkNotFound):
        res.link(rel)
    assert res.has(f"acme:{rel.lower()}")


def test_extension_relations_are_still_found_by_bare_name():
    res = resource({"_links": {"acme:widgets": {"href": "/w"}}})
    assert res.link("widgets").url() == f"{API}/w"
    assert {"next", "item", "self", "edit-form", "payment"} <= REGISTERED_RELATIONS


@pytest.mark.parametrize(
    ("href", "expanded"),
    [
        ("https://docs.test/rels/{rel}", "https://docs.test/rels/widgets"),
        ("https://docs.test/rels{/rel}", "https://docs.test/rels/widgets"),
        ("https://docs.test/rels{#rel}", "https://docs.test/rels#widgets"),
        ("https://docs.test/rels{?rel}", "https://docs.test/rels?rel=widgets"),
        ("https://docs.test/{+rel}.html", "https://docs.test/widgets.html"),
        ("/rels/{rel}", f"{API}/rels/widgets"),
        ("rels{/rel}", f"{API}/v1/rels/widgets"),
    ],
)
def test_curie_templates_in_any_rfc_6570_form_and_relative_hrefs(href, expanded):
    document = {
        "_links": {
            "curies": [{"name": "acme", "href": href, "templated": True}],
            "acme:widgets": {"href": "/w"},
        }
    }
    res = resource(document, url=f"{API}/v1/root")
    assert res.curies.expand("acme:widgets") == expanded
    assert res.link(expanded).url() == f"{API}/w"
    assert res.link("acme:widgets") == res.link("widgets") == res.link(expanded)
    assert res.curies.reference(expanded) == "widgets"


def test_embedded_resources_resolve_curies_against_the_enclosing_document():
    document = {
        "_links": {"curies": [{"name": "acme", "href": "/rels/{rel}"}]},
        "_embedded": {"acme:items": [{"_links": {"acme:owner": {"href": "/o"}}}]},
    }
    [item] = resource(document, url=f"{API}/v1/x").embedded["items"]
    assert item.link(f"{API}/rels/owner").url() == f"{API}/o"


def test_curies_constructed_directly_still_work():
    curies = Curies({"btc": "https://developers.bootic.net/rels/{rel}"})
    assert curies.expand("btc:orders") == "https://developers.bootic.net/rels/orders"
    assert curies.reference("https://developers.bootic.net/rels/orders") == "orders"
    assert Curies({"bad": "https://x.test/no-rel"}).prefixes == ()


# -- templates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "variables", "expected"),
    [
        ("/libros/año/{id}", {"id": 1}, "/libros/a%C3%B1o/1"),
        ("/книги{?q}", {"q": "ü"}, "/%D0%BA%D0%BD%D0%B8%D0%B3%D0%B8?q=%C3%BC"),
        ("/a b/{x}", {"x": "y"}, "/a%20b/y"),
        ("/100%/{x}", {"x": "y"}, "/100%25/y"),
        ("/caf%C3%A9/{x}", {"x": "y"}, "/caf%C3%A9/y"),
    ],
)
def test_literal_characters_outside_the_uri_set_are_percent_encoded(href, variables, expected):
    assert parse_template(href).expand(variables) == expected


def test_templates_stay_strict():
    template = parse_template("/books/{id}{?q}")
    with pytest.raises(halnav.TemplateError, match="needs variable 'id'"):
        template.expand({"q": "x"})
    with pytest.raises(halnav.TemplateError, match="does not declare variable 'sort'"):
        template.expand({"id": 1, "sort": "x"})


def test_a_template_with_forty_thousand_variables_parses_and_checks_names_quickly():
    names = [f"v{i}" for i in range(40_000)]
    template = parse_template("/x{?" + ",".join(names) + "}")
    assert template.variables == tuple(names)
    assert template.expand({"v39999": 1}) == "/x?v39999=1"
    with pytest.raises(halnav.TemplateError) as caught:
        template.expand({"nope": 1})
    assert "(and 39980 more)" in str(caught.value) and len(str(caught.value)) < 1000


def test_the_template_cache_is_bounded_by_size_as_well_as_count():
    TEMPLATE_CACHE.clear()
    big = "/x{?" + ",".join(f"v{i}" for i in range(40_000)) + "}"  # 270 kB
    for index in range(12):
        parse_template(big + f"&n={index}")
    assert TEMPLATE_CACHE.chars <= TEMPLATE_CACHE.max_chars
    assert len(TEMPLATE_CACHE) < 12
    huge = "/y{?" + ",".join(f"w{i}" for i in range(300_000)) + "}"
    parse_template(huge)
    assert TEMPLATE_CACHE.get(huge) is None  # larger than the whole bound: parsed, not kept
    assert TEMPLATE_CACHE.chars <= TEMPLATE_CACHE.max_chars


# -- deprecation served from _embedded ---------------------------------------------------------


def test_a_deprecated_relation_warns_when_served_from_embedded():
    document = {
        "_links": {"author": {"href": "/a/1", "deprecation": "https://docs.test/author"}},
        "_embedded": {"author": {"name": "Ann"}},
    }
    res = resource(document)
    with pytest.warns(halnav.DeprecatedLinkWarning, match="https://docs.test/author") as record:
        author = res.follow("author")
    assert author["name"] == "Ann"
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resource({"_embedded": {"author": {"name": "Ann"}}}).follow("author")


# -- numbers -----------------------------------------------------------------------------------


def test_integers_beyond_64_bits_stay_exact_both_ways(rsps):
    big = 2**70 + 1
    body = b'{"id": 1180591620717411303425, "price": 1.5, "name": "12345678901234567890123"}'
    rsps.get(f"{API}/big", body=body, content_type=HAL)
    rsps.post(f"{API}/big", json={"ok": True}, status=201)
    with halnav.Client(API) as client:
        res = client.get("/big")
        assert res["id"] == big and isinstance(res["id"], int)
        assert res["name"] == "12345678901234567890123" and res["price"] == 1.5
        client.request("POST", "/big", json={"id": big, "n": [big, -big]})
    sent = rsps.calls[1].request.body
    assert json.loads(sent) == {"id": big, "n": [big, -big]}
    assert _json.loads(_json.dumps({"x": -(2**80)})) == {"x": -(2**80)}


# -- headers and variables on follow() and invoke() ---------------------------------------------


def test_eve_patch_with_if_match_through_invoke(rsps):
    item = {
        "_id": "5f1",
        "_etag": "7776cdb01f44354af8bfa4db0c56eebcb1378975",
        "name": "Ann",
        # Eve writes "people/5f1", relative to the API root, not to the document (RFC 3986
        # would resolve it to /people/people/5f1): this server is configured with root paths.
        "_links": {"self": {"title": "Person", "href": "/people/5f1"}, "parent": {"href": "/"}},
    }
    rsps.get(f"{API}/people/5f1", json=item)
    rsps.patch(
        f"{API}/people/5f1",
        json={"_status": "OK", "_etag": "new"},
        match=[responses.matchers.header_matcher({"If-Match": item["_etag"]})],
    )
    rsps.patch(
        f"{API}/people/5f1",
        status=412,
        json={
            "_status": "ERR",
            "_error": {"code": 412, "message": "Client and server etags don't match"},
        },
    )
    with halnav.Client(API, retries=0) as client:
        person = client.get("/people/5f1")
        done = person.invoke(
            "self", json={"name": "Bo"}, method="PATCH", headers={"If-Match": person["_etag"]}
        )
        assert done["_status"] == "OK"
        with pytest.raises(halnav.PreconditionFailed, match="etags don't match"):
            person.invoke("self", json={"name": "Bo"}, method="PATCH", headers={"If-Match": "old"})


def test_follow_sends_headers_and_takes_colliding_variables(rsps):
    document = {
        "_links": {
            "search": {"href": "/books{?name,headers,title,params}", "templated": True},
        }
    }
    rsps.get(
        f"{API}/books?name=a&headers=b&title=c&params=d",
        json={"found": 1},
        match=[responses.matchers.header_matcher({"Accept-Language": "es"})],
    )
    with halnav.Client(API) as client:
        res = halnav.Resource(document, url=f"{API}/", client=client)
        found = res.follow(
            "search",
            variables={"name": "a", "headers": "b", "title": "c", "params": "d"},
            headers={"Accept-Language": "es"},
        )
    assert found["found"] == 1


def test_the_index_answers_many_lookups_on_a_large_document():
    links = {f"acme:rel{i}": {"href": f"/r/{i}"} for i in range(5_000)}
    links["curies"] = [{"name": "acme", "href": "https://docs.test/{rel}"}]
    res = resource({"_links": links})
    assert all(res.has(f"rel{i}") for i in range(0, 5_000, 7))
    assert res.link("https://docs.test/rel4999").url() == f"{API}/r/4999"
