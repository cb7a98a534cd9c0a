"""The ground program of one date: a clingo Control grounded once for the rules in force,
reused for every scenario by assigning external atoms (multi-shot), with the bounds every
solver call runs under (a per-call limit, the deadline of the work in hand, and the exit
guard). The engine (engine.py), the deciding sets (deciding.py, reasoning.py) and the
compiled evaluators read the ground rules from here; nothing here imports them."""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import clingo

from .corpus import RuleBase
from .errors import InputError, LimitError
from .models import RuleRef, Tri
from .rules import MARKER, Rule, tagged

FIRST_DATE = dt.date(1947, 5, 3)  # the Constitution's coming into force, where the rule base starts
MAX_TWINS = 4  # controls per date for searches that solve while enumerating (see GroundProgram.twin)


@dataclass
class GroundRule:
    rule_id: int
    head: int
    body: tuple[int, ...]  # program literals (negative = 'not'), marker removed


class _Observer:
    def __init__(self) -> None:
        self.rules: list[tuple[list[int], list[int]]] = []
        self.symbols: dict[int, clingo.Symbol] = {}
        self.facts: set[clingo.Symbol] = set()
        # a rule the engine's reading of the ground program leaves out (a choice, a
        # constraint, a disjunction, an aggregate): such a program is not compiled (deciding.py)
        self.exotic = False

    def rule(self, choice: bool, head: Sequence[int], body: Sequence[int]) -> None:
        if choice or len(head) != 1:
            self.exotic = True
        self.rules.append((list(head), list(body)))

    def weight_rule(self, choice: bool, head: Sequence[int], lower: int, body: Sequence[tuple[int, int]]) -> None:
        self.exotic = True

    def output_atom(self, symbol: clingo.Symbol, atom: int) -> None:
        if atom == 0:
            self.facts.add(symbol)
        else:
            self.symbols[atom] = symbol


SOLVE_SECONDS = 30.0  # default time limit of one solver call; ARTICLE9_SOLVE_SECONDS changes it


def solve_seconds() -> float:
    """The time limit of one solver call: ARTICLE9_SOLVE_SECONDS if set to a positive number."""
    text = os.environ.get("ARTICLE9_SOLVE_SECONDS", "").strip()
    try:
        value = float(text) if text else SOLVE_SECONDS
    except ValueError:
        raise InputError(f"ARTICLE9_SOLVE_SECONDS must be a number of seconds, not {text!r}") from None
    if not 0 < value < 86400:
        raise InputError(f"ARTICLE9_SOLVE_SECONDS must be more than 0 and less than 86400, not {text!r}")
    return value


