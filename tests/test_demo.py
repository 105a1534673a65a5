"""`make run` (scripts/demo.py): the port is checked before anything is touched, a demo started again
keeps its account, and its copied originals are read-only."""

from __future__ import annotations

import socket
import stat
import subprocess
import sys
from pathlib import Path

import demo

from letters.settings import Settings
from letters.users import Users

ROOT = Path(__file__).resolve().parents[1]


def test_a_taken_port_changes_nothing_and_says_what_to_do(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    with socket.socket() as running:  # a demo already listening there
        running.bind(("127.0.0.1", 0))
        running.listen()
        port = running.getsockname()[1]
        answer = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo.py"), "--home",
                                 str(home), "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
    assert answer.returncode == 1
    assert f"cannot serve on 127.0.0.1:{port}: it is already in use" in answer.stderr
    assert f"make run PORT={port + 1}" in answer.stderr
    assert "password" not in answer.stdout
    assert not home.exists()  # no copy made, no account touched


def test_a_free_port_passes_the_check() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert demo.port_taken("127.0.0.1", port) is None
    assert demo.main(["--check-port", "--port", str(port)]) == 0


def test_a_restarted_demo_keeps_its_account_and_its_originals_are_read_only(tmp_path: Path) -> None:
    home = demo.demo_home(tmp_path / "demo")
    originals = list((home / "archive" / "letters").glob("*/*/original.pdf"))
    assert originals and all(stat.S_IMODE(p.stat().st_mode) == 0o444 for p in originals)
    settings = Settings(home=home)
    first = demo.demo_account(settings)
    again = demo.demo_account(settings)
    assert again == first
    assert Users(settings).authenticate(demo.ACCOUNT, first) is not None
    kept = settings.private_dir / demo.PASSWORD_FILE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    fresh = demo.demo_account(settings, new=True)
    assert fresh != first and Users(settings).authenticate(demo.ACCOUNT, first) is None
    assert demo.demo_account(settings) == fresh
