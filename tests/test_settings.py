"""Settings: every one documented in the README, every one read from the environment."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from letters.settings import MB, Settings, from_env

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
