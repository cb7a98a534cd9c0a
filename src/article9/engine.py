"""The engine: ground the blocks in force on a date once, then answer each scenario by
assigning external atoms (multi-shot), reading answers and explanations off the ground
program the solver used."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

import clingo

from . import __version__, deciding
from .corpus import RuleBase, load_rulebase
from .errors import InputError
from .models import (
    Alternative,
    Assessment,
    BasisResult,
    Closure,
    CompareCell,
    CompareChange,
    CompareRow,
    Comparison,
    DependsOn,
    Determination,
    FactChange,
    GapRef,
    ProcedureStep,
    ProvisionChange,
    ProvisionRef,
    Reach,
    Regime,
    RuleBaseInfo,
    RuleRef,
    Scenario,
    SetCounts,
    Step,
    Tri,
    WhatIf,
)
from .program import (  # noqa: F401 - re-exported: the engine's public names before program.py
    _DEADLINE,
    FIRST_DATE,
    SOLVE_SECONDS,
    GroundProgram,
    GroundRule,
    Valuation,
    _fn,
    _pair,
    _reads,
    _tri,
    bounded_solve,
    check_deadline,
    in_clingo,
    solve_seconds,
    time_limit,
)
from .vocab import fill

MAX_DEPTH = 12
MAX_STEPS = 2000  # derived steps in one action's explanation; the packaged law needs under 100


def _status(permitted: Tri, closed: Tri) -> str:
    """permitted; not permitted only where a closure claim covers the action; with no
    lawful basis and no closure claim, outside the encoded law (no_encoded_basis)."""
    if permitted == "true":
        return "permitted"
    if permitted == "unknown":
        return "depends"
    return {"true": "not_permitted", "false": "no_encoded_basis", "unknown": "depends"}[closed]


class Engine:
    """Answers scenarios on dates. Ground programs are cached per set of blocks."""

    def __init__(self, rulebase: RuleBase | None = None, solver: bool | None = None) -> None:
        """solver=True answers every question with unknown facts by solving (the reference
        the compiled windows are tested against); the default (None) is the compiled windows
        (deciding.py), unless ARTICLE9_DECIDING=solver is set at the time of the question."""
        self.rb = rulebase if rulebase is not None else load_rulebase()
        self._solver = solver
        self._hashes: dict[dt.date, str] = {}
        self._programs: dict[str, GroundProgram] = {}
        self._lock = threading.Lock()
        self._candidates: dict[str, list[str]] | None = None
        self._reused = _Memo(1024)  # determinations of fully known scenarios (~30 KB each in memory), see assess
        self._full: GroundProgram | None = None  # every rule of every date, grounded together
        self._bearing: dict[str, set[str]] = {}

    def compiled_answers(self) -> bool:
        """Whether questions with unknown facts are answered from compiled windows (not solved)."""
        return not self.solver

    @property
    def solver(self) -> bool:
        return (not deciding.enabled()) if self._solver is None else self._solver

    # -- programs ------------------------------------------------------------------
    def program(self, day: dt.date) -> GroundProgram:
        key = self._hash(day)
        with self._lock:
            if key not in self._programs:
                self._programs[key] = GroundProgram(self.rb, self.rb.rules_on(day))
            return self._programs[key]

    def info(self, day: dt.date) -> RuleBaseInfo:
        """What an answer says of the rule base behind it: content hash, blocks, version."""
        key = self._hash(day)
        return RuleBaseInfo(hash=key, blocks=len(self.rb.blocks_on(day)), version=__version__)

    def _hash(self, day: dt.date) -> str:
        """The rule base's content hash on `day`, remembered per date (hashing every block text
        took longer than answering from a compiled window)."""
        key = self._hashes.get(day)
        if key is None:
            if len(self._hashes) > 65536:
                self._hashes.clear()
            key = self._hashes[day] = self.rb.content_hash(day)
        return key

    def full_program(self) -> GroundProgram:
        """Every rule of every date grounded together: what can bear on what on some date."""
        with self._lock:
            if self._full is None:
                self._full = GroundProgram(self.rb, self.rb.rules)
            return self._full

    def bearing(self, action: str) -> set[str]:
        """Provisions that can bear on the answer for `action` on some date."""
        if action not in self._bearing:
            full = self.full_program()
            found = set(self.candidate_bases(action))
            for name in ("permitted", "closed"):
                found |= full.provisions_for(_fn(name, action))
            self._bearing[action] = found
        return self._bearing[action]

    # -- regime and reach ----------------------------------------------------------
    def regime(self, lang: str = "en") -> Regime:
        """The law as encoded, or the reform applied (with the banner every face shows)."""
        from .i18n import t

        inst = self.rb.reform
        if inst is None:
            return Regime(kind="law")
        title = inst.title_ja if lang == "ja" and inst.title_ja else inst.title_en
        try:
            effective = dt.date.fromisoformat(str(inst.meta.get("effective")))
        except ValueError:
            effective = None
        banner = t("reform_banner", lang, title=title, effective=effective.isoformat() if effective else "?")
        return Regime(kind="reform", id=inst.id, title=title, effective=effective, banner=banner)

    def gaps(self, first: dt.date, last: dt.date, actions: Iterable[str], lang: str = "en") -> list[GapRef]:
        """The known gaps (law/reach.yaml) whose window meets first..last and that bear on
        one of the actions."""
        names = list(actions)
        out = []
        for gap in self.rb.reach.gaps:
            if not gap.overlaps(first, last):
                continue
            if gap.actions != "all" and not any(
                a in gap.actions or set(gap.provisions) & self.bearing(a) for a in names
            ):
                continue
            out.append(self.gap_ref(gap, lang))
        return out

    def gap_ref(self, gap: object, lang: str = "en") -> GapRef:
        return GapRef(
            id=gap.id,  # type: ignore[attr-defined]
            title=getattr(gap.title, lang),  # type: ignore[attr-defined]
            window=gap.window,  # type: ignore[attr-defined]
            note=getattr(gap.note, lang),  # type: ignore[attr-defined]
            source=gap.source,  # type: ignore[attr-defined]
            provisions=list(gap.provisions),  # type: ignore[attr-defined]
        )

    def gaps_of(self, action: str, first: dt.date, last: dt.date) -> list[str]:
        """Ids of the known gaps bearing on one action between two dates."""
        return [g.id for g in self.gaps(first, last, [action])]

    def reach(self, days: Sequence[dt.date], actions: Iterable[str], lang: str = "en", span: bool = False) -> Reach:
        """What an answer says of the law's reach: the encoded-to date, a warning for a date
        after it, and the gaps the dates (or, with span, the whole period) and actions touch."""
        from .i18n import t

        to = self.rb.reach.encoded_to
        names = list(actions)
        later = sorted(d for d in days if to is not None and d > to)
        warning = (
            t("after_encoded_to", lang, dates=", ".join(d.isoformat() for d in later), to=to.isoformat())
            if later and to is not None
            else None
        )
        if span:
            gaps = self.gaps(min(days), max(days), names, lang)
        else:
            seen: dict[str, GapRef] = {}
            for d in sorted(set(days)):
                for g in self.gaps(d, d, names, lang):
                    seen.setdefault(g.id, g)
            gaps = list(seen.values())
        return Reach(encoded_to=to, after_encoded_to=bool(later), warning=warning, gaps=gaps)

    def candidate_bases(self, action: str) -> list[str]:
        """Every provision that authorises `action` on some date (from grounding all blocks)."""
        if self._candidates is None:
            found: dict[str, set[str]] = {}
            for sym in self.full_program().atoms("basis"):
                found.setdefault(sym.arguments[0].name, set()).add(sym.arguments[1].string)
            self._candidates = {a: sorted(ps) for a, ps in found.items()}
        return self._candidates.get(action, [])

    # -- assessment ----------------------------------------------------------------
    def assess(
        self,
        scenario: Scenario,
        day: dt.date,
        actions: Iterable[str] | None = None,
        lang: str = "en",
        explain: bool = True,
    ) -> Assessment:
        """The scenario's answer for each action on `day`. With explain=False no explanation
        tree is built (each determination's `explanation` is null): status, layers, bases,
        procedure, closure and deciding sets are the same either way."""
        check_date(day)
        v = self.rb.vocabulary
        names = list(actions) if actions else (scenario.actions or list(v.actions))
        for name in names:
            check_action(self.rb, name)
        prog = self.program(day)
        window = None if self.solver else deciding.window(prog)
        facts = dict(scenario.facts)
        # A fully known scenario has one answer set, and an action's determination is a
        # function of the facts in its cone: reuse determinations computed before.
        keys: dict[str, tuple] = {}
        if all(facts.get(f) is not None for f in v.facts):
            keys = {
                a: (day, a, lang, explain, tuple(facts[f] for f in prog.cone_facts(a, self.candidate_bases(a))))
                for a in names
            }
        reused = {a: d for a, d in ((a, self._reused.get(k)) for a, k in keys.items()) if d is not None}
        if len(reused) < len(names):
            val = window.valuation(facts) if window is not None else prog.evaluate(facts)
            statuses = {a: val.of(_fn("permitted", a)) for a in names}
            closures = {a: val.of(_fn("closed", a)) for a in names}
            explainer = Explainer(self.rb, prog, val, day, lang)
        dets = []
        for a in names:
            if a in reused:
                dets.append(reused[a])
                continue
            check_deadline()  # the request's time limit, between actions too
            action = v.actions[a]
            status = _status(statuses[a], closures[a])
            det = Determination(
                action=a,
                label=getattr(action.label, lang),
                type=action.type,
                status=status,
                constitutional=val.of(_fn("constitutional", a)),
                bases=self._bases(prog, val, a, day, lang),
                closure=Closure(closed=closures[a], claims=self._claims(prog, val, a, lang)),
                explanation=explainer.explain_action(a, self._not_in_force(prog, a, day), closure=status != "permitted")
                if explain
                else None,
            )
            if status == "depends":
                self._undecided(det, prog, val, facts, lang, window)
            if a in keys:
                self._reused.put(keys[a], det)
            dets.append(det)
        return Assessment(
            date=day,
            scenario=scenario.title,
            rulebase=self.info(day),
            regime=self.regime(lang),
            reach=self.reach([day], names, lang),
            facts={f: _tri(facts.get(f)) for f in v.facts},
            determinations=dets,
        )

    def whatif(
        self, scenario: Scenario, action: str, day: dt.date, max_changes: int = 3, limit: int = 20, lang: str = "en"
    ) -> WhatIf:
        """The smallest changes to the scenario's known facts that give the opposite answer
        (for an undecided answer: that make it permitted), smallest first. Unknown facts
        stay unknown, so a change counts only if it decides the answer whatever they are."""
        from itertools import combinations

        check_date(day)
        check_action(self.rb, action)
        if not 1 <= max_changes <= 6:
            raise InputError(f"--max-changes must be from 1 to 6 (got {max_changes})")
        base = self.assess(scenario, day, [action], explain=False).determinations[0]
        if base.status == "permitted":  # the other way: not permitted, or outside the encoded law
            target_status = "not_permitted" if base.closure.closed == "true" else "no_encoded_basis"
        else:
            target_status = "permitted"
        want = target_status == "permitted"
        prog = self.program(day)
        target = _fn("permitted", action)
        support = set(prog._support(target))  # noqa: SLF001
        facts = dict(scenario.facts)
        order = {f: i for i, f in enumerate(self.rb.vocabulary.facts)}
        candidates = sorted(
            (
                f
                for f, v in facts.items()
                if v is not None and prog.atom_of.get(prog.fact_symbols[f]) in _reads(prog, support)
            ),
            key=order.get,
        )
        found: list[tuple[str, ...]] = []
        complete = True
        for size in range(1, max_changes + 1):
            for combo in combinations(candidates, size):
                if any(set(prev) <= set(combo) for prev in found):
                    continue
                trial = {**facts, **{f: not facts[f] for f in combo}}
                quick = prog.kleene(trial, target)
                if quick == ("true" if want else "false") or (quick == "unknown" and prog.always(trial, target, want)):
                    found.append(combo)
                    if len(found) >= limit:
                        complete = False
                        break
            if not complete:
                break
        v = self.rb.vocabulary
        alternatives = []
        for combo in found:
            trial = {**facts, **{f: not facts[f] for f in combo}}
            det = self.assess(scenario.model_copy(update={"facts": trial}), day, [action], lang=lang).determinations[0]
            changes = [
                FactChange(
                    fact=f,
                    kind=v.facts[f].kind,
                    old=facts[f],
                    new=not facts[f],
                    reads=_reads_as(v, f, not facts[f], lang),
                )
                for f in combo
            ]
            alternatives.append(Alternative(changes=changes, status=det.status, explanation=det.explanation))
        return WhatIf(
            scenario=scenario.title,
            action=action,
            date=day,
            rulebase=self.info(day),
            regime=self.regime(lang),
            reach=self.reach([day], [action], lang),
            status=base.status,
            target=target_status,
            max_changes=max_changes,
            alternatives=alternatives,
            complete=complete,
        )

    def compare(
        self,
        scenario: Scenario,
        days: list[dt.date],
        actions: Iterable[str] | None = None,
        lang: str = "en",
        on_result: Callable[[Assessment], None] | None = None,
    ) -> Comparison:
        """The scenario's answers on several dates, and for each change between consecutive
        dates the provisions whose dated blocks made it. `on_result` sees each date's
        assessment (the faces use it to keep the decision log)."""
        days = sorted(set(days))  # a date given twice is one date
        if len(days) < 2:
            raise InputError("compare needs at least two dates (--date D1 --date D2)")
        results = [self.assess(scenario, d, actions, lang=lang, explain=False) for d in days]
        if on_result is not None:
            for result in results:
                on_result(result)
        rows = []
        for i, action in enumerate(r.action for r in results[0].determinations):
            dets = [r.determinations[i] for r in results]
            cells = [self._cell(d, det) for d, det in zip(days, dets, strict=True)]
            changes = []
            for (d1, c1, e1), (d2, c2, e2) in zip(
                zip(days, cells, dets, strict=True), list(zip(days, cells, dets, strict=True))[1:], strict=False
            ):
                if (c1.status, c1.bases, c1.constitutional) == (c2.status, c2.bases, c2.constitutional):
                    continue
                if c1.status != c2.status:
                    what = f"{c1.status} -> {c2.status}"
                elif c1.bases != c2.bases:
                    what = f"basis {', '.join(c1.bases) or '-'} -> {', '.join(c2.bases) or '-'}"
                else:
                    what = f"constitutional layer {c1.constitutional} -> {c2.constitutional}"
                changes.append(
                    CompareChange(from_date=d1, to_date=d2, what=what, provisions=self._changed(d1, d2, e1, e2, lang))
                )
            rows.append(CompareRow(action=action, label=dets[0].label, cells=cells, changes=changes))
        return Comparison(
            scenario=scenario.title,
            dates=days,
            rulebase_hashes={d.isoformat(): r.rulebase.hash for d, r in zip(days, results, strict=True)},
            version=__version__,
            regime=self.regime(lang),
            reach=self.reach(days, [r.action for r in results[0].determinations], lang),
            rows=rows,
        )

    @staticmethod
    def _cell(day: dt.date, det: Determination) -> CompareCell:
        live = [b for b in det.bases if b.lawful in ("true", "unknown")]
        steps = sorted({p.label for b in live for p in b.procedure if p.required != "false"})
        return CompareCell(
            date=day,
            status=det.status,
            constitutional=det.constitutional,
            bases=[b.provision.id for b in live],
            procedure=steps,
            permitted_if=det.permitted_if,
            not_permitted_if=det.not_permitted_if,
            outside_if=det.outside_if,
        )

    def _changed(
        self, d1: dt.date, d2: dt.date, e1: Determination, e2: Determination, lang: str = "en"
    ) -> list[ProvisionChange]:
        """Provisions whose blocks differ between the dates and that bear on this action:
        cited in either explanation, or a candidate basis for it."""
        before = {(b.provision_id, b.window) for b in self.rb.blocks_on(d1)}
        after = {(b.provision_id, b.window) for b in self.rb.blocks_on(d2)}
        changed = {pid for pid, _ in before ^ after}

        relevant = set(self.candidate_bases(e1.action))
        for day in (d1, d2):
            for name in ("permitted", "closed"):
                relevant |= self.program(day).provisions_for(_fn(name, e1.action))
        out = []
        for pid in sorted(changed & relevant):
            starts = [b.start for b in self.rb.provisions[pid].blocks if d1 < b.start <= d2]
            ends = [b.end for b in self.rb.provisions[pid].blocks if d1 <= b.end < d2]
            out.append(ProvisionChange(provision=self._ref(pid, lang, d2), change=change_text(starts, ends, lang)))
        return out

    def _undecided(
        self,
        det: Determination,
        prog: GroundProgram,
        val: Valuation,
        facts: dict,
        lang: str = "en",
        window: deciding.Window | None = None,
    ) -> None:
        """Fill the minimal sets that decide an undecided action, and the facts they use:
        every one, from the compiled window; without one, from the solver, up to its limit."""
        v = self.rb.vocabulary
        a = det.action
        done = True
        counts: list[int] = []

        def sets(target: clingo.Symbol, want: bool = True) -> list[dict[str, bool]]:
            nonlocal done
            if val.of(target) == ("false" if want else "true"):
                counts.append(0)
                return []  # this outcome is impossible whatever the unknown facts are
            if window is not None:
                found, count = window.sets(target, want, facts)
                counts.append(count)
                done = done and count == len(found)
                return found
            found, complete = deciding.minimal_sets(prog, facts, self._depends_on(prog, val, target), target, want)
            done = done and complete
            return found

        det.permitted_if = sets(_fn("permitted", a))
        if _fn("not_permitted", a) in prog.atom_of or _fn("outside_encoded_law", a) in prog.atom_of:
            det.not_permitted_if = sets(_fn("not_permitted", a))
            det.outside_if = sets(_fn("outside_encoded_law", a))
        else:  # a rule base without law/closure.md: no closure claims, so never 'not permitted'
            counts.append(0)
            det.outside_if = sets(_fn("permitted", a), False)
        det.sets_complete = done
        if window is not None:
            det.set_counts = SetCounts(permitted=counts[0], not_permitted=counts[1], outside=counts[2])
        used = {f for s in det.permitted_if + det.not_permitted_if + det.outside_if for f in s}
        det.depends_on = [
            DependsOn(fact=f, kind=v.facts[f].kind, question=getattr(v.facts[f].question, lang))
            for f in v.facts
            if f in used
        ]

    def _depends(self, prog: GroundProgram, val: Valuation, action: str) -> list[str]:
        return self._depends_on(prog, val, _fn("permitted", action))

    def _claims(self, prog: GroundProgram, val: Valuation, action: str, lang: str = "en") -> list[ProvisionRef]:
        """The closure claims that cover `action` (or may, under the unknown facts)."""
        atom = prog.atom_of.get(_fn("closed", action))
        if atom is None:
            return []
        pids: list[str] = []
        for rule in prog.by_head.get(atom, []):
            values = [val.of_atom(abs(x)) if x > 0 else _neg(val.of_atom(abs(x))) for x in rule.body]
            pid = prog.rules[rule.rule_id].provision_id
            if "false" not in values and pid not in pids and pid in self.rb.provisions:
                pids.append(pid)
        return [self._ref(pid, lang) for pid in pids]

    def _depends_on(self, prog: GroundProgram, val: Valuation, target: clingo.Symbol) -> list[str]:
        """The unknown facts an undecided answer still turns on: walk the ground rules back
        from permitted(action), skipping rules that a known-false condition already rules
        out and conditions already known either way, and collect the unknown facts reached.
        Every fact that can change the answer is listed; a fact is listed only if some open
        rule still reads it."""
        start = prog.atom_of.get(target)
        if start is None:
            return []
        facts = {s: f for f, s in prog.fact_symbols.items()}
        seen = {start}
        todo = [start]
        found: set[str] = set()
        while todo:
            atom = todo.pop()
            sym = prog.symbols[atom]
            if sym in facts:
                found.add(facts[sym])
                continue
            for rule in prog.by_head.get(atom, []):
                values = [(lit, val.of(prog.symbols[abs(lit)])) for lit in rule.body]
                if any((v == "false") == (lit > 0) and v != "unknown" for lit, v in values):
                    continue
                for lit, v in values:
                    if v == "unknown" and abs(lit) not in seen:
                        seen.add(abs(lit))
                        todo.append(abs(lit))
        return [f for f in self.rb.vocabulary.facts if f in found]

    def _ref(self, pid: str, lang: str = "en", day: dt.date | None = None) -> ProvisionRef:
        return provision_ref(self.rb, pid, lang, day)

    def _bases(
        self, prog: GroundProgram, val: Valuation, action: str, day: dt.date, lang: str = "en"
    ) -> list[BasisResult]:
        def value(sym: clingo.Symbol | int) -> Tri:
            return val.of_atom(sym) if isinstance(sym, int) else val.of(sym)

        out = []
        for pid, in_force, window, basis, lawful, steps in self._basis_plan(prog, action, day):
            out.append(
                BasisResult(
                    provision=self._ref(pid, lang, day),
                    in_force=in_force,
                    window=window,
                    authorises=value(basis),
                    procedure=[
                        ProcedureStep(
                            step=step,
                            label=getattr(self.rb.vocabulary.procedures[step].label, lang),
                            required=value(required),
                            done=value(done),
                            demanded_by=demanded,
                            defined_by=f"procedure/{step.replace('_', '-')}",
                        )
                        for step, required, done, demanded in steps
                    ],
                    lawful=value(lawful),
                )
            )
        return out

    def _basis_plan(self, prog: GroundProgram, action: str, day: dt.date) -> list[tuple]:
        """Per candidate basis of `action`: id, in force on `day`, window, and the program
        atoms (or, for atoms the program lacks, symbols) of its basis, lawful, required and
        satisfied conditions. Made once per program and action: the dates a program serves
        have the same blocks in force, so the same provisions in force."""
        plan = prog.basis_plans.get(action)
        if plan is None:

            def atom(sym: clingo.Symbol) -> clingo.Symbol | int:
                return prog.atom_of.get(sym, sym)

            plan = prog.basis_plans[action] = [
                (
                    pid,
                    any(b.in_force(day) for b in self.rb.provisions[pid].blocks),
                    self.rb.window_text(pid),
                    atom(_pair("basis", action, pid)),
                    atom(_pair("lawful", action, pid)),
                    [
                        (
                            s.arguments[2].name,
                            atom(s),
                            atom(_fn("satisfied", s.arguments[2].name)),
                            prog.provisions_deriving(s),
                        )
                        for s in prog.requires.get((action, pid), [])
                    ],
                )
                for pid in self.candidate_bases(action)
            ]
        return plan

    def _not_in_force(self, prog: GroundProgram, action: str, day: dt.date) -> list[tuple[str, str]]:
        """Candidate bases of `action` whose rules are not in force on `day`, with their windows."""
        return [(pid, window) for pid, in_force, window, *_ in self._basis_plan(prog, action, day) if not in_force]


class _Memo:
    """A bounded, thread-safe map that forgets its least recently used entries. Values are
    shared between answers, so nothing may change a Determination after assess returns it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple, Determination] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> Determination | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: tuple, value: Determination) -> None:
        with self.lock:
            self.items[key] = value
            if len(self.items) > self.size:
                self.items.popitem(last=False)


