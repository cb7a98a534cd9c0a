"""The compiled windows (deciding.py) give the solver's answers: the same three-valued
valuation of every atom, the same status, and deciding sets that are exactly the minimal
ones (each one checked sufficient and minimal by the solver, every set the solver finds
among them, and together covering the same completions), on random partial scenarios at
every date where the rule blocks change and under a bundled reform; exhaustively against a
truth table on small actions; complete where the solver's lists were cut."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os

import pytest
from helpers import ROOT, engine, solver_engine
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from article9 import deciding
from article9.engine import Engine, _fn
from article9.models import Scenario
from article9.reasoning import _count

FACTS = list(engine().rb.vocabulary.facts)
ACTIONS = list(engine().rb.vocabulary.actions)
DATES = [d for d in engine().rb.change_dates() if d >= dt.date(1947, 5, 3)]
OUTCOMES = (("permitted", "permitted_if"), ("not_permitted", "not_permitted_if"), ("outside_encoded_law", "outside_if"))


def _key(sets):
    return {tuple(sorted(s.items())) for s in sets}


def _check_against_solver(e, ref, facts, day, action):
    """The compiled answer for one action equals the solver's, in every part but the lists'
    length: the compiled lists hold every minimal set, the solver's a covering subset."""
    fast = e.assess(Scenario(title="r", facts=facts), day, [action], explain=False).determinations[0]
    slow = ref.assess(Scenario(title="r", facts=facts), day, [action], explain=False).determinations[0]
    assert (fast.status, fast.constitutional, fast.bases, fast.closure) == (
        slow.status,
        slow.constitutional,
        slow.bases,
        slow.closure,
    ), (day, action)
    event(f"status {fast.status}")
    if fast.status != "depends":
        assert not (fast.permitted_if or fast.not_permitted_if or fast.outside_if or fast.depends_on)
        return
    assert fast.sets_complete and fast.set_counts is not None
    prog = e.program(day)
    fixed = {f: v for f, v in facts.items() if v is not None}
    for name, field in OUTCOMES:
        goal = _fn(name, action)
        mine, theirs = getattr(fast, field), getattr(slow, field)
        assert getattr(fast.set_counts, "outside" if field == "outside_if" else name) == len(mine)
        assert _key(theirs) <= _key(mine), (day, action, field)  # every set the solver found is minimal
        cover = sorted({f for s in mine for f in s} | {f for s in theirs for f in s})
        assert _count(mine, len(cover)) == _count(theirs, len(cover)), (day, action, field)  # same completions
        for one in mine:  # each is sufficient and minimal, by the solver's own check
            assert all(facts.get(f) is None for f in one)
            assert prog.always({**fixed, **one}, goal, True), (day, action, one)
            for f in one:
                assert not prog.always({**fixed, **{k: v for k, v in one.items() if k != f}}, goal, True)
    used = {f for _, field in OUTCOMES for s in getattr(fast, field) for f in s}
    assert [d.fact for d in fast.depends_on] == [f for f in FACTS if f in used]


def test_every_window_of_the_law_compiles():
    e = engine()
    hashes = set()
    for day in DATES:
        prog = e.program(day)
        assert deciding.window(prog) is not None, day
        hashes.add(e.rb.content_hash(day))
    assert len(hashes) >= 20


@pytest.mark.parametrize("day", DATES, ids=str)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    facts=st.fixed_dictionaries({f: st.sampled_from([True, False, None]) for f in FACTS}),
    action=st.sampled_from(ACTIONS),
)
def test_compiled_sets_equal_the_solver_on_every_change_date(day, facts, action):
    _check_against_solver(engine(), solver_engine(), facts, day, action)


@pytest.mark.parametrize("day", DATES[::4], ids=str)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    facts=st.fixed_dictionaries({f: st.sampled_from([True, False, None, None, None]) for f in FACTS}),
)
def test_the_valuation_equals_the_solvers_consequences(day, facts):
    prog = engine().program(day)
    fast = deciding.window(prog).valuation(facts)
    slow = prog.evaluate(facts)
    assert fast.brave == slow.brave
    assert fast.cautious == slow.cautious


