"""Property-based tests: whatever a server sends, halnav either works or raises a HALNavError.

Random JSON, random HAL-shaped documents with parts of the wrong type (links that are strings or
numbers, ``_embedded`` lists of scalars, missing ``href``, ``templated`` as a string, self links
that point at themselves, huge and deeply nested documents), random relation names and random
template variables go through parsing and every accessor of :class:`~halnav.Resource` and
:class:`~halnav.Link`. Anything but a :class:`~halnav.HALNavError` escaping is a bug.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import halnav
from halnav import HALNavError, InvalidDocument, Link, Resource, TemplateError
from halnav._representation import decode
from halnav._templates import parse_template

URL = "https://api.example/v1/shops/1/orders.json?page=2"
# Following a link with a ``deprecation`` warns, as it should; that is not a failure here.
pytestmark = pytest.mark.filterwarnings("ignore::halnav.DeprecatedLinkWarning")
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- strategies -----------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)
rel_names = st.one_of(
    st.sampled_from(
        ["self", "next", "items", "curies", "btc:orders", "btc:order", "orders", "btc:", ":x"]
    ),
    st.just("https://developers.bootic.net/rels/orders"),
    st.text(max_size=12),
)
hrefs = st.one_of(
    st.sampled_from(
        [
            "/v1/shops/1",
            "https://api.example/v1",
            "https://other.example/x",
            "//host.example/p",
            URL,
            "/v1/orders{?page,status}",
            "/v1/shops/{id}.json",
            "{+base}/x{#frag}",
            "/v1/{a}/{b:3}{/c*}{;d}{.e}{&f}",
            "http://[::1]:8080/x",
            "http://[oops/",
            "https://h.example:99999/",
            "/{unclosed",
            "/{bad var}",
            "}",
            "",
            "?only=query",
            "#frag",
            "mailto:joe@example.com",
        ]
    ),
    st.text(max_size=30),
)
link_objects = st.fixed_dictionaries(
    {},
    optional={
        "href": st.one_of(hrefs, scalars, st.lists(scalars, max_size=2)),
        "templated": st.one_of(st.booleans(), st.sampled_from(["true", "false", 1, 0, None])),
        "name": st.one_of(st.text(max_size=5), scalars),
        "title": st.one_of(st.text(max_size=5), scalars),
        "type": st.one_of(st.sampled_from(["text/html", "application/hal+json"]), scalars),
        "deprecation": st.one_of(st.just("https://docs.example/deprecated"), scalars),
        "method": st.one_of(st.sampled_from(["put", "POST", "delete", ""]), scalars),
        "profile": scalars,
        "hreflang": scalars,
    },
)
curie_entries = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(st.sampled_from(["btc", "x", ""]), scalars),
        "href": st.one_of(
            st.sampled_from(["https://developers.bootic.net/rels/{rel}", "/rels/{rel}", "no-var"]),
            scalars,
        ),
        "templated": st.booleans(),
    },
)
link_values = st.one_of(
    link_objects,
    st.lists(link_objects, max_size=3),
    scalars,  # links that are strings, numbers, null
    st.lists(scalars, max_size=3),
)


def hal_documents(depth: int = 2) -> st.SearchStrategy[Any]:
    links = st.dictionaries(rel_names, link_values, max_size=5) | st.fixed_dictionaries(
        {"curies": st.one_of(curie_entries, st.lists(curie_entries, max_size=3), scalars)},
        optional={"self": link_values, "next": link_values},
    )
    embedded_item = hal_documents(depth - 1) if depth > 0 else json_values
    embedded = st.dictionaries(
        rel_names,
        st.one_of(
            embedded_item,
            st.lists(embedded_item, max_size=3),
            st.lists(scalars, max_size=3),  # _embedded lists of scalars
            scalars,
        ),
        max_size=3,
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "_links": st.one_of(links, scalars, st.lists(scalars, max_size=2)),
            "_embedded": st.one_of(embedded, scalars, st.lists(json_values, max_size=2)),
            "id": scalars,
            "name": st.text(max_size=10),
            "page": st.one_of(st.integers(-2, 5), scalars),
            "nested": json_values,
        },
    )


documents = st.one_of(hal_documents(), json_values)
variable_values = st.one_of(
    scalars,
    st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=3),
    st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=3),
    st.dates(),
    st.datetimes(),
    st.tuples(st.integers(), st.text(max_size=3)),
    st.sets(st.integers(0, 9), max_size=3),
)
variables = st.dictionaries(
    st.one_of(
        st.sampled_from(["page", "status", "id", "a", "b", "c", "d", "e", "f", "base", "frag"]),
        st.text(min_size=1, max_size=6),
    ),
    variable_values,
    max_size=4,
)
pointers = st.one_of(
    st.sampled_from(["", "/", "/_links", "/_links/self/href", "/nested/0", "/~2", "/a~1b", "x"]),
    st.text(max_size=12).map(lambda text: "/" + text),
)

# -- exercising everything ------------------------------------------------------------------


def attempt(action: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``action``; a HALNavError is an allowed outcome, anything else propagates."""
    try:
        value = action(*args, **kwargs)
        if isinstance(value, Iterator):  # a generator: run it (a bounded part of it)
            return list(itertools.islice(value, 200))
        return value
    except HALNavError:
        return None


