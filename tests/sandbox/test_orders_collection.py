"""The orders collection: its shape, paging, and every filter with its documented meaning.

Expected results are computed in the test, from the unfiltered listing, so that the filters are
checked against their meaning and not against the SQL that implements them.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from halnav.sandbox import SandboxURL

from .conftest import Api, errors_of, message_of

DATES = ("created_on", "updated_on", "pending_on", "closed_on", "shipped_on")
TOTALS = ("net_total", "shipping_total", "discount_total", "total")
STATUSES = ("checkout", "pending", "invalid", "closed", "shipped", "delivered")
DEFAULTS = "distance=5km&page={page}&per_page={per_page}&sort=created_on.desc"
PAGE_KEYS = {
    "_class", "_links", "_actions", "total_items", "per_page", "page", "totals", "transitions",
    "_embedded",
}  # fmt: skip


@pytest.fixture(scope="module")
def everything(reader: Api) -> list[dict[str, Any]]:
    """All 300 orders of the shared sandbox, in the default order."""
    orders = reader.all_orders()
    assert len(orders) == 300
    return orders


def ids(orders: list[dict[str, Any]]) -> list[int]:
    return [order["id"] for order in orders]


def test_default_page_shape(reader: Api, shared: SandboxURL) -> None:
    href = reader.orders_url()
    page = reader.get(href)
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "application/json; charset=utf-8"
    doc = page.json()
    assert set(doc) == PAGE_KEYS
    assert doc["_class"] == ["results", "orders"]
    assert (doc["total_items"], doc["per_page"], doc["page"]) == (300, 30, 1)
    assert len(doc["_embedded"]["items"]) == 30
    links = doc["_links"]
    # the links carry the server's defaults, as the real API's do
    assert links["self"]["href"] == f"{href}?{DEFAULTS.format(page=1, per_page=30)}"
    assert links["next"]["href"] == f"{href}?{DEFAULTS.format(page=2, per_page=30)}"
    assert links["last"]["href"] == f"{href}?{DEFAULTS.format(page=10, per_page=30)}"
    assert links["btc:shop"]["href"] == f"{shared.base_url}/v1/shops/{shared.shop_id}.json"
    assert "prev" not in links
    # following the links with their defaults gives the same pages
    assert reader.doc(links["self"]["href"]) == doc


def test_transitions_are_the_real_apis(reader: Api) -> None:
    assert reader.doc(reader.orders_url(), per_page=1)["transitions"] == {
        "status": {
            "checkout": ["checkout", "pending", "invalid"],
            "pending": ["pending", "closed", "invalid"],
            "invalid": ["invalid", "pending"],
            "closed": ["closed", "pending", "invalid", "shipped"],
            "shipped": ["shipped", "pending", "invalid", "delivered"],
            "delivered": ["delivered", "pending", "invalid"],
        }
    }


def test_the_search_action_lists_what_the_server_takes(reader: Api) -> None:
    href = reader.orders_url()
    doc = reader.doc(href, status="pending", per_page=5, page=2)
    action = doc["_actions"]["search"]
    assert action["method"] == "GET"
    assert action["href"] == href and "?" not in action["href"]
    assert action["prompt"] and action["type"]
    fields = {field["name"]: field for field in action["fields"]}
    assert all(set(field) == {"name", "prompt", "value", "options"} for field in fields.values())
    dated = [f"{c}_{b}" for c in DATES for b in ("gte", "lte")]
    totals = [f"{c}_{b}" for c in TOTALS for b in ("gte", "lte")]
    assert list(fields) == [
        "q", "page", "per_page", "status", "code", "product_id", "payment_method", "tags",
        "contact_email", *dated, *totals, "lat_long", "distance", "sort", "histogram",
    ]  # fmt: skip
    assert fields["status"]["options"] == [*STATUSES, "all", "successful"]
    assert fields["sort"]["options"] == [
        f"{c}.{d}" for c in (*DATES, "net_total") for d in ("asc", "desc")
    ]
    assert fields["histogram"]["options"] == ["day", "week", "month", "year"]
    assert fields["q"]["options"] is None
    # values: this query's, else the server's defaults
    assert fields["status"]["value"] == "pending"
    assert (fields["page"]["value"], fields["per_page"]["value"]) == ("2", "5")
    assert fields["sort"]["value"] == "created_on.desc"
    assert fields["distance"]["value"] == "5km"
    assert fields["q"]["value"] is None
    # every field it lists is taken: a value of its own options, or a sample, is not a 400
    samples = {"page": "1", "per_page": "3", "code": "R9053BA", "product_id": "31122"}
    samples |= {"payment_method": "webpay", "tags": "gift", "contact_email": "a@example.com"}
    samples |= {"lat_long": "-33.4,-70.6", "distance": "9km", "q": "x"}
    samples |= {name: "2014-01-01" for name in dated} | {name: "1000" for name in totals}
    for name, field in fields.items():
        values = field["options"] or [samples[name]]
        for value in values:
            assert reader.get(href, params={name: value}).status_code == 200, (name, value)


def test_totals_are_over_the_whole_filtered_set(
    reader: Api, everything: list[dict[str, Any]]
) -> None:
    for params in ({}, {"status": "pending"}, {"status": "successful", "q": "a"}):
        doc = reader.doc(reader.orders_url(), per_page=3, **params)
        matching = reader.all_orders(**params)
        totals = [order["total"] for order in matching]
        assert doc["totals"] == {
            "total": sum(totals),
            "mean": round(sum(totals) / len(totals)),
            "min": min(totals),
            "max": max(totals),
        }
    empty = reader.doc(reader.orders_url(), code="NOTHING")["totals"]
    assert empty == {"total": 0, "mean": None, "min": None, "max": None}


def test_paging_visits_every_order_once(reader: Api, everything: list[dict[str, Any]]) -> None:
    seen, href = [], reader.orders_url() + "?per_page=70"
    pages = 0
    while href:
        doc = reader.doc(href)
        pages += 1
        assert doc["per_page"] == 70
        if doc["page"] > 1:
            assert f"page={doc['page'] - 1}&" in doc["_links"]["prev"]["href"]
        seen.extend(doc["_embedded"]["items"])
        assert doc["_links"]["last"]["href"].endswith(DEFAULTS.format(page=5, per_page=70))
        href = doc["_links"].get("next", {}).get("href")
    assert pages == 5
    assert ids(seen) == ids(everything)


def test_a_page_past_the_last_is_404(reader: Api) -> None:
    last = reader.doc(reader.orders_url(), page=10)
    assert len(last["_embedded"]["items"]) == 30 and "next" not in last["_links"]
    for page in (11, 99):
        response = reader.get(reader.orders_url(), params={"page": page})
        assert response.status_code == 404
        assert message_of(response) == (
            f"Page {page} does not exist: 300 orders at 30 per page end on page 10"
        )


def test_page_one_of_no_match_is_an_empty_page(reader: Api) -> None:
    doc = reader.doc(reader.orders_url(), code="NOTHING")
    assert doc["total_items"] == 0
    assert doc["_embedded"]["items"] == []
    assert "page=1&" in doc["_links"]["last"]["href"]
    assert set(doc["_links"]) == {"curies", "self", "last", "btc:shop"}
    assert reader.get(reader.orders_url(), params={"code": "NOTHING", "page": 2}).status_code == 404


def test_next_and_last_agree(reader: Api) -> None:
    # A client may plan its pages from last: following next from page 1 ends exactly there.
    for per_page in (7, 30, 200):
        doc = reader.doc(reader.orders_url(), per_page=per_page, status="closed,pending")
        last, visited = doc["_links"]["last"]["href"], 1
        while "next" in doc["_links"]:
            doc = reader.doc(doc["_links"]["next"]["href"])
            visited += 1
        assert doc["_links"]["self"]["href"] == last
        assert visited == math.ceil(doc["total_items"] / per_page)


def test_links_keep_the_filters(reader: Api) -> None:
    doc = reader.doc(
        reader.orders_url(), status="closed,shipped", per_page=10, sort="closed_on.asc"
    )
    for rel in ("self", "next", "last"):
        href = doc["_links"][rel]["href"]
        assert "status=closed,shipped" in href
        assert "per_page=10" in href
        assert "sort=closed_on.asc" in href
    second = reader.doc(doc["_links"]["next"]["href"])
    assert second["page"] == 2
    assert all(order["status"] in ("closed", "shipped") for order in second["_embedded"]["items"])


@pytest.mark.parametrize("per_page", ["0", "201", "-1", "abc", "1.5"])
def test_bad_per_page_is_400(reader: Api, per_page: str) -> None:
    response = reader.get(reader.orders_url(), params={"per_page": per_page})
    assert response.status_code == 400
    assert "between 1 and 200" in errors_of(response)["per_page"][0]


@pytest.mark.parametrize("page", ["0", "-3", "x"])
def test_bad_page_is_400(reader: Api, page: str) -> None:
    response = reader.get(reader.orders_url(), params={"page": page})
    assert response.status_code == 400
    assert "page" in errors_of(response)


def test_per_page_bounds_are_accepted(reader: Api) -> None:
    assert len(reader.doc(reader.orders_url(), per_page=1)["_embedded"]["items"]) == 1
    assert len(reader.doc(reader.orders_url(), per_page=200)["_embedded"]["items"]) == 200


# -- status ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "statuses"),
    [
        ("checkout", {"checkout"}),
        ("pending", {"pending"}),
        ("closed", {"closed"}),
        ("shipped", {"shipped"}),
        ("delivered", {"delivered"}),
        ("invalid", {"invalid"}),
        ("closed,shipped", {"closed", "shipped"}),
        # the seed page's successful (closed or shipped) predates delivered; a delivered order
        # was shipped, so the sandbox counts it as successful too
        ("successful", {"closed", "shipped", "delivered"}),
        ("pending,successful", {"pending", "closed", "shipped", "delivered"}),
        ("all", set(STATUSES)),
        ("invalid,all", set(STATUSES)),
    ],
)
def test_status_filter(
    reader: Api, everything: list[dict[str, Any]], value: str, statuses: set[str]
) -> None:
    expected = [order for order in everything if order["status"] in statuses]
    assert expected, "the seeded data should have every status"
    assert ids(reader.all_orders(status=value)) == ids(expected)


def test_unknown_status_is_400_naming_the_allowed_values(reader: Api) -> None:
    response = reader.get(reader.orders_url(), params={"status": "closed,paid"})
    assert response.status_code == 400
    (message,) = errors_of(response)["status"]
    assert "'paid'" in message
    assert "checkout, pending, invalid, closed, shipped, delivered, all, successful" in message


# -- code, product, payment method ---------------------------------------------------------------


def test_code_filter(reader: Api, everything: list[dict[str, Any]]) -> None:
    order = everything[17]
    assert ids(reader.all_orders(code=order["code"])) == [order["id"]]
    assert ids(reader.all_orders(code=order["code"].lower())) == [order["id"]]


def test_product_id_filter(reader: Api, everything: list[dict[str, Any]]) -> None:
    product_id = everything[0]["_embedded"]["line_items"][0]["product_id"]
    expected = [
        o
        for o in everything
        if product_id in [li["product_id"] for li in o["_embedded"]["line_items"]]
    ]
    assert ids(reader.all_orders(product_id=product_id)) == ids(expected)
    bad = reader.get(reader.orders_url(), params={"product_id": "shoes"})
    assert bad.status_code == 400
    assert "product_id" in errors_of(bad)


def test_payment_method_filter(reader: Api, everything: list[dict[str, Any]]) -> None:
    methods = {order["payment_info"]["type"] for order in everything}
    assert methods == {"webpay", "bank_transfer", "mercadopago", "paypal", "khipu"}
    for method in methods:
        expected = [o for o in everything if o["payment_info"]["type"] == method]
        assert ids(reader.all_orders(payment_method=method)) == ids(expected)
    assert reader.all_orders(payment_method="bitcoin") == []


# -- q -------------------------------------------------------------------------------------------


def _matches(order: dict[str, Any], needle: str) -> bool:
    contact = order["_embedded"]["contact"] or {}
    texts = [order["code"], contact.get("name") or "", contact.get("email") or ""]
    texts += [line["product_title"] for line in order["_embedded"]["line_items"]]
    return any(needle.casefold() in text.casefold() for text in texts)


@pytest.mark.parametrize("needle", ["shoes", "SHOES", "Tinto", "muñoz", "MUÑOZ", "example.org"])
def test_q_searches_titles_names_and_emails(
    reader: Api, everything: list[dict[str, Any]], needle: str
) -> None:
    expected = [order for order in everything if _matches(order, needle)]
    assert expected, needle
    assert ids(reader.all_orders(q=needle)) == ids(expected)


def test_q_finds_codes_and_contact_names(reader: Api, everything: list[dict[str, Any]]) -> None:
    order = next(o for o in everything if o["_embedded"]["contact"])
    assert order["id"] in ids(reader.all_orders(q=order["code"][2:].lower()))
    name = order["_embedded"]["contact"]["name"]
    found = reader.all_orders(q=name.upper())
    assert order["id"] in ids(found)
    assert all(_matches(o, name) for o in found)


# -- dates and totals ------------------------------------------------------------------------------


def _moment(stamp: str) -> datetime:
    """An API date (``2013-10-19T11:06:18Z``) as a naive UTC datetime."""
    assert stamp.endswith("Z")
    return datetime.fromisoformat(stamp[:-1])


def _day(stamp: str | None) -> date | None:
    return None if stamp is None else _moment(stamp).date()


@pytest.mark.parametrize("column", DATES)
def test_date_ranges(reader: Api, everything: list[dict[str, Any]], column: str) -> None:
    days = sorted({_day(o[column]) for o in everything if o[column]})
    low, high = days[len(days) // 4], days[len(days) // 2]
    # a bare date covers its whole day on both ends
    expected = [o for o in everything if o[column] and low <= _day(o[column]) <= high]
    found = reader.all_orders(
        **{f"{column}_gte": low.isoformat(), f"{column}_lte": high.isoformat()}
    )
    assert ids(found) == ids(expected)
    after = [o for o in everything if o[column] and _day(o[column]) >= high]
    assert ids(reader.all_orders(**{f"{column}_gte": high.isoformat()})) == ids(after)
    before = [o for o in everything if o[column] and _day(o[column]) <= low]
    assert ids(reader.all_orders(**{f"{column}_lte": low.isoformat()})) == ids(before)


def test_date_time_bounds(reader: Api, everything: list[dict[str, Any]]) -> None:
    stamp = everything[100]["created_on"]  # as the API writes it, with Z
    later = (_moment(stamp) + timedelta(seconds=1)).isoformat() + "Z"
    assert everything[100]["id"] in ids(reader.all_orders(created_on_lte=stamp))
    assert everything[100]["id"] not in ids(reader.all_orders(created_on_gte=later))
    exact = [o["id"] for o in everything if o["created_on"] == stamp]
    assert ids(reader.all_orders(created_on_gte=stamp, created_on_lte=stamp)) == exact
    bare = stamp[:-1]  # without Z: UTC too
    assert ids(reader.all_orders(created_on_gte=bare, created_on_lte=bare)) == exact
    # fractions of a second (the real API writes .000Z) round the bounds inwards
    millis = stamp[:-1] + ".000Z"
    assert ids(reader.all_orders(created_on_gte=millis, created_on_lte=millis)) == exact
    half = stamp[:-1] + ".5Z"
    assert everything[100]["id"] not in ids(reader.all_orders(created_on_gte=half))
    assert everything[100]["id"] in ids(reader.all_orders(created_on_lte=half))


@pytest.mark.parametrize("name", ["created_on_gte", "shipped_on_lte"])
@pytest.mark.parametrize(
    "value",
    [
        "20130102",  # the ISO forms Python 3.11's date.fromisoformat takes and 3.10's refuses
        "2013-W01-1",
        "2013-002",
        "2013-01-02Z",
        "2013-01-02T00:00:00+00:00",
        "2013-01-02T00:00:00-03:00",
        "2013-01-02 00:00:00",
        "2013-01-02T00:00",
        "2013-01-02T00:00:00.",
        "2013-01-02T00:00:00.1234567Z",
        "2013-01-02T24:00:00",
        "2013-1-2",
        "\uff12\uff10\uff11\uff13-01-02",  # fullwidth digits
    ],
)
def test_only_the_two_documented_date_forms_are_dates(reader: Api, name: str, value: str) -> None:
    response = reader.get(reader.orders_url(), params={name: value})
    assert response.status_code == 400
    assert errors_of(response)[name] == [
        "must be a date (YYYY-MM-DD) or a UTC date-time (YYYY-MM-DDTHH:MM:SS, optionally with"
        " fractions of a second and Z)"
    ]


@pytest.mark.parametrize(
    "value",
    [
        "2013-01-02",
        " 2013-01-02 ",
        "2013-01-02T10:11:12",
        "2013-01-02T10:11:12Z",
        "2013-01-02T10:11:12.000Z",
        "2013-01-02T10:11:12.5",
    ],
)
def test_the_documented_date_forms_are_dates(reader: Api, value: str) -> None:
    assert reader.get(reader.orders_url(), params={"created_on_gte": value}).status_code == 200


@pytest.mark.parametrize("name", [f"{c}_{b}" for c in DATES for b in ("gte", "lte")])
@pytest.mark.parametrize("value", ["yesterday", "2013-13-01", "2013-02-30", "01/02/2013"])
def test_bad_dates_are_400(reader: Api, name: str, value: str) -> None:
    response = reader.get(reader.orders_url(), params={name: value})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in errors_of(response)[name][0]


@pytest.mark.parametrize("column", TOTALS)
def test_total_ranges(reader: Api, everything: list[dict[str, Any]], column: str) -> None:
    values = sorted(o[column] for o in everything)
    low, high = values[len(values) // 3], values[2 * len(values) // 3]
    expected = [o for o in everything if low <= o[column] <= high]
    assert ids(reader.all_orders(**{f"{column}_gte": low, f"{column}_lte": high})) == ids(expected)
    assert ids(reader.all_orders(**{f"{column}_gte": high})) == ids(
        [o for o in everything if o[column] >= high]
    )
    assert ids(reader.all_orders(**{f"{column}_lte": low})) == ids(
        [o for o in everything if o[column] <= low]
    )


@pytest.mark.parametrize("name", [f"{c}_{b}" for c in TOTALS for b in ("gte", "lte")])
def test_bad_totals_are_400(reader: Api, name: str) -> None:
    response = reader.get(reader.orders_url(), params={name: "12.50"})
    assert response.status_code == 400
    assert "integer" in errors_of(response)[name][0]


# -- lat_long and distance -------------------------------------------------------------------------


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def _near(everything: list[dict[str, Any]], point: tuple[float, float], km: float) -> list[int]:
    found = []
    for order in everything:
        address = order["_embedded"].get("address")
        if address and address["lat_long"]:
            lat, lng = map(float, address["lat_long"].split(","))
            if _km(point, (lat, lng)) <= km:
                found.append(order["id"])
    return found


@pytest.mark.parametrize(
    ("distance", "km"), [(None, 5.0), ("10km", 10.0), ("800m", 0.8), ("34km", 34.0), ("2.5km", 2.5)]
)
def test_lat_long_and_distance(
    reader: Api, everything: list[dict[str, Any]], distance: str | None, km: float
) -> None:
    santiago = (-33.4489, -70.6693)
    params = {"lat_long": "-33.4489,-70.6693"}
    if distance:
        params["distance"] = distance
    expected = _near(everything, santiago, km)
    if km >= 5:
        assert expected, "some seeded orders are near Santiago"
    assert ids(reader.all_orders(**params)) == expected


@pytest.mark.parametrize("value", ["-33.4", "north,south", "-95,10", "10,190", "1,2,3", "nan,1"])
def test_bad_lat_long_is_400(reader: Api, value: str) -> None:
    response = reader.get(reader.orders_url(), params={"lat_long": value})
    assert response.status_code == 400
    assert "latitude,longitude" in errors_of(response)["lat_long"][0]


@pytest.mark.parametrize("value", ["far", "5 miles", "-3km", "km"])
def test_bad_distance_is_400(reader: Api, value: str) -> None:
    response = reader.get(
        reader.orders_url(), params={"lat_long": "-33.4,-70.6", "distance": value}
    )
    assert response.status_code == 400
    assert "5km, 34km or 800m" in errors_of(response)["distance"][0]


def test_distance_without_lat_long_changes_nothing(
    reader: Api, everything: list[dict[str, Any]]
) -> None:
    # The real API's own links carry distance=5km whatever the query: alone, it is harmless.
    assert ids(reader.all_orders(distance="12km")) == ids(everything)
    assert reader.get(reader.orders_url(), params={"distance": "far"}).status_code == 400


# -- sort ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("column", [*DATES, "net_total"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_sort(reader: Api, everything: list[dict[str, Any]], column: str, direction: str) -> None:
    dated = sorted(
        (o for o in everything if o[column] is not None),
        key=lambda o: (o[column], o["id"]),
        reverse=direction == "desc",
    )
    undated = sorted(
        (o for o in everything if o[column] is None),
        key=lambda o: o["id"],
        reverse=direction == "desc",
    )
    # orders without that date come last whatever the direction; ids break ties
    assert ids(reader.all_orders(sort=f"{column}.{direction}")) == ids(dated + undated)


def test_default_sort_is_created_on_desc(reader: Api, everything: list[dict[str, Any]]) -> None:
    assert ids(everything) == ids(reader.all_orders(sort="created_on.desc"))


@pytest.mark.parametrize("value", ["created_on", "total.desc", "created_on.up", "id.asc"])
def test_bad_sort_is_400(reader: Api, value: str) -> None:
    response = reader.get(reader.orders_url(), params={"sort": value})
    assert response.status_code == 400
    (message,) = errors_of(response)["sort"]
    assert "created_on.asc, created_on.desc" in message and "net_total.desc" in message


def test_every_bad_parameter_is_named(reader: Api) -> None:
    response = reader.get(
        reader.orders_url(),
        params={"status": "nope", "total_gte": "x", "sort": "y", "created_on_lte": "z"},
    )
    assert response.status_code == 400
    assert set(errors_of(response)) == {"status", "total_gte", "sort", "created_on_lte"}


def test_filters_combine(reader: Api, everything: list[dict[str, Any]]) -> None:
    expected = [
        o
        for o in everything
        if o["status"] in ("closed", "shipped", "delivered")
        and o["total"] >= 20000
        and _matches(o, "a")
    ]
    found = reader.all_orders(status="successful", total_gte=20000, q="a")
    assert ids(found) == ids(expected)


def test_empty_values_count_as_absent(reader: Api, everything: list[dict[str, Any]]) -> None:
    assert ids(reader.all_orders(q="", status="", sort="", code="")) == ids(everything)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("product_id", "99999999999999999999"),
        ("total_gte", "-99999999999999999999"),
        ("page", "10000000000"),
    ],
)
def test_numbers_beyond_64_bits_are_400(reader: Api, name: str, value: str) -> None:
    response = reader.get(reader.orders_url(), params={name: value})
    assert response.status_code == 400
    assert name in errors_of(response)


def test_ids_beyond_64_bits_in_paths_are_404(reader: Api, shared: SandboxURL) -> None:
    huge = "99999999999999999999"
    assert reader.get(f"{shared.base_url}/v1/shops/{huge}.json").status_code == 404
    href = f"{shared.base_url}/v1/shops/{shared.shop_id}/orders/{huge}.json"
    assert reader.get(href).status_code == 404


# -- the real API's additions ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [f"{c}_{b}" for c in (*DATES, *TOTALS) for b in ("gte", "lte")])
def test_range_filters_take_their_dotted_spelling(
    reader: Api, everything: list[dict[str, Any]], name: str
) -> None:
    # The real shop page's btc:orders template spells them created_on.gte.
    column = name[:-4]
    values = sorted(o[column] for o in everything if o[column] is not None)
    value = values[len(values) // 2]
    if column in DATES:
        value = value[:10]
    dotted = f"{column}.{name[-3:]}"
    found = reader.all_orders(**{dotted: value})
    assert found and ids(found) == ids(reader.all_orders(**{name: value}))
    # the links carry the underscore name, one canonical spelling
    page = reader.doc(reader.orders_url(), **{dotted: value})
    assert f"{name}={value}" in page["_links"]["self"]["href"]
    assert dotted not in page["_links"]["self"]["href"]


def test_one_filter_in_both_spellings_must_agree(reader: Api) -> None:
    same = {"created_on_gte": "2014-01-01", "created_on.gte": "2014-01-01"}
    assert reader.get(reader.orders_url(), params=same).status_code == 200
    both = {"created_on_gte": "2014-01-01", "created_on.gte": "2015-01-01"}
    response = reader.get(reader.orders_url(), params=both)
    assert response.status_code == 400
    assert "given twice" in errors_of(response)["created_on_gte"][0]


def test_the_same_page_in_any_spelling_is_one_rendered_page(api: Api) -> None:
    app = api.url.app
    href = api.orders_url()
    first = api.get(href, params={"created_on.gte": "2014-01-01", "per_page": 4, "page": 2})
    again = api.get(href, params={"page": 2, "per_page": 4, "created_on_gte": "2014-01-01"})
    expanded = api.get(first.json()["_links"]["self"]["href"])
    assert first.content == again.content == expanded.content
    assert len(app.pages) == 1


@pytest.mark.parametrize("value", ["gift", "GIFT", "gift,vip", "vip, fragile", "nosuchtag"])
def test_tags_filter_any_of_them(reader: Api, everything: list[dict[str, Any]], value: str) -> None:
    wanted = {tag.strip().lower() for tag in value.split(",")}
    expected = [o for o in everything if wanted & set(o["tags"])]
    assert ids(reader.all_orders(tags=value)) == ids(expected)
    if value != "nosuchtag":
        assert expected


def test_contact_email_filter(reader: Api, everything: list[dict[str, Any]]) -> None:
    email = next(o for o in everything if o["_embedded"]["contact"])["_embedded"]["contact"][
        "email"
    ]
    expected = [o for o in everything if (o["_embedded"]["contact"] or {}).get("email") == email]
    assert ids(reader.all_orders(contact_email=email.upper())) == ids(expected)
    assert reader.all_orders(contact_email="nobody@example.com") == []


@pytest.mark.parametrize(
    ("interval", "length"), [("day", 10), ("month", 7), ("year", 4), ("week", 10)]
)
def test_histogram_counts_by_creation_date(
    reader: Api, everything: list[dict[str, Any]], interval: str, length: int
) -> None:
    doc = reader.doc(reader.orders_url(), histogram=interval, status="pending,closed", per_page=1)
    matching = [o for o in everything if o["status"] in ("pending", "closed")]
    histogram = doc["histogram"]
    assert [set(bucket) for bucket in histogram] == [{"period", "count", "total"}] * len(histogram)
    assert sum(bucket["count"] for bucket in histogram) == len(matching) == doc["total_items"]
    assert sum(bucket["total"] for bucket in histogram) == sum(o["total"] for o in matching)
    periods = [bucket["period"] for bucket in histogram]
    assert periods == sorted(periods) and all(len(p) == length for p in periods)
    if interval == "week":  # the Monday each week starts on
        assert all(date.fromisoformat(p).weekday() == 0 for p in periods)
    else:
        counts: dict[str, int] = {}
        for order in matching:
            counts[order["created_on"][:length]] = counts.get(order["created_on"][:length], 0) + 1
        assert {b["period"]: b["count"] for b in histogram} == counts
    assert "histogram" not in reader.doc(reader.orders_url(), per_page=1)
    assert reader.get(reader.orders_url(), params={"histogram": "hour"}).status_code == 400


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_ties_are_broken_by_id_in_the_sorts_direction(api: Api, direction: str) -> None:
    # Many orders updated in the same second (as by one bulk update): a client walking by keyset
    # (updated_on, id) must find them in one fixed order, the id's in the sort's direction.
    url = api.url
    tied = list(url.order_ids[10:40])
    marks = ",".join("?" * len(tied))
    url.db.execute(
        f"UPDATE orders SET updated_on = '2030-01-01T00:00:00' WHERE id IN ({marks})", tied
    )
    found = api.all_orders(sort=f"updated_on.{direction}", updated_on_gte="2030-01-01T00:00:00Z")
    assert ids(found) == sorted(tied, reverse=direction == "desc")
    pages = []
    href: str | None = api.orders_url() + f"?sort=updated_on.{direction}&per_page=7"
    while href:
        page = api.doc(href)
        pages.extend(page["_embedded"]["items"])
        href = page["_links"].get("next", {}).get("href")
    assert ids(pages) == ids(api.all_orders(sort=f"updated_on.{direction}"))
    assert len(set(ids(pages))) == len(url.order_ids)
