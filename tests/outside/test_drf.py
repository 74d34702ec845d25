"""halnav against a real Django REST Framework server rendering HAL with drf-hal-json.

drf-hal-json's pagination writes bare-string links (``"next": "http://...?page=2"``), a ``null``
``previous``, ``count`` and ``page_size``; DRF's errors are its own (``{"detail": ...}``,
serializer field maps with ``non_field_errors``, nested serializers).
"""

from __future__ import annotations

import importlib.util
import sys
import types

import pytest

pytest.importorskip("django")
pytest.importorskip("rest_framework")
if importlib.util.find_spec("drf_hal_json") is None:  # importing it needs Django's settings
    pytest.skip("drf-hal-json is not installed", allow_module_level=True)

import django  # noqa: E402
from django.conf import settings  # noqa: E402
from servers import wsgi_server  # noqa: E402

import halnav  # noqa: E402

BOOKS = 23
URLCONF = "halnav_outside_drf_urls"

if not settings.configured:
    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=URLCONF,
        INSTALLED_APPS=["rest_framework"],
        DATABASES={},
        USE_TZ=True,
        REST_FRAMEWORK={
            "DEFAULT_PAGINATION_CLASS": "drf_hal_json.pagination.HalPageNumberPagination",
            "DEFAULT_RENDERER_CLASSES": ["drf_hal_json.renderers.JsonHalRenderer"],
            "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "UNAUTHENTICATED_USER": None,
            "PAGE_SIZE": 5,
            "URL_FIELD_NAME": "self",
        },
    )
    django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import path  # noqa: E402
from drf_hal_json.pagination import HalPageNumberPagination  # noqa: E402
from rest_framework import exceptions, serializers  # noqa: E402
from rest_framework.pagination import PageNumberPagination  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


class AuthorSerializer(serializers.Serializer):
    email = serializers.EmailField()


class BookSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=20)
    isbn = serializers.CharField(max_length=13)
    author = AuthorSerializer()

    def validate(self, attrs):
        if attrs["title"] == attrs["isbn"]:
            raise serializers.ValidationError("The title and the isbn must differ.")
        return attrs


def book(request, number: int) -> dict:
    return {
        "_links": {"self": request.build_absolute_uri(f"/api/books/{number}/")},
        "id": number,
        "title": f"Book {number}",
    }


class BookList(APIView):
    def get(self, request):
        paginator: PageNumberPagination = HalPageNumberPagination()
        page = paginator.paginate_queryset(list(range(BOOKS)), request, view=self)
        return paginator.get_paginated_response([book(request, n) for n in page])

    def post(self, request):
        serializer = BookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data, status=201)


class BookDetail(APIView):
    def get(self, request, number: int):
        if number >= BOOKS:
            raise exceptions.NotFound()
        return Response(book(request, number))


urls = types.ModuleType(URLCONF)
urls.urlpatterns = [  # type: ignore[attr-defined]
    path("api/books/", BookList.as_view()),
    path("api/books/<int:number>/", BookDetail.as_view()),
]
sys.modules[URLCONF] = urls


@pytest.fixture(scope="module")
def server():
    with wsgi_server(get_wsgi_application()) as url:
        yield url


def test_a_404_keeps_drfs_detail(server):
    with halnav.Client(server) as client, pytest.raises(halnav.NotFound) as caught:
        client.get("/api/books/999/")
    assert caught.value.detail == "Not found." and str(caught.value).endswith(": Not found.")


def test_serializer_errors_become_fields(server):
    body = {"title": "x" * 30, "author": {"email": "nope"}}
    with halnav.Client(server) as client, pytest.raises(halnav.BadRequest) as caught:
        client.request("POST", "/api/books/", json=body)
    assert caught.value.errors == [
        {"field": "title", "messages": ["Ensure this field has no more than 20 characters."]},
        {"field": "isbn", "messages": ["This field is required."]},
        {"field": "author.email", "messages": ["Enter a valid email address."]},
    ]


def test_non_field_errors_are_general(server):
    body = {"title": "same", "isbn": "same", "author": {"email": "a@b.test"}}
    with halnav.Client(server) as client, pytest.raises(halnav.BadRequest) as caught:
        client.request("POST", "/api/books/", json=body)
    assert caught.value.errors == [
        {"field": None, "messages": ["The title and the isbn must differ."]}
    ]


def test_bare_string_links_and_a_null_previous(server):
    with halnav.Client(server) as client:
        first = client.get("/api/books/")
        assert first.link("next").url() == f"{server}/api/books/?page=2"
        assert not first.has("previous")
        assert first["count"] == BOOKS


def test_pages_fetched_by_url_are_prefetched_from_count_and_page_size(server):
    with halnav.Client(server) as client:
        first = client.get("/api/books/")
        walk = first.pages(prefetch=3)
        assert walk.prefetching, walk.why_sequential
        pages = list(walk)
        assert walk.prefetching
        # drf-hal-json renders the page's items as an _embedded array, not an object.
        ids = [item["id"] for page in pages for item in page.document["_embedded"]]
    assert ids == list(range(BOOKS))
    assert len(pages) == 5


def test_iterate_says_why_drf_hal_json_pages_have_no_embedded_relation(server):
    with halnav.Client(server) as client, pytest.raises(halnav.InvalidDocument) as caught:
        list(client.get("/api/books/").iterate("items"))
    assert caught.value.pointer == "/_embedded"