def _table(e, day, action, goal, cone):
    """goal's truth for every assignment of the cone facts (the others false), by the solver."""
    prog = e.program(day)
    out = {}
    for combo in itertools.product([False, True], repeat=len(cone)):
        facts = dict.fromkeys(FACTS, False) | dict(zip(cone, combo, strict=True))
        out[combo] = prog.evaluate(facts).of(_fn(goal, action)) == "true"
    return out


def _brute_primes(table, cone, known):
    """Minimal sets of values of the cone facts unknown in `known` that make the goal true in
    every completion: every cube over them, tried against the truth table."""
    free = [i for i, f in enumerate(cone) if f not in known]
    rows = [c for c in table if all(c[i] == known[f] for i, f in enumerate(cone) if f in known)]
    implicants = []
    for values in itertools.product([None, False, True], repeat=len(free)):
        cube = {free[j]: v for j, v in enumerate(values) if v is not None}
        covered = [c for c in rows if all(c[i] == v for i, v in cube.items())]
        if covered and all(table[c] for c in covered):
            implicants.append(cube)
    minimal = [c for c in implicants if not any(o != c and o.items() <= c.items() for o in implicants)]
    return {tuple(sorted((cone[i], v) for i, v in c.items())) for c in minimal}


@pytest.mark.parametrize(
    "action,day",
    [
        ("intercept_missile_aimed_at_japan", dt.date(2017, 1, 1)),
        ("escort_ships_against_piracy", dt.date(2010, 1, 1)),
        ("protect_foreign_forces_assets", dt.date(2017, 1, 1)),
        ("transport_nationals_abroad", dt.date(2017, 1, 1)),
    ],
)
def test_compiled_sets_equal_a_truth_table_exhaustively_on_small_actions(action, day):
    """Every partial assignment of the action's facts: the compiled sets are exactly the
    minimal implicants found by trying every cube against the solver's truth table."""
    e = engine()
    prog = e.program(day)
    free = prog.evaluate({})
    cone = sorted({f for name, _ in OUTCOMES for f in e._depends_on(prog, free, _fn(name, action))}, key=FACTS.index)
    assert 2 <= len(cone) <= 7, cone
    tables = {name: _table(e, day, action, name, cone) for name, _ in OUTCOMES}
    window = deciding.window(prog)
    checked = 0
    for values in itertools.product([None, False, True], repeat=len(cone)):
        known = {f: v for f, v in zip(cone, values, strict=True) if v is not None}
        facts = dict.fromkeys(FACTS, False) | dict.fromkeys(cone) | known
        for name, _ in OUTCOMES:
            sets, count = window.sets(_fn(name, action), True, facts)
            assert count == len(sets)
            assert _key(sets) == _brute_primes(tables[name], cone, known), (action, known, name)
            checked += 1
    assert checked == 3 ** len(cone) * 3


def test_an_open_scenario_has_complete_sets_where_the_solver_cut_them():
    day = dt.date(2017, 1, 1)
    fast = engine().assess(Scenario(title="open", facts={}), day, explain=False)
    assert all(d.sets_complete for d in fast.determinations)
    cut = [
        d.action
        for d in solver_engine().assess(Scenario(title="open", facts={}), day, explain=False).determinations
        if not d.sets_complete
    ]
    assert len(cut) >= 4  # the solver stops at 12 sets
    by_action = {d.action: d for d in fast.determinations}
    for a in cut:
        counts = by_action[a].set_counts
        assert max(counts.permitted, counts.not_permitted, counts.outside) >= 12  # the solver stopped at its 12th


@pytest.mark.parametrize("name", ["full-collective-self-defense.md", "sdf-in-article-9.md"])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    facts=st.fixed_dictionaries({f: st.sampled_from([True, False, None]) for f in FACTS}),
    action=st.sampled_from(ACTIONS),
    day=st.sampled_from([dt.date(2016, 3, 29), dt.date(2030, 1, 1)]),
)
def test_compiled_sets_equal_the_solver_under_a_reform(name, facts, action, day):
    e, ref = _reformed(name)
    assert e.rb.windows is not None  # compiled in the bounded child, not in process
    _check_against_solver(e, ref, facts, day, action)
    assert deciding.window(e.program(day)) is not None


