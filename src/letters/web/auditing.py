"""The auditors' pages and API: the audit log with filters, fixity reports, a fixity check on demand."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, ClassVar

from fastapi import Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from letters.messages import Message, msg
from letters.preservation.audit_query import MAX_PER_PAGE, PER_PAGE, AuditQuery
from letters.preservation.fixity import FixityReport
from letters.search import QueryError
from letters.service import Letters
from letters.web import contract
from letters.web.auth import Identity, address, check_api_csrf, checked_form
from letters.web.fixity_view import NAMED_KINDS, problem_views
from letters.web.render import render
from letters.web.routing import api_routes, auditor, page_routes
from letters.web.searchform import page_numbers, whole_number
from letters.web.state import web
from letters.web.urls import path_for

router = page_routes()
api_router = api_routes()
#: The query parameters of the audit filters, as the page's form and `GET /api/audit` name them.
PARAMS = {"who": "who", "action": "action", "date_from": "from", "date_to": "to",
          "letter": "letter"}
NEVER_CHECKED = "The archive has not been checked yet: send POST /api/fixity to check it now."


def audit_query(params: Mapping[str, str], paged: bool = True) -> AuditQuery:
    """The domain's question that the audit page's form or `GET /api/audit`'s parameters ask
    (and the page, when `paged`); QueryError (400) if malformed."""
    asked = _filters(params, lambda value: value.strip()[:200]).checked()
    if not paged:
        return asked
    page = whole_number(params.get("page", ""), 1, msg("query.page_number"))
    too_many = msg("query.per_page_number", most=MAX_PER_PAGE)
    per_page = whole_number(params.get("per_page", ""), PER_PAGE, too_many)
    if per_page > MAX_PER_PAGE:
        raise QueryError(too_many)
    return replace(asked, page=page, per_page=per_page).checked()


def _filters(params: Mapping[str, str], typed: Callable[[str], str]) -> AuditQuery:
    """The filters of these parameters, each value `typed` (page 1)."""
    said = {field: typed(params.get(name, "")) for field, name in PARAMS.items()}
    return AuditQuery(who=said["who"], action=said["action"], date_from=said["date_from"],
                      date_to=said["date_to"], letter=said["letter"])


@dataclass(frozen=True)
class AuditForm:
    """The audit page's form: the domain's `AuditQuery` it asks (its fields read through), and
    the links that keep it (`query`)."""

    #: The name of the page the filters' links lead to.
    ROUTE: ClassVar[str] = "audit_page"
    asked: AuditQuery = AuditQuery()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.asked, name)

    def query(self, **changes: str) -> dict[str, str]:
        """The audit page's URL parameters with these filters, some changed (page 1 unless
        given)."""
        values = {name: getattr(self.asked, field) for field, name in PARAMS.items()}
        if self.asked.per_page != PER_PAGE:
            values["per_page"] = str(self.asked.per_page)
        values.update(changes)
        return {k: v for k, v in values.items() if v and not (k == "page" and v == "1")}


# -- fixity -------------------------------------------------------------------------------------
def run_fixity(app: Letters, by: str, where: str | None) -> dict[str, Any]:
    """Check every original now; the report (saved, and recorded in the audit log) with `by`."""
    return _with_by(app.verify(by=by, address=where), by)


def _with_by(report: FixityReport, by: str) -> dict[str, Any]:
    return {**report.to_json(), "by": by}


# -- pages --------------------------------------------------------------------------------------
@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, who: Identity = auditor) -> HTMLResponse:
    """The audit log, newest first, filtered and paged, with the state of its hash chain."""
    app = web(request).letters
    context: dict[str, Any] = {
        "section": "audit", "chain": app.audit_chain(), "error": None,
        "form": AuditForm(), "result": None, "pages": [], "last_page": 1,
        "people": [], "actions": [],
    }
    try:
        chosen = audit_query(request.query_params)
    except QueryError as error:
        every = app.audit_page(AuditQuery(per_page=1))  # the names the filters offer
        context.update(error=error.message, form=_lenient(request.query_params),
                       people=every.people, actions=every.actions)
        return render(request, "audit.html", context, status=400)
    result = app.audit_page(chosen)
    context.update(form=AuditForm(result.query), result=result,
                   people=result.people, actions=result.actions,
                   last_page=result.last_page, pages=page_numbers(result.page, result.last_page))
    return render(request, "audit.html", context)


def _lenient(params: Mapping[str, str]) -> AuditForm:
    """The filters as typed, to show them back beside the error."""
    return AuditForm(_filters(params, lambda value: value[:200]))


@router.get("/fixity", response_class=HTMLResponse)
def fixity_page(request: Request, who: Identity = auditor) -> HTMLResponse:
    """The last fixity check: when, by whom, how many originals, every problem; a button to run one."""
    app = web(request).letters
    return _fixity_page(request, app.last_fixity_check(), request.query_params.get("done") == "1")


def _fixity_page(request: Request, report: dict[str, Any] | None, done: bool,
                 notes: list[Message] | None = None) -> HTMLResponse:
    app = web(request).letters
    return render(request, "fixity.html", {
        "section": "fixity", "report": report,
        "problems": problem_views(app, report) if report else [],
        "named_kinds": NAMED_KINDS, "done": done, "notes": notes or [],
    })


@router.post("/fixity")
async def fixity_run(request: Request, who: Identity = auditor) -> Response:
    """Run a fixity check now (a form with its CSRF token), then show its report; shown at once,
    with what could not be done, when it could not all be done (a read-only home)."""
    await checked_form(request)
    app = web(request).letters
    report = await run_in_threadpool(partial(app.verify, by=who.name, address=address(request)))
    if report.notes:
        return _fixity_page(request, _with_by(report, who.name), True, report.notes)
    return RedirectResponse(path_for(request, "fixity_page", query={"done": 1}), status_code=303)


# -- API ----------------------------------------------------------------------------------------
@api_router.get("/fixity", summary="The last fixity report",
                **contract.answers(contract.FixityReport, 401, 403, 404))
def fixity_report(request: Request, who: Identity = auditor) -> contract.Answer:
    """`{"checked", "ok", "problems", "at", "by"}` of the last check; 404 before the first; auditor."""
    report = web(request).letters.last_fixity_check()
    if report is None:
        raise HTTPException(404, NEVER_CHECKED)
    return contract.answer(contract.FixityReport, report)


@api_router.post("/fixity", summary="Run a fixity check now",
                 **contract.answers(contract.FixityReport, 401, 403, 503))
async def fixity_check(request: Request, who: Identity = auditor) -> contract.Answer:
    """Re-hash every original now; the new report, as `GET /api/fixity` gives it; auditor."""
    check_api_csrf(request, who)
    report = await run_in_threadpool(run_fixity, web(request).letters, who.name, address(request))
    return contract.answer(contract.FixityReport, report)


def audit_filter(
    request: Request,
    who_param: str = Query("", alias="who", description="only the events of this user"),
    action: str = Query("", description="only this action: login, login_failed, upload, "
                                         "correct, export, verify, user_added..."),
    date_from: str = Query("", alias="from", description="YYYY-MM-DD, inclusive",
                           json_schema_extra=contract.DATE),
    date_to: str = Query("", alias="to", description="YYYY-MM-DD, inclusive",
                         json_schema_extra=contract.DATE),
    letter: str = Query("", description="only the events about this letter id"),
) -> AuditQuery:
    """The filters of `GET /api/audit`, read into the domain's question (400 if malformed)."""
    return audit_query({"who": who_param, "action": action, "from": date_from, "to": date_to,
                        "letter": letter}, paged=False)


filters = Depends(audit_filter)


@api_router.get("/audit", summary="Audit events, newest first",
                **contract.answers(contract.list_of(contract.AuditEvent), 400, 401, 403))
def audit_events(request: Request, limit: int | None = Query(None, ge=1),
                 who: Identity = auditor,
                 chosen: AuditQuery = filters) -> list[contract.Answer]:
    """The audit log, newest first, filtered by who, action, from, to and letter; auditor."""
    # without a limit, every event that passes (per_page None), as one page
    return contract.each(contract.AuditEvent,
                         web(request).letters.audit_page(replace(chosen, per_page=limit)).events)
