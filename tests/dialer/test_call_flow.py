"""CallFlow: one outbound call's rules, from answer to end, without a network."""

from __future__ import annotations

import pytest

from ccengine import domain as d
from ccengine.dialer import Bridge, CallFlow, Detect, End, FlowState, Hangup, Play, WantAgent, outcome_of_failure

S = d.SECOND
T0 = 1_800_000_000 * S


def flow(*, detect: bool = False, rule: d.MachineRule = d.MachineRule.DROP, limit: float = 2.0) -> CallFlow:
    return CallFlow(connect_limit_s=limit, machine_rule=rule, detect_machines=detect)


def test_a_person_is_bridged_to_a_free_agent_and_the_call_ends_human():
    f = flow()
    assert f.answered(T0) == [WantAgent(T0 + 2 * S)]
    assert f.agent_free(7, T0 + S) == [Bridge(7)]
    assert f.state is FlowState.CONNECTED
    assert f.agent_free(8, T0 + S) == []  # taken already
    assert f.hung_up() == [End(d.Outcome.HUMAN, 7)]
    assert f.hung_up() == []  # a late duplicate changes nothing


def test_a_call_taken_over_goes_on_without_its_agent_and_ends_with_nobody_to_wrap_up():
    f = flow()
    assert not f.taken_over(), "nobody to release before an agent has the call"
    f.answered(T0)
    f.agent_free(7, T0 + S)
    assert f.taken_over() and f.state is FlowState.CONNECTED
    assert not f.taken_over(), "released once"
    assert f.hung_up() == [End(d.Outcome.HUMAN, None)]


def test_past_the_connect_limit_the_person_hears_the_prompt_and_is_abandoned():
    f = flow()
    f.answered(T0)
    assert f.tick(T0 + 2 * S - 1) == []
    assert f.tick(T0 + 2 * S) == [Play("abandon")]
    assert f.agent_free(7, T0 + 2 * S) == []  # too late: the prompt already plays
    assert f.prompt_ended() == [Hangup("abandoned"), End(d.Outcome.ABANDONED)]
    assert f.person


def test_a_person_hanging_up_while_waiting_or_during_the_prompt_is_abandoned():
    waiting = flow()
    waiting.answered(T0)
    assert waiting.hung_up() == [End(d.Outcome.ABANDONED)]
    prompted = flow()
    prompted.answered(T0)
    prompted.tick(T0 + 3 * S)
    assert prompted.hung_up() == [End(d.Outcome.ABANDONED)]
    assert prompted.prompt_ended() == []


def test_detection_spends_part_of_the_limit_from_the_end_of_the_greeting():
    f = flow(detect=True)
    assert f.answered(T0) == [Detect()]
    assert not f.person
    # "Hello?" ended 1.2 s after the answer; the detector decided 0.8 s later.
    assert f.detected("human", greeting_ended=T0 + 1_200_000) == [WantAgent(T0 + 3_200_000)]
    assert f.agent_free(3, T0 + 2_100_000) == [Bridge(3)]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (d.MachineRule.DROP, [Hangup("normal"), End(d.Outcome.MACHINE)]),
        (d.MachineRule.MESSAGE, [Play("machine-message")]),
        (d.MachineRule.AGENT, [WantAgent(T0 + 5 * S)]),
    ],
)
def test_machines_follow_the_campaign_rule(rule: d.MachineRule, expected: list[object]):
    f = flow(detect=True, rule=rule)
    f.answered(T0)
    assert f.detected("machine", greeting_ended=T0 + 3 * S) == expected
    assert f.person is (rule is d.MachineRule.AGENT)


def test_a_left_message_ends_as_a_machine_and_an_undecided_answer_is_a_person():
    f = flow(detect=True, rule=d.MachineRule.MESSAGE)
    f.answered(T0)
    f.detected("machine", greeting_ended=T0 + 4 * S)
    assert f.prompt_ended() == [Hangup("normal"), End(d.Outcome.MACHINE)]
    unsure = flow(detect=True)
    unsure.answered(T0)
    assert unsure.detected("unsure", greeting_ended=T0 + S) == [WantAgent(T0 + 3 * S)]


def test_gone_during_detection_counts_as_an_abandoned_person():
    f = flow(detect=True)
    f.answered(T0)
    assert f.hung_up() == [End(d.Outcome.ABANDONED)]
    assert f.person


def test_failures_map_to_record_outcomes():
    f = flow()
    assert f.failed("busy") == [End(d.Outcome.BUSY)]
    assert f.failed("busy") == []  # ended already
    assert [outcome_of_failure(o) for o in ("invalid-number", "no-answer", "cancelled", "rejected", "congestion",
                                            "something-new")] == [
        d.Outcome.INVALID, d.Outcome.NO_ANSWER, d.Outcome.NO_ANSWER, d.Outcome.NO_ANSWER, d.Outcome.FAILED,
        d.Outcome.FAILED]


def test_facts_out_of_order_are_ignored():
    f = flow()
    assert f.detected("human", T0) == []  # no detection was asked
    assert f.prompt_ended() == []
    assert f.agent_free(1, T0) == []  # nobody answered yet
    assert f.tick(T0) == []
    f.answered(T0)
    assert f.answered(T0 + S) == []
    assert f.failed("busy") == []  # answered calls do not fail


def test_stopping_hangs_up_and_records_each_call_as_it_stands():
    ringing = flow()
    assert ringing.stopped() == [Hangup("normal"), End(d.Outcome.INTERRUPTED)]
    connected = flow()
    connected.answered(T0)
    connected.agent_free(7, T0)
    assert connected.stopped() == [Hangup("normal"), End(d.Outcome.HUMAN, 7)]
    detecting = flow(detect=True)
    detecting.answered(T0)
    assert detecting.stopped() == [Hangup("normal"), End(d.Outcome.ABANDONED)]
    assert detecting.person  # a person cut off during detection counts against the cap
    message = flow(detect=True, rule=d.MachineRule.MESSAGE)
    message.answered(T0)
    message.detected("machine", T0 + S)
    assert message.stopped() == [Hangup("normal"), End(d.Outcome.MACHINE)]
    assert message.stopped() == []