KIND_WORDS = {
    "en": {
        "procedural": ("Procedure: this step would have to be taken", "Procedure: this step would have to be absent"),
        "judgment": ("The government would have to judge", "The government would have to judge otherwise"),
        "world_fact": ("The facts would have to be", "The facts would have to be otherwise"),
    },
    "ja": {
        "procedural": ("手続：次の手続が行われる必要がある", "手続：次の手続が行われていない場合"),
        "judgment": ("政府が次のように判断する必要がある", "政府が次のように判断しない場合"),
        "world_fact": ("事実が次のとおりである必要がある", "事実が次のとおりでない場合"),
    },
}


def _reads_as(v: object, fact: str, new: bool, lang: str = "en") -> str:
    f = v.facts[fact]  # type: ignore[attr-defined]
    yes, no = KIND_WORDS[lang][f.kind]
    return f"{yes if new else no}: {getattr(f.label, lang)}"


def change_text(starts: list[dt.date], ends: list[dt.date], lang: str = "en") -> str:
    """How a provision's blocks changed between two dates, in words."""
    if lang == "ja":
        parts = [f"{d.isoformat()}から施行" for d in starts] + [f"{d.isoformat()}限りで失効" for d in ends]
        return "、".join(parts) or "変更"
    parts = [f"in force from {d.isoformat()}" for d in starts] + [f"ceased after {d.isoformat()}" for d in ends]
    return "; ".join(parts) or "changed"