def exercise_link(link: Link, given: dict[str, Any]) -> None:
    repr(link)
    attempt(lambda: link.template)
    attempt(lambda: link.variables)
    attempt(lambda: link.required_variables)
    attempt(link.url)
    attempt(link.url, **given)
    if link.templated:
        template = attempt(lambda: link.template)
        if template is not None:
            values = {name: "v" for name in template.variables}
            expanded = attempt(link.url, **values)
            assert expanded is None or "{" not in expanded


def exercise(resource: Resource, rels: list[str], given: dict[str, Any], pointer: str) -> None:
    repr(resource)
    attempt(resource.describe)
    attempt(lambda: resource.properties)
    attempt(resource.keys)
    attempt(lambda: resource.rels)
    attempt(lambda: resource.curies)
    attempt(lambda: resource.location)
    attempt(lambda: resource.text)
    attempt(resource.pointer, pointer)
    attempt(resource.pointer, pointer, None)
    attempt(resource.cast, Resource)
    for name in ["id", "name", "_links", "_embedded", *rels]:
        attempt(resource.get, name)
        attempt(resource.__getitem__, name)
        _ = name in resource
    links = attempt(lambda: resource.links)
    if links is not None:
        repr(links)
        for rel in itertools.chain(list(links), rels):
            _ = rel in links
            for link in attempt(links.__getitem__, rel) or []:
                exercise_link(link, given)
    for rel in rels + list(attempt(lambda: resource.rels) or []):
        attempt(resource.has, rel)
        link = attempt(resource.link, rel)
        if link is not None:
            exercise_link(link, given)
        attempt(resource.link, rel, "name")
        attempt(resource.follow, rel)  # no client: embedded, or a HALNavError
        attempt(resource.follow, rel, **given)
        attempt(resource.invoke, rel)
        attempt(resource.iter_embedded, rel)
        attempt(resource.iterate, rel)
        attempt(resource.pages)
    embedded = attempt(lambda: resource.embedded)
    if embedded is not None:
        repr(embedded)
        for rel in list(embedded):
            value = attempt(embedded.__getitem__, rel)
            for inner in value if isinstance(value, list) else [value] if value else []:
                repr(inner)
                attempt(inner.describe)
                attempt(lambda inner=inner: inner.links)
                attempt(lambda inner=inner: inner.url)
    attempt(resource.refresh)


# -- properties -----------------------------------------------------------------------------


@FUZZ
@given(documents, st.lists(rel_names, max_size=4), variables, pointers)
def test_any_document_and_any_accessor_work_or_raise_a_halnav_error(
    document, rels, given_variables, pointer
):
    resource = Resource(document, url=URL, headers={"Location": "/v1/orders/9"})
    exercise(resource, rels, given_variables, pointer)


@FUZZ
@given(hal_documents(), st.lists(rel_names, max_size=3), variables)
def test_embedded_resources_hold_up_like_top_level_ones(document, rels, given_variables):
    resource = Resource({"_embedded": {"items": [document, document]}}, url=URL)
    for inner in attempt(resource.iter_embedded, "items") or []:
        exercise(inner, rels, given_variables, "/id")


@FUZZ
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
@example(b'{"a": 1}garbage')
@example(b"\xff\xfe{")
@example(b"[" * 5000)
@example(b'{"a": "\\ud800"}')
def test_any_body_claiming_json_decodes_or_raises_invalid_document(body):
    try:
        decode(body, "application/hal+json; charset=utf-8", URL, "GET")
    except InvalidDocument as error:
        assert URL in str(error) and error.url == URL


@FUZZ
@given(hal_documents(depth=1), st.data())
def test_a_truncated_json_body_names_the_url_and_the_byte(document, data):
    body = json.dumps(document).encode()
    cut = data.draw(st.integers(min_value=1, max_value=len(body) - 1)) if len(body) > 1 else 0
    try:
        decode(body[:cut], "application/json", URL, "GET")
    except InvalidDocument as error:
        assert URL in str(error) and f"of {cut})" in str(error)


