"""The client over HTTP (mocked with responses): requests made, answers turned into resources."""

from __future__ import annotations

import json
import re
import threading
import warnings

import pytest
import requests
import responses
from responses import matchers

import halnav

from .helpers import API, ROOT, page_document, root_document

HAL = "application/hal+json"


@pytest.fixture
def client():
    with halnav.Client(ROOT, token="s3cr3t-token", retries=0) as c:
        yield c


def test_root_and_get_send_the_documented_headers(rsps, client):
    rsps.get(ROOT, json=root_document(), content_type=HAL)
    rsps.get(
        f"{ROOT}/shops/1/orders.json",
        match=[matchers.query_param_matcher({"status": "pending", "page": "2"})],
        json={},
    )
    root = client.root()
    assert root.url == ROOT and root["user_name"] == "joe" and root.status_code == 200
    client.get("/v1/shops/1/orders.json", status="pending", page=2)
    first = rsps.calls[0].request
    assert first.headers["Accept"] == "application/hal+json, application/json;q=0.9, */*;q=0.1"
    assert first.headers["User-Agent"].startswith(f"halnav/{halnav.__version__}")
    assert first.headers["Authorization"] == "Bearer s3cr3t-token"
    assert "Content-Type" not in first.headers
    assert rsps.calls[0].request.req_kwargs["timeout"] == (5.0, 30.0)


def test_timeout_and_headers_are_overridable(rsps):
    rsps.get(ROOT, json={})
    with halnav.Client(ROOT, timeout=2.5, headers={"X-Trace": "1"}) as c:
        c.root()
    request = rsps.calls[0].request
    assert request.req_kwargs["timeout"] == 2.5
    assert request.headers["X-Trace"] == "1"
    assert "Authorization" not in request.headers


def test_a_given_session_is_used_for_every_request(rsps):
    session = requests.Session()
    session.headers["X-From-Session"] = "yes"
    rsps.get(ROOT, json=root_document())
    rsps.get(f"{ROOT}/shops/3.json", json={"id": 3})
    client = halnav.Client(ROOT, session=session)
    assert client.session is session
    client.root().follow("btc:shop", id=3)
    assert all(call.request.headers["X-From-Session"] == "yes" for call in rsps.calls)


def test_auth_object_is_scoped_like_a_token(rsps):
    rsps.get(ROOT, json={"_links": {"x": {"href": "https://elsewhere.test/x"}}})
    rsps.get("https://elsewhere.test/x", json={})
    client = halnav.Client(ROOT, auth=requests.auth.HTTPBasicAuth("user", "pw"))
    client.root().follow("x")
    assert rsps.calls[0].request.headers["Authorization"].startswith("Basic ")
    assert "Authorization" not in rsps.calls[1].request.headers


# 6. embedded instead of a request -------------------------------------------------------------


def test_follow_uses_the_embedded_resource_without_a_request(rsps, client):
    root = halnav.Resource(
        {
            "_links": {
                "btc:shop": {"href": "/v1/shops/{id}.json", "templated": True},
                "shop": {"href": "/s"},
            },
            "_embedded": {
                "shop": {"_links": {"self": {"href": "/v1/shops/1.json"}}, "id": 1},
                "shops": [{"id": 5}],
            },
        },
        url=ROOT,
        client=client,
    )
    assert root.follow("shop")["id"] == 1
    assert root.follow("shops")["id"] == 5
    assert len(rsps.calls) == 0
    rsps.get(f"{ROOT}/shops/9.json", json={"id": 9})
    assert root.follow("btc:shop", id=9)["id"] == 9


# 7. invoke and its methods ---------------------------------------------------------------------


def order_resource(client, fixture_doc):
    return halnav.Resource(
        fixture_doc("created_order.json"), url=f"{API}/v1/shops/10/orders", client=client
    )


