"""Bulk updates in batches, and updates selected by a query (``update_orders_where``).

Every id given ends in exactly one place: ``valid_items``, ``invalid_items``, or (when a batch
got no usable answer) the error's ``ids`` in doubt or ``unsent``; a POST is never sent twice.
"""

from __future__ import annotations

import json
import logging

import pytest
import responses

from halnav import ServerError
from halnav.bootic import (
    DEFAULT_BATCH_SIZE,
    BooticClient,
    InvalidFilter,
    UpdateOutcomeUnknown,
    UpdateResult,
)
from halnav.sandbox import serve

from .documents import UPDATERS_URL, make_shop
from .writers import database_orders


def answer_for(request, invalid=(), forget=()):
    sent = json.loads(request.body)["ids"]
    status = json.loads(request.body)["additions"]["status"]
    valid = [
        {"_links": {"self": {"href": f"/v1/shops/1/orders/{i}"}}, "id": i, "status": status}
        for i in sent
        if i not in invalid and i not in forget
    ]
    refused = [
        {"id": i, "_embedded": {"errors": [{"field": "id", "messages": ["no such order"]}]}}
        for i in sent
        if i in invalid
    ]
    body = {"ids": sent, "_embedded": {"valid_items": valid, "invalid_items": refused}}
    return 200, {"Content-Type": "application/json"}, json.dumps(body)


def test_many_ids_go_in_batches_and_come_back_as_one_result():
    ids = list(range(1, 451))
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.POST, UPDATERS_URL, lambda r: answer_for(r, invalid={7, 300}))
        result = make_shop().update_orders(ids, status="closed")
        sizes = [len(json.loads(call.request.body)["ids"]) for call in rsps.calls]
    assert DEFAULT_BATCH_SIZE == 200 and sizes == [200, 200, 50]
    assert isinstance(result, UpdateResult)
    assert [o.id for o in result.valid_items] == [i for i in ids if i not in (7, 300)]
    assert [o.id for o in result.invalid_items] == [7, 300]
    assert result.ids == ids and result["additions"] == {"status": "closed"}
    # The summaries' relative links resolve as the answers' did.
    assert result.valid_items[0].link("self").url() == "http://127.0.0.1:9/v1/shops/1/orders/1"


def test_a_batch_without_an_answer_ends_the_run_sending_nothing_again():
    ids = list(range(1, 11))
    answers = iter(["answer", "fail", "answer"])

    def reply(request):
        if next(answers) == "fail":
            return 503, {"Content-Type": "application/json"}, '{"message": "busy"}'
        return answer_for(request, invalid={2})

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_callback(responses.POST, UPDATERS_URL, reply)
        with pytest.raises(UpdateOutcomeUnknown) as caught:
            make_shop().update_orders(ids, status="closed", batch_size=4)
        assert len(rsps.calls) == 2  # the third batch was never sent, the second not twice
    error = caught.value
    assert error.ids == [5, 6, 7, 8]
    assert error.unsent == [9, 10]
    assert error.result is not None
    assert [o.id for o in error.result.valid_items] == [1, 3, 4]
    assert [o.id for o in error.result.invalid_items] == [2]
    assert isinstance(error.__cause__, ServerError)
    assert "batch 2 of 3" in str(error) and "not sent: 2 ids" in str(error)
    assert "5, 6, 7, 8" in str(error)


def test_an_answer_that_forgets_ids_puts_those_alone_in_doubt():
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.POST, UPDATERS_URL, lambda r: answer_for(r, forget={6}))
        with pytest.raises(UpdateOutcomeUnknown) as caught:
            make_shop().update_orders(list(range(1, 10)), status="closed", batch_size=4)
        assert len(rsps.calls) == 2
    error = caught.value
    assert error.ids == [6] and error.unsent == [9]
    assert [o.id for o in error.result.valid_items] == [1, 2, 3, 4, 5, 7, 8]


@pytest.mark.parametrize("size", [0, -1, 1.5, "200", True])
def test_a_batch_size_that_is_no_count_is_refused_before_any_request(size):
    with responses.RequestsMock() as rsps:
        with pytest.raises(ValueError, match="batch_size"):
            make_shop().update_orders([1, 2], status="closed", batch_size=size)
        assert len(rsps.calls) == 0


