"""Managing users from the command line: disable, enable, remove, change password or role,
revoke one token; each change audited and felt at once by the live server."""

from __future__ import annotations

import io
import re

import httpx
import pytest

from letters.cli import main
from letters.preservation import audit
from letters.settings import Settings
from letters.users import PASSWORD_RULE, TOKEN_ID_LENGTH, UserError, Users, digest
from support.server import LiveServer
from support.web import browser, csrf_of, text_of, try_login
from support.webhome import WEB_PASSWORD, WebHome

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
        "user_disabled", "login_failed", "user_enabled", "login", "user_disabled", "tokens_revoked",
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


# -- the admin pages: the same functions, the same audit events --------------------------------
def last_event(home: WebHome) -> tuple[str, dict[str, object]]:
    event = audit.events(home.path / "archive")[-1]
    return event["action"], event["what"]


def test_the_admin_pages_and_the_cli_record_the_same_events(
        fresh: Fresh, monkeypatch: pytest.MonkeyPatch) -> None:
    server, home = fresh
    users = Users(server.app.state.web.letters.settings)
    with browser(server, "admin") as http:
        def web_change(path: str, **fields: str) -> tuple[str, dict[str, object]]:
            page = http.get("/admin/users")
            assert page.status_code == 200
            done = http.post(path, data={"csrf": csrf_of(page.text), **fields})
            assert done.status_code == 303, done.text
            whom = fields.get("name") or path.rsplit("/", 1)[-1]
            notice = text_of(http.get(done.headers["location"]).text)
            assert f"Done: {whom} " in notice or f"Done: that token of {whom} " in notice \
                or f"Done: every token of {whom} " in notice
            return last_event(home)

        def both(cli_args: list[str], path: str, stdin: str = "", **fields: str
                 ) -> tuple[str, dict[str, object]]:
            """The same change by the command line then the page: the same kind of event."""
            assert cli(home, *cli_args, stdin=stdin, monkeypatch=monkeypatch) == 0
            action, what = last_event(home)
            from_web = web_change(path, **fields)
            assert (from_web[0], sorted(from_web[1])) == (action, sorted(what)), cli_args
            return from_web

        assert cli(home, "add", "cli-user", "--role", "reader", stdin="cli user password\n",
                   monkeypatch=monkeypatch) == 0
        from_cli = last_event(home)
        from_web = web_change("/admin/users", name="web-user", role="reader",
                              password="web user password")
        assert from_cli == ("user_added", {"user": "cli-user", "role": "reader"})
        assert from_web == ("user_added", {"user": "web-user", "role": "reader"})
        assert both(["role", "reader", "auditor"], "/admin/users/reader", action="role",
                    role="reader") == ("user_role_set", {"user": "reader", "before": "auditor",
                                                         "after": "reader"})
        assert both(["passwd", "reader"], "/admin/users/reader", stdin="another passphrase\n",
                    action="password", password="yet another passphrase") == (
            "user_password_set", {"user": "reader"})
        assert both(["disable", "reader"], "/admin/users/reader", action="disable") == (
            "user_disabled", {"user": "reader"})
        assert both(["enable", "reader"], "/admin/users/reader", action="enable") == (
            "user_enabled", {"user": "reader"})
        assert web_change("/admin/users/auditor", action="revoke_tokens") == (
            "tokens_revoked", {"user": "auditor", "tokens": 1})
        first, second = (users.new_token("reader", by="admin") for _ in range(2))
        ids = [digest(token)[:TOKEN_ID_LENGTH] for token in (first, second)]
        assert set(ids) <= {t.id for t in users.tokens("reader")}
        assert cli(home, "revoke-token", "reader", ids[0]) == 0
        from_cli = last_event(home)
        from_web = web_change("/admin/users/reader", action="revoke_token", token=ids[1])
        assert [from_cli[0], from_web[0]] == ["token_revoked"] * 2
        assert {from_cli[1]["token"], from_web[1]["token"]} == set(ids[:2])
        assert users.user_for_token(first) is None and users.user_for_token(second) is None
        assert web_change("/admin/users/web-user", action="remove", confirm="yes") == (
            "user_removed", {"user": "web-user"})
        assert logs_in(server, "reader", "yet another passphrase") == 303


