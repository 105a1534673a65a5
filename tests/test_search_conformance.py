"""One conformance suite for both search engines, on a real index on disk (and the real app and
command line): what a search finds must not depend on LETTERS_SEARCH_ENGINE."""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import multiprocessing.synchronize
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pdfkit
import pytest

from letters import registry
from letters.archive import Archive, letter_id
from letters.cli import main
from letters.models import Letter
from letters.search import _language, _snippets
from letters.search._planning import QueryError, SearchRequest, SearchResult
from letters.search.index import Index, marking, open_index
from letters.search.index.lowering import MAX_EXPANSION, Lowering, size
from letters.search.index.marking import SNIPPET_CHARS
from letters.service import Letters
from letters.settings import SettingError, Settings, from_env
from letters.web.highlight import snippet_json
from support.server import LiveServer

ENGINES = ["whoosh", "tantivy"]

LETTERS: dict[str, dict[str, Any]] = {
    "meta2017": dict(
        text="Dear Mr Zuckerberg, I am pleased to confirm the agreement between the Council of "
             "Europe and Facebook on the Digital Partnership.",
        partner="meta", signatory="jagland", date="2017-11-08", direction="outgoing",
        signed_by="Thorbjørn Jagland"),
    "reply": dict(
        text="Dear Secretary General, Facebook welcomes this exchange of letters with the Council "
             "of Europe and will act in accordance with its terms.",
        partner="meta", signatory="jagland", date="2017-11-20", direction="incoming"),
    "telefonica": dict(
        text="Telefónica confirme les accords de partenariat avec le Conseil de l'Europe. "
             "Veuillez agréer l'expression de notre coopération.",
        partner="telefonica", signatory="jagland", date="2017-11-08", direction="incoming",
        language="fr"),
    "bt": dict(
        text="Nous avons signé l'accord pour la protection des données. Letters of exchange are "
             "kept in Strasbourg.",
        partner="bt", signatory="pejcinovic-buric", date="2020-11-17", direction="outgoing",
        language="fr"),
    "elementai": dict(
        text="On behalf of Marija Pejčinović Burić, Secretary General, the Deputy confirms the "
             "partnership with Element AI and their cooperation.",
        partner="servicenow", signatory="pejcinovic-buric", date="2020-02-06",
        direction="outgoing", signed_by="Gabriella Battaini-Dragoni"),
    "kaspersky": dict(
        text="Kaspersky Lab joins the Digital Partnership. Google and Meta are mentioned here in "
             "passing, as is Kaspersky again.",
        partner="kaspersky", signatory="jagland", date="2017-11-08", direction="incoming",
        ocr=True),
    "unknown": dict(
        text="An undated note <script>alert('x')</script> about an alert & a review.",
        status="needs_review"),
}


def archive_letter(archive: Archive, folder: Path, text: str, language: str = "en",
                   status: str = "ok", ocr: bool = False, **fields: Any) -> Letter:
    """Archive a one-page text PDF with this record through the real Archive.add."""
    pdf = pdfkit.text_pdf([[text]])
    sha = hashlib.sha256(pdf).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha[:12]}.pdf"
    path.write_bytes(pdf)
    record: dict[str, Any] = dict(
        partner=None, signatory=None, signed_by=None, date=None, direction=None)
    record.update(fields)
    letter = Letter(id=letter_id(sha), sha256=sha, filename=path.name, pages=1,
                    language=language, ocr=ocr, digital_signatures=[], status=status,
                    added_at="2024-01-01T00:00:00Z", added_by="tester", **record)
    assert archive.add(path, letter, [text])
    return letter


@dataclass
class Corpus:
    """A home with LETTERS archived and indexed by one engine."""

    engine: str
    home: Path
    archive: Archive
    index: Index
    letters: dict[str, Letter]

    def find(self, q: str = "", **options: Any) -> SearchResult:
        """Search with this query and options."""
        return self.index.search(SearchRequest(q=q, per_page=100, **options))

    def found(self, q: str = "", **options: Any) -> set[str]:
        """The names (keys of LETTERS) of the letters found."""
        by_id = {letter.id: name for name, letter in self.letters.items()}
        return {by_id.get(hit.letter.id, hit.letter.id) for hit in self.find(q, **options).hits}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Letter]]:
    """An archive holding LETTERS (copied for each engine)."""
    home = tmp_path_factory.mktemp("conformance") / "home"
    archive = Archive(home / "archive")
    letters = {name: archive_letter(archive, home.parent / "pdfs", **spec)
               for name, spec in LETTERS.items()}
    return home, letters