def test_invoke_uses_the_links_method_and_sends_json(rsps, client, fixture_doc):
    order = order_resource(client, fixture_doc)
    updated = {**fixture_doc("created_order.json"), "status": "closed"}
    rsps.put(
        f"{API}/v1/shops/10/orders/R1C3964",
        json=updated,
        match=[matchers.json_params_matcher({"status": "closed"})],
    )
    result = order.invoke("btc:update_order", json={"status": "closed"})
    assert result["status"] == "closed"
    request = rsps.calls[0].request
    assert request.method == "PUT"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {"status": "closed"}


def test_invoke_method_is_case_insensitive_and_overridable(rsps, client):
    shop = halnav.Resource(
        {
            "_links": {
                "btc:create_order": {"href": "/v1/shops/1/orders", "method": "post"},
                "self": {"href": "/v1/shops/1.json"},
            }
        },
        url=f"{ROOT}/shops/1.json",
        client=client,
    )
    rsps.post(
        f"{ROOT}/shops/1/orders",
        status=201,
        json={"id": 1, "status": "checkout"},
        headers={"Location": "/v1/shops/1/orders/1.json"},
    )
    created = shop.invoke("create_order", json={"line_items": []})
    assert created.status_code == 201 and created["status"] == "checkout"
    assert created.location == f"{ROOT}/shops/1/orders/1.json"
    rsps.delete(f"{ROOT}/shops/1.json", status=204)
    gone = shop.invoke("self", method="delete")
    assert gone.status_code == 204 and gone.properties == {} and gone.document is None
    rsps.get(f"{ROOT}/shops/1.json", json={"id": 1})
    assert shop.invoke("self")["id"] == 1


def test_201_without_body_gives_a_resource_that_says_so(rsps, client):
    rsps.post(f"{ROOT}/things", status=201, headers={"Location": "/v1/things/9"})
    rsps.get(f"{ROOT}/things/9", json={"id": 9})
    created = client.request("POST", "/v1/things", json={"a": 1})
    assert created.status_code == 201
    assert created.headers["Location"] == "/v1/things/9"
    assert created.location == f"{ROOT}/things/9"
    assert created.properties == {} and created.rels == []
    assert created.refresh()["id"] == 9


def test_get_never_carries_a_content_type(rsps, client):
    rsps.get(ROOT, json=root_document())
    rsps.get(f"{ROOT}/shops/1.json", json={})
    client.root().invoke("btc:shop", id=1)
    assert all("Content-Type" not in call.request.headers for call in rsps.calls)


# 8. lazy pagination ----------------------------------------------------------------------------


def test_pages_and_iterate_fetch_only_what_is_consumed():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        base = f"{ROOT}/shops/1/orders.json"

        def serve_page(request):
            number = int(request.url.rsplit("=", 1)[1])
            return 200, {"Content-Type": HAL}, json.dumps(page_document(number, 290))

        rsps.add_callback(
            responses.GET, re.compile(rf"{re.escape(base)}\?page=\d+"), callback=serve_page
        )
        client = halnav.Client(ROOT)
        first = client.get(f"{base}?page=1")
        items = first.iterate("items")
        taken = [next(items) for _ in range(2)]
        assert [item["id"] for item in taken] == [10, 11]
        assert len(rsps.calls) == 1
        assert next(items)["id"] == 20
        assert len(rsps.calls) == 2
        pages = list(first.pages())
        assert [page["page"] for page in pages] == list(range(1, 291))
        assert pages[-1].has("next") is False
        all_ids = [item["id"] for item in first.iterate()]
        assert len(all_ids) == 580 and len(set(all_ids)) == 580


def test_iterate_names_the_embedded_rels_when_the_rel_is_wrong(rsps, client):
    rsps.get(ROOT, json={"_embedded": {"orders": []}})
    with pytest.raises(halnav.LinkNotFound) as info:
        list(client.root().iterate("items"))
    assert "orders" in str(info.value)


# 9. deprecation -------------------------------------------------------------------------------


