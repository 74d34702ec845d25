"""Soak test (not run in CI): walk a faulty sandbox again and again, count lost and duplicated orders.

    python benchmarks/soak_faults.py                 # 20 walks of 14,486 orders, 20% faults
    python benchmarks/soak_faults.py --walks 4 --orders 2000 --fail-rate 0.3

Walks alternate between sequential and prefetched (``--prefetch``), each with a fresh client and
default settings (retries included). A page that still fails after its retries is resumed from,
as the README tells (``client.get(exc.page_url).iterate()``); fetching that page again may fail
too, so it is tried up to ``MAX_RESUMES`` times in a row, each try counted as a resume. The
reference is a walk with faults off. Exit status 1 if any order was lost, duplicated or out of
place.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any

import halnav
from halnav.sandbox import serve

MAX_RESUMES = 20  # tries in a row to fetch the page a walk resumes from, before giving up
FAILURES = (halnav.ServerError, halnav.TransportError)


class RetryCounter(logging.Handler):
    """Counts halnav's DEBUG request lines, and those that needed retries."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.requests = 0
        self.retried = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if " -> " in message:
            self.requests += 1
            if " retr" in message:
                self.retried += 1


def first_page(client: halnav.Client) -> halnav.Resource:
    return client.root().follow("shops").follow("btc:orders")


def resume(client: halnav.Client, page_url: str) -> tuple[halnav.Resource, int]:
    """The page to resume from, fetched again until it comes (at most ``MAX_RESUMES`` tries,
    then the last failure is raised); and how many tries that took."""
    tries = 0
    while True:
        tries += 1
        try:
            return client.get(page_url), tries
        except FAILURES as error:
            print(f"    resume {tries} failed: {error}", flush=True)
            if tries >= MAX_RESUMES:
                raise


def walk(client: halnav.Client, prefetch: int) -> tuple[list[Any], int]:
    """Every order id, resuming from the failing page when one gives up; and the resume count."""
    ids: list[Any] = []
    resumes = 0
    page = first_page(client)
    while True:
        try:
            for order in page.iterate(prefetch=prefetch):
                ids.append(order["id"])
            return ids, resumes
        except FAILURES as error:
            print(f"    resuming: {error}", flush=True)
            page, tries = resume(client, error.page_url)  # type: ignore[attr-defined]
            resumes += tries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--walks", type=int, default=20)
    parser.add_argument("--orders", type=int, default=14486)
    parser.add_argument("--fail-rate", type=float, default=0.2)
    parser.add_argument("--prefetch", type=int, default=4, help="window of the prefetched walks")
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args(argv)

    counter = RetryCounter()
    logger = logging.getLogger("halnav")
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)

    totals = {"lost": 0, "duplicated": 0, "misplaced": 0, "resumes": 0}
    started = time.perf_counter()
    with serve(orders=options.orders, seed=options.seed) as url:
        with halnav.Client(url, token=url.token) as client:
            expected, _ = walk(client, 0)
        print(
            f"sandbox {url}: {len(expected)} orders; {options.walks} walks at fail rate "
            f"{options.fail_rate}, prefetch {options.prefetch} on every other walk",
            flush=True,
        )
        url.config.fail_rate = options.fail_rate
        for number in range(1, options.walks + 1):
            prefetch = options.prefetch if number % 2 == 0 else 0
            counter.requests = counter.retried = 0
            began = time.perf_counter()
            with halnav.Client(url, token=url.token) as client:
                ids, resumes = walk(client, prefetch)
            lost = len(set(expected) - set(ids))
            duplicated = len(ids) - len(set(ids))
            pairs = zip(ids, expected, strict=False)
            misplaced = 0 if ids == expected else max(1, sum(a != b for a, b in pairs))
            for key, value in zip(totals, (lost, duplicated, misplaced, resumes), strict=True):
                totals[key] += value
            mode = f"prefetch={prefetch}" if prefetch else "sequential"
            print(
                f"walk {number:2d} {mode:<11} {len(ids)} orders: lost {lost}, duplicated "
                f"{duplicated}, misplaced {misplaced}; {counter.requests} requests, "
                f"{counter.retried} retried, {resumes} resumes, {time.perf_counter() - began:.1f} s",
                flush=True,
            )
    print(
        f"\n{options.walks} walks in {time.perf_counter() - started:.0f} s: "
        f"lost {totals['lost']}, duplicated {totals['duplicated']}, "
        f"misplaced {totals['misplaced']}, resumes {totals['resumes']}"
    )
    return 1 if totals["lost"] or totals["duplicated"] or totals["misplaced"] else 0


if __name__ == "__main__":
    sys.exit(main())
