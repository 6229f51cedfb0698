from ccengine.dialer import ActiveCall, CallBoard, FlowState
from ccengine.metrics import Hub


def _call(call_id: int, *, tenant: int = 1, campaign: int = 1, at: int = 0) -> ActiveCall:
    return ActiveCall(call_id, tenant, campaign, 100 + call_id, f"+3361234567{call_id}", FlowState.RINGING,
                      at, at, leg=call_id * 10)


def test_calls_move_through_states_and_leave_when_ended() -> None:
    board = CallBoard()
    board.put(_call(1, at=5))
    board.put(_call(2, at=3))
    assert [c.call_id for c in board.calls()] == [2, 1]
    board.move(1, FlowState.WAITING, 10)
    board.move(2, FlowState.WAITING, 12)
    assert [c.call_id for c in board.waiting()] == [1, 2]
    board.move(1, FlowState.CONNECTED, 20, agent_id=7)
    connected = board.of_agent(7)
    assert connected is not None and connected.call_id == 1 and connected.since == 20
    assert [c.call_id for c in board.waiting()] == [2]
    board.drop(1)
    assert board.of_agent(7) is None and board.get(1) is None and len(board) == 1


def test_a_call_taken_over_is_no_longer_its_agents() -> None:
    board = CallBoard()
    board.put(_call(1))
    board.move(1, FlowState.CONNECTED, 20, agent_id=7)
    board.take_over(1, supervisor_id=3)
    held = board.get(1)
    assert held is not None and (held.agent_id, held.taken_over_by, held.state) == (None, 3, FlowState.CONNECTED)
    assert board.of_agent(7) is None
    board.put(_call(2))
    board.move(2, FlowState.CONNECTED, 30, agent_id=7)  # the agent's next call
    next_call = board.of_agent(7)
    assert next_call is not None and next_call.call_id == 2
    board.drop(1)
    assert board.of_agent(7) is next_call


def test_calls_are_scoped_by_tenant_and_campaign() -> None:
    board = CallBoard()
    board.put(_call(1, tenant=1, campaign=1))
    board.put(_call(2, tenant=2, campaign=5))
    assert [c.call_id for c in board.calls(tenant_id=2)] == [2]
    assert [c.call_id for c in board.calls(campaign_id=1)] == [1]
    assert board.calls(tenant_id=3) == []


def test_each_change_is_published_to_the_live_hub() -> None:
    hub = Hub()
    board = CallBoard(hub)
    board.put(_call(1))
    board.move(1, FlowState.RINGING, 1)  # no change: nothing published
    board.move(1, FlowState.CONNECTED, 2, agent_id=4)
    board.drop(1)
    board.drop(1)  # gone already: nothing
    assert hub.version(1) == 3

