"""Users, roles, API tokens, sessions and the `letters users` commands."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from letters.preservation import audit
from letters.settings import Settings
from letters.users import ROLES, Sessions, UserError, Users, allows, digest, secret_key
from support.processes import invoke

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def users(settings: Settings) -> Users:
    return Users(settings)


def test_roles_include_reader_and_admin_has_everything() -> None:
    expected = {
        "reader": {"reader"},
        "archivist": {"reader", "archivist"},
        "auditor": {"reader", "auditor"},
        "admin": set(ROLES),
    }
    for role in ROLES:
        assert {needed for needed in ROLES if allows(role, needed)} == expected[role]
    assert not allows(None, "reader")
    assert not allows("superuser", "reader")


def test_add_stores_an_argon2_hash_never_the_password(users: Users, settings: Settings) -> None:
    user = users.add("ada", "archivist", "correct horse", by="admin")
    assert (user.name, user.role) == ("ada", "archivist")
    assert users.get("ada") == user
    stored = (settings.private_dir / "users.json").read_text(encoding="utf-8")
    assert "correct horse" not in stored
    assert json.loads(stored)["users"]["ada"]["password_hash"].startswith("$argon2id$")
    assert stat.S_IMODE((settings.private_dir / "users.json").stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.private_dir.stat().st_mode) == 0o700
    assert [u.name for u in users.all()] == ["ada"]


@pytest.mark.parametrize(("name", "role", "password", "message"), [
    ("ada", "owner", "long enough", "'owner' is not a role"),
    ("../x", "reader", "long enough", "A user name is 1 to 64"),
    ("", "reader", "long enough", "A user name is 1 to 64"),
    ("bob", "reader", "short", "at least 8 characters"),
])
def test_add_refuses_with_a_sentence(users: Users, name: str, role: str, password: str,
                                     message: str) -> None:
    with pytest.raises(UserError, match=message):
        users.add(name, role, password, by="admin")
    assert users.all() == []


def test_names_are_unique(users: Users) -> None:
    users.add("ada", "reader", "password-1", by="admin")
    with pytest.raises(UserError, match="already exists"):
        users.add("ada", "admin", "password-2", by="admin")
    assert users.get("ada") is not None and users.get("ada").role == "reader"  # type: ignore[union-attr]


def test_authenticate(users: Users) -> None:
    users.add("ada", "reader", "password-1", by="admin")
    assert users.authenticate("ada", "password-1") is not None
    assert users.authenticate("ada", "password-2") is None
    assert users.authenticate("nobody", "password-1") is None


def test_new_password_and_role(users: Users, settings: Settings) -> None:
    users.add("ada", "reader", "password-1", by="admin")
    session_id, _ = Sessions(settings).start("ada")
    users.set_password("ada", "password-2", by="admin")
    assert users.authenticate("ada", "password-1") is None
    assert users.authenticate("ada", "password-2") is not None
    assert Sessions(settings).get(session_id) is None  # a new password ends the sessions
    users.set_role("ada", "auditor", by="admin")
    assert users.get("ada").role == "auditor"  # type: ignore[union-attr]
    with pytest.raises(UserError, match="There is no user named 'bob'"):
        users.set_role("bob", "auditor", by="admin")


def test_tokens_are_stored_hashed_and_can_be_revoked(users: Users, settings: Settings) -> None:
    users.add("ada", "archivist", "password-1", by="admin")
    first = users.new_token("ada", by="admin")
    second = users.new_token("ada", by="admin")
    assert first != second and first.startswith("lt_") and len(first) > 40
    stored = (settings.private_dir / "users.json").read_text(encoding="utf-8")
    assert first not in stored and digest(first) in stored
    assert users.user_for_token(first).name == "ada"  # type: ignore[union-attr]
    assert users.user_for_token("lt_made-up") is None
    users.revoke_token_id("ada", first, by="admin")  # the token itself, or its id
    with pytest.raises(UserError, match="no token"):
        users.revoke_token_id("ada", first, by="admin")
    assert users.user_for_token(first) is None
    assert users.user_for_token(second) is not None
    assert users.revoke_tokens("ada", by="admin") == 1
    assert users.user_for_token(second) is None
    with pytest.raises(UserError):
        users.new_token("nobody", by="admin")


def test_removing_a_user_removes_tokens_and_sessions(users: Users, settings: Settings) -> None:
    users.add("ada", "archivist", "password-1", by="admin")
    token = users.new_token("ada", by="admin")
    session_id, _ = Sessions(settings).start("ada")
    users.remove("ada", by="admin")
    assert users.get("ada") is None
    assert users.user_for_token(token) is None
    assert Sessions(settings).get(session_id) is None


def test_sessions_expire_and_end(settings: Settings) -> None:
    sessions = Sessions(Settings(home=settings.home, session_seconds=600))
    session_id, session = sessions.start("ada", now=1_000_000.0)
    assert session.expires == 1_000_600.0
    assert sessions.get(session_id, now=1_000_599.0) == session
    assert sessions.get(session_id, now=1_000_600.0) is None
    assert sessions.get("not-a-session", now=1_000_000.0) is None
    stored = (settings.private_dir / "sessions.json").read_text(encoding="utf-8")
    assert session_id not in stored and digest(session_id) in stored
    other_id, _ = sessions.start("bob", now=1_000_000.0)
    sessions.end(session_id)
    assert sessions.get(session_id, now=1_000_001.0) is None
    assert sessions.get(other_id, now=1_000_001.0) is not None
    sessions.end_for("bob")
    assert sessions.get(other_id, now=1_000_001.0) is None


def test_expired_sessions_are_pruned(settings: Settings) -> None:
    sessions = Sessions(Settings(home=settings.home, session_seconds=10))
    old, _ = sessions.start("ada", now=100.0)
    sessions.start("bob", now=1000.0)
    stored = json.loads((settings.private_dir / "sessions.json").read_text(encoding="utf-8"))
    assert digest(old) not in stored and len(stored) == 1


def test_secret_key_is_made_once_and_private(settings: Settings) -> None:
    key = secret_key(settings)
    assert len(key) == 64
    assert secret_key(settings) == key
    path = settings.private_dir / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_user_changes_are_audited(users: Users, settings: Settings) -> None:
    users.add("ada", "reader", "password-1", by="root", address="10.0.0.1")
    users.set_role("ada", "archivist", by="root")
    users.new_token("ada", by="root")
    users.revoke_tokens("ada", by="root")
    events = audit.events(settings.archive_dir)
    assert [e["action"] for e in events] == ["user_added", "user_role_set", "token_created",
                                              "tokens_revoked"]
    assert events[0]["who"] == "root" and events[0]["address"] == "10.0.0.1"
    assert events[1]["what"] == {"user": "ada", "before": "reader", "after": "archivist"}
    assert "password-1" not in json.dumps(events)
    assert audit.verify(settings.archive_dir).ok


def test_concurrent_changes_are_all_kept(settings: Settings) -> None:
    errors: list[BaseException] = []

    def add(number: int) -> None:
        try:
            Users(settings).add(f"user{number}", "reader", f"password-{number}", by="admin")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [u.name for u in Users(settings).all()] == [f"user{n}" for n in range(6)]


def letters_cli(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run the `letters` command line in a fresh process."""
    env = {**os.environ, "LETTERS_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "letters", *args], input=stdin, text=True,
                          capture_output=True, env=env, cwd=ROOT, timeout=120, check=False)