@FUZZ
@given(st.text(max_size=40), variables)
@example("/x/{", {})
@example("/x/{a:0}", {"a": "v"})
@example("/x/{a:10000}", {"a": "v"})
@example("/x/{a}{a}", {"a": ["x", "y"]})
@example("/x/{a:3}", {"a": {"k": "v"}})
@example("/x/{a:3}", {"a": ["x", "y"]})
@example("{/a*}{?b*}", {"a": {"k": "v"}, "b": {"x": ["1"]}})
def test_any_template_parses_and_expands_or_raises_template_error(source, given_variables):
    try:
        template = parse_template(source)
        expanded = template.expand(given_variables)
    except TemplateError:
        return
    assert "{" not in expanded and "}" not in expanded.replace("%7D", "")


varspecs = st.from_regex(r"[a-z][a-z0-9_]{0,5}(:[1-9][0-9]?|\*)?", fullmatch=True)
expressions = st.builds(
    lambda operator, specs: "{" + operator + ",".join(specs) + "}",
    st.sampled_from(["", "+", "#", ".", "/", ";", "?", "&"]),
    st.lists(varspecs, min_size=1, max_size=3),
)
literals = st.text(alphabet="abc/-._~?=&:%20", max_size=6)
templates = st.lists(st.one_of(expressions, literals), min_size=1, max_size=5).map("".join)


@FUZZ
@given(templates, st.data())
def test_an_expanded_template_holds_no_brace(source, data):
    template = parse_template(source)
    given_variables = {
        name: data.draw(
            st.one_of(st.text(max_size=6), st.integers(), st.lists(st.text(max_size=3)))
        )
        for name in template.variables
    }
    expanded = template.expand(given_variables)
    assert "{" not in expanded and "}" not in expanded


absolute_urls = st.builds(
    lambda scheme, host, port, path, query, fragment: (
        f"{scheme}://{host}{port}{path}{query}{fragment}"
    ),
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z]{2,5}){0,2}", fullmatch=True),
    st.sampled_from(["", ":8080", ":443"]),
    st.lists(st.from_regex(r"[A-Za-z0-9._~%-]{0,8}", fullmatch=True), max_size=4).map(
        lambda parts: "".join("/" + p for p in parts)
    ),
    st.one_of(st.just(""), st.from_regex(r"\?[a-z0-9=&]{1,12}", fullmatch=True)),
    st.one_of(st.just(""), st.from_regex(r"#[a-z0-9]{1,6}", fullmatch=True)),
)


@FUZZ
@given(absolute_urls, st.one_of(st.none(), absolute_urls, st.text(max_size=20)))
def test_an_absolute_href_resolves_to_itself(href, base):
    assert Link("next", href, base=base).url() == href
    resource = Resource({"_links": {"next": {"href": href}}}, url=base)
    assert resource.link("next").url() == href


# -- the extremes ---------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [100, 1000, 1023, 5000])
def test_deeply_nested_documents_work_or_raise_a_halnav_error(depth):
    body = (
        '{"_links": {"self": {"href": "/x"}}, "deep": ' + "[" * depth + "]" * depth + "}"
    ).encode()
    try:
        document = decode(body, "application/json", URL, "GET")
    except InvalidDocument as error:
        assert URL in str(error)
        return
    resource = Resource(document, url=URL)
    exercise(resource, ["self", "deep"], {}, "/deep/0/0")


def test_deeply_nested_embedded_resources_work():
    document: dict[str, Any] = {"id": 0}
    for level in range(1, 300):
        document = {
            "id": level,
            "_embedded": {"child": document},
            "_links": {"self": {"href": f"/r/{level}"}},
        }
    resource = Resource(document, url=URL)
    depth = 0
    while resource.has("child"):
        resource = resource.embedded["child"]
        depth += 1
    assert depth == 299 and resource["id"] == 0
    exercise(Resource(document, url=URL), ["child"], {}, "/_embedded/child/id")


def test_a_huge_document_is_parsed_lazily_and_every_accessor_copes():
    items = [
        {
            "_links": {"self": {"href": f"/v1/orders/{i}"}},
            "id": i,
            "code": f"C{i}",
            "total": i * 1.5,
        }
        for i in range(10000)
    ]
    links = {f"rel{i}": {"href": f"/r/{i}"} for i in range(300)}
    links["self"] = {"href": URL}
    document = {"_links": links, "_embedded": {"items": items}, "blob": "x" * 1_000_000}
    resource = Resource(document, url=URL)
    assert sum(1 for _ in resource.iter_embedded("items")) == 10000
    assert len(resource.describe()) < 200_000 and len(repr(resource)) < 2000
    exercise(resource, ["rel299", "items"], {}, "/_embedded/items/9999/id")


def test_cyclic_looking_self_links_are_plain_data():
    document = {
        "_links": {"self": {"href": URL}, "next": {"href": URL}, "up": {"href": "."}},
        "_embedded": {"self": {"_links": {"self": {"href": URL}}, "_embedded": {"self": {}}}},
    }
    resource = Resource(document, url=URL)
    assert resource.link("next").url() == URL
    inner = resource.embedded["self"]
    assert inner.url == URL and inner.embedded["self"].url is None
    exercise(resource, ["self", "next", "up"], {}, "/_embedded/self")


