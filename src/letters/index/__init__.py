"""The search index: the only package that talks to Whoosh.

Its public API is small: `open_index` gives the `Index` of a home, with `update`, `remove`,
`search`, `spans`, `rebuild`, `count` and `ids`. `schema` defines the fields and the document
of a letter, `queries` reads the query language, `engine` answers searches from cached sets and
orders, `store` opens, writes and rebuilds the index on disk.
"""

# Indexes on disk hold their schema pickled, naming the analyzer filters as `letters.index.X`
# (where they were first defined): they must stay importable from here.
from letters.index.schema import SCHEMA_VERSION, CaseFilter, FoldFilter
from letters.index.store import LOCK_TIMEOUT, Index, IndexBusy, open_index

__all__ = ["LOCK_TIMEOUT", "SCHEMA_VERSION", "CaseFilter", "FoldFilter", "Index", "IndexBusy",
           "open_index"]