def test_cli_add_and_token(settings: Settings) -> None:
    added = letters_cli(settings.home, "users", "add", "ada", "--role", "archivist",
                        stdin="s3cret-password\n")
    assert added.returncode == 0, added.stderr
    users = Users(settings)
    assert users.authenticate("ada", "s3cret-password") is not None
    assert users.get("ada").role == "archivist"  # type: ignore[union-attr]
    token = letters_cli(settings.home, "users", "token", "ada")
    assert token.returncode == 0, token.stderr
    printed = token.stdout.strip()
    assert users.user_for_token(printed).name == "ada"  # type: ignore[union-attr]
    listing = letters_cli(settings.home, "users", "list")
    assert listing.stdout.split("\t")[:2] == ["ada", "archivist"]
    revoked = letters_cli(settings.home, "users", "revoke", "ada")
    assert revoked.returncode == 0 and users.user_for_token(printed) is None


def test_cli_usage_errors(settings: Settings) -> None:
    """What the command says, in this process (test_cli_add_and_token runs the real one)."""
    unknown = invoke(settings.home, "users", "token", "nobody")
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == "letters: There is no user named 'nobody'."
    short = invoke(settings.home, "users", "add", "ada", "--role", "reader",
                       stdin="abc\n")
    assert short.returncode == 2 and "at least 8 characters" in short.stderr
    role = invoke(settings.home, "users", "add", "ada", "--role", "owner",
                      stdin="x" * 9)
    assert role.returncode == 2 and "invalid choice" in role.stderr
    assert Users(settings).all() == []


