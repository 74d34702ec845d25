"""The CLI's printing helpers on plain documents, without HTTP."""

from __future__ import annotations

import io

from halnav import Client, Resource
from halnav.cli._explain import curl_line, explain
from halnav.cli._output import describe, table, write_csv
from halnav.cli._progress import Progress

ROOT = "http://127.0.0.1:9/v1"
DOCUMENT = {
    "_links": {
        "self": {"href": "/v1"},
        "btc:shop": {"href": "/v1/shops/{id}.json", "templated": True, "title": "A shop"},
        "btc:create_order": {"href": "/v1/shops/1/orders", "method": "post"},
    },
    "name": "it's",
    "count": 3,
    "tags": ["a", "b"],
    "missing": None,
    "_embedded": {"shops": [{"id": 1}], "owner": {"name": "joe"}},
}


def resource(url=ROOT, token="secret"):
    client = Client(ROOT, token=token, retries=0)
    return Resource(DOCUMENT, url=url, client=client, status_code=200)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_table_aligns_columns_and_cuts_long_cells():
    text = table(("a", "bb"), [(1, "x" * 100), (None, True)])
    lines = text.splitlines()
    assert lines[0] == "a  bb"
    assert lines[1].startswith("-  --")
    assert lines[2].startswith("1  xxx") and lines[2].endswith("...") and len(lines[2]) == 73
    assert lines[3] == "   true"


def test_describe_shows_properties_links_and_embedded():
    text = describe(resource())
    assert "name     it's" in text and 'tags     ["a","b"]' in text
    assert "btc:shop          GET     yes        A shop  /v1/shops/{id}.json" in text
    assert "btc:create_order  POST" in text
    assert "shops  1 item" in text and "owner  1 resource" in text


def test_links_show_hrefs_whole_and_titles_only_when_a_link_has_one():
    long = "/v1/shops/1/orders.json?" + "&".join(f"f{n}=x" for n in range(30)) + "&page=17"
    untitled = Resource(
        {"_links": {"self": {"href": "/v1"}, "next": {"href": long}}}, url=ROOT, status_code=200
    )
    text = describe(untitled)
    assert "title" not in text
    assert text.splitlines()[-1] == f"  next  GET{' ' * 16}{long}"
    assert text.splitlines()[-4].split() == ["rel", "method", "templated", "href"]


def test_curl_line_masks_the_token_and_drops_it_for_another_origin():
    assert curl_line(resource()) == (
        "curl -H 'Accept: application/hal+json' -H 'Authorization: Bearer ****' "
        "'http://127.0.0.1:9/v1'"
    )
    elsewhere = curl_line(resource(url="http://localhost:9/v1?q=it's"))
    assert (
        elsewhere == "curl -H 'Accept: application/hal+json' 'http://localhost:9/v1?q=it'\"'\"'s'"
    )
    assert "Authorization" not in curl_line(resource(token=None))
    assert curl_line(Resource({"a": 1})) is None


def test_explain_prints_everything_and_never_the_token():
    out = io.StringIO()
    explain(resource(), file=out)
    text = out.getvalue()
    assert "properties" in text and "links" in text and "embedded" in text
    assert "Bearer ****" in text and "secret" not in text
    out = io.StringIO()
    explain({"not": "a resource"}, file=out)
    assert out.getvalue().startswith("explain() takes a halnav Resource, got dict")


def test_write_csv_writes_a_header_and_rows():
    out = io.StringIO()
    assert write_csv(out, ["id", "tags"], [[1, ["a"]], [2, None]]) == 2
    assert out.getvalue().splitlines() == ["id,tags", '1,"[""a""]"', "2,"]


def test_the_progress_bar_shows_only_on_a_terminal():
    hidden = io.StringIO()
    with Progress(total=3, stream=hidden) as bar:
        bar.update(3)
    assert not bar.shown and bar.count == 3 and hidden.getvalue() == ""
    terminal = Terminal()
    with Progress(total=3, description="orders", stream=terminal) as bar:
        assert bar.shown
        bar.update(2)
    assert "orders" in terminal.getvalue() and bar.count == 2
