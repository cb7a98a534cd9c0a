"""Reasoning over unknown facts: the minimal sets of fact values that decide an answer.

For an undecided action, `minimal_sets` returns partial assignments of the unknown facts,
each minimal (dropping any one fact leaves the answer undecided), that make the action
permitted (or not permitted) whatever the other unknown facts are; together they cover
every completion that gives that answer. It uses clingo only: one enumeration on a twin
control, where each new model is shrunk to a minimal set by cautious reasoning on the main
control and then blocked with a clause, so no completion is visited twice."""

from __future__ import annotations

import functools

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
    from .engine import bounded_solve

    twin = prog.twin()  # type: ignore[attr-defined]
    wanted = "true" if want else "false"
    found: list[dict[str, bool]] = []
    complete = True
    fixed = {f: v for f, v in facts.items() if v is not None}
    # unknown facts outside the cone cannot change the target: fix them to keep the search small
    base = {f: (False if f not in cone else None) for f in twin.fact_symbols}
    base.update(fixed)
    with twin._lock:  # noqa: SLF001 - the twin is private to this search
        # the checks inside the enumeration run on another twin, not on the date's main
        # control, which every other question on the date needs (GroundProgram.twin)
        checker = prog.twin(besides=twin)  # type: ignore[attr-defined]
        for name, sym in twin.fact_symbols.items():
            twin.ctl.assign_external(sym, base.get(name))
        twin.ctl.configuration.solve.enum_mode = "auto"

        failed: list[Exception] = []

        def on_model(model: clingo.Model) -> bool:
            nonlocal complete
            values = {f: model.contains(twin.fact_symbols[f]) for f in cone}
            try:
                implicant = _shrink(checker, fixed, values, target, wanted)
            except Exception as exc:  # noqa: BLE001 - e.g. a LimitError of an inner call: re-raised below
                failed.append(exc)
                return False
            found.append(implicant)
            model.context.add_clause([(twin.fact_symbols[f], not v) for f, v in implicant.items()])
            if len(found) >= limit:
                complete = False
                return False  # stop the search
            return True

        bounded_solve(twin.ctl, on_model, [(target, want)])
        if failed:
            raise failed[0]
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


def _count(cubes: list[dict[str, bool]], n_facts: int) -> int:
    """Number of assignments of n_facts facts that satisfy at least one cube (exact,
    by Shannon expansion on the facts the cubes mention)."""

    frozen = tuple(tuple(sorted(c.items())) for c in cubes)
    names = sorted({f for c in cubes for f in c})

    @functools.cache
    def go(cs: tuple, i: int) -> int:
        free_below = len(names) - i
        if not cs:
            return 0
        if any(len(c) == 0 for c in cs):
            return 2**free_below
        name = names[i]
        total = 0
        for value in (True, False):
            rest = []
            for c in cs:
                d = dict(c)
                if name in d:
                    if d[name] != value:
                        continue
                    del d[name]
                rest.append(tuple(sorted(d.items())))
            total += go(tuple(sorted(set(rest))), i + 1)
        return total

    return go(tuple(sorted(set(frozen))), 0) * 2 ** (n_facts - len(names))


