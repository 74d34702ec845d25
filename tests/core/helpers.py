"""Small builders for the core tests."""

from __future__ import annotations

from typing import Any

API = "https://api.bootic.net"
ROOT = f"{API}/v1"
CURIES = [{"name": "btc", "href": "https://developers.bootic.net/rels/{rel}", "templated": True}]


def root_document(**links: Any) -> dict[str, Any]:
    """A Bootic-like root document with the btc curie and extra ``links``."""
    return {
        "_links": {
            "curies": CURIES,
            "self": {"href": ROOT},
            "btc:shop": {"href": f"{ROOT}/shops/{{id}}.json", "templated": True},
            "btc:orders": {"href": "/v1/shops/1/orders.json{?page,status}", "templated": True},
            **links,
        },
        "user_name": "joe",
        "scopes": "admin",
    }


def page_document(
    number: int, last: int, base: str = f"{ROOT}/shops/1/orders.json"
) -> dict[str, Any]:
    """Page ``number`` of ``last`` with two items each."""
    links: dict[str, Any] = {
        "self": {"href": f"{base}?page={number}"},
        "last": {"href": f"{base}?page={last}"},
    }
    if number < last:
        links["next"] = {"href": f"{base}?page={number + 1}"}
    items = [
        {
            "_links": {"self": {"href": f"{ROOT}/shops/1/orders/{number * 10 + i}.json"}},
            "id": number * 10 + i,
        }
        for i in range(2)
    ]
    return {
        "_links": links,
        "total_items": last * 2,
        "per_page": 2,
        "page": number,
        "_embedded": {"items": items},
    }
