"""Managing users from the command line: disable, enable, remove, change password or role,
revoke one token; each change audited and felt at once by the live server."""

from __future__ import annotations

import io

import httpx
import pytest

from conftest import WEB_PASSWORD, LiveServer, WebHome
from letters import audit
from letters.cli import main
from letters.users import PASSWORD_RULE, Users
from test_web_security import try_login

Fresh = tuple[LiveServer, WebHome]


def cli(home: WebHome, *args: str, stdin: str = "",
        monkeypatch: pytest.MonkeyPatch | None = None) -> int:
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["users", *args, "--home", str(home.path)])


def logs_in(server: LiveServer, name: str, password: str) -> int:
    with httpx.Client(base_url=server.url, timeout=60) as http:
        return try_login(http, name, password).status_code


def token_works(server: LiveServer, token: str) -> int:
    return httpx.get(f"{server.url}/api/partners", timeout=60,
                     headers={"Authorization": f"Bearer {token}"}).status_code


def actions(home: WebHome, since: int) -> list[tuple[str, dict[str, object]]]:
    return [(e["action"], e["what"]) for e in audit.events(home.path / "archive")[since:]]


def test_a_disabled_or_revoked_user_cannot_log_in_or_use_a_token(
        fresh: Fresh, capsys: pytest.CaptureFixture[str]) -> None:
    server, home = fresh
    password = WEB_PASSWORD.format(role="reader")
    token = home.tokens["reader"]
    since = len(audit.events(home.path / "archive"))
    assert cli(home, "disable", "reader") == 0
    assert (logs_in(server, "reader", password), token_works(server, token)) == (401, 401)
    assert cli(home, "enable", "reader") == 0
    assert (logs_in(server, "reader", password), token_works(server, token)) == (303, 200)
    assert cli(home, "revoke", "reader") == 0
    assert logs_in(server, "reader", password) == 401  # the password no longer opens anything
    assert token_works(server, token) == 401
    assert "cannot log in" in capsys.readouterr().out
    assert cli(home, "list") == 0
    assert [line for line in capsys.readouterr().out.splitlines() if line.startswith("reader\t")
            ][0].endswith("\tdisabled")
    assert [a for a, _ in actions(home, since)] == [
        "user_disabled", "login_failed", "user_enabled", "login", "tokens_revoked", "user_disabled",
        "login_failed"]


def test_password_role_removal_and_one_token(fresh: Fresh, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    server, home = fresh
    old = WEB_PASSWORD.format(role="archivist")
    assert cli(home, "passwd", "archivist", stdin="a new long passphrase\n",
               monkeypatch=monkeypatch) == 0
    assert logs_in(server, "archivist", old) == 401
    assert logs_in(server, "archivist", "a new long passphrase") == 303
    assert cli(home, "role", "archivist", "auditor") == 0
    users = Users(server.app.state.web.letters.settings)
    assert users.get("archivist").role == "auditor"  # type: ignore[union-attr]
    second = users.new_token("auditor", by="test")
    capsys.readouterr()
    assert cli(home, "tokens", "auditor") == 0
    ids = [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]
    assert len(ids) == 2
    since = len(audit.events(home.path / "archive"))
    assert cli(home, "revoke-token", "auditor", ids[0]) == 0
    assert token_works(server, home.tokens["auditor"]) == 401
    assert token_works(server, second) == 200
    assert cli(home, "remove", "auditor") == 0
    assert token_works(server, second) == 401
    assert logs_in(server, "auditor", WEB_PASSWORD.format(role="auditor")) == 401
    assert actions(home, since)[:2] == [("token_revoked", {"user": "auditor", "token": ids[0]}),
                                        ("user_removed", {"user": "auditor"})]


def test_a_weak_password_is_refused_with_one_sentence(
        fresh: Fresh, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _, home = fresh
    for weak in ("aaaaaaaa", "password1", "12345678", "short"):
        assert cli(home, "add", "eve", "--role", "reader", stdin=weak + "\n",
                   monkeypatch=monkeypatch) == 2
        assert capsys.readouterr().err == f"letters: {PASSWORD_RULE}\n"
    assert cli(home, "passwd", "reader", stdin="aaaaaaaa\n", monkeypatch=monkeypatch) == 2
    assert capsys.readouterr().err == f"letters: {PASSWORD_RULE}\n"
    assert cli(home, "revoke-token", "reader", "nonsense") == 2
    assert "no token" in capsys.readouterr().err
