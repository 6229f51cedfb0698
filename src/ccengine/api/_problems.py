"""Every error as an RFC 9457 problem body (``application/problem+json``) carrying our slug.

The slug is the same stable name the engine's exceptions carry (``ccengine.errors``); clients
branch on it, people read ``title`` and ``detail``. Validation errors list each field's fault
under ``errors``; nothing ever answers with a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection

from ccengine.errors import AgentStateError, CCEngineError, Conflict, DomainError, NotFound

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("ccengine.api")

#: Slugs whose status is not their exception family's.
_STATUS_OF_SLUG = {
    "invalid-transition": 409,
    "already-disposed": 409,
    "callback-closed": 409,
    "in-call": 409,
    "unauthenticated": 401,
    "forbidden": 403,
    "rate-limited": 429,
}
_TITLES = {
    400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 413: "Too large", 415: "Unsupported media type",
    422: "Invalid request", 429: "Too many requests", 500: "Internal error", 503: "Unavailable",
}


class ProblemBody(BaseModel):
    """The problem document every error answers with (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    slug: str
    errors: list[dict[str, Any]] | None = None


class Problem(Exception):
    """An error the API answers with a problem body."""

    def __init__(self, status: int, slug: str, detail: str, *, headers: Mapping[str, str] | None = None,
                 errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.headers = dict(headers or {})
        self.errors = errors


def status_of(error: CCEngineError) -> int:
    if error.slug in _STATUS_OF_SLUG:
        return _STATUS_OF_SLUG[error.slug]
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict | AgentStateError):
        return 409
    if isinstance(error, DomainError | ValueError):
        return 422
    return 400


def problem_response(request: HTTPConnection, problem: Problem) -> JSONResponse:
    """``request``: an HTTP request, or a WebSocket refused before it is accepted."""
    body = ProblemBody(type=f"urn:ccengine:problem:{problem.slug}", title=_TITLES.get(problem.status, "Error"),
                       status=problem.status, detail=problem.detail, instance=request.url.path, slug=problem.slug,
                       errors=problem.errors)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=problem.status, media_type=MEDIA_TYPE,
                        headers=problem.headers)


def install(app: FastAPI) -> None:
    """Routes every error of the app to a problem body."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(request, exc)

    async def on_engine_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, CCEngineError)
        return problem_response(request, Problem(status_of(exc), exc.slug, str(exc)))

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, f"http-{exc.status_code}")
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no resource at {request.url.path}"
        return problem_response(request, Problem(exc.status_code, slug, detail, headers=exc.headers))

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [{"location": [str(part) for part in e.get("loc", ())], "message": e.get("msg", ""),
                   "type": e.get("type", "")} for e in exc.errors()]
        where = "; ".join(f"{'.'.join(e['location'])}: {e['message']}" for e in errors[:5])
        return problem_response(request, Problem(422, "invalid-request", where or "invalid request", errors=errors))

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem_response(request, Problem(500, "internal", "an unexpected error; it has been logged"))

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(CCEngineError, on_engine_error)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Exception, on_unexpected)
