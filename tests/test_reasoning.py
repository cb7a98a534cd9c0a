"""Minimal sets of unknown facts that decide an answer: exact on hand-checked cases, and
minimal, sufficient and covering on random ones."""

from __future__ import annotations

import datetime as dt

from helpers import engine, scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from article9.engine import _fn
from article9.models import Scenario

D = dt.date


def test_emergency_defense_operation_turns_on_the_diet_vote():
    d = engine().assess(scenario("us-ship-defense-emergency.yaml"), D(2016, 5, 1)).determinations[0]
    assert d.status == "depends"
    assert d.permitted_if == [{"diet_refused_defense_operation": False}]
    assert d.not_permitted_if == [{"diet_refused_defense_operation": True}]
    assert [f.fact for f in d.depends_on] == ["diet_refused_defense_operation"]


def test_two_orders_either_of_which_suffices():
    d = engine().assess(scenario("missile-toward-japan-order-unknown.yaml"), D(2017, 8, 29)).determinations[0]
    assert sorted(map(sorted, (s.items() for s in d.permitted_if))) == [
        [("mindef_destruction_order_emergency", True)],
        [("mindef_destruction_order_pm_approved", True)],
    ]
    assert d.not_permitted_if == [
        {"mindef_destruction_order_pm_approved": False, "mindef_destruction_order_emergency": False}
    ]


FACTS = list(engine().rb.vocabulary.facts)
ACTIONS = ["defend_foreign_warship", "rear_support_foreign_forces", "kaketsuke_keigo", "transport_nationals_abroad"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    facts=st.fixed_dictionaries({f: st.sampled_from([True, False, None, None]) for f in FACTS}),
    fill=st.fixed_dictionaries({f: st.booleans() for f in FACTS}),
    day=st.sampled_from([D(2005, 6, 1), D(2015, 6, 1), D(2017, 6, 1)]),
    action=st.sampled_from(ACTIONS),
)
def test_sets_are_sufficient_minimal_and_cover_every_completion(facts, fill, day, action):
    e = engine()
    det = e.assess(Scenario(title="random", facts=facts), day, [action]).determinations[0]
    if det.status != "depends":
        return
    prog = e.program(day)
    target = _fn("permitted", action)
    fixed = {f: v for f, v in facts.items() if v is not None}
    for want, sets in ((True, det.permitted_if), (False, det.not_permitted_if)):
        assert sets
        for one in sets:
            assert all(facts[f] is None for f in one)
            assert prog.always({**fixed, **one}, target, want)
            for f in one:
                smaller = {k: v for k, v in one.items() if k != f}
                assert not prog.always({**fixed, **smaller}, target, want)
    completion = {f: (fill[f] if v is None else v) for f, v in facts.items()}
    outcome = e.assess(Scenario(title="c", facts=completion), day, [action]).determinations[0].status
    sets = det.permitted_if if outcome == "permitted" else det.not_permitted_if
    if det.sets_complete:
        assert any(all(completion[f] == v for f, v in one.items()) for one in sets)
