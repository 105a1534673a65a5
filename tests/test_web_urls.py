"""Every address the site links to or redirects to is made from a route's name (web/urls.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.requests import Request

from letters.settings import Settings
from letters.web.app import FEATURES, create_app
from letters.web.urls import path_for

WEB = Path(__file__).resolve().parents[1] / "src" / "letters" / "web"
#: An attribute holding a path written by hand: href="/…", action='/…', src="/…", formaction.
HAND_WRITTEN_ATTRIBUTE = re.compile(r"""\b(?:href|action|src|formaction)\s*=\s*["']/""")
#: A redirect to a path written by hand, in the views.
HAND_WRITTEN_REDIRECT = re.compile(r"""RedirectResponse\(\s*f?["']/""")


def test_no_template_writes_an_internal_address_by_hand() -> None:
    found = [f"{path.name}:{number}: {line.strip()}"
             for path in sorted((WEB / "templates").glob("*.html"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if HAND_WRITTEN_ATTRIBUTE.search(line)]
    assert not found, "use url('route_name', ...) instead:\n" + "\n".join(found)


def test_no_view_redirects_to_an_address_written_by_hand() -> None:
    found = [f"{path.name}: {match.group(0)}" for path in sorted(WEB.glob("*.py"))
             for match in HAND_WRITTEN_REDIRECT.finditer(path.read_text(encoding="utf-8"))]
    assert not found, "use urls.path_for(request, 'route_name', ...) instead:\n" + "\n".join(found)


def test_the_checks_see_what_they_are_meant_to_refuse() -> None:
    assert HAND_WRITTEN_ATTRIBUTE.search('<a class="x" href="/partners">')
    assert HAND_WRITTEN_ATTRIBUTE.search("<form action='/login'>")
    assert not HAND_WRITTEN_ATTRIBUTE.search("""<a href="{{ url('partners_page') }}">""")
    assert not HAND_WRITTEN_ATTRIBUTE.search('<a href="https://www.coe.int/">')
    assert HAND_WRITTEN_REDIRECT.search('RedirectResponse(f"/letters/{x}", status_code=303)')


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(Settings(home=tmp_path_factory.mktemp("urls")))


def test_every_route_a_template_names_exists(app: FastAPI) -> None:
    """Some links show only in rare states (a fixity problem, a page past the first): a name
    written wrong would fail only there."""
    names = {route.name for route in iter_route_contexts(app.routes)}
    named = {(path.name, match.group(1)) for path in sorted((WEB / "templates").glob("*.html"))
             for match in re.finditer(r"""\burl\(\s*'([^']+)'""",
                                      path.read_text(encoding="utf-8"))}
    assert len(named) > 40
    assert not {(template, name) for template, name in named if name not in names}


def _request(app: FastAPI, root_path: str = "") -> Request:
    return Request({"type": "http", "app": app, "root_path": root_path, "path": "/",
                    "method": "GET", "headers": [], "query_string": b""})


def test_addresses_keep_the_paths_of_the_interface(app: FastAPI) -> None:
    request = _request(app)
    assert path_for(request, "search_page") == "/"
    assert path_for(request, "letter_page", letter_id="ab12") == "/letters/ab12"
    assert path_for(request, "download", letter_id="ab12") == "/letters/ab12/original.pdf"
    assert path_for(request, "partner_page", slug="euroispa") == "/partners/euroispa"
    assert path_for(request, "sg_page", slug="jagland") == "/secretaries-general/jagland"
    assert path_for(request, "page_thumbnail", letter_id="ab12", page=2,
                    query={"size": "large"}) == "/letters/ab12/pages/2.png?size=large"
    assert path_for(request, "static", path="letters.css") == "/static/letters.css"


def test_parameters_are_escaped_and_empty_ones_left_out(app: FastAPI) -> None:
    request = _request(app)
    assert (path_for(request, "change_user", name="José a/b?")
            == "/admin/users/Jos%C3%A9%20a%2Fb%3F")
    assert (path_for(request, "search_page", query={"q": 'a&b "c"', "partner": "", "page": None})
            == "/?q=a%26b+%22c%22")
    assert (path_for(request, "letter_page", letter_id="x", query={"saved": 1}, fragment="correct")
            == "/letters/x?saved=1#correct")


def test_a_mount_point_comes_first(app: FastAPI) -> None:
    assert path_for(_request(app, "/archive"), "partners_page") == "/archive/partners"



#: A view reaching into the application object's parts instead of calling one of its methods.
REACHING = re.compile(r"(?:\bapp|\.letters)\.(archive|index|catalog|settings|registry|clock)\b")
#: The renderer hands the registry's names to every template (`name`, `title_of`, `wording`).
MAY_READ = {"render.py": {"registry"}}


def test_views_call_the_application_and_never_reach_past_it() -> None:
    found = [f"{path.name}: {match.group(0)}" for path in sorted(WEB.glob("*.py"))
             for match in REACHING.finditer(path.read_text(encoding="utf-8"))
             if match.group(1) not in MAY_READ.get(path.name, set())]
    assert not found, "call a method of Letters (service.py) instead:\n" + "\n".join(found)
    assert REACHING.search("web(request).letters.catalog.get(x)")
    assert not REACHING.search("from letters.settings import MB")


#: Every operation of the API document and its operationId (a route's name): what clients generated
#: from the document call. Moving a route to another module must leave this as it is.
OPERATIONS = {
    ("GET", "/healthz"): "healthz", ("GET", "/api/search"): "search",
    ("GET", "/api/letters/{letter_id}"): "letter", ("PATCH", "/api/letters/{letter_id}"): "correct",
    ("GET", "/api/letters/{letter_id}/pdf"): "original", ("POST", "/api/letters"): "upload_letters",
    ("GET", "/api/partners"): "partners", ("POST", "/api/partners"): "api_add_partner",
    ("GET", "/api/partners/{slug}"): "partner",
    ("GET", "/api/partners/{slug}/export"): "export_partner",
    ("GET", "/api/audit"): "audit_events",
    ("GET", "/api/secretaries-general"): "secretaries_general",
    ("GET", "/api/review"): "review_queue", ("POST", "/api/partners/{slug}/names"): "api_add_name",
    ("GET", "/api/partners/{slug}/relink"): "api_candidates",
    ("POST", "/api/partners/{slug}/relink"): "api_relink",
    ("PUT", "/api/letters/{letter_id}/exchange"): "api_link",
    ("DELETE", "/api/letters/{letter_id}/exchange"): "api_unlink",
    ("GET", "/api/partners/{slug}/exchanges"): "api_exchanges",
    ("POST", "/api/partners/{slug}/pairing-proposal"): "api_decide_proposal",
    ("GET", "/api/fixity"): "fixity_report", ("POST", "/api/fixity"): "fixity_check",
    ("POST", "/api/letters/{letter_id}/set-aside"): "api_set_aside",
    ("POST", "/api/letters/{letter_id}/restore"): "api_restore",
    ("GET", "/api/secretaries-general/{slug}"): "secretary_general",
}


def test_the_document_keeps_every_operation_and_its_id(app: FastAPI) -> None:
    found = {(method.upper(), path): operation["operationId"]
             for path, operations in app.openapi()["paths"].items()
             for method, operation in operations.items()}
    assert found == OPERATIONS


def test_route_names_are_unique_and_each_feature_serves_pages_and_json(app: FastAPI) -> None:
    names = [route.name for route in iter_route_contexts(app.routes)
             if route.name and route.methods]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    for feature in FEATURES:
        assert feature.router.routes and feature.api_router.routes, feature.__name__
        assert all(str(route.path).startswith("/api/") for route in feature.api_router.routes)
