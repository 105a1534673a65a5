"""Pages rendered on the server: the Jinja2 environment (autoescaped) and the common context."""

from __future__ import annotations

from contextlib import suppress
from functools import partial
from hashlib import sha1
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, pass_context
from jinja2.bccache import Bucket
from starlette.requests import Request
from starlette.responses import HTMLResponse

from letters.curation.corrections import confirmable
from letters.messages import Message, msg
from letters.models import ASIDE_REASONS, KINDS, Letter
from letters.recognition import titles
from letters.registry import Registry
from letters.schedule import FixityStatus
from letters.settings import MB
from letters.web import i18n, languages, record_view, saying
from letters.web.auth import Identity, csrf_token, identify_quietly, set_pending_cookies
from letters.web.highlight import marked
from letters.web.state import Web, web
from letters.web.urls import path_for
from letters.web.wording import Wording

TEMPLATES = Path(__file__).parent / "templates"
LANG_COOKIE_SECONDS = 365 * 24 * 3600


class CompiledOnce(FileSystemBytecodeCache):
    """The templates' compiled code, kept in memory for the process and on disk for the next
    one: an app made after the first (tests make hundreds) loads it from memory, and a process
    started after the first (a server, each worker of `--workers N`) from Jinja's per-user
    directory under the temporary directory (made 0700 and checked to be the user's own), rather
    than compiling every template again (some 0.5 s of CPU). Jinja compiles a template again when
    its source, this module or Jinja's version no longer match the checksum kept with it; a
    directory it cannot make or write only costs the compiling."""

    def __init__(self) -> None:
        try:
            super().__init__(pattern="__letters_%s.cache")
            self.on_disk = True
        except (OSError, RuntimeError):
            self.on_disk = False
        self.code: dict[str, bytes] = {}

    def get_source_checksum(self, source: str) -> str:
        """A template's checksum: its source, and what else shapes its compiled code."""
        return sha1(f"{_COMPILED_BY}\0{source}".encode()).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill the bucket from the code compiled earlier in this process, or by another."""
        if (code := self.code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)
            return
        if self.on_disk:
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 - a file cut short or garbled: Jinja's pickle raises
                bucket.reset()
                return
            if bucket.code is not None:
                self.code[bucket.key] = bucket.bytecode_to_string()

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep a template's freshly compiled code, for this process and the next."""
        self.code[bucket.key] = bucket.bytecode_to_string()
        if self.on_disk:
            with suppress(OSError):
                super().dump_bytecode(bucket)


#: What shapes the compiled code besides a template's source: this module (the environment's
#: options) and Jinja's version.
_COMPILED_BY = f"{jinja2.__version__}:{sha1(Path(__file__).read_bytes()).hexdigest()}"
COMPILED = CompiledOnce()


def environment() -> Environment:
    """The template environment: every value escaped unless marked safe in Python."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      finalize=unbroken_quotes, bytecode_cache=COMPILED)
    env.filters["field_label"] = field_label
    env.filters["tr"] = in_language
    env.filters["marked"] = marked
    return env


def unbroken_quotes(value: Any) -> Any:
    """A value as written on a page: French quotation marks held to their words by no-break
    spaces, so that a closing « » » never begins a line."""
    if isinstance(value, str) and ("« " in value or " »" in value):
        return type(value)(value.replace("« ", "«\u00a0").replace(" »", "\u00a0»"))
    return value


def compiled_environment() -> Environment:
    """The template environment with every template compiled now (at start-up), so that the
    first request of each page kind costs what a later one does."""
    env = environment()
    for name in env.list_templates(extensions=["html"]):  # far fewer than the cache holds (400)
        env.get_template(name)
    return env


@pass_context
def in_language(context: Any, said: Message | list[Message] | str | None) -> str:
    """What the domain says (a reason, evidence, a refusal: a message, several, or a sentence
    without a code) in the page's language."""
    if isinstance(said, Message):
        return saying.say(said, context["lang"])
    if isinstance(said, list):
        return saying.say_all(said, context["lang"])
    return saying.translate(said, context["lang"])


@pass_context
def field_label(context: Any, field: str) -> str:
    """A record field's name in the page's language, in lower case within a sentence."""
    label: str = context["t"](f"field.{field}")
    return label if field == "signatory" else label[:1].lower() + label[1:]


