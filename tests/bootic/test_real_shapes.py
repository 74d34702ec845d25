"""The layer against documents of the live API's shapes (``fixtures/real/``), served by ``responses``.

What breaks a layer written from the seed pages alone: a plain ``btc:orders`` on the root's shops
and a dotted template on the shop page, ``btc:order`` holding ``{id}`` without ``templated``,
string shop ids, no ``btc:shop`` on the root, ``btc:update_order`` on checkout orders only,
statuses moved through ``btc:update_order_tracking``, the bulk update's summaries, and the
``message`` of error bodies.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from responses import matchers

from halnav import LinkNotFound, NotFound, Unauthorized
from halnav.bootic import (
    BooticClient,
    InvalidFilter,
    InvalidTransition,
    Order,
    OrderNotEditable,
    OrderNotFound,
    ShopNotFound,
)

from .real import API, CHECKOUT, ORDERS, PENDING, SHOP, shop_page, with_bulk_link


@pytest.fixture
def real(fixture_doc):
    """``real("root")``: a fresh copy of ``fixtures/real/root.json``."""
    return lambda name: fixture_doc(f"real/{name}.json")


@pytest.fixture
def bootic():
    with BooticClient(token="secret-token", retries=0) as client:
        yield client


def queries(rsps) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(call.request.url).query) for call in rsps.calls]


# -- shops ---------------------------------------------------------------------------------


def test_shop_ids_compare_whether_written_as_text_or_number(rsps, bootic, real):
    rsps.get(API, json=real("root"))
    shop = bootic.shop()
    assert shop["id"] == "47" and shop.id == 47
    assert bootic.shop(id=47).url == SHOP and bootic.shop(id="47").url == SHOP
    assert bootic.shop(subdomain="acme").id == 47


def test_a_shop_not_embedded_without_a_btc_shop_template_names_the_shops_there_are(
    rsps, bootic, real
):
    rsps.get(API, json=real("root"))
    with pytest.raises(ShopNotFound) as caught:
        bootic.shop(id=12)
    assert "no shop with id 12" in str(caught.value) and "ids: 47" in str(caught.value)
    assert caught.value.available == ("47",)
    assert len(rsps.calls) == 1


def test_a_401_says_what_the_server_said(rsps, bootic, real):
    rsps.get(API, status=401, json=real("error_401"))
    with pytest.raises(Unauthorized) as caught:
        bootic.shop()
    assert "Unauthorized. Invalid or expired access token" in str(caught.value)
    assert str(caught.value).startswith("401")


# -- filters -------------------------------------------------------------------------------


def test_a_plain_btc_orders_reads_the_form_once_then_takes_the_filters_as_its_query(
    rsps, bootic, real
):
    rsps.get(API, json=real("root"))
    rsps.get(ORDERS, json=real("orders_page"))
    shop = bootic.shop()
    assert not shop.link("btc:orders").templated
    page = shop.orders(
        status="delivered", tags=["vip", "gift"], contact_email="joe@bloggs.com",
        sort="net_total.desc", created_on_gte="2016-05-10",
    )  # fmt: skip
    assert page.total_items == 32 and [o.code for o in page.orders] == ["R1C3964", "T4B13B0"]
    assert queries(rsps)[1:] == [
        {},  # the unfiltered first page: its search form says what the server takes
        {
            "status": ["delivered"],
            "tags": ["vip,gift"],
            "contact_email": ["joe@bloggs.com"],
            "sort": ["net_total.desc"],
            "created_on_gte": ["2016-05-10"],
        },
    ]
    shop.orders(status="pending")  # the form is known now: no second look
    assert len(rsps.calls) == 4 and queries(rsps)[3] == {"status": ["pending"]}


def test_a_filter_the_server_s_form_does_not_list_is_never_sent(rsps, bootic, real):
    page = real("orders_page")
    fields = page["_actions"]["search"]["fields"]
    page["_actions"]["search"]["fields"] = [f for f in fields if f["name"] != "tags"]
    status = next(f for f in fields if f["name"] == "status")
    status["options"] = ["pending", "closed"]
    rsps.get(API, json=real("root"))
    rsps.get(ORDERS, json=page)
    shop = bootic.shop()
    with pytest.raises(InvalidFilter) as caught:
        shop.orders(tags="vip")  # documented, but this server does not declare it
    assert str(caught.value).startswith(
        f"unknown order filter 'tags'; the server's search form at {ORDERS} takes: page, per_page"
    )
    with pytest.raises(InvalidFilter) as caught:
        shop.orders(status="delivered")
    assert "allowed: pending, closed" in str(caught.value)
    assert caught.value.allowed == ("pending", "closed")
    assert queries(rsps) == [{}, {}]  # the root, and the one unfiltered page


def test_underscore_names_reach_a_template_that_spells_them_with_dots(rsps, bootic, real):
    rsps.get(SHOP, json=real("shop"))
    rsps.get(ORDERS, json=real("orders_page"))
    shop = shop_page(bootic)
    assert "created_on.gte" in shop.link("btc:orders").variables
    shop.orders(created_on_gte="2016-05-10", closed_on_lte="2016-06-01", total_gte=3000)
    assert queries(rsps)[1:] == [
        {},
        {
            "created_on.gte": ["2016-05-10"],
            "closed_on.lte": ["2016-06-01"],
            "total_gte": ["3000"],
        },
    ]


def test_a_template_without_a_form_is_checked_by_its_variables(rsps, bootic, real):
    page = real("orders_page")
    del page["_actions"]
    rsps.get(SHOP, json=real("shop"))
    rsps.get(ORDERS, json=page)
    shop = shop_page(bootic)
    with pytest.raises(InvalidFilter) as caught:
        shop.orders(price_gte=3)  # no request: the template cannot carry it
    assert "the btc:orders template of shop 47 (acme) takes: q, page" in str(caught.value)
    assert len(rsps.calls) == 1
    shop.orders(histogram="week")  # the template declares it (the documented table does not)
    assert queries(rsps)[1:] == [{}, {"histogram": ["week"]}]


# -- one order -----------------------------------------------------------------------------


def test_btc_order_holding_id_without_templated_is_expanded(rsps, bootic, real):
    rsps.get(API, json=real("root"))
    rsps.get(PENDING, json=real("order_pending"))
    rsps.get(f"{ORDERS}/583085", json=real("order_pending"))
    rsps.get(f"{ORDERS}/R%2F1", status=404, json=real("error_404"))
    shop = bootic.shop()
    assert not shop.link("btc:order").templated
    order = shop.order("T4B13B0")
    assert isinstance(order, Order) and order.id == 583085
    assert shop.order(583085).code == "T4B13B0"
    with pytest.raises(OrderNotFound) as caught:
        shop.order("R/1")  # expanded as a template does: the slash is escaped
    assert isinstance(caught.value.__cause__, NotFound)
    assert "Not found: no order T0000XX in this shop" in str(caught.value)
    assert caught.value.code_or_id == "R/1"


def test_without_btc_order_an_order_is_found_through_the_code_filter(rsps, bootic, real):
    root = real("root")
    del root["_embedded"]["shops"][0]["_links"]["btc:order"]
    shop_doc = real("shop")
    del shop_doc["_links"]["btc:order"]
    rsps.get(API, json=root)
    rsps.get(SHOP, json=shop_doc)  # the embedded shop lacks it: the full one is looked at
    rsps.get(ORDERS, match=[matchers.query_param_matcher({})], json=real("orders_page"))
    rsps.get(
        ORDERS, match=[matchers.query_param_matcher({"code": "T4B13B0"})], json=real("orders_page")
    )
    order = bootic.shop().order("T4B13B0")
    assert order.code == "T4B13B0" and order.status == "pending"
    with pytest.raises(OrderNotFound, match="no order with code 'RNONE'"):
        rsps.get(
            ORDERS,
            match=[matchers.query_param_matcher({"code": "RNONE"})],
            json={**real("orders_page"), "_embedded": {"items": []}},
        )
        bootic.shop().order("RNONE")


# -- changing an order ---------------------------------------------------------------------


def test_a_pending_order_is_not_edited_and_the_error_points_to_set_status(rsps, real):
    order = Order(real("order_pending"), url=PENDING, status_code=200)
    with pytest.raises(OrderNotEditable) as caught:
        order.update(line_items=[{"variant_id": 1, "units": 1}])
    assert "order T4B13B0 is 'pending'" in str(caught.value)
    assert "set_status(" in str(caught.value) and caught.value.status == "pending"
    with pytest.raises(TypeError, match=r"not status; .*set_status\("):
        order.update(status="closed")  # type: ignore[call-arg]
    assert len(rsps.calls) == 0


def test_a_checkout_order_is_edited_through_btc_update_order(rsps, bootic, real):
    updated = real("order_checkout")
    updated["_embedded"]["contact"]["name"] = "Joe B."
    rsps.put(
        CHECKOUT,
        json=updated,
        match=[
            matchers.json_params_matcher(
                {"contact": {"email": "joe@bloggs.com", "name": "Joe B."}, "address": {"id": 35666}}
            )
        ],
    )
    rsps.get(CHECKOUT, json=real("order_checkout"))
    order = bootic.client.get(CHECKOUT).cast(Order)
    edited = order.update(contact={"email": "joe@bloggs.com", "name": "Joe B."}, address=35666)
    assert isinstance(edited, Order) and edited.pointer("/_embedded/contact/name") == "Joe B."
    assert [c.request.method for c in rsps.calls] == ["GET", "PUT"]


def test_a_status_moves_through_the_tracking_link_checked_first(rsps, bootic, real):
    rsps.get(PENDING, json=real("order_pending"))
    order = bootic.client.get(PENDING).cast(Order)
    assert order.allowed_statuses == ("pending", "closed", "invalid")
    with pytest.raises(InvalidTransition) as caught:
        order.set_status("shipped")
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == (
        "order T4B13B0 is 'pending' and cannot be set to 'shipped'; allowed: pending, closed, "
        "invalid (its allowed_statuses)"
    )
    assert caught.value.allowed == ("pending", "closed", "invalid")
    assert len(rsps.calls) == 1  # nothing sent
    closed = {**real("order_pending"), "status": "closed", "tracking_code": "TRK-1"}
    rsps.put(
        f"{PENDING}/tracking",
        json=closed,
        match=[matchers.json_params_matcher({"status": "closed", "tracking_code": "TRK-1"})],
    )
    done = order.set_status("closed", tracking_code="TRK-1")
    assert isinstance(done, Order) and (done.status, done["tracking_code"]) == ("closed", "TRK-1")


def test_without_allowed_statuses_the_page_s_transitions_decide(rsps, bootic, real):
    page = real("orders_page")
    page["transitions"]["status"]["pending"] = ["pending", "invalid"]  # this server's rule
    for item in page["_embedded"]["items"]:
        del item["allowed_statuses"]
    rsps.get(API, json=real("root"))
    rsps.get(ORDERS, json=page)
    pending = bootic.shop().orders().orders[1]
    with pytest.raises(InvalidTransition, match=r"allowed: pending, invalid \(the server's"):
        pending.set_status("closed")
    assert len(rsps.calls) == 2


# -- many orders ---------------------------------------------------------------------------


def test_no_bulk_link_names_the_relations_and_the_admin_scope(rsps, bootic, real):
    rsps.get(API, json=real("root"))
    rsps.get(SHOP, json=real("shop"))
    with pytest.raises(LinkNotFound) as caught:
        bootic.shop().update_orders([583085], status="closed")
    message = str(caught.value)
    assert "shop 47 (acme) offers no bulk update" in message
    assert "'btc:update-orders' or 'btc:update_orders'" in message
    assert "its relations: self, btc:orders, btc:order, btc:contacts" in message
    assert "the token may lack the admin scope" in message.lower()
    assert [c.request.method for c in rsps.calls] == ["GET", "GET"]  # no POST


@pytest.mark.parametrize("rel", ["btc:update-orders", "btc:update_orders"])
def test_the_bulk_answer_s_summaries_account_for_every_id(rsps, bootic, real, rel):
    rsps.get(API, json=with_bulk_link(real("root"), rel))
    rsps.post(
        f"{ORDERS}/updaters.json",
        json=real("update_orders_response"),
        match=[
            matchers.json_params_matcher(
                {"ids": [583085, 583090], "additions": {"status": "closed"}}
            )
        ],
    )
    result = bootic.shop().update_orders([583085, "583090"], status="closed")
    assert [(o.id, o.code, o.status) for o in result.valid_items] == [(583085, "T4B13B0", "closed")]
    [refused] = result.invalid_items
    assert refused.code == "R1C3964" and refused.errors[0]["field"] == "status"
    assert not result.ok


def test_bulk_statuses_are_those_the_server_s_transitions_lead_to(rsps, bootic, real):
    page = real("orders_page")
    page["transitions"]["status"]["shipped"] = ["shipped", "pending", "invalid", "returned"]
    rsps.get(API, json=with_bulk_link(real("root")))
    rsps.get(ORDERS, json=page)
    shop = bootic.shop()
    shop.orders()  # the client now knows this server's statuses
    with pytest.raises(InvalidFilter) as caught:
        shop.update_orders([1], status="delivered")
    assert str(caught.value) == (
        "an update cannot set status 'delivered'; allowed: pending, invalid, closed, shipped, "
        "returned (the statuses the server's transitions lead to)"
    )
    rsps.post(f"{ORDERS}/updaters.json", json={"_embedded": {"valid_items": [{"id": 1}]}})
    assert [o.id for o in shop.update_orders([1], status="returned").valid_items] == [1]


def test_every_fixture_is_json_of_the_documented_classes(real):
    classes = {
        "root": ["root"],
        "shop": ["shop"],
        "orders_page": ["results", "orders"],
        "order_pending": ["order"],
        "order_checkout": ["order"],
        "error_401": ["errors"],
        "error_404": ["errors"],
    }
    for name, expected in classes.items():
        assert real(name)["_class"] == expected, name
    summaries = real("update_orders_response")["_embedded"]["valid_items"]
    assert all(set(item) == {"_links", "id", "code", "status"} for item in summaries)
