"""The one settings object: where the home is and the limits the program works under."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Everything configurable, resolved once and passed down (tests pass a temporary home)."""

    home: Path
    #: Largest upload accepted, in bytes (413 beyond).
    max_upload_bytes: int = 50 * MB
    #: Seconds one file's extraction (and OCR) may take in its worker process.
    extract_timeout: float = 120.0
    #: Address-space limit of the extraction worker, in bytes.
    extract_memory_bytes: int = 1024 * MB
    #: When true, reading (search, letters, downloads) needs no login: the demo of `make run`.
    open_reading: bool = False
    #: Seconds a login session lasts.
    session_seconds: int = 8 * 3600
    #: Longest query accepted, in characters.
    max_query_chars: int = 500
    #: Reverse proxies (addresses or networks) whose X-Forwarded-For and X-Forwarded-Proto are
    #: believed; from any other peer those headers are ignored.
    trusted_proxies: tuple[str, ...] = ()
    #: When true, cookies are always marked Secure (the site is served over HTTPS by a proxy).
    secure_cookies: bool = False
    #: Uploads that may wait for the one being ingested; more are refused with 503.
    upload_queue: int = 4
    #: Seconds an upload's body may go without a byte, and its grace before it must keep up at
    #: least `upload.SLOWEST` bytes a second; a slower body is refused with 408.
    upload_read_seconds: float = 30.0
    #: Page images rendered at once, in all, one per reader at a time (the others wait their
    #: turn, a few at most: see `web.admission.Renders`).
    renders: int = 2
    #: The search engine: "whoosh" (pure Python) or "tantivy" (Rust; fast cold searches).
    search_engine: str = "whoosh"
    #: Positions of phrase words one search may read on Whoosh (more: 400 with a sentence).
    phrase_positions: int = 200_000

    @property
    def archive_dir(self) -> Path:
        """The source of truth: originals, records, text, history, audit log."""
        return self.home / "archive"

    @property
    def index_dir(self) -> Path:
        """Everything derived from `archive_dir` and rebuildable: the catalog, the search index."""
        return self.home / "index"

    @property
    def search_dir(self) -> Path:
        """The search index (a rebuild replaces this directory alone, never the catalog)."""
        return self.index_dir / "search"

    @property
    def private_dir(self) -> Path:
        """Users, tokens and the session key: never part of the archive."""
        return self.home / ".letters"


class SettingError(ValueError):
    """An environment variable whose value cannot be used; the message names both."""


def env_number(name: str, default: float, kind: type[int] | type[float] = int,
               minimum: float = 0) -> int | float:
    """The number in environment variable `name` (or `default`), at least `minimum`."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return kind(default)
    try:
        value = kind(raw.strip())
    except ValueError:
        article = "a whole number" if kind is int else "a number"
        raise SettingError(f"{name} must be {article}, not {raw!r}.") from None
    if value < minimum:
        raise SettingError(f"{name} must be at least {minimum:g}, not {raw!r}.")
    return value


def env_flag(name: str) -> bool:
    """Whether environment variable `name` is set to 1 (or true/yes/on)."""
    raw = os.environ.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingError(f"{name} must be 1 or 0, not {os.environ[name]!r}.")


def from_env(home: str | Path | None = None) -> Settings:
    """Build settings from `--home`, then `LETTERS_HOME`, then the current directory."""
    chosen = Path(home or os.environ.get("LETTERS_HOME") or ".").resolve()
    return Settings(
        home=chosen,
        max_upload_bytes=int(env_number("LETTERS_MAX_UPLOAD_MB", 50, minimum=1)) * MB,
        extract_timeout=float(env_number("LETTERS_EXTRACT_TIMEOUT", 120, float, minimum=1)),
        extract_memory_bytes=int(env_number("LETTERS_EXTRACT_MEMORY_MB", 1024, minimum=64)) * MB,
        open_reading=env_flag("LETTERS_OPEN_READING"),
        session_seconds=int(env_number("LETTERS_SESSION_SECONDS", 8 * 3600, minimum=60)),
        max_query_chars=int(env_number("LETTERS_MAX_QUERY_CHARS", 500, minimum=1)),
        trusted_proxies=proxies(os.environ.get("LETTERS_TRUSTED_PROXIES", "")),
        secure_cookies=env_flag("LETTERS_SECURE_COOKIES"),
        upload_queue=int(env_number("LETTERS_UPLOAD_QUEUE", 4, minimum=0)),
        upload_read_seconds=float(env_number("LETTERS_UPLOAD_READ_SECONDS", 30, float,
                                             minimum=1)),
        renders=int(env_number("LETTERS_RENDERS", 2, minimum=1)),
        search_engine=_engine(os.environ.get("LETTERS_SEARCH_ENGINE", "whoosh")),
        phrase_positions=int(env_number("LETTERS_PHRASE_POSITIONS", 200_000, minimum=1000)),
    )


def proxies(text: str) -> tuple[str, ...]:
    """The networks of a comma-separated list of addresses and networks (SettingError, with a
    sentence, for anything else)."""
    found = []
    for item in (x.strip() for x in text.split(",")):
        if not item:
            continue
        try:
            found.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise SettingError(f"LETTERS_TRUSTED_PROXIES: '{item}' is not an address or a "
                               "network such as 10.0.0.0/8.") from None
    return tuple(found)


ENGINES = ("whoosh", "tantivy")


def _engine(value: str) -> str:
    name = value.strip().lower() or "whoosh"
    if name not in ENGINES:
        raise SettingError(f"LETTERS_SEARCH_ENGINE must be whoosh or tantivy, not {value!r}.")
    return name
