"""The fixed mix of 20 queries: words, phrases, fields, date ranges, facets, sorting, deep pages.

Every query is written in syntax that the program's query language and Whoosh's own parser read
the same way, so the raw baseline runs the same query on the same index.
"""

from __future__ import annotations

from dataclasses import dataclass

from letters.searching import SearchRequest, Sort


@dataclass(frozen=True)
class Query:
    """One query of the mix, with its filters, order and page."""

    name: str
    q: str = ""
    partner: str | None = None
    signatory: str | None = None
    direction: str | None = None
    language: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 20

    def request(self) -> SearchRequest:
        """The request for `Letters.search` (facets and highlights on, as the web asks)."""
        return SearchRequest(q=self.q, partner=self.partner, signatory=self.signatory,
                             direction=self.direction, language=self.language,
                             date_from=self.date_from, date_to=self.date_to,
                             sort=self.sort,
                             page=self.page, per_page=self.per_page, facets=True, highlight=True)

    def params(self) -> dict[str, str]:
        """The parameters of `GET /api/search`."""
        values = {"q": self.q, "partner": self.partner, "signatory": self.signatory,
                  "direction": self.direction, "language": self.language, "from": self.date_from,
                  "to": self.date_to, "sort": self.sort, "page": str(self.page),
                  "per_page": str(self.per_page)}
        return {k: v for k, v in values.items() if v}


MIX: tuple[Query, ...] = (
    Query("word", q="internet"),
    Query("rare word", q="cybercrime"),
    Query("two words", q="data protection"),
    Query("phrase", q='"rule of law"'),
    Query("long phrase", q='"exchange of letters establishing our cooperation"'),
    Query("field partner", q="partner:microsoft"),
    Query("field signatory", q="signatory:jagland"),
    Query("field and word", q="partner:google AND privacy"),
    Query("date range in query", q="date:[2019-01-01 TO 2019-12-31]"),
    Query("word, date filters", q="partnership", date_from="2020-01-01", date_to="2020-12-31"),
    Query("facet filters only", partner="meta", direction="incoming"),
    Query("french, language filter", q="partenariat", language="fr"),
    Query("french accented word", q="coopération"),
    Query("sort by date", q="freedom expression", sort="date"),
    Query("browse newest first", sort="-date"),
    Query("deep page", q="internet", page=50),
    Query("deep page by date", sort="date", page=200),
    Query("prefix", q="cyber*"),
    Query("not", q="internet NOT cybercrime"),
    Query("year and signatory filter", q="year:2021", signatory="pejcinovic-buric", per_page=100),
)
