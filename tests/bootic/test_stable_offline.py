"""Stable walks against a double whose orders the test changes between pages, deterministically.

The double (``orders_double``) sorts and filters as the API does; its ``before_page`` hooks are
the writers, run before the answer of a chosen request.
"""

from __future__ import annotations

import itertools

import pytest
import responses

from halnav import HALNavError, InvalidDocument, ServerError
from halnav.bootic import InvalidFilter, StableWalk

from .documents import make_shop
from .orders_double import OrdersDouble, moment, order


def walk_ids(walk) -> list[int]:
    return [o.id for o in walk]


def test_a_walk_moves_by_the_last_orders_own_value_asking_one_more_per_page():
    orders = [order(i, moment(i)) for i in range(1, 26)]
    double = OrdersDouble(orders)
    with responses.RequestsMock() as rsps:
        double.install(rsps)
        walk = make_shop().iter_orders(stable=True, per_page=10)
        assert isinstance(walk, StableWalk)
        assert walk_ids(walk) == list(range(1, 26))
    filtered = double.queries[1:]  # the first one read the unfiltered page, once per shop
    assert [q.get("created_on_gte") for q in filtered] == [None, moment(11), moment(21)]
    assert {q["per_page"] for q in filtered} == {"11"}
    assert {q["sort"] for q in filtered} == {"created_on.asc"}
    # As many pages as a walk by page number: 25 orders at 10 a page.
    assert walk.pages_fetched == 3 and walk.repeats == 2 and walk.yielded == 25


def test_closing_each_order_as_it_comes_leaves_none_behind():
    orders = [order(i, moment(i)) for i in range(1, 101)]
    double = OrdersDouble(orders)
    with responses.RequestsMock() as rsps:
        double.install(rsps)
        shop = make_shop()
        seen = []
        for found in shop.iter_orders(stable=True, status="pending", per_page=20):
            seen.append(found.id)
            next(o for o in orders if o["id"] == found.id)["status"] = "closed"
    assert seen == list(range(1, 101))
    assert all(o["status"] == "closed" for o in orders)


def test_a_plain_walk_loses_half_of_them_which_is_why():
    orders = [order(i, moment(i)) for i in range(1, 101)]
    double = OrdersDouble(orders)
    with responses.RequestsMock() as rsps:
        double.install(rsps)
        seen = []
        for found in make_shop().iter_orders(status="pending", per_page=20):
            seen.append(found.id)
            next(o for o in orders if o["id"] == found.id)["status"] = "closed"
    assert len(seen) < 100


def test_orders_created_during_a_descending_walk_repeat_nothing():
    orders = [order(i, moment(i)) for i in range(1, 61)]
    double = OrdersDouble(orders)
    made = itertools.count(1000)

    def create(_: int) -> None:  # three new orders before every page
        for _ in range(3):
            ident = next(made)
            orders.append(order(ident, moment(ident)))

    double.before_page.append(create)
    with responses.RequestsMock() as rsps:
        double.install(rsps)
        seen = walk_ids(make_shop().iter_orders(stable=True, sort="created_on.desc", per_page=10))
    assert len(seen) == len(set(seen))
    assert set(range(1, 61)) <= set(seen)


def block(same: str, ids: range, **extra) -> list[dict]:
    """Orders created in one second (an import), each updated at its own time unless told."""
    return [order(i, same, **{"updated_on": moment(10_000 + i), **extra}) for i in ids]


def test_a_page_all_of_one_value_is_paged_through_by_number_then_passed():
    same = moment(50)
    orders = [order(i, moment(i)) for i in range(1, 6)]
    orders += block(same, range(6, 456))  # 450 orders of one second: more than two pages
    orders += [order(i, moment(i)) for i in range(456, 461)]
    double = OrdersDouble(orders)
    with responses.RequestsMock() as rsps:
        double.install(rsps)
        walk = make_shop().iter_orders(stable=True, per_page=199)
        seen = walk_ids(walk)
    assert seen == list(range(1, 461))
    numbered = [q for q in double.queries if "page" in q]
    assert numbered and all(q["created_on_gte"] == q["created_on_lte"] == same for q in numbered)
    # Page 2 of pages of 199 starts with the last order read; later pages are checked by a
    # one-order query of the order before them.
    assert numbered[0]["page"] == "2" and numbered[0]["per_page"] == "194"  # 195 read at it
    assert any(q["per_page"] == "1" for q in numbered)
    # Past the value: one second after it, as the API writes it.
    assert any(q.get("created_on_gte") == moment(51) for q in double.queries)
    # Nothing read twice but each page's boundary: a page more than by page number (three
    # pages of 199), and the checks.
    assert walk.pages_fetched - sum(q["per_page"] == "1" for q in numbered) <= 3 + 1


