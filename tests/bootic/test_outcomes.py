"""Unknown outcomes of writes (nothing lost): a 201 whose ``Location`` cannot be fetched, a 2xx bulk
answer whose lists cannot be read, a 5xx. Each is an ``OutcomeUnknown`` naming what is in doubt."""

from __future__ import annotations

import pytest
import requests

from halnav import InvalidDocument, ServerError
from halnav.bootic import BooticClient, CreateOutcomeUnknown, UpdateOutcomeUnknown

from .real import API, CHECKOUT, ORDERS, SHOP, shop_page, with_bulk_link


@pytest.fixture
def real(fixture_doc):
    return lambda name: fixture_doc(f"real/{name}.json")


@pytest.fixture
def bootic():
    with BooticClient(token="secret-token", retries=0) as client:
        yield client


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500, "json": {"_class": ["errors"], "message": "boom"}},
        {"status": 404, "json": {"_class": ["errors"], "message": "gone"}},
        {"body": requests.exceptions.ConnectionError("reset")},
    ],
)
def test_a_201_whose_location_cannot_be_fetched_is_an_unknown_outcome_with_the_location(
    rsps, bootic, real, failure
):
    rsps.get(SHOP, json=real("shop"))
    shop = shop_page(bootic)
    rsps.post(ORDERS, status=201, headers={"Location": CHECKOUT})
    rsps.get(CHECKOUT, **failure)
    with pytest.raises(CreateOutcomeUnknown) as caught:
        shop.create_order([{"variant_id": 1234, "units": 3}])
    error = caught.value
    assert error.location == CHECKOUT
    assert error.body == {"line_items": [{"variant_id": 1234, "units": 3}]}
    assert f"Location {CHECKOUT}" in str(error) and "it exists" in str(error)
    assert [c.request.method for c in rsps.calls] == ["GET", "POST", "GET"]  # never POSTed twice


@pytest.mark.parametrize(
    "answer",
    [
        {"_embedded": "garbage"},
        {"_embedded": {"valid_items": 7, "invalid_items": []}},
        {"_embedded": {"valid_items": [[1]], "invalid_items": []}},
    ],
)
def test_a_2xx_bulk_answer_with_a_malformed_embedded_is_an_unknown_outcome_with_the_ids(
    rsps, bootic, real, answer
):
    rsps.get(API, json=with_bulk_link(real("root")))
    rsps.post(f"{ORDERS}/updaters.json", json=answer)
    with pytest.raises(UpdateOutcomeUnknown) as caught:
        bootic.shop().update_orders([583085, 583090], status="closed")
    assert caught.value.ids == [583085, 583090]
    assert isinstance(caught.value.__cause__, InvalidDocument)
    assert "583085, 583090" in str(caught.value) and "unknown" in str(caught.value)


def test_a_5xx_on_a_bulk_update_carries_the_server_s_message(rsps, bootic, real):
    rsps.get(API, json=with_bulk_link(real("root")))
    rsps.post(f"{ORDERS}/updaters.json", status=503, json={"_class": ["errors"], "message": "busy"})
    with pytest.raises(UpdateOutcomeUnknown) as caught:
        bootic.shop().update_orders([1], status="closed")
    assert isinstance(caught.value.__cause__, ServerError)
    assert ": busy" in str(caught.value)
