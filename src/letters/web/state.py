"""What the web application holds for its lifetime: the one Letters object and its companions."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import TimestampSigner
from jinja2 import Environment
from starlette.requests import Request

from letters.service import Letters
from letters.settings import Settings
from letters.users import Sessions, Users
from letters.web.admission import Renders, UploadQueue
from letters.web.throttle import Throttle


@dataclass
class Web:
    """The application's state, reached from a request with `web(request)`."""

    letters: Letters
    #: The settings the application was made with (its configuration, not the domain's parts).
    settings: Settings
    users: Users
    sessions: Sessions
    signer: TimestampSigner
    templates: Environment
    logins: Throttle
    uploads: UploadQueue
    renders: Renders


def web(request: Request) -> Web:
    """The state of the application serving this request."""
    state: Web = request.app.state.web
    return state
