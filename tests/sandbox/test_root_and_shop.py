"""The root and shop documents, their links and properties, and the product documents."""

from __future__ import annotations

from urllib.parse import urlsplit

from halnav.sandbox import SandboxURL

from .conftest import Api

ORDER_FILTERS = (
    "q,page,per_page,status,code,product_id,payment_method,created_on_gte,created_on_lte,"
    "updated_on_gte,updated_on_lte,pending_on_gte,pending_on_lte,closed_on_gte,closed_on_lte,"
    "shipped_on_gte,shipped_on_lte,net_total_gte,net_total_lte,shipping_total_gte,"
    "shipping_total_lte,discount_total_gte,discount_total_lte,total_gte,total_lte,lat_long,"
    "distance,sort"
)


def test_root_document(reader: Api, shared: SandboxURL) -> None:
    root = reader.doc(shared)
    links = root["_links"]
    assert links["curies"] == [
        {"name": "btc", "href": "https://developers.bootic.net/rels/{rel}", "templated": True}
    ]
    assert links["self"] == {"href": str(shared)}
    assert links["btc:shop"] == {
        "href": f"{shared.base_url}/v1/shops/{{id}}.json",
        "templated": True,
    }
    assert links["btc:docs"]["href"] == "https://developers.bootic.net"
    assert root["user_name"] == "sandbox-owner"
    assert root["scopes"] == "admin"
    assert [shop["id"] for shop in root["_embedded"]["shops"]] == [shared.shop_id]


def test_root_lists_only_the_shops_the_user_owns(shared: SandboxURL) -> None:
    with Api(shared, shared.tokens["shop2_admin"]) as other:
        root = other.doc(shared)
    assert root["user_name"] == "other-owner"
    assert [shop["id"] for shop in root["_embedded"]["shops"]] == [shared.other_shop_id]


def test_shop_document_links(reader: Api, shared: SandboxURL) -> None:
    embedded = reader.shop()
    shop = reader.doc(embedded["_links"]["self"]["href"])
    assert shop["id"] == shared.shop_id
    assert {"name", "subdomain", "url", "currency"} <= set(shop)
    base = f"{shared.base_url}/v1/shops/{shared.shop_id}"
    links = shop["_links"]
    assert links["self"] == {"href": f"{base}.json"}
    assert links["btc:orders"] == {
        "href": f"{base}/orders.json{{?{ORDER_FILTERS}}}",
        "templated": True,
    }
    assert links["btc:order"] == {"href": f"{base}/orders/{{id}}.json", "templated": True}
    assert links["btc:create_order"] == {"href": f"{base}/orders", "method": "post"}
    assert links["btc:update_orders"] == {
        "href": f"{base}/orders/updaters.json",
        "method": "post",
    }
    assert links["curies"][0]["name"] == "btc"
    # the embedded shop of the root is the same resource
    assert {k: v for k, v in embedded["_links"].items()} == {
        k: v for k, v in links.items() if k != "curies"
    }


def test_shop_template_url_from_root_works(reader: Api, shared: SandboxURL) -> None:
    template = reader.doc(shared)["_links"]["btc:shop"]["href"]
    shop = reader.doc(template.replace("{id}", str(shared.shop_id)))
    assert shop["id"] == shared.shop_id


def test_real_api_spellings_without_json_suffix(reader: Api, shared: SandboxURL) -> None:
    base = f"{shared.base_url}/v1/shops/{shared.shop_id}"
    assert reader.doc(base)["id"] == shared.shop_id
    # the seed page's "successful" example has no .json
    assert reader.doc(f"{base}/orders", status="successful")["total_items"] > 0


def test_product_link_of_a_line_item(reader: Api) -> None:
    line = reader.doc(reader.orders_url(), per_page=1)["_embedded"]["items"][0]["_embedded"][
        "line_items"
    ][0]
    product = reader.doc(line["_links"]["product"]["href"])
    assert product["id"] == line["product_id"]
    assert product["title"] == line["product_title"]
    assert line["variant_id"] in [v["id"] for v in product["_embedded"]["variants"]]
    missing = reader.get(line["_links"]["product"]["href"] + "-nope")
    assert missing.status_code == 404


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
