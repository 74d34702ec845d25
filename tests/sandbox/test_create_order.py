"""Creating orders: the create_order seed page's rules, its 201 answer and its 422 errors."""

from __future__ import annotations

from typing import Any

import pytest

from halnav.sandbox import SandboxURL

from .conftest import Api, errors_of


def _create_href(api: Api) -> str:
    link = api.shop()["_links"]["btc:create_order"]
    assert link["method"] == "post"
    return link["href"]  # type: ignore[no-any-return]


def _count(url: SandboxURL) -> int:
    return url.db.query("SELECT COUNT(*) FROM orders")[0][0]  # type: ignore[no-any-return]


def _line(url: SandboxURL, units: int = 1, index: int = 0) -> dict[str, int]:
    return {"variant_id": url.variant_ids[index], "units": units}


def test_create_minimal_cart(api: Api) -> None:
    url = api.url
    response = api.post(_create_href(api), json={"line_items": [_line(url, 3), _line(url, 1, 5)]})
    assert response.status_code == 201
    order = response.json()
    assert response.headers["Location"] == order["_links"]["self"]["href"]
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["X-OAuth-Scopes"] == "admin"
    assert "ETag" in response.headers and "Last-Modified" in response.headers
    assert order["status"] == "checkout"
    assert order["shop_id"] == url.shop_id
    assert order["pending_on"] is None and order["closed_on"] is None
    assert order["_class"] == ["order"]
    assert order["_embedded"]["contact"] is None
    assert "address" not in order["_embedded"]  # left out when absent, not null
    assert order["_links"]["btc:update_order"]["method"] == "put"  # it is in checkout
    assert order["_links"]["self"]["href"].endswith(f"/orders/{order['code']}")
    assert order["created_on"] == order["updated_on"] and order["created_on"].endswith("Z")
    assert order["_links"]["btc:web_cart"]["type"] == "text/html"
    lines = order["_embedded"]["line_items"]
    assert [line["variant_id"] for line in lines] == [url.variant_ids[0], url.variant_ids[5]]
    assert [line["units"] for line in lines] == [3, 1]
    for line in lines:
        assert line["net_total"] == line["unit_price"] * line["units"] == line["total"]
    assert order["net_total"] == sum(line["net_total"] for line in lines)
    assert order["total"] == order["net_total"] + order["shipping_total"] - order["discount_total"]
    # the new order is a resource of its own, and the newest of the listing
    assert api.doc(response.headers["Location"])["id"] == order["id"]
    assert api.doc(api.orders_url())["_embedded"]["items"][0]["id"] == order["id"]
    assert order["id"] > max(url.order_ids[:-1])


def test_existing_contact_is_found_by_email_alone(api: Api) -> None:
    url = api.url
    email = url.contact_emails[3]
    known = api.all_orders(q=email)[0]["_embedded"]["contact"]
    body = {"contact": {"email": email.upper()}, "line_items": [_line(url)]}
    order = api.post(_create_href(api), json=body).json()
    assert order["_embedded"]["contact"] == known
    contacts = url.db.query("SELECT COUNT(*) FROM contacts WHERE email = ?", (email,))
    assert contacts[0][0] == 1


def test_more_contact_fields_update_the_contact_and_its_other_orders(api: Api) -> None:
    url = api.url
    email = url.contact_emails[0]
    before = api.all_orders(q=email)
    assert before
    body = {"contact": {"email": email, "name": "New Name"}, "line_items": [_line(url)]}
    created = api.post(_create_href(api), json=body)
    assert created.status_code == 201
    assert created.json()["_embedded"]["contact"]["name"] == "New Name"
    for order in before:
        again = api.doc(order["_links"]["self"]["href"])
        assert again["_embedded"]["contact"]["name"] == "New Name"
        assert (
            again["_embedded"]["contact"]["phone_number"]
            == (order["_embedded"]["contact"]["phone_number"])
        )
    assert len(api.all_orders(q="new name")) == len(before) + 1


def test_new_contact_is_created(api: Api) -> None:
    url = api.url
    contact = {"email": "joe@bloggs.example.com", "name": "Joe Bloggs", "phone_number": "123"}
    order = api.post(_create_href(api), json={"contact": contact, "line_items": [_line(url)]})
    assert order.status_code == 201
    created = order.json()["_embedded"]["contact"]
    assert created == {**contact, "rut": None, "_class": ["contact"], "id": created["id"]}
    assert "joe@bloggs.example.com" in url.contact_emails


def test_new_contact_needs_name_and_phone(api: Api) -> None:
    url = api.url
    before = _count(url)
    body = {"contact": {"email": "new@example.net"}, "line_items": [_line(url)]}
    response = api.post(_create_href(api), json=body)
    assert response.status_code == 422
    errors = errors_of(response)
    assert set(errors) == {"contact.name", "contact.phone_number"}
    assert _count(url) == before
    assert "new@example.net" not in url.contact_emails


