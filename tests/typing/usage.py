"""A user's script, as a type checker sees it: these uses check, and the marked ones must not.

Never run: ``mypy --strict`` and ``pyright`` (strict) read it in ``.ci/run``. Each wrong use
carries a ``# type: ignore[...]`` that both tools must find necessary (mypy's
``warn_unused_ignores``, pyright's ``reportUnnecessaryTypeIgnoreComment``): a signature that stops
catching the mistake fails the check.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import halnav
from halnav.bootic import (
    MAX_PER_PAGE,
    BooticClient,
    MirrorError,
    MirrorState,
    Order,
    OrderPage,
    Shop,
    StableWalk,
    SyncError,
    SyncReport,
    UpdateOutcomeUnknown,
    UpdateResult,
    read_mirror,
)

API = "https://api.example.test/v1"


def explore(client: halnav.Client) -> list[str]:
    root = client.root()
    fetcher: halnav.Fetcher | None = root.client  # a Client is a Fetcher
    if fetcher is not None:
        fetched: halnav.Representation = fetcher.fetch("GET", "/v1")
        root = halnav.Resource.from_representation(fetched, client=fetcher)
    shop = root.follow("btc:shop", id=1)
    shop = root.follow("btc:shop", variables={"shop.id": "29"}, headers={"If-Match": '"v1"'})
    page = shop.follow(
        "btc:orders",
        page=2,
        status=["pending", "closed"],
        created_on_gte=datetime.date(2024, 1, 1),
        sort=None,
    )
    codes = [str(order["code"]) for order in page.iterate("items", prefetch=4)]
    link = page.link("next")
    url: str = link.url()
    codes.append(url)
    answer = shop.invoke("btc:create_order", json={"line_items": []}, method="POST")
    status: int | None = answer.status_code
    codes.append(str(status))
    return codes


def clients() -> list[halnav.Client]:
    return [
        halnav.Client(API, token="t", cache=halnav.MemoryCache(max_bytes=2**20)),
        halnav.Client(API, cache=False, retries=0, timeout=(1.0, 5.0)),
        halnav.Client(API, cache="cache.sqlite"),
        halnav.Client(API, cache=Path("cache.sqlite"), headers={"X-Trace": "1"}),
    ]


def walk(client: halnav.Client) -> list[str]:
    first = client.get("https://api.example.test/books")
    books: halnav.Walk[halnav.Resource] = first.iterate("books", prefetch=8)
    why: str | None = books.why_sequential
    notes = [str(books.prefetching), why or "", str(books.prefetch)]
    notes += [str(book["id"]) for book in books]
    admin = first.link("ea:admin", title="Kate")
    notes.append(admin.url())
    books.close()
    return notes


def hardened() -> str:
    client = halnav.Client(
        API,
        max_body_size=8 * 2**20,
        deadline=30.0,
        credential_headers=["X-Shop-Token"],
        headers={"X-Shop-Token": "k"},
    )
    unbounded = halnav.Client(API, max_body_size=None, deadline=None)
    budget = halnav.Deadline(60)
    left: float = budget.remaining()
    try:
        client.request("POST", "/v1/orders", json={}, deadline=10)
        client.request("GET", "/v1", deadline=budget)
        unbounded.request("GET", "/v1", deadline=None)
        client.fetch("GET", "/v1", deadline=budget)
    except halnav.BodyTooLarge as exc:
        return f"{exc.limit} {exc.url}"
    except halnav.DeadlineExceeded as exc:
        return f"{exc.seconds} {exc.method} {left} {budget.expired}"
    names: frozenset[str] = client.credential_headers
    return f"{client.deadline} {client.max_body_size} {sorted(names)}"


def walks(client: halnav.Client, budget: halnav.Deadline) -> list[str]:
    first = client.get("https://api.example.test/orders?status=pending")
    closing = first.iterate("items", stable=True, deadline=600)
    notes = [str(order["id"]) for order in closing]
    notes.append(f"{closing.pages_reread} {closing.items_skipped} {closing.stable}")
    left: float | None = closing.deadline.remaining() if closing.deadline is not None else None
    notes.append(str(left))
    for page in first.pages(prefetch=4, deadline=budget):
        notes.append(page.url or "")

    def after(page: halnav.Resource) -> str | None:
        items = page.document["_embedded"]["items"]
        return f"/orders?created_on_lte={items[-1]['created_on']}" if items else None

    keyset: halnav.Walk[halnav.Resource] = first.iterate(stable=True, next_page=after)
    try:
        notes += [order.url or "" for order in keyset]
    except halnav.WalkCountMismatch as exc:
        unit: str = exc.unit
        counts: tuple[int, int] = (exc.expected, exc.received)
        notes += [unit, exc.declared_by, str(counts), exc.page_url or "", str(exc.items_before)]
    return notes


def handle(client: halnav.Client) -> str:
    try:
        client.get("/v1/nowhere")
    except halnav.PreconditionFailed as exc:
        detail: str | None = exc.detail
        raw: bytes = exc.body
        return f"{detail} {raw!r}"
    except halnav.HTTPError as exc:
        retry_after: str | None = exc.headers.get("Retry-After")
        body = exc.resource.document if exc.resource is not None else None
        return f"{exc.status_code} {retry_after} {body} {exc.errors}"
    except halnav.LinkNotFound as exc:
        return ", ".join(exc.available)
    return ""


def bootic(token: str) -> list[Order]:
    with BooticClient(token) as client:
        shop: Shop = client.shop(id=29)
        page: OrderPage = shop.orders(
            status="pending", per_page=50, created_on_gte=datetime.date(2024, 1, 1)
        )
        total: int | None = page.total_items
        orders = list(shop.iter_orders(prefetch=8, status=["closed", "shipped"], sort=None))
        orders += page.orders[: total or 0]
        return orders


def forms(client: halnav.Client) -> list[str]:
    page = halnav.Client(API, hal_forms=True).root()
    form: halnav.Form = page.form("search")
    status: halnav.Field = form.field("status")
    allowed = [str(option.value) for option in status.options or ()]
    checked = form.validate(status=["pending", "closed"], per_page=50, created_on_gte=None)
    allowed += [str(value) for value in checked.values()]
    found = page.submit("search", status="pending", name="a field called name")
    created = page.submit(
        "default",
        values={"headers": "a field called headers"},
        variables={"id": 1},
        headers={"If-Match": '"v1"'},
        line_items=[{"variant_id": 1, "units": 2}],
        due=datetime.date(2024, 1, 1),
    )
    links: list[halnav.Link] = found.header_links + created.links["next"]
    try:
        form.validate(stauts="pending")
    except halnav.FormError as exc:
        allowed += [exc.rule, exc.field or "", *(problem[2] for problem in exc.problems)]
    names: list[str] = list(page.forms) + [link.rel for link in links]
    return allowed + names + [form.method, form.target or "", form.title or ""]


def warned(warning: halnav.DeprecatedResourceWarning) -> str:
    sunset = warning.sunset.isoformat() if warning.sunset is not None else ""
    return f"{warning.url} {sunset} {', '.join(warning.documentation)}"


def bootic_writes(shop: Shop, saved: dict[str, object]) -> list[object]:
    order: Order = shop.order("R1C3964")
    order = shop.order(583085)
    order = order.update(
        line_items=[{"variant_id": 1234, "units": 2}], contact={"email": "joe@bloggs.com"}
    )
    order = order.update(address=35666)
    order = order.set_status("shipped", tracking_code="T-1", courier_name="Chilexpress")
    order = order.set_status("delivered")
    allowed: tuple[str, ...] | None = order.allowed_statuses
    page = shop.orders(
        status="delivered",
        tags=["vip", "gift"],
        contact_email="joe@bloggs.com",
        sort="net_total.desc",
        per_page=MAX_PER_PAGE,
        histogram="week",
    )
    totals: dict[str, object] | None = page.totals
    shop_id: int | str | None = shop.id
    result = shop.update_orders([1, "2"], status="delivered")
    with BooticClient(token=saved, client_id="id", client_secret="secret") as client:
        client.shop(id="29")
    return [allowed, totals, shop_id, result.ok]


def mistakes(client: halnav.Client, shop: Shop) -> None:
    root = client.root()
    root.follow("btc:shop", id=object())  # type: ignore[arg-type]
    root.follow("btc:shop", name=1)  # type: ignore[arg-type]
    root.follow("btc:shop", headers={"If-Match": 1})  # type: ignore[dict-item]
    halnav.Client(API, cache=3)  # type: ignore[arg-type]
    halnav.Client(API, timeout="soon")  # type: ignore[arg-type]
    halnav.Client(API, max_body_size="64M")  # type: ignore[arg-type]
    halnav.Client(API, deadline="30s")  # type: ignore[arg-type]
    halnav.Client(API, credential_headers=[b"X-Key"])  # type: ignore[list-item]
    client.request("GET", "/v1", deadline="soon")  # type: ignore[arg-type]
    halnav.Deadline("60")  # type: ignore[arg-type]
    shop.orders(stauts="pending")  # type: ignore[call-arg]
    shop.orders(per_page=[50])  # type: ignore[arg-type]
    root.submit(1)  # type: ignore[arg-type]
    root.submit("search", status=object())  # type: ignore[arg-type]
    root.submit("search", headers={"If-Match": 1})  # type: ignore[dict-item]
    root.submit("search", variables={"id": object()})  # type: ignore[dict-item]
    root.form(name=2)  # type: ignore[arg-type]
    root.form("search").validate(status={1, 2})  # type: ignore[arg-type]
    root.form("search").field("status").required.upper()  # type: ignore[attr-defined]
    halnav.Client(API, hal_forms="yes")  # type: ignore[arg-type]
    shop.orders(histogram=7)  # type: ignore[arg-type]
    order = shop.order("R1C3964")
    order.update(status="closed")  # type: ignore[arg-type]
    order.set_status(3)  # type: ignore[arg-type]
    order.set_status("closed", tracking="T-1")  # type: ignore[call-arg]
    shop.order(None)  # type: ignore[arg-type]
    shop.update_orders([1], "closed")  # type: ignore[call-arg]
    BooticClient(token=42)  # type: ignore[arg-type]
    code: int = root["code"].upper().count("x")
    code += root.link("self")  # type: ignore[operator]
    root.link("ea:admin", title=3)  # type: ignore[arg-type]
    walk = root.iterate("items", prefetch=8)
    walk.why_sequential.upper()  # type: ignore[union-attr]
    root.iterate("items", deadline="10 minutes")  # type: ignore[arg-type]
    root.pages(deadline="soon")  # type: ignore[arg-type]
    root.iterate("items", 4, True)  # type: ignore[call-arg]
    root.iterate(next_page="/orders?page=2")  # type: ignore[arg-type]
    root.iterate(next_page=lambda page: page.links)  # type: ignore[arg-type,return-value]
    walk.deadline.remaining()  # type: ignore[union-attr]


def stable_and_bulk(shop: Shop, page: OrderPage) -> list[object]:
    walk: StableWalk = shop.iter_orders(stable=True, status="pending", sort="created_on.desc")
    for order in walk:
        order.set_status("closed")
    counts: list[object] = [walk.pages_fetched, walk.repeats, walk.days, walk.total_items]
    for batch in shop.iter_orders(prefetch=1, stable=True, per_page=50).pages(repeats=True):
        counts += [order.code for order in batch]
    plain = shop.iter_orders(status="pending")  # by page number: a plain iterator
    again: StableWalk = page.iter_orders(stable=True)
    counts += [next(plain).id, again.sort]
    result: UpdateResult = shop.update_orders([1, 2, 3], status="closed", batch_size=2)
    chosen: list[int | str] = shop.update_orders_where(
        {"status": "pending", "created_on_lte": datetime.date(2016, 1, 1)},
        status="closed",
        dry_run=True,
    )
    done: UpdateResult = shop.update_orders_where({"status": "pending"}, status="closed")
    either = shop.update_orders_where({"tags": ["vip"]}, status="closed", dry_run=len(chosen) > 9)
    try:
        shop.update_orders_where({"status": "pending"}, status="closed", batch_size=100)
    except UpdateOutcomeUnknown as exc:
        counts += [*exc.ids, *exc.unsent, exc.result.ok if exc.result else None]
    report: SyncReport = shop.sync_orders(
        Path("orders.sqlite"), overlap=datetime.timedelta(minutes=5), status="successful"
    )
    report = shop.sync_orders("orders.sqlite", on_page=lambda r: print(r.fetched), per_page=100)
    try:
        state: MirrorState | None = read_mirror("orders.sqlite")
        counts += [state.mark if state else None]
    except MirrorError as exc:
        counts += [exc.path]
    except SyncError as exc:
        counts += [exc.report.mark]
    return [*counts, result.ok, done.ok, either, report.as_dict(), report.inserted]


def stable_and_bulk_mistakes(shop: Shop) -> None:
    shop.iter_orders(stable=True, stauts="pending")  # type: ignore[call-overload]
    shop.iter_orders(stable="yes")  # type: ignore[call-overload]
    walk: StableWalk = shop.iter_orders(status="pending")  # type: ignore[assignment]
    shop.update_orders([1], status="closed", batch_size="200")  # type: ignore[arg-type]
    shop.update_orders_where({"state": "pending"}, status="closed")  # type: ignore[call-overload]
    shop.update_orders_where({"status": "pending"}, "closed")  # type: ignore[call-overload]
    ids: list[int | str] = shop.update_orders_where({"status": "pending"}, status="closed")  # type: ignore[assignment]
    shop.sync_orders("orders.sqlite", sort="created_on.asc", overlap="2m")  # type: ignore[arg-type]
    shop.sync_orders(42)  # type: ignore[arg-type]
    print(walk, ids)
