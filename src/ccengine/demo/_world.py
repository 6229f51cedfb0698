"""The demo center's content: a tenant, a predictive campaign open every hour (the demo runs
whenever it is started), its agents, and a contact list written as a CSV file and imported
through the real import (so its line-by-line report is shown, two malformed rows included).

Numbers are French mobiles (``+33 6 …``): the simulated carrier answers whatever number it is
sent, so they only have to be valid for the import.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from ccengine import domain as d
from ccengine.contacts import ImportSummary, import_file
from ccengine.store import Store

__all__ = ["AGENT_PASSWORD", "DISPOSITION_SHARES", "DemoWorld", "build", "write_contacts"]

#: Every day, all day, in the campaign's zone.
ALWAYS = d.Schedule(tz="Europe/Paris", windows=tuple(d.Window(w, dt.time(0), dt.time(23, 59, 59)) for w in range(7)))
#: Seconds before a contact is tried again, shortened from the defaults (hours) so that retries
#: happen within a demo; the campaign gives up on a contact after three attempts.
RETRY_DELAYS = {d.Outcome.HUMAN: 90, d.Outcome.NO_ANSWER: 60, d.Outcome.BUSY: 30, d.Outcome.MACHINE: 90,
                d.Outcome.ABANDONED: 45, d.Outcome.FAILED: 60}
#: Password of the demo agents' phones (digest-authenticated by the engine's registrar).
AGENT_PASSWORD = "demo-secret"
#: How often simulated agents pick each of the campaign's qualifications (the default set).
DISPOSITION_SHARES = {
    "sale": 0.08, "appointment": 0.07, "not-interested": 0.45, "out-of-target": 0.12,
    "wrong-person": 0.06, "callback": 0.17, "do-not-call": 0.05,
}
_FIRST = ["Camille", "Louis", "Léa", "Hugo", "Chloé", "Jules", "Manon", "Arthur", "Inès", "Gabriel", "Zoé", "Nathan"]
_LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"]
_CITIES = ["Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Bordeaux", "Rennes", "Nice", "Dijon"]


@dataclass(frozen=True, slots=True)
class DemoWorld:
    tenant: d.Tenant
    campaign: d.Campaign
    agents: list[d.Agent]
    imported: ImportSummary


def write_contacts(path: Path, count: int, seed: int) -> Path:
    """``count`` contacts in a semicolon-separated file as a French CRM exports them, plus two
    rows the import must refuse (a number too short, and no number at all). Numbers are written
    without inner spaces, as seed 003 requires."""
    rng = random.Random(seed)
    numbers = rng.sample(range(10_000_000), count)  # 06 1x xx xx xx: all valid mobiles
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, delimiter=";")
        out.writerow(["prenom", "nom", "telephone", "ville"])
        for k, n in enumerate(numbers):
            out.writerow([rng.choice(_FIRST), rng.choice(_LAST), f"061{n:07d}",
                          rng.choice(_CITIES)])
            if k == count // 3:
                out.writerow(["Jean", "Incomplet", "0612", "Paris"])
            if k == 2 * count // 3:
                out.writerow(["Sans", "Numéro", "", "Lyon"])
    return path


async def build(store: Store, directory: Path, *, contacts: int, agents: int, seed: int,
                dial_mode: d.DialMode = d.DialMode.PREDICTIVE) -> DemoWorld:
    tenant = await store.create_tenant("demo", "Europe/Paris")
    campaign = await store.create_campaign(d.Campaign(
        id=0, tenant_id=tenant.id, name="Demo — énergie", dial_mode=dial_mode, caller_id="+33100000000",
        schedule=ALWAYS, machine_rule=d.MachineRule.MESSAGE, max_attempts=3, retry_delays=RETRY_DELAYS))
    made = [await store.create_agent(tenant.id, f"{_FIRST[k % len(_FIRST)]} {k + 1}", extension=f"{2001 + k}",
                                     campaign_ids=[campaign.id]) for k in range(agents)]
    source = write_contacts(directory / "demo-contacts.csv", contacts, seed)
    imported = await import_file(store, source, campaign_id=campaign.id, list_name="Prospects", region="FR")
    return DemoWorld(tenant, campaign, made, imported)