def test_address_is_copied_by_id(api: Api) -> None:
    url = api.url
    source = next(
        o["_embedded"]["address"] for o in api.all_orders() if "address" in o["_embedded"]
    )
    body = {"line_items": [_line(url)], "address": {"id": source["id"]}}
    order = api.post(_create_href(api), json=body).json()
    copied = order["_embedded"]["address"]
    assert copied["id"] != source["id"]
    assert {k: v for k, v in copied.items() if k != "id"} == {
        k: v for k, v in source.items() if k != "id"
    }
    assert order["shipping_total"] > 0  # shipping priced by the address's zone
    assert order["total"] == order["net_total"] + order["shipping_total"]


def test_unknown_variant_is_422_as_documented(api: Api) -> None:
    before = _count(api.url)
    response = api.post(_create_href(api), json={"line_items": [{"variant_id": 32222, "units": 1}]})
    assert response.status_code == 422
    assert response.json() == {
        "_class": ["errors"],
        "_embedded": {
            "errors": [
                {
                    "_class": ["error"],
                    "field": "variant.id",
                    "messages": ["Variant 32222 does not exist in this shop"],
                }
            ]
        },
    }
    assert response.headers["X-OAuth-Scopes"] == "admin"
    assert _count(api.url) == before


def test_variant_of_another_shop_does_not_exist_here(api: Api) -> None:
    other = api.url.db.query("SELECT id FROM variants WHERE shop_id = ?", (api.url.other_shop_id,))[
        0
    ][0]
    response = api.post(_create_href(api), json={"line_items": [{"variant_id": other, "units": 1}]})
    assert errors_of(response)["variant.id"] == [f"Variant {other} does not exist in this shop"]


def _with_variant(line: dict[str, Any] | None = None, **extra: Any) -> Any:
    """A body builder for a request whose line item names a real variant of the shop."""

    def build(variant: int) -> dict[str, Any]:
        units = {"units": 1} if line is None else line
        return {"line_items": [{"variant_id": variant, **units}], **extra}

    return build


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "line_items"),
        ({"line_items": []}, "line_items"),
        ({"line_items": "many"}, "line_items"),
        ({"line_items": [7]}, "line_items"),
        ({"line_items": [{"units": 1}]}, "line_items.variant_id"),
        ({"line_items": [{"variant_id": "66480", "units": 1}]}, "line_items.variant_id"),
        ({"line_items": [{"variant_id": 10**20, "units": 1}]}, "line_items.variant_id"),
        (_with_variant(line={}), "line_items.units"),
        (_with_variant(line={"units": 0}), "line_items.units"),
        (_with_variant(line={"units": -2}), "line_items.units"),
        (_with_variant(line={"units": 1.5}), "line_items.units"),
        (_with_variant(contact={"name": "No Email"}), "contact.email"),
        (_with_variant(contact={"email": "not-an-email"}), "contact.email"),
        (_with_variant(contact="joe@example.com"), "contact"),
        (_with_variant(address={"id": 1}), "address.id"),
        (_with_variant(address="Av. Brasil 20"), "address.id"),
    ],
)
def test_invalid_bodies_are_422(api: Api, body: Any, field: str) -> None:
    if callable(body):
        body = body(api.url.variant_ids[0])
    before = _count(api.url)
    response = api.post(_create_href(api), json=body)
    assert response.status_code == 422, response.text
    assert field in errors_of(response)
    assert _count(api.url) == before


def test_all_problems_are_reported_at_once(api: Api) -> None:
    body = {
        "line_items": [{"variant_id": 1, "units": 0}, {"variant_id": 2, "units": 1}],
        "address": {"id": 3},
        "contact": {"email": "fresh@example.com"},
    }
    errors = errors_of(api.post(_create_href(api), json=body))
    assert set(errors) == {
        "line_items.units", "variant.id", "address.id", "contact.name", "contact.phone_number"
    }  # fmt: skip
    assert errors["variant.id"] == ["Variant 2 does not exist in this shop"]


@pytest.mark.parametrize("raw", [b"{not json", b"", b"\xff\xfe"])
def test_malformed_json_is_400(api: Api, raw: bytes) -> None:
    response = api.post(_create_href(api), data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "body" in errors_of(response)


def test_a_json_body_that_is_not_an_object_is_400(api: Api) -> None:
    response = api.post(_create_href(api), json=[{"variant_id": 1, "units": 1}])
    assert response.status_code == 400
    assert errors_of(response)["body"] == ["must be a JSON object"]


def test_json_that_is_not_text_is_400(api: Api) -> None:
    raw = b'{"line_items": [], "contact": {"email": "a@b.cl", "name": "\\ud800"}}'
    response = api.post(_create_href(api), data=raw)
    assert response.status_code == 400
    assert "body" in errors_of(response)


def test_an_order_of_many_lines(api: Api) -> None:
    # More line items than SQLite takes parameters in one statement.
    variants = api.url.variant_ids
    lines = [{"variant_id": variants[i % len(variants)], "units": 1} for i in range(1200)]
    response = api.post(_create_href(api), json={"line_items": lines})
    assert response.status_code == 201
    order = response.json()
    assert len(order["_embedded"]["line_items"]) == 1200
    assert order["net_total"] == sum(li["net_total"] for li in order["_embedded"]["line_items"])
