"""The FastAPI application: every resource's router, problem bodies for every error, and the
OpenAPI document (roles per operation under ``x-roles``; every error answers a problem body)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from ccengine.api import (
    _agents,
    _callbacks,
    _calls,
    _campaigns,
    _contacts,
    _dnc,
    _exports,
    _indicators,
    _lists,
    _live,
    _messages,
    _problems,
    _supervision,
    _users,
)
from ccengine.api._ratelimit import LoginLimiter
from ccengine.api._services import Services

TITLE = "ccengine admin API"
VERSION = "1"
ROUTERS = (_users.router, _campaigns.router, _lists.router, _contacts.router, _agents.router, _callbacks.router,
           _dnc.router, _indicators.router, _exports.router, _live.router,
           _supervision.router, _calls.router, _messages.router)


def create_app(services: Services) -> FastAPI:
    app = application()
    app.state.services = services
    app.state.login_limiter = LoginLimiter(services.settings.login_limits)
    app.state.live_reads = _live.SharedReads(services)
    return app


def application() -> FastAPI:
    """The routes and error handling, without the services they run on (enough for the document)."""
    app = FastAPI(title=TITLE, version=VERSION, openapi_url="/api/openapi.json", docs_url="/api/docs",
                  redoc_url=None)
    _problems.install(app)
    for router in ROUTERS:
        app.include_router(router)
    # FastAPI's documented way to customise the schema is to replace app.openapi (method-assign).
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    return app


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The document FastAPI builds, with the truth about errors: each operation answers its
    errors as problem bodies (FastAPI would announce a JSON validation error shape)."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    document = get_openapi(title=app.title, version=app.version, routes=app.routes,
                           description="Operators' API of the contact-center engine (docs/api.md).")
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = _problems.ProblemBody.model_json_schema(ref_template="#/components/schemas/{model}")
    problem = {"description": "An error, as an RFC 9457 problem body (docs/api.md, \"Errors\")",
               "content": {_problems.MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for item in document.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses["default"] = problem
    app.openapi_schema = document
    return document
