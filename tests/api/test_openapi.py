"""The OpenAPI document: committed in docs/openapi.json and kept in step with the code, and
schemathesis against the served one (no 5xx; statuses, content types and bodies as documented)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hypothesis
import schemathesis
import trio
from schemathesis import checks

from ccengine.api.openapi import render
from tests.api.conftest import Api

DOCUMENT = Path(__file__).parents[2] / "docs" / "openapi.json"
#: Examples per operation: enough to find lax types and undocumented answers, few enough that the
#: whole run stays well under a minute.
EXAMPLES = 12
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.response_headers_conformance]


async def test_the_committed_document_is_current(api: Api) -> None:
    served = (await api.client.get("/api/openapi.json")).json()
    assert DOCUMENT.read_text(encoding="utf-8") == render(served), (
        "docs/openapi.json is stale: regenerate it with "
        "`python -m ccengine.api.openapi > docs/openapi.json`")


def fuzz(document: dict[str, Any], url: str, token: str) -> list[str]:
    """Runs schemathesis over every operation (in a worker thread: its client blocks)."""
    schema = schemathesis.openapi.from_dict(document)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/sessions/current":  # logging out would end the token used here
            continue

        @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None,
                             suppress_health_check=list(hypothesis.HealthCheck),
                             phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
        @hypothesis.given(case=operation.as_strategy())
        def check(case: Any) -> None:
            response = case.call(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except Exception as e:
            failures.append(f"{operation.method.upper()} {operation.path}: {e}")
    return failures


async def test_schemathesis_finds_nothing(api: Api) -> None:
    document = (await api.client.get("/api/openapi.json")).json()
    failures = await trio.to_thread.run_sync(fuzz, document, api.url, api.tenants[0].tokens["admin"])
    assert not failures, "\n\n".join(failures)