class _Watchdog:
    """One thread per process that interrupts solver calls running past their deadline
    (cheaper per call than clingo's asynchronous solving, which starts a thread each time)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active: dict[int, tuple[float, clingo.Control]] = {}
        self.fired: set[int] = set()
        self.count = 0
        self.thread: threading.Thread | None = None

    def watch(self, ctl: clingo.Control, seconds: float) -> int:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="article9-solve-watchdog", daemon=True)
                self.thread.start()
            self.count += 1
            self.active[self.count] = (time.monotonic() + seconds, ctl)
            return self.count

    def done(self, token: int) -> bool:
        """Stop watching; True when the call was interrupted for its deadline."""
        with self.lock:
            self.active.pop(token, None)
            if token in self.fired:
                self.fired.discard(token)
                return True
            return False

    def _run(self) -> None:  # pragma: no cover - timing-dependent; exercised by the limit tests
        while True:
            time.sleep(0.02)
            now = time.monotonic()
            with self.lock:
                for token, (deadline, ctl) in list(self.active.items()):
                    if now >= deadline:
                        ctl.interrupt()
                        self.fired.add(token)
                        del self.active[token]


_WATCHDOG = _Watchdog()

# No thread may be inside clingo when the interpreter exits: a daemon thread (an abandoned
# request's, say) still in a solver call is unwound by glibc's forced unwinding through C++
# frames, and the process aborts ("FATAL: exception not rethrown", exit 134). So calls into
# clingo are counted; at exit, running solver calls are interrupted, new ones refused, and
# the exit waits (boundedly) until none is left.
_CLINGO = threading.Condition()
_IN_CLINGO = 0
_EXITING = False
EXIT_WAIT_SECONDS = 30.0


@contextlib.contextmanager
def in_clingo() -> Iterator[None]:
    global _IN_CLINGO
    with _CLINGO:
        if _EXITING:
            raise LimitError("the process is exiting; the question was not answered")
        _IN_CLINGO += 1
    try:
        yield
    finally:
        with _CLINGO:
            _IN_CLINGO -= 1
            _CLINGO.notify_all()


def _stop_clingo_at_exit() -> None:
    global _EXITING
    with _CLINGO:
        _EXITING = True
    with _WATCHDOG.lock:
        for token, (_deadline, ctl) in list(_WATCHDOG.active.items()):
            ctl.interrupt()
            _WATCHDOG.fired.add(token)
    with _CLINGO:
        _CLINGO.wait_for(lambda: _IN_CLINGO == 0, timeout=EXIT_WAIT_SECONDS)


atexit.register(_stop_clingo_at_exit)


# The deadline of the work in hand (an HTTP request's time limit): past it, the engine's
# loops (explanations, minimal deciding sets, what-if searches, dates) stop with a
# LimitError at their next step and a solver call running then is interrupted, so work
# that passed its limit is cancelled rather than left running. A context variable: each
# request's thread (anyio copies the context into it) sees its own.
_DEADLINE: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar(
    "article9_deadline", default=None
)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Run the enclosed engine work under a deadline `seconds` from now."""
    token = _DEADLINE.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _past_deadline(seconds: float) -> LimitError:
    return LimitError(
        f"the request took longer than the time limit of {seconds:g} s and was stopped: ask with fewer dates, "
        "actions or unknown facts"
    )


def check_deadline() -> None:
    """Raise LimitError if the work in hand has passed its deadline (cheap: call it often)."""
    limit = _DEADLINE.get()
    if limit is not None and time.monotonic() >= limit[0]:
        raise _past_deadline(limit[1])


def bounded_solve(
    ctl: clingo.Control,
    on_model: Callable[[clingo.Model], bool | None] | None = None,
    assumptions: Sequence[tuple[clingo.Symbol, bool]] = (),
) -> clingo.SolveResult:
    """One solver call that gives up after solve_seconds(), or sooner at the deadline of the
    work in hand: a rule base (a stranger's reform, say) can make a question as hard as
    satisfiability over the unknown facts."""
    limit = solve_seconds()
    deadline = _DEADLINE.get()
    if deadline is not None:
        check_deadline()
        limit = min(limit, max(deadline[0] - time.monotonic(), 0.001))
    with in_clingo():
        token = _WATCHDOG.watch(ctl, limit)
        try:
            result = ctl.solve(on_model=on_model, assumptions=list(assumptions))
        finally:
            fired = _WATCHDOG.done(token)
        if fired and not result.interrupted:  # the interrupt came just after the call ended: clear it
            ctl.solve()
    if fired:
        if _EXITING:
            raise LimitError("the process is exiting; the question was not answered")
        check_deadline()  # the request's deadline, not the solver's own limit, ran out
        raise LimitError(
            f"solving took longer than the limit of {limit:g} s (ARTICLE9_SOLVE_SECONDS): raise the limit, "
            "or ask with fewer unknown facts or a simpler rule base"
        )
    return result


