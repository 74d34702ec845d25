"""HTTP behaviour: the seeds' headers, conditional GETs (304), keep-alive, methods, unknown paths."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from werkzeug.test import Client

from halnav.sandbox import SandboxURL, make_app
from halnav.sandbox import _orders as orders_module

from .conftest import Api, message_of

ADMIN = {"Authorization": "Bearer sandbox-shop1-admin-token"}


def _stamp(header: str) -> str:
    """An HTTP date as the API writes dates (``2013-10-19T11:06:18``)."""
    return parsedate_to_datetime(header).replace(tzinfo=None).isoformat()


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


def test_last_modified_of_a_page_is_the_newest_order_of_its_shop(
    reader: Api, shared: SandboxURL
) -> None:
    # Not only of the page's orders: an order leaving a filtered page must still move it.
    (newest,) = shared.db.query(
        "SELECT MAX(updated_on) FROM orders WHERE shop_id = ?", (shared.shop_id,)
    )[0]
    for params in ({"per_page": 5}, {"status": "pending", "per_page": 2}, {"page": 2}):
        response = reader.get(reader.orders_url(), params=params)
        assert _stamp(response.headers["Last-Modified"]) == newest
        items = response.json()["_embedded"]["items"]
        assert all(order["updated_on"] <= newest + "Z" for order in items)
    order = reader.get(reader.orders_url(), params={"per_page": 1}).json()["_embedded"]["items"][0]
    entity = reader.get(order["_links"]["self"]["href"])
    assert _stamp(entity.headers["Last-Modified"]) == newest


def test_an_order_leaving_a_filtered_page_is_no_304(api: Api) -> None:
    orders = api.orders_url()
    page = api.get(orders, params={"status": "pending"})
    assert page.status_code == 200
    since = page.headers["Last-Modified"]
    first = page.json()["_embedded"]["items"][0]["id"]
    updaters = api.shop()["_links"]["btc:update_orders"]["href"]
    closed = api.post(updaters, json={"ids": [first], "additions": {"status": "closed"}})
    assert [item["id"] for item in closed.json()["_embedded"]["valid_items"]] == [first]
    again = api.get(orders, params={"status": "pending"}, headers={"If-Modified-Since": since})
    assert again.status_code == 200
    assert first not in [item["id"] for item in again.json()["_embedded"]["items"]]
    assert parsedate_to_datetime(again.headers["Last-Modified"]) > parsedate_to_datetime(since)
    # and the new date is a validator again
    current = {"If-Modified-Since": again.headers["Last-Modified"]}
    assert api.get(orders, params={"status": "pending"}, headers=current).status_code == 304


def test_if_none_match_decides_when_present(reader: Api) -> None:
    # RFC 9110 13.1.3: a server ignores If-Modified-Since when If-None-Match is present.
    href = reader.orders_url() + "?per_page=3"
    first = reader.get(href)
    etag, since = first.headers["ETag"], first.headers["Last-Modified"]
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    stale = {"If-None-Match": '"something-else"', "If-Modified-Since": since}
    assert reader.get(href, headers=stale).status_code == 200
    current = {"If-None-Match": etag, "If-Modified-Since": old}
    assert reader.get(href, headers=current).status_code == 304
    assert reader.get(href, headers={"If-None-Match": "*"}).status_code == 304
    assert reader.get(href, headers={"If-None-Match": f"W/{etag}"}).status_code == 304


@pytest.fixture
def frozen_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Client, list[str]]]:
    """The app alone, with the clock of its writes set by the test (``clock[0]``)."""
    clock = ["2030-01-02T03:04:05"]
    monkeypatch.setattr(orders_module, "now", lambda: clock[0])
    app = make_app(orders=20, seed=4)
    yield Client(app), clock
    app.close()


def test_two_writes_in_one_second_make_its_date_no_proof(
    frozen_app: tuple[Client, list[str]],
) -> None:
    client, clock = frozen_app
    order_id = client.application.db.query("SELECT id FROM orders WHERE shop_id = 29")[0][0]
    href = f"/v1/shops/29/orders/{order_id}.json"
    tracking = client.get(href, headers=ADMIN).json["_links"]["btc:update_order_tracking"]["href"]
    put = urlsplit(tracking).path

    def get(**headers: str) -> Any:
        return client.get(href, headers={**ADMIN, **headers})

    assert client.put(put, json={"tracking_code": "A"}, headers=ADMIN).status_code == 200
    copy = get()
    since = copy.headers["Last-Modified"]
    assert _stamp(since) == clock[0]
    assert get(**{"If-Modified-Since": since}).status_code == 304  # one write: a proof
    # a second write within the same second: the copy stamped with it is outdated
    assert client.put(put, json={"tracking_code": "B"}, headers=ADMIN).status_code == 200
    answer = get(**{"If-Modified-Since": since})
    assert answer.status_code == 200
    assert answer.json["tracking_code"] == "B"
    assert answer.headers["Last-Modified"] == since
    assert get(**{"If-None-Match": answer.headers["ETag"]}).status_code == 304  # ETags still do
    # a write in a later second makes dates proofs again
    clock[0] = "2030-01-02T03:04:06"
    assert client.put(put, json={"tracking_code": "C"}, headers=ADMIN).status_code == 200
    later = get().headers["Last-Modified"]
    assert _stamp(later) == clock[0]
    assert get(**{"If-Modified-Since": since}).status_code == 200
    assert get(**{"If-Modified-Since": later}).status_code == 304


def test_an_order_changed_by_its_contact_is_no_304(frozen_app: tuple[Client, list[str]]) -> None:
    # Creating an order may rename its contact, and so change every order of that contact.
    client, clock = frozen_app
    db = client.application.db
    order_id, email = db.query(
        "SELECT o.id, c.email FROM orders o JOIN contacts c ON c.id = o.contact_id"
        " WHERE o.shop_id = 29 LIMIT 1"
    )[0]
    href = f"/v1/shops/29/orders/{order_id}.json"
    copy = client.get(href, headers=ADMIN)
    since = copy.headers["Last-Modified"]
    variant = db.query("SELECT id FROM variants WHERE shop_id = 29 LIMIT 1")[0][0]
    body = {
        "line_items": [{"variant_id": variant, "units": 1}],
        "contact": {"email": email, "name": "Renamed Contact"},
    }
    assert client.post("/v1/shops/29/orders", json=body, headers=ADMIN).status_code == 201
    answer = client.get(href, headers={**ADMIN, "If-Modified-Since": since})
    assert answer.status_code == 200
    assert answer.json["_embedded"]["contact"]["name"] == "Renamed Contact"
    assert answer.json["updated_on"] == copy.json["updated_on"]  # the order's own date stays


def test_errors_carry_etag_and_last_modified(reader: Api, shared: SandboxURL) -> None:
    # As the create-order page's 422 does.
    create = reader.shop()["_links"]["btc:create_order"]["href"]
    answers = {
        422: reader.post(create, json={"line_items": []}),
        404: reader.get(f"{shared.base_url}/v1/shops/{shared.shop_id}/orders/12.json"),
        400: reader.get(reader.orders_url(), params={"per_page": "x"}),
        401: reader.get(shared, headers={"Authorization": "Bearer nope"}),
        405: reader.delete(reader.orders_url()),
    }
    for status, response in answers.items():
        assert response.status_code == status
        assert response.headers["ETag"].startswith('"'), status
        assert response.headers["Last-Modified"].endswith(" GMT"), status
        assert response.headers["Cache-Control"] == "must-revalidate, private, max-age=0"


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
    tracking = api.doc(href)["_links"]["btc:update_order_tracking"]["href"]
    assert api.put(tracking, json={"tracking_code": "NEW-TRACKING"}).status_code == 200
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
    assert message_of(response) == "DELETE is not allowed here; allowed: GET, HEAD"


def test_unknown_path_is_404_json(reader: Api, shared: SandboxURL) -> None:
    response = reader.get(shared.base_url + "/v2/nothing")
    assert response.status_code == 404
    assert message_of(response) == "Nothing at /v2/nothing"


def test_a_page_is_rendered_once_until_a_write_retires_it() -> None:
    app = make_app(orders=60, seed=0)
    client = Client(app)
    url = "/v1/shops/29/orders.json?per_page=5&status=pending"
    first = client.get(url, headers=ADMIN)
    again = client.get(url, headers=ADMIN)
    assert first.data == again.data and len(app.pages) == 1
    order = first.json["_embedded"]["items"][0]
    href = urlsplit(order["_links"]["btc:update_order_tracking"]["href"]).path
    assert client.put(href, json={"status": "closed"}, headers=ADMIN).status_code == 200
    after = client.get(url, headers=ADMIN)
    ids = [item["id"] for item in after.json["_embedded"]["items"]]
    assert order["id"] not in ids and after.json["total_items"] == first.json["total_items"] - 1
    other_host = client.get(url, headers={**ADMIN, "Host": "localhost:9"})
    assert (
        b"http://localhost:9/" in other_host.data
    )  # links name the host asked, never a cached one
    app.close()


def test_a_page_asked_for_with_its_arguments_in_any_order_is_the_same_page() -> None:
    app = make_app(orders=60, seed=0)
    client = Client(app)
    base = "/v1/shops/29/orders.json"
    written = client.get(f"{base}?status=all&per_page=2&page=2", headers=ADMIN)
    expanded = client.get(f"{base}?page=2&status=all&per_page=2", headers=ADMIN)
    swapped = client.get(f"{base}?per_page=2&status=all&page=2&unknown=1&q=", headers=ADMIN)
    defaults = client.get(
        f"{base}?sort=created_on.desc&status=all&distance=5km&per_page=2&page=2", headers=ADMIN
    )
    assert written.data == expanded.data == swapped.data == defaults.data
    assert len(app.pages) == 1
    # the links carry one canonical form: names sorted, the server's defaults included
    assert written.json["_links"]["next"]["href"].endswith(
        "?distance=5km&page=3&per_page=2&sort=created_on.desc&status=all"
    )
    app.close()
