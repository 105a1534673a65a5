"""Shared fixtures: a temporary home, the PDF builders of scripts/."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "scripts"))

from letters.service import Letters  # noqa: E402
from letters.settings import Settings  # noqa: E402


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty home (archive/ and index/ are created on first use)."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def settings(home: Path) -> Settings:
    """Settings for the temporary home."""
    return Settings(home=home)


@pytest.fixture
def app(settings: Settings) -> Letters:
    """The application object on the temporary home."""
    return Letters(settings)
