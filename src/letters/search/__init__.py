"""Search: the query language, the plan of a request, snippets and the engines behind one index.

This module is the package's public face: the rest of the program and its tests import these
names from `letters.search` alone (tests/test_architecture.py checks it). The interior is private:
`_syntax` (the syntax tree of a query), `_language` (reading a query into it), `_planning` (the
request and result types and the one check of a request), `_snippets` (windows of text with the
searched words marked) and `index/` (the engine-neutral `Index`, the engine protocol, and the only
modules importing Whoosh or Tantivy).
"""

from letters.search._language import DIRECTIONS, STATUSES, QueryError
from letters.search._planning import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    SORTS,
    Hit,
    IndexUnavailable,
    SearchRequest,
    SearchResult,
    Snippet,
    Sort,
)
from letters.search._snippets import as_brackets, split
from letters.search.index.protocol import SearchIndex
from letters.search.index.store import Index, IndexBusy, open_index

__all__ = [
    "DEFAULT_PER_PAGE", "DIRECTIONS", "Hit", "Index", "IndexBusy", "IndexUnavailable", "MAX_PER_PAGE",
    "QueryError", "SORTS", "STATUSES", "SearchIndex", "SearchRequest", "SearchResult", "Snippet", "Sort",
    "as_brackets", "open_index", "split"
]
