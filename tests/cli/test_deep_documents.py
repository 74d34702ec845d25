"""A document nested too deeply for Python's stack is one line on stderr (issue 15, point 9).

``halnav get`` and ``get --json`` printed a ``RecursionError`` for a 1,000-deep document; every
failure of the command is one line, saying what was wrong.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from rawserver import RawServer, read_request

from .conftest import run_halnav


def nested(depth: int, kind: str) -> bytes:
    inner = (
        ('{"a":' * depth + "1" + "}" * depth) if kind == "objects" else "[" * depth + "]" * depth
    )
    return b'{"_links": {"self": {"href": "/v1"}}, "deep": ' + inner.encode() + b"}"


@pytest.fixture(params=[(1000, "objects"), (1000, "arrays"), (100_000, "objects")])
def deep_server(request: pytest.FixtureRequest) -> Iterator[RawServer]:
    depth, kind = request.param
    body = nested(depth, kind)
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\nConnection: close\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    ) + body

    def serve(connection):  # type: ignore[no-untyped-def]
        read_request(connection)
        connection.sendall(answer)

    server = RawServer(serve)
    yield server
    server.close()


@pytest.mark.parametrize(
    "options",
    [[], ["--json"], ["--pointer", "/deep"], ["--all"], ["--format", "jsonl"]],
    ids=["tables", "json", "pointer", "all", "jsonl"],
)
def test_a_deeply_nested_document_is_one_line_on_stderr(deep_server, options):
    done = run_halnav("get", deep_server.url + "/v1", *options)
    assert done.returncode in (1, 2)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr[-2000:]
    (line,) = lines
    assert line.startswith("halnav: error: ")
    assert "Traceback" not in done.stderr and "a bug in halnav" not in line
    assert "nested too deeply" in line or "not valid JSON" in line or "collection" in line


def test_the_message_names_the_limit_and_the_way_out(deep_server):
    done = run_halnav("get", deep_server.url + "/v1", "--json")
    if "not valid JSON" in done.stderr:  # the decoder refused it first (100,000 levels)
        assert "depth" in done.stderr or "recursion" in done.stderr.lower()
        return
    assert f"more than {sys.getrecursionlimit()} levels deep" in done.stderr
    assert "--pointer" in done.stderr
