"""The center as ``ccengine serve`` runs it: the first admin added from the command line, the
admin API over the real store and indicator engine, and a restart that keeps both."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import trio

from ccengine import cli
from ccengine.center import Center, CenterConfig
from ccengine.errors import DomainError

PASSWORD = "a long enough password"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "center.toml"
    path.write_text('[center]\ndatabase = "center.db"\nevents = "events"\ntz = "Europe/Paris"\n\n'
                    '[api]\nlisten = "127.0.0.1:0"\n')
    return path


def add_admin(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCENGINE_PASSWORD", PASSWORD)
    assert cli.main(["user", "add", str(config), "--tenant", "acme", "--tz", "Europe/Paris", "--login", "ada"]) == 0


@asynccontextmanager
async def session(port: int) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        r = await client.post("/api/sessions", json={"login": "ada", "password": PASSWORD})
        assert r.status_code == 201, r.text
        client.headers["Authorization"] = f"Bearer {r.json()['token']}"
        yield client


def test_the_center_serves_the_api_and_keeps_everything_across_a_restart(config: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    add_admin(config, monkeypatch)
    center = CenterConfig.from_file(config)
    assert center.database == config.parent / "center.db"

    async def first_run() -> int:
        async with trio.open_nursery() as nursery:
            port = await nursery.start(Center(center).run)
            async with session(port) as api:
                made = await api.post("/api/campaigns", json={"name": "Energy Q4"})
                assert made.status_code == 201, made.text
                campaign = made.json()["id"]
                assert (await api.post(f"/api/campaigns/{campaign}/start")).status_code == 200
                with trio.fail_after(5):
                    while (await api.get("/api/indicators/live")).json()["active_campaigns"] != 1:
                        await trio.sleep(0.02)
            nursery.cancel_scope.cancel()
        return campaign

    async def second_run(campaign: int) -> None:
        async with trio.open_nursery() as nursery:
            port = await nursery.start(Center(center).run)
            async with session(port) as api:
                assert (await api.get(f"/api/campaigns/{campaign}")).json()["name"] == "Energy Q4"
                # Rebuilt from the event log: the campaign counted active before the restart still is.
                assert (await api.get("/api/indicators/live")).json()["active_campaigns"] == 1
            nursery.cancel_scope.cancel()

    campaign = trio.run(first_run)
    trio.run(second_run, campaign)


def test_a_second_user_with_the_same_login_is_refused(config: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    add_admin(config, monkeypatch)
    assert cli.main(["user", "add", str(config), "--tenant", "acme", "--login", "ada"]) == 2
    assert "ada" in capsys.readouterr().err
    assert cli.main(["user", "add", str(config), "--tenant", "nowhere", "--login", "bob"]) == 2


def test_bad_center_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="unknown \\[api\\] settings"):
        CenterConfig.from_tables({}, {"port": 1}, tmp_path)
    with pytest.raises(DomainError, match="host:port"):
        CenterConfig.from_tables({}, {"listen": "8080"}, tmp_path)


def test_serve_runs_the_api_alone_and_stops_on_sigterm(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_admin(config, monkeypatch)
    command = [sys.executable, "-m", "ccengine.cli", "serve", str(config)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as server:
        try:
            assert server.stdout is not None
            line = server.stdout.readline().strip()
            assert line.startswith("ccengine serve: API on http://127.0.0.1:"), line
            url = line.rsplit(" ", 1)[1]
            r = httpx.post(f"{url}/api/sessions", json={"login": "ada", "password": PASSWORD}, timeout=10)
            assert r.status_code == 201, r.text
            server.send_signal(signal.SIGTERM)
            out, err = server.communicate(timeout=15)
            assert server.returncode == 0, err
            assert "SIGTERM" in out
        finally:
            if server.poll() is None:
                server.kill()
