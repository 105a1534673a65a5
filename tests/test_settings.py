"""Settings: every one documented in the README, every one read from the environment."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from letters.settings import MB, SettingError, Settings, from_env

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [f.name for f in dataclasses.fields(Settings) if f"| `{f.name}` |" not in text]
    assert missing == []


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
