"""Links from RFC 8288 ``Link`` headers: the parser (examples and properties) and the links a
resource gets from them (mocked with responses)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import halnav
from halnav._link_headers import LinkValue, decode_ext_value, parse_link_header

API = "https://api.example.test"


@pytest.fixture
def client():
    with halnav.Client(API, retries=0) as c:
        yield c


# -- the parser ------------------------------------------------------------------------------


def test_the_rfc_8288_examples():
    # Section 3.5, one example after the other, as one joined field.
    field = (
        '<http://example.com/TheBook/chapter2>; rel="previous"; title="previous chapter", '
        '</>; rel="http://example.net/foo", '
        '</terms>; rel="copyright"; anchor="#foo", '
        "</TheBook/chapter2>; rel=\"previous\"; title*=UTF-8'de'letztes%20Kapitel, "
        "</TheBook/chapter4>; rel=\"next\"; title*=UTF-8'de'n%c3%a4chstes%20Kapitel, "
        '<http://example.org/>; rel="start http://example.net/relation/other"'
    )
    links = parse_link_header(field)
    assert [link.target for link in links] == [
        "http://example.com/TheBook/chapter2",
        "/",
        "/terms",
        "/TheBook/chapter2",
        "/TheBook/chapter4",
        "http://example.org/",
    ]
    assert links[0].params == (("rel", "previous"), ("title", "previous chapter"))
    assert links[2].param("anchor") == "#foo"
    assert links[4].param("title*") == "UTF-8'de'n%c3%a4chstes%20Kapitel"
    assert links[5].param("rel") == "start http://example.net/relation/other"


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("", []),
        ("   ,  , ", []),
        ("<a>", [LinkValue("a")]),
        ("<a,b;c>;rel=x", [LinkValue("a,b;c", (("rel", "x"),))]),  # commas inside <>
        ('<a>; title="x, y; z", <b>', [LinkValue("a", (("title", "x, y; z"),)), LinkValue("b")]),
        ('<a>; title="say \\"hi\\""', [LinkValue("a", (("title", 'say "hi"'),))]),
        ("<a> ; REL = Next ;x", [LinkValue("a", (("rel", "Next"), ("x", "")))]),
        ("<a>; rel=next prev", [LinkValue("a", (("rel", "next prev"),))]),  # lenient token
        ('<a>; title="unterminated', [LinkValue("a", (("title", "unterminated"),))]),
        ("garbage, <b>; rel=x", [LinkValue("b", (("rel", "x"),))]),  # skipped up to the comma
        ('<a> junk "with, comma", <b>', [LinkValue("b")]),
        ("<a>; rel=x, <unterminated", [LinkValue("a", (("rel", "x"),))]),
        ("<a>;;; rel=x", [LinkValue("a", (("rel", "x"),))]),
    ],
)
def test_the_grammar_and_malformed_parts(field, expected):
    assert parse_link_header(field) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("UTF-8'de'n%c3%a4chstes%20Kapitel", ("nächstes Kapitel", "de")),
        ("utf-8''%e2%82%ac%20rates", ("€ rates", "")),
        ("iso-8859-1'en'%A3%20rates", ("£ rates", "en")),
        ("UTF-8'x'%ff", None),  # not UTF-8
        ("nonsense-charset'x'abc", None),
        ("no quotes", None),
    ],
)
def test_rfc_8187_values(value, expected):
    assert decode_ext_value(value) == expected


# Property: whatever links are written, with any targets and parameter values (commas,
# semicolons, quotes, backslashes included), parsing gives them back in order.
_TOKEN = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.!#$%&'*+^`|~", min_size=1)
_TARGET = st.text(
    alphabet=st.characters(blacklist_characters='<>"\r\n\t ', blacklist_categories=("Cs",)),
    max_size=30,
)
_QUOTED = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
_PARAMS = st.lists(st.tuples(_TOKEN, st.one_of(st.none(), _TOKEN, _QUOTED)), max_size=4)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _written(target: str, params: list[tuple[str, str | None]], quote_all: bool) -> str:
    parts = [f"<{target}>"]
    for name, value in params:
        if value is None:
            parts.append(name)
        elif quote_all or not value or any(c not in _TOKEN_CHARS for c in value):
            parts.append(f"{name}={_quote(value)}")
        else:
            parts.append(f"{name}={value}")
    return "; ".join(parts)


_TOKEN_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_.!#$%&'*+^`|~")


@given(st.lists(st.tuples(_TARGET, _PARAMS), max_size=5), st.booleans())
def test_written_links_parse_back(links, quote_all):
    field = ", ".join(_written(target, params, quote_all) for target, params in links)
    parsed = parse_link_header(field)
    assert parsed == [
        LinkValue(target, tuple((name.lower(), value or "") for name, value in params))
        for target, params in links
    ]


@given(st.text(max_size=200))
def test_any_text_parses_without_raising(text):
    for link in parse_link_header(text):
        assert link.target in text


@given(st.integers(min_value=1, max_value=400), st.sampled_from(["<", '"', ";", ",", "<a>;x="]))
def test_pathological_repetitions_still_parse(count, piece):
    # Quadratic rescans would show up as a hang here; each character is read once.
    parse_link_header(piece * count * 50)


# -- a resource's links ----------------------------------------------------------------------


def test_header_links_come_after_the_body_s(rsps, client):
    body = {"_links": {"self": {"href": f"{API}/v1/orders"}, "next": {"href": "?page=2"}}}
    rsps.get(
        f"{API}/v1/orders",
        json=body,
        headers=[
            ("Link", '<?page=9>; rel="next", <https://docs.example.test/orders>; rel="help"'),
            ("Link", '</v1/orders?page=50>; rel="last"'),
        ],
    )
    page = client.get("/v1/orders")
    assert list(page.links) == ["self", "next", "help", "last"]
    assert [link.url() for link in page.links["next"]] == [
        f"{API}/v1/orders?page=2",
        f"{API}/v1/orders?page=9",
    ]
    assert page.link("next").url() == f"{API}/v1/orders?page=2"  # the body's first
    assert page.link("last").url() == f"{API}/v1/orders?page=50"
    assert page.has("help") and not page.has("prev")
    assert page.rels == ["self", "next", "help", "last"]


def test_several_relation_types_anchor_and_title_star(rsps, client):
    rsps.get(
        f"{API}/doc",
        json={},
        headers={
            "Link": (
                '</chapter4>; rel="next http://example.net/rel/other"; '
                'title="next"; title*=UTF-8\'de\'n%c3%a4chstes%20Kapitel; type="text/html"; '
                "hreflang=de; hreflang=en, "
                '</terms>; rel="copyright"; anchor="#foo", '
                '</about>; rel="author"; anchor="https://other.example.test/x", '
                f'</self-anchored>; rel="describedby"; anchor="{API}/doc"'
            )
        },
    )
    doc = client.get("/doc")
    assert list(doc.links) == ["next", "http://example.net/rel/other", "describedby"]
    link = doc.link("next")
    assert link.title == "nächstes Kapitel" and link.attributes["title_language"] == "de"
    assert link.type == "text/html" and link.hreflang == "de"
    assert link.attributes["hreflang"] == ["de", "en"]
    assert doc.link("http://example.net/rel/other").url() == f"{API}/chapter4"
    assert not doc.has("copyright") and not doc.has("author")
    anchored = {link.rel: link.attributes.get("anchor") for link in doc.header_links}
    assert anchored["copyright"] == "#foo"
    assert anchored["author"] == "https://other.example.test/x"
    with pytest.raises(halnav.LinkNotFound, match="available: next, http://example.net/rel/other"):
        doc.link("copyright")


def test_a_non_json_answer_has_its_header_links(rsps, client):
    rsps.get(
        f"{API}/files/report.pdf",
        body=b"%PDF-1.7",
        content_type="application/pdf",
        headers={"Link": '<report.html>; rel="alternate"; type="text/html"'},
    )
    rsps.get(f"{API}/files/report.html", body="<html>", content_type="text/html")
    pdf = client.get("/files/report.pdf")
    assert pdf.document is None and pdf.has("alternate")
    html = pdf.follow("alternate")
    assert html.url == f"{API}/files/report.html" and html.text == "<html>"


def test_relative_targets_resolve_against_the_final_url(rsps, client):
    rsps.get(f"{API}/old", status=301, headers={"Location": f"{API}/new/place"})
    rsps.get(f"{API}/new/place", json={}, headers={"Link": '<sibling>; rel="related"'})
    resource = client.get("/old")
    assert resource.link("related").url() == f"{API}/new/sibling"


def test_curies_name_header_relations_too(rsps, client):
    body = {
        "_links": {
            "curies": [{"name": "ex", "href": "https://rels.example.test/{rel}", "templated": True}]
        }
    }
    rsps.get(
        f"{API}/root",
        json=body,
        headers={"Link": '</orders>; rel="https://rels.example.test/orders"'},
    )
    root = client.get("/root")
    assert root.link("ex:orders").url() == f"{API}/orders"
    assert root.link("orders").url() == f"{API}/orders"


def test_a_header_next_is_not_taken_for_a_prefixed_body_relation(rsps, client):
    body = {"_links": {"btc:next": {"href": "/prefixed"}}}
    rsps.get(f"{API}/p", json=body, headers={"Link": '</plain>; rel="next"'})
    resource = client.get("/p")
    assert [link.href for link in resource.links["next"]] == ["/plain"]
    assert [link.href for link in resource.links["btc:next"]] == ["/prefixed"]


def test_without_a_link_header_nothing_changes(rsps, client):
    rsps.get(f"{API}/p", json={"_links": {"self": {"href": "/p"}}})
    resource = client.get("/p")
    assert type(resource.links).__name__ == "LinkMap"
    assert resource.header_links == [] and resource.rels == ["self"]


def test_describe_lists_header_links(rsps, client):
    rsps.get(f"{API}/p", json={"a": 1}, headers={"Link": '</help>; rel="help"; title="Help"'})
    assert "help  GET /help  Help" in client.get("/p").describe()
