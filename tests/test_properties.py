"""Properties that hold for every scenario, checked on random ones (hypothesis)."""

from __future__ import annotations

import datetime as dt

from helpers import engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from article9.errors import InputError
from article9.models import Scenario
from article9.scenario import scenario_from_data

FACTS = list(engine().rb.vocabulary.facts)
DATES = [d for d in engine().rb.change_dates() if d >= dt.date(1954, 7, 1)] + [dt.date(2026, 1, 1)]
values = st.sampled_from([True, False, None])
full = st.fixed_dictionaries({f: st.booleans() for f in FACTS})
partial = st.fixed_dictionaries({f: values for f in FACTS})
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(facts=full, day=st.sampled_from(DATES))
def test_known_facts_give_a_definite_answer_consistent_across_layers(facts, day):
    a = engine().assess(Scenario(title="random", facts=facts), day)
    for d in a.determinations:
        assert d.status in ("permitted", "not_permitted", "no_encoded_basis")
        assert (d.status == "not_permitted") == (d.status != "permitted" and d.closure.closed == "true")
        lawful = [b for b in d.bases if b.lawful == "true"]
        assert (d.status == "permitted") == (d.constitutional == "true" and bool(lawful))
        for b in lawful:
            assert b.in_force and b.authorises == "true"
            assert all(p.done == "true" for p in b.procedure if p.required == "true")
        assert not d.depends_on


@SETTINGS
@given(facts=partial, fill=full, day=st.sampled_from(DATES))
def test_a_decided_answer_survives_any_completion_of_unknown_facts(facts, fill, day):
    e = engine()
    a = e.assess(Scenario(title="partial", facts=facts), day)
    completed = {f: (fill[f] if v is None else v) for f, v in facts.items()}
    b = e.assess(Scenario(title="completed", facts=completed), day)
    for d, c in zip(a.determinations, b.determinations, strict=True):
        if d.status != "depends":
            assert c.status == d.status, (d.action, day)
        else:
            assert d.depends_on
            assert all(facts[f.fact] is None for f in d.depends_on)


@SETTINGS
@given(
    data=st.dictionaries(
        st.text(min_size=1, max_size=12),
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8), st.lists(st.integers(), max_size=2)),
        max_size=4,
    )
)
def test_scenario_loader_accepts_or_rejects_cleanly(data):
    for payload in ({"title": "x", "facts": data}, {"title": "x", **data}, data):
        try:
            scenario_from_data(payload, engine().rb)
        except InputError as exc:
            assert exc.message and "\n" not in exc.message


def _no_memo_engine():
    from article9.engine import Engine, _Memo

    e = Engine(engine().rb)
    e._reused = _Memo(0)  # keeps nothing: every determination computed afresh
    return e


NO_MEMO = _no_memo_engine()


@SETTINGS
@given(facts=full, flips=st.lists(st.sampled_from(FACTS), max_size=3), day=st.sampled_from(DATES))
def test_reused_determinations_equal_fresh_ones(facts, flips, day):
    """The engine reuses the determination of a fully known scenario for another one that
    agrees on the facts in the action's cone; the answer must equal one computed afresh."""
    engine().assess(Scenario(title="s", facts=facts), day)
    other = facts | {f: not facts[f] for f in flips}
    warm = engine().assess(Scenario(title="s", facts=other), day)
    cold = NO_MEMO.assess(Scenario(title="s", facts=other), day)
    assert warm.model_dump() == cold.model_dump()
