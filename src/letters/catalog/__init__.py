"""The catalog: the read model of the archive, in SQLite, under `index/` (see `store`)."""

from letters.catalog.schema import FILE, SCHEMA_VERSION
from letters.catalog.store import Catalog, open_catalog

__all__ = ["FILE", "SCHEMA_VERSION", "Catalog", "open_catalog"]