def diff(engine: object, d1, d2, actions=None, limit: int = 200, lang: str = "en"):  # noqa: ANN001, ANN201
    """Every combination of facts whose answer differs between two dates, described exactly
    by minimal sets of conditions and counted over the whole fact space."""
    import dataclasses

    from clingo import ast

    from . import __version__
    from .engine import GroundProgram, _fn, change_text, check_action, check_date
    from .errors import InputError
    from .models import Diff, DiffRow, ProvisionChange
    from .rules import ENGINE_PREDICATES, Rule

    check_date(d1)
    check_date(d2)
    if d1 >= d2:
        raise InputError("--from must be before --to")
    rb = engine.rb  # type: ignore[attr-defined]
    names = list(actions) if actions else list(rb.vocabulary.actions)
    for a in names:
        check_action(rb, a)
    engine_names = {n for n, _ in ENGINE_PREDICATES}

    def renamed(rule: Rule, prefix: str, new_id: int) -> Rule:
        out: list[str] = []

        def rename(node):  # noqa: ANN001, ANN202
            if node.ast_type == ast.ASTType.SymbolicAtom:
                sym = node.symbol
                alts = sym.arguments if sym.ast_type == ast.ASTType.Pool else [sym]
                new = [a.update(name=a.name if a.name in engine_names else prefix + a.name) for a in alts]
                return node.update(symbol=sym.update(arguments=new) if sym.ast_type == ast.ASTType.Pool else new[0])
            return node.update(**{k: _map(getattr(node, k), rename) for k in node.child_keys})

        ast.parse_string(rule.text, lambda st: out.append(str(rename(st))) if st.ast_type == ast.ASTType.Rule else None)
        return dataclasses.replace(rule, id=new_id, text=out[0])

    rules = []
    for prefix, day in (("d1_", d1), ("d2_", d2)):
        for r in rb.rules_on(day):
            rules.append(renamed(r, prefix, len(rules)))
    block = rules[0].block
    for a in names:
        for head, body in (
            (f"_gained({a})", f"d2_permitted({a}), not d1_permitted({a})"),
            (f"_lost({a})", f"d1_permitted({a}), not d2_permitted({a})"),
        ):
            rules.append(Rule(len(rules), "core/permission", block, f"{head} :- {body}.", 0, True))
    prog = GroundProgram(rb, rules)
    n_facts = len(rb.vocabulary.facts)
    rows, unchanged = [], []
    free = prog.evaluate({})
    for a in names:
        found = {}
        complete = True
        for key in ("_gained", "_lost"):
            target = _fn(key, a)
            if free.of(target) == "false":
                found[key] = []
                continue
            cone = engine._depends_on(prog, free, target)  # type: ignore[attr-defined]
            sets, done = minimal_sets(prog, {}, cone, target, True, limit=limit)
            found[key] = sets
            complete = complete and done
        if not found["_gained"] and not found["_lost"]:
            unchanged.append(a)
            continue
        target = _fn("permitted", a)
        changed = {
            p
            for p, _ in {(b.provision_id, b.window) for b in rb.blocks_on(d1)}
            ^ {(b.provision_id, b.window) for b in rb.blocks_on(d2)}
        }
        relevant = set(engine.candidate_bases(a))  # type: ignore[attr-defined]
        for day in (d1, d2):
            relevant |= engine.program(day).provisions_for(target)  # type: ignore[attr-defined]
        provisions = []
        for pid in sorted(changed & relevant):
            starts = [b.start for b in rb.provisions[pid].blocks if d1 < b.start <= d2]
            ends = [b.end for b in rb.provisions[pid].blocks if d1 <= b.end < d2]
            provisions.append(
                ProvisionChange(provision=engine._ref(pid, lang, d2), change=change_text(starts, ends, lang))  # type: ignore[attr-defined]
            )
        rows.append(
            DiffRow(
                action=a,
                label=getattr(rb.vocabulary.actions[a].label, lang),
                gained=found["_gained"],
                lost=found["_lost"],
                gained_count=_count(found["_gained"], n_facts),
                lost_count=_count(found["_lost"], n_facts),
                provisions=provisions,
                gaps=engine.gaps_of(a, d1, d2),  # type: ignore[attr-defined]
                complete=complete,
            )
        )
    return Diff(
        from_date=d1,
        to_date=d2,
        rulebase_hashes={d.isoformat(): rb.content_hash(d) for d in (d1, d2)},
        version=__version__,
        facts=n_facts,
        regime=engine.regime(lang),  # type: ignore[attr-defined]
        reach=engine.reach([d1, d2], names, lang, span=True),  # type: ignore[attr-defined]
        rows=rows,
        unchanged=unchanged,
    )


def _map(value, fn):  # noqa: ANN001, ANN202
    from clingo import ast

    if isinstance(value, ast.AST):
        return fn(value)
    if isinstance(value, list | tuple) or type(value).__name__ == "ASTSequence":
        return [fn(v) if isinstance(v, ast.AST) else v for v in value]
    return value
