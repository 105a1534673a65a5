"""The auditors' pages and API: the audit log with filters, fixity reports, a fixity check on demand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, ClassVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request
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
from letters.web.routing import auditor
from letters.web.searchform import page_numbers, whole_number
from letters.web.state import web
from letters.web.urls import path_for

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["api"])
#: The query parameters of the audit filters, as the page's form and `GET /api/audit` name them.
PARAMS = {"who": "who", "action": "action", "date_from": "from", "date_to": "to",
          "letter": "letter"}
NEVER_CHECKED = "The archive has not been checked yet: send POST /api/fixity to check it now."


@dataclass(frozen=True)
class AuditFilter:
    """The audit page's form and the query parameters of `GET /api/audit`: read into the
    domain's `AuditQuery` (`to_query`), written back into links (`query`)."""

    #: The name of the page the filters' links lead to.
    ROUTE: ClassVar[str] = "audit_page"
    who: str = ""
    action: str = ""
    date_from: str = ""
    date_to: str = ""
    letter: str = ""
    page: int = 1
    per_page: int = PER_PAGE

    @classmethod
    def from_params(cls, params: Mapping[str, str], paged: bool = True) -> AuditFilter:
        """Read the filters (and the page) from query parameters; QueryError (400) if malformed."""
        values = {field: params.get(name, "").strip()[:200] for field, name in PARAMS.items()}
        chosen = cls._of(values)
        chosen.to_query().checked()
        if not paged:
            return chosen
        page = whole_number(params.get("page", ""), 1, msg("query.page_number"))
        too_many = msg("query.per_page_number", most=MAX_PER_PAGE)
        per_page = whole_number(params.get("per_page", ""), PER_PAGE, too_many)
        if per_page > MAX_PER_PAGE:
            raise QueryError(too_many)
        return replace(chosen, page=page, per_page=per_page)

    @classmethod
    def _of(cls, values: Mapping[str, str]) -> AuditFilter:
        return cls(who=values["who"], action=values["action"], date_from=values["date_from"],
                   date_to=values["date_to"], letter=values["letter"])

    def to_query(self) -> AuditQuery:
        """The domain's question these filters ask."""
        return AuditQuery(who=self.who, action=self.action, date_from=self.date_from,
                          date_to=self.date_to, letter=self.letter, page=self.page,
                          per_page=self.per_page)

    @property
    def filtered(self) -> bool:
        """Whether any filter is set."""
        return self.to_query().filtered

    def query(self, **changes: str) -> dict[str, str]:
        """The audit page's URL parameters with these filters, some changed (page 1 unless
        given)."""
        values = {name: getattr(self, field) for field, name in PARAMS.items()}
        if self.per_page != PER_PAGE:
            values["per_page"] = str(self.per_page)
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
        "form": AuditFilter(), "result": None, "pages": [], "last_page": 1,
        "people": [], "actions": [],
    }
    try:
        chosen = AuditFilter.from_params(request.query_params)
    except QueryError as error:
        every = app.audit_page(AuditQuery(per_page=1))  # the names the filters offer
        context.update(error=error.message, form=_lenient(request.query_params),
                       people=every.people, actions=every.actions)
        return render(request, "audit.html", context, status=400)
    result = app.audit_page(chosen.to_query())
    context.update(form=replace(chosen, page=result.page), result=result,
                   people=result.people, actions=result.actions,
                   last_page=result.last_page, pages=page_numbers(result.page, result.last_page))
    return render(request, "audit.html", context)


def _lenient(params: Mapping[str, str]) -> AuditFilter:
    """The filters as typed, to show them back beside the error."""
    return AuditFilter._of({field: params.get(name, "")[:200] for field, name in PARAMS.items()})


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
def fixity_report(request: Request, who: Identity = auditor) -> dict[str, Any]:
    """`{"checked", "ok", "problems", "at", "by"}` of the last check; 404 before the first; auditor."""
    report = web(request).letters.last_fixity_check()
    if report is None:
        raise HTTPException(404, NEVER_CHECKED)
    return report


@api_router.post("/fixity", summary="Run a fixity check now",
                 **contract.answers(contract.FixityReport, 401, 403))
async def fixity_check(request: Request, who: Identity = auditor) -> dict[str, Any]:
    """Re-hash every original now; the new report, as `GET /api/fixity` gives it; auditor."""
    check_api_csrf(request, who)
    return await run_in_threadpool(run_fixity, web(request).letters, who.name, address(request))


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
) -> AuditFilter:
    """The filters of `GET /api/audit` (declared here for OpenAPI, read by AuditFilter)."""
    return AuditFilter.from_params(request.query_params, paged=False)


filters = Depends(audit_filter)


@api_router.get("/audit", summary="Audit events, newest first",
                **contract.answers(list[contract.AuditEvent], 400, 401, 403))
def audit_events(request: Request, limit: int | None = Query(None, ge=1),
                 who: Identity = auditor,
                 chosen: AuditFilter = filters) -> list[dict[str, Any]]:
    """The audit log, newest first, filtered by who, action, from, to and letter; auditor."""
    # without a limit, every event that passes (per_page None), as one page
    return web(request).letters.audit_page(replace(chosen.to_query(), per_page=limit)).events
