"""The one settings object: where the home is and the limits the program works under.

Each setting is declared once, as data, on its field of `Settings` (`setting(default, env, help)`,
as datasette declares `Setting(name, default, help)`): `from_env`, README's table
(`readme_table`) and `letters serve --help` (`variables_help`) are made from the declarations.
"""

from __future__ import annotations

import ipaddress
import os
import textwrap
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

MB = 1024 * 1024
#: The key of a Settings field's metadata holding its declaration.
DECLARED = "letters.setting"
T = TypeVar("T")
#: The search engines `LETTERS_SEARCH_ENGINE` may choose.
ENGINES = ("whoosh", "tantivy")


class SettingError(ValueError):
    """An environment variable whose value cannot be used; the message names both."""


def env_number(name: str, raw: str | None, default: float, kind: type[int] | type[float] = int,
               minimum: float = 0) -> int | float:
    """The number environment variable `name` says in `raw` (or `default`), at least `minimum`."""
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


def env_flag(name: str, raw: str | None, default: bool = False) -> bool:
    """Whether environment variable `name` says 1 (or true/yes/on) in `raw` (or `default`)."""
    said = (raw or "").strip().lower()
    if said == "":
        return default
    if said in ("0", "false", "no", "off"):
        return False
    if said in ("1", "true", "yes", "on"):
        return True
    raise SettingError(f"{name} must be 1 or 0, not {raw!r}.")


def proxies(text: str, env: str = "LETTERS_TRUSTED_PROXIES") -> tuple[str, ...]:
    """The networks of a comma-separated list of addresses and networks (SettingError, with a
    sentence, for anything else)."""
    found = []
    for item in (x.strip() for x in text.split(",")):
        if not item:
            continue
        try:
            found.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise SettingError(f"{env}: '{item}' is not an address or a "
                               "network such as 10.0.0.0/8.") from None
    return tuple(found)


def addresses(text: str, env: str = "LETTERS_ALERT_TO") -> tuple[str, ...]:
    """The e-mail addresses of a comma-separated list (SettingError for one without an @)."""
    found = tuple(item.strip() for item in text.split(",") if item.strip())
    for item in found:
        if "@" not in item or any(c.isspace() for c in item):
            raise SettingError(f"{env}: '{item}' is not an e-mail address.")
    return found


@dataclass(frozen=True)
class Setting:
    """One setting as data: the field of `Settings` it fills (name, type and default), the
    environment variable that sets it, and what it means (the README table and
    `letters serve --help` are made from these)."""

    name: str
    default: Any
    env: str
    help: str
    #: The variable counts in these (megabytes of a value in bytes).
    unit: int = 1
    #: The smallest number the variable may say.
    minimum: float = 0
    #: The only words the variable may say (lower case).
    choices: tuple[str, ...] = ()
    #: How a list (a tuple) is read from the variable's comma-separated text, given its name.
    items: Callable[[str, str], tuple[str, ...]] | None = None
    #: The default as people are told it, when the value cannot say it (a home: the current one).
    shown: str = ""
    #: The command-line option that sets it too.
    option: str = ""

    @property
    def kind(self) -> type:
        """The type of the value (that of the default; a path for the home)."""
        return Path if self.default is MISSING else type(self.default)

    def said_default(self) -> str:
        """The default as the documentation says it (in the variable's unit)."""
        if self.shown:
            return self.shown
        if isinstance(self.default, bool):
            return "on (`0` turns it off)" if self.default else "off (`1` turns it on)"
        if isinstance(self.default, tuple):
            return ", ".join(self.default) or "none"
        if isinstance(self.default, str):
            return f"`{self.default}`" if self.default else "none"
        return f"{self.default / self.unit:g}"

    def read(self, raw: str | None) -> Any:
        """The value the variable's text `raw` (None when unset) gives, by the default's type: a
        flag (1 or 0), a number (in `unit`s, at least `minimum`), a list (read by `items`), one
        of `choices` or a word (blank: the default); SettingError, naming the variable and the
        text, for one that cannot be used."""
        if self.kind is bool:
            return env_flag(self.env, raw, self.default)
        if self.kind in (int, float):
            number = env_number(self.env, raw, self.default / self.unit, self.kind, self.minimum)
            return self.kind(number) * self.unit
        if self.items is not None:
            return self.items(raw or "", self.env)
        if self.choices:
            return _choice(self, self.default if raw is None else raw)
        return (raw or "").strip() or self.default


def setting(default: T, env: str, help: str, **how: Any) -> T:
    """A field of `Settings` declared with its variable and meaning (see `Setting`)."""
    declared = Setting(name="", default=default, env=env, help=help, **how)
    made: T = field(default=default, metadata={DECLARED: declared})
    return made


