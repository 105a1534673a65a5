"""Users, roles, API tokens and login sessions, kept under the home's private directory.

    home/.letters/users.json      users (Argon2 password hashes) and API tokens (SHA-256 only)
                  sessions.json   login sessions (SHA-256 of the session id), each with an expiry
                  secret.key      the key that signs session cookies, made on first use

Roles: `reader` < `archivist`, `auditor` < `admin`; every role includes `reader`, `admin` has all.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from letters.archive import now_iso
from letters.fsutil import lock_exclusive, private_key, write_atomic
from letters.messages import Message, msg
from letters.preservation import audit
from letters.settings import Settings

if TYPE_CHECKING:
    from argon2 import PasswordHasher

ROLES = ("reader", "archivist", "auditor", "admin")
USERS_FILE = "users.json"
SESSIONS_FILE = "sessions.json"
KEY_FILE = "secret.key"
LOCK_FILE = ".lock"
TOKEN_PREFIX = "lt_"
TOKEN_ID_LENGTH = 12
MIN_PASSWORD = 8
MIN_DISTINCT = 5
#: Passwords long enough but among the first tried by anyone guessing.
COMMON_PASSWORDS = frozenset({
    "password", "password1", "password12", "password123", "passw0rd", "12345678", "123456789",
    "1234567890", "87654321", "qwertyui", "qwertyuiop", "azertyui", "azertyuiop", "iloveyou",
    "letmein1", "abcdefgh", "abcd1234", "1q2w3e4r", "sunshine", "football", "baseball",
    "welcome1", "motdepasse", "changeme"})
PASSWORD_RULE = msg("user.weak_password", length=MIN_PASSWORD, distinct=MIN_DISTINCT)
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
#: Names the audit log gives to others (the command line's operator, an anonymous visitor, the
#: server itself): no user may take them, in any case.
RESERVED_NAMES = frozenset({"root", "anonymous", "system"})
#: The longest name a token may be given.
MAX_TOKEN_LABEL = 80

_hashers: list[PasswordHasher] = []


def _hasher() -> PasswordHasher:
    """Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 0.1 s a login;
    made (and argon2 imported) when a password is first hashed or checked."""
    if not _hashers:
        from argon2 import PasswordHasher

        _hashers.append(PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1))
    return _hashers[0]


class UserError(ValueError):
    """A user change that cannot be made; `message` says why (its English is the error's text)."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def allows(role: str | None, needed: str) -> bool:
    """Whether a user with `role` may do what needs `needed`."""
    if role not in ROLES:
        return False
    return role == needed or role == "admin" or needed == "reader"


def digest(secret: str) -> str:
    """The SHA-256 under which a token or session id is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass
class User:
    """A person or script that may use the archive."""

    name: str
    role: str
    password_hash: str
    created_at: str
    #: A disabled user can neither log in nor use a token (`letters users enable` undoes it).
    disabled: bool = False


@dataclass
class Token:
    """An API token as kept: its id (the start of its digest), whose, since when, the name its
    owner gave it and the day it was last used (None if never)."""

    id: str
    user: str
    created_at: str
    label: str = ""
    last_used: str | None = None


@dataclass
class Session:
    """A login session: whose, its CSRF token, when it ends (seconds since the epoch)."""

    user: str
    csrf: str
    expires: float


def _private(settings: Settings) -> Path:
    path = settings.private_dir
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def secret_key(settings: Settings) -> bytes:
    """The key that signs session cookies (created, readable by the owner only, on first use)."""
    return private_key(_private(settings) / KEY_FILE)


class _JsonFile:
    """A small JSON document replaced atomically, locked for read-modify-write, cached by stat."""

    def __init__(self, settings: Settings, name: str, empty: dict[str, Any]) -> None:
        self._settings = settings
        self._name = name
        self._empty = empty
        self._cache: tuple[tuple[int, int, int], dict[str, Any]] | None = None
        self._thread_lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self._settings.private_dir / self._name

    def read(self) -> dict[str, Any]:
        """The document as it stands on disk (a copy safe to read)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return json.loads(json.dumps(self._empty))
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, json.loads(self.path.read_text(encoding="utf-8")))
        return self._cache[1]

    @contextmanager
    def change(self) -> Iterator[dict[str, Any]]:
        """Read, let the caller change, write back: one writer at a time across processes."""
        private = _private(self._settings)
        with self._thread_lock, open(private / LOCK_FILE, "a") as lock:
            lock_exclusive(lock.fileno(), "refusal.lock_busy_users")
            self._cache = None
            data = json.loads(json.dumps(self.read()))
            yield data
            text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
            write_atomic(self.path, text.encode("utf-8"))