def test_an_order_leaving_a_value_mid_paging_makes_the_walk_go_by_another_column():
    same = moment(50)
    orders = block(same, range(1, 501))
    double = OrdersDouble(orders)

    def close_one(number: int) -> None:
        if number == 4:  # while the value is paged through: an order already read leaves
            orders[0]["status"] = "closed"

    double.before_page.append(close_one)
    with responses.RequestsMock() as rsps:
        double.install(rsps)
        seen = walk_ids(make_shop().iter_orders(stable=True, status="pending", per_page=199))
    assert len(seen) == len(set(seen))
    assert set(range(2, 501)) <= set(seen)  # every order that stayed pending, once
    by_updates = [q for q in double.queries if q.get("sort") == "updated_on.asc"]
    assert by_updates and all(q["created_on_gte"] == same for q in by_updates)


def test_orders_sharing_both_values_are_read_again_from_the_first_page():
    same = moment(50)
    orders = [order(i, same) for i in range(1, 501)]  # created and updated in one second
    double = OrdersDouble(orders)

    def close_one(number: int) -> None:
        if number in (4, 9):
            next(o for o in orders if o["status"] == "pending")["status"] = "closed"

    double.before_page.append(close_one)
    with responses.RequestsMock() as rsps:
        double.install(rsps)
        seen = walk_ids(make_shop().iter_orders(stable=True, status="pending", per_page=199))
    assert len(seen) == len(set(seen))
    assert set(range(3, 501)) <= set(seen)
    inner = [q for q in double.queries if q.get("updated_on_lte") == same and "page" in q]
    assert any(q["page"] == "1" for q in inner)  # the block within a block, from its start


def test_orders_coming_to_a_value_mid_paging_are_read_twice_not_skipped():
    same = moment(50)
    orders = [order(i, same) for i in range(1, 501)]
    double = OrdersDouble(orders)
    made = itertools.count(1000)
    # Before every page, an order comes to that value; half of them before the walk's place.
    double.before_page.append(lambda n: orders.append(order(next(made) if n % 2 else -n, same)))
    with responses.RequestsMock() as rsps:
        double.install(rsps)
        seen = walk_ids(make_shop().iter_orders(stable=True, per_page=199))
    assert len(seen) == len(set(seen))
    assert set(range(1, 501)) <= set(seen)


def test_a_value_that_keeps_losing_orders_stops_the_walk_saying_so():
    same = moment(50)
    orders = [order(i, same) for i in range(1, 1001)]
    double = OrdersDouble(orders)

    def close_the_first(number: int) -> None:  # before every page, its first order leaves
        next(o for o in orders if o["status"] == "pending")["status"] = "closed"

    double.before_page.append(close_the_first)
    with responses.RequestsMock() as rsps:
        double.install(rsps)
        with pytest.raises(HALNavError, match="kept changing"):
            walk_ids(make_shop().iter_orders(stable=True, status="pending", per_page=199))


@pytest.mark.parametrize(("every", "per_page"), [(3600, 10), (120, 199)])
def test_a_server_that_takes_dates_only_is_walked_by_whole_days(every, per_page):
    # 24 orders a day, or 720 (more than a page holds: paged through within the day)
    orders = [order(i, moment(i * every)) for i in range(1, 2001)]
    double = OrdersDouble(orders, dates_only=True)
    with responses.RequestsMock() as rsps:
        double.install(rsps)
        walk = make_shop().iter_orders(stable=True, per_page=per_page)
        seen = walk_ids(walk)
    assert seen == list(range(1, 2001))
    assert walk.days
    refused = [q for q in double.queries if "T" in q.get("created_on_gte", "")]
    assert len(refused) == 1  # asked once with a date-time, then by days
    days = {q["created_on_gte"] for q in double.queries if "created_on_gte" in q} - {
        refused[0]["created_on_gte"]
    }
    assert days and all(len(day) == 10 for day in days)


