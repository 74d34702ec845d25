"""Writers for the tests of walks and syncs against the sandbox: other clients changing orders
while a walk runs, in other threads (bounded, each told how many writes to make) or between
the walk's pages (deterministic, through a response hook on the walk's session)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from halnav import HALNavError
from halnav.bootic import BooticClient, Shop

#: The statuses a writer moves orders to (each order's allowed moves are checked by the layer).
MOVES = ("pending", "closed", "invalid", "shipped", "delivered")


def database_orders(sandbox: Any, where: str = "1", params: tuple[Any, ...] = ()) -> dict[int, Any]:
    """Shop 29's orders in the sandbox's database, by id (``where``: an SQL condition)."""
    rows = sandbox.db.query(
        f"SELECT id, code, status, updated_on, created_on FROM orders WHERE shop_id = ? AND {where}",
        (sandbox.shop_id, *params),
    )
    return {row["id"]: row for row in rows}


class Writer:
    """Changes orders of the sandbox through the API, as another client would; remembers which
    it touched (and which it created)."""

    def __init__(self, sandbox: Any, seed: int) -> None:
        self.sandbox = sandbox
        self.random = random.Random(seed)
        self.touched: set[int] = set()
        self.created: set[int] = set()
        self.writes = 0
        self._bootic = BooticClient(token=sandbox.token, root_url=str(sandbox), cache=False)
        self._shop: Shop = self._bootic.shop()

    def write(self) -> None:
        """One write: a status move of a random order, a bulk move of a few, or a new order."""
        ids = self.sandbox.order_ids
        kind = self.random.random()
        try:
            if kind < 0.5:
                ident = self.random.choice(ids)
                order = self._shop.order(ident)
                allowed = [s for s in order.allowed_statuses or () if s != order.status]
                self.touched.add(ident)
                if allowed:
                    order.set_status(self.random.choice(allowed))
                else:
                    order.set_status(order.status or "pending")
            elif kind < 0.8:
                chosen = self.random.sample(ids, 5)
                self.touched.update(chosen)
                self._shop.update_orders(chosen, status=self.random.choice(MOVES))
            else:
                variant = self.random.choice(self.sandbox.variant_ids)
                made = self._shop.create_order([{"variant_id": variant, "units": 1}])
                self.created.add(made.id)
                self.touched.add(made.id)
        except HALNavError:
            pass  # a move the server refused: still a write attempt, the order still touched
        self.writes += 1

    def close(self) -> None:
        self._bootic.close()


@contextmanager
def writing_in_threads(
    sandbox: Any, threads: int = 2, writes: int = 40, seed: int = 0
) -> Iterator[list[Writer]]:
    """``threads`` writers making ``writes`` writes each, while the ``with`` block runs (they
    are joined when it ends: every write is done before the test compares)."""
    writers = [Writer(sandbox, seed + n) for n in range(threads)]
    started = threading.Barrier(threads + 1)

    def run(writer: Writer) -> None:
        started.wait()
        for _ in range(writes):
            writer.write()

    workers = [threading.Thread(target=run, args=(w,), daemon=True) for w in writers]
    for worker in workers:
        worker.start()
    started.wait()
    try:
        yield writers
    finally:
        for worker in workers:
            worker.join(timeout=120)
        for writer in writers:
            writer.close()


def between_pages(bootic: BooticClient, write: Callable[[int], None]) -> None:
    """Call ``write(n)`` after the answer of each orders query ``bootic`` gets (n from 1), in
    the thread that walks: deterministic writes interleaved with the pages."""
    count = 0

    def hook(response: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal count
        if "/orders" in response.url and response.request.method == "GET":
            count += 1
            write(count)
        return response

    bootic.client.session.hooks["response"].append(hook)
