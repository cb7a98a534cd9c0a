"""The two-date diff: every combination of facts whose answer differs between two dates,
as exact condition sets over the whole fact space and counted. (The minimal deciding sets
it uses are in deciding.py; `minimal_sets` and MAX_SETS are imported from there.)"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

from .deciding import MAX_SETS, minimal_sets
from .engine import Engine, GroundProgram, _fn, change_text, check_action, check_date, in_clingo
from .models import Diff

__all__ = ["MAX_SETS", "diff", "minimal_sets"]


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


def diff(
    engine: Engine,
    d1: dt.date,
    d2: dt.date,
    actions: Iterable[str] | None = None,
    limit: int = 200,
    lang: str = "en",
) -> Diff:
    """Every combination of facts whose answer differs between two dates, described exactly
    by minimal sets of conditions and counted over the whole fact space."""
    import dataclasses

    from clingo import ast

    from . import __version__
    from .errors import InputError
    from .models import DiffRow, ProvisionChange
    from .rules import ENGINE_PREDICATES, Rule

    check_date(d1)
    check_date(d2)
    if d1 >= d2:
        raise InputError("--from must be before --to")
    rb = engine.rb
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

        with in_clingo():  # clingo calls back into Python: never while the interpreter exits
            ast.parse_string(
                rule.text, lambda st: out.append(str(rename(st))) if st.ast_type == ast.ASTType.Rule else None
            )
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
            cone = engine._depends_on(prog, free, target)
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
        relevant = set(engine.candidate_bases(a))
        for day in (d1, d2):
            relevant |= engine.program(day).provisions_for(target)
        provisions = []
        for pid in sorted(changed & relevant):
            starts = [b.start for b in rb.provisions[pid].blocks if d1 < b.start <= d2]
            ends = [b.end for b in rb.provisions[pid].blocks if d1 <= b.end < d2]
            provisions.append(
                ProvisionChange(provision=engine._ref(pid, lang, d2), change=change_text(starts, ends, lang))
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
                gaps=engine.gaps_of(a, d1, d2),
                complete=complete,
            )
        )
    return Diff(
        from_date=d1,
        to_date=d2,
        rulebase_hashes={d.isoformat(): rb.content_hash(d) for d in (d1, d2)},
        version=__version__,
        facts=n_facts,
        regime=engine.regime(lang),
        reach=engine.reach([d1, d2], names, lang, span=True),
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
