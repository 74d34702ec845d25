"""halnav against a real Eve server (its MongoDB stood in for by mongomock).

Eve writes its pages' links relative to the API root (``books?page=2``), its items as a plain
``_items`` property (not ``_embedded``), page metadata as ``_meta: {page, max_results, total}``,
errors as ``_status``/``_error``/``_issues``, and wants ``If-Match`` to change an item.
"""

from __future__ import annotations

import importlib.util
import warnings

import pytest

mongomock = pytest.importorskip("mongomock")
if importlib.util.find_spec("eve") is None:  # imported under mongomock's patch, below
    pytest.skip("Eve is not installed", allow_module_level=True)

from servers import wsgi_server  # noqa: E402

import halnav  # noqa: E402

BOOKS = 23
# Eve's validator (Cerberus 1.3) uses APIs that Cerberus itself deprecates.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SETTINGS = {
    "MONGO_HOST": "localhost",
    "MONGO_PORT": 27017,
    "MONGO_DBNAME": "halnav_outside",
    "RESOURCE_METHODS": ["GET", "POST"],
    "ITEM_METHODS": ["GET", "PATCH", "DELETE"],
    "PAGINATION_DEFAULT": 5,
    "DOMAIN": {
        "books": {
            "schema": {
                "title": {"type": "string", "required": True},
                "year": {"type": "integer"},
            }
        }
    },
}


@pytest.fixture(scope="module")
def server():
    with mongomock.patch(servers=(("localhost", 27017),)), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from eve import Eve  # under the patch: its Mongo client is mongomock's

        app = Eve(settings=SETTINGS)
        with app.test_client() as setup:
            answer = setup.post(
                "/books", json=[{"title": f"Book {n}", "year": n} for n in range(BOOKS)]
            )
            assert answer.status_code == 201
        with wsgi_server(app) as url:
            yield url


def test_pages_fetched_by_url_are_prefetched_from_next_last_and_meta(server):
    with halnav.Client(server) as client:
        first = client.get("/books")
        walk = first.pages(prefetch=3)
        assert walk.prefetching, walk.why_sequential
        years = [item["year"] for page in walk for item in page["_items"]]
        assert walk.prefetching
    assert sorted(years) == list(range(BOOKS))


def test_iterate_says_the_items_are_not_embedded(server):
    with halnav.Client(server) as client, pytest.raises(halnav.LinkNotFound) as caught:
        list(client.get("/books").iterate("items", prefetch=2))
    assert "embedded: (none)" in str(caught.value)


def test_validation_issues_and_the_error_message(server):
    with halnav.Client(server) as client, pytest.raises(halnav.UnprocessableEntity) as caught:
        client.request("POST", "/books", json={"year": "soon"})
    error = caught.value
    assert error.detail == "Insertion failure: 1 document(s) contain(s) error(s)"
    assert sorted(error.errors, key=lambda e: e["field"]) == [
        {"field": "title", "messages": ["required field"]},
        {"field": "year", "messages": ["must be of integer type"]},
    ]


def test_patch_needs_if_match_and_the_right_etag(server):
    with halnav.Client(server, retries=0) as client:
        page = client.get("/books")
        item = page["_items"][0]
        # The item's self link ("books/<id>") is relative to the API root: from the page at
        # /books it resolves to the item.
        target = halnav.Resource(item, url=page.url, client=client)
        with pytest.raises(halnav.PreconditionRequired) as caught:
            target.invoke("self", json={"year": 1}, method="PATCH")
        assert "If-Match" in str(caught.value)
        with pytest.raises(halnav.PreconditionFailed) as caught:
            target.invoke("self", json={"year": 1}, method="PATCH", headers={"If-Match": "old"})
        assert "etag" in caught.value.detail.lower()
        done = target.invoke(
            "self", json={"year": 1}, method="PATCH", headers={"If-Match": item["_etag"]}
        )
        assert done["_status"] == "OK"


def test_a_missing_item_keeps_eves_message(server):
    with halnav.Client(server) as client, pytest.raises(halnav.NotFound) as caught:
        client.get("/books/5f1e0000000000000000dead")
    assert caught.value.detail and caught.value.detail in str(caught.value)
