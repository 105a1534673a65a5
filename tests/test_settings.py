"""Settings: every one documented in the README, every one read from the environment."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

from letters.settings import (
    DECLARED,
    MB,
    SETTINGS,
    SettingError,
    Settings,
    addresses,
    from_env,
    proxies,
    readme_table,
)

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_declared_once_with_its_variable_and_meaning() -> None:
    names = [f.name for f in dataclasses.fields(Settings)]
    undeclared = [f.name for f in dataclasses.fields(Settings) if DECLARED not in f.metadata]
    assert undeclared == []
    assert [s.name for s in SETTINGS] == names
    assert all(s.env.startswith("LETTERS_") and s.help.strip() for s in SETTINGS)
    assert len({s.env for s in SETTINGS}) == len(SETTINGS)


def test_the_readme_table_is_made_from_the_declarations() -> None:
    """README.md's settings table is `readme_table()`, verbatim: after changing a setting, paste
    the output of `python -c 'from letters.settings import readme_table; print(readme_table())'`."""
    text = README.read_text(encoding="utf-8")
    start = text.index("| setting | variable | default | meaning |")
    end = text.find("\n\n", start)
    assert text[start:end if end >= 0 else len(text)].rstrip("\n") + "\n" == readme_table()


def test_serve_help_lists_every_variable_with_its_default() -> None:
    done = subprocess.run([sys.executable, "-m", "letters", "serve", "--help"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    listed = dict(re.findall(r"^  (LETTERS_\w+), default (.+)$", done.stdout, re.MULTILINE))
    assert listed == {s.env: s.said_default().replace("`", "") for s in SETTINGS}
    assert listed["LETTERS_MAX_UPLOAD_MB"] == "50" and listed["LETTERS_HOME"] == "current directory"


def test_the_defaults_are_those_the_program_always_had(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    for s in SETTINGS:
        monkeypatch.delenv(s.env, raising=False)
    expected = Settings(home=tmp_path, max_upload_bytes=50 * MB, extract_timeout=120.0,
                        extract_memory_bytes=1024 * MB, open_reading=False, session_seconds=28800,
                        max_query_chars=500, trusted_proxies=(), secure_cookies=False,
                        upload_queue=4, search_engine="whoosh", fixity_every_hours=24.0,
                        smtp_host="", smtp_port=25, alert_from="letters@localhost", alert_to=())
    assert dataclasses.astuple(Settings(home=tmp_path)) == dataclasses.astuple(expected)
    assert from_env(tmp_path) == expected


def test_every_declared_variable_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    wanted = {}
    for s in SETTINGS:
        if s.name == "home":
            continue
        if isinstance(s.default, bool):
            said, value = "1", not s.default
        elif isinstance(s.default, (int, float)):
            said, value = f"{s.default // s.unit + 1:g}", (s.default // s.unit + 1) * s.unit
        elif s.items is proxies:
            said, value = "10.0.0.1", ("10.0.0.1/32",)
        elif s.items is addresses:
            said, value = "a@example.org, b@example.org", ("a@example.org", "b@example.org")
        elif s.choices:
            said = value = next(c for c in s.choices if c != s.default)
        else:
            said, value = " mail.example.org ", "mail.example.org"
        monkeypatch.setenv(s.env, said)
        wanted[s.name] = value
    read = from_env(tmp_path)
    assert {name: getattr(read, name) for name in wanted} == wanted


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LETTERS_HOME", str(tmp_path))
    monkeypatch.setenv("LETTERS_MAX_UPLOAD_MB", "7")
    monkeypatch.setenv("LETTERS_OPEN_READING", "1")
    settings = from_env()
    assert settings.home == tmp_path.resolve()
    assert settings.max_upload_bytes == 7 * MB
    assert settings.open_reading is True
    assert settings.archive_dir == tmp_path.resolve() / "archive"
    assert from_env(tmp_path / "other").home == (tmp_path / "other").resolve()


@pytest.mark.parametrize(("name", "value", "says"), [
    ("LETTERS_MAX_UPLOAD_MB", "abc", "LETTERS_MAX_UPLOAD_MB must be a whole number, not 'abc'."),
    ("LETTERS_EXTRACT_TIMEOUT", "soon", "LETTERS_EXTRACT_TIMEOUT must be a number, not 'soon'."),
    ("LETTERS_SESSION_SECONDS", "-5", "LETTERS_SESSION_SECONDS must be at least 60, not '-5'."),
    ("LETTERS_OPEN_READING", "maybe", "LETTERS_OPEN_READING must be 1 or 0, not 'maybe'."),
    ("LETTERS_EXTRACT_MEMORY_MB", "63", "LETTERS_EXTRACT_MEMORY_MB must be at least 64, not '63'."),
    ("LETTERS_UPLOAD_QUEUE", "-1", "LETTERS_UPLOAD_QUEUE must be at least 0, not '-1'."),
    ("LETTERS_SEARCH_ENGINE", " Lucene", "LETTERS_SEARCH_ENGINE must be whoosh or tantivy, not ' Lucene'."),
    ("LETTERS_TRUSTED_PROXIES", "10.0.0.1, proxy",
     "LETTERS_TRUSTED_PROXIES: 'proxy' is not an address or a network such as 10.0.0.0/8."),
])
def test_a_bad_value_names_the_variable_and_the_value(monkeypatch: pytest.MonkeyPatch, name: str,
                                                      value: str, says: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError) as raised:
        from_env()
    assert str(raised.value) == says


def test_the_command_line_says_which_setting_is_wrong(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "LETTERS_MAX_UPLOAD_MB": "abc"}
    done = subprocess.run([sys.executable, "-m", "letters", "--home", str(tmp_path), "partners"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == "letters: LETTERS_MAX_UPLOAD_MB must be a whole number, not 'abc'."
    assert "Traceback" not in done.stderr
