"""Pages of the lists that grow with the archive (a partner's letters, a Secretary General's, the
review queue): which slice to read, checked once for the web, the API and the command line."""

from __future__ import annotations

from dataclasses import dataclass

from letters.errors import QueryError
from letters.messages import msg

#: Letters per page unless asked otherwise, and at most.
PER_PAGE, MAX_PER_PAGE = 100, 1000


@dataclass(frozen=True)
class Paging:
    """One page: its number (from 1) and its size."""

    page: int = 1
    per_page: int = PER_PAGE

    @property
    def offset(self) -> int:
        """How many items come before this page."""
        return (self.page - 1) * self.per_page

    def last_page(self, total: int) -> int:
        """The number of the last page for `total` items (1 when there is none)."""
        return max(1, -(-total // self.per_page))

    def past_end(self, total: int) -> bool:
        """Whether this page comes after the last one (it shows nothing)."""
        return self.page > self.last_page(total)

    def to_json(self, total: int) -> dict[str, int]:
        """What an answer says of its page: `page`, `per_page`, `letters_total`."""
        return {"page": self.page, "per_page": self.per_page, "letters_total": total}


#: The first page, of the default size.
FIRST = Paging()


def paging(page: str | int | None = None, per_page: str | int | None = None) -> Paging:
    """The page asked for (blank: the first, of PER_PAGE); QueryError for a page that is not a
    whole number from 1, or a size not from 1 to MAX_PER_PAGE."""
    number = _whole(page, 1)
    size = _whole(per_page, PER_PAGE)
    if number is None or number < 1:
        raise QueryError(msg("query.page_number"))
    if size is None or not 1 <= size <= MAX_PER_PAGE:
        raise QueryError(msg("query.per_page_number", most=MAX_PER_PAGE))
    return Paging(number, size)


def _whole(value: str | int | None, default: int) -> int | None:
    if value is None:
        return default
    if isinstance(value, int):
        return value
    text = value.strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        return None
    return int(text)
