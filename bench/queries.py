"""The fixed mix of 20 queries: words, phrases, fields, date ranges, facets, sorting, deep pages.

Every query is written in syntax that the program's query language and Whoosh's own parser read
the same way, so the raw baseline runs the same query on the same index.
"""

from __future__ import annotations

from dataclasses import dataclass

from letters.search._planning import SearchRequest, Sort


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


#: The cold set: 44 distinct queries, each asked once on a freshly opened index, as a new user
#: would (words, rare words, phrases, fields, filters, French, prefixes, NOT, sorted, deep pages).
COLD: tuple[Query, ...] = (
    Query("cold word", q="privacy"),
    Query("cold word 2", q="surveillance"),
    Query("cold rare word", q="intermediaries"),
    Query("cold rare word 2", q="disabilities"),
    Query("cold word 3", q="advertising"),
    Query("cold word 4", q="exploitation"),
    Query("cold word 5", q="resilience"),
    Query("cold word 6", q="literacy"),
    Query("cold place", q="Budapest"),
    Query("cold word 7", q="workshop"),
    Query("cold word 8", q="obligation"),
    Query("cold word 9", q="guidance"),
    Query("cold two words", q="human rights"),
    Query("cold two words 2", q="hate speech"),
    Query("cold phrase", q='"exchange of letters"'),
    Query("cold phrase 2", q='"annual meeting"'),
    Query("cold phrase 3", q='"Committee of Experts"'),
    Query("cold partner", q="partner:google AND surveillance"),
    Query("cold signatory", q="signatory:pejcinovic-buric privacy"),
    Query("cold direction", q="direction:incoming cybercrime"),
    Query("cold title", q="title:consultation"),
    Query("cold date filters", q="cooperation", date_from="2019-01-01", date_to="2019-06-30"),
    Query("cold facet filters", partner="microsoft", direction="outgoing"),
    Query("cold french filter", q="internet", language="fr"),
    Query("cold french word", q="partenariats"),
    Query("cold french accented", q="cybercriminalité"),
    Query("cold french phrase", q='"vie privée"'),
    Query("cold french words", q="données personnelles"),
    Query("cold french plural", q="plateformes"),
    Query("cold prefix", q="priv*"),
    Query("cold prefix 2", q="intermedia*"),
    Query("cold not", q="partnership -workshop"),
    Query("cold not 2", q="privacy NOT surveillance"),
    Query("cold or", q="literacy OR resilience"),
    Query("cold sorted", q="expression", sort="date"),
    Query("cold sorted newest", q="surveillance", sort="-date"),
    Query("cold deep page", q="partnership", page=20),
    Query("cold deep page by date", sort="-date", page=100),
    Query("cold year", q="year:2021 advertising"),
    Query("cold year range", q="year:[2018 TO 2019] privacy"),
    Query("cold date range", q="date:[2020-01-01 TO 2020-06-30] internet"),
    Query("cold misspelled", q="cybercrme"),
    Query("cold long", q="artificial intelligence democracy"),
    Query("cold per page", q="Strasbourg", per_page=100),
)
