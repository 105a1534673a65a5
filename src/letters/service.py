"""The one application object: the domain as the command line and the web see it.

`Letters(settings)` holds the archive, the registry and the open index for the process; views
and commands call its methods and never reach past it.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from letters import catalog as catalog_store
from letters import migration, partners, reading, registry, schedule, watch
from letters import parts as collaborators
from letters.archive import Archive, letter_id
from letters.catalog import Catalog, open_catalog
from letters.curation import aside, corrections, review
from letters.errors import InvalidCorrection, NotFound, QueryError
from letters.messages import Message
from letters.models import CORRECTABLE, IngestResult, Letter, Partner
from letters.paging import Paging
from letters.pairing import exchanges, listing
from letters.pairing.exchanges import Exchange, Proposal
from letters.pairing.listing import ExchangeRow
from letters.parts import Parts
from letters.pdf import thumbnails
from letters.preservation import audit, fixity, originals
from letters.preservation.audit_query import AuditPage, AuditQuery, page_of
from letters.registry import Registry
from letters.settings import Settings
from letters.users import Token, User, UserError, Users, no_such_user

if TYPE_CHECKING:
    from letters.ingest import pipeline
    from letters.search import SearchIndex, SearchRequest, SearchResult

log = logging.getLogger(__name__)


def _identity(path: Path) -> tuple[int, int, int] | None:
    """What tells one version of a file from another (None when there is no file)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


#: Who runs the checks and sends the alerts of the schedule, in the audit log.
SCHEDULE = "schedule"


