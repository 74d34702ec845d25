"""halnav against a real FastAPI server: its error bodies, HAL pages fetched by URL, big numbers.

The links are written as fastapi-hypermodel's ``HALFor`` writes them (only the attributes that
are set; hrefs relative to the server); the errors are FastAPI's own (``HTTPException`` and
request validation).
"""

from __future__ import annotations

import pytest

fastapi = pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pydantic = pytest.importorskip("pydantic")

from servers import asgi_server  # noqa: E402

import halnav  # noqa: E402

BOOKS = 47


class Book(pydantic.BaseModel):
    title: str
    year: int
    pages: int | None = None


def book(number: int) -> dict:
    return {
        "id": number,
        "title": f"Book {number}",
        "_links": {"self": {"href": f"/books/{number}"}, "author": {"href": "/authors/1"}},
    }


def make_app():
    app = fastapi.FastAPI()

    @app.get("/books")
    def list_books(page: int = 1, size: int = 5) -> dict:
        last = (BOOKS + size - 1) // size
        links = {
            "self": {"href": f"/books?page={page}&size={size}"},
            "last": {"href": f"/books?page={last}&size={size}"},
            "search": {"href": "/books/{id}", "templated": True, "title": "A book by id"},
        }
        if page < last:
            links["next"] = {"href": f"/books?page={page + 1}&size={size}"}
        start = (page - 1) * size
        items = [book(n) for n in range(start, min(start + size, BOOKS))]
        return {"_links": links, "_embedded": {"books": items}}

    @app.get("/books/{book_id}")
    def get_book(book_id: int) -> dict:
        if book_id >= BOOKS:
            raise fastapi.HTTPException(status_code=404, detail=f"Book {book_id} not found")
        return book(book_id)

    @app.post("/books", status_code=201)
    def create_book(new: Book) -> dict:
        return {"title": new.title, "year": new.year, "_links": {"self": {"href": "/books/99"}}}

    @app.post("/echo")
    def echo(body: dict) -> dict:
        return body

    return app


@pytest.fixture(scope="module")
def server():
    with asgi_server(make_app()) as url:
        yield url


def test_a_404_keeps_fastapis_detail(server):
    with halnav.Client(server) as client, pytest.raises(halnav.NotFound) as caught:
        client.get("/books/99999")
    assert caught.value.detail == "Book 99999 not found"
    assert str(caught.value).endswith(": Book 99999 not found")
    assert caught.value.errors == []


def test_a_validation_error_names_the_fields(server):
    with halnav.Client(server) as client, pytest.raises(halnav.UnprocessableEntity) as caught:
        client.request("POST", "/books", json={"title": "Dune", "year": "soon"})
    assert caught.value.errors == [
        {
            "field": "year",
            "messages": ["Input should be a valid integer, unable to parse string as an integer"],
        }
    ]
    assert "year: Input should be a valid integer" in str(caught.value)


def test_a_missing_field_and_a_wrong_query_parameter(server):
    with halnav.Client(server) as client:
        with pytest.raises(halnav.UnprocessableEntity) as caught:
            client.request("POST", "/books", json={"year": 1965})
        assert caught.value.errors == [{"field": "title", "messages": ["Field required"]}]
        with pytest.raises(halnav.UnprocessableEntity) as caught:
            client.get("/books", page="x")
        assert caught.value.errors[0]["field"] == "query.page"


def test_page_one_by_url_is_prefetched_from_its_links(server):
    with halnav.Client(server) as client:
        first = client.get("/books")
        walk = first.iterate("books", prefetch=4)
        assert walk.prefetching, walk.why_sequential
        assert [b["id"] for b in walk] == list(range(BOOKS))
        assert walk.prefetching
        assert [b["id"] for b in first.iterate("books")] == list(range(BOOKS))


def test_links_as_fastapi_hypermodel_writes_them(server):
    with halnav.Client(server) as client:
        first = client.get("/books")
        assert first.link("search").title == "A book by id"
        found = first.follow("search", id=3)
        assert found["title"] == "Book 3"
        with pytest.raises(halnav.NotFound, match=": Not Found$"):  # FastAPI's own 404
            found.follow("author")


def test_integers_beyond_64_bits_go_and_come_back_exact(server):
    big = 2**80 + 7
    with halnav.Client(server) as client:
        answer = client.request("POST", "/echo", json={"id": big, "ids": [big, -big]})
    assert answer["id"] == big and answer["ids"] == [big, -big]
