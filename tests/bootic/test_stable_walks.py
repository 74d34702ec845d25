"""Stable walks against the sandbox while other clients, and the loop's own body, change orders.

The guarantee checked: every order that matches the filters for the whole walk is yielded
exactly once; an order that joins or leaves the set (one a writer touched) at most once.
"""

from __future__ import annotations

import contextlib

import pytest

from halnav import NotFound
from halnav.bootic import BooticClient, OrderPage, StableWalk
from halnav.sandbox import serve

from .writers import Writer, between_pages, database_orders, writing_in_threads

SORTS = [f"{c}.{d}" for c in ("created_on", "updated_on", "net_total") for d in ("asc", "desc")]


@pytest.fixture
def big():
    """The issue's numbers: 3,000 orders, 242 of them pending (seed 0)."""
    with serve(orders=3000, seed=0) as url:
        yield url


def client(sandbox, **options):
    options.setdefault("cache", False)
    return BooticClient(token=sandbox.token, root_url=str(sandbox), **options)


def test_closing_every_pending_order_while_walking_them_closes_them_all(big):
    pending = database_orders(big, "status = 'pending'")
    with client(big) as bootic:
        walk = bootic.shop().iter_orders(stable=True, status="pending", per_page=20)
        for order in walk:
            order.set_status("closed")
    assert walk.yielded == len(pending) > 200
    assert database_orders(big, "status = 'pending'") == {}
    # As many pages as a walk by page number would fetch, and one more to see the end.
    assert walk.pages_fetched <= -(-len(pending) // 20) + 1


def test_a_walk_by_page_number_does_not_which_is_why(big):
    pending = database_orders(big, "status = 'pending'")
    done = 0
    with client(big) as bootic, contextlib.suppress(NotFound):  # a page past the shrunk last
        for order in bootic.shop().iter_orders(status="pending", per_page=20):
            order.set_status("closed")
            done += 1
    assert done < len(pending)


def test_walking_newest_first_while_orders_are_created_repeats_none(big):
    before = database_orders(big)
    with client(big) as bootic, writing_in_threads(big, threads=2, writes=30) as writers:
        walk = bootic.shop().iter_orders(stable=True, sort="created_on.desc", per_page=50)
        ids = [order.id for order in walk]
    assert len(ids) == len(set(ids))
    assert set(before) <= set(ids)  # every order that existed throughout
    created = set().union(*(w.created for w in writers))
    assert set(ids) <= set(before) | created


@pytest.mark.parametrize("sort", SORTS)
def test_every_sort_yields_each_order_once_while_others_write(sort):
    with serve(orders=400, seed=7) as sandbox:
        before = database_orders(sandbox)
        with client(sandbox) as bootic, writing_in_threads(sandbox, writes=25, seed=3):
            walk = bootic.shop().iter_orders(stable=True, sort=sort, per_page=25)
            ids = [order.id for order in walk]
        assert len(ids) == len(set(ids)), f"{walk}: repeated {len(ids) - len(set(ids))}"
        # No filter: every order that existed before the walk matched it throughout.
        assert set(before) <= set(ids)


@pytest.mark.parametrize("sort", ["created_on.asc", "updated_on.asc", "updated_on.desc"])
def test_a_filtered_walk_with_writers_between_pages_is_exact(sort):
    with serve(orders=300, seed=2) as sandbox:
        writer = Writer(sandbox, seed=11)
        with client(sandbox) as bootic:
            between_pages(bootic, lambda n: [writer.write() for _ in range(3)])
            start = set(database_orders(sandbox, "status IN ('pending', 'closed')"))
            walk = bootic.shop().iter_orders(
                stable=True, status=["pending", "closed"], sort=sort, per_page=15
            )
            ids = [order.id for order in walk]
        end = set(database_orders(sandbox, "status IN ('pending', 'closed')"))
        writer.close()
        assert writer.writes > 20
        assert len(ids) == len(set(ids))
        throughout = (start & end) - writer.touched
        assert throughout <= set(ids)
        assert set(ids) <= start | end | writer.touched


def test_the_loop_body_moving_what_it_walks_by_still_yields_each_once():
    # Each order the body sets again moves to the end of a walk by updated_on: read again
    # there, never yielded twice.
    with serve(orders=200, seed=4) as sandbox:
        with client(sandbox) as bootic:
            walk = bootic.shop().iter_orders(stable=True, sort="updated_on.asc", per_page=30)
            ids = []
            for order in walk:
                ids.append(order.id)
                order.set_status(order.status or "pending")  # changes only updated_on
        assert sorted(ids) == sorted(sandbox.order_ids)
        assert walk.repeats >= len(ids)


def test_under_injected_faults_the_walk_is_still_exact():
    with serve(orders=400, seed=1, fail_rate=0.2) as sandbox:
        with client(sandbox) as bootic:
            walk = bootic.shop().iter_orders(stable=True, prefetch=1, per_page=40)
            ids = [order.id for order in walk]
        assert ids == list(sandbox.order_ids)


def test_a_stable_walk_from_a_page_goes_on_from_its_first_order(big):
    with client(big) as bootic:
        shop = bootic.shop()
        plain = [
            o.id for o in shop.iter_orders(status="successful", sort="closed_on.asc", per_page=30)
        ]
        page = shop.orders(status="successful", sort="closed_on.asc", per_page=30, page=3)
        assert isinstance(page, OrderPage)
        walk = page.iter_orders(stable=True)
        assert isinstance(walk, StableWalk) and walk.sort == "closed_on.asc"
        assert [o.id for o in walk] == plain[60:]


def test_in_the_alternate_layout_the_walk_goes_through_the_dotted_template(tmp_path):
    # The root's shops carry a plain btc:orders; the shop page's template spells the range
    # filters created_on.gte: the walk and the mirror send them as the server spells them.
    with serve(orders=300, seed=2, layout="alternate") as sandbox:
        with client(sandbox) as bootic:
            sent: list[str] = []
            bootic.client.session.hooks["response"].append(lambda r, *a, **k: sent.append(r.url))
            for shop in (bootic.shop(), bootic.shop().refresh()):
                walk = shop.iter_orders(stable=True, sort="updated_on.desc", per_page=20)
                assert sorted(o.id for o in walk) == sorted(sandbox.order_ids)
            assert any("updated_on_lte=" in url for url in sent)  # the plain link's query
            assert any("updated_on.lte=" in url for url in sent)  # the template's spelling
            report = bootic.shop().refresh().sync_orders(tmp_path / "orders.sqlite", per_page=50)
        assert report.fetched == 300 and report.complete