_REFORMED: dict = {}


def _reformed(name):
    if name not in _REFORMED:
        from article9.reform import load_reform

        rb = load_reform(engine().rb, ROOT / "src" / "article9" / "reforms" / name)
        _REFORMED[name] = (Engine(rb), Engine(rb, solver=True))
    return _REFORMED[name]


def test_a_window_is_cached_on_disk_and_a_bad_cache_is_recompiled(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTICLE9_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("ARTICLE9_NO_CACHE", raising=False)
    day = dt.date(2017, 1, 1)
    first = Engine(engine().rb)
    assert deciding.window(first.program(day)) is not None
    files = list(tmp_path.glob("window-*.json"))
    assert len(files) == 1 and (files[0].stat().st_mode & 0o777) == 0o600
    data = json.loads(files[0].read_text())
    assert data["facts"] == FACTS
    # a cache that does not fit the program (here: a fact list of another vocabulary) is not used
    files[0].write_text(json.dumps({**data, "facts": FACTS[::-1]}))
    os.chmod(files[0], 0o600)
    again = Engine(engine().rb)
    window = deciding.window(again.program(day))
    assert window is not None and window.facts == FACTS
    assert json.loads(files[0].read_text())["facts"] == FACTS  # rewritten


def test_a_program_with_a_constraint_is_not_compiled_and_the_solver_answers():
    from article9.program import GroundProgram
    from article9.rules import Rule

    e = engine()
    day = dt.date(2017, 1, 1)
    rules = e.rb.rules_on(day)
    extra = Rule(
        max(r.id for r in e.rb.rules) + 1, rules[0].provision_id, rules[0].block, ":- holds(survival_threat).", 0, True
    )
    prog = GroundProgram(e.rb, [*rules, extra])
    assert prog.exotic
    with pytest.raises(deciding.NotCompilable):
        deciding.compile_window(prog)


def test_without_trees_the_answer_is_the_same_but_the_explanation():
    day = dt.date(2016, 5, 1)
    for facts in ({}, {"survival_threat": True, "armed_attack_on_japan": False}):
        with_trees = engine().assess(Scenario(title="t", facts=facts), day)
        without = engine().assess(Scenario(title="t", facts=facts), day, explain=False)
        assert all(d.explanation is not None for d in with_trees.determinations)
        assert all(d.explanation is None for d in without.determinations)
        strip = [d.model_dump(exclude={"explanation"}) for d in with_trees.determinations]
        assert strip == [d.model_dump(exclude={"explanation"}) for d in without.determinations]


def test_the_api_and_the_cli_answer_without_trees_when_asked():
    from fastapi.testclient import TestClient
    from helpers import SCENARIOS, cli

    from article9.server import create_app

    client = TestClient(create_app())
    body = {"scenario": {"title": "open", "facts": {}}, "dates": ["2017-01-01"], "actions": ["defend_foreign_warship"]}
    full = client.post("/assess", json=body).json()[0]["determinations"][0]
    bare = client.post("/assess", json={**body, "explain": False}).json()[0]["determinations"][0]
    assert full["explanation"]["atom"] == "permitted(defend_foreign_warship)"
    assert bare["explanation"] is None
    assert {k: v for k, v in full.items() if k != "explanation"} == {
        k: v for k, v in bare.items() if k != "explanation"
    }
    assert (
        bare["status"] == "depends"
        and bare["sets_complete"]
        and bare["set_counts"]["not_permitted"] == len(bare["not_permitted_if"])
    )
    ship = str(SCENARIOS / "us-ship-defense.yaml")
    with_trees = json.loads(cli("assess", ship, "-f", "json").stdout)
    without = json.loads(cli("assess", ship, "-f", "json", "--no-explain").stdout)
    assert all("explanation" in d for a in with_trees for d in a["determinations"])
    assert not any("explanation" in d for a in without for d in a["determinations"])
    assert [[d["status"] for d in a["determinations"]] for a in with_trees] == [
        [d["status"] for d in a["determinations"]] for a in without
    ]