def test_following_a_deprecated_link_warns(rsps, client):
    rsps.get(
        ROOT, json={"_links": {"btc:old": {"href": "/old", "deprecation": "https://docs.test/old"}}}
    )
    rsps.get(f"{API}/old", json={})
    root = client.root()
    with pytest.warns(halnav.DeprecatedLinkWarning) as record:
        root.follow("btc:old")
    message = str(record[0].message)
    assert "btc:old" in message and "https://docs.test/old" in message
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        root.link("btc:old")  # looking is fine; only following warns


# 10. non-JSON answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html; charset=utf-8", b"<html><body>Pagar</body></html>"),
        ("text/csv", b"id,code\n1,R1\n"),
        ("image/png", b"\x89PNG\r\n\x1a\n\x00\x00"),
    ],
)
def test_non_json_answers_give_a_resource_with_the_raw_body(rsps, client, content_type, body):
    rsps.get(f"{API}/page", body=body, content_type=content_type)
    res = client.get("/page")
    assert res.properties == {} and res.document is None and res.rels == []
    assert res.content == body and res.content_type == content_type
    assert res.text == body.decode("utf-8", errors="replace")
    assert "bytes" in repr(res)


def test_json_that_does_not_parse_is_an_invalid_document(rsps, client):
    rsps.get(f"{API}/broken", body=b'{"_links": {"self": ', content_type="application/hal+json")
    with pytest.raises(halnav.InvalidDocument) as info:
        client.get("/broken")
    message = str(info.value)
    assert f"{API}/broken" in message and "line 1" in message and "column" in message
    assert info.value.url == f"{API}/broken"


# 11. errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, halnav.BadRequest),
        (401, halnav.Unauthorized),
        (403, halnav.Forbidden),
        (404, halnav.NotFound),
        (405, halnav.MethodNotAllowed),
        (409, halnav.Conflict),
        (410, halnav.Gone),
        (412, halnav.PreconditionFailed),
        (415, halnav.UnsupportedMediaType),
        (422, halnav.UnprocessableEntity),
        (428, halnav.PreconditionRequired),
        (429, halnav.TooManyRequests),
        (500, halnav.ServerError),
        (503, halnav.ServerError),
        (418, halnav.HTTPError),
    ],
)
def test_error_statuses_map_to_exception_classes(rsps, client, fixture_doc, status, cls):
    rsps.post(f"{ROOT}/shops/1/orders", status=status, json=fixture_doc("create_order_422.json"))
    with pytest.raises(cls) as info:
        client.request("POST", f"{ROOT}/shops/1/orders", json={"line_items": []})
    error = info.value
    assert type(error) is cls and isinstance(error, halnav.HALNavError)
    assert (error.status_code, error.method, error.url) == (
        status,
        "POST",
        f"{ROOT}/shops/1/orders",
    )
    # Normalised (issue 11): the entry's own "_class" stays in error.resource.document.
    assert error.errors == [
        {"field": "variant.id", "messages": ["Variant 32222 does not exist in this shop"]}
    ]
    assert error.resource is not None and error.resource.status_code == status
    assert "variant.id: Variant 32222 does not exist in this shop" in str(error)
    assert str(status) in str(error) and "s3cr3t" not in str(error)


def test_error_without_errors_body_has_an_empty_list(rsps, client):
    rsps.get(f"{API}/x", status=404, body="Not here", content_type="text/plain")
    with pytest.raises(halnav.NotFound) as info:
        client.get("/x")
    assert info.value.errors == [] and "Not here" in str(info.value)


def test_connection_failures_and_timeouts_are_transport_errors(rsps, client):
    rsps.get(f"{API}/down", body=requests.ConnectionError("connection refused"))
    rsps.get(f"{API}/slow", body=requests.ReadTimeout("read timed out"))
    with pytest.raises(halnav.TransportError) as info:
        client.get("/down")
    assert "GET https://api.bootic.net/down" in str(info.value) and "refused" in str(info.value)
    with pytest.raises(halnav.TransportError) as info:
        client.get("/slow")
    assert "timed out" in str(info.value)
    assert isinstance(info.value.__cause__, requests.ReadTimeout)


