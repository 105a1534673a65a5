"""The site's addresses, made from its routes' names: no page or view writes a path by hand."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import quote, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import NoMatchFound

#: Query parameters: a mapping or pairs; a value that is None or "" is left out.
Query = Mapping[str, object] | Iterable[tuple[str, object]]


def path_for(request: Request, route: str, /, query: Query | None = None, fragment: str = "",
             **params: object) -> str:
    """The address, relative to the site, of the route named `route` with its path parameters
    (each escaped), then `?query` (escaped) and `#fragment`.

    Relative, so a link means the same site whatever host or scheme the request came by (a
    trusted proxy's); the application's mount point (`root_path`) comes first when it has one.
    """
    app = request.scope["app"]
    patterns = _OF_APP.get(app)
    if patterns is None:
        patterns = _OF_APP[app] = {}
    key = (route, tuple(sorted(params)) if len(params) > 1 else tuple(params))
    path = patterns.get(key)
    if path is None:
        path = patterns[key] = str(app.url_path_for(route, **{n: f"\x1f{n}\x1f" for n in key[1]}))
    for name, value in params.items():  # quote() leaves no \x1f in a value
        path = path.replace(f"\x1f{name}\x1f", quote(str(value), safe=""))
    path = request.scope.get("root_path", "") + path
    if query:
        pairs = query.items() if isinstance(query, Mapping) else query
        kept = [(name, str(value)) for name, value in pairs if value is not None and value != ""]
        if kept:
            path += "?" + urlencode(kept)
    return f"{path}#{fragment}" if fragment else path


#: Each app's routes' patterns, by the route's name and its parameters' names: FastAPI's
#: `url_path_for` tries every route of every router in turn, about 0.1 ms a link, which pages of
#: thousands of links felt; the pattern is worked out once and the parameters put in.
_OF_APP: weakref.WeakKeyDictionary[Starlette, dict[tuple[str, tuple[str, ...]], str]] = (
    weakref.WeakKeyDictionary())


def prepare(app: Starlette) -> None:
    """Work out now (at start-up) what the first link to each route would: FastAPI builds each
    route's context on the first search among the routes (a quarter of a second), and each
    route's pattern takes a search of its own (a first page of a few hundred links asked for
    some twenty: 5-10 ms of its first request). The patterns are the same for every app of one
    set of routes: worked out once a process (tests make hundreds of apps)."""
    with contextlib.suppress(NoMatchFound):
        app.url_path_for("\x1f no route has this name \x1f")
    shape = tuple(_named(app.routes))
    if shape not in _PATTERNS:
        patterns: dict[tuple[str, tuple[str, ...]], str] = {}
        for name, _, params in shape:
            if (name, params) not in patterns:
                with contextlib.suppress(NoMatchFound, AssertionError, ValueError):
                    patterns[name, params] = str(app.url_path_for(
                        name, **{n: f"\x1f{n}\x1f" for n in params}))
        _PATTERNS[shape] = patterns
    _OF_APP[app] = dict(_PATTERNS[shape])


def _named(routes: Iterable[object]) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """Each named route with its path and parameters, those of the routers included (FastAPI
    keeps them as they were declared, under `original_router`) too; what is not found here is
    worked out at its first link."""
    for route in routes:
        name = getattr(route, "name", None)
        if isinstance(name, str):
            yield name, str(getattr(route, "path", "")), tuple(sorted(
                getattr(route, "param_convertors", None) or {}))
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _named(getattr(inner, "routes", ()))


#: The routes' patterns (`_OF_APP`) by the shape of an app's routes: their names, paths and
#: parameters.
_PATTERNS: dict[tuple[tuple[object, ...], ...], dict[tuple[str, tuple[str, ...]], str]] = {}
