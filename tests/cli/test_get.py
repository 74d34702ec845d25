"""``halnav get``: fetch, follow rels with variables, print tables, JSON, pointers, every page."""

from __future__ import annotations

import json

import pytest

from halnav import AmbiguousRelation, LinkNotFound, Resource
from halnav.cli._common import UsageError
from halnav.cli._get import follow_path

from .conftest import run_halnav


def assert_one_line_error(result, code=1):
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("halnav: error: ")
    return lines[0]


def test_the_root_as_tables(halnav, sandbox):
    result = halnav("get")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(sandbox)
    assert "properties" in out and "user_name" in out
    assert "links" in out and "rel" in out and "templated" in out
    shop_line = next(line for line in out.splitlines() if line.strip().startswith("btc:shop"))
    assert shop_line.split() == ["btc:shop", "GET", "yes", f"{sandbox}/shops/{{id}}.json"]
    docs_line = next(line for line in out.splitlines() if line.strip().startswith("btc:docs"))
    assert "API documentation" in docs_line
    assert "embedded" in out and "shops" in out and "1 item" in out
    assert sandbox.token not in out + result.stderr


def test_a_path_of_rels_with_variables_for_the_templated_hops(halnav, sandbox):
    result = halnav("get", "btc:shop", "-p", f"id={sandbox.shop_id}", "--json")
    assert result.returncode == 0, result.stderr
    shop = json.loads(result.stdout)
    # The document as served: the live API writes shop ids as strings.
    assert shop["id"] == str(sandbox.shop_id) and "btc:orders" in shop["_links"]

    result = halnav(
        "get", sandbox, "shops", "btc:orders", "-p", "status=pending", "-p", "per_page=3", "--json"
    )
    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    assert page["per_page"] == 3
    assert {o["status"] for o in page["_embedded"]["items"]} == {"pending"}


