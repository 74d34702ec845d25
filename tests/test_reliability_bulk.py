"""Nothing lost in bulk updates: every id comes back valid, invalid with its reason, or in doubt.

The updaters endpoint is a POST, never retried: a 503 or a dropped connection raises
``UpdateOutcomeUnknown`` naming the ids sent, and the caller re-reads them rather than guess.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

import halnav

bootic = pytest.importorskip("halnav.bootic")


def bootic_client(sandbox: Any, **options: Any) -> Any:
    options.setdefault("cache", False)
    return bootic.BooticClient(sandbox.token, root_url=str(sandbox), **options)


def statuses(sandbox: Any, ids: list[int]) -> dict[int, str]:
    marks = ",".join("?" * len(ids))
    rows = sandbox.db.query(f"SELECT id, status FROM orders WHERE id IN ({marks})", tuple(ids))
    return {row[0]: row[1] for row in rows}


@pytest.mark.bootic_sandbox(orders=200)
@pytest.mark.parametrize("kind", ["503", "drop"])
def test_a_failed_bulk_update_is_not_retried_and_names_the_ids_in_doubt(
    bootic_sandbox, caplog, kind
):
    caplog.set_level(logging.DEBUG)
    with bootic_client(bootic_sandbox) as client:
        shop = client.shop()
        ids = list(bootic_sandbox.order_ids[:5])
        before = statuses(bootic_sandbox, ids)
        bootic_sandbox.config.fail_kinds = (kind,)
        bootic_sandbox.config.fail_rate = 1.0
        caplog.clear()
        with pytest.raises(bootic.UpdateOutcomeUnknown) as info:
            shop.update_orders(ids, status="invalid")
        bootic_sandbox.config.fail_rate = 0.0
    error = info.value
    assert error.ids == ids and isinstance(error, halnav.HALNavError)
    assert "outcome is unknown" in str(error) and all(str(i) in str(error) for i in ids)
    assert isinstance(error.__cause__, (halnav.ServerError, halnav.TransportError))
    # Sent exactly once: one request logged, no retry by urllib3.
    posts = [r for r in caplog.records if r.name == "halnav" and r.getMessage().startswith("POST")]
    assert len(posts) == 1
    assert not any("Retrying" in r.getMessage() for r in caplog.records)
    # The sandbox decides faults before processing: re-reading shows nothing changed.
    assert statuses(bootic_sandbox, ids) == before


@pytest.mark.bootic_sandbox(orders=300)
def test_under_faults_every_id_is_accounted_for(bootic_sandbox):
    all_ids = list(bootic_sandbox.order_ids[:120])
    before = statuses(bootic_sandbox, all_ids)
    bootic_sandbox.config.fail_rate = 0.3
    valid: set[int] = set()
    invalid: dict[int, Any] = {}
    in_doubt: set[int] = set()
    with bootic_client(bootic_sandbox) as client:
        shop = client.shop()
        for start in range(0, len(all_ids), 6):
            chunk = all_ids[start : start + 6]
            try:
                result = shop.update_orders(chunk, status="invalid")
            except bootic.UpdateOutcomeUnknown as error:
                in_doubt.update(error.ids)
                continue
            valid.update(order["id"] for order in result.valid_items)
            for order in result.invalid_items:
                invalid[order["id"]] = order.errors
    assert valid | set(invalid) | in_doubt == set(all_ids)
    assert not (valid & set(invalid)) and not (valid & in_doubt) and not (set(invalid) & in_doubt)
    assert in_doubt, "with 30% faults some requests must have failed"
    assert all(reasons for reasons in invalid.values())  # each refusal says why
    after = statuses(bootic_sandbox, all_ids)
    assert all(after[i] == "invalid" for i in valid)
    assert all(after[i] == before[i] for i in in_doubt)  # re-read: faults applied nothing
    assert all(before[i] == "shipped" for i in invalid)  # a shipped order cannot be invalidated
