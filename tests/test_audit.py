"""The audit trail: a hash chain that shows edited, deleted and reordered events."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from letters.cli import main
from letters.preservation import audit
from support.disk import small_disk


@pytest.fixture
def log(tmp_path: Path) -> Path:
    """An archive directory with five events."""
    archive = tmp_path / "home" / "archive"
    for n in range(5):
        audit.record(archive, "upload", f"user{n}", {"id": f"{n:016x}"}, address="127.0.0.1")
    return archive


def lines(archive: Path) -> list[str]:
    """The log's lines."""
    return (archive / audit.LOG).read_text(encoding="utf-8").splitlines()


def rewrite(archive: Path, new: list[str]) -> None:
    """Replace the log's lines."""
    (archive / audit.LOG).write_text("".join(x + "\n" for x in new), encoding="utf-8")


def test_events_are_chained_and_read_back(log: Path) -> None:
    events = audit.events(log)
    assert [e["who"] for e in events] == [f"user{n}" for n in range(5)]
    assert events[0]["prev"] == audit.GENESIS
    assert all(e["address"] == "127.0.0.1" and e["at"] for e in events)
    assert events[1]["prev"] != events[2]["prev"]
    check = audit.verify(log)
    assert (check.ok, check.events, check.broken_at) == (True, 5, None)
    head = json.loads((log / audit.HEAD).read_text())
    assert head["events"] == 5


def test_an_edited_event_is_named(log: Path) -> None:
    current = lines(log)
    current[1] = current[1].replace("user1", "mallory")
    rewrite(log, current)
    check = audit.verify(log)
    assert not check.ok and check.broken_at == 2
    assert check.problem is not None and check.problem.startswith("event 2 (upload at ")
    assert "edited" in check.problem


def test_an_edited_last_event_is_found_by_the_head(log: Path) -> None:
    current = lines(log)
    current[4] = current[4].replace("user4", "mallory")
    rewrite(log, current)
    check = audit.verify(log)
    assert not check.ok and check.broken_at == 5
    assert check.problem is not None and "edited" in check.problem


def test_a_deleted_event_breaks_the_chain(log: Path) -> None:
    current = lines(log)
    del current[2]
    rewrite(log, current)
    check = audit.verify(log)
    assert not check.ok and check.broken_at == 3 and check.events == 4


def test_deleted_last_events_are_found_by_the_head(log: Path) -> None:
    rewrite(log, lines(log)[:3])
    check = audit.verify(log)
    assert not check.ok and check.broken_at == 4
    assert check.problem is not None and "deleted" in check.problem


def test_reordered_events_break_the_chain(log: Path) -> None:
    current = lines(log)
    current[1], current[2] = current[2], current[1]
    rewrite(log, current)
    check = audit.verify(log)
    assert not check.ok and check.broken_at == 2


def legacy(archive: Path, count: int) -> None:
    """A log as an older version wrote it: chained, no authentication codes, no key."""
    previous = audit.GENESIS
    archive.mkdir(parents=True)
    with open(archive / audit.LOG, "w", encoding="utf-8") as handle:
        for n in range(count):
            line = json.dumps({"at": "2024-01-01T00:00:00Z", "who": f"user{n}", "action": "login",
                               "what": {}, "address": None, "prev": previous}, sort_keys=True)
            handle.write(line + "\n")
            previous = audit._digest(line)


def test_an_older_log_without_key_or_head_is_checked_by_its_chain(tmp_path: Path) -> None:
    archive = tmp_path / "home" / "archive"
    legacy(archive, 5)
    assert audit.verify(archive).ok
    audit.record(archive, "export", "auditor")  # from now on authenticated
    assert audit.verify(archive).ok and audit.verify(archive).events == 6
    current = lines(archive)
    current[0] = current[0].replace("user0", "mallory")
    rewrite(archive, current)
    check = audit.verify(archive)
    assert check.broken_at == 1  # the edited event itself, not the one after it
    assert check.problem is not None and check.problem.startswith("event 1 (login at ")
    assert "edited" in check.problem


def test_a_log_whose_head_was_deleted_is_refused(log: Path) -> None:
    (log / audit.HEAD).unlink()
    check = audit.verify(log)
    assert not check.ok and check.problem is not None and "missing" in check.problem


def test_an_event_appended_by_hand_is_found(log: Path) -> None:
    current = lines(log)
    for n in (5, 6):
        event = {"at": "2030-01-01T00:00:00Z", "who": f"mallory{n}", "action": "upload", "what": {},
                 "address": None, "prev": audit._digest(current[-1])}
        current.append(json.dumps(event, sort_keys=True))
    rewrite(log, current)
    check = audit.verify(log)
    assert not check.ok and check.broken_at == 6
    assert check.problem is not None and "by hand" in check.problem


