"""Walks survive faults: the sandbox answers a fraction of API requests with a 503 or a dropped
connection, and a walk still yields every order exactly once, in order, sequential or prefetched.

When a page keeps failing after its retries, the error names the page and how many items came
before it, and the walk resumes from there with ``client.get(exc.page_url).iterate()``.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

import halnav


def first_page(client: halnav.Client) -> halnav.Resource:
    """Page 1 of shop 1's orders, reached through the relations (templated btc:orders)."""
    return client.root().follow("shops").follow("btc:orders")


def order_ids(client: halnav.Client, prefetch: int = 0) -> list[Any]:
    return [order["id"] for order in first_page(client).iterate(prefetch=prefetch)]


def clean_walk(sandbox: Any) -> list[Any]:
    """The reference: a walk with faults off."""
    rate, sandbox.config.fail_rate = sandbox.config.fail_rate, 0.0
    try:
        with halnav.Client(sandbox, token=sandbox.token, cache=False) as client:
            return order_ids(client)
    finally:
        sandbox.config.fail_rate = rate


def retried(caplog: pytest.LogCaptureFixture) -> int:
    """How many requests needed retries, from halnav's DEBUG lines."""
    return sum(
        1
        for r in caplog.records
        if r.name == "halnav" and ("retry" in r.getMessage() or "retries" in r.getMessage())
    )


def assert_complete(walked: list[Any], expected: list[Any]) -> None:
    duplicated = len(walked) - len(set(walked))
    lost = set(expected) - set(walked)
    assert (len(lost), duplicated) == (0, 0), f"{len(lost)} lost, {duplicated} duplicated"
    assert walked == expected  # and in the same order


@pytest.mark.bootic_sandbox(orders=2000)
@pytest.mark.parametrize("prefetch", [0, 4])
def test_a_walk_under_20_percent_faults_yields_every_order_once_in_order(
    bootic_sandbox, caplog, prefetch
):
    caplog.set_level(logging.DEBUG, logger="halnav")
    expected = clean_walk(bootic_sandbox)
    assert len(expected) == 2000 and set(expected) == set(bootic_sandbox.order_ids)
    bootic_sandbox.config.fail_rate = 0.2
    with halnav.Client(bootic_sandbox, token=bootic_sandbox.token, cache=False) as client:
        walked = order_ids(client, prefetch=prefetch)
    assert_complete(walked, expected)
    assert retried(caplog) >= 3  # the faults did happen, and were retried away


@pytest.mark.bootic_sandbox(orders=600)
@pytest.mark.parametrize("kind", ["503", "drop"])
@pytest.mark.parametrize("prefetch", [0, 3])
def test_each_kind_of_fault_alone_is_survived(bootic_sandbox, caplog, kind, prefetch):
    caplog.set_level(logging.DEBUG, logger="halnav")
    expected = clean_walk(bootic_sandbox)
    bootic_sandbox.config.fail_kinds = (kind,)
    bootic_sandbox.config.fail_rate = 0.3
    with halnav.Client(bootic_sandbox, token=bootic_sandbox.token, cache=False) as client:
        walked = order_ids(client, prefetch=prefetch)
    assert_complete(walked, expected)
    assert retried(caplog) >= 1


@pytest.mark.slow
@pytest.mark.bootic_sandbox(orders=14486)
def test_the_full_14486_order_walk_under_20_percent_faults(bootic_sandbox):
    # One full walk here (prefetched); benchmarks/soak_faults.py does 20, both ways.
    bootic_sandbox.config.fail_rate = 0.2
    with halnav.Client(bootic_sandbox, token=bootic_sandbox.token, cache=False) as client:
        walked = order_ids(client, prefetch=4)
    # The sandbox lists orders newest first, ids descending: the order of a fault-free walk.
    expected = sorted(bootic_sandbox.order_ids, reverse=True)
    assert len(expected) == 14486
    assert_complete(walked, expected)


@pytest.mark.bootic_sandbox(orders=500)
@pytest.mark.parametrize("prefetch", [0, 3])
def test_a_page_that_keeps_failing_names_itself_and_the_walk_resumes_from_it(
    bootic_sandbox, prefetch
):
    expected = clean_walk(bootic_sandbox)
    walked: list[Any] = []
    with halnav.Client(
        bootic_sandbox, token=bootic_sandbox.token, retries=2, cache=False
    ) as client:
        first = first_page(client)
        per_page = first["per_page"]
        walk = first.iterate(prefetch=prefetch)
        with pytest.raises((halnav.ServerError, halnav.TransportError)) as info:
            for order in walk:
                walked.append(order["id"])
                if len(walked) == 4 * per_page + 10:
                    bootic_sandbox.config.fail_rate = 1.0  # from now on, every try fails
        error = info.value
        assert error.items_before == len(walked)
        assert error.page_url in str(error) or "page=" in str(error)
        assert f"after {len(walked)} items" in str(error)
        assert len(walked) % per_page == 0 and len(walked) >= 5 * per_page  # whole pages
        # Resume: fetch the page that failed and walk on from it.
        bootic_sandbox.config.fail_rate = 0.2
        walked += [order["id"] for order in client.get(error.page_url).iterate()]
    assert_complete(walked, expected)


@pytest.mark.bootic_sandbox(orders=300)
def test_a_script_can_resume_again_and_again_with_retries_off(bootic_sandbox):
    expected = clean_walk(bootic_sandbox)
    walked: list[Any] = []
    resumes = 0
    with halnav.Client(
        bootic_sandbox, token=bootic_sandbox.token, retries=0, cache=False
    ) as client:
        page = first_page(client)
        bootic_sandbox.config.fail_rate = 0.5
        while True:
            start = len(walked)
            try:
                for order in page.iterate():
                    walked.append(order["id"])
                break
            except (halnav.ServerError, halnav.TransportError) as error:
                assert error.items_before == len(walked) - start
                resumes += 1
                page = fetch_until_it_answers(client, error.page_url)
    assert resumes >= 1
    assert_complete(walked, expected)


def fetch_until_it_answers(client: halnav.Client, url: str) -> halnav.Resource:
    for _ in range(100):
        try:
            return client.get(url)
        except (halnav.ServerError, halnav.TransportError):
            continue
    raise AssertionError(f"{url} never answered")