def test_under_faults_every_id_of_every_batch_is_accounted_for():
    with serve(orders=400, seed=6) as sandbox:
        ids = list(sandbox.order_ids[:300])
        valid: set[int] = set()
        doubtful: set[int] = set()
        with BooticClient(token=sandbox.token, root_url=str(sandbox), cache=False) as bootic:
            shop = bootic.shop()
            sandbox.config.fail_rate = 0.4
            remaining = ids
            for _ in range(60):
                if not remaining:
                    break
                try:
                    result = shop.update_orders(remaining, status="invalid", batch_size=50)
                    doubt, unsent = [], []
                except UpdateOutcomeUnknown as exc:
                    result, doubt, unsent = exc.result, exc.ids, exc.unsent
                answered = result.valid_items + result.invalid_items if result else []
                # A partition of what was given: nothing lost, nothing twice.
                placed = [o.id for o in answered] + list(doubt) + list(unsent)
                assert sorted(placed) == sorted(remaining)
                valid |= {o.id for o in result.valid_items} if result else set()
                doubtful |= set(doubt)  # the caller re-reads these rather than resend
                remaining = list(unsent)
            sandbox.config.fail_rate = 0
        assert not remaining and valid | doubtful <= set(ids)
        assert valid and valid <= set(database_orders(sandbox, "status = 'invalid'"))


# -- update_orders_where -------------------------------------------------------------------


@pytest.fixture
def sandbox():
    with serve(orders=600, seed=0) as url:
        yield url


def bootic_of(sandbox):
    return BooticClient(token=sandbox.token, root_url=str(sandbox), cache=False)


def test_a_dry_run_names_the_orders_it_would_update_and_sends_nothing(sandbox, caplog):
    pending = database_orders(sandbox, "status = 'pending'")
    caplog.set_level(logging.DEBUG, logger="halnav")
    with bootic_of(sandbox) as bootic:
        ids = bootic.shop().update_orders_where(
            {"status": "pending"}, status="closed", dry_run=True
        )
    assert sorted(ids) == sorted(pending)
    assert not [r for r in caplog.records if r.getMessage().startswith("POST")]
    assert database_orders(sandbox, "status = 'pending'") == pending


def test_updating_where_closes_every_matching_order_in_batches(sandbox, caplog):
    pending = database_orders(sandbox, "status = 'pending'")
    caplog.set_level(logging.DEBUG, logger="halnav")
    with bootic_of(sandbox) as bootic:
        result = bootic.shop().update_orders_where(
            {"status": "pending"}, status="closed", batch_size=10
        )
    assert sorted(o.id for o in result.valid_items) == sorted(pending)
    assert result.invalid_items == []
    assert database_orders(sandbox, "status = 'pending'") == {}
    posts = [r for r in caplog.records if r.getMessage().startswith("POST")]
    assert len(posts) == -(-len(pending) // 10)


def test_updating_where_nothing_matches_sends_nothing(sandbox):
    with bootic_of(sandbox) as bootic:
        result = bootic.shop().update_orders_where(
            {"status": "pending", "code": "NOSUCHCODE"}, status="closed"
        )
    assert result.valid_items == [] and result.invalid_items == [] and result.ok


@pytest.mark.parametrize(
    ("where", "status", "error", "said"),
    [
        ({"status": "pending"}, "open", InvalidFilter, "cannot set status 'open'"),
        ({"state": "pending"}, "closed", InvalidFilter, "unknown order filter 'state'"),
        ({"status": "pending", "sort": "title.asc"}, "closed", InvalidFilter, "sorts it can"),
        ({}, "closed", ValueError, "every order of the shop"),
        ({"status": None}, "closed", ValueError, "every order of the shop"),
    ],
)
def test_what_update_orders_where_cannot_do_is_refused_first(where, status, error, said):
    shop = make_shop()
    with responses.RequestsMock() as rsps:
        with pytest.raises(error, match=said):
            shop.update_orders_where(where, status=status)
        assert len(rsps.calls) == 0
