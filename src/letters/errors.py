"""The domain's errors, in one module that every layer may import without a cycle."""

from __future__ import annotations

from letters.messages import Message, written


class Explained(Exception):
    """An error that says why as a message (`.message`: a code and its parameters); str(error)
    is its English."""

    def __init__(self, message: Message | str) -> None:
        self.message = message if isinstance(message, Message) else written(message)
        super().__init__(str(self.message))


class NotFound(Explained, LookupError):
    """No letter, partner or Secretary General by that identifier; the message is a code whose
    parameter is the identifier, never a sentence to match (an identifier is the client's text)."""


class InvalidCorrection(ValueError):
    """A correction that cannot be applied; the message says why.

    `field` names the value at fault (when one is); `code` and `params` let the web layer say it
    in the reader's language (the message is the English sentence).
    """

    def __init__(self, message: str, field: str | None = None, code: str = "",
                 **params: object) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.params = params


class QueryError(Explained, ValueError):
    """A malformed search query or filter; the message points at the problem in one line."""


class IndexUnavailable(Explained, RuntimeError):
    """The search index cannot answer (damaged, or made for another engine or schema): searching
    waits for `letters reindex` or a restart, which rebuild it; the message says so."""


class LockBusy(Explained):
    """A lock another program held for longer than a writer waits (a stalled or hostile process
    holding a letter's lock, the archive's or the audit log's): nothing was changed."""
