"""HTTP behaviour: the seeds' headers, conditional GETs (304), keep-alive, methods, unknown paths."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from halnav.sandbox import SandboxURL

from .conftest import Api, errors_of


def test_seed_headers_on_every_json_answer(reader: Api, shared: SandboxURL) -> None:
    for href in (shared, reader.orders_url(), reader.shop()["_links"]["self"]["href"]):
        response = reader.get(href)
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        assert response.headers["Cache-Control"] == "must-revalidate, private, max-age=0"
        assert response.headers["X-OAuth-Scopes"] == "admin"
        etag = response.headers["ETag"]
        assert etag.startswith('"') and etag.endswith('"') and len(etag) == 34  # strong
        assert response.headers["Last-Modified"].endswith(" GMT")
        assert response.headers["Connection"] == "keep-alive"


def test_last_modified_of_a_page_is_its_newest_order(reader: Api) -> None:
    response = reader.get(reader.orders_url(), params={"per_page": 5})
    newest = max(order["updated_on"] for order in response.json()["_embedded"]["items"])
    from email.utils import parsedate_to_datetime

    stamp = parsedate_to_datetime(response.headers["Last-Modified"]).replace(tzinfo=None)
    assert stamp.isoformat() == newest


def test_same_content_same_etag(reader: Api) -> None:
    href = reader.orders_url() + "?per_page=3"
    first, second = reader.get(href), reader.get(href)
    assert first.content == second.content
    assert first.headers["ETag"] == second.headers["ETag"]
    assert reader.get(href + "&page=2").headers["ETag"] != first.headers["ETag"]


def test_if_none_match_answers_304(reader: Api) -> None:
    href = reader.orders_url() + "?per_page=3"
    etag = reader.get(href).headers["ETag"]
    response = reader.get(href, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == "must-revalidate, private, max-age=0"
    other = reader.get(href, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_if_modified_since_answers_304(reader: Api, shared: SandboxURL) -> None:
    response = reader.get(shared)
    since = response.headers["Last-Modified"]
    assert reader.get(shared, headers={"If-Modified-Since": since}).status_code == 304
    older = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert reader.get(shared, headers={"If-Modified-Since": older}).status_code == 200


def test_a_change_gives_a_new_etag(api: Api) -> None:
    href = f"{api.url.base_url}/v1/shops/{api.url.shop_id}/orders/{api.url.order_ids[0]}.json"
    etag = api.get(href).headers["ETag"]
    assert api.put(href, json={"tracking_code": "NEW-TRACKING"}).status_code == 200
    response = api.get(href, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.json()["tracking_code"] == "NEW-TRACKING"
    assert response.headers["ETag"] != etag


@pytest.fixture
def connection(shared: SandboxURL) -> Iterator[http.client.HTTPConnection]:
    parts = urlsplit(shared.base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    yield conn
    conn.close()


def test_keep_alive_serves_many_requests_on_one_connection(
    connection: http.client.HTTPConnection, shared: SandboxURL
) -> None:
    headers = {"Authorization": f"Bearer {shared.token}"}
    connection.request("GET", "/v1", headers=headers)
    first = connection.getresponse()
    assert first.version == 11
    assert first.getheader("Connection") == "keep-alive"
    first.read()
    sock = connection.sock
    # an answer that leaves the request body unread must not desynchronise the connection
    connection.request("POST", f"/v1/shops/{shared.shop_id}/orders", body=b'{"a": 1}' * 500)
    unauthorised = connection.getresponse()
    assert unauthorised.status == 401
    unauthorised.read()
    for _ in range(3):
        connection.request("GET", f"/v1/shops/{shared.shop_id}/orders.json", headers=headers)
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Length") == str(len(response.read()))
    assert connection.sock is sock  # never reconnected


def test_connection_close_is_honoured(
    connection: http.client.HTTPConnection, shared: SandboxURL
) -> None:
    connection.request("GET", "/v1", headers={"Connection": "close"})
    response = connection.getresponse()
    assert response.getheader("Connection") == "close"
    response.read()


def test_head_has_headers_and_no_body(reader: Api, shared: SandboxURL) -> None:
    response = reader.head(shared)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["ETag"] == reader.get(shared).headers["ETag"]


def test_wrong_method_is_405_with_allow(reader: Api) -> None:
    response = reader.delete(reader.orders_url())
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "method" in errors_of(response)


def test_unknown_path_is_404_json(reader: Api, shared: SandboxURL) -> None:
    response = reader.get(shared.base_url + "/v2/nothing")
    assert response.status_code == 404
    assert errors_of(response)["path"] == ["Nothing at /v2/nothing"]
