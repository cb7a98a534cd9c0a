"""article9 check: properties of the rule base proved over every combination of facts, on
every date where the set of rule blocks changes. A failing property comes with a
counterexample scenario, ready to run with `article9 assess`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import clingo
import yaml

from .corpus import RuleBase, numbering_problems
from .program import bounded_solve
from .rules import Rule

FIRST_SDF_DAY = dt.date(1954, 7, 1)

# Each property: id, what it says, and clingo rules deriving _viol(ID, Action).
PROPERTIES: list[tuple[str, str, str]] = [
    (
        "force-needs-attack",
        "force is never permitted without an armed attack on Japan, or an attack on a country in a close "
        "relationship whose attack threatens Japan's survival",
        "_viol(force_needs_attack, A) :- permitted(A), action_type(A, use_of_force), "
        "not holds(armed_attack_on_japan), not _chk_survival.\n"
        "_chk_survival :- holds(armed_attack_on_foreign_country), holds(close_relationship), holds(survival_threat).",
    ),
    (
        "procedure-complete",
        "nothing is permitted under a provision while a step that provision demands is missing",
        "_viol(procedure_complete, A) :- permitted(A), lawful(A, B), requires(A, B, S), not satisfied(S).",
    ),
    (
        "no-conflict",
        "no action is both permitted and prohibited",
        "_viol(no_conflict, A) :- permitted(A), prohibited(A).",
    ),
    (
        "not-permitted-needs-closure",
        "no action is answered 'not permitted' unless a closure claim covers it on that date",
        "_viol(not_permitted_needs_closure, A) :- not_permitted(A), not closed(A).",
    ),
]


@dataclass
class Failure:
    prop: str
    statement: str
    day: dt.date
    action: str
    counterexample: str  # a scenario file


@dataclass
class Report:
    days: list[dt.date]
    failures: list[Failure] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    unused_rules: list[Rule] = field(default_factory=list)
    months: int = 0
    programs: int = 0
    unattributed: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    unsatisfiable: list[Failure] = field(default_factory=list)  # a required step no facts can satisfy
    misnumbered: list[str] = field(default_factory=list)  # blocks cited under a number they did not have
    outside_instrument: list[str] = field(default_factory=list)  # blocks outside their instrument's dates
    gap_only: list[tuple[dt.date, dt.date, str, list[str]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.failures
            or self.unreachable
            or self.unused_rules
            or self.unattributed
            or self.unsatisfiable
            or self.misnumbered
            or self.outside_instrument
            or self.gap_only
        )


def _program(rb: RuleBase, rules: list[Rule], extra: str) -> clingo.Control:
    v = rb.vocabulary
    ctl = clingo.Control(["--models=0"], logger=lambda _c, _m: None)
    text = [f"action({a}). action_type({a},{d.type})." for a, d in v.actions.items()]
    text += [f"{{ holds({f}) }}." for f in v.facts]
    # only combinations of facts that do not contradict each other (law/reach.yaml)
    text += [
        ":- " + ", ".join(f"{'' if val else 'not '}holds({f})" for f, val in c.facts.items()) + "."
        for c in rb.reach.constraints
    ]
    text += [r.text for r in rules]
    text.append(extra)
    ctl.add("base", [], "\n".join(text))
    ctl.ground([("base", [])])
    return ctl


def _fire_rules(rules: list[Rule]) -> str:
    out = []
    for r in rules:
        body = r.text.split(":-", 1)[1].rstrip(".").strip() if r.has_body else ""
        out.append(f"_chk_fired({r.id}) :- {body}." if body else f"_chk_fired({r.id}).")
    return "\n".join(out)


def counterexample(rb: RuleBase, day: dt.date, action: str, prop: str, true_facts: set[str]) -> str:
    data = {
        "title": f"Counterexample to '{prop}' on {day.isoformat()}",
        "description": f"Found by 'article9 check': this combination of facts violates the property '{prop}'.",
        "dates": [day.isoformat()],
        "actions": [action],
        "facts": {f: f in true_facts for f in rb.vocabulary.facts},
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def run_check(rb: RuleBase, days: list[dt.date] | None = None, today: dt.date | None = None) -> Report:
    today = today or dt.date.today()
    if days is None:
        days = sorted({d for d in rb.change_dates() if d >= FIRST_SDF_DAY} | {today})
    report = Report(days=days)
    props = "\n".join(p[2] for p in PROPERTIES)
    statements = {p[0].replace("-", "_"): (p[0], p[1]) for p in PROPERTIES}
    reachable: set[str] = set()
    fired: set[int] = set()
    for day in days:
        rules = rb.rules_on(day)
        ctl = _program(
            rb,
            rules,
            props
            + "\n"
            + _fire_rules(rules)
            + "\n_chk_possible(A) :- permitted(A)."
            + "\n_chk_required(A, S) :- requires(A, B, S)."
            + "\n_chk_satisfiable(S) :- satisfied(S).",
        )
        ctl.configuration.solve.enum_mode = "brave"
        brave: list[clingo.Symbol] = []

        def last_model(model: clingo.Model) -> None:
            nonlocal brave
            brave = model.symbols(atoms=True)

        bounded_solve(ctl, last_model)
        reachable |= {s.arguments[0].name for s in brave if s.name == "_chk_possible"}
        satisfiable = {s.arguments[0].name for s in brave if s.name == "_chk_satisfiable"}
        for action, step in sorted(
            {(s.arguments[0].name, s.arguments[1].name) for s in brave if s.name == "_chk_required"}
        ):
            if step in satisfiable:
                continue
            needed = _witness(ctl, f"_chk_required({action},{step})")
            name = "steps-satisfiable"
            report.unsatisfiable.append(
                Failure(
                    name,
                    f"step '{step}' is required for {action} but no combination of facts satisfies it",
                    day,
                    action,
                    counterexample(rb, day, action, name, needed),
                )
            )
        fired |= {s.arguments[0].number for s in brave if s.name == "_chk_fired"}
        for viol in sorted({(s.arguments[0].name, s.arguments[1].name) for s in brave if s.name == "_viol"}):
            prop_id, action = viol
            facts = _witness(ctl, f"_viol({prop_id},{action})")
            name, statement = statements[prop_id]
            report.failures.append(Failure(name, statement, day, action, counterexample(rb, day, action, name, facts)))
    report.unreachable = [a for a in rb.vocabulary.actions if a not in reachable]
    # a rule is tested on every checked day inside its window (not only on its first day)
    report.unused_rules = [r for r in rb.rules if r.id not in fired and any(r.block.in_force(d) for d in days)]
    report.misnumbered = numbering_problems(rb)
    report.outside_instrument = instrument_window_problems(rb)
    _temporal(rb, report, today)
    _gap_only(rb, report, sorted(days))
    return report


def undated_instruments(rb: RuleBase) -> list[str]:
    """Instruments with rule blocks whose in-force date is not a date (e.g. a doctrine stated
    over time in Diet answers): their blocks cannot be checked against it."""
    return [
        f"{inst.id} (in_force: {inst.in_force!r})"
        for inst in rb.instruments.values()
        if _iso(inst.in_force) is None and any(p.blocks for p in inst.provisions)
    ]


def _witness(ctl: clingo.Control, atom: str) -> set[str]:
    """The true facts of one model in which `atom` holds: a counterexample's facts."""
    ctl.configuration.solve.enum_mode = "auto"
    ctl.configuration.solve.models = 1
    facts: set[str] = set()

    def on_model(model: clingo.Model) -> None:
        nonlocal facts
        facts = {s.arguments[0].name for s in model.symbols(atoms=True) if s.name == "holds"}

    bounded_solve(ctl, on_model, [(clingo.parse_term(atom), True)])
    return facts


