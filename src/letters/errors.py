"""The domain's errors, in one module that every layer may import without a cycle."""

from __future__ import annotations


class NotFound(LookupError):
    """No letter, partner or Secretary General by that identifier."""


class InvalidCorrection(ValueError):
    """A correction that cannot be applied; the message says why."""


class QueryError(ValueError):
    """A malformed search query or filter; the message points at the problem in one line."""


class IndexUnavailable(RuntimeError):
    """The search index cannot answer (damaged, or made for another engine or schema): searching
    waits for `letters reindex` or a restart, which rebuild it; the message says so."""