def make_corpus(template: tuple[Path, dict[str, Letter]], target: Path, engine: str) -> Corpus:
    """A copy of the template's archive, indexed incrementally by `engine`."""
    shutil.copytree(template[0], target)
    archive = Archive(target / "archive")
    index = open_index(target / "index" / "search", archive, lambda: registry.load(archive.root),
                       engine=engine)
    index.update(template[1].values())
    return Corpus(engine, target, archive, index, dict(template[1]))


@pytest.fixture(scope="module")
def indexed(template: tuple[Path, dict[str, Letter]], tmp_path_factory: pytest.TempPathFactory
            ) -> dict[str, Corpus]:
    """LETTERS indexed by each engine, once: the corpora of the tests are copies of these."""
    return {engine: make_corpus(template, tmp_path_factory.mktemp(engine) / "home", engine)
            for engine in ENGINES}


def copy_corpus(source: Corpus, target: Path) -> Corpus:
    """A copy of a corpus's archive and index, opened anew."""
    shutil.copytree(source.home, target)
    archive = Archive(target / "archive")
    index = open_index(target / "index" / "search", archive, lambda: registry.load(archive.root),
                       engine=source.engine)
    return Corpus(source.engine, target, archive, index, dict(source.letters))


@pytest.fixture(scope="module", params=ENGINES)
def corpus(request: pytest.FixtureRequest, indexed: dict[str, Corpus],
           tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """LETTERS indexed by each engine in turn (read-only tests)."""
    return copy_corpus(indexed[request.param], tmp_path_factory.mktemp("shared") / "home")


@pytest.fixture(params=ENGINES)
def own_corpus(request: pytest.FixtureRequest, indexed: dict[str, Corpus], tmp_path: Path
               ) -> Corpus:
    """A corpus of its own, for tests that change it."""
    return copy_corpus(indexed[request.param], tmp_path / "home")


# -- analysis --------------------------------------------------------------------------------------
def test_accents_and_case_are_ignored(corpus: Corpus) -> None:
    assert corpus.found("text:Pejcinovic") == {"elementai"}
    assert corpus.found("text:PEJČINOVIĆ") == {"elementai"}
    assert corpus.found("Telefonica") == corpus.found("telefónica") == {"telefonica"}
    assert corpus.found("cooperation") == {"telefonica", "elementai"}
    assert corpus.found("coopération") == {"telefonica", "elementai"}


def test_former_and_current_partner_names(corpus: Corpus) -> None:
    assert corpus.found("Facebook") == {"meta2017", "reply"}
    assert corpus.found("partner:facebook") == {"meta2017", "reply"}
    assert corpus.found("partner:meta") == {"meta2017", "reply"}
    assert corpus.found("Meta") == {"meta2017", "reply", "kaspersky"}


def test_english_stemming_without_french_false_hits(corpus: Corpus) -> None:
    assert corpus.found("agreements") == {"meta2017"}  # not "telefonica" through "agréer"
    assert corpus.found("agréer") == {"telefonica"}
    assert corpus.found("confirmed partnerships") == {"meta2017", "elementai"}


def test_french_stemming_without_english_false_hits(corpus: Corpus) -> None:
    assert corpus.found("accords") == {"telefonica", "bt"}  # not "reply" through "accordance"
    assert corpus.found("accordance") == {"reply"}
    assert corpus.found("signée") == {"bt"}


def test_phrases(corpus: Corpus) -> None:
    assert corpus.found('"exchange of letters"') == {"reply"}
    assert corpus.found('"letters of exchange"') == {"bt"}
    assert corpus.found('"agreements between"') == set()  # a phrase is not stemmed
    assert corpus.found('signatory:"Marija Pejčinović Burić"') == {"bt", "elementai"}


@pytest.mark.parametrize(("q", "expected"), [
    ("language:fr", {"telefonica", "bt"}),
    ("language:FR", {"telefonica", "bt"}),
    ("direction:incoming", {"reply", "telefonica", "kaspersky"}),
    ("status:needs_review", {"unknown"}),
    ("ocr:true", {"kaspersky"}),
    ("signed_by:battaini", {"elementai"}),
    ("signatory:jagland", {"meta2017", "reply", "telefonica", "kaspersky"}),
    ("text:facebook", {"meta2017", "reply"}),
    ("partner:(telefonica OR bt)", {"telefonica", "bt"}),
    ("kaspersky OR telefonica", {"kaspersky", "telefonica"}),
])
def test_fields(corpus: Corpus, q: str, expected: set[str]) -> None:
    assert corpus.found(q) == expected


@pytest.mark.parametrize(("q", "expected"), [
    ("year:2020", {"bt", "elementai"}),
    ("year:[2018 TO 2021]", {"bt", "elementai"}),
    ("date:[2020-01-01 TO 2020-12-31]", {"bt", "elementai"}),
    ("date:[2020-11-17 TO]", {"bt"}),
    ("date:2017-11-08", {"meta2017", "telefonica", "kaspersky"}),
    ("date:2017-11", {"meta2017", "reply", "telefonica", "kaspersky"}),
    ("partner:meta AND date:[2017-01-01 TO 2017-11-10]", {"meta2017"}),
])
def test_date_ranges(corpus: Corpus, q: str, expected: set[str]) -> None:
    assert corpus.found(q) == expected


def test_filters(corpus: Corpus) -> None:
    assert corpus.found("", language="FR") == {"telefonica", "bt"}
    assert corpus.found("", date_from="2017-11-20", date_to="2020-02-06") == {"reply", "elementai"}
    assert corpus.found("partnership", partner="kaspersky") == {"kaspersky"}


def test_not(corpus: Corpus) -> None:
    assert corpus.found("partner:meta NOT welcomes") == {"meta2017"}
    assert corpus.found("partner:meta -welcomes") == {"meta2017"}
    assert corpus.found("NOT partner:meta") == set(LETTERS) - {"meta2017", "reply"}
    assert corpus.found("partner:meta NOT facebook") == set()  # Facebook is Meta's former name


def test_prefixes_and_wildcards(corpus: Corpus) -> None:
    assert corpus.found("Kasper*") == {"kaspersky"}
    assert corpus.found("kasp?rsky") == {"kaspersky"}
    assert corpus.found("partner:face*") == {"meta2017", "reply"}
    assert corpus.find("*").total == len(LETTERS)
    assert "[Kaspersky]" in _snippets.as_brackets(corpus.find("Kasper*").hits[0].snippet)


# -- results ---------------------------------------------------------------------------------------
def test_facets_and_counts(corpus: Corpus) -> None:
    everything = corpus.index.search(SearchRequest(per_page=2))
    assert (everything.total, len(everything.hits)) == (len(LETTERS), 2)
    assert everything.facets["language"] == {"en": 5, "fr": 2}
    assert everything.facets["year"] == {"2017": 4, "2020": 2}
    assert everything.facets["partner"]["meta"] == 2
    assert sum(everything.facets["signatory"].values()) == len(LETTERS) - 1
    narrowed = corpus.find("language:fr")
    assert narrowed.facets["partner"] == {"bt": 1, "telefonica": 1}
    assert narrowed.facets["direction"] == {"incoming": 1, "outgoing": 1}


def test_snippets_are_text_with_marked_parts(corpus: Corpus) -> None:
    [hit] = corpus.find("alert").hits
    assert ("alert", True) in hit.snippet
    assert "<script>alert('x')</script>" in "".join(text for text, _ in hit.snippet)
    assert "&lt;script&gt;" in snippet_json(hit.snippet)
    [stemmed] = corpus.find("agreements").hits
    assert ("agreement", True) in stemmed.snippet
    [accented] = corpus.find("text:pejcinovic").hits
    assert ("Pejčinović", True) in accented.snippet
    [negated] = corpus.find("kaspersky NOT partner:google").hits
    assert ("Kaspersky", True) in negated.snippet and ("Google", True) not in negated.snippet


def test_did_you_mean(corpus: Corpus) -> None:
    result = corpus.find("Kapersky")
    assert (result.total, result.suggestion) == (0, "Kaspersky")
    assert corpus.find("kaspersky partnrship").suggestion == "kaspersky partnership"
    assert corpus.find("Kaspersky").suggestion is None
    assert corpus.find("agreements").suggestion is None  # known through its stem


def test_sorting(corpus: Corpus) -> None:
    oldest = [hit.letter.date for hit in corpus.find("", sort="date").hits]
    assert oldest[-1] is None and oldest[:-1] == sorted(oldest[:-1])  # type: ignore[type-var]
    newest = [hit.letter.date for hit in corpus.find("", sort="-date").hits]
    assert newest[-1] is None and newest[:-1] == sorted(newest[:-1], reverse=True)  # type: ignore[type-var]
    names = [hit.letter.partner for hit in corpus.find("meta").hits]
    assert names[-1] == "kaspersky"  # a name match ranks above a mention in the text


@pytest.mark.parametrize("sort", ["relevance", "date", "-date"])
def test_paging(corpus: Corpus, sort: str) -> None:
    q = "council OR partnership OR letters OR accord"
    whole = [hit.letter.id for hit in corpus.find(q, sort=sort).hits]
    assert len(whole) >= 4
    pages: list[str] = []
    for page in range(1, 5):
        result = corpus.index.search(SearchRequest(q=q, sort=sort, page=page, per_page=2))  # type: ignore[arg-type]
        assert result.total == len(whole)
        pages.extend(hit.letter.id for hit in result.hits)
    assert pages == whole
    beyond = corpus.index.search(SearchRequest(q=q, page=10**9, per_page=100))
    assert (beyond.total, beyond.hits) == (len(whole), [])


# -- malformed queries -----------------------------------------------------------------------------
@pytest.mark.parametrize(("q", "message"), [
    ("foo:bar", 'unknown field "foo"'),
    ('"exchange of', "unbalanced quote"),
    ("(accord OR agreement", "unbalanced parenthesis"),
    ("date:[2021-01-01 TO 2020-01-01]", "starts after it ends"),
    ("*a* *b*", "a wildcard needs at least 2 letters before it"),
    ("ab* cd* ef* gh* ij* kl*", "the limit is 5"),
    ("!!!", "nothing to search for"),
])
def test_malformed_queries(corpus: Corpus, q: str, message: str, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str],
                           monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(QueryError, match=message.replace("(", r"\(")):
        corpus.find(q)
    monkeypatch.setenv("LETTERS_SEARCH_ENGINE", corpus.engine)
    assert main(["search", "--home", str(corpus.home), q]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and message in err


@pytest.fixture(scope="module")
def server(corpus: Corpus) -> Iterator[LiveServer]:
    """The real app over HTTP on the corpus's home, with the corpus's engine."""
    settings = Settings(home=corpus.home, open_reading=True, search_engine=corpus.engine)
    with LiveServer(settings) as live:
        yield live


def test_over_http(corpus: Corpus, server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as http:
        found = http.get("/api/search", params={"q": "agreements"}).json()
        bad = http.get("/api/search", params={"q": "*a* *b*"})
        french = http.get("/api/search", params={"language": "FR"})
        page = http.get("/", params={"q": "alert"})
    assert [hit["id"] for hit in found["hits"]] == [corpus.letters["meta2017"].id]
    assert "<mark>agreement</mark>" in found["hits"][0]["snippet"]
    assert bad.status_code == 400 and "wildcard" in bad.json()["detail"]
    assert french.status_code == 200 and french.json()["total"] == 2  # as the command line
    assert "<mark>alert</mark>" in page.text and "&lt;script&gt;" in page.text


# -- both engines agree ----------------------------------------------------------------------------
AGREEMENT = ["", "Facebook", "accords", "agreements", '"exchange of letters"', "partner:meta",
             "Kapersky", "date:[2017-01-01 TO 2020-12-31] NOT kaspersky", "alert", "pejcinovic",
             "cooperation", "kasp*", "signatory:jagland -language:fr", "council OR données",
             "year:2017 direction:incoming", "Thorbjorn", "Battaini-Dragoni", "l'Europe"]


def test_both_engines_find_the_same_letters(template: tuple[Path, dict[str, Letter]],
                                            tmp_path: Path) -> None:
    corpora = [make_corpus(template, tmp_path / engine, engine) for engine in ENGINES]
    for q in AGREEMENT:
        results = [corpus.find(q) for corpus in corpora]
        assert len({frozenset(corpus.found(q)) for corpus in corpora}) == 1, q
        assert len({result.total for result in results}) == 1, q
        assert len({json.dumps(result.facets, sort_keys=True) for result in results}) == 1, q
        assert len({result.suggestion for result in results}) == 1, q
        for sort in ("date", "-date"):
            orders = {tuple(hit.letter.id for hit in corpus.find(q, sort=sort).hits)
                      for corpus in corpora}
            assert len(orders) == 1, (q, sort)


# -- writing while searching -----------------------------------------------------------------------
def test_adding_correcting_and_removing_while_searching(own_corpus: Corpus) -> None:
    failures: list[BaseException] = []
    stop = threading.Event()

    def search() -> None:
        while not stop.is_set():
            try:
                own_corpus.find("partnership OR quokka")
            except BaseException as error:  # noqa: BLE001 - any failure is the test's
                failures.append(error)
                return

    searchers = [threading.Thread(target=search) for _ in range(2)]
    for thread in searchers:
        thread.start()
    try:
        extra = archive_letter(own_corpus.archive, own_corpus.home.parent / "pdfs",
                               "The quokka treaty.", partner="gni", date="2023-01-01")
        own_corpus.index.update([extra])
        assert own_corpus.found("quokka") == {extra.id}
        corrected = replace(own_corpus.letters["kaspersky"], partner="gni", status="needs_review")
        own_corpus.index.update([corrected])
        assert own_corpus.found("partner:gni") == {"kaspersky", extra.id}
        assert own_corpus.index.count() == len(LETTERS) + 1
        own_corpus.index.remove([extra.id])
        assert own_corpus.found("quokka") == set()
        assert extra.id not in own_corpus.index.ids()
    finally:
        stop.set()
        for thread in searchers:
            thread.join(timeout=30)
    assert failures == []
    other = open_index(own_corpus.home / "index" / "search", own_corpus.archive,
                       lambda: registry.load(own_corpus.archive.root), engine=own_corpus.engine)
    assert other.ids() == own_corpus.index.ids()  # another instance sees the writes


def test_reindex_gives_what_incremental_indexing_gave(own_corpus: Corpus) -> None:
    queries = ["", "accords", "Facebook", "kasp*", "Kapersky"]
    before = [(q, own_corpus.found(q), own_corpus.find(q).facets) for q in queries]
    assert own_corpus.index.rebuild() == len(LETTERS)
    assert [(q, own_corpus.found(q), own_corpus.find(q).facets) for q in queries] == before


# -- bounded work ----------------------------------------------------------------------------------
def test_a_pattern_looks_up_a_bounded_number_of_words(own_corpus: Corpus) -> None:
    words = " ".join(f"co{n:05d}" for n in range(MAX_EXPANSION + 500))
    many = archive_letter(own_corpus.archive, own_corpus.home.parent / "pdfs", words)
    own_corpus.index.update([many])
    assert own_corpus.found("co00042") == {many.id}
    lowering = Lowering(own_corpus.index.engine, own_corpus.index._current())
    lowered = lowering.lower(_language.parse("co001*"))
    assert 0 < size(lowered) <= MAX_EXPANSION * 5  # at most MAX_EXPANSION per default field
    assert own_corpus.found("co001*") == {many.id}
    with pytest.raises(QueryError) as refused:  # more words than it may stand for: not some
        own_corpus.find("co*")
    assert refused.value.message.code == "query.too_wide"


class CountingEngine:
    """The corpus's engine, counting the characters it is asked to analyse."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.name = engine.name
        self.analysed = 0

    def analyze(self, kind: Any, text: str) -> list[tuple[int, int, str]]:
        """Count, then analyse as the engine does."""
        self.analysed += len(text)
        return list(self.engine.analyze(kind, text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)


def test_a_snippet_reads_a_bounded_part_of_a_long_letter(own_corpus: Corpus) -> None:
    long_text = "The council met. " * 16_000
    long = archive_letter(own_corpus.archive, own_corpus.home.parent / "pdfs", long_text,
                          partner="gni")
    own_corpus.index.update([long])
    counting = CountingEngine(own_corpus.index.engine)
    own_corpus.index.engine = counting  # type: ignore[assignment]
    [hit] = own_corpus.find("council", partner="gni").hits
    assert hit.letter.id == long.id and ("council", True) in hit.snippet
    # three analyses (folded, English, French) of the first SNIPPET_CHARS characters, not of
    # the 272,000 characters of the letter (some 2.7 times as many)
    assert counting.analysed <= 3 * SNIPPET_CHARS + 1000 < 3 * len(long_text)


class CountingSpans(list[tuple[int, int]]):
    """Spans that count how often they are read."""

    reads = 0

    def __getitem__(self, key: Any) -> Any:
        CountingSpans.reads += 1
        return super().__getitem__(key)


def test_choosing_the_snippet_window_is_linear_in_the_matches() -> None:
    text = "council " * 64_000
    spans = [(8 * n, 8 * n + 7) for n in range(64_000)]
    window = CountingSpans(spans)
    CountingSpans.reads = 0
    _snippets._window(text, window, _snippets.WIDTH)
    assert CountingSpans.reads <= 4 * len(spans)  # each span read a few times, not once per pair
    assert ("council", True) in _snippets.make(text, spans)


# -- a broken index --------------------------------------------------------------------------------
def garble(index_dir: Path) -> None:
    """Overwrite every file of the engine in `index_dir` with bytes that mean nothing."""
    for path in index_dir.rglob("*"):
        if path.is_file() and path.name not in ("ENGINE", "SCHEMA_VERSION"):
            size = path.stat().st_size
            path.write_bytes(bytes(range(256)) * (size // 256 + 1))


@pytest.mark.parametrize("damage", ["removed", "garbled"])
def test_a_broken_index_answers_503_and_is_rebuilt_only_by_reindex(
        own_corpus: Corpus, damage: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(home=own_corpus.home, open_reading=True, search_engine=own_corpus.engine)
    index_dir = own_corpus.home / "index" / "search"
    with LiveServer(settings) as server, httpx.Client(base_url=server.url) as http:
        assert http.get("/api/search", params={"q": "accords"}).json()["total"] == 2
        if damage == "removed":
            shutil.rmtree(index_dir)
        else:
            garble(index_dir)
        api = http.get("/api/search", params={"q": "accords"})
        page = http.get("/", params={"q": "accords"})
        assert api.status_code == page.status_code == 503
        assert api.json() == {"detail": "The search index cannot be read; it is rebuilt by "
                                        "`letters reindex` or when the server restarts.",
                              "code": "query.index_unavailable"}
        assert "letters reindex" in page.text and "Traceback" not in page.text
        assert not index_dir.exists() if damage == "removed" else True  # not rebuilt in a request
        monkeypatch.setenv("LETTERS_SEARCH_ENGINE", own_corpus.engine)
        assert main(["reindex", "--home", str(own_corpus.home)]) == 0
        capsys.readouterr()
        assert http.get("/api/search", params={"q": "accords"}).json()["total"] == 2


def test_both_engines_agree_on_the_benchmark_queries(tmp_path: Path) -> None:
    """The 64 queries of bench/queries.py on 60 generated letters: the same totals on both
    engines, the same letters in the same order by date (this found Whoosh's AndNot letting
    through a letter that `privacy NOT surveillance` must exclude)."""
    from bench import corpus as bench_corpus
    from bench.queries import COLD, MIX

    bench_corpus.archive_corpus(tmp_path / "whoosh" / "archive", 60)
    shutil.copytree(tmp_path / "whoosh", tmp_path / "tantivy")
    apps = [Letters(Settings(home=tmp_path / engine, search_engine=engine)) for engine in ENGINES]
    for query in (*COLD, *MIX):
        results = [app.search(query.request()) for app in apps]
        assert len({result.total for result in results}) == 1, query.name
        if query.sort != "relevance" or not query.q:
            assert len({tuple(hit.letter.id for hit in result.hits) for result in results}) == 1
    assert apps[0].search(SearchRequest(q="privacy NOT surveillance")).total == 0


def test_the_command_line_checks_filters_as_the_web_does(corpus: Corpus,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LETTERS_SEARCH_ENGINE", corpus.engine)
    assert main(["search", "--home", str(corpus.home), "--json", "--language", "FR"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 2  # FR is fr, as on the web
    assert main(["search", "--home", str(corpus.home), "--language", "french"]) == 2
    assert "language must be a two-letter code" in capsys.readouterr().err


# -- engines and start-up --------------------------------------------------------------------------
def test_an_index_of_the_other_engine_is_rebuilt_at_start_up(
        own_corpus: Corpus, caplog: pytest.LogCaptureFixture) -> None:
    other = ENGINES[1 - ENGINES.index(own_corpus.engine)]
    own_corpus.index.close()
    progress: list[tuple[int, int]] = []
    with caplog.at_level(logging.WARNING, logger="letters.search.index"):
        index = open_index(own_corpus.home / "index" / "search", own_corpus.archive,
                           lambda: registry.load(own_corpus.archive.root), engine=other,
                           progress=lambda done, total: progress.append((done, total)))
    assert f"was made by the {own_corpus.engine} engine, this program uses {other}" in caplog.text
    assert progress[-1] == (len(LETTERS), len(LETTERS))
    assert (own_corpus.home / "index" / "search" / "ENGINE").read_text().strip() == other
    assert {hit.letter.id for hit in index.search(SearchRequest(q="accords")).hits} == {
        own_corpus.letters["telefonica"].id, own_corpus.letters["bt"].id}


def test_an_unknown_engine_is_a_setting_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LETTERS_SEARCH_ENGINE", "lucene")
    with pytest.raises(SettingError, match="LETTERS_SEARCH_ENGINE must be whoosh or tantivy"):
        from_env()
    monkeypatch.setenv("LETTERS_SEARCH_ENGINE", "Tantivy")
    assert from_env().search_engine == "tantivy"


def write_in_process(home: str, engine: str, ids: list[str],
                     barrier: multiprocessing.synchronize.Barrier) -> None:
    """In a child process: open the index and add these letters one write at a time."""
    archive = Archive(Path(home) / "archive")
    index = open_index(Path(home) / "index" / "search", archive, lambda: registry.load(archive.root),
                       engine=engine)
    barrier.wait(timeout=60)
    for letter_id_ in ids:
        letter = archive.get(letter_id_)
        assert letter is not None
        index.update([letter])


def test_two_processes_writing_at_once_both_succeed(own_corpus: Corpus) -> None:
    batches: list[list[str]] = [[], []]
    for n in range(8):
        letter = archive_letter(own_corpus.archive, own_corpus.home.parent / "pdfs",
                                f"Letter number {n} of the wombat test.", partner="gni")
        batches[n % 2].append(letter.id)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    workers = [context.Process(target=write_in_process,
                               args=(str(own_corpus.home), own_corpus.engine, batch, barrier))
               for batch in batches]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert own_corpus.find("wombat").total == 8
    assert own_corpus.index.count() == len(LETTERS) + 8


def test_odd_page_numbers_are_400(corpus: Corpus, server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as http:
        for page in ("²", "1" * 5000, "0", "-1"):
            response = http.get("/api/search", params={"q": "accords", "page": page})
            assert response.status_code == 400, page
        assert http.get("/api/search", params={"per_page": "¹"}).status_code == 400


class CountingReader:
    """The corpus's reader, counting the fuzzy look-ups did-you-mean asks of it."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.near_calls = 0

    def near(self, field: str, word: str, distance: int, limit: int) -> list[str]:
        """Count, then look up as the engine does."""
        self.near_calls += 1
        return list(self.reader.near(field, word, distance, limit))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.reader, name)


def test_did_you_mean_looks_up_a_bounded_number_of_words(corpus: Corpus) -> None:
    gibberish = " ".join(f"qzx{n:02d}vw" for n in range(50))  # 399 characters
    reader = CountingReader(corpus.index._current())
    lowering = Lowering(corpus.index.engine, reader)  # type: ignore[arg-type]
    assert marking.suggest(lowering, _language.parse(gibberish), gibberish) is None
    assert reader.near_calls <= marking.MAX_CORRECTED * len(marking.SPELLING_FIELDS) * 2
    assert corpus.find("Kapersky").suggestion == "Kaspersky"


# -- what a client cannot make an engine do (issue 22) ---------------------------------------------
def test_days_outside_an_engines_range_are_found_or_refused_never_a_500(
        corpus: Corpus, server: LiveServer) -> None:
    dated = {name for name, spec in LETTERS.items() if spec.get("date")}
    with httpx.Client(base_url=server.url) as http:
        def total(**params: str) -> int:
            response = http.get("/api/search", params={"per_page": "100", **params})
            assert response.status_code == 200, (params, response.text)
            return int(response.json()["total"])

        assert total(**{"from": "1500-01-01"}) == len(dated)
        assert total(to="2999-12-31") == len(dated)
        assert total(q="date:[1500-01-01 TO 2999-12-31]") == len(dated)
        assert total(q="year:2999") == total(q="year:1500") == total(q="year:[0001 TO 1600]") == 0
        for q in ("year:0000", "year:[0000 TO 2020]"):
            assert http.get("/api/search", params={"q": q}).status_code == 400, q


def test_a_letter_dated_outside_an_engines_range_is_indexed_and_found(own_corpus: Corpus) -> None:
    far = archive_letter(own_corpus.archive, own_corpus.home.parent / "pdfs",
                         "A letter from the far future.", date="2999-06-01", partner="meta")
    own_corpus.index.update([far])
    assert own_corpus.found("year:2999") == {far.id}
    assert far.id not in own_corpus.found("year:2017")


def test_deep_negation_and_nesting_are_refused_with_a_sentence(
        corpus: Corpus, server: LiveServer) -> None:
    assert corpus.found("- - council") == corpus.found("council")  # a few are fine
    with httpx.Client(base_url=server.url) as http:
        for q in ("-" * 400 + "council", "NOT " * 100 + "council", "(" * 40 + "council" + ")" * 40):
            english = http.get("/api/search", params={"q": q})
            french = http.get("/api/search", params={"q": q}, headers={"Accept-Language": "fr"})
            assert english.status_code == french.status_code == 400, q
            assert english.json() == {"code": "query.too_deep", "detail": (
                f"the query nests NOT, - or parentheses more than {_language.MAX_DEPTH} deep: "
                "write it more simply")}
            assert french.json()["detail"].startswith("la recherche imbrique NOT")


def test_a_wide_pattern_gives_the_same_answer_on_both_engines(
        template: tuple[Path, dict[str, Letter]], tmp_path: Path) -> None:
    """`co*` found 15 letters on Whoosh and 57 on Tantivy: each searched a different first 1,000
    of the words it stands for. Now both search all of them, or both refuse."""
    corpora = [make_corpus(template, tmp_path / engine, engine) for engine in ENGINES]
    words = [f"co{n:05d}" for n in range(MAX_EXPANSION + 200)]
    for corpus in corpora:
        for part in range(0, len(words), 300):  # several letters, several segments
            letter = archive_letter(corpus.archive, tmp_path / "pdfs",
                                    " ".join(words[part:part + 300]), partner="meta")
            corpus.index.update([letter])
            corpus.letters[f"part{part}"] = letter
    for q in ("co*", "co0*"):
        codes = set()
        for corpus in corpora:
            with pytest.raises(QueryError) as refused:
                corpus.find(q)
            codes.add(refused.value.message.code)
        assert codes == {"query.too_wide"}, q
    for q in ("co00*", "co001*", "co00?00", "coop*", "co01*"):
        assert len({frozenset(corpus.found(q)) for corpus in corpora}) == 1, q
        assert len({corpus.find(q).total for corpus in corpora}) == 1, q
    assert corpora[0].found("co00*") == {"part0", "part300", "part600", "part900"}


def test_a_long_phrase_is_refused_on_both_engines(corpus: Corpus, server: LiveServer) -> None:
    words = " ".join(["council"] * (_language.MAX_PHRASE_WORDS + 1))
    with httpx.Client(base_url=server.url) as http:
        refused = http.get("/api/search", params={"q": f'"{words}"'},
                           headers={"Accept-Language": "fr"})
    assert refused.status_code == 400 and refused.json() == {
        "code": "query.long_phrase", "detail": "une expression contient au plus "
        f"{_language.MAX_PHRASE_WORDS} mots : celle-ci en a {_language.MAX_PHRASE_WORDS + 1}"}
    assert corpus.found('"exchange of letters"') == {"reply"}


def test_a_phrase_reads_a_bounded_number_of_positions(own_corpus: Corpus) -> None:
    """One letter holding "council" 25,000 times: a phrase of 10 of them would have Whoosh walk
    250,000 positions (64,000 times and 60 words took 193 s); it is refused before they are read.
    Tantivy walks positions in compiled code, linear in them: it answers."""
    many = archive_letter(own_corpus.archive, own_corpus.home.parent / "pdfs",
                          "council " * 25_000, partner="gni")
    own_corpus.index.update([many])
    assert own_corpus.found('"council council"') == {many.id}  # 50,000 positions: within
    ten = '"' + " ".join(["council"] * 10) + '"'
    if own_corpus.engine == "whoosh":
        assert own_corpus.index.positions == Settings(home=own_corpus.home).phrase_positions
        assert own_corpus.index.positions < 10 * 25_000
        with pytest.raises(QueryError) as refused:
            own_corpus.find(ten)
        assert refused.value.message.code == "query.too_costly"
        assert "the search needs too much work" in str(refused.value)
        assert own_corpus.found('"council council"') == {many.id}  # the next search has its own
        settings = Settings(home=own_corpus.home, open_reading=True, search_engine="whoosh")
        with LiveServer(settings) as live, httpx.Client(base_url=live.url) as http:
            french = http.get("/api/search", params={"q": ten}, headers={"Accept-Language": "fr"})
        assert french.status_code == 400 and french.json()["code"] == "query.too_costly"
        assert french.json()["detail"].startswith("la recherche demande trop de travail")
    else:
        assert own_corpus.found(ten) == {many.id}


def test_did_you_mean_weighs_a_bounded_number_of_similar_words(own_corpus: Corpus) -> None:
    similar = [f"kasp{a}{b}rsky" for a in "abcdefghij" for b in "abcdefghij"]  # 100 words
    for part in range(0, len(similar), 25):  # in several segments
        letter = archive_letter(own_corpus.archive, own_corpus.home.parent / "pdfs",
                                " ".join(similar[part:part + 25]), partner="gni")
        own_corpus.index.update([letter])
    reader = own_corpus.index._current()
    near = reader.near("content", "kaspaarsky", 2, marking.NEAR_WORDS)
    assert 0 < len(near) <= marking.NEAR_WORDS and all(w.startswith("kasp") for w in near)
    assert own_corpus.find("Kapersky").suggestion == "Kaspersky"


def test_letters_set_aside_are_found_only_when_asked_for(own_corpus: Corpus) -> None:
    aside = archive_letter(own_corpus.archive, own_corpus.home / "pdfs",
                           "A Kaspersky press release, set aside.", status="set_aside",
                           partner="kaspersky", date="2017-11-09")
    own_corpus.index.update([aside])
    own_corpus.letters["aside"] = aside
    assert own_corpus.found("Kaspersky") == {"kaspersky"}
    assert own_corpus.find("*").total == len(LETTERS)
    assert own_corpus.find("").facets["partner"]["kaspersky"] == 1
    assert own_corpus.found("Kaspersky", status="set_aside") == {"aside"}
    assert own_corpus.found("status:set_aside") == {"aside"}
    assert own_corpus.found("Kaspersky OR status:set_aside") == {"kaspersky", "aside"}
    assert own_corpus.found("NOT status:set_aside") == set(LETTERS)
