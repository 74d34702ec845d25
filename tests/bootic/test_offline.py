"""The layer's requests and its handling of failures, with ``responses`` standing in for a server."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests
import responses
from responses import matchers

from halnav import LinkNotFound, Resource, ServerError, TransportError, UnprocessableEntity
from halnav.bootic import (
    BooticClient,
    CreateOutcomeUnknown,
    InvalidFilter,
    Order,
    OrderPage,
    Shop,
    UpdateOutcomeUnknown,
    UpdateResult,
)

from .documents import (
    API,
    CREATE_URL,
    ORDERS_URL,
    ROOT,
    UPDATERS_URL,
    make_shop,
    order_document,
    serve_unfiltered,
    shop_document,
)


def update_answer(valid, invalid=()):
    return {
        "_embedded": {
            "valid_items": [order_document(i) for i in valid],
            "invalid_items": [
                order_document(
                    i,
                    "pending",
                    _embedded={"errors": [{"field": "id", "messages": [f"order {i} not found"]}]},
                )
                for i in invalid
            ],
        },
        "additions": {"status": "shipped"},
        "ids": [*valid, *invalid],
    }


@pytest.mark.parametrize(
    "call",
    [
        lambda shop: shop.orders(state="pending"),  # the btc:orders template cannot carry it
        lambda shop: shop.orders(state=None),  # left out, but misspelt all the same
        lambda shop: shop.orders(closed_on_gte="yesterday"),
        lambda shop: shop.orders(per_page=0),
        lambda shop: shop.update_orders([1, 2], status="successful"),
        lambda shop: shop.update_orders([1, 2], status="checkout"),
    ],
)
def test_filters_and_statuses_are_refused_before_any_request(call):
    shop = make_shop()
    with responses.RequestsMock() as rsps:
        with pytest.raises(InvalidFilter) as caught:
            call(shop)
        assert len(rsps.calls) == 0
    assert caught.value.name in ("state", "status", "per_page", "closed_on_gte")


@pytest.mark.parametrize(
    "call",
    [
        lambda shop: shop.orders(status="open"),
        lambda shop: shop.orders(sort="newest"),
        lambda shop: list(shop.iter_orders(status=["closed", "lost"])),
    ],
)
def test_values_are_refused_once_the_server_s_declaration_is_read_and_never_sent(call):
    shop = make_shop()
    with responses.RequestsMock() as rsps:
        serve_unfiltered(rsps)  # this server declares no form: the documented values decide
        with pytest.raises(InvalidFilter) as caught:
            call(shop)
        assert [c.request.url for c in rsps.calls] == [ORDERS_URL]  # no filter was sent
    assert caught.value.name in ("status", "sort")


def test_filters_fill_the_orders_template_and_dates_may_be_date_objects():
    shop = make_shop()
    with responses.RequestsMock() as rsps:
        serve_unfiltered(rsps)
        rsps.get(
            ORDERS_URL,
            match=[
                matchers.query_param_matcher(
                    {
                        "status": "successful",
                        "closed_on_gte": "2016-05-10",
                        "sort": "closed_on.asc",
                        "per_page": "2",
                    }
                )
            ],
            json={
                "_links": {"self": {"href": f"{ORDERS_URL}?per_page=2"}},
                "total_items": 2,
                "per_page": 2,
                "page": 1,
                "_embedded": {"items": [order_document(1), order_document(2)]},
            },
        )
        orders = list(
            shop.iter_orders(
                status="successful",
                closed_on_gte=dt.date(2016, 5, 10),
                sort="closed_on.asc",
                per_page=2,
            )
        )
    assert [order.id for order in orders] == [1, 2]
    assert all(type(order) is Order for order in orders)
    # The first filtered query read the server's declaration once: the next ones do not.
    with responses.RequestsMock() as rsps:
        rsps.get(
            ORDERS_URL,
            match=[matchers.query_param_matcher({"status": "pending"})],
            json={"total_items": 0, "_embedded": {"items": []}},
        )
        assert shop.orders(status="pending").orders == []
        assert len(rsps.calls) == 1


def test_orders_returns_an_order_page():
    shop = make_shop()
    with responses.RequestsMock() as rsps:
        rsps.get(
            ORDERS_URL,
            json={"total_items": 1, "_embedded": {"items": [order_document(7)]}},
        )
        page = shop.orders()
    assert isinstance(page, OrderPage)
    assert page.total_items == 1 and [o.code for o in page.orders] == ["C7"]


def test_update_orders_sends_the_documented_body():
    shop = make_shop()
    with responses.RequestsMock() as rsps:
        rsps.post(UPDATERS_URL, json=update_answer([577048, 12001]))
        result = shop.update_orders([577048, "12001", 577048], status="shipped")
        sent = json.loads(rsps.calls[0].request.body)
        assert rsps.calls[0].request.headers["Content-Type"] == "application/json"
    assert sent == {"ids": [577048, 12001], "additions": {"status": "shipped"}}
    assert isinstance(result, UpdateResult)
    assert [o.id for o in result.valid_items] == [577048, 12001]
    assert result.invalid_items == [] and result.ok


def test_the_bulk_rel_may_be_spelled_update_orders_with_a_hyphen():
    shop = make_shop(shop_document(update_rel="btc:update-orders"))
    with responses.RequestsMock() as rsps:
        rsps.post(UPDATERS_URL, json=update_answer([5], invalid=[6]))
        result = shop.update_orders([5, 6], status="shipped")
    assert [o.id for o in result.valid_items] == [5]
    [refused] = result.invalid_items
    assert refused.id == 6
    assert refused.errors == [{"field": "id", "messages": ["order 6 not found"]}]


@pytest.mark.parametrize(
    ("failure", "cause"),
    [
        ({"status": 500, "json": {"message": "boom"}}, ServerError),
        ({"status": 502, "body": "bad gateway"}, ServerError),
        ({"body": requests.exceptions.ConnectionError("connection reset")}, TransportError),
    ],
)
def test_a_bulk_update_without_an_answer_names_every_id_sent(failure, cause):
    shop = make_shop()
    with responses.RequestsMock() as rsps:
        rsps.post(UPDATERS_URL, **failure)
        with pytest.raises(UpdateOutcomeUnknown) as caught:
            shop.update_orders([577048, 12001], status="shipped")
        assert len(rsps.calls) == 1  # a POST is never sent twice
    error = caught.value
    assert error.ids == [577048, 12001]
    assert isinstance(error.__cause__, cause)
    assert "unknown" in str(error) and "577048, 12001" in str(error)


def test_an_answer_that_forgets_an_id_is_an_unknown_outcome_for_that_id():
    shop = make_shop()
    with responses.RequestsMock() as rsps:
        rsps.post(UPDATERS_URL, json=update_answer([1]))
        with pytest.raises(UpdateOutcomeUnknown) as caught:
            shop.update_orders([1, 2], status="shipped")
    assert caught.value.ids == [2]
    assert [o.id for o in caught.value.result.valid_items] == [1]
    assert "neither as valid nor invalid: 2" in str(caught.value)


def test_create_order_sends_the_documented_body():
    shop = make_shop()
    created = order_document(
        583085,
        "checkout",
        _links={
            "self": {"href": "/v1/shops/1/orders/583085"},
            "btc:update_order": {"href": "/v1/shops/1/orders/583085", "method": "put"},
            "btc:web_checkout": {"href": "https://checkout.example/orders/C1", "type": "text/html"},
            "btc:web_cart": {"href": "/cart/C1", "type": "text/html"},
        },
    )
    with responses.RequestsMock() as rsps:
        rsps.post(CREATE_URL, json=created, status=201)
        order = shop.create_order(
            [{"variant_id": 1234, "units": 3}], contact={"email": "joe@bloggs.com"}, address=35666
        )
        sent = json.loads(rsps.calls[0].request.body)
    assert sent == {
        "line_items": [{"variant_id": 1234, "units": 3}],
        "contact": {"email": "joe@bloggs.com"},
        "address": {"id": 35666},
    }
    assert isinstance(order, Order) and order.status == "checkout"
    assert order.checkout_url == "https://checkout.example/orders/C1"
    assert order.cart_url == f"{API}/cart/C1"  # resolved against the order's URL


def test_a_422_on_create_carries_the_fields_and_messages(fixture_doc):
    shop = make_shop()
    with responses.RequestsMock() as rsps:
        rsps.post(CREATE_URL, json=fixture_doc("create_order_422.json"), status=422)
        with pytest.raises(UnprocessableEntity) as caught:
            shop.create_order([{"variant_id": 32222, "units": 1}])
    assert caught.value.errors == [  # normalised by the core (issue 11)
        {"field": "variant.id", "messages": ["Variant 32222 does not exist in this shop"]}
    ]
    assert "variant.id: Variant 32222 does not exist" in str(caught.value)


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 503, "body": "unavailable"},
        {"body": requests.exceptions.ReadTimeout("read timed out")},
    ],
)
def test_a_create_without_an_answer_says_an_order_may_exist(failure):
    shop = make_shop()
    with responses.RequestsMock() as rsps:
        rsps.post(CREATE_URL, **failure)
        with pytest.raises(CreateOutcomeUnknown) as caught:
            shop.create_order([{"variant_id": 1, "units": 1}])
        assert len(rsps.calls) == 1
    assert "may or may not have been created" in str(caught.value)
    assert caught.value.body == {"line_items": [{"variant_id": 1, "units": 1}]}
    assert isinstance(caught.value.__cause__, (ServerError, TransportError))


def test_an_embedded_order_without_the_update_link_is_fetched_first():
    shop = make_shop()
    full = order_document(
        9,
        "checkout",
        _links={
            "self": {"href": "/v1/shops/1/orders/9.json"},
            "btc:update_order": {"href": "/v1/shops/1/orders/9.json", "method": "put"},
        },
    )
    items = [{"variant_id": 3, "units": 2}]
    with responses.RequestsMock() as rsps:
        rsps.get(ORDERS_URL, json={"_embedded": {"items": [order_document(9, "checkout")]}})
        rsps.get(f"{ROOT}/shops/1/orders/9.json", json=full)
        rsps.put(
            f"{ROOT}/shops/1/orders/9.json",
            json={**full, "line_items_count": 1},
            match=[matchers.json_params_matcher({"line_items": items})],
        )
        [order] = shop.orders().orders
        updated = order.update(line_items=items)
    assert isinstance(updated, Order) and updated["line_items_count"] == 1


def test_a_plain_orders_link_takes_the_filters_as_query_parameters():
    document = shop_document()
    document["_links"]["btc:orders"] = {"href": "/v1/shops/1/orders.json"}
    shop = make_shop(document)
    with responses.RequestsMock() as rsps:
        serve_unfiltered(rsps)
        rsps.get(
            ORDERS_URL,
            match=[matchers.query_param_matcher({"status": "pending", "per_page": "5"})],
            json={"total_items": 0, "_embedded": {"items": []}},
        )
        page = shop.orders(status="pending", per_page=5)
    assert page.total_items == 0 and page.orders == []


def test_an_id_of_digits_int_does_not_take_is_sent_as_a_string():
    shop = make_shop()
    with responses.RequestsMock() as rsps:
        rsps.post(UPDATERS_URL, json=update_answer([7], invalid=["²"]))
        result = shop.update_orders(["²", "7"], status="shipped")
        sent = json.loads(rsps.calls[0].request.body)
    assert sent["ids"] == ["²", 7]
    assert [o.id for o in result.invalid_items] == ["²"]


def test_the_ids_in_doubt_are_those_missing_or_repeated_in_the_order_sent():
    answer = update_answer([5, 1, 5], invalid=[4])
    shop = make_shop()
    with responses.RequestsMock() as rsps:
        rsps.post(UPDATERS_URL, json=answer)
        with pytest.raises(UpdateOutcomeUnknown) as caught:
            shop.update_orders([1, 2, 3, 4, 5, "2"], status="shipped")
    assert caught.value.ids == [2, 3, 5]
    assert "neither as valid nor invalid: 2, 3" in str(caught.value)
    assert "more than once: 5" in str(caught.value)


def test_embedded_orders_and_shops_are_cast_whatever_their_shape():
    def page(embedded):
        return Resource({"_embedded": embedded}, url=ORDERS_URL).cast(OrderPage)

    assert page({}).orders == []
    assert [type(o) for o in page({"items": [order_document(1), order_document(2)]}).orders] == [
        Order,
        Order,
    ]
    assert [o.id for o in page({"items": order_document(3)}).orders] == [3]  # one object
    result = Resource({"_embedded": {"valid_items": [order_document(4)]}}).cast(UpdateResult)
    assert [type(o) for o in result.valid_items] == [Order] and result.invalid_items == []
    root = {"_links": {"self": {"href": "/v1"}}, "_embedded": {"shops": shop_document()}}
    with responses.RequestsMock() as rsps, BooticClient(token="t", root_url=ROOT) as bootic:
        rsps.get(ROOT, json=root)
        shops = bootic.shops()
    assert [(type(s), s.id) for s in shops] == [(Shop, 1)]


def test_a_missing_relation_names_those_available_in_the_core_s_words():
    document = shop_document()
    del document["_links"]["btc:create_order"]
    shop = make_shop(document)
    with pytest.raises(LinkNotFound) as caught:
        shop.create_order([{"variant_id": 1, "units": 1}])
    message = str(caught.value)
    assert message.startswith(f"resource {ROOT}/shops/1.json has no 'btc:create_order'")
    assert "; available: self, btc:orders, btc:update_orders" in message
    assert "it has" not in message
    assert caught.value.available == ("self", "btc:orders", "btc:update_orders")
