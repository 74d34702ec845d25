"""The whole layer against a sandbox that serves the API under entirely different paths.

Passing here and against the default layout proves the layer builds no URL by hand: every request
goes through a link or a template the API gave (and the bulk rel is spelled ``btc:update-orders``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from halnav import UnprocessableEntity
from halnav.bootic import BooticClient
from halnav.sandbox import serve


@pytest.fixture
def alternate() -> Iterator[str]:
    with serve(orders=40, seed=7, layout="alternate") as url:
        yield url


def test_everything_works_under_the_alternate_layout(alternate):
    assert "/v1" not in alternate
    with BooticClient(token=alternate.token, root_url=alternate) as bootic:
        shop = bootic.shop()
        assert shop.id == alternate.shop_id and "/v1/" not in shop.url
        assert "btc:update-orders" in shop.rels and "btc:update_orders" not in shop.rels
        assert bootic.shop(subdomain=shop.subdomain).id == shop.id

        page = shop.orders(status="pending", per_page=3)
        assert "/v1/" not in page.url and page.orders
        assert all(order.status == "pending" for order in page.orders)
        every = list(shop.iter_orders(per_page=9))
        assert len(every) == shop.orders().total_items == 40

        order = shop.create_order(
            [{"variant_id": alternate.variant_ids[0], "units": 1}],
            contact={"email": alternate.contact_emails[0]},
        )
        assert order.status == "checkout" and order.code in order.checkout_url
        assert order.update(status="pending").status == "pending"
        with pytest.raises(UnprocessableEntity) as caught:
            shop.create_order([{"variant_id": 32222222, "units": 1}])
        assert caught.value.errors[0]["field"] == "variant.id"

        pending = [o.id for o in page.orders]
        result = shop.update_orders([*pending, 999999999], status="closed")
        assert [o.id for o in result.valid_items] == pending
        assert [o.id for o in result.invalid_items] == [999999999]
        assert result.invalid_items[0].errors[0]["field"] == "id"