class Valuation:
    """Three-valued truth of every ground atom for one scenario: true in every answer
    set (cautious), false in none (not brave), unknown otherwise."""

    def __init__(
        self, brave: set[clingo.Symbol], cautious: set[clingo.Symbol], atom_of: dict[clingo.Symbol, int] | None = None
    ) -> None:
        self.brave = brave
        self.cautious = cautious
        atom_of = atom_of or {}
        # the same by program atom, for walks over the ground rules (ints hash faster than symbols)
        self.brave_atoms = {atom_of[s] for s in brave if s in atom_of}
        self.cautious_atoms = self.brave_atoms if cautious is brave else {atom_of[s] for s in cautious if s in atom_of}

    @classmethod
    def from_atoms(cls, prog: GroundProgram, brave_atoms: set[int], cautious_atoms: set[int]) -> Valuation:
        """The valuation with these program atoms possibly true (brave) and certainly true
        (cautious), and the program's facts true: what deciding.Window computes without solving."""
        val = cls.__new__(cls)
        symbols = prog.symbols
        val.brave_atoms = brave_atoms
        val.cautious_atoms = cautious_atoms
        val.brave = prog.static | {symbols[a] for a in brave_atoms}
        val.cautious = (
            val.brave if cautious_atoms is brave_atoms else prog.static | {symbols[a] for a in cautious_atoms}
        )
        return val

    def of(self, sym: clingo.Symbol) -> Tri:
        if sym in self.cautious:
            return "true"
        if sym not in self.brave:
            return "false"
        return "unknown"

    def of_atom(self, atom: int) -> Tri:
        if atom in self.cautious_atoms:
            return "true"
        if atom not in self.brave_atoms:
            return "false"
        return "unknown"


