"""halnav.bootic against the sandbox over real HTTP (127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from halnav import ClientCredentials, Forbidden, Resource, UnprocessableEntity
from halnav.bootic import (
    BooticClient,
    Order,
    OrderPage,
    Shop,
    ShopNotFound,
    UpdateResult,
)


def test_the_default_shop_is_the_first_the_root_embeds(bootic, sandbox):
    shop = bootic.shop()
    assert isinstance(shop, Shop)
    assert shop.id == sandbox.shop_id
    assert bootic.shop(id=sandbox.shop_id).id == sandbox.shop_id
    assert bootic.shop(id=str(sandbox.shop_id)).id == sandbox.shop_id
    assert bootic.shop(subdomain=shop.subdomain).id == sandbox.shop_id
    assert [s.id for s in bootic.shops()] == [sandbox.shop_id]


def test_an_unknown_subdomain_names_the_ones_there_are(bootic):
    with pytest.raises(ShopNotFound) as caught:
        bootic.shop(subdomain="no-such-shop")
    assert bootic.shop().subdomain in str(caught.value)
    assert caught.value.available == (bootic.shop().subdomain,)


def test_a_shop_not_embedded_is_fetched_through_the_btc_shop_template(bootic, sandbox):
    # Shop 2 belongs to another user: the template is used, and the API refuses.
    with pytest.raises(Forbidden) as caught:
        bootic.shop(id=sandbox.other_shop_id)
    assert f"/{sandbox.other_shop_id}" in caught.value.url
    with BooticClient(token=sandbox.tokens["shop2_admin"], root_url=sandbox) as other:
        assert other.shop(id=sandbox.other_shop_id).id == sandbox.other_shop_id


def test_the_first_page_of_pending_orders(bootic):
    page = bootic.shop().orders(status="pending", sort="created_on.desc", per_page=4)
    assert isinstance(page, OrderPage)
    orders = page.orders
    assert 0 < len(orders) <= 4 and page.total_items >= len(orders)
    assert all(isinstance(order, Order) and order.status == "pending" for order in orders)
    created = [order["created_on"] for order in orders]
    assert created == sorted(created, reverse=True)


def test_iter_orders_walks_every_page(bootic):
    shop = bootic.shop()
    total = shop.orders(status="successful", per_page=1).total_items
    orders = list(shop.iter_orders(status="successful", per_page=7, sort="closed_on.asc"))
    assert len(orders) == total > 7  # several pages
    assert len({order.id for order in orders}) == total
    # successful: closed or shipped on the seed page, and delivered (which it predates)
    assert {order.status for order in orders} <= {"closed", "shipped", "delivered"}
    closed = [order["closed_on"] for order in orders]
    assert closed == sorted(closed)


def test_dates_may_be_date_objects(bootic):
    shop = bootic.shop()
    every = list(shop.iter_orders(status="successful", per_page=200, sort="closed_on.asc"))
    middle = dt.date.fromisoformat(every[len(every) // 2]["closed_on"][:10])
    since = list(
        shop.iter_orders(
            status=["closed", "shipped", "delivered"], closed_on_gte=middle, per_page=200
        )
    )
    expected = [o.id for o in every if o["closed_on"][:10] >= middle.isoformat()]
    assert sorted(o.id for o in since) == sorted(expected)
    assert 0 < len(since) < len(every)


def test_generic_resource_methods_work_on_layer_objects(bootic, sandbox):
    shop = bootic.shop()
    order = shop.orders(per_page=1).orders[0]
    assert order.pointer("/_embedded/contact/email") in sandbox.contact_emails
    assert order.follow("btc:events").embedded["items"][0]["to_status"] == "checkout"
    again = order.refresh()
    assert type(again) is Order and again["code"] == order.code
    assert again.checkout_url == order.checkout_url  # refresh() keeps the layer's class
    assert order.checkout_url == order.link("btc:web_checkout").url()
    assert order.line_items and order.line_items[0]["variant_id"] in sandbox.variant_ids


def test_create_order_then_update_it(fresh):
    with BooticClient(token=fresh.token, root_url=fresh) as bootic:
        shop = bootic.shop()
        variant = fresh.variant_ids[0]
        order = shop.create_order(
            line_items=[{"variant_id": variant, "units": 3}],
            contact={"email": fresh.contact_emails[0]},
        )
        assert isinstance(order, Order) and order.status == "checkout"
        assert order.line_items[0]["units"] == 3
        assert order.pointer("/_embedded/contact/email") == fresh.contact_emails[0]
        assert order.checkout_url.startswith("http://") and order.code in order.checkout_url
        assert order.cart_url.startswith("http://") and order.code in order.cart_url
        assert shop.orders(code=order.code).orders[0].id == order.id

        edited = order.update(line_items=[{"variant_id": variant, "units": 1}])
        assert isinstance(edited, Order) and edited.line_items[0]["units"] == 1
        assert edited["total"] < order["total"]

        updated = edited.set_status("pending", tracking_code="T-1")
        assert isinstance(updated, Order)
        assert updated.status == "pending" and updated["pending_on"]
        assert updated["tracking_code"] == "T-1"
        assert shop.orders(code=order.code).orders[0].status == "pending"
        assert shop.order(order.code).status == "pending"


def test_a_422_on_create_carries_the_field_and_messages(bootic):
    with pytest.raises(UnprocessableEntity) as caught:
        bootic.shop().create_order(line_items=[{"variant_id": 32222222, "units": 1}])
    error = caught.value
    assert error.status_code == 422 and error.method == "POST"
    [entry] = error.errors
    assert entry["field"] == "variant.id"
    assert entry["messages"] == ["Variant 32222222 does not exist in this shop"]


def test_a_bulk_update_with_invalid_ids_fills_both_lists(fresh):
    with BooticClient(token=fresh.token, root_url=fresh) as bootic:
        shop = bootic.shop()
        pending = [o.id for o in shop.orders(status="pending", per_page=2).orders]
        shipped = shop.orders(status="shipped", per_page=1).orders[0].id
        sent = [*pending, 999999999, shipped]
        result = shop.update_orders(sent, status="closed")
        assert isinstance(result, UpdateResult) and not result.ok
        valid = [o.id for o in result.valid_items]
        invalid = [o.id for o in result.invalid_items]
        assert sorted(valid + invalid) == sorted(sent)  # every id in exactly one list
        assert valid == pending and all(o.status == "closed" for o in result.valid_items)
        errors = {o.id: o.errors for o in result.invalid_items}
        assert errors[999999999][0]["field"] == "id"
        assert "does not exist" in errors[999999999][0]["messages"][0]
        assert errors[shipped][0]["field"] == "status"  # shipped cannot go back to closed
        assert {o.status for o in shop.orders(code=result.valid_items[0].code).orders} == {"closed"}


def test_client_credentials_get_a_token(sandbox, monkeypatch):
    tokens = []
    with BooticClient(
        client_id=sandbox.client_id,
        client_secret=sandbox.client_secret,
        root_url=sandbox,
        token_url=sandbox.token_url,
        on_new_token=tokens.append,
    ) as bootic:
        assert bootic.shop().id == sandbox.shop_id
    assert len(tokens) == 1 and tokens[0]["access_token"]


def test_credentials_are_given_one_way():
    with pytest.raises(ValueError, match="not both"):
        BooticClient(token="t", auth=("user", "password"))
    with pytest.raises(ValueError, match="both client_id and client_secret"):
        BooticClient(client_id="a")
    with pytest.raises(ValueError, match="access_token"):
        BooticClient(token={"token_type": "Bearer"})


def test_a_saved_token_is_used_before_client_credentials_fetch_another(sandbox):
    tokens = []
    saved = {"access_token": sandbox.token, "token_type": "Bearer"}
    with BooticClient(
        token=saved,
        client_id=sandbox.client_id,
        client_secret=sandbox.client_secret,
        root_url=sandbox,
        token_url=sandbox.token_url,
        on_new_token=tokens.append,
    ) as bootic:
        assert bootic.shop().id == sandbox.shop_id
        assert tokens == []  # the saved one was good
    with BooticClient(
        token=sandbox.tokens["shop1_expired"],  # refused: a new one is fetched, and saved
        client_id=sandbox.client_id,
        client_secret=sandbox.client_secret,
        root_url=sandbox,
        token_url=sandbox.token_url,
        on_new_token=tokens.append,
    ) as bootic:
        assert bootic.shop().id == sandbox.shop_id
    assert len(tokens) == 1 and tokens[0]["access_token"] != sandbox.tokens["shop1_expired"]


def test_without_the_oauth_extra_client_credentials_name_the_pip_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "oauthlib.oauth2", None)  # "not installed"
    with pytest.raises(ImportError, match=r"pip install 'halnav\[oauth\]'"):
        BooticClient(client_id="a", client_secret="b")


def test_close_closes_the_credentials_it_made_and_only_those(monkeypatch):
    closed = []
    monkeypatch.setattr(ClientCredentials, "close", lambda self: closed.append(self))
    bootic = BooticClient(client_id="a", client_secret="b", token_url="https://auth.test/token")
    with bootic:
        pass
    assert len(closed) == 1 and isinstance(closed[0], ClientCredentials)
    assert closed[0].client_id == "a"
    with BooticClient(token="t"):
        pass
    assert len(closed) == 1


def test_iter_orders_walks_like_the_generic_iterate_with_prefetch(bootic):
    shop = bootic.shop()
    first = shop.orders(status="all", per_page=9, sort="created_on.asc")
    generic = [item["id"] for item in first.cast(Resource).iterate("items", prefetch=3)]
    orders = list(first.iter_orders(prefetch=3))
    assert all(type(order) is Order for order in orders)
    assert [order.id for order in orders] == generic
    assert len(generic) == first.total_items > 9 * 3  # more pages than the prefetch window
    assert [
        o.id for o in shop.iter_orders(prefetch=2, per_page=9, sort="created_on.asc")
    ] == generic