class Letters:
    """The archive, its registry and its index, for one process."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        #: The current time, aware; tests pass their own to control the times records carry.
        self.clock = clock or (lambda: datetime.now(UTC))
        self.archive = Archive(settings.archive_dir)
        self._registry: Registry | None = None
        self._registry_changes: tuple[int, int, int] | None = None  # the changes file it was read from
        self._index: SearchIndex | None = None
        self._catalog: Catalog | None = None
        self._lock = threading.Lock()
        self._catalog_lock = threading.Lock()
        self._folders: dict[Path, watch.Folder] = {}  # watched folders, which remember sizes
        #: The users, their tokens and roles (every change audited there).
        self.users = Users(settings)

    # -- registry -------------------------------------------------------------------------
    @property
    def registry(self) -> Registry:
        """The registry as it stands (read again after a change, by this process or another)."""
        changes = _identity(self.settings.archive_dir / registry.CHANGES_FILE)
        if self._registry is None or changes != self._registry_changes:
            self._registry = registry.load(self.settings.archive_dir)
            self._registry_changes = changes
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

    # -- index ----------------------------------------------------------------------------
    @property
    def index(self) -> SearchIndex:
        """The index, opened once per process (rebuilt from the archive when missing or stale)."""
        return self.open_index()

    def open_index(self, progress: Callable[[int, int], None] | None = None) -> SearchIndex:
        """Open the index now if it is not open (at start-up: a rebuild it needs happens here,
        reporting to `progress`, never during a search)."""
        with self._lock:
            opening = self._index is None
            if opening:
                from letters.search import open_index

                with contextlib.suppress(OSError, sqlite3.Error):  # said when it is used
                    self.catalog  # noqa: B018 - repaired first: what an interrupted write left
                opened = open_index(self.settings.search_dir, self.archive,
                                    lambda: self.registry,
                                    max_query_chars=self.settings.max_query_chars,
                                    engine=self.settings.search_engine,
                                    progress=progress,
                                    positions=self.settings.phrase_positions,
                                    journal=self)
                self._catch_up(opened)
                self._index = opened
        if opening:
            self._mend_pairs()
        assert self._index is not None
        return self._index

    def _mend_pairs(self) -> None:
        """Make whole the pairs a killed link or unlink left one-sided (exchanges.mend_pairs)."""
        try:
            mended = exchanges.mend_pairs(self.parts())
        except (OSError, RuntimeError, sqlite3.Error) as error:  # verify reports pair_mismatch
            log.warning("The pairs an interrupted link or unlink left could not be mended (%s).",
                        error)
            return
        if mended:
            log.warning("Letters %s were paired by hand with letters not paired with them (a "
                        "link or unlink was interrupted): they are unlinked.", ", ".join(mended))

    def _catch_up(self, opened: SearchIndex) -> None:
        """Index the letters whose current record an interrupted write left out of the index
        (the catalog's `unindexed` journal); what cannot be done now `letters verify` reports."""
        try:
            marks = self.catalog.unindexed()
            if not marks:
                return
            letters = {sha: self.archive.by_sha(sha) for sha in marks}
            present = [letter for letter in letters.values() if letter is not None]
            opened.remove([letter_id(sha) for sha, letter in letters.items() if letter is None])
            opened.update(present)
            self.catalog.indexed({sha: marks[sha] for sha, letter in letters.items()
                                  if letter is None})
            log.warning("%d letter(s) left out of the search index by an interrupted write "
                        "were indexed.", len(present))
        except (OSError, RuntimeError, sqlite3.Error) as error:  # a read-only or full disk
            log.warning("The letters an interrupted write left out of the search index could "
                        "not be indexed (%s): run `letters reindex`.", error)

    def unindexed(self, shas: list[str] | None = None) -> dict[str, int]:
        """The catalog's marks of letters not yet indexed as they stand (index.Journal)."""
        return self.catalog.unindexed(shas)

    def indexed(self, marks: dict[str, int]) -> None:
        """Letters indexed as they stood when marked (index.Journal)."""
        self.catalog.indexed(marks)

    def reindex(self, progress: Callable[[int, int], None] | None = None,
                catalog_progress: Callable[[int, int], None] | None = None, procs: int = 1) -> int:
        """Rebuild the search index and the catalog from the archive alone (index.IndexBusy
        while another process writes the index); how many letters the index holds."""
        from letters.search import Index  # not opened: opening would rebuild it first

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
        """Search the index (raises search.QueryError for a malformed query).

        A hit whose letter is no longer in the archive (its folder was removed) is left out and
        taken out of the index, which is derived from the archive; `letters verify` reports it.
        """
        return collaborators.search(self.archive, self.index, request)

    # -- letters --------------------------------------------------------------------------
    def get(self, letter_id: str) -> Letter:
        """The record of one letter."""
        return collaborators.letter_of(self.archive, letter_id)

    def text(self, letter_id: str) -> str:
        """The full stored text of one letter, pages separated by form feeds."""
        self.get(letter_id)
        return "\f".join(self.archive.pages(letter_id))

    def ingest(self, paths: Iterable[Path], by: str, jobs: int = 1,
               progress: Callable[[IngestResult], None] | None = None,
               names: dict[Path, str] | None = None, address: str | None = None,
               run: pipeline.Run | None = None) -> list[IngestResult]:
        """Ingest files; one result per file, in input order (`run` collects what went wrong
        for the run as a whole)."""
        audit.check_writable(self.settings.archive_dir, "upload", by)
        from letters.ingest import pipeline  # the worker pool: only to ingest

        limits = pipeline.Limits(self.settings.extract_timeout, self.settings.extract_memory_bytes)
        return pipeline.ingest_files(self.parts(), limits, list(paths), by=by, jobs=jobs,
                                     progress=progress, names=names or {}, address=address,
                                     run=run)

    def correct(self, letter_id: str, changes: dict[str, Any], by: str,
                address: str | None = None, confirm_pairing: bool = False) -> Letter:
        """Apply an archivist's correction, keep the previous values, re-index at once; one
        that changes a founding or a confirmed exchange raises exchanges.PairingChange unless
        `confirm_pairing`."""
        audit.check_writable(self.settings.archive_dir, "correct", by)
        return corrections.correct(self.parts(), letter_id, changes, by, address,
                                   confirm_pairing)

    def original(self, letter_id: str) -> originals.Original:
        """A letter's original PDF, checked against the SHA-256 it was archived under
        (errors.NotFound if no such letter): whatever ships an original asks here."""
        return originals.check(self.archive, self.get(letter_id))

    def export_problem(self, slug: str) -> Message | None:
        """Why the founding documents of `slug` cannot be exported now (an original is not the
        one archived), or None."""
        exchange = self.founding_documents(slug)
        if exchange is None:
            return None
        name = self.display_name(slug) or slug
        found = [checked.problem for checked in (
            originals.check(self.archive, letter, name=originals.in_words(letter, name))
            for letter in map(self.get, exchange.ids())) if checked.problem is not None]
        return originals.refusal(name, found).message if found else None

    def thumbnail(self, letter_id: str, page: int, width: int = thumbnails.WIDTH,
                  turn: Callable[[], AbstractContextManager[object]] = nullcontext) -> Path:
        """The picture of one page (made on first request, within `turn`, the caller's limit on
        renders at once; NotFound for a page it has not, thumbnails.ThumbnailError when it
        cannot be drawn)."""
        return thumbnails.page_png(self.archive, self.get(letter_id), page, width=width,
                                   memory_bytes=self.settings.extract_memory_bytes, turn=turn)

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

    def partner(self, slug: str, paging: Paging | None = None) -> reading.PartnerOverview:
        """A registered partner's founding documents and one page of its letters (NotFound for
        an unknown slug)."""
        return reading.partner_overview(self.registry, self.catalog, slug, paging or Paging())

    def joined_from_letters(self) -> dict[str, str]:
        """For partners without a date of joining: their founding exchange's date."""
        return reading.joined_from_letters(self.registry, self.catalog)

    def signatories_from_letters(self) -> dict[str, str]:
        """For partners without a Secretary General in the registry: their founding letters'."""
        return reading.signatories_from_letters(self.registry, self.catalog)

    def secretaries_general(self) -> reading.SecretariesGeneral:
        """The Secretaries General by term, with how many letters each signed."""
        return reading.secretaries_general(self.registry, self.catalog)

    def secretary_general(self, slug: str, paging: Paging | None = None
                          ) -> reading.SecretaryGeneralLetters:
        """One page of a Secretary General's letters (NotFound for an unknown slug)."""
        return reading.secretary_general(self.registry, self.catalog, slug, paging or Paging())

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

    def audit_page(self, query: AuditQuery) -> AuditPage:
        """The page of audit events `query` asks for, newest first (QueryError when it cannot
        be answered: a malformed date, a start after the end)."""
        return page_of(self.audit_events(), query.checked())

    def audit_chain(self) -> audit.ChainCheck:
        """Whether the audit log's chain and codes hold."""
        return audit.verify(self.settings.archive_dir)

    def confirm(self, letter_id: str, by: str, address: str | None = None) -> Letter:
        """Confirm the reviewed fields that hold a value, as they stand
        (corrections.NothingToConfirm when none does)."""
        return corrections.confirm(self.parts(), letter_id, by, address)

    # -- the write use cases, each handed only the parts it works with ----------------------
    def parts(self) -> Parts:
        """The archive, catalog, index, registry and clock, as the write use cases take them."""
        return Parts(self.archive, self.catalog, self.index, self.registry, self.clock)

    def fresh_parts(self) -> Parts:
        """The parts with the registry read again (another process may have changed it)."""
        self.reload_registry()
        return self.parts()

    def form_changes(self, letter: Letter, typed: dict[str, str]
                     ) -> tuple[dict[str, Any], dict[str, InvalidCorrection]]:
        """A correction form's changes to `letter` and the refusal of each invalid one."""
        return corrections.form_changes(self.registry, letter, typed)

    def exchanges(self, slug: str) -> list[Exchange]:
        """Every exchange of a registered partner, oldest first (NotFound for an unknown slug)."""
        return exchanges.exchanges_for(self.registry, self.catalog, slug)

    def founding_documents(self, slug: str) -> Exchange | None:
        """A registered partner's founding documents, or None when it has no letter."""
        return exchanges.founding_documents_for(self.registry, self.catalog, slug)

    def link(self, a_id: str, b_id: str, by: str, address: str | None = None) -> Exchange:
        """Pair two letters by hand, audited."""
        audit.check_writable(self.settings.archive_dir, "link", by)
        return exchanges.link(self.parts(), a_id, b_id, by, address)

    def unlink(self, letter_id: str, by: str, address: str | None = None) -> list[str]:
        """Take a letter and its pair apart by hand, audited; the ids of those changed."""
        audit.check_writable(self.settings.archive_dir, "unlink", by)
        return exchanges.unlink(self.parts(), letter_id, by, address)

    def pairing_proposals(self, slug: str | None = None) -> list[Proposal]:
        """The changes of founding exchange waiting for a person (one partner's, or all)."""
        if slug is not None:
            self.registry.registered(slug)
        return exchanges.proposals(self.registry, self.catalog, slug)

    def decide_proposal(self, slug: str, accept: bool, by: str, address: str | None = None,
                        expected: list[str] | None = None) -> Proposal:
        """Accept or dismiss a partner's pairing proposal, audited (NotFound when none)."""
        return exchanges.decide(self.parts(), slug, accept, by, address, expected)

    def exchange_rows(self, slug: str, letters: list[Letter] | None = None) -> list[ExchangeRow]:
        """Every exchange of a registered partner with its letters' records."""
        return listing.rows_for(self.registry, self.catalog, slug, letters)

    def exchange_rows_holding(self, slug: str, letters: list[Letter]) -> list[ExchangeRow]:
        """The exchanges of a partner holding one of these letters (a page of its letters)."""
        return listing.rows(self.catalog, self.catalog.exchanges_holding(
            slug, [x.id for x in letters]), {x.id: x for x in letters})

    def incomplete_exchanges(self) -> listing.Incomplete:
        """The oldest exchanges lacking one of their letters, across all partners, and how many
        lack one in all."""
        return listing.incomplete(self.catalog)

    def pair_choices(self, letter: Letter) -> list[Letter]:
        """The letters this one may be paired with by hand."""
        return listing.pair_choices(self.catalog, letter)

    def pair(self, letter_id: str, other: str | None, by: str, where: str | None) -> ExchangeRow:
        """Pair a letter with the one chosen in a form, audited (InvalidCorrection if it cannot)."""
        audit.check_writable(self.settings.archive_dir, "link", by)
        return listing.link(self.parts(), letter_id, other, by, where)

    def set_aside(self, letter_id: str, reason: object, by: str,
                  address: str | None = None) -> Letter:
        """Set a letter aside with a reason, audited (aside.AsideRefused when it cannot be)."""
        return aside.set_aside(self.parts(), letter_id, reason, by, address)

    def restore(self, letter_id: str, by: str, address: str | None = None) -> Letter:
        """Take a letter set aside back to the status it had, audited (aside.AsideRefused when
        it is not set aside)."""
        return aside.restore(self.parts(), letter_id, by, address)

    def review_page(self, paging: Paging, kind: str | None = None) -> review.QueuePage:
        """One page of the review queue, only letters with a reason of `kind` if given."""
        return review.queue_page(self.catalog, paging, kind)

    def review_batch(self, ids: list[str], action: str, by: str, address: str | None = None,
                     reason: object = None, partner: str | None = None) -> review.Batch:
        """Set aside, link to a partner or confirm each of the selected letters, one audited
        change each (InvalidCorrection when the request as a whole cannot be carried out)."""
        return review.act_on(self.parts(), ids, action, by, address, reason, partner)

    def review_queue(self) -> list[Letter]:
        """Letters that need review, oldest first."""
        return review.queue(self.catalog)

    def next_in_queue(self, letter: Letter) -> Letter | None:
        """The letter to review after this one."""
        return review.next_in_queue(self.catalog, letter)

    def relink_candidates(self, slug: str) -> list[review.Candidate]:
        """Letters not linked to `slug` that recognition now links to it."""
        return review.relink_candidates(self.fresh_parts(), slug)

    def registered(self, slug: str) -> Partner:
        """The partner as the registry now has it (NotFound for an unknown slug)."""
        self.reload_registry()
        return self.registry.registered(slug)

    def add_partner(self, slug: str | None, name: str | None, kind: str | None,
                    joined: str | None, by: str, where: str | None = None,
                    force: bool = False) -> Partner:
        """Register a partner, audited (registry.RegistryError when it cannot be; CloseName,
        unless `force`, for a name very close to another partner's)."""
        audit.check_writable(self.settings.archive_dir, "registry", by)
        return partners.add_partner(self.settings.archive_dir, self.registry_changed, slug, name,
                                    kind, joined, by, where, self.clock().date().isoformat(),
                                    force)

    def add_name(self, slug: str, name: str | None, since: str | None, until: str | None,
                 by: str, where: str | None = None, force: bool = False) -> Partner:
        """Give a registered partner another or a former name, audited and re-indexed."""
        audit.check_writable(self.settings.archive_dir, "registry", by)
        self.reload_registry()
        return partners.add_name(self.registry, self.settings.archive_dir, self.registry_changed,
                                 slug, name, since, until, by, where, force)

    def relink(self, slug: str, ids: list[Any], by: str, where: str | None = None,
               confirm_pairing: bool = False) -> list[Letter]:
        """Link these letters to a registered partner, audited."""
        audit.check_writable(self.settings.archive_dir, "relink", by)
        return partners.relink(self.fresh_parts(), slug, ids, by, where, confirm_pairing)

    def with_candidates(self, partner: Partner) -> dict[str, Any]:
        """A partner's entry with its number of letters and the letters offered for relinking."""
        return partners.with_candidates(self.fresh_parts(), partner)

    def export_bundle(self, slug: str, out: Path, by: str, address: str | None = None) -> Path:
        """Write a partner's founding-documents bundle to `out`, audited."""
        from letters import export  # bagit, zip and csv: only for a bundle

        return export.export_bundle(self.archive, self.catalog, self.registry, slug, out, by,
                                    address, self.last_fixity_check())

    def verify(self, by: str = "system", address: str | None = None) -> fixity.FixityReport:
        """Check the archive's fixity and agreement, save the report, audited (after the
        repairs of opening the catalog and the index, and the catalog compared with every
        letter directory: it reports what they could not do)."""
        if self.settings.archive_dir.is_dir():  # a home without one is left untouched
            with contextlib.suppress(OSError, RuntimeError, sqlite3.Error):  # fixity reports it
                self.catalog.repair(everything=True)
            with contextlib.suppress(OSError, RuntimeError, sqlite3.Error):
                was_open = self._index is not None
                index = self.open_index()
                if was_open:  # opening catches up; an open index, with what was just taken in
                    self._catch_up(index)
        target = fixity.Checked(self.settings.home, self.settings.archive_dir,
                                self.settings.private_dir, self.settings.index_dir,
                                lambda: self.catalog, lambda: self.index)
        return fixity.verify(target, by, address)

    def migrate_histories(self, by: str, address: str | None = None) -> list[str]:
        """Give the histories of an older archive the record as added and its text's digest,
        once, as one audit event; the ids of the letters migrated."""
        return migration.add_digests(
            self.archive, lambda what: self.record("migrate_histories", by, what, address))

    def last_fixity_check(self) -> dict[str, Any] | None:
        """The last fixity report with who ran it, or None."""
        return fixity.last_check(self.settings.private_dir, self.settings.archive_dir)

    # -- the watched folder ---------------------------------------------------------------
    def watch_sweep(self, folder: Path, by: str, settled: bool = False,
                    each: Callable[[watch.Dropped], None] | None = None) -> list[watch.Dropped]:
        """Ingest the PDFs dropped in a watched folder (and those a stopped sweep left), moving each
        to done/ or rejected/; with `settled`, only files unchanged since the last sweep of
        this folder object."""
        return watch.sweep(self._folder(folder), self._ingest_named(by), self._watch_journal(),
                           settled=settled, each=each)

    def watched(self, limit: int = 20) -> list[watch.Dropped]:
        """The last results of the watched folders, newest first."""
        return self._watch_journal().recent(limit)

    def _folder(self, path: Path) -> watch.Folder:
        return self._folders.setdefault(path.resolve(), watch.Folder(path.resolve()))

    def _watch_journal(self) -> watch.Journal:
        return watch.Journal(self.settings.private_dir / "watch.jsonl")

    def _ingest_named(self, by: str) -> watch.Ingest:
        def ingest(paths: list[Path], names: dict[Path, str],
                   each: Callable[[IngestResult], None]) -> list[IngestResult]:
            return self.ingest(paths, by=by, names=names, progress=each)
        return ingest

    # -- fixity on a schedule -------------------------------------------------------------
    def fixity_status(self) -> schedule.FixityStatus | None:
        """The last fixity check as the banner for auditors and admins says it (None when its
        report cannot be read: the fixity page says why)."""
        every = timedelta(hours=self.settings.fixity_every_hours or 24)
        try:
            last = fixity.last_report(self.settings.private_dir)
        except (OSError, ValueError):
            return None
        return schedule.status_of(last, every, self.clock())

    def fixity_schedule(self) -> schedule.Schedule | None:
        """The periodic fixity check of `letters serve` (None when the setting turns it off)."""
        if self.settings.fixity_every_hours <= 0:
            return None

        def last_at() -> datetime | None:
            status = self.fixity_status()
            return status.at if status else None

        return schedule.Schedule(lambda: self.verify(by=SCHEDULE), last_at,
                                 timedelta(hours=self.settings.fixity_every_hours),
                                 self.alert_auditors, self.clock)

    def alert_auditors(self, report: fixity.FixityReport) -> None:
        """E-mail the auditors what a check found (when SMTP is set up), and record whether it
        went in the audit log."""
        import smtplib

        from letters import alerts

        settings = self.settings
        mailer = alerts.Mailer(settings.smtp_host, settings.smtp_port, settings.alert_from,
                               settings.alert_to)
        if not mailer.configured:
            return
        what: dict[str, Any] = {"problems": len(report.problems), "to": list(mailer.recipients)}
        try:
            mailer.send(alerts.fixity_alert(report, str(settings.home)))
            what["sent"] = True
        except (OSError, smtplib.SMTPException) as error:
            what.update(sent=False, error=str(error) or type(error).__name__)
        self.record("fixity_alert", SCHEDULE, what)


    # -- users: the same calls from `letters users`, the admin pages and the account page ---
    def user_rows(self) -> list[tuple[User, list[Token]]]:
        """Every user, by name, with their API tokens."""
        return [(user, self.users.tokens(user.name)) for user in self.users.all()]

    def user(self, name: str) -> User | None:
        """The user of that name, if any."""
        return self.users.get(name)

    def user_tokens(self, name: str) -> list[Token]:
        """A user's API tokens, oldest first (users.UserError for an unknown user)."""
        if self.users.get(name) is None:
            raise UserError(no_such_user(name))
        return self.users.tokens(name)

    def add_user(self, name: str, role: str, password: str, by: str,
                 address: str | None = None) -> User:
        """Create a user (users.UserError with a sentence when it cannot be)."""
        return self.users.add(name, role, password, by, address)

    def set_role(self, name: str, role: str, by: str, address: str | None = None) -> None:
        """Change a user's role (never the last admin's)."""
        self.users.set_role(name, role, by, address)

    def set_password(self, name: str, password: str, by: str, address: str | None = None) -> None:
        """Give a user a new password; their sessions end."""
        self.users.set_password(name, password, by, address)

    def change_own_password(self, name: str, current: str, new: str, session_id: str | None,
                            address: str | None = None) -> None:
        """A user's change of their own password, checked against the current one."""
        self.users.change_own_password(name, current, new, session_id, address)

    def set_disabled(self, name: str, disabled: bool, by: str, address: str | None = None) -> None:
        """Disable a user (never the last admin) or enable them again."""
        self.users.set_disabled(name, disabled, by, address)

    def remove_user(self, name: str, by: str, address: str | None = None) -> None:
        """Remove a user (never the last admin), their tokens and sessions."""
        self.users.remove(name, by, address)

    def new_token(self, name: str, by: str, address: str | None = None, label: str = "") -> str:
        """A new API token for a user, named `label`: the token itself, shown once."""
        return self.users.new_token(name, by, address, label)

    def revoke_token(self, name: str, token_id: str, by: str, address: str | None = None) -> None:
        """Revoke one of a user's tokens by its id."""
        self.users.revoke_token_id(name, token_id, by, address)

    def revoke_tokens(self, name: str, by: str, address: str | None = None) -> int:
        """Revoke every token of a user and end their sessions; how many tokens."""
        return self.users.revoke_tokens(name, by, address)


__all__ = ["CORRECTABLE", "InvalidCorrection", "Letters", "NotFound"]