class Users:
    """The users and their API tokens; every change goes to the audit log."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._file = _JsonFile(settings, USERS_FILE, {"users": {}, "tokens": {}})

    def _audit(self, action: str, by: str, what: dict[str, Any], address: str | None) -> None:
        audit.record(self.settings.archive_dir, action, by, what, address)

    def get(self, name: str) -> User | None:
        """The user of that name, if any."""
        found = self._file.read()["users"].get(name)
        return User(name=name, **found) if found else None

    def all(self) -> list[User]:
        """Every user, by name."""
        users = self._file.read()["users"]
        return [User(name=n, **users[n]) for n in sorted(users)]

    def add(self, name: str, role: str, password: str, by: str,
            address: str | None = None) -> User:
        """Create a user with a role and a password."""
        if not NAME_RE.match(name):
            raise UserError(msg("user.bad_name"))
        if name.lower() in RESERVED_NAMES:
            raise UserError(msg("user.reserved_name", name=name))
        _check_role(role)
        hashed = _hash(password)
        with self._file.change() as data:
            if name in data["users"]:
                raise UserError(msg("user.exists", name=name))
            user = User(name=name, role=role, password_hash=hashed, created_at=now_iso())
            data["users"][name] = {k: v for k, v in asdict(user).items() if k != "name"}
        self._audit("user_added", by, {"user": name, "role": role}, address)
        return user

    def set_password(self, name: str, password: str, by: str,
                     address: str | None = None) -> None:
        """Give a user a new password (their login sessions end)."""
        hashed = _hash(password)
        with self._file.change() as data:
            _existing(data, name)["password_hash"] = hashed
        Sessions(self.settings).end_for(name)
        self._audit("user_password_set", by, {"user": name}, address)

    def change_own_password(self, name: str, current: str, new: str, session_id: str | None,
                            address: str | None = None) -> None:
        """A user's change of their own password, given the current one (their other login
        sessions end, the one they are using stays)."""
        user = self.get(name)
        if user is None or not _verify(user.password_hash, current):
            raise UserError(msg("user.wrong_password"))
        hashed = _hash(new)
        with self._file.change() as data:
            _existing(data, name)["password_hash"] = hashed
        Sessions(self.settings).end_for(name, keep=session_id)
        self._audit("user_password_set", name, {"user": name}, address)

    def set_role(self, name: str, role: str, by: str, address: str | None = None) -> None:
        """Change a user's role."""
        _check_role(role)
        with self._file.change() as data:
            entry = _existing(data, name)
            with _keeping_an_admin(data, name):
                before, entry["role"] = entry["role"], role
        self._audit("user_role_set", by, {"user": name, "before": before, "after": role}, address)

    def remove(self, name: str, by: str, address: str | None = None) -> None:
        """Remove a user, their tokens and their sessions."""
        with self._file.change() as data:
            _existing(data, name)
            with _keeping_an_admin(data, name):
                del data["users"][name]
            data["tokens"] = {k: v for k, v in data["tokens"].items() if v["user"] != name}
        Sessions(self.settings).end_for(name)
        self._audit("user_removed", by, {"user": name}, address)

    def set_disabled(self, name: str, disabled: bool, by: str, address: str | None = None) -> None:
        """Disable a user (no login, no token, sessions ended) or enable them again."""
        with self._file.change() as data:
            entry = _existing(data, name)
            with _keeping_an_admin(data, name):
                entry["disabled"] = disabled
        if disabled:
            Sessions(self.settings).end_for(name)
        self._audit("user_disabled" if disabled else "user_enabled", by, {"user": name}, address)

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if the password is theirs and they are not disabled, else None (in about the
        same time either way)."""
        user = self.get(name)
        if user is None:
            _verify(_dummy_hash(), password)
            return None
        if not _verify(user.password_hash, password) or user.disabled:
            return None
        if _hasher().check_needs_rehash(user.password_hash):
            with self._file.change() as data:
                if name in data["users"]:
                    data["users"][name]["password_hash"] = _hash(password)
        return user

    def new_token(self, name: str, by: str, address: str | None = None, label: str = "") -> str:
        """A new API token for that user, with the name `label`; only its digest is kept, so it
        is shown once."""
        label = " ".join(label.split())
        if len(label) > MAX_TOKEN_LABEL:
            raise UserError(msg("user.long_token_label", length=MAX_TOKEN_LABEL))
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        key = digest(token)
        with self._file.change() as data:
            _existing(data, name)
            data["tokens"][key] = {"user": name, "created_at": now_iso(), "label": label}
        what: dict[str, Any] = {"user": name, "token": key[:TOKEN_ID_LENGTH]}
        self._audit("token_created", by, {**what, "label": label} if label else what, address)
        return token

    def user_for_token(self, token: str) -> User | None:
        """The user an API token belongs to, or None when it is unknown, revoked or its user is
        disabled (the token's day of last use is kept: one write a day at most)."""
        key = digest(token)
        entry = self._file.read()["tokens"].get(key)
        user = self.get(entry["user"]) if entry else None
        if user is None or user.disabled:
            return None
        today = now_iso()[:10]
        if entry is not None and entry.get("last_used") != today:
            try:
                with self._file.change() as data:
                    if key in data["tokens"]:
                        data["tokens"][key]["last_used"] = today
            except OSError:  # a full or read-only disk: the token still works, its day is not kept
                pass
        return user

    def tokens(self, name: str) -> list[Token]:
        """The API tokens of that user, oldest first."""
        found = [Token(key[:TOKEN_ID_LENGTH], entry["user"], entry["created_at"],
                       entry.get("label", ""), entry.get("last_used"))
                 for key, entry in self._file.read()["tokens"].items() if entry["user"] == name]
        return sorted(found, key=lambda t: (t.created_at, t.id))

    def revoke_token_id(self, name: str, token_id: str, by: str,
                        address: str | None = None) -> None:
        """Revoke one token of that user, named by its id (as `tokens` lists) or the token itself."""
        wanted = digest(token_id) if token_id.startswith(TOKEN_PREFIX) else token_id.lower()
        with self._file.change() as data:
            _existing(data, name)
            keys = [k for k, v in data["tokens"].items() if v["user"] == name
                    and len(wanted) >= TOKEN_ID_LENGTH and k.startswith(wanted)]
            if len(keys) != 1:
                raise UserError(msg("user.no_token", name=name, token=token_id[:40]))
            del data["tokens"][keys[0]]
        self._audit("token_revoked", by, {"user": name, "token": keys[0][:TOKEN_ID_LENGTH]},
                    address)

    def revoke_tokens(self, name: str, by: str, address: str | None = None) -> int:
        """Revoke every API token of that user and end their sessions; how many tokens."""
        with self._file.change() as data:
            _existing(data, name)
            kept = {k: v for k, v in data["tokens"].items() if v["user"] != name}
            revoked = len(data["tokens"]) - len(kept)
            data["tokens"] = kept
        Sessions(self.settings).end_for(name)
        self._audit("tokens_revoked", by, {"user": name, "tokens": revoked}, address)
        return revoked


class Sessions:
    """Login sessions, stored by the digest of their id so the file grants no access."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._file = _JsonFile(settings, SESSIONS_FILE, {})

    def start(self, user: str, now: float | None = None) -> tuple[str, Session]:
        """A new session for that user: its secret id (for the cookie) and the session."""
        now = time.time() if now is None else now
        session_id = secrets.token_urlsafe(32)
        session = Session(user=user, csrf=secrets.token_urlsafe(32),
                          expires=now + self.settings.session_seconds)
        with self._file.change() as data:
            for key in [k for k, v in data.items() if v["expires"] <= now]:
                del data[key]
            data[digest(session_id)] = asdict(session)
        return session_id, session

    def get(self, session_id: str, now: float | None = None) -> Session | None:
        """The live session with that id, or None when unknown, ended or expired."""
        found = self._file.read().get(digest(session_id))
        if found is None:
            return None
        session = Session(**found)
        return session if session.expires > (time.time() if now is None else now) else None

    def end(self, session_id: str) -> None:
        """End one session (logout)."""
        with self._file.change() as data:
            data.pop(digest(session_id), None)

    def end_for(self, user: str, keep: str | None = None) -> None:
        """End every session of that user (but the one with the id `keep`)."""
        kept = digest(keep) if keep else None
        with self._file.change() as data:
            for key in [k for k, v in data.items() if v["user"] == user and k != kept]:
                del data[key]


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(msg("user.not_a_role", role=role, roles=", ".join(ROLES)))


def _admins(data: dict[str, Any]) -> set[str]:
    return {name for name, entry in data["users"].items()
            if entry["role"] == "admin" and not entry.get("disabled")}


@contextmanager
def _keeping_an_admin(data: dict[str, Any], name: str) -> Iterator[None]:
    """Refuse a change to `data` (made inside, under the file's lock, before it is written) that
    leaves no admin able to log in where there was one."""
    before = _admins(data)
    yield
    if before and not _admins(data):
        raise UserError(msg("user.last_admin", name=name))


def _existing(data: dict[str, Any], name: str) -> dict[str, Any]:
    entry: dict[str, Any] | None = data["users"].get(name)
    if entry is None:
        raise UserError(no_such_user(name))
    return entry


def no_such_user(name: str) -> Message:
    """What is said of a user name that no user has."""
    return msg("user.no_such_user", name=name)


def _hash(password: str) -> str:
    if (len(password) < MIN_PASSWORD or len(set(password)) < MIN_DISTINCT
            or password.lower() in COMMON_PASSWORDS):
        raise UserError(PASSWORD_RULE)
    return _hasher().hash(password)


def _verify(hashed: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


_dummy: list[str] = []


def _dummy_hash() -> str:
    if not _dummy:
        _dummy.append(_hasher().hash(secrets.token_hex(16)))
    return _dummy[0]