def test_the_admin_pages_refuse_with_a_sentence(fresh: Fresh) -> None:
    server, home = fresh
    with browser(server, "admin") as http:
        csrf = csrf_of(http.get("/admin/users").text)
        weak = http.post("/admin/users", data={"csrf": csrf, "name": "eve", "role": "reader",
                                               "password": "aaaaaaaa"})
        assert weak.status_code == 422 and str(PASSWORD_RULE) in weak.text
        own = http.post("/admin/users/admin", data={"csrf": csrf, "action": "remove"})
        assert own.status_code == 422 and "your own account" in own.text
        http.get("/admin/users?lang=fr")  # the same refusals, said in French
        weak = http.post("/admin/users", data={"csrf": csrf, "name": "eve", "role": "reader",
                                               "password": "aaaaaaaa"})
        assert weak.status_code == 422 and "Ajouter un utilisateur" in weak.text
        assert "Un mot de passe compte au moins 8 caractères, dont au moins 5 différents" in weak.text
        own = http.post("/admin/users/admin", data={"csrf": csrf, "action": "remove"})
        assert own.status_code == 422 and "votre propre compte" in own.text
        unknown = http.post("/admin/users/nobody", data={"csrf": csrf, "action": "disable"})
        # the quotation marks held to the name by no-break spaces
        assert unknown.status_code == 422
        assert "Il n’y a pas d’utilisateur nommé «\u00a0nobody\u00a0»" in unknown.text
    users = Users(server.app.state.web.letters.settings)
    assert users.get("eve") is None
    with pytest.raises(UserError) as refused:  # a code and its parameters; its text the English
        users.add("eve", "boss", "a long passphrase", by="admin")
    assert refused.value.message.code == "user.not_a_role"
    assert str(refused.value) == "'boss' is not a role: choose one of reader, archivist, auditor, admin."


def test_removing_a_user_asks_first(fresh: Fresh) -> None:
    server, home = fresh
    with browser(server, "admin") as http:
        csrf = csrf_of(http.get("/admin/users").text)
        asked = http.post("/admin/users/auditor", data={"csrf": csrf, "action": "remove"})
        assert asked.status_code == 200
        assert "Remove auditor?" in text_of(asked.text)
        assert 'name="confirm" value="yes"' in asked.text and 'href="/admin/users"' in asked.text
        users = Users(server.app.state.web.letters.settings)
        assert users.get("auditor") is not None  # nothing removed yet
        french = http.post("/admin/users/auditor?lang=fr", data={"csrf": csrf, "action": "remove"})
        assert "Supprimer auditor ?" in text_of(french.text)
        http.get("/admin/users?lang=en")
        done = http.post("/admin/users/auditor", data={"csrf": csrf, "action": "remove",
                                                       "confirm": "yes"})
        assert done.status_code == 303 and users.get("auditor") is None
        assert "Done: auditor is removed" in text_of(http.get(done.headers["location"]).text)


def test_a_refused_new_user_keeps_what_was_typed_beside_the_error(fresh: Fresh) -> None:
    server, _ = fresh
    with browser(server, "admin") as http:
        csrf = csrf_of(http.get("/admin/users").text)
        weak = http.post("/admin/users", data={"csrf": csrf, "name": "eve", "role": "auditor",
                                               "password": "aaaaaaaa"})
        assert weak.status_code == 422
        assert 'id="new-name" name="name" required autocomplete="off" value="eve"' in weak.text
        assert '<option value="auditor" selected>' in weak.text
        field = weak.text[weak.text.index('for="new-password"'):]
        assert field.index('id="new-password-error"') < field.index('id="new-password"')
        assert 'aria-describedby="new-password-hint new-password-error"' in weak.text
        reserved = http.post("/admin/users", data={"csrf": csrf, "name": "root", "role": "admin",
                                                   "password": "a long passphrase"})
        assert reserved.status_code == 422 and 'id="new-name-error"' in reserved.text
        assert "'root' is reserved" in text_of(reserved.text)


def test_an_admin_creates_a_named_token_shown_once(fresh: Fresh) -> None:
    server, _ = fresh
    with browser(server, "admin") as http:
        csrf = csrf_of(http.get("/admin/users").text)
        made = http.post("/admin/users/reader", data={"csrf": csrf, "action": "new_token",
                                                      "label": "catalogue sync"})
        assert made.status_code == 200
        found = re.search(r'id="new-token" value="(lt_[^"]+)"', made.text)
        assert found and token_works(server, found.group(1)) == 200
        page = http.get("/admin/users").text
        assert found.group(1) not in page and "catalogue sync" in page


def test_the_cli_keeps_the_last_admin_and_refuses_reserved_names(
        fresh: Fresh, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _, home = fresh
    for args in (["role", "admin", "reader"], ["disable", "admin"], ["remove", "admin"],
                 ["revoke", "admin"]):
        assert cli(home, *args) == 2
        assert "admin is the last admin" in capsys.readouterr().err
    assert Users(Settings(home=home.path)).tokens("admin")  # `revoke` refused whole: tokens kept
    assert cli(home, "add", "anonymous", "--role", "reader", stdin="a long passphrase\n",
               monkeypatch=monkeypatch) == 2
    assert "'anonymous' is reserved" in capsys.readouterr().err