@pytest.mark.parametrize("name", ["root", "anonymous", "Root", "ANONYMOUS", "system"])
def test_names_the_audit_log_gives_to_others_are_reserved(users: Users, name: str) -> None:
    with pytest.raises(UserError) as refused:
        users.add(name, "reader", "a long passphrase", by="admin")
    assert refused.value.message.code == "user.reserved_name"
    assert str(refused.value).startswith(f"'{name}' is reserved")
    assert users.get(name) is None


def test_the_last_admin_cannot_be_demoted_disabled_or_removed(users: Users) -> None:
    users.add("boss", "admin", "a long passphrase", by="root")
    users.add("clerk", "reader", "a long passphrase", by="root")
    for change in (lambda: users.set_role("boss", "reader", by="x"),
                   lambda: users.set_disabled("boss", True, by="x"),
                   lambda: users.remove("boss", by="x")):
        with pytest.raises(UserError) as refused:
            change()
        assert refused.value.message.code == "user.last_admin"
    boss = users.get("boss")
    assert boss is not None and boss.role == "admin" and not boss.disabled
    users.set_disabled("clerk", True, by="boss")  # other users' changes still go through
    users.set_role("clerk", "admin", by="boss")  # a second admin, but disabled: still not enough
    with pytest.raises(UserError):
        users.set_role("boss", "reader", by="x")
    users.set_disabled("clerk", False, by="boss")
    users.set_role("boss", "reader", by="clerk")  # now another admin can manage the users
    assert users.get("boss").role == "reader"  # type: ignore[union-attr]


def test_two_admins_demoting_each_other_at_once_leave_one(settings: Settings) -> None:
    for round_ in range(4):
        a, b = f"a{round_}", f"b{round_}"
        Users(settings).add(a, "admin", "a long passphrase", by="root")
        Users(settings).add(b, "admin", "a long passphrase", by="root")
        for name in [u.name for u in Users(settings).all() if u.name not in (a, b)]:
            Users(settings).set_role(name, "reader", by="root")
        start = threading.Barrier(2)
        refusals: list[str] = []

        def demote(name: str, by: str, start: threading.Barrier = start,
                   refusals: list[str] = refusals) -> None:
            start.wait(timeout=30)
            try:  # each thread its own Users, as two server workers would be
                Users(settings).set_role(name, "reader", by=by)
            except UserError as error:
                refusals.append(error.message.code)

        threads = [threading.Thread(target=demote, args=(a, b)),
                   threading.Thread(target=demote, args=(b, a))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert refusals == ["user.last_admin"]
        assert [u.name for u in Users(settings).all() if u.role == "admin"] in ([a], [b])


def test_tokens_have_a_name_and_the_day_of_their_last_use(users: Users) -> None:
    users.add("clerk", "reader", "a long passphrase", by="root")
    token = users.new_token("clerk", by="clerk", label="  nightly   backup ")
    [kept] = users.tokens("clerk")
    assert (kept.label, kept.last_used) == ("nightly backup", None)
    assert users.user_for_token(token) is not None
    [used] = users.tokens("clerk")
    assert used.last_used is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", used.last_used)
    with pytest.raises(UserError) as refused:
        users.new_token("clerk", by="clerk", label="x" * 81)
    assert refused.value.message.code == "user.long_token_label"