def test_the_url_and_token_may_come_from_the_environment(sandbox):
    env = {"HALNAV_URL": sandbox, "HALNAV_TOKEN": sandbox.token}
    result = run_halnav("get", "--pointer", "/_embedded/shops/0/subdomain", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sandbox-shop"
    relative = run_halnav("get", f"/v1/shops/{sandbox.shop_id}.json", "--pointer", "/id", env=env)
    assert relative.stdout.strip() == str(sandbox.shop_id)


def test_all_prints_every_item_of_every_page_as_json_lines(halnav, sandbox):
    result = halnav(
        "get", "btc:shop", "-p", f"id={sandbox.shop_id}", "btc:orders", "-p", "per_page=7", "--all"
    )
    assert result.returncode == 0, result.stderr
    orders = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(orders) == 60 and len({o["id"] for o in orders}) == 60
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    ids = halnav("get", "shops", "btc:orders", "-p", "per_page=25", "--all", "--pointer", "/id")
    assert sorted(int(line) for line in ids.stdout.split()) == sorted(o["id"] for o in orders)


def test_a_404_is_one_line_with_status_method_and_url(halnav, sandbox):
    result = halnav("get", f"{sandbox.base_url}/v1/shops/999999.json")
    line = assert_one_line_error(result)
    assert "404" in line and "GET" in line and "/v1/shops/999999.json" in line


def test_debug_shows_the_traceback(halnav, sandbox):
    result = halnav("get", f"{sandbox.base_url}/v1/shops/999999.json", "--debug")
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "NotFound" in result.stderr
    assert sandbox.token not in result.stderr  # request logs mask the token


def test_an_unknown_rel_names_the_ones_there_are(halnav):
    line = assert_one_line_error(halnav("get", "btc:nope"))
    assert "btc:nope" in line and "btc:shop" in line and "shops" in line


def test_a_missing_template_variable_is_a_usage_error_saying_which(halnav, sandbox):
    # Checked before the templated link is requested (exit status 2, not a failed request).
    line = assert_one_line_error(halnav("get", "btc:shop"), 2)
    assert line == (
        f"halnav: error: btc:shop needs -p id=... (its link is the template "
        f"{sandbox}/shops/{{id}}.json)"
    )


def test_a_variable_no_hop_declares_is_a_usage_error(halnav, sandbox):
    shop = f"id={sandbox.shop_id}"
    line = assert_one_line_error(halnav("get", "btc:shop", "-p", shop, "-p", "colour=red"), 2)
    assert "colour" in line and "id" in line
    line = assert_one_line_error(halnav("get", "btc:shop", "-p", "novalue"), 2)
    assert "NAME=VALUE" in line


def test_no_url_at_all_is_a_usage_error():
    line = assert_one_line_error(run_halnav("get"), 2)
    assert "HALNAV_URL" in line


def test_a_refused_token_is_401_and_never_printed(sandbox):
    result = run_halnav("get", "--url", sandbox, "--token", "not-a-real-token-123")
    line = assert_one_line_error(result)
    assert "401" in line and "HALNAV_TOKEN" in line
    assert "not-a-real-token-123" not in result.stdout + result.stderr


def test_no_server_is_a_transport_error():
    result = run_halnav("get", "--url", "http://127.0.0.1:9/v1", "--retries", "0")
    line = assert_one_line_error(result)
    assert "GET http://127.0.0.1:9/v1" in line


def test_the_token_is_not_sent_to_a_url_on_another_origin(halnav, sandbox):
    # Same server, other origin (localhost instead of 127.0.0.1): no token goes there, so 401.
    other = sandbox.replace("127.0.0.1", "localhost")
    line = assert_one_line_error(halnav("get", other, "--retries", "0"))
    assert "401" in line and "localhost" in line
    assert halnav("get", sandbox, "--pointer", "/user_name").stdout.strip() == "sandbox-owner"


def test_an_unknown_rel_is_the_core_s_error_naming_the_embedded_ones_too(halnav, sandbox):
    line = assert_one_line_error(halnav("get", "btc:nope"))
    assert line == (
        f"halnav: error: no relation 'btc:nope' in {sandbox}; "
        "available: self, btc:shop, btc:all_products, btc:product, btc:docs; embedded: shops"
    )
    line = assert_one_line_error(halnav("get", "shops", "btc:nope"))
    assert "no relation 'btc:nope' in" in line and "available: self, btc:orders" in line
    assert "embedded" not in line  # the shop embeds nothing: the core's message as it is


ROOT_DOC = {
    "_links": {
        "self": {"href": "/v1"},
        "btc:shop": {"href": "/v1/shops/{id}.json", "templated": True},
    },
    "_embedded": {"shops": [{"_links": {"self": {"href": "/v1/shops/1.json"}}, "id": 1}]},
}


def offline_root() -> Resource:
    return Resource(ROOT_DOC, url="http://api.test/v1")


def test_follow_path_raises_what_follow_raises():
    root = Resource({"_links": ROOT_DOC["_links"]}, url="http://api.test/v1")
    with pytest.raises(LinkNotFound) as core:
        root.follow("btc:nope")
    with pytest.raises(LinkNotFound) as caught:
        follow_path(root, ["btc:nope"], {})
    assert str(caught.value) == str(core.value)
    assert caught.value.rel == "btc:nope" and caught.value.available == core.value.available


def test_follow_path_raises_the_cores_error_naming_links_and_embedded_rels():
    root = offline_root()
    with pytest.raises(LinkNotFound) as core:
        root.follow("nope")
    with pytest.raises(LinkNotFound) as caught:
        follow_path(root, ["nope"], {})
    assert str(caught.value) == str(core.value)
    assert str(caught.value).endswith("available: self, btc:shop; embedded: shops")
    assert caught.value.available == ("self", "btc:shop", "shops")


def test_an_embedded_relation_is_followed_without_a_request():
    shop = follow_path(offline_root(), ["shops"], {})  # no client: a request would raise
    assert shop["id"] == 1


def test_the_variables_go_to_the_templated_hop_that_declares_them(monkeypatch):
    root = offline_root()
    calls = []

    def follow(self, rel, /, name=None, **variables):
        calls.append((rel, variables))
        return self

    monkeypatch.setattr(Resource, "follow", follow)
    follow_path(root, ["shops", "btc:shop"], {"id": "29"})
    assert calls == [("shops", {}), ("btc:shop", {"id": "29"})]
    with pytest.raises(UsageError, match=r"-p colour: .*\(variables: id\)"):
        follow_path(root, ["btc:shop"], {"id": "29", "colour": "red"})


def test_an_ambiguous_bare_rel_says_so():
    doc = {
        "_links": {
            "curies": [
                {"name": "a", "href": "http://a.test/{rel}", "templated": True},
                {"name": "b", "href": "http://b.test/{rel}", "templated": True},
            ],
            "a:orders": {"href": "/a"},
            "b:orders": {"href": "/b"},
        }
    }
    with pytest.raises(AmbiguousRelation, match="ambiguous"):
        follow_path(Resource(doc, url="http://api.test/v1"), ["orders"], {})
