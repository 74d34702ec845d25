"""Secrets never show in what halnav prints (issue 15, point 5).

A root URL with ``user:pw@`` or ``access_token=`` in it, and a server that echoes the token it was
sent: neither a repr, an exception's message, the CLI's error line, its ``--debug`` traceback nor
the curl line of ``explain()`` shows them.
"""

from __future__ import annotations

import socket

import pytest
import responses

import halnav
from halnav.bootic import BooticClient
from halnav.cli._explain import curl_line
from tests.cli.conftest import run_halnav

SECRET = "s3cr3t-value-42"
URL = f"https://joe:{SECRET}@api.example.test/v1?access_token={SECRET}&page=2"
TOKEN = "token-the-server-echoes"


def resource(document: object) -> halnav.Resource:
    return halnav.Resource(document, url=URL)


def shows_no_secret(text: str) -> bool:
    return SECRET not in text and "joe:" not in text


def test_a_resource_s_repr_and_description_mask_its_url():
    page = resource({"total": 1, "_links": {"next": {"href": URL + "&page=3"}}})
    assert shows_no_secret(repr(page))
    assert shows_no_secret(page.describe())
    assert shows_no_secret(repr(page.link("next")))
    assert "access_token=****" in repr(page)


@pytest.mark.parametrize(
    "failing",
    [
        lambda: resource({"_links": {"self": {"href": "/v1"}}}).link("nope"),
        lambda: resource({"a": 1})["nope"],
        lambda: resource({"a": 1}).pointer("/b/c"),
        lambda: resource({"_links": []}).links,
        lambda: (
            resource({"_links": {"x": {"href": URL + "{?q}", "templated": True}}})
            .link("x")
            .url(p=1)
        ),
        lambda: halnav.Resource({"a": 1}).follow("nope"),
    ],
    ids=["LinkNotFound", "PropertyNotFound", "pointer", "InvalidDocument", "TemplateError", "no"],
)
def test_error_messages_mask_the_url_they_name(failing):
    with pytest.raises(halnav.HALNavError) as info:
        failing()
    assert shows_no_secret(str(info.value))
    assert shows_no_secret(repr(info.value))


def test_the_curl_line_masks_a_credential_in_the_url():
    line = curl_line(resource({"a": 1}))
    assert line is not None and shows_no_secret(line)
    assert "access_token=****" in line


@pytest.mark.parametrize(
    "body",
    [
        {"message": f"token {TOKEN} has expired"},
        {"error": "invalid_token", "error_description": f"Bearer {TOKEN} is revoked"},
        {"detail": [{"loc": ["header", "authorization"], "msg": f"bad token {TOKEN}"}]},
        {"_embedded": {"errors": [{"field": "token", "messages": [f"{TOKEN} unknown"]}]}},
    ],
    ids=["message", "oauth", "fastapi", "bootic"],
)
def test_the_client_s_own_token_echoed_by_the_server_is_masked(body):
    with (
        responses.RequestsMock() as rsps,
        halnav.Client("https://api.example.test/v1", token=TOKEN) as client,
    ):
        rsps.add(responses.GET, "https://api.example.test/v1", status=401, json=body)
        with pytest.raises(halnav.Unauthorized) as info:
            client.root()
    error = info.value
    assert TOKEN not in str(error)
    assert TOKEN not in (error.detail or "")
    assert all(TOKEN not in message for entry in error.errors for message in entry["messages"])
    assert "****" in str(error)
    # The body itself stays as the server wrote it: it is data, not a message.
    assert error.body is not None and TOKEN.encode() in error.body


def test_credential_headers_and_basic_passwords_are_masked_too():
    basic = ("joe", "a-basic-password")
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.GET,
            "https://api.example.test/v1",
            status=400,
            json={"message": "key k3y-in-a-header and password a-basic-password refused"},
        )
        rsps.add(
            responses.GET,
            "https://api.example.test/v1",
            status=400,
            json={"message": "password a-basic-password refused"},
        )
        keyed = halnav.Client(
            "https://api.example.test/v1", headers={"X-Api-Key": "k3y-in-a-header"}
        )
        with keyed, pytest.raises(halnav.BadRequest) as info:
            keyed.root()
        assert "k3y-in-a-header" not in str(info.value)
        client = halnav.Client("https://api.example.test/v1", auth=requests_basic(*basic))
        with client, pytest.raises(halnav.BadRequest) as info:
            client.root()
        assert "a-basic-password" not in str(info.value)


def requests_basic(user: str, password: str):
    import requests.auth

    return requests.auth.HTTPBasicAuth(user, password)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_cli_error_line_and_debug_traceback_mask_the_url_s_credentials():
    url = f"http://joe:{SECRET}@127.0.0.1:{closed_port()}/v1?access_token={SECRET}"
    result = run_halnav("--debug", "--retries", "1", "get", url)  # urllib3 names the URL
    assert result.returncode != 0
    assert "Traceback" in result.stderr  # --debug shows it, chained causes included
    assert SECRET not in result.stderr and SECRET not in result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("halnav: error:")


def test_the_bootic_layer_adds_nothing_unmasked_to_an_error():
    with responses.RequestsMock() as rsps, BooticClient(token=TOKEN, retries=0) as bootic:
        rsps.add(
            responses.GET,
            "https://api.bootic.net/v1",
            status=401,
            json={"_class": ["errors"], "message": f"token {TOKEN} has expired"},
        )
        with pytest.raises(halnav.Unauthorized) as info:
            bootic.shop()
    assert TOKEN not in str(info.value)
    assert str(info.value).endswith(": token **** has expired")
