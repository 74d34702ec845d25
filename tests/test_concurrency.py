"""One Client shared by 8 threads that walk and update at once, over a faulty network."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import halnav

THREADS = 8


@pytest.mark.bootic_sandbox(orders=1200, fail_rate=0.1)
def test_one_client_shared_by_8_threads_walking_and_updating(bootic_sandbox):
    rate, bootic_sandbox.config.fail_rate = bootic_sandbox.config.fail_rate, 0.0
    with halnav.Client(bootic_sandbox, token=bootic_sandbox.token, cache=False) as reference:
        codes = {
            o["id"]: o["code"]
            for o in reference.root().follow("shops").follow("btc:orders").iterate()
        }
        expected = list(codes)
    bootic_sandbox.config.fail_rate = rate
    assert len(expected) == 1200

    # Retries, connection pool, cache and prefetch pool all shared. At a 10% fault rate the
    # default 4 tries would lose one of the ~250 single requests in 2% of runs: this test is
    # about sharing one client, so every request gets a walk's budget of 9 tries.
    client = halnav.Client(bootic_sandbox, token=bootic_sandbox.token, pool_size=THREADS, retries=8)
    shop = client.root().follow("shops")
    to_update = expected[::10]  # 120 orders, split among the updaters
    updaters = THREADS // 2
    walkers = THREADS - updaters
    barrier = threading.Barrier(THREADS)
    walks: dict[int, list[Any]] = {}
    updated: dict[int, dict[Any, Any]] = {}
    failures: list[BaseException] = []

    def walker(number: int) -> None:
        barrier.wait()
        first = shop.follow("btc:orders")
        prefetch = 3 if number % 2 else 0
        walks[number] = [order["id"] for order in first.iterate(prefetch=prefetch)]

    def updater(number: int) -> None:
        barrier.wait()
        mine = to_update[number - walkers :: updaters]
        done = {}
        for order_id in mine:
            # Orders are addressed by code; tracking changes through its own relation.
            order = shop.follow("btc:order", code=codes[order_id])
            answer = order.invoke(
                "btc:update_order_tracking", json={"tracking_code": f"T-{order_id}-{number}"}
            )
            done[order_id] = answer["tracking_code"]
        updated[number] = done

    def run(target: Any, number: int) -> None:
        try:
            target(number)
        except BaseException as exc:  # reported below with the others
            failures.append(exc)

    threads = [
        threading.Thread(target=run, args=(walker if n < walkers else updater, n), daemon=True)
        for n in range(THREADS)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        client.close()
    assert failures == []
    assert all(not thread.is_alive() for thread in threads)

    # Every walker saw every order exactly once, in order, while the updates went on.
    assert sorted(walks) == list(range(walkers))
    for walk in walks.values():
        assert walk == expected

    # Every update was applied once, to the right order, and answered with its own result.
    answers = {}
    for number, done in updated.items():
        for order_id, code in done.items():
            assert code == f"T-{order_id}-{number}"
            answers[order_id] = code
    assert sorted(answers) == sorted(to_update)
    stored = dict(
        bootic_sandbox.db.query(
            "SELECT id, tracking_code FROM orders WHERE shop_id = ? AND tracking_code LIKE 'T-%'",
            (bootic_sandbox.shop_id,),
        )
    )
    assert stored == answers


@pytest.mark.bootic_sandbox(orders=300)
def test_walks_with_different_windows_share_one_prefetch_pool_never_replaced(bootic_sandbox):
    # A larger window asked for while a walk is running must not shut down the thread pool that
    # walk uses, nor swap the connection pool under its requests in flight.
    with halnav.Client(bootic_sandbox, token=bootic_sandbox.token, cache=False) as client:
        first = client.root().follow("shops").follow("btc:orders", per_page=10)
        expected = [order["id"] for order in first.iterate()]
        adapter = client.session.get_adapter(bootic_sandbox)
        pool_manager = adapter.poolmanager
        small, large = first.iterate(prefetch=2), first.iterate(prefetch=6)
        walked_small = [next(small)["id"]]
        walked_large = [next(large)["id"]]  # asks for the larger window mid-walk
        walked_small += [order["id"] for order in small]
        walked_large += [order["id"] for order in large]
        assert client.prefetch_executor(2) is client.prefetch_executor(64)
        assert client.session.get_adapter(bootic_sandbox).poolmanager is pool_manager

        # The same from threads that start their walks together.
        barrier = threading.Barrier(3)
        walks: dict[int, list[Any]] = {}
        failures: list[BaseException] = []

        def walk(window: int) -> None:
            try:
                barrier.wait()
                walks[window] = [order["id"] for order in first.iterate(prefetch=window)]
            except BaseException as exc:  # reported below
                failures.append(exc)

        threads = [threading.Thread(target=walk, args=(w,)) for w in (2, 5, 9)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(15)
        assert client.session.get_adapter(bootic_sandbox).poolmanager is pool_manager
    assert len(expected) == 300 and walked_small == expected and walked_large == expected
    assert failures == [] and walks == {2: expected, 5: expected, 9: expected}


@pytest.mark.bootic_sandbox(orders=300)
def test_closing_the_client_during_a_prefetched_walk_stops_it_with_a_halnav_error(bootic_sandbox):
    client = halnav.Client(bootic_sandbox, token=bootic_sandbox.token, cache=False)
    first = client.root().follow("shops").follow("btc:orders", per_page=10)
    walk = first.iterate(prefetch=3)
    seen = [next(walk)["id"]]
    client.close()
    with pytest.raises(halnav.TransportError) as info:
        for order in walk:  # the pages fetched before close, then the error
            seen.append(order["id"])
    assert "closed" in str(info.value)
    assert info.value.page_url is not None and info.value.items_before == len(seen) < 300