@dataclass(frozen=True)
class Settings:
    """Everything configurable, resolved once and passed down (tests pass a temporary home).
    Each field is declared once, here, with its variable and meaning (`SETTINGS` lists them)."""

    home: Path = field(metadata={DECLARED: Setting(
        name="", default=MISSING, env="LETTERS_HOME", option="--home DIR",
        shown="current directory", help="the home holding `archive/` and `index/`")})
    max_upload_bytes: int = setting(
        50 * MB, "LETTERS_MAX_UPLOAD_MB", unit=MB, minimum=1,
        help="largest upload accepted (413 beyond), refused while streaming")
    extract_timeout: float = setting(
        120.0, "LETTERS_EXTRACT_TIMEOUT", minimum=1,
        help="seconds one file's extraction and OCR may take before it is rejected")
    extract_memory_bytes: int = setting(
        1024 * MB, "LETTERS_EXTRACT_MEMORY_MB", unit=MB, minimum=64,
        help="memory limit of the process that reads an untrusted PDF")
    open_reading: bool = setting(
        False, "LETTERS_OPEN_READING",
        help="reading without login (the demo of `make run`), announced on every page")
    session_seconds: int = setting(
        8 * 3600, "LETTERS_SESSION_SECONDS", minimum=60, help="how long a login session lasts")
    max_query_chars: int = setting(
        500, "LETTERS_MAX_QUERY_CHARS", minimum=1, help="longest search query accepted")
    trusted_proxies: tuple[str, ...] = setting(
        (), "LETTERS_TRUSTED_PROXIES", items=proxies,
        help="comma-separated addresses or networks of reverse proxies: only from these peers "
             "are `X-Forwarded-For` (the client's address, for the login limit and the audit "
             "log) and `X-Forwarded-Proto` believed")
    secure_cookies: bool = setting(
        False, "LETTERS_SECURE_COOKIES",
        help="mark every cookie Secure (the site is served over HTTPS by a proxy); without it "
             "cookies are Secure when the request came over HTTPS, directly or through a "
             "trusted proxy")
    upload_queue: int = setting(
        4, "LETTERS_UPLOAD_QUEUE",
        help="uploads that may wait while one is ingested; more get 503 with a sentence")
    upload_read_seconds: float = setting(
        30.0, "LETTERS_UPLOAD_READ_SECONDS", minimum=1,
        help="how long an upload's body may pause; after that grace it must keep up 8 KB a "
             "second on average, else 408 with a sentence")
    renders: int = setting(
        2, "LETTERS_RENDERS", minimum=1,
        help="page images rendered at once, in all (one per reader at a time); the others wait "
             "their turn, up to 8 per reader (429 beyond) and 8 per render in all (503 beyond), "
             "each refusal a sentence with `Retry-After`")
    phrase_positions: int = setting(
        200_000, "LETTERS_PHRASE_POSITIONS", minimum=1000,
        help="positions of phrase words one search may read on Whoosh (a few seconds' work); "
             "more is refused with 400 and a sentence. Raise it for a large Whoosh archive, or "
             "choose Tantivy")
    search_engine: str = setting(
        "whoosh", "LETTERS_SEARCH_ENGINE", choices=ENGINES,
        help="the search engine, `whoosh` or `tantivy` (see \"Choosing a search engine\"); an "
             "index made by the other engine is rebuilt at start-up or by `letters reindex`")
    fixity_every_hours: float = setting(
        24.0, "LETTERS_FIXITY_EVERY_HOURS", minimum=0,
        help="hours between two fixity checks of the whole archive that `letters serve` runs by "
             "itself (when the last is older, a check runs 10 minutes after the start, or one "
             "interval if shorter); `0` turns the schedule off. Each check is a `verify` event "
             "of `schedule` in the audit log; "
             "auditors and admins see a banner on every page when the last check found "
             "problems or is older than the interval")
    smtp_host: str = setting(
        "", "LETTERS_SMTP_HOST",
        help="the SMTP server through which a scheduled check that finds a problem e-mails the "
             "auditors (none: no e-mail); each e-mail is a `fixity_alert` event (`sent` true or "
             "false, and why)")
    smtp_port: int = setting(25, "LETTERS_SMTP_PORT", minimum=1, help="its port")
    alert_from: str = setting(
        "letters@localhost", "LETTERS_ALERT_FROM", help="the sender of those e-mails")
    alert_to: tuple[str, ...] = setting(
        (), "LETTERS_ALERT_TO", items=addresses,
        help="comma-separated e-mail addresses of the auditors who receive them")

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


def from_env(home: str | Path | None = None) -> Settings:
    """Build settings from the environment: the home from `--home`, then `LETTERS_HOME`, then the
    current directory; every other setting from its variable, else its default."""
    chosen = Path(home or os.environ.get("LETTERS_HOME") or ".").resolve()
    values = {s.name: s.read(os.environ.get(s.env)) for s in SETTINGS if s.name != "home"}
    return Settings(home=chosen, **values)


def readme_table() -> str:
    """The settings table of README.md, made from the declarations."""
    rows = ["| setting | variable | default | meaning |", "| --- | --- | --- | --- |"]
    for s in SETTINGS:
        variable = f"`{s.env}`" + (f" (or `{s.option}`)" if s.option else "")
        rows.append(f"| `{s.name}` | {variable} | {s.said_default()} | {s.help} |")
    return "\n".join(rows) + "\n"


def variables_help() -> str:
    """The environment variables, their defaults and meanings, as plain text for `--help`."""
    lines = ["environment variables (README.md, \"Settings\"):"]
    for s in SETTINGS:
        lines.append(f"  {s.env}, default {s.said_default().replace('`', '')}")
        lines.extend(textwrap.wrap(s.help.replace("`", ""), 74, initial_indent="      ",
                                   subsequent_indent="      "))
    return "\n".join(lines)


def _choice(declared: Setting, value: str) -> str:
    name = value.strip().lower() or declared.default
    if name not in declared.choices:
        raise SettingError(f"{declared.env} must be {' or '.join(declared.choices)}, "
                           f"not {value!r}.")
    return str(name)


#: Every setting, in the order of `Settings`, from the declarations of its fields.
SETTINGS: tuple[Setting, ...] = tuple(
    replace(f.metadata[DECLARED], name=f.name) for f in fields(Settings))
