"""The raw Whoosh baselines: bulk indexing and searching with Whoosh alone, no letters layer.

The only module of the benchmarks that imports Whoosh. It uses the program's schema (same fields,
same analyzers) so that the difference measured is the cost of the program's own layer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import sorting
from whoosh.qparser import MultifieldParser

from bench.queries import Query
from letters.archive import Archive
from letters.registry import load as load_registry
from letters.search.index import documents as letters_documents
from letters.search.index import whoosh_engine as letters_index

DEFAULT_FIELDS = letters_documents.DEFAULT_FIELDS
FACET_FIELDS = letters_documents.FACET_FIELDS


def documents(archive_dir: Path) -> Iterator[dict[str, Any]]:
    """The Whoosh fields of every archived letter, as the program builds them."""
    archive = Archive(archive_dir)
    registry = load_registry(archive_dir)
    for letter in archive.records():
        yield letter_document(letter, archive.pages(letter.id), registry)


def letter_document(letter: Any, pages: list[str], registry: Any) -> dict[str, Any]:
    """One letter's Whoosh fields (the program's own builders, so both index the same)."""
    fields: dict[str, Any] = {}

    class Collect:
        def add_document(self, **values: Any) -> None:
            fields.update(values)

    document = letters_documents.document(letter, pages, registry)
    letters_index.WhooshWriter(Collect()).add(document)  # type: ignore[arg-type]
    return fields


def bulk_index(target: Path, docs: list[dict[str, Any]]) -> float:
    """Index `docs` into a new index at `target` with one writer; the seconds it took."""
    target.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    writer = whoosh_index.create_in(str(target), letters_index.SCHEMA).writer()
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return time.perf_counter() - start


class RawSearcher:
    """The queries of the mix run by Whoosh directly on the program's index."""

    def __init__(self, index_dir: Path) -> None:
        self.ix = whoosh_index.open_dir(str(index_dir))
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser([*DEFAULT_FIELDS, "text_en", "text_fr"], self.ix.schema,
                                       fieldboosts=DEFAULT_FIELDS)
        self.facets = {name: sorting.FieldFacet(field) for name, field in FACET_FIELDS.items()}

    def run(self, query: Query) -> int:
        """Run one query as the program would (page, facets, stored records, highlights)."""
        text = query.q.replace("date:", "day:")  # the program's `date:` is the field `day`
        parsed = self.parser.parse(text).accept(_positional).normalize() if text else wq.Every()
        sort = query.sort if query.q or query.sort != "relevance" else "date"
        sortedby = {"relevance": None, "date": sorting.FieldFacet("date_asc"),
                    "-date": sorting.FieldFacet("date_desc")}[sort]
        page = self.searcher.search_page(parsed, query.page, pagelen=query.per_page,
                                         filter=_filters(query), sortedby=sortedby,
                                         groupedby=self.facets, maptype=sorting.Count)
        for hit in page:
            json.loads(hit["record"])
            if query.q:
                hit.highlights("content")
        for name in self.facets:
            page.results.groups(name)
        return page.total

    def close(self) -> None:
        """Release the searcher."""
        self.searcher.close()


def _positional(node: wq.Query) -> wq.Query:
    """Phrases only on fields that keep positions (Whoosh refuses them on the others)."""
    field = getattr(node, "fieldname", None)
    if isinstance(node, wq.Phrase) and field and not letters_index.SCHEMA[field].format.supports(
            "positions"):
        return wq.NullQuery
    return node


def _filters(query: Query) -> wq.Query | None:
    parts: list[wq.Query] = []
    for field, value in (("partner_slug", query.partner), ("signatory_slug", query.signatory),
                         ("direction", query.direction), ("language", query.language)):
        if value:
            parts.append(wq.Term(field, value))
    if query.date_from or query.date_to:
        start = datetime.fromisoformat(query.date_from) if query.date_from else None
        end = datetime.fromisoformat(query.date_to) if query.date_to else None
        parts.append(wq.DateRange("day", start, end))
    return wq.And(parts) if parts else None
