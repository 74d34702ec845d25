"""The root and shop documents in the real API's shapes, and the product and contact collections."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from halnav.sandbox import SandboxURL

from .conftest import Api, message_of

ORDER_FILTERS = (
    "q,page,per_page,status,code,product_id,payment_method,tags,contact_email,created_on_gte,"
    "created_on_lte,updated_on_gte,updated_on_lte,pending_on_gte,pending_on_lte,closed_on_gte,"
    "closed_on_lte,shipped_on_gte,shipped_on_lte,net_total_gte,net_total_lte,shipping_total_gte,"
    "shipping_total_lte,discount_total_gte,discount_total_lte,total_gte,total_lte,lat_long,"
    "distance,sort,histogram"
)
CURIES = [{"name": "btc", "href": "https://api.bootic.net/rels/{rel}", "templated": True}]


def test_root_document(reader: Api, shared: SandboxURL) -> None:
    root = reader.doc(shared)
    assert root["_class"] == ["root"]
    links = root["_links"]
    assert links["curies"] == CURIES
    assert links["self"] == {"href": str(shared)}
    # the sandbox's own convenience, kept in the default layout
    assert links["btc:shop"] == {
        "href": f"{shared.base_url}/v1/shops/{{id}}.json",
        "templated": True,
    }
    assert links["btc:all_products"]["templated"] is True
    assert links["btc:all_products"]["href"].startswith(f"{shared.base_url}/v1/products{{?")
    assert "price.gte" in links["btc:all_products"]["href"]  # dotted, as the real root has it
    assert links["btc:product"] == {
        "href": f"{shared.base_url}/v1/products/{{id}}",
        "templated": True,
        "title": "A product",
    }
    assert links["btc:docs"]["href"] == "https://developers.bootic.net"
    assert links["btc:docs"]["type"] == "text/html"
    assert root["user_name"] == "sandbox-owner"
    assert root["email"] == "owner@example.com"
    assert root["scopes"] == "admin"
    assert {"uid", "role", "provider"} <= set(root)
    assert root["last_logged_on"] == "2016-12-30T18:22:41Z"
    (shop,) = root["_embedded"]["shops"]
    assert shop["id"] == str(shared.shop_id)


def test_scopes_are_one_comma_separated_string(shared: SandboxURL) -> None:
    token = reader_token(shared, "admin public")
    with Api(shared, token) as session:
        response = session.get(shared)
    assert response.json()["scopes"] == "admin,public"
    assert response.headers["X-OAuth-Scopes"] == "admin,public"


def reader_token(url: SandboxURL, scope: str) -> str:
    with Api(url) as anonymous:
        answer = anonymous.post(
            url.token_url,
            data={"grant_type": "client_credentials", "scope": scope},
            auth=(url.client_id, url.client_secret),
        )
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]  # type: ignore[no-any-return]


def test_root_lists_only_the_shops_the_user_owns(shared: SandboxURL) -> None:
    with Api(shared, shared.tokens["shop2_admin"]) as other:
        root = other.doc(shared)
    assert root["user_name"] == "other-owner"
    assert [shop["id"] for shop in root["_embedded"]["shops"]] == [str(shared.other_shop_id)]


def test_shop_document(reader: Api, shared: SandboxURL) -> None:
    embedded = reader.shop()
    shop = reader.doc(embedded["_links"]["self"]["href"])
    assert shop["_class"] == ["shop"]
    assert shop["id"] == str(shared.shop_id)  # a string, as in real documents
    assert shop["currency_code"] == "CLP" and "currency" not in shop
    assert shop["url"] == "sandbox-shop.bootic.net"  # no scheme
    assert shop["locale"] == "es"
    assert shop["subdomain"] == "sandbox-shop"
    assert shop["created_on"].endswith("Z")
    base = f"{shared.base_url}/v1/shops/{shared.shop_id}"
    links = shop["_links"]
    assert links["curies"] == CURIES
    assert links["self"] == {"href": f"{base}.json", "title": "This shop"}
    assert links["btc:orders"] == {
        "href": f"{base}/orders.json{{?{ORDER_FILTERS}}}",
        "templated": True,
        "title": "Orders of this shop",
    }
    assert links["btc:order"] == {
        "href": f"{base}/orders/{{code}}",
        "templated": True,
        "title": "An order of this shop",
    }
    assert links["btc:contacts"]["href"] == f"{base}/contacts{{?q,sort}}"
    assert links["btc:contacts"]["templated"] is True
    assert links["btc:products"]["href"].startswith(f"{base}/products{{?")
    assert links["btc:create_order"]["href"] == f"{base}/orders"
    assert links["btc:create_order"]["method"] == "post"
    assert links["btc:update_orders"]["href"] == f"{base}/orders/updaters.json"
    assert links["btc:update_orders"]["method"] == "post"
    for rel, link in links.items():
        assert rel == "curies" or link["title"], rel
    # the embedded shop of the root is the same resource
    assert {k: v for k, v in embedded.items() if k != "_links"} == {
        k: v for k, v in shop.items() if k != "_links"
    }
    assert embedded["_links"] == {k: v for k, v in links.items() if k != "curies"}


def test_shop_template_url_from_root_works(reader: Api, shared: SandboxURL) -> None:
    template = reader.doc(shared)["_links"]["btc:shop"]["href"]
    shop = reader.doc(template.replace("{id}", str(shared.shop_id)))
    assert shop["id"] == str(shared.shop_id)


def test_real_api_spellings_without_json_suffix(reader: Api, shared: SandboxURL) -> None:
    base = f"{shared.base_url}/v1/shops/{shared.shop_id}"
    assert reader.doc(base)["id"] == str(shared.shop_id)
    # the seed page's "successful" example has no .json
    assert reader.doc(f"{base}/orders", status="successful")["total_items"] > 0


def _first_line(reader: Api) -> dict[str, Any]:
    order = reader.doc(reader.orders_url(), per_page=1)["_embedded"]["items"][0]
    return order["_embedded"]["line_items"][0]  # type: ignore[no-any-return]


def test_line_items_link_to_their_product(reader: Api, shared: SandboxURL) -> None:
    line = _first_line(reader)
    by_slug = reader.doc(line["_links"]["product"]["href"])  # the seed page's link
    product = reader.doc(line["_links"]["btc:product"]["href"])  # the real API's
    assert line["_links"]["btc:product"]["href"] == (
        f"{shared.base_url}/v1/products/{line['product_id']}"
    )
    assert by_slug == product
    assert product["_class"] == ["product"]
    assert product["id"] == line["product_id"]
    assert product["title"] == line["product_title"]
    assert product["_links"]["self"]["href"] == line["_links"]["btc:product"]["href"]
    variants = product["_embedded"]["variants"]
    assert line["variant_id"] in [v["id"] for v in variants]
    assert all(v["_class"] == ["variant"] and v["price"] == product["price"] for v in variants)
    missing = reader.get(line["_links"]["product"]["href"] + "-nope")
    assert missing.status_code == 404
    assert "does not exist" in message_of(missing)
    assert reader.get(f"{shared.base_url}/v1/products/1").status_code == 404


def test_the_root_template_of_a_product(reader: Api, shared: SandboxURL) -> None:
    template = reader.doc(shared)["_links"]["btc:product"]["href"]
    product_id = shared.product_ids[4]
    assert reader.doc(template.replace("{id}", str(product_id)))["id"] == product_id


def test_all_products_and_their_filters(reader: Api, shared: SandboxURL) -> None:
    href = f"{shared.base_url}/v1/products"
    every = reader.doc(href, per_page=200)
    assert every["_class"] == ["results", "products"]
    assert every["total_items"] == 38  # both shops' catalogues
    products = every["_embedded"]["items"]
    assert [p["title"].casefold() for p in products] == sorted(
        p["title"].casefold() for p in products
    )
    dear = reader.doc(href, **{"price.gte": 30000, "sort": "price.desc"})
    expected = sorted(
        (p for p in products if p["price"] >= 30000), key=lambda p: (-p["price"], -p["id"])
    )
    assert [p["id"] for p in dear["_embedded"]["items"]] == [p["id"] for p in expected]
    assert "price.gte=30000" in dear["_links"]["self"]["href"]
    wine = reader.doc(href, q="SAUVIGNON")
    assert [p["title"] for p in wine["_embedded"]["items"]] == ["Sauvignon Blanc"]
    bad = reader.get(href, params={"price.lte": "cheap", "sort": "color.asc"})
    assert bad.status_code == 400
    assert "price.lte: must be an integer amount (cents)" in bad.json()["message"]


def test_the_shops_products_are_its_own(reader: Api, shared: SandboxURL) -> None:
    href = reader.shop()["_links"]["btc:products"]["href"].split("{")[0]
    page = reader.doc(href, per_page=7)
    assert page["total_items"] == 30
    assert [p["id"] for p in page["_embedded"]["items"]] == [
        p["id"] for p in reader.doc(href, per_page=30)["_embedded"]["items"][:7]
    ]
    assert page["_links"]["next"]["href"].endswith("page=2&per_page=7&sort=title.asc")
    assert {p["shop_id"] for p in page["_embedded"]["items"]} == {shared.shop_id}
    past = reader.get(href, params={"page": 9})
    assert past.status_code == 404
    assert message_of(past) == "Page 9 does not exist: 30 products at 30 per page end on page 1"


def test_the_shops_contacts(reader: Api, shared: SandboxURL) -> None:
    template = reader.shop()["_links"]["btc:contacts"]["href"]
    href = template.split("{")[0]
    page = reader.doc(href, per_page=200)
    assert page["_class"] == ["results", "contacts"]
    assert page["total_items"] == len(shared.contact_emails)
    contact = page["_embedded"]["items"][0]
    assert contact["_class"] == ["contact"]
    assert set(contact) == {"_class", "_links", "id", "name", "email", "phone_number", "rut"}
    names = [c["name"].casefold() for c in page["_embedded"]["items"]]
    assert names == sorted(names)
    joe = reader.doc(href, q="JOE PERK")["_embedded"]["items"]
    assert [c["name"] for c in joe] == ["Joe Perk"]
    # a contact links to its orders
    orders = reader.doc(joe[0]["_links"]["btc:orders"]["href"])
    assert orders["total_items"] > 0
    emails = {o["_embedded"]["contact"]["email"] for o in orders["_embedded"]["items"]}
    assert emails == {joe[0]["email"]}
    by_email = reader.doc(href, sort="email.desc")["_embedded"]["items"]
    assert [c["email"] for c in by_email] == sorted((c["email"] for c in by_email), reverse=True)
    assert reader.get(href, params={"sort": "age.asc"}).status_code == 400


@pytest.mark.parametrize("token", ["shop1_public", "shop2_admin"])
def test_products_are_public_but_contacts_are_not(shared: SandboxURL, token: str) -> None:
    with Api(shared, shared.tokens[token]) as other:
        assert other.get(f"{shared.base_url}/v1/products").status_code == 200
        base = f"{shared.base_url}/v1/shops/{shared.shop_id}"
        assert other.get(f"{base}/products").status_code == 200
        assert other.get(f"{base}/contacts").status_code == 403


def test_index_points_to_root_and_token_endpoint(shared: SandboxURL) -> None:
    with Api(shared) as anonymous:
        index = anonymous.doc(shared.base_url + "/")
    assert index["_links"]["root"]["href"] == shared
    assert index["_links"]["token"]["href"] == shared.token_url


def test_links_follow_the_host_the_client_used(shared: SandboxURL) -> None:
    # The same server reached as localhost builds its links on localhost.
    port = urlsplit(shared.base_url).port
    with Api(shared, shared.token) as session:
        root = session.doc(f"http://localhost:{port}/v1")
    assert root["_links"]["self"]["href"] == f"http://localhost:{port}/v1"