def _iso(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def instrument_window_problems(rb: RuleBase) -> list[str]:
    """Blocks in force before their instrument's `in_force` date or after its `expired` date
    (front matter), where those are dates. Instruments without a date are listed by
    `undated_instruments`."""
    out = []
    for inst in rb.instruments.values():
        start, end = _iso(inst.in_force), _iso(inst.meta.get("expired"))
        blocks = [b for p in inst.provisions for b in p.blocks]
        for b in blocks:
            if start is not None and b.start < start:
                out.append(f"{b.path}:{b.line}: block {b.window} of {b.provision_id} starts before {inst.id} ({start})")
            if end is not None and b.end > end:
                out.append(f"{b.path}:{b.line}: block {b.window} of {b.provision_id} runs past {inst.id} ({end})")
    return out


def _gap_only(rb: RuleBase, report: Report, days: list[dt.date]) -> None:
    """Between consecutive dates, no difference that diff reports may come only from a gap:
    when every changed provision bearing on an action is one a known gap (law/reach.yaml)
    flags in a window that meets either date, the answers must not differ."""
    from .engine import Engine
    from .reasoning import diff

    if not rb.reach.gaps:
        return
    engine = Engine(rb)
    for d1, d2 in zip(days, days[1:], strict=False):
        changed = {
            p
            for p, _ in {(b.provision_id, b.window) for b in rb.blocks_on(d1)}
            ^ {(b.provision_id, b.window) for b in rb.blocks_on(d2)}
        }
        flagged = {pid for g in rb.reach.gaps if g.overlaps(d1, d1) or g.overlaps(d2, d2) for pid in g.provisions}
        for a in rb.vocabulary.actions:
            relevant = changed & engine.bearing(a)
            if relevant and relevant <= flagged and diff(engine, d1, d2, [a], limit=1).rows:
                report.gap_only.append((d1, d2, a, sorted(relevant)))


def _temporal(rb: RuleBase, report: Report, today: dt.date) -> None:
    """Month by month from 1954-07: every change in what is possible for an action between
    consecutive months must coincide with a change of the rule blocks in force."""
    from .program import GroundProgram

    signatures: dict[str, frozenset] = {}
    prev_hash = prev_sig = prev_day = None
    day = FIRST_SDF_DAY
    while day <= today:
        key = rb.content_hash(day)
        if key not in signatures:
            prog = GroundProgram(rb, rb.rules_on(day))
            val = prog.evaluate({})
            signatures[key] = frozenset(
                (a, val.of(clingo.Function("permitted", [clingo.Function(a)]))) for a in rb.vocabulary.actions
            )
        sig = signatures[key]
        if prev_sig is not None and sig != prev_sig and key == prev_hash:
            report.unattributed.append((prev_day, day))
        prev_hash, prev_sig, prev_day = key, sig, day
        report.months += 1
        day = dt.date(day.year + (day.month // 12), day.month % 12 + 1, 1)
    report.programs = len(signatures)
