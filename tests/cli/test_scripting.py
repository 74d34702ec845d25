"""What scripts rely on: usage errors before any request, exit statuses, pipes, files, CSV."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import traceback

import pytest
import responses
from responses import matchers

from halnav.bootic import InvalidFilter, order_query
from halnav.cli import main
from halnav.cli._main import build_parser
from halnav.sandbox import serve

from .conftest import connected, run_halnav
from .test_get import assert_one_line_error

NO_SERVER = ("--url", "http://127.0.0.1:9/v1", "--token", "t", "--retries", "0")


def test_an_option_value_may_be_a_negative_number(halnav):
    # Every sandbox city is in Chile: south and west are negative.
    for args in (("--lat-long", "-33.45,-70.66"), ("--lat-long=-33.45,-70.66",)):
        result = halnav("bootic", "orders", *args, "--distance", "50km", "--per-page", "3")
        assert result.returncode == 0, result.stderr
        assert "orders" in result.stderr
    result = run_halnav("--retries", "-1", "get", *NO_SERVER[:2])
    assert "argument --retries: must be a whole number >= 0, got '-1'" in result.stderr


def test_per_page_beyond_the_maximum_is_refused_before_sending():
    line = assert_one_line_error(run_halnav("bootic", "orders", "--per-page", "500", *NO_SERVER), 2)
    assert line == "halnav: error: invalid per_page '500'; at most 200 orders a page"


def test_a_url_without_its_scheme_is_a_usage_error():
    line = assert_one_line_error(run_halnav("get", "--url", "127.0.0.1:8000/v1"), 2)
    assert line == (
        "halnav: error: --url '127.0.0.1:8000/v1' is not an absolute http(s) URL; "
        "did you mean http://127.0.0.1:8000/v1 (or https://)?"
    )
    env = {"HALNAV_URL": "localhost:8000/v1"}
    line = assert_one_line_error(run_halnav("get", env=env), 2)
    assert "$HALNAV_URL 'localhost:8000/v1' is not an absolute http(s) URL" in line
    line = assert_one_line_error(run_halnav("get", "127.0.0.1:9/v1/shops/1.json", *NO_SERVER), 2)
    assert "URL '127.0.0.1:9/v1/shops/1.json' is not an absolute http(s) URL" in line


def test_a_token_withheld_from_another_origin_is_explained(halnav, sandbox):
    other = sandbox.replace("127.0.0.1", "localhost")
    line = assert_one_line_error(halnav("get", other, "--retries", "0"))
    origin = other.rsplit("/v1", 1)[0]
    assert line.startswith(f"halnav: error: 401 UNAUTHORIZED for GET {other}: ")
    assert line.endswith(
        f"(the token was not sent: {origin} is another origin than the root URL {sandbox}, "
        "and credentials go to the root's origin only; to send it there, give a root URL on "
        "that origin with --url)"
    )
    assert "check --token" not in line
    # With --url on that origin the token is sent there, and the answer is 200.
    assert halnav("get", "--url", other, "--pointer", "/user_name").stdout == "sandbox-owner\n"


def every_parser(parser=None, path=("halnav",)):
    parser = parser or build_parser()
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                if name != "sandbox":
                    yield from every_parser(sub, (*path, name))


def test_every_help_shows_the_defaults():
    for path, parser in every_parser():
        text = parser.format_help()
        for action in parser._actions:
            meaningful = action.default not in (None, False, [], argparse.SUPPRESS)
            if action.option_strings and meaningful and action.help != argparse.SUPPRESS:
                flag = action.option_strings[0]
                block = text.split(f"\n  {flag}", 1)[1].split("\n  -", 1)[0]
                assert "default" in block, (path, flag)
    orders = run_halnav("bootic", "orders", "--help").stdout
    assert "(default: table)" in " ".join(orders.split())


def test_an_unknown_option_shows_the_subcommand_usage():
    for args, usage in (
        (("get", "--bogus"), "usage: halnav get "),
        (("bootic", "orders", "--bogus"), "usage: halnav bootic orders "),
        (("bootic", "update-orders", "--shop", "1", "--status", "closed", "1", "--x"), "usage: halnav bootic update-orders "),
    ):  # fmt: skip
        result = run_halnav(*args)
        assert result.returncode == 2
        assert result.stderr.startswith(usage), result.stderr
        assert "unrecognized arguments: " in result.stderr.splitlines()[-1]


@pytest.mark.parametrize(
    "command",
    [
        "get shops btc:orders -p per_page=50 --all --pointer /code",
        "get shops btc:orders -p per_page=50 --format table",
        "bootic orders --all --format csv",
        "bootic orders --all --format jsonl",
        "bootic orders --all --format table",
    ],
)
def test_a_reader_that_stops_early_ends_the_command_quietly_with_0(sandbox, command):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALNAV_")}
    env.update(HALNAV_URL=sandbox, HALNAV_TOKEN=sandbox.token)
    pipeline = f"set -o pipefail; {sys.executable} -m halnav {command} | head -1 >/dev/null"
    result = subprocess.run(
        ["bash", "-c", pipeline], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr and "Exception" not in result.stderr


def test_the_layer_s_exceptions_are_named_by_their_public_module():
    assert InvalidFilter.__module__ == "halnav.bootic"
    try:
        order_query({"colour": "red"})
    except InvalidFilter:
        shown = traceback.format_exc()
    assert "halnav.bootic.InvalidFilter: unknown order filter 'colour'" in shown
    assert "_errors" not in shown.splitlines()[-1]


def test_csv_lines_end_with_a_newline_unless_crlf_is_asked(sandbox):
    def csv_bytes(*args):
        command = [sys.executable, "-m", "halnav", *args, "--format", "csv"]
        command += ["--url", sandbox, "--token", sandbox.token]
        return subprocess.run(command, capture_output=True, check=True).stdout

    plain = csv_bytes("bootic", "orders", "--per-page", "3")
    assert b"\r" not in plain and plain.count(b"\n") == 4
    crlf = csv_bytes("bootic", "orders", "--per-page", "3", "--crlf")
    assert crlf.count(b"\r\n") == 4 and crlf.count(b"\n") == 4
    generic = csv_bytes("get", "shops", "btc:orders", "-p", "per_page=2")
    assert b"\r" not in generic and generic.count(b"\n") == 3
    generic = csv_bytes("get", "shops", "btc:orders", "-p", "per_page=2", "--crlf")
    assert generic.count(b"\r\n") == 3


def test_a_page_past_the_last_says_so(halnav):
    line = assert_one_line_error(halnav("bootic", "orders", "--page", "9999"))
    # The live API answers such a page with a 404 saying why (the sandbox as well).
    assert line.startswith("halnav: error: page 9999 is past the last page of these orders (404 ")
    assert line.endswith(": Page 9999 does not exist: 60 orders at 30 per page end on page 2)")


ROOT = "http://api.test/v1"


def test_a_404_for_a_page_past_the_last_says_so_too(capsys):
    shop = {
        "_links": {
            "self": {"href": "/v1/shops/1.json"},
            "btc:orders": {"href": "/v1/shops/1/orders.json{?page,per_page}", "templated": True},
        },
        "id": 1,
    }
    with responses.RequestsMock() as rsps:
        rsps.get(ROOT, json={"_links": {"self": {"href": "/v1"}}, "_embedded": {"shops": [shop]}})
        # the unfiltered first page, read once for the search form it may declare (none here)
        rsps.get(
            f"{ROOT}/shops/1/orders.json",
            match=[matchers.query_param_matcher({})],
            json={"total_items": 2, "_embedded": {"items": []}},
        )
        rsps.get(
            f"{ROOT}/shops/1/orders.json?page=9999",
            status=404,
            json={"_class": ["errors"], "message": "page 9999 does not exist"},
        )
        code = main(["bootic", "orders", "--page", "9999", "--url", ROOT, "--token", "secret"])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("halnav: error: page 9999 is past the last page of these orders (404 ")
    assert "page 9999 does not exist" in err and len(err.splitlines()) == 1


def test_ctrl_c_during_output_leaves_the_file_as_it_was(tmp_path):
    target = tmp_path / "orders.jsonl"
    target.write_text("before\n")
    with serve(orders=400, seed=3, latency_ms=150) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HALNAV_")}
        process = subprocess.Popen(
            [sys.executable, "-m", "halnav", "bootic", "orders", "--all", "--per-page", "5",
             "--format", "jsonl", "--output", str(target), "--url", url, "--token", url.token],
            stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not any(p.name.endswith(".part") for p in tmp_path.iterdir()):
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.05)
        time.sleep(0.5)  # a few pages are written to the temporary file
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert err == f"halnav: error: interrupted: nothing written to {target}\n"
    assert target.read_text() == "before\n"
    assert [p.name for p in tmp_path.iterdir()] == ["orders.jsonl"]


def test_output_appears_whole_when_the_run_ends(fresh, tmp_path):
    halnav = connected(fresh)
    target = tmp_path / "orders.jsonl"
    result = halnav("bootic", "orders", "--all", "--format", "jsonl", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert len(target.read_text().splitlines()) == 40
    assert [p.name for p in tmp_path.iterdir()] == ["orders.jsonl"]
    failed = halnav("get", "shops", "btc:nope", "-o", str(tmp_path / "x.txt"))
    assert failed.returncode == 1 and not (tmp_path / "x.txt").exists()


def test_update_orders_json_lists_valid_and_invalid_items(fresh):
    halnav = connected(fresh)
    from .test_bootic_commands import pending_ids

    [pending] = pending_ids(fresh, 1)
    result = halnav(
        "bootic", "update-orders", "--shop", str(fresh.shop_id), "--status", "closed",
        str(pending), "999999999", "--json",
    )  # fmt: skip
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["status"] == "closed" and data["ids"] == [pending, 999999999]
    assert [item["id"] for item in data["valid_items"]] == [pending]
    assert data["valid_items"][0]["status"] == "closed"
    [invalid] = data["invalid_items"]
    assert invalid["id"] == 999999999
    assert invalid["errors"][0]["messages"] == ["Order 999999999 does not exist in this shop"]


def test_create_order_json_gives_the_ids_and_links(fresh):
    halnav = connected(fresh)
    result = halnav(
        "bootic", "create-order", "--shop", str(fresh.shop_id),
        "--variant", f"{fresh.variant_ids[0]}:2", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data["id"], int) and data["code"].startswith("R")
    assert data["status"] == "checkout" and data["items"] == 2 and data["shop_id"] == fresh.shop_id
    assert data["url"].endswith(f"/orders/{data['id']}.json") or data["url"]
    assert data["checkout_url"].startswith("http://localhost:")
