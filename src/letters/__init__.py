"""letters: the archive of the Council of Europe's Digital Partnership exchange-of-letters agreements."""

__version__ = "0.1.0"
