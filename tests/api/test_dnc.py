"""The do-not-call list: numbers normalized, paged, per tenant."""

from __future__ import annotations

from tests.api.conftest import Api


async def test_add_list_and_remove(api: Api) -> None:
    r = await api.as_role(0, "supervisor", "POST", "/api/do-not-call",
                          json={"phones": ["06.11.22.33.44", "+33611223355", "0611223366"], "reason": "asked"})
    assert r.json() == {"changed": 3}
    first = (await api.as_role(0, "supervisor", "GET", "/api/do-not-call", params={"limit": 2})).json()
    assert first["items"] == ["+33611223344", "+33611223355"] and first["next_after"] == 33611223355
    rest = (await api.as_role(0, "supervisor", "GET", "/api/do-not-call",
                              params={"after": first["next_after"]})).json()
    assert rest == {"items": ["+33611223366"], "next_after": None}
    assert (await api.as_role(1, "supervisor", "GET", "/api/do-not-call")).json()["items"] == []
    r = await api.as_role(0, "supervisor", "POST", "/api/do-not-call/remove", json={"phones": ["+33611223344"]})
    assert r.json() == {"changed": 1}


async def test_a_bad_number_adds_nothing(api: Api) -> None:
    r = await api.as_role(0, "supervisor", "POST", "/api/do-not-call", json={"phones": ["0611223344", "hello"]})
    assert r.status_code == 422 and r.json()["slug"] == "phone-characters"
    assert (await api.as_role(0, "supervisor", "GET", "/api/do-not-call")).json()["items"] == []
