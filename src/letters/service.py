"""The one application object: the domain as the command line and the web see it.

`Letters(settings)` holds the archive, the registry and the open index for the process; views
and commands call its methods and never reach past it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from letters import audit, corrections, exchanges, ingest, reading, registry, thumbnails
from letters import catalog as catalog_store
from letters.archive import Archive, now_iso
from letters.catalog import Catalog, open_catalog
from letters.errors import InvalidCorrection, NotFound
from letters.models import CORRECTABLE, IngestResult, Letter
from letters.registry import Registry
from letters.searching import QueryError, SearchRequest, SearchResult
from letters.settings import Settings

if TYPE_CHECKING:
    from letters.index.protocol import SearchIndex

log = logging.getLogger(__name__)


class Letters:
    """The archive, its registry and its index, for one process."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        #: The current time, aware; tests pass their own to control the times records carry.
        self.clock = clock or (lambda: datetime.now(UTC))
        self.archive = Archive(settings.archive_dir, observer=self)
        self._registry: Registry | None = None
        self._index: SearchIndex | None = None
        self._catalog: Catalog | None = None
        self._lock = threading.Lock()
        self._catalog_lock = threading.Lock()

    # -- registry -------------------------------------------------------------------------
    @property
    def registry(self) -> Registry:
        """The registry as it stands (reloaded after changes)."""
        if self._registry is None:
            self._registry = registry.load(self.settings.archive_dir)
        return self._registry

    def reload_registry(self) -> None:
        """Forget the cached registry so the next use reads the archive's changes."""
        self._registry = None

    def registry_changed(self, slug: str) -> int:
        """After a registry change to `slug`: reload, pair the partner again in the catalog and
        re-index its letters; how many letters it has."""
        self.reload_registry()
        self.catalog.touch(slug)
        letters = self.catalog.letters_of_partner(slug)
        if letters:
            self.index.update(letters)
        return len(letters)

    # -- catalog --------------------------------------------------------------------------
    @property
    def catalog(self) -> Catalog:
        """The catalog, opened once per process (rebuilt when missing or of another version,
        repaired after an interrupted write)."""
        with self._catalog_lock:
            if self._catalog is None:
                self._catalog = open_catalog(self.settings.index_dir, self.archive,
                                             self.catalog_progress)
            return self._catalog

    #: Told how a rebuild of the catalog advances (done, total); the command line draws a bar.
    catalog_progress: Callable[[int, int], None] | None = None

    def changing(self, sha256: str) -> None:
        """Journal, in the catalog, a record about to be rewritten (archive.Observer)."""
        self.catalog.changing(sha256)

    def changed(self, letter: Letter, pages: list[str] | None) -> None:
        """Take a letter just written to the archive into the catalog (archive.Observer)."""
        self.catalog.changed(letter, pages)

    # -- index ----------------------------------------------------------------------------
    @property
    def index(self) -> SearchIndex:
        """The index, opened once per process (rebuilt from the archive when missing or stale)."""
        return self.open_index()

    def open_index(self, progress: Callable[[int, int], None] | None = None) -> SearchIndex:
        """Open the index now if it is not open (at start-up: a rebuild it needs happens here,
        reporting to `progress`, never during a search)."""
        with self._lock:
            if self._index is None:
                from letters import index

                self._index = index.open_index(self.settings.search_dir, self.archive,
                                               lambda: self.registry,
                                               max_query_chars=self.settings.max_query_chars,
                                               engine=self.settings.search_engine,
                                               progress=progress)
            return self._index

    def reindex(self, progress: Callable[[int, int], None] | None = None,
                catalog_progress: Callable[[int, int], None] | None = None, procs: int = 1) -> int:
        """Rebuild the search index and the catalog from the archive alone (index.IndexBusy
        while another process writes the index); how many letters the index holds."""
        from letters.index import Index  # not opened: opening would rebuild it first

        index = Index(self.settings.search_dir, self.archive, lambda: self.registry,
                      max_query_chars=self.settings.max_query_chars,
                      engine=self.settings.search_engine)
        try:
            count = index.rebuild(progress, procs=procs)
        finally:
            index.close()
        rebuilt = Catalog(self.settings.index_dir / catalog_store.FILE, self.archive)
        try:
            rebuilt.rebuild(catalog_progress)
        finally:
            rebuilt.close()
        return count

    def search(self, request: SearchRequest) -> SearchResult:
        """Search the index (raises searching.QueryError for a malformed query).

        A hit whose letter is no longer in the archive (its folder was removed) is left out and
        taken out of the index, which is derived from the archive; `letters verify` reports it.
        """
        result = self.index.search(request)
        gone = [hit.letter.id for hit in result.hits if not self.archive.has(hit.letter.sha256)]
        if not gone:
            return result
        log.warning("letters %s are indexed but not in the archive: taken out of the index",
                    ", ".join(gone))
        try:
            self.index.remove(gone)
        except OSError as error:
            log.warning("the index could not be changed (%s): run `letters reindex`", error)
        return replace(result, total=max(0, result.total - len(gone)),
                       hits=[hit for hit in result.hits if hit.letter.id not in gone])

    # -- letters --------------------------------------------------------------------------
    def get(self, letter_id: str) -> Letter:
        """The record of one letter."""
        letter = self.archive.get(letter_id)
        if letter is None:
            raise NotFound(f"There is no letter with the id '{letter_id}'.")
        return letter

    def text(self, letter_id: str) -> str:
        """The full stored text of one letter, pages separated by form feeds."""
        self.get(letter_id)
        return "\f".join(self.archive.pages(letter_id))

    def ingest(self, paths: Iterable[Path], by: str, jobs: int = 1,
               progress: Callable[[IngestResult], None] | None = None,
               names: dict[Path, str] | None = None, address: str | None = None,
               run: ingest.Run | None = None) -> list[IngestResult]:
        """Ingest files; one result per file, in input order (`run` collects what went wrong
        for the run as a whole)."""
        return ingest.ingest_files(self, list(paths), by=by, jobs=jobs, progress=progress,
                                   names=names or {}, address=address, run=run)

    def correct(self, letter_id: str, changes: dict[str, Any], by: str,
                address: str | None = None, confirm_pairing: bool = False) -> Letter:
        """Apply an archivist's correction, keep the previous values, re-index at once; one
        that changes a founding or a confirmed exchange raises exchanges.PairingChange unless
        `confirm_pairing`."""
        before = self.get(letter_id)
        changed: list[str] = []

        def check(candidate: Letter) -> None:
            changed.extend(exchanges.pairing_changes(self, before, candidate))
            if changed and not confirm_pairing:
                raise exchanges.PairingChange(changed)

        letter = corrections.apply(self, letter_id, changes, by, check)
        what: dict[str, Any] = {"id": letter_id, "fields": sorted(changes)}
        if changed:
            what["pairing"] = changed
        audit.record(self.settings.archive_dir, "correct", by, what, address)
        return letter

    def original_path(self, letter_id: str) -> tuple[Letter, Path]:
        """A letter's record and the path of its original PDF (errors.NotFound if none)."""
        return self.get(letter_id), self.archive.original_path(letter_id)

    def thumbnail(self, letter_id: str, page: int, width: int = thumbnails.WIDTH) -> Path:
        """The picture of one page (made on first request; NotFound for a page it has not,
        thumbnails.ThumbnailError when it cannot be drawn)."""
        return thumbnails.page_png(self.archive, self.get(letter_id), page, width=width,
                                   memory_bytes=self.settings.extract_memory_bytes)

    def spans(self, q: str, text: str) -> list[tuple[int, int]]:
        """Where the words of the search `q` are in `text` (none when `q` cannot be read)."""
        q = q[:self.settings.max_query_chars]
        if not q.strip():
            return []
        try:
            return self.index.spans(q, text)
        except QueryError:
            return []

    # -- reading: one call per view, for the pages, the API and the command line alike ------
    def letter_reading(self, letter: Letter) -> reading.LetterReading:
        """What a letter's page shows besides its record."""
        return reading.letter_reading(self.archive, self.catalog, self.registry, letter)

    def partners(self) -> list[reading.PartnerEntry]:
        """Every registered partner, by slug, with its number of letters."""
        return reading.partner_entries(self.registry, self.catalog)

    def partner(self, slug: str) -> reading.PartnerOverview:
        """A registered partner's letters and founding documents (NotFound for an unknown slug)."""
        return reading.partner_overview(self.registry, self.catalog, slug)

    def joined_from_letters(self) -> dict[str, str]:
        """For partners without a date of joining: their founding exchange's date."""
        return reading.joined_from_letters(self.registry, self.catalog)

    def secretaries_general(self) -> reading.SecretariesGeneral:
        """The Secretaries General by term, with how many letters each signed."""
        return reading.secretaries_general(self.registry, self.catalog)

    def secretary_general(self, slug: str) -> reading.SecretaryGeneralLetters:
        """One Secretary General's letters (NotFound for an unknown slug)."""
        return reading.secretary_general(self.registry, self.catalog, slug)

    def choices(self) -> reading.Choices:
        """What the lists of the search form and the correction form offer."""
        return reading.choices(self.registry)

    def display_name(self, slug: str | None) -> str | None:
        """The name of a partner or Secretary General as pages show it (None if unknown)."""
        return self.registry.display_name(slug)

    # -- audit log ------------------------------------------------------------------------
    def record(self, action: str, who: str, what: dict[str, Any] | None = None,
               address: str | None = None) -> dict[str, Any]:
        """Record one event in the audit log."""
        return audit.record(self.settings.archive_dir, action, who, what, address)

    def audit_events(self) -> list[dict[str, Any]]:
        """Every audit event, newest first."""
        return audit.events(self.settings.archive_dir)[::-1]

    def audit_chain(self) -> audit.ChainCheck:
        """Whether the audit log's chain and codes hold."""
        return audit.verify(self.settings.archive_dir)

    def confirm(self, letter_id: str, by: str, address: str | None = None) -> Letter:
        """Confirm the reviewed fields that hold a value, as they stand
        (corrections.NothingToConfirm when none does)."""
        fields = corrections.confirmable(self.get(letter_id))
        if not fields:
            raise corrections.NothingToConfirm("There is nothing to confirm: correct the record "
                                               "instead.")
        return self.correct(letter_id, {"confirmed": fields}, by, address)

    def today(self) -> date:
        """Today's date, local (one place, so recognition's 'in the future' check is consistent)."""
        return self.clock().astimezone().date()

    def now_iso(self) -> str:
        """The clock's time, UTC, to the second, ISO 8601 (the time a new record carries)."""
        return now_iso(self.clock())


__all__ = ["CORRECTABLE", "InvalidCorrection", "Letters", "NotFound"]
