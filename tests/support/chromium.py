"""Where the system Chromium runs from and where browser tests leave their screenshots."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


#: Screenshots and other artifacts of the browser tests (git-ignored).
ARTIFACTS = ROOT / "test-artifacts"


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
