"""The whole layer, unchanged, against the sandbox in both its URL layouts.

The alternate layout serves the same API under entirely different paths, with the spellings the
live API is seen to use: no ``btc:shop`` on the root, a plain ``btc:orders`` on the root's shops
and a template with dotted names (``created_on.gte``) on the shop page, ``btc:order`` holding
``{id}`` without ``templated: true``, the bulk rel spelled ``btc:update-orders``. Passing under
both proves the layer builds no URL by hand and reads links as the real API writes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from halnav import NotFound, UnprocessableEntity
from halnav.bootic import (
    BooticClient,
    InvalidFilter,
    InvalidTransition,
    Order,
    OrderNotEditable,
    OrderNotFound,
    Shop,
)
from halnav.sandbox import serve


@pytest.fixture(params=["default", "alternate"])
def served(request) -> Iterator[str]:
    with serve(orders=40, seed=7, layout=request.param) as url:
        yield url


@pytest.fixture
def bootic(served) -> Iterator[BooticClient]:
    with BooticClient(token=served.token, root_url=served) as client:
        yield client


def test_everything_works_under_both_layouts(served, bootic):
    shop = bootic.shop()
    assert shop.id == served.shop_id
    assert bootic.shop(subdomain=shop.subdomain).id == shop.id
    assert bootic.shop(id=str(served.shop_id)).id == shop.id
    if served.layout == "alternate":
        assert "/v1" not in served and "/v1/" not in shop.url
        assert "btc:update-orders" in shop.rels and "btc:update_orders" not in shop.rels

    page = shop.orders(status="pending", per_page=3)
    assert page.orders and all(order.status == "pending" for order in page.orders)
    every = list(shop.iter_orders(per_page=9))
    assert len(every) == shop.orders().total_items == 40

    order = shop.create_order(
        [{"variant_id": served.variant_ids[0], "units": 1}],
        contact={"email": served.contact_emails[0]},
    )
    assert order.status == "checkout" and order.code in order.checkout_url
    edited = order.update(line_items=[{"variant_id": served.variant_ids[1], "units": 2}])
    assert [item["variant_id"] for item in edited.line_items] == [served.variant_ids[1]]
    assert edited.set_status("pending").status == "pending"
    with pytest.raises(UnprocessableEntity) as caught:
        shop.create_order([{"variant_id": 32222222, "units": 1}])
    assert caught.value.errors[0]["field"] == "variant.id"

    pending = [o.id for o in page.orders]
    result = shop.update_orders([*pending, 999999999], status="closed")
    assert [o.id for o in result.valid_items] == pending
    assert [o.id for o in result.invalid_items] == [999999999]
    assert result.invalid_items[0].errors[0]["field"] == "id"


def test_filters_reach_the_plain_link_and_the_dotted_template_alike(served, bootic):
    embedded = bootic.shop()  # the root's shop: a plain btc:orders in the alternate layout
    full = embedded.refresh()  # the shop page: a template, with dotted range names there
    assert isinstance(full, Shop)
    if served.layout == "alternate":
        assert not embedded.link("btc:orders").templated
        assert "created_on.gte" in full.link("btc:orders").variables
    every = list(full.iter_orders(status="all", per_page=200, sort="created_on.asc"))
    middle = every[len(every) // 2]
    since = dt.date.fromisoformat(middle["created_on"][:10])
    expected = sorted(o.id for o in every if o["created_on"][:10] >= since.isoformat())
    for shop in (embedded, full):
        found = shop.orders(created_on_gte=since, per_page=200, sort="net_total.desc")
        assert sorted(o.id for o in found.orders) == expected
        totals = [o["net_total"] for o in found.orders]
        assert totals == sorted(totals, reverse=True)
        delivered = shop.orders(status="delivered", per_page=200).orders
        assert delivered and {o.status for o in delivered} == {"delivered"}
        email = middle.pointer("/_embedded/contact/email")
        mine = shop.orders(contact_email=email, per_page=200).orders
        assert mine and all(o.pointer("/_embedded/contact/email") == email for o in mine)
        tagged = next(o for o in every if o["tags"])
        with_tag = shop.orders(tags=[tagged["tags"][0]], per_page=200).orders
        assert tagged.id in [o.id for o in with_tag]
        with pytest.raises(InvalidFilter) as caught:
            shop.orders(status="lost")
        assert "delivered" in str(caught.value)  # what the server's form allows


def test_one_order_by_code_or_id_whatever_the_spelling_of_btc_order(served, bootic):
    shop = bootic.shop()
    if served.layout == "alternate":
        link = shop.link("btc:order")
        assert not link.templated and "{id}" in link.href
    code, order_id = served.order_codes[3], served.order_ids[3]
    by_code = shop.order(code)
    assert isinstance(by_code, Order) and by_code.id == order_id
    assert shop.order(order_id).code == code
    assert shop.order(str(order_id)).code == code
    with pytest.raises(OrderNotFound) as caught:
        shop.order("RNOSUCH")
    assert isinstance(caught.value.__cause__, NotFound)
    assert "RNOSUCH" in str(caught.value) and "does not exist" in str(caught.value)


def test_statuses_move_along_the_transitions_checked_first(served, bootic):
    shop = bootic.shop()
    order = shop.orders(status="pending", per_page=1).orders[0]
    assert order.allowed_statuses == ("pending", "closed", "invalid")
    with pytest.raises(InvalidTransition) as caught:
        order.set_status("shipped")
    assert caught.value.allowed == ("pending", "closed", "invalid")
    assert "allowed: pending, closed, invalid" in str(caught.value)
    assert shop.order(order.code).status == "pending"  # nothing was sent
    with pytest.raises(OrderNotEditable, match="set_status"):
        order.update(contact={"email": served.contact_emails[0]})
    closed = order.set_status("closed", tracking_code="TRK-1", courier_name="Chilexpress")
    assert (closed.status, closed["tracking_code"], closed["courier_name"]) == (
        "closed",
        "TRK-1",
        "Chilexpress",
    )
    shipped = closed.set_status("shipped")
    assert shipped.set_status("delivered").status == "delivered"
    # a bulk update may set what the server's transitions lead to, delivered included
    other = shop.orders(status="shipped", per_page=1).orders[0]
    result = shop.update_orders([other.id], status="delivered")
    assert [o.status for o in result.valid_items] == ["delivered"]
    with pytest.raises(InvalidFilter, match="transitions"):
        shop.update_orders([other.id], status="checkout")