def _inline(label: str) -> str:
    """A label as it reads inside a sentence: 'Use force ...' -> 'use force ...' (not 'US')."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _neg(value: Tri) -> Tri:
    return {"true": "false", "false": "true", "unknown": "unknown"}[value]  # type: ignore[return-value]


def check_date(day: dt.date) -> None:
    if day < FIRST_DATE:
        raise InputError(
            f"date {day.isoformat()} is before 1947-05-03, when the Constitution came into force; "
            "the rule base starts there"
        )


def check_action(rb: RuleBase, name: str) -> None:
    from .corpus import suggest

    if name not in rb.vocabulary.actions:
        raise InputError(f"unknown action {name!r}{suggest(name, rb.vocabulary.actions)}; see 'article9 vocab'")


def provision_ref(rb: RuleBase, pid: str, lang: str = "en", day: dt.date | None = None) -> ProvisionRef:
    """How an answer cites provision `pid` on `day`: its title with the article number it had
    that day and, where the provision has been renumbered since, its number today."""
    p = rb.provisions[pid]
    then, now = p.numbering_on(day), p.numbering_on(None)
    return ProvisionRef(
        id=pid,
        title=p.title_on(day, lang),
        instrument=p.instrument,
        marker=p.marker,
        article=(then.article_ja if lang == "ja" else then.article) if then else None,
        today=(now.title(lang) if now is not None and then is not None and now is not then else None),
    )


class Explainer:
    """Builds justification trees from the ground rules and the valuation."""

    def __init__(self, rb: RuleBase, prog: GroundProgram, val: Valuation, day: dt.date, lang: str = "en") -> None:
        self.rb = rb
        self.prog = prog
        self.val = val
        self.day = day
        self.lang = lang
        self.explained: set[int] = set()  # derived atoms already explained in this action's tree
        self.steps = 0

    def say(self, en: str, ja: str) -> str:
        return ja if self.lang == "ja" else en

    def title(self, pid: str) -> str:
        return self.rb.provisions[pid].title_on(self.day, self.lang)

    def text(self, sym: clingo.Symbol) -> str:
        key = (sym, self.lang)
        cached = self.prog.text_cache.get(key)
        if cached is None:
            cached = self.prog.text_cache[key] = self._text(sym)
        return cached

    # the first word of an action's label as the subject of a sentence: 'Use force ...' ->
    # 'Using force ... is permitted' (a label that is a noun phrase stays as it is)
    GERUNDS = {
        "use": "using", "intercept": "intercepting", "destroy": "destroying", "guard": "guarding",
        "provide": "providing", "refuel": "refuelling", "remove": "removing", "sweep": "sweeping",
        "inspect": "inspecting", "stop": "stopping", "rescue": "rescuing", "transport": "transporting",
        "escort": "escorting", "take": "taking", "order": "ordering", "build": "building", "fly": "flying",
        "detain": "detaining",
    }  # fmt: skip

    def _subject(self, label: str) -> str:
        first, _, rest = _inline(label).partition(" ")
        return f"{self.GERUNDS.get(first, first)} {rest}".rstrip() if first in self.GERUNDS else _inline(label)

    def _sentence(self, text: str) -> str:
        """English: 'a' before a vowel becomes 'an'; the sentence starts with a capital (not an id)."""
        import re

        if self.lang != "en" or not text:
            return text
        text = re.sub(r"\ba (?=[aeio])", "an ", text)
        first = text.split(" ", 1)[0]
        return text[0].upper() + text[1:] if text[0].islower() and "/" not in first else text

    def _text(self, sym: clingo.Symbol) -> str:
        v = self.rb.vocabulary
        if sym.name == "holds":
            return self._sentence(v.short(sym.arguments[0].name, self.lang))
        template = v.predicates.get(sym.name)
        if template is None:
            return str(sym)
        return self._sentence(fill(getattr(template, self.lang), self._args(sym)))  # slots only, never str.format

    def negated_text(self, sym: clingo.Symbol) -> str | None:
        """The condition 'not <sym>' in words, stated as what holds: the catalogue's negative
        reading of the predicate (e.g. 'every step ... is done' for not procedure_missing), or
        'it is not the case that ...'. None for a fact (shown by its short label and value)."""
        if sym.name == "holds":
            return None
        key = (sym, f"not {self.lang}")
        cached = self.prog.text_cache.get(key)
        if cached is None:
            cached = self.prog.text_cache[key] = self._negated_text(sym)
        return cached

    def _negated_text(self, sym: clingo.Symbol) -> str:
        from .i18n import catalogue

        template = catalogue(self.lang).get(f"neg_{sym.name}")
        if template is None or sym.name not in self.rb.vocabulary.predicates:
            return fill(catalogue(self.lang)["negated_true"].replace("{text}", "{0}"), [self.text(sym)])
        return self._sentence(fill(template, self._args(sym)))

    def _args(self, sym: clingo.Symbol) -> list[str]:
        v = self.rb.vocabulary
        args = []
        for a in sym.arguments:
            if a.type == clingo.SymbolType.String:
                p = self.rb.provisions.get(a.string)
                args.append(f"{a.string} ({self.title(a.string)})" if p else a.string)
            elif a.type != clingo.SymbolType.Function or a.arguments:  # a number, a tuple or a nested term
                args.append(str(a))
            elif a.name in v.actions:
                label = v.label(a.name, self.lang)
                args.append(self._subject(label) if self.lang == "en" else label)
            elif a.name in v.situations:
                label = v.label(a.name, self.lang)
                args.append(_inline(label) if self.lang == "en" else label)
            else:
                args.append(v.label(a.name, self.lang))
        return args

    def rule_ref(self, rule_id: int) -> RuleRef:
        """The reference to a rule, made once per program and language (shared, never changed)."""
        key = (rule_id, self.lang)
        ref = self.prog.ref_cache.get(key)
        if ref is None:
            ref = self.prog.ref_cache[key] = self._rule_ref(rule_id)
        return ref

    def _rule_ref(self, rule_id: int) -> RuleRef:
        r = self.prog.rules[rule_id]
        p = self.rb.provisions[r.provision_id]
        return RuleRef(
            rule_id=rule_id,
            provision=provision_ref(self.rb, p.id, self.lang, self.day),
            text=r.source or r.text,  # as written in the law file, at `origin`
            origin=r.origin,
        )

    def lit_value(self, lit: int) -> Tri:
        value = self.val.of_atom(abs(lit))
        return value if lit > 0 else _neg(value)

    def atom_text(self, atom: int) -> tuple[str, str]:
        """The atom as clingo prints it and as a sentence, made once per program and language."""
        key = (atom, self.lang)
        cached = self.prog.atom_text_cache.get(key)
        if cached is None:
            sym = self.prog.symbols[atom]
            cached = self.prog.atom_text_cache[key] = (str(sym), self.text(sym))
        return cached

    def explain_action(self, action: str, not_in_force: list[tuple[str, str]], closure: bool = False) -> Step:
        self.explained = set()
        self.steps = 0
        step = self.explain(_fn("permitted", action), 0)
        if closure:  # why 'not permitted' is (or is not) claimed: the closure claims in force
            # one level: the claim and what it rests on (the layers above are explained already)
            claim = self.explain(_fn("closed", action), MAX_DEPTH - 1)
            for child in claim.children:
                if not child.children and child.atom.startswith("constitutional("):
                    child.note = self.say("layer (a)", "(a)のとおり")
            step.children.append(claim)
        for pid, window in not_in_force:
            text = (
                f"{pid}（{self.title(pid)}）はこの行為の根拠となり得るが、{self.day.isoformat()}時点では施行されていない"
                f"（施行期間：{window}）"
                if self.lang == "ja"
                else f"{pid} ({self.title(pid)}) could authorise this, but its rules are not in force on "
                f"{self.day.isoformat()} (in force: {window})"
            )
            step.children.append(
                Step(
                    atom=f'basis({action},"{pid}")',
                    text=text,
                    value="false",
                    kind="absent",
                    rule=None,
                )
            )
        return step

    def explain(self, sym: clingo.Symbol, depth: int) -> Step:
        atom = self.prog.atom_of.get(sym)
        if atom is not None:
            return self.explain_atom(atom, depth)
        value: Tri = "true" if sym in self.prog.static else "false"
        if sym in self.prog.fact_of_symbol:
            fact = self.rb.vocabulary.facts[self.prog.fact_of_symbol[sym]]
            return Step(atom=str(sym), text=self.text(sym), value=value, kind="fact", fact_kind=fact.kind)
        return self._explain(Step(atom=str(sym), text=self.text(sym), value=value, kind="derived"), [], depth)

    def explain_atom(self, atom: int, depth: int) -> Step:
        value = self.val.of_atom(atom)
        name, text = self.atom_text(atom)
        fact = self.prog.fact_of_atom.get(atom)
        if fact is not None:
            kind = self.rb.vocabulary.facts[fact].kind
            return Step(atom=name, text=text, value=value, kind="fact", fact_kind=kind)
        step = Step(atom=name, text=text, value=value, kind="derived")
        rules = self.prog.by_head.get(atom, [])
        # The tree is a DAG written out: a derived step is explained once, at its first use,
        # and referred to after; a stratified reform cannot make it exponential. Its size
        # is bounded too, and the request's time limit is checked at every step.
        check_deadline()
        self.steps += 1
        if rules and atom in self.explained:
            step.note = self.say("(explained above)", "（上記で説明済み）")
            return step
        if rules and self.steps > MAX_STEPS:
            step.note = self.say(
                f"(explanation cut: more than {MAX_STEPS} steps)", f"（説明は{MAX_STEPS}ステップを超えたため省略）"
            )
            return step
        self.explained.add(atom)
        return self._explain(step, rules, depth)

    def _explain(self, step: Step, rules: list[GroundRule], depth: int) -> Step:
        value = step.value
        if not rules:
            step.kind = "absent"
            step.note = self.say(
                "no rule in force on this date can establish this", "この日に施行されている規定でこれを導くものはない"
            )
            return step
        if depth >= MAX_DEPTH:
            step.note = self.say("(explanation cut at this depth)", "（説明はここで省略）")
            return step
        chosen = next((r for r in rules if all(self.lit_value(lit) == "true" for lit in r.body)), None)
        if value == "true" and chosen is None:
            # true in every answer set, but by different rules in different ones
            step.children = [self.rule_step(r, depth, "unknown") for r in rules]
            return step
        if value == "true" and chosen is not None:
            others = sorted(
                {
                    self.prog.rules[r.rule_id].provision_id
                    for r in rules
                    if r is not chosen and all(self.lit_value(lit) == "true" for lit in r.body)
                }
                - {self.prog.rules[chosen.rule_id].provision_id}
            )
            if others:
                step.note = self.say("also established by ", "他の根拠：") + ", ".join(others)
            step.rule = self.rule_ref(chosen.rule_id)
            step.children = [self.explain_lit(lit, depth) for lit in chosen.body]
            return step
        if value == "unknown":
            open_rules = [r for r in rules if all(self.lit_value(lit) != "false" for lit in r.body)]
            if len(open_rules) == 1:
                step.rule = self.rule_ref(open_rules[0].rule_id)
                step.children = [self.explain_lit(lit, depth) for lit in open_rules[0].body]
                return step
            step.children = [self.rule_step(r, depth, "unknown") for r in open_rules]
            return step
        if len(rules) == 1:
            step.rule = self.rule_ref(rules[0].rule_id)
            step.children = [self.explain_lit(lit, depth) for lit in rules[0].body if self.lit_value(lit) == "false"]
            return step
        step.children = [self.rule_step(r, depth, "false") for r in rules]
        return step

    def rule_step(self, rule: GroundRule, depth: int, value: Tri) -> Step:
        ref = self.rule_ref(rule.rule_id)
        if value == "false":
            lits = [lit for lit in rule.body if self.lit_value(lit) == "false"]
            if len(lits) == 1:
                # one failing condition: show it directly, naming the rule it defeats
                step = self.explain_lit(lits[0], depth)
                step.note = self.say(
                    f"so the rule of {ref.provision.id} does not apply",
                    f"そのため{ref.provision.id}の規定は適用されない",
                )
                return step
            text = self.say(f"The rule of {ref.provision.id} does not apply", f"{ref.provision.id}の規定は適用されない")
        else:
            lits = list(rule.body)
            text = self.say(f"One way, by {ref.provision.id}", f"一つの経路：{ref.provision.id}")
        return Step(
            atom=f"rule {rule.rule_id}",
            text=text,
            value=value,
            kind="rule",
            rule=ref,
            children=[self.explain_lit(lit, depth) for lit in lits],
        )

    def explain_lit(self, lit: int, depth: int) -> Step:
        inner = self.explain_atom(abs(lit), depth + 1)
        if lit > 0:
            return inner
        inner.negated = True
        inner.value = _neg(inner.value)
        inner.reads = self.negated_text(self.prog.symbols[abs(lit)])
        if inner.value == "true":  # 'not X' holds: its children say why X fails, each read positively
            for child in inner.children:
                if child.note and child.note.startswith(("so the rule of", "そのため")):
                    child.note = None
        return inner