def test_cli_audit_verify(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = str(log.parent)
    assert main(["audit", "verify", "--home", home]) == 0
    assert capsys.readouterr().out.strip() == "intact: 5 events"
    current = lines(log)
    current[2] = current[2].replace("user2", "mallory")
    rewrite(log, current)
    assert main(["audit", "verify", "--home", home]) == 1
    out = capsys.readouterr().out.strip()
    assert out.startswith("broken: event 3 (upload at ") and "\n" not in out


def test_cli_audit_verify_on_an_empty_home(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify", "--home", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == "intact: 0 events"


def test_an_event_whose_head_a_crash_did_not_write_is_built_on(tmp_path: Path) -> None:
    archive = tmp_path / "home" / "archive"
    for number in range(3):
        audit.record(archive, "login", f"user{number}")
    head = archive / audit.HEAD
    before = head.read_text()
    audit.record(archive, "login", "user3")
    head.write_text(before)  # as if the crash hit between the event and its head
    audit.anchor_path(archive).write_text(before)
    audit.record(archive, "login", "user4")
    assert json.loads(head.read_text())["events"] == 5
    assert audit.verify(archive).ok


def test_a_head_that_disagrees_is_never_resigned(tmp_path: Path) -> None:
    archive = tmp_path / "home" / "archive"
    for number in range(3):
        audit.record(archive, "login", f"user{number}")
    head = archive / audit.HEAD
    head.write_text(json.dumps({"events": 1, "last": "0" * 64}))
    with pytest.raises(audit.AuditRefused, match="audit-head.json was not written"):
        audit.record(archive, "login", "user3")
    assert len(lines(archive)) == 3 and json.loads(head.read_text())["events"] == 1
    assert [r["action"] for r in audit.refused(archive)] == ["login"]


# -- attacks by someone who can write archive/ but not read .letters/audit.key ---------------------
def rechain(archive: Path, current: list[str], start: int) -> list[str]:
    """Recompute every `prev` from event `start` (0-based) on, and write a matching head without
    the key: what an attacker who can write the archive can do."""
    out = current[:start]
    for line in current[start:]:
        event = json.loads(line)
        event["prev"] = audit._digest(out[-1]) if out else audit.GENESIS
        out.append(json.dumps(event, sort_keys=True, ensure_ascii=False))
    rewrite(archive, out)
    (archive / audit.HEAD).write_text(json.dumps({"events": len(out),
                                                  "last": audit._digest(out[-1])}))
    return out


def test_an_edited_and_rechained_event_is_found(log: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    current = lines(log)
    current[2] = current[2].replace("user2", "mallory")
    rechain(log, current, 2)
    assert main(["audit", "verify", "--home", str(log.parent)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("broken: event 3 (upload at ") and "edited" in out


def test_a_forged_event_appended_with_the_right_prev_is_found(log: Path) -> None:
    current = lines(log)
    forged = {"at": "2030-01-01T00:00:00Z", "who": "mallory", "action": "upload", "what": {},
              "address": None, "prev": audit._digest(current[-1]), "mac": "0" * 64}
    rechain(log, [*current, json.dumps(forged, sort_keys=True)], 5)
    check = audit.verify(log)
    assert not check.ok and check.broken_at == 6


def test_truncation_with_the_head_deleted_or_rewritten_is_found(log: Path) -> None:
    for n in range(20):
        audit.record(log, "login", f"late{n}")
    kept = lines(log)[:-20]
    rewrite(log, kept)
    (log / audit.HEAD).unlink()
    assert not audit.verify(log).ok
    rechain(log, kept, len(kept))
    check = audit.verify(log)
    assert not check.ok and check.problem is not None and "truncated or rewritten" in check.problem
    rewrite(log, [])
    (log / audit.HEAD).unlink()
    assert not audit.verify(log).ok  # an emptied log of a home that has recorded events


def test_a_flipped_byte_is_blamed_on_its_own_event(tmp_path: Path) -> None:
    archive = tmp_path / "home" / "archive"
    for n in range(140):
        audit.record(archive, "login", f"user{n}")
    current = lines(archive)
    victim = bytearray(current[132].encode())
    victim[victim.index(b"user132") + 4] ^= 0x01
    current[132] = victim.decode()
    rewrite(archive, current)
    check = audit.verify(archive)
    assert (check.ok, check.broken_at) == (False, 133)


def test_the_key_is_kept_outside_the_archive(log: Path) -> None:
    key = audit.key_path(log)
    assert key.parent == log.parent / ".letters" and key.is_file()
    assert all('"mac": ' in line for line in lines(log))
    key.unlink()
    check = audit.verify(log)
    assert not check.ok and check.problem is not None and "key" in check.problem


# -- the log is append-only in fact: never re-signed over what it became (issue 22, finding 1) ----
def test_a_truncated_log_is_not_laundered_by_the_next_event(
        log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = str(log.parent)
    rewrite(log, lines(log)[:3])
    (log / audit.HEAD).unlink()
    main(["verify", "--home", home])  # records an event: refused, with a sentence
    err = capsys.readouterr().err
    assert "audit log cannot record this" in err and "letters audit verify" in err
    assert len(lines(log)) == 3 and not (log / audit.HEAD).exists()
    assert main(["audit", "verify", "--home", home]) == 1
    out = capsys.readouterr().out
    assert out.startswith("broken: ") and "refused: 1 write refused" in out
    rewrite(log, [])  # emptied: still not "intact: 1 event" after the next event
    main(["verify", "--home", home])
    assert lines(log) == []
    assert main(["audit", "verify", "--home", home]) == 1


def test_deleting_the_log_and_its_head_is_seen_from_the_anchor(log: Path) -> None:
    (log / audit.LOG).unlink()
    (log / audit.HEAD).unlink()
    check = audit.verify(log)
    assert not check.ok and check.problem is not None and "held 5 events" in check.problem
    with pytest.raises(audit.AuditRefused, match="it held 5 events"):
        audit.record(log, "login", "mallory")


def test_a_torn_last_line_is_reported_and_not_built_on(log: Path) -> None:
    with open(log / audit.LOG, "a", encoding="utf-8") as handle:
        handle.write('{"action": "login", "at": "2030')  # a write cut short
    check = audit.verify(log)
    assert not check.ok and check.broken_at == 6
    assert check.problem is not None and "half-written" in check.problem
    with pytest.raises(audit.AuditRefused, match="half-written"):
        audit.record(log, "login", "user5")
    assert (log / audit.LOG).read_text(encoding="utf-8").endswith('"at": "2030')


def test_a_missing_key_stops_writing_with_a_sentence(
        log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = audit.key_path(log)
    key.unlink()
    main(["verify", "--home", str(log.parent)])
    err = capsys.readouterr().err
    assert "its key" in err and "is missing" in err
    assert not key.exists() and len(lines(log)) == 5  # never silently replaced


def test_a_head_moved_back_with_its_log_is_refused(log: Path) -> None:
    """An attacker who kept a copy of an older log and head cannot put them back unseen."""
    head = (log / audit.HEAD).read_text()
    audit.record(log, "login", "late")
    rewrite(log, lines(log)[:5])
    (log / audit.HEAD).write_text(head)
    check = audit.verify(log)
    assert not check.ok and check.problem is not None and audit.ANCHOR in check.problem
    with pytest.raises(audit.AuditRefused, match="copy kept outside the archive"):
        audit.record(log, "login", "mallory")


def test_an_ingest_is_refused_before_anything_is_archived(
        log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pdfkit

    rewrite(log, lines(log)[:4])
    pdf = pdfkit.write_text_pdf(tmp_path / "letter.pdf", [["Dear Secretary General", "2020-01-01"]])
    assert main(["ingest", str(pdf), "--home", str(log.parent)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("letters: The audit log cannot record this: it is not the log of 5 "
                          "events its head recorded")
    assert not (log / "letters").exists() and len(lines(log)) == 4


def test_an_event_whose_head_a_full_disk_refuses_is_taken_back(tmp_path: Path) -> None:
    """A full disk may hold an event's line (the log's last block has room) and refuse its head
    (a new file): the event is taken back, so two such refusals in a row leave the log whole,
    not two events beyond its head, which no later write could build on."""
    home = tmp_path / "home"
    with small_disk(home, "64k"):
        archive = home / "archive"
        audit.record(archive, "login", "user0")
        fd = os.open(home / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            for _ in range(10_000):  # a disk of 64 KB is full long before
                os.write(fd, b"\0" * 4096)
        except OSError:
            pass
        finally:
            os.close(fd)
        for number in (1, 2):
            with pytest.raises(OSError, match="No space left"):
                audit.record(archive, "login", f"user{number}")
        (home / "filler").unlink()
        audit.record(archive, "login", "user3")
        assert [e["who"] for e in audit.events(archive)] == ["user0", "user3"]
        assert audit.verify(archive).ok
