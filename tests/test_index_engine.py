"""The search engine on cached sets: the same answers as Whoosh's own search, kept up to date.

The oracle is Whoosh itself, opened on the same index directory: its matcher finds the letters
(`docs_for_query`), their stored records give the facet counts, and its sort gives the order.
The index is written in several commits, with replacements, so that it has several segments
and deleted documents, the cases where cached sets could go wrong.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import sorting

from letters import registry
from letters.archive import Archive
from letters.index import open_index
from letters.index.queries import filters, parse
from letters.index.schema import FACET_FIELDS, SCHEMA, document
from letters.searching import SearchRequest, SearchResult
from test_index import LETTERS, Corpus, build_letter

QUERIES = ["", "partnership", "Facebook OR Kaspersky", "council NOT facebook", "NOT council",
           '"Council of Europe"', "partner:meta", "accord*", "date:[2017-01-01 TO 2020-12-31]",
           "year:2017 AND signatory:jagland", "(meta OR google) AND NOT partnership"]
FILTERS = [{}, {"language": "en"}, {"partner": "meta", "direction": "incoming"},
           {"date_from": "2017-11-10", "date_to": "2022-12-31"}, {"status": "needs_review"}]


@pytest.fixture(scope="module")
def segmented(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The letters indexed one commit each, then three of them replaced (deleted and re-added)
    in commits that do not merge, so the index keeps several segments with deletions."""
    home = tmp_path_factory.mktemp("segmented")
    archive = Archive(home / "archive")
    index = open_index(home / "index", archive, lambda: registry.load(archive.root))
    letters = {}
    for name, spec in LETTERS.items():
        letters[name] = build_letter(archive, home / "pdfs", **spec)
        index.update([letters[name]])
    index.search(SearchRequest())  # the engine has seen the first state: its caches must follow
    for name in ("meta2017", "bt", "unknown"):
        letters[name] = replace(letters[name], title=f"Replaced {name}")
        writer = whoosh_index.open_dir(str(home / "index"), schema=SCHEMA).writer()
        writer.update_document(**document(letters[name], archive.pages(letters[name].id),
                                          registry.load(archive.root)))
        writer.commit(merge=False)
    return Corpus(home, archive, index, letters)


def oracle(corpus: Corpus, request: SearchRequest) -> tuple[list[str], dict[str, dict[str, int]]]:
    """Whoosh's own answer: every matching id in the request's order, and the facet counts."""
    ix = whoosh_index.open_dir(str(corpus.home / "index"), schema=SCHEMA)
    with ix.searcher() as searcher:
        query = parse(request.q.strip())
        wanted = filters(request, registry.load(corpus.archive.root))
        sort = ([sorting.ScoreFacet(), sorting.FieldFacet("id")] if request.q.strip() else
                [sorting.FieldFacet("date_asc"), sorting.FieldFacet("id")])
        results = searcher.search(query, filter=wanted, limit=None, sortedby=sort)
        records = [json.loads(hit["record"]) for hit in results]
        segments = len(searcher.subsearchers or [searcher])
    assert segments > 1  # the fixture made several segments, or the test proves less
    counts = {name: Counter(record[name] for record in records if record.get(name))
              for name in FACET_FIELDS}
    counts["year"] = Counter(record["date"][:4] for record in records if record.get("date"))
    return [record["id"] for record in records], {n: dict(sorted(c.items()))
                                                  for n, c in counts.items()}


@pytest.mark.parametrize("options", FILTERS, ids=lambda o: ",".join(o) or "no filter")
@pytest.mark.parametrize("q", QUERIES)
def test_totals_facets_and_order_match_whoosh(segmented: Corpus, q: str,
                                              options: dict[str, str]) -> None:
    request = SearchRequest(q=q, per_page=3, **options)  # type: ignore[arg-type]
    ids, facets = oracle(segmented, request)
    pages = [segmented.index.search(replace(request, page=page)) for page in (1, 2, 3, 4)]
    assert pages[0].total == len(ids)
    assert pages[0].facets == facets
    assert [hit.letter.id for page in pages for hit in page.hits] == ids[:12]


def test_a_commit_is_seen_by_the_next_search(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    index = open_index(tmp_path / "index", archive, lambda: registry.load(archive.root))
    first = build_letter(archive, tmp_path / "pdfs", ["A quokka treaty."], partner="gni",
                         date="2020-01-01")
    index.update([first])
    before = index.search(SearchRequest(q="quokka"))
    assert before.total == 1 and before.facets["partner"] == {"gni": 1}
    assert index.search(SearchRequest(q="quokka")) is before  # the same page, from the cache
    index.update([replace(first, partner="meta")])
    after = index.search(SearchRequest(q="quokka"))
    assert after.total == 1 and after.facets["partner"] == {"meta": 1}
    second = build_letter(archive, tmp_path / "pdfs", ["Another quokka."], partner="gni",
                          date="2021-01-01")
    index.update([second])
    assert index.search(SearchRequest(q="quokka")).facets["partner"] == {"gni": 1, "meta": 1}
    index.remove([first.id])
    gone = index.search(SearchRequest(q="quokka"))
    assert [hit.letter.id for hit in gone.hits] == [second.id]
    assert gone.facets["partner"] == {"gni": 1}


def test_deep_pages_and_sparse_matches_in_date_order(segmented: Corpus) -> None:
    everything = [hit.letter.id for hit in segmented.index.search(
        SearchRequest(sort="-date", per_page=100)).hits]
    one_by_one = [hit.letter.id for page in range(1, len(LETTERS) + 2)
                  for hit in segmented.index.search(
                      SearchRequest(sort="-date", per_page=1, page=page)).hits]
    assert one_by_one == everything and len(everything) == len(LETTERS)
    french = segmented.index.search(SearchRequest(q="language:fr", sort="date"))
    assert [hit.letter.date for hit in french.hits] == ["2017-11-08", "2020-11-17"]


def test_a_cached_page_needs_no_lock_and_a_commit_elsewhere_retires_it(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    index = open_index(tmp_path / "index", archive, lambda: registry.load(archive.root))
    other = open_index(tmp_path / "index", archive, lambda: registry.load(archive.root))
    letter = build_letter(archive, tmp_path / "pdfs", ["A quokka treaty."], partner="gni")
    index.update([letter])
    first = index.search(SearchRequest(q="quokka"))
    answers: list[SearchResult] = []

    def ask() -> None:
        answers.append(index.search(SearchRequest(q="quokka")))

    with index._lock:  # as if a long search were running in another thread
        reader = threading.Thread(target=ask)
        reader.start()
        reader.join(timeout=10)
        assert answers == [first]  # answered from the cache while the lock was held
        other.update([replace(letter, partner="meta")])  # a commit by another process
        stale = threading.Thread(target=ask)
        stale.start()
        stale.join(timeout=0.5)
        assert stale.is_alive()  # the cached page is of an older commit: it waits to recompute
    stale.join(timeout=10)
    assert answers[1].facets["partner"] == {"meta": 1}