def language(request: Request) -> str:
    """The interface language of this request."""
    return i18n.choose(request.query_params.get("lang"), request.cookies.get(i18n.COOKIE),
                       request.headers.get("accept-language"))


def switch_url(request: Request, lang: str) -> str:
    """This page's address in the other language."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", lang))
    # one leading slash: `//evil.example/x` is another site's address to a browser
    path = "/" + request.url.path.lstrip("/\\")
    return f"{path}?{urlencode(params)}"


def letter_title(letter: Letter, registry: Registry, t: Any, lang: str = i18n.DEFAULT) -> str:
    """A letter's title in `lang`: recognition's, said in `lang`; an archivist's, as typed; an old
    record's English sentence, translated; else who wrote to whom as recognition words it (a name
    not known shown as such), else its file name."""
    said = letter.said_title()
    if isinstance(said, Message):
        return languages.elided(saying.say(said, lang), lang)
    if said and letter.recognised_title is not None:
        return said  # corrected by an archivist: their own words
    if said:
        return languages.elided(saying.translate(said, lang), lang)
    sg = registry.display_name(letter.signatory) or t("unknown")
    partner = registry.display_name(letter.partner) or t("unknown")
    made = titles.title_message(letter.direction, sg, partner)
    return languages.elided(saying.say(made or msg("title.other", name=letter.filename), lang),
                            lang)


def problem_text(error: Exception, lang: str) -> str:
    """A domain error in the reader's language: its code's sentence when there is one."""
    said: list[Message] | None = getattr(error, "messages", None)
    if said:
        return " ".join(saying.say(message, lang) for message in said)
    code = getattr(error, "code", "")
    key = f"problem.{code}"
    if not code or key not in i18n.STRINGS[i18n.DEFAULT]:
        return str(error)
    params = dict(getattr(error, "params", {}))
    if isinstance(params.get("month"), int) and 1 <= params["month"] <= 12:
        params["month_name"] = languages.month_name(params["month"], lang)
    return i18n.translator(lang)(key, **params)


def fixity_banner(state: Web, who: Identity) -> FixityStatus | None:
    """The state of the scheduled fixity checks when auditors and admins must hear of it."""
    if state.settings.fixity_every_hours <= 0 or not who.can("auditor"):
        return None
    status = state.letters.fixity_status()
    return status if status and status.needs_attention else None


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """Render a page with the context every page needs (language, user, CSRF token, banner)."""
    state = web(request)
    lang = language(request)
    t = i18n.translator(lang)
    registry = state.letters.registry
    other = "fr" if lang == "en" else "en"
    values: dict[str, Any] = {
        "request": request,
        "url": partial(path_for, request),
        "lang": lang,
        "other_lang": other,
        "switch_url": switch_url(request, other),
        "t": t,
        "who": (who := identify_quietly(request)),
        "fixity_banner": fixity_banner(state, who),
        "csrf": partial(csrf_token, request),  # called by forms only: no cookie without a form
        "open_reading": state.settings.open_reading,
        "max_upload_mb": state.settings.max_upload_bytes // MB or 1,
        "section": "",
        "day": partial(languages.long_date, lang=lang),
        "moment": partial(languages.long_moment, lang=lang),
        "field_marks": record_view.marks,
        "wording": Wording(lang, registry),
        "colon": i18n.COLON[lang],
        "name": registry.display_name,
        "title_of": lambda letter: letter_title(letter, registry, t, lang),
        "has_text": lambda key: key in i18n.STRINGS[i18n.DEFAULT],
        "word": lambda prefix: lambda value: t(prefix + str(value)),
        "confirmable": confirmable,
        "partner_kinds": KINDS,
        "aside_reasons": ASIDE_REASONS,
        "aside_reason": lambda reason: t(f"aside.reason.{reason}")
        if reason in ASIDE_REASONS else reason,
        "aside_error": None,
    }
    values.update(context or {})
    html = state.templates.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status, headers=headers)
    if request.query_params.get("lang") in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, lang, max_age=LANG_COOKIE_SECONDS, httponly=True,
                            samesite="lax", path="/")
    set_pending_cookies(request, response)
    return response
