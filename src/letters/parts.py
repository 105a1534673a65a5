"""The collaborators the write use cases share, handed to them by `service.Letters`: the
archive (whose directory holds the registry and the audit log), the catalog, the search index,
the registry as it stands and the clock. Nothing else of the application.

Every record written goes through `Parts.add` or `Parts.update`, which keep the catalog in step
with the archive (the archive tells no one): the letter journalled in the catalog, then written
to the archive, then taken into the catalog, all under the letter's lock. The use case then
indexes what it wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from letters import faults
from letters.archive import now_iso
from letters.errors import NotFound
from letters.messages import msg
from letters.preservation import audit

if TYPE_CHECKING:
    from letters.archive import Archive
    from letters.catalog import Catalog
    from letters.models import Letter
    from letters.registry import Registry
    from letters.search import SearchIndex, SearchRequest, SearchResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Parts:
    """The archive, catalog, index, registry and clock one use case works with."""

    archive: Archive
    catalog: Catalog
    index: SearchIndex
    registry: Registry
    clock: Callable[[], datetime]

    def get(self, letter_id: str) -> Letter:
        """The record of one letter (NotFound when the archive has none)."""
        return letter_of(self.archive, letter_id)

    def add(self, source: Path, letter: Letter, pages: list[str],
            derived: dict[str, bytes] | None = None) -> int | None:
        """Archive a new letter and take it into the catalog; the mark its record got in the
        index's journal (for `SearchIndex.update`), None when that original was archived
        already. Journalled first: a kill before the catalog has it is repaired at the next
        opening of the catalog."""
        with self.archive.writing(letter.id):
            self.catalog.changing(letter.sha256)
            if not self.archive.add(source, letter, pages, derived=derived):
                return None  # the journal's entry goes at the next opening: it re-reads it
            mark = self.catalog.changed(letter, pages)
            faults.point("archive.catalogued")
        return mark

    def update(self, letter_id: str, changes: dict[str, Any], by: str,
               action: str = "corrected") -> Letter:
        """Change fields of a record (`Archive.update`: the history first) and take it into the
        catalog; KeyError when the archive has no such letter. Journalled first, like `add`."""
        with self.archive.writing(letter_id):
            self.catalog.changing(self.archive.digest(letter_id))
            letter = self.archive.update(letter_id, changes, by, action=action)
            self.catalog.changed(letter)
            faults.point("archive.catalogued")
        return letter

    def today(self) -> date:
        """Today's date, local (one place, so recognition's 'in the future' check is consistent)."""
        return self.clock().astimezone().date()

    def now_iso(self) -> str:
        """The clock's time, UTC, to the second, ISO 8601 (the time a new record carries)."""
        return now_iso(self.clock())

    def record(self, action: str, who: str, what: dict[str, Any] | None = None,
               address: str | None = None) -> dict[str, Any]:
        """Record one event in the archive's audit log."""
        return audit.record(self.archive.root, action, who, what, address)


def letter_of(archive: Archive, letter_id: str) -> Letter:
    """The record of one letter (NotFound when the archive has none)."""
    letter = archive.get(letter_id)
    if letter is None:
        raise NotFound(msg("missing.letter", value=letter_id))
    return letter


def search(archive: Archive, index: SearchIndex, request: SearchRequest) -> SearchResult:
    """Search the index (search.QueryError for a malformed query).

    A hit whose letter is no longer in the archive (its folder was removed) is left out and
    taken out of the index, which is derived from the archive; `letters verify` reports it.
    """
    result = index.search(request)
    gone = [hit.letter.id for hit in result.hits if not archive.has(hit.letter.sha256)]
    if not gone:
        return result
    log.warning("letters %s are indexed but not in the archive: taken out of the index",
                ", ".join(gone))
    try:
        index.remove(gone)
    except OSError as error:
        log.warning("the index could not be changed (%s): run `letters reindex`", error)
    return replace(result, total=max(0, result.total - len(gone)),
                   hits=[hit for hit in result.hits if hit.letter.id not in gone])
