"""Fixity on a schedule: `letters serve` checks the archive every so often, e-mails the auditors
(through a real SMTP server) when a check finds a problem, records it in the audit log, and pages
show auditors and admins a banner."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller

from letters.preservation import audit
from letters.schedule import Schedule, seconds_until_due, status_of
from letters.service import Letters
from letters.settings import SettingError, Settings, from_env
from support.processes import free_port
from support.server import LiveServer
from support.web import browser, text_of
from support.webhome import WebHome, copy_web_home

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


class Inbox:
    """What a real SMTP server on 127.0.0.1 received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        self.arrived.set()
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server (aiosmtpd) on a free port of 127.0.0.1."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def tamper(home: WebHome, name: str) -> Path:
    """Append bytes to the original of one letter of the web home; its path."""
    original = Letters(Settings(home=home.path)).archive.original_path(home.ids[name])
    original.chmod(0o644)
    with original.open("ab") as handle:
        handle.write(b"\n% appended\n")
    return original


def test_when_a_check_is_due_and_what_the_banner_says() -> None:
    every = timedelta(hours=24)
    assert seconds_until_due(None, every, NOW) == 0
    assert seconds_until_due(NOW - timedelta(hours=1), every, NOW) == 23 * 3600
    assert seconds_until_due(NOW - timedelta(hours=30), every, NOW) == 0
    never = status_of(None, every, NOW)
    assert never.overdue and never.needs_attention and never.at is None
    fresh = status_of({"at": "2026-12-06T11:00:00Z", "problems": []}, every, NOW)
    assert not fresh.needs_attention
    late = status_of({"at": "2026-12-04T11:00:00Z", "problems": []}, every, NOW)
    assert late.overdue and late.problems == 0
    found = status_of({"at": "2026-12-06T11:00:00Z", "problems": [{"id": "x"}]}, every, NOW)
    assert found.needs_attention and not found.overdue and found.problems == 1


