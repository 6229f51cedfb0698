from pathlib import Path

from ccengine import domain as d
from ccengine.demo._world import DISPOSITION_SHARES, build
from ccengine.store import Store
from tests.store.conftest import store

__all__ = ["store"]


async def test_the_demo_world_is_a_running_campaign_with_its_agents_and_an_imported_list(store: Store,
                                                                                       tmp_path: Path) -> None:
    world = await build(store, tmp_path, contacts=120, agents=12, seed=3)
    assert world.imported.accepted == 120 and world.imported.rejected == 2
    assert sorted(line for line, _, _ in world.imported.rejections) == [43, 84]  # header is line 1
    assert len(world.agents) == 12 and len({a.extension for a in world.agents}) == 12
    lists = await store.contact_lists(world.campaign.id)
    assert [lst.status for lst in lists] == [d.ListStatus.ACTIVE]
    assert await store.pending_contacts(world.campaign.id) == 120
    codes = {disposition.code for disposition in world.campaign.dispositions}
    assert set(DISPOSITION_SHARES) == codes and abs(sum(DISPOSITION_SHARES.values()) - 1) < 1e-9
