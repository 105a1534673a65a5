"""The search as the URL holds it: read, checked and turned into a SearchRequest, or into links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import ClassVar, cast

from letters.messages import Message, msg
from letters.search import DEFAULT_PER_PAGE, MAX_PER_PAGE, QueryError, SearchRequest, Sort

__all__ = ["DEFAULT_PER_PAGE", "MAX_PER_PAGE", "SearchForm", "page_count", "page_numbers",
           "plain_digits", "whole_number"]
#: URL parameter names of the form's fields ("from" and "to" are Python keywords).
PARAMS = {"date_from": "from", "date_to": "to"}


@dataclass(frozen=True)
class SearchForm:
    """The raw values of the search form, as strings ("" when not given)."""

    #: The name of the page the form's links lead to.
    ROUTE: ClassVar[str] = "search_page"
    q: str = ""
    partner: str = ""
    signatory: str = ""
    direction: str = ""
    language: str = ""
    date_from: str = ""
    date_to: str = ""
    status: str = ""
    sort: str = ""
    page: str = ""
    per_page: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> SearchForm:
        """Read the form from URL parameters (unknown ones are ignored)."""
        values = {}
        for name in (field.name for field in fields(cls)):
            raw = params.get(PARAMS.get(name, name))
            values[name] = raw.strip() if isinstance(raw, str) else ""
        return cls(**values)

    def params(self) -> dict[str, str]:
        """The non-empty fields as URL parameters."""
        return {PARAMS.get(k, k): v for k, v in asdict(self).items() if v}

    def query(self, **changes: str) -> dict[str, str]:
        """The URL parameters of this search with some fields changed (a new filter starts at
        page 1)."""
        if "page" not in changes:
            changes["page"] = ""
        return replace(self, **changes).params()

    @property
    def default_sort(self) -> Sort:
        """By relevance when there is a query; else by date, the story in order."""
        return "relevance" if self.q else "date"

    @property
    def filtered(self) -> bool:
        """Whether any filter is set."""
        return any((self.partner, self.signatory, self.direction, self.language, self.date_from,
                    self.date_to, self.status))

    def to_request(self) -> SearchRequest:
        """The SearchRequest (its query and filters are checked by `search.plan`, as for
        the command line); QueryError for a page or per_page that is not a number."""
        page = whole_number(self.page, 1, msg("query.page_number"))
        too_many = msg("query.per_page_number", most=MAX_PER_PAGE)
        per_page = whole_number(self.per_page, DEFAULT_PER_PAGE, too_many)
        if per_page > MAX_PER_PAGE:
            raise QueryError(too_many)
        return SearchRequest(
            q=self.q, partner=self.partner or None, signatory=self.signatory or None,
            direction=self.direction or None, language=self.language or None,
            date_from=self.date_from or None, date_to=self.date_to or None,
            status=self.status or None, sort=cast(Sort, self.sort or self.default_sort),
            page=page, per_page=per_page,
        )


def plain_digits(value: str, most: int = 9) -> bool:
    """Whether `value` is 1 to `most` ASCII digits (`str.isdigit` also takes '²' and '٣', which
    `int` refuses or reads as another number)."""
    return 0 < len(value) <= most and value.isascii() and value.isdigit()


def whole_number(value: str, default: int, message: Message) -> int:
    """A positive whole number from a query parameter (`default` when empty), else QueryError."""
    if not value:
        return default
    if not plain_digits(value) or int(value) < 1:
        raise QueryError(message)
    return int(value)


def page_count(total: int, per_page: int) -> int:
    """The number of the last page of `total` items shown `per_page` at a time (1 when there are none)."""
    return max(1, -(-total // max(1, per_page)))


def page_numbers(page: int, last: int) -> list[int | None]:
    """The page links to show: first, last and two either side of the current (None: a gap)."""
    shown = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    out: list[int | None] = []
    for number in shown:
        if out and number - (out[-1] or 0) > 1:
            out.append(None)
        out.append(number)
    return out
