"""The pager of a page that lists one page of letters (a partner's, a Secretary General's, the
review queue): links to the other pages that keep the filters and the page size."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.requests import Request

from letters.paging import PER_PAGE, Paging
from letters.web.searchform import page_numbers
from letters.web.urls import path_for


@dataclass(frozen=True)
class Pager:
    """What `_pager.html` shows: the page, the last one, the range shown and each link."""

    page: int
    last: int
    total: int
    first_shown: int  # the position of the page's first letter, from 1 (0 when none)
    last_shown: int
    links: list[tuple[int | None, str]]  # (number or None for a gap, address)
    previous: str | None
    next: str | None
    last_url: str

    @property
    def past_end(self) -> bool:
        """Whether the page asked for comes after the last one."""
        return self.total > 0 and self.page > self.last


def pager(request: Request, route: str, paging: Paging, total: int, shown: int,
          filters: Mapping[str, str | None] | None = None, **path: str) -> Pager:
    """The pager of `shown` letters on page `paging` of `total`, its links to `route` (with
    `path` parameters) keeping `filters` and a page size other than the default."""
    kept = {k: v for k, v in (filters or {}).items() if v}
    if paging.per_page != PER_PAGE:
        kept["per_page"] = str(paging.per_page)

    def link(number: int) -> str:
        return path_for(request, route, query={**kept, "page": str(number)}, **path)

    last = paging.last_page(total)
    first_shown = paging.offset + 1 if shown else 0
    return Pager(paging.page, last, total, first_shown, paging.offset + shown,
                 [(n, link(n) if n is not None else "") for n in page_numbers(paging.page, last)]
                 if last > 1 else [],
                 link(paging.page - 1) if 1 < paging.page <= last else None,
                 link(paging.page + 1) if paging.page < last else None, link(last))
