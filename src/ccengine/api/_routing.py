"""Declaring operations: each names the roles allowed, which both guards it and is published in
the OpenAPI document (``x-roles``), so the role tests read the rules from the same place."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter, Depends

from ccengine import domain as d
from ccengine.api._auth import require


def operation(router: APIRouter, method: str, path: str, *, roles: Iterable[d.Role], status_code: int = 200,
              summary: str | None = None, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    allowed = sorted(r.value for r in frozenset(roles))
    return router.api_route(
        path, methods=[method], status_code=status_code, summary=summary,
        dependencies=[Depends(require(frozenset(roles)))], openapi_extra={"x-roles": allowed}, **options)