@pytest.mark.parametrize(
    ("links", "pointer"),
    [
        ({"next": 42}, "/_links/next"),
        ({"next": [7, {"title": "no href"}]}, "/_links/next/0"),
        ({"next": {"title": "no href"}}, "/_links/next/href"),
        ({"next": {"href": 3}}, "/_links/next/href"),
    ],
)
def test_wrong_link_types_name_the_pointer(links, pointer):
    resource = Resource({"_links": links}, url=URL)
    with pytest.raises(InvalidDocument) as info:
        resource.link("next")
    assert info.value.pointer == pointer and info.value.url == URL and URL in str(info.value)
    assert not resource.has("next") or resource.has("next")  # never raises


def test_embedded_scalars_name_the_pointer():
    resource = Resource({"_embedded": {"items": [{"id": 1}, 2, "three"]}}, url=URL)
    items = resource.iter_embedded("items")
    assert next(items)["id"] == 1
    with pytest.raises(InvalidDocument) as info:
        next(items)
    assert info.value.pointer == "/_embedded/items/1"


@pytest.mark.parametrize(
    "href", ["http://[oops/", "http://[::1/x", "https://h.example:99999/", "http://h:port/"]
)
def test_a_malformed_href_is_a_halnav_error_not_a_value_error_from_urllib(href):
    link = Link("next", href, base=URL)
    with contextlib.suppress(HALNavError):
        link.url()


def test_template_variables_of_every_type_expand_or_raise_template_error():
    link = Link("search", "/v1/orders{?q,page,tags*,since,flag,extra}", base=URL, templated=True)
    url = link.url(
        q="a b/é",
        page=2,
        tags=["x", "y"],
        since=dt.date(2024, 1, 2),
        flag=True,
        extra={"k": "v"},
    )
    assert url.startswith("https://api.example/v1/orders?q=a%20b%2F%C3%A9&page=2&tags=x&tags=y")
    assert "since=2024-01-02" in url and "flag=true" in url
    with pytest.raises(TemplateError):
        link.url(unknown=1)


def test_every_public_error_is_a_halnav_error():
    for name in halnav.__all__:
        value = getattr(halnav, name)
        if isinstance(value, type) and issubclass(value, Exception):
            if issubclass(value, Warning):
                assert issubclass(value, halnav.HALNavWarning)
                continue
            assert issubclass(value, HALNavError)


# -- pointers, counts, Location headers ----------------------------------------------------------


@FUZZ
@given(json_values, pointers)
def test_a_pointer_finds_what_jsonpointer_finds_or_says_briefly_where_it_stopped(document, pointer):
    import jsonpointer

    resource = Resource({"data": document, "blob": "x" * 10_000}, url=URL)
    full = "/data" + pointer if pointer.startswith("/") else pointer
    try:
        expected = jsonpointer.resolve_pointer(resource.document, full)
    except jsonpointer.JsonPointerException:
        expected = None
    if isinstance(expected, jsonpointer.EndOfList):
        expected = None
    try:
        value = resource.pointer(full)
    except halnav.PropertyNotFound as exc:
        assert len(str(exc)) < 300 + 2 * len(full)  # never the document, nor the blob
        assert resource.pointer(full, None) is None
        assert expected is None
    else:
        assert not isinstance(value, jsonpointer.EndOfList)
        assert value is expected or value == expected


@FUZZ
@given(st.one_of(st.text(max_size=6), st.integers(), st.floats(), st.booleans(), st.none()))
def test_parse_count_gives_a_count_or_none(value):
    from halnav._pagination import parse_count

    count = parse_count(value)
    assert count is None or (type(count) is int and count >= 0)
    if isinstance(value, str) and count is not None:
        assert value.isascii() and int(value) == count


@FUZZ
@given(st.one_of(scalars, json_values), hrefs, st.text(max_size=12))
def test_any_page_number_or_last_link_plans_or_falls_back(page_value, last_href, location):
    from halnav._cache_rules import answer_locations as _locations
    from halnav._pagination import plan_pages

    link = Link("orders", "/v1/orders{?page}", base=URL, templated=True)
    document = {
        "page": page_value,
        "_links": {"next": {"href": "/v1/orders?page=2"}, "last": {"href": last_href}},
    }
    plan_pages(Resource(document, url=URL, via=(link, {})))  # a plan or None, never an error
    resource = Resource({}, url=URL, headers={"Location": location})
    with contextlib.suppress(InvalidDocument):
        assert resource.location is None if not location else isinstance(resource.location, str)
    assert all(isinstance(url, str) for url in _locations({"Location": location}, URL))
