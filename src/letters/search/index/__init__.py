"""The search index: one engine-neutral `Index` over the engine the settings choose.

Its public API is small: `open_index` gives the `Index` of a home, with `update`, `remove`,
`search`, `spans`, `rebuild`, `count` and `ids`. `documents` says what is indexed of a letter,
`lowering` turns a query's syntax tree into primitive queries, `marking` finds the searched words
for snippets and did-you-mean, `store` opens, writes and rebuilds the index on disk, and
`whoosh_engine` / `tantivy_engine` (the only modules importing an engine) run it.
"""

from letters.search.index.documents import SCHEMA_VERSION
from letters.search.index.store import LOCK_TIMEOUT, Index, IndexBusy, open_index

__all__ = ["LOCK_TIMEOUT", "SCHEMA_VERSION", "Index", "IndexBusy", "open_index"]