def test_the_settings_of_the_schedule_and_the_mail(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    monkeypatch.setenv("LETTERS_FIXITY_EVERY_HOURS", "0.5")
    monkeypatch.setenv("LETTERS_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("LETTERS_SMTP_PORT", "2525")
    monkeypatch.setenv("LETTERS_ALERT_TO", "a@example.org, b@example.org")
    settings = from_env(tmp_path)
    assert (settings.fixity_every_hours, settings.smtp_host, settings.smtp_port) == (
        0.5, "mail.example.org", 2525)
    assert settings.alert_to == ("a@example.org", "b@example.org")
    assert settings.alert_from == "letters@localhost"
    monkeypatch.setenv("LETTERS_ALERT_TO", "auditors")
    with pytest.raises(SettingError, match="not an e-mail address"):
        from_env(tmp_path)
    monkeypatch.setenv("LETTERS_ALERT_TO", "")
    monkeypatch.setenv("LETTERS_FIXITY_EVERY_HOURS", "-1")
    with pytest.raises(SettingError, match="LETTERS_FIXITY_EVERY_HOURS"):
        from_env(tmp_path)
    monkeypatch.setenv("LETTERS_FIXITY_EVERY_HOURS", "0")
    assert Letters(from_env(tmp_path)).fixity_schedule() is None


def test_a_check_that_finds_a_problem_mails_the_auditors(web_template: WebHome, tmp_path: Path,
                                                        inbox: tuple[Inbox, int]) -> None:
    received, port = inbox
    home = copy_web_home(web_template, tmp_path / "home")
    tampered = tamper(home, next(iter(home.ids)))
    settings = Settings(home=home.path, smtp_host="127.0.0.1", smtp_port=port,
                        alert_to=("auditors@example.org",), alert_from="archive@example.org")
    app = Letters(settings)
    schedule = app.fixity_schedule()
    assert schedule is not None
    report = schedule.run_due()
    assert report is not None and len(report.problems) == 1
    assert schedule.run_due() is None, "the next check waits for the interval"
    assert received.arrived.wait(30)
    mail = received.messages[0]
    assert mail["To"] == "auditors@example.org" and mail["From"] == "archive@example.org"
    assert "found 1 problem" in mail["Subject"]
    body = mail.get_payload(decode=True).decode()
    assert str(tampered.relative_to(home.path)) in body and "altered" in body.lower()
    events = audit.events(home.path / "archive")
    assert [e["who"] for e in events if e["action"] == "verify"][-1] == "schedule"
    alert = [e for e in events if e["action"] == "fixity_alert"][-1]
    assert alert["what"] == {"problems": 1, "to": ["auditors@example.org"], "sent": True}


def test_a_mail_that_cannot_be_sent_is_recorded_as_such(web_template: WebHome, tmp_path: Path) -> None:
    home = copy_web_home(web_template, tmp_path / "home")
    tamper(home, next(iter(home.ids)))
    app = Letters(Settings(home=home.path, smtp_host="127.0.0.1", smtp_port=free_port(),
                           alert_to=("auditors@example.org",)))
    schedule = app.fixity_schedule()
    assert schedule is not None and schedule.run_due() is not None
    alert = [e for e in audit.events(home.path / "archive") if e["action"] == "fixity_alert"][-1]
    assert alert["what"]["sent"] is False and alert["what"]["error"]


def test_a_clean_archive_sends_nothing_and_the_schedule_thread_stops(web_template: WebHome,
                                                                     tmp_path: Path,
                                                                     inbox: tuple[Inbox, int]) -> None:
    received, port = inbox
    home = copy_web_home(web_template, tmp_path / "home")
    app = Letters(Settings(home=home.path, smtp_host="127.0.0.1", smtp_port=port,
                           alert_to=("auditors@example.org",), fixity_every_hours=0.0005))
    schedule = app.fixity_schedule()
    assert isinstance(schedule, Schedule)
    schedule.start()
    deadline = time.monotonic() + 120
    while schedule.runs == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    schedule.stop()
    assert schedule.runs >= 1 and not received.messages
    status = app.fixity_status()
    assert status is not None and not status.needs_attention


@pytest.mark.slow  # starts `letters serve` in a process of its own
def test_letters_serve_checks_on_its_own_and_auditors_see_the_banner(
        web_template: WebHome, tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    received, smtp_port = inbox
    home = copy_web_home(web_template, tmp_path / "home")
    tamper(home, next(iter(home.ids)))
    port = free_port()
    env = {**os.environ, "LETTERS_FIXITY_EVERY_HOURS": "0.0005",  # 1.8 seconds
           "LETTERS_SMTP_HOST": "127.0.0.1", "LETTERS_SMTP_PORT": str(smtp_port),
           "LETTERS_ALERT_TO": "auditors@example.org"}
    log = tmp_path / "serve.log"
    with open(log, "wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "letters", "--home", str(home.path), "serve",
                                    "--port", str(port)], stdout=sink, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 180
        while len(received.messages) < 2 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        assert len(received.messages) >= 2, "a check every interval, each mailing: " + log.read_text()
        assert "every 0.0005 hours" in log.read_text()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    assert process.returncode == 0, log.read_text()
    runs = [e for e in audit.events(home.path / "archive")
            if e["action"] == "verify" and e["who"] == "schedule"]
    assert len(runs) >= 2 and all(e["what"]["problems"] == 1 for e in runs)
    with LiveServer(Settings(home=home.path)) as server:
        with browser(server, "auditor") as http:
            page = text_of(http.get("/").text)
            french = text_of(http.get("/", headers={"Accept-Language": "fr"}).text)
        with browser(server, "reader") as http:
            reader = text_of(http.get("/").text)
        anonymous = text_of(httpx.get(server.url + "/login").text)
    assert "found a problem" in page and "Open the fixity page" in page
    assert "a trouvé un problème" in french
    assert "fixity check" not in reader and "fixity check" not in anonymous


def test_the_banner_says_when_no_check_ran_in_time(web_template: WebHome, tmp_path: Path) -> None:
    home = copy_web_home(web_template, tmp_path / "home")
    settings = Settings(home=home.path, fixity_every_hours=24)
    never = "has not been checked for fixity yet"
    with LiveServer(settings) as server, browser(server, "admin") as http:
        assert never in text_of(http.get("/").text)
    with LiveServer(Settings(home=home.path, fixity_every_hours=0)) as server, \
            browser(server, "admin") as http:
        assert never not in text_of(http.get("/").text), "no schedule, no banner"
    Letters(settings).verify(by="auditor")
    with LiveServer(settings) as server, browser(server, "admin") as http:
        assert "banner--warning" not in http.get("/partners").text, "a recent check, nothing found"
    later = Letters(settings, clock=lambda: datetime.now(UTC) + timedelta(hours=25))
    status = later.fixity_status()
    assert status is not None and status.overdue and status.problems == 0
