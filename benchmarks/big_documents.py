"""Parsing large documents: many relations and CURIEs, and a template of 40,000 variables.

    python benchmarks/big_documents.py        # a few seconds

Two shapes from issue 15 (point 8), built here so that nothing is downloaded:

- **relations**: a 776 kB document of 5,000 relations under 40 CURIE prefixes, each a link object
  with a title; the time to ask ``has()`` about every relation by its bare name, then by its
  expanded URI (the lookups a generic client, or a REPL's completion, makes).
- **template**: a 262 kB templated href declaring 40,000 query variables; the time to parse it
  (``link.variables``), and to expand it with two of them.

Before issue 15's fix (relations resolved by a scan of the document per lookup; variables kept in
a list) these took 8.4 s and 7.6 s.
"""

from __future__ import annotations

import json
import time

import halnav
from halnav._templates import TEMPLATE_CACHE

PREFIXES = 40
RELATIONS = 5_000
VARIABLES = 40_000


def relations_document() -> dict:
    curies = [
        {
            "name": f"ns{p}",
            "href": f"https://docs.example.test/ns{p}/rels/{{rel}}",
            "templated": True,
        }
        for p in range(PREFIXES)
    ]
    links: dict = {"self": {"href": "https://api.example.test/catalog"}, "curies": curies}
    for r in range(RELATIONS):
        links[f"ns{r % PREFIXES}:relation{r}"] = {
            "href": f"https://api.example.test/catalog/things/{r}/relation{r}",
            "title": f"Relation {r} of namespace {r % PREFIXES}, described at length",
        }
    return {"_links": links, "name": "catalog"}


def template_href() -> str:
    names = ",".join(f"v{i}" for i in range(VARIABLES))
    return f"https://api.example.test/search{{?{names}}}"


def main() -> None:
    document = relations_document()
    size = len(json.dumps(document))
    resource = halnav.Resource(document, url="https://api.example.test/catalog")
    started = time.perf_counter()
    found = sum(resource.has(f"relation{r}") for r in range(RELATIONS))
    by_name = time.perf_counter() - started
    started = time.perf_counter()
    found += sum(
        resource.has(f"https://docs.example.test/ns{r % PREFIXES}/rels/relation{r}")
        for r in range(RELATIONS)
    )
    by_uri = time.perf_counter() - started
    assert found == 2 * RELATIONS

    href = template_href()
    TEMPLATE_CACHE.clear()
    link = halnav.Link("search", href, templated=True)
    started = time.perf_counter()
    variables = link.variables
    parsed = time.perf_counter() - started
    started = time.perf_counter()
    url = link.url(v7=1, v39999="x")
    expanded = time.perf_counter() - started
    assert len(variables) == VARIABLES and url.endswith("?v7=1&v39999=x")

    print("| document | size | operation | time |")
    print("| --- | ---: | --- | ---: |")
    print(
        f"| {RELATIONS:,} relations, {PREFIXES} CURIEs | {size / 1000:.0f} kB "
        f"| `has()` for each, by bare name | {by_name:.3f} s |"
    )
    print(f"| (the same) | | `has()` for each, by expanded URI | {by_uri:.3f} s |")
    print(
        f"| a template of {VARIABLES:,} variables | {len(href) / 1000:.0f} kB "
        f"| parse (`link.variables`) | {parsed:.3f} s |"
    )
    print(f"| (the same) | | expand with two variables | {expanded:.3f} s |")


if __name__ == "__main__":
    main()
