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
        expected = [
            o["id"] for o in reference.root().follow("shops").follow("btc:orders").iterate()
        ]
    bootic_sandbox.config.fail_rate = rate
    assert len(expected) == 1200

    # Default settings: retries, connection pool, cache and prefetch pool all shared.
    client = halnav.Client(bootic_sandbox, token=bootic_sandbox.token, pool_size=THREADS)
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
            order = shop.follow("btc:order", id=order_id)
            answer = order.invoke(
                "btc:update_order", json={"tracking_code": f"T-{order_id}-{number}"}
            )
            done[order_id] = answer["tracking_code"]
        updated[number] = done

    def run(target: Any, number: int) -> None:
        try:
            target(number)
        except BaseException as exc:  # reported below with the others
            failures.append(exc)

    threads = [
        threading.Thread(target=run, args=(walker if n < walkers else updater, n))
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
