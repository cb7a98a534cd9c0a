"""Reasoning over unknown facts: the minimal sets of fact values that decide an answer.

For an undecided action, `minimal_sets` returns partial assignments of the unknown facts,
each minimal (dropping any one fact leaves the answer undecided), that make the action
permitted (or not permitted) whatever the other unknown facts are; together they cover
every completion that gives that answer. It uses clingo only: one enumeration on a twin
control, where each new model is shrunk to a minimal set by cautious reasoning on the main
control and then blocked with a clause, so no completion is visited twice."""

from __future__ import annotations

import clingo

MAX_SETS = 12


def minimal_sets(
    prog: object,  # GroundProgram; typed loosely to avoid an import cycle
    facts: dict[str, bool | None],
    cone: list[str],
    target: clingo.Symbol,
    want: bool,
    limit: int = MAX_SETS,
) -> tuple[list[dict[str, bool]], bool]:
    """Minimal sets of values for the `cone` facts (all unknown in `facts`) that make
    `target` true (want=True) or false in every completion. Returns (sets, complete)."""
    twin = prog.twin()  # type: ignore[attr-defined]
    wanted = "true" if want else "false"
    found: list[dict[str, bool]] = []
    complete = True
    fixed = {f: v for f, v in facts.items() if v is not None}
    # unknown facts outside the cone cannot change the target: fix them to keep the search small
    base = {f: (False if f not in cone else None) for f in twin.fact_symbols}
    base.update(fixed)
    with twin._lock:  # noqa: SLF001 - the twin is private to this search
        for name, sym in twin.fact_symbols.items():
            twin.ctl.assign_external(sym, base.get(name))
        twin.ctl.configuration.solve.enum_mode = "auto"
        with twin.ctl.solve(yield_=True, assumptions=[(target, want)]) as handle:
            for model in handle:
                values = {f: model.contains(twin.fact_symbols[f]) for f in cone}
                implicant = _shrink(prog, fixed, values, target, wanted)
                found.append(implicant)
                model.context.add_clause([(twin.fact_symbols[f], not v) for f, v in implicant.items()])
                if len(found) >= limit:
                    complete = False
                    break
    found.sort(key=lambda s: (len(s), sorted(s.items())))
    return found, complete


def _shrink(
    prog: object, fixed: dict[str, bool], values: dict[str, bool], target: clingo.Symbol, wanted: str
) -> dict[str, bool]:
    """Drop facts from a completion while the target keeps its value in every completion."""
    kept = dict(values)
    for fact in list(values):
        trial = {k: v for k, v in kept.items() if k != fact}
        quick = prog.kleene({**fixed, **trial}, target)  # type: ignore[attr-defined]
        if quick == wanted or (
            quick == "unknown" and prog.always({**fixed, **trial}, target, wanted == "true")  # type: ignore[attr-defined]
        ):
            kept = trial
    return kept
