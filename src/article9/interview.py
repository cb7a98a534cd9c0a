"""The guided interview: which question to ask next, computed by the engine from the
unknown facts that can still change the outcome of the chosen actions."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from .models import Scenario

KIND_ORDER = {"world_fact": 0, "judgment": 1, "procedural": 2}


def next_question(engine: object, scenario: Scenario, actions: list[str], day: dt.date, skip: set[str]) -> str | None:
    """The next fact to ask about, or None when every chosen action is decided or no
    remaining question can decide it. Only facts in some minimal deciding set are asked;
    world facts come before government judgments before procedure, and among them the
    fact that appears in the most deciding sets first."""
    return question_for(engine, engine.assess(scenario, day, actions, explain=False), skip)  # type: ignore[attr-defined]


def question_for(engine: object, assessment: object, skip: set[str]) -> str | None:
    """next_question, given the scenario's assessment (so a caller that shows it too assesses once)."""
    weight: Counter[str] = Counter()
    for d in assessment.determinations:  # type: ignore[attr-defined]
        if d.status != "depends":
            continue
        for one in d.permitted_if + d.not_permitted_if + d.outside_if:
            for fact in one:
                if fact not in skip:
                    weight[fact] += 1
    if not weight:
        return None
    kinds = engine.rb.vocabulary.facts  # type: ignore[attr-defined]
    order = {f: i for i, f in enumerate(kinds)}
    return min(weight, key=lambda f: (KIND_ORDER[kinds[f].kind], -weight[f], order[f]))


def simulate(engine: object, scenario: Scenario, actions: list[str], day: dt.date) -> int:
    """How many questions the interview asks when the answers are the scenario's own facts
    (unknown where the scenario leaves a fact out)."""
    return _simulate(engine, scenario, actions, day)[0]


def _simulate(engine: object, scenario: Scenario, actions: list[str], day: dt.date) -> tuple[int, bool]:
    known: dict[str, bool | None] = {}
    asked: set[str] = set()
    while True:
        fact = next_question(engine, Scenario(title="interview", facts=known), actions, day, asked)
        if fact is None:
            break
        asked.add(fact)
        known[fact] = scenario.facts.get(fact)
    short = engine.assess(Scenario(title="interview", facts=known), day, actions, explain=False)  # type: ignore[attr-defined]
    full = engine.assess(scenario, day, actions, explain=False)  # type: ignore[attr-defined]
    same = [d.status for d in short.determinations] == [d.status for d in full.determinations]
    return len(asked), same


def measure(engine: object, folder: Path) -> list[tuple[str, int, bool]]:
    """Questions needed for every bundled scenario (its actions, its first expected date)."""
    from .scenario import load_scenario

    out = []
    for path in sorted(folder.glob("*.yaml")):
        s = load_scenario(path, engine.rb)  # type: ignore[attr-defined]
        day = min(s.expect) if s.expect else (s.dates[0] if s.dates else dt.date.today())
        actions = s.actions or sorted({a for per in s.expect.values() for a in per})
        out.append((path.name, *_simulate(engine, s, actions, day)))
    return out
