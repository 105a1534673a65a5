"""The domain's errors, in one module that every layer may import without a cycle."""

from __future__ import annotations


class NotFound(LookupError):
    """No letter, partner or Secretary General by that identifier."""


class InvalidCorrection(ValueError):
    """A correction that cannot be applied; the message says why."""