class GroundProgram:
    """A clingo Control grounded once for a set of rules, reused for every scenario."""

    def __init__(self, rb: RuleBase, rules: list[Rule]) -> None:
        self.rb = rb
        self.rules = {r.id: r for r in rules}
        self._lock = threading.Lock()
        self.text_cache: dict[tuple[clingo.Symbol, str], str] = {}  # sentence for an atom, per language
        self.compiled: object | None = None  # the bit-parallel evaluator, built on first batch use
        self.support_cache: dict[clingo.Symbol, list[int]] = {}  # see _support
        self.cone_cache: dict[str, tuple[str, ...]] = {}  # see cone_facts
        self.ref_cache: dict[tuple[int, str], RuleRef] = {}  # see Explainer.rule_ref
        self.atom_text_cache: dict[tuple[int, str], tuple[str, str]] = {}  # see Explainer.atom_text
        self.basis_plans: dict[str, list[tuple]] = {}  # see Engine._basis_plan
        self.ctl = clingo.Control(["--models=0"], logger=lambda _c, _m: None)
        obs = _Observer()
        self.ctl.register_observer(obs)
        v = rb.vocabulary
        base = [f"action({a}). action_type({a},{d.type})." for a, d in v.actions.items()]
        base += [f"#external holds({f})." for f in v.facts]
        base += [f"#external {MARKER}({r.id})." for r in rules]
        base += [tagged(r) for r in rules]
        self.ctl.add("base", [], "\n".join(base))
        with in_clingo():
            self.ctl.ground([("base", [])])
        for r in rules:
            self.ctl.assign_external(clingo.Function(MARKER, [clingo.Number(r.id)]), True)
        self.symbols = obs.symbols
        self.exotic = obs.exotic
        self.atom_of = {s: a for a, s in obs.symbols.items()}
        self.static = obs.facts
        self.fact_symbols = {f: clingo.Function("holds", [clingo.Function(f)]) for f in v.facts}
        markers = {a: s.arguments[0].number for a, s in obs.symbols.items() if s.name == MARKER}
        self.by_head: dict[int, list[GroundRule]] = {}
        for head, body in obs.rules:
            if len(head) != 1:
                continue
            rid = next((markers[lit] for lit in body if lit in markers), None)
            if rid is None:
                continue
            self.by_head.setdefault(head[0], []).append(
                GroundRule(rid, head[0], tuple(lit for lit in body if lit not in markers))
            )

        self.requires: dict[tuple[str, str], list[clingo.Symbol]] = {}
        for sym in self.atom_of:
            if sym.name == "requires":
                key = (sym.arguments[0].name, sym.arguments[1].string)
                self.requires.setdefault(key, []).append(sym)

        self._twins: list[GroundProgram] = []
        self._twins_lock = threading.Lock()
        self.fact_of_atom = {self.atom_of[sym]: f for f, sym in self.fact_symbols.items() if sym in self.atom_of}
        self.fact_of_symbol = {sym: f for f, sym in self.fact_symbols.items()}

    def provisions_deriving(self, target: clingo.Symbol) -> list[str]:
        """The provisions whose rules derive `target` (e.g. which articles demand a step)."""
        atom = self.atom_of.get(target)
        return sorted({self.rules[g.rule_id].provision_id for g in self.by_head.get(atom, [])}) if atom else []

    def _support(self, target: clingo.Symbol) -> list[int]:
        """Derived atoms `target` depends on, dependencies first (cached per target)."""
        cache = self.support_cache
        if target not in cache:
            start = self.atom_of.get(target)
            cache[target] = self.dependency_order([start] if start is not None else [])
        return cache[target]

    def dependency_order(self, starts: Iterable[int]) -> list[int]:
        """The derived atoms the given atoms depend on (themselves included), each after
        everything it reads: the order in which to evaluate them."""
        order: list[int] = []
        seen: set[int] = set()
        for start in starts:
            stack = [(start, False)]
            while stack:
                atom, done = stack.pop()
                if done:
                    order.append(atom)
                    continue
                if atom in seen or atom not in self.by_head:
                    continue
                seen.add(atom)
                stack.append((atom, True))
                for rule in self.by_head[atom]:
                    stack.extend((abs(x), False) for x in rule.body)
        return order

    def cone_facts(self, action: str, bases: list[str]) -> tuple[str, ...]:
        """The facts that can bear on anything an assessment reports for `action` (its
        permission, constitutional reading, bases, their procedure and the explanation
        tree): the facts read by the ground rules of every atom those depend on. Cached."""
        cached = self.cone_cache.get(action)
        if cached is None:
            targets = [_fn("permitted", action), _fn("constitutional", action), _fn("closed", action)]
            for pid in bases:
                targets += [_pair(n, action, pid) for n in ("basis", "lawful")]
                for s in self.requires.get((action, pid), []):
                    targets += [s, _fn("satisfied", s.arguments[2].name)]
            starts = [self.atom_of[t] for t in targets if t in self.atom_of]
            support = set(self.dependency_order(starts))
            read = _reads(self, support) | set(starts)
            cached = self.cone_cache[action] = tuple(f for a, f in self.fact_of_atom.items() if a in read)
        return cached

    def provisions_for(self, target: clingo.Symbol) -> set[str]:
        """Provisions with a ground rule that can bear on `target` in this program."""
        return {
            self.rules[r.rule_id].provision_id
            for atom in self._support(target)
            for r in self.by_head.get(atom, [])
            if self.rules[r.rule_id].provision_id in self.rb.provisions
        }

    def kleene(self, facts: dict[str, bool | None], target: clingo.Symbol) -> Tri:
        """Three-valued (Kleene) evaluation of `target` by iterating the ground rules to a
        fixpoint. Sound: a true or false result holds in every completion of the unknown
        facts; 'unknown' may still be decided, which only the solver can tell."""
        known: dict[int, bool] = {a: facts[f] for a, f in self.fact_of_atom.items() if facts.get(f) is not None}
        free = {a for a, f in self.fact_of_atom.items() if facts.get(f) is None}

        def lit(lit_id: int) -> bool | None:
            atom = abs(lit_id)
            if atom in known:
                value = known[atom]
            elif atom in free or atom in self.by_head:
                return None
            else:
                value = False  # no rule can derive it
            return value if lit_id > 0 else not value

        changed = True
        heads = self._support(target)
        while changed:
            changed = False
            for head in heads:
                rules = self.by_head[head]
                if head in known:
                    continue
                bodies = [[lit(x) for x in r.body] for r in rules]
                if any(all(v is True for v in body) for body in bodies):
                    known[head] = True
                    changed = True
                elif all(any(v is False for v in body) for body in bodies):
                    known[head] = False
                    changed = True
        atom = self.atom_of.get(target)
        if atom is None:
            return "false"
        if atom not in known:
            return "unknown"
        return "true" if known[atom] else "false"

    def twin(self, besides: GroundProgram | None = None) -> GroundProgram:
        """A second control over the same rules, for searches that solve while enumerating
        (never `besides`, the twin the caller already holds)."""
        # One search holds its twin for its whole enumeration (seconds, with many unknown
        # facts): a second search gets a free twin, or a new one up to MAX_TWINS, so that a
        # costly request does not make every other question on the date wait for it.
        with self._twins_lock:
            others = [t for t in self._twins if t is not besides]
            for twin in others:
                if not twin._lock.locked():
                    return twin
            if len(others) < MAX_TWINS:
                self._twins.append(GroundProgram(self.rb, list(self.rules.values())))
                return self._twins[-1]
            return others[0]

    def atoms(self, name: str) -> list[clingo.Symbol]:
        return [s for s in self.atom_of if s.name == name]

    def _consequences(self, mode: str, known: bool = False) -> set[clingo.Symbol]:
        """Brave or cautious consequences. Every call is time-bounded, with every fact known
        too: the packaged law and reforms are stratified (one answer set, found by
        propagation), but a --law-dir folder need not be."""
        self.ctl.configuration.solve.enum_mode = mode
        last: list[clingo.Symbol] = []

        def on_model(model: clingo.Model) -> None:
            nonlocal last
            last = model.symbols(atoms=True)

        bounded_solve(self.ctl, on_model)
        return set(last)

    def always(self, facts: dict[str, bool | None], target: clingo.Symbol, want: bool) -> bool:
        """Whether `target` has the value `want` in every completion of the unknown facts:
        one satisfiability check for a counterexample."""
        with self._lock:
            for name, sym in self.fact_symbols.items():
                self.ctl.assign_external(sym, facts.get(name))
            self.ctl.configuration.solve.enum_mode = "auto"
            self.ctl.configuration.solve.models = 1
            try:
                return bounded_solve(self.ctl, assumptions=[(target, not want)]).unsatisfiable is True
            finally:
                self.ctl.configuration.solve.models = 0

    def evaluate(self, facts: dict[str, bool | None]) -> Valuation:
        with self._lock:
            for name, sym in self.fact_symbols.items():
                self.ctl.assign_external(sym, facts.get(name))
            known = all(facts.get(f) is not None for f in self.fact_symbols)
            brave = self._consequences("brave", known)
            if known:
                return Valuation(brave, brave, self.atom_of)
            return Valuation(brave, self._consequences("cautious"), self.atom_of)


@lru_cache(maxsize=65536)
def _fn(name: str, arg: str) -> clingo.Symbol:
    """name(arg), made once: building a clingo symbol from Python costs microseconds."""
    return clingo.Function(name, [clingo.Function(arg)])


@lru_cache(maxsize=65536)
def _pair(name: str, action: str, pid: str) -> clingo.Symbol:
    """name(action, "pid"), made once."""
    return clingo.Function(name, [clingo.Function(action), clingo.String(pid)])


def _tri(value: bool | None) -> Tri:
    return "unknown" if value is None else ("true" if value else "false")


def _reads(prog: GroundProgram, support: set[int]) -> set[int]:
    """Atoms read by the ground rules of the given derived atoms."""
    return {abs(lit) for atom in support for rule in prog.by_head.get(atom, []) for lit in rule.body}
