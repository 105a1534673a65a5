"""A program that only reads the archive can still take a shared lock on a letter's lock file or
on the audit log; writers wait for it a bounded time, then refuse with a sentence and change
nothing (issue 22: such a lock stalled every write with no timeout)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from letters import fsutil
from letters.cli import main
from letters.preservation import audit
from support.api import client
from support.server import LiveServer
from support.webhome import WebHome

HOLDER = """
import fcntl, sys, time
handle = open(sys.argv[1], "a+b")
fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
print("held", flush=True)
time.sleep(120)
"""


@contextmanager
def held_by_another_program(path: Path) -> Iterator[None]:
    """A separate process holding a shared lock on `path`, as a reader of the archive could."""
    path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def test_a_correction_waits_a_bounded_time_for_a_letter_held_elsewhere(
        fresh: tuple[LiveServer, WebHome], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fsutil, "LOCK_WAIT", 0.5)
    server, home = fresh
    ident = home.ids["ripe-fr.pdf"]
    lock = server.app.state.web.letters.settings.archive_dir / ".locks" / ident
    with client(server, home, "archivist") as http:
        before = http.get(f"/api/letters/{ident}").json()
        with held_by_another_program(lock):
            started = time.monotonic()
            refused = http.patch(f"/api/letters/{ident}", json={"signed_by": "Someone Else"})
            french = http.patch(f"/api/letters/{ident}", json={"signed_by": "Someone Else"},
                                headers={"Accept-Language": "fr"})
            waited = time.monotonic() - started
        after = http.get(f"/api/letters/{ident}").json()
        assert refused.status_code == 503 and refused.headers["retry-after"] == "30"
        assert refused.json()["detail"] == (
            f"The letter {ident} stayed locked by another program for 0.5 seconds, so nothing was "
            "changed: try again; if it goes on, ask the administrator which program holds it")
        assert french.json()["detail"].startswith(f"La lettre {ident} est resté verrouillé")
        assert after == before, "nothing changed"
        assert waited < 60, "it did not wait for the other program to let go"
        done = http.patch(f"/api/letters/{ident}", json={"signed_by": "Someone Else"})
        assert done.status_code == 200 and done.json()["signed_by"] == "Someone Else"


def test_a_command_refuses_with_a_sentence_while_the_audit_log_is_held(
        web_template: WebHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(fsutil, "LOCK_WAIT", 0.5)
    home = tmp_path / "home"
    import shutil

    shutil.copytree(web_template.path, home)
    log = home / "archive" / audit.LOG
    events = len(log.read_text(encoding="utf-8").splitlines())
    with held_by_another_program(log):
        status = main(["--home", str(home), "partners", "add", "zeta-networks", "--name",
                       "Zeta Networks", "--kind", "company"])
    said = capsys.readouterr().err
    assert status == 1
    assert said.strip() == ("letters: The audit log stayed locked by another program for 0.5 "
                            "seconds, so nothing was changed: try again; if it goes on, ask the "
                            "administrator which program holds it")
    assert len(log.read_text(encoding="utf-8").splitlines()) == events
    assert "zeta-networks" not in (home / "archive" / "registry-changes.jsonl").read_text(
        encoding="utf-8") if (home / "archive" / "registry-changes.jsonl").exists() else True
    # the same command succeeds once the other program has let go
    assert main(["--home", str(home), "partners", "add", "zeta-networks", "--name",
                 "Zeta Networks", "--kind", "company"]) == 0
    assert len(log.read_text(encoding="utf-8").splitlines()) == events + 1