@pytest.mark.parametrize("url", ["ftp://files.example/orders.csv", "mailto:shop@example.org"])
def test_a_url_that_is_not_http_is_a_transport_error_naming_it(rsps, client, url):
    with pytest.raises(halnav.TransportError) as info:
        client.get(url)
    message = str(info.value)
    assert message.startswith(f"GET {url} not sent") and "only http:// and https://" in message
    assert info.value.url == url and info.value.method == "GET"
    with pytest.raises(halnav.TransportError) as info:
        client.request("POST", url, json={"a": 1})
    assert "POST" in str(info.value) and "not sent" in str(info.value)
    assert len(rsps.calls) == 0


def test_following_a_mailto_link_is_a_transport_error(rsps, client):
    rsps.get(ROOT, json=root_document(contact={"href": "mailto:shop@example.org"}))
    with pytest.raises(halnav.TransportError, match="only http:// and https://"):
        client.root().follow("contact")


# 12. credentials -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "authorized"),
    [
        (f"{API}/v1/shops/1.json", True),
        ("https://API.BOOTIC.NET:443/v1/x", True),
        ("https://checkout.bootic.net/orders/SF6A15D", False),
        ("http://api.bootic.net/v1/x", False),
        ("https://api.bootic.net:8443/v1/x", False),
        ("https://evil.test/?https://api.bootic.net", False),
    ],
)
def test_token_goes_only_to_the_root_origin(rsps, client, url, authorized):
    rsps.get(url, json={})
    client.get(url)
    header = rsps.calls[0].request.headers.get("Authorization")
    assert (header == "Bearer s3cr3t-token") if authorized else header is None
    assert client.authenticates(url) is authorized


def test_following_the_checkout_link_sends_no_token(rsps, client, fixture_doc):
    order = halnav.Resource(
        fixture_doc("order.json"), url=f"{API}/v1/shops/10/orders/20.json", client=client
    )
    rsps.get(
        "https://checkout.bootic.net/orders/SF6A15D",
        body="<html>pay</html>",
        content_type="text/html",
    )
    rsps.get(
        "http://simplelist.bootic.net/cart/SF6A15D",
        body="<html>cart</html>",
        content_type="text/html",
    )
    rsps.get(f"{API}/v1/shops/10.json", json={"id": 10})
    assert "pay" in order.follow("btc:web_checkout").text
    order.follow("btc:web_cart")
    order.follow("shop")
    headers = [call.request.headers.get("Authorization") for call in rsps.calls]
    assert headers == [None, None, "Bearer s3cr3t-token"]


def test_the_token_never_shows_in_reprs_or_messages(rsps, client):
    rsps.get(
        ROOT, status=401, json={}, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
    )
    assert "s3cr3t" not in repr(client) and "hidden" in repr(client)
    with pytest.raises(halnav.Unauthorized) as info:
        client.root()
    assert "s3cr3t" not in str(info.value) and "s3cr3t" not in repr(info.value)
    assert "s3cr3t" not in repr(info.value.resource)


# 15. threads -----------------------------------------------------------------------------------


def test_a_client_is_shared_by_threads_reading_concurrently(rsps, client):
    for number in range(1, 21):
        rsps.get(
            f"{ROOT}/shops/{number}.json",
            json={"id": number, "_links": {"self": {"href": f"/v1/shops/{number}.json"}}},
        )
    results: dict[int, int] = {}
    errors: list[BaseException] = []

    def fetch(number: int) -> None:
        try:
            results[number] = client.get(f"{ROOT}/shops/{number}.json")["id"]
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=fetch, args=(n,)) for n in range(1, 21)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == {n: n for n in range(1, 21)}


def test_a_url_urllib_cannot_parse_is_a_transport_error_without_its_secret(client):
    with pytest.raises(halnav.TransportError) as info:
        client.get("http://[::1/x?access_token=SECRET-IN-URL")
    assert "not a valid URL" in str(info.value) and "SECRET-IN-URL" not in str(info.value)