def test_a_server_that_ignores_the_bound_is_refused_rather_than_walked_forever():
    orders = [order(i, moment(i)) for i in range(1, 40)]
    double = OrdersDouble(orders, ignore_ranges=True)
    with responses.RequestsMock() as rsps:
        double.install(rsps)
        with pytest.raises(InvalidDocument, match="does not apply the filter"):
            walk_ids(make_shop().iter_orders(stable=True, per_page=10))


def test_an_order_updated_during_a_descending_walk_by_updated_on_comes_once():
    orders = [order(i, moment(i)) for i in range(1, 61)]
    double = OrdersDouble(orders)

    def update(number: int) -> None:
        if number == 3:  # order 5 (not reached yet) is written: its updated_on moves to now
            orders[4]["updated_on"] = moment(10_000)

    double.before_page.append(update)
    with responses.RequestsMock() as rsps:
        double.install(rsps)
        seen = walk_ids(make_shop().iter_orders(stable=True, sort="updated_on.desc", per_page=10))
    assert sorted(seen) == list(range(1, 61))
    assert seen[-1] == 5  # it moved above the walk: the walk ends by walking up to it


def test_an_order_whose_total_drops_behind_a_net_total_walk_comes_once():
    orders = [order(i, moment(i), net_total=i * 100) for i in range(1, 61)]
    double = OrdersDouble(orders)

    def edit(number: int) -> None:
        if number == 5:  # order 50, not reached, is edited down to the start of the walk
            orders[49].update(net_total=1, updated_on=moment(10_000))

    double.before_page.append(edit)
    with responses.RequestsMock() as rsps:
        double.install(rsps)
        walk = make_shop().iter_orders(stable=True, sort="net_total.asc", per_page=10)
        seen = walk_ids(walk)
    assert sorted(seen) == list(range(1, 61))


def test_prefetch_fetches_the_next_page_while_this_one_is_consumed():
    orders = [order(i, moment(i)) for i in range(1, 46)]
    double = OrdersDouble(orders)
    with responses.RequestsMock() as rsps:
        double.install(rsps)
        walk = make_shop().iter_orders(prefetch=4, stable=True, per_page=10)
        assert walk.prefetching and "never more" in (walk.why_sequential or "")
        assert walk_ids(walk) == list(range(1, 46))


def test_a_failed_page_says_where_the_walk_stopped():
    orders = [order(i, moment(i)) for i in range(1, 46)]
    double = OrdersDouble(orders)
    with responses.RequestsMock() as rsps:
        rsps.get(
            "http://127.0.0.1:9/v1/shops/1/orders.json",
            match=[
                responses.matchers.query_string_matcher(
                    f"created_on_gte={moment(21).replace(':', '%3A')}&per_page=11&sort=created_on.asc"
                )
            ],
            status=500,
            json={"message": "boom"},
        )
        double.install(rsps)
        walk = make_shop().iter_orders(stable=True, per_page=10)
        with pytest.raises(ServerError) as caught:
            walk_ids(walk)
    assert "stopped after 21 orders" in str(caught.value)
    assert f"created_on_gte={moment(21)}" in str(caught.value)
    assert "boom" in str(caught.value)


@pytest.mark.parametrize(
    ("filters", "said"),
    [
        ({"sort": "closed_on.asc"}, "reaches only the orders that have a closed_on"),
        ({"sort": "name.asc"}, "sorts it can move by"),
        ({"page": 3}, "takes no page"),
        ({"state": "pending"}, "unknown order filter 'state'"),
        ({"per_page": "many"}, "invalid per_page"),
    ],
)
def test_what_a_stable_walk_cannot_do_is_refused_before_any_request(filters, said):
    with responses.RequestsMock() as rsps:
        with pytest.raises(InvalidFilter, match=said):
            make_shop().iter_orders(stable=True, **filters)
        assert len(rsps.calls) == 0


def test_a_nullable_date_with_a_bound_on_it_is_walked():
    orders = [
        order(i, moment(i), closed_on=moment(100 + i) if i % 2 else None) for i in range(1, 41)
    ]
    double = OrdersDouble(orders)
    with responses.RequestsMock() as rsps:
        double.install(rsps)
        seen = walk_ids(
            make_shop().iter_orders(
                stable=True, sort="closed_on.asc", closed_on_gte="2000-01-01", per_page=7
            )
        )
    assert seen == [i for i in range(1, 41) if i % 2]
