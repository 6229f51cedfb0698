"""``python -m ccengine.api.openapi``: prints the API's OpenAPI document (docs/openapi.json)."""

from __future__ import annotations

import json
import sys
from typing import Any

from ccengine.api._app import application, openapi_document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    sys.stdout.write(render(openapi_document(application())))


if __name__ == "__main__":
    main()
