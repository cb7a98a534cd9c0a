"""Compiled deciding sets: the ground program of one window (the dates with the same blocks
in force), compiled once into the prime implicants of every atom, so that a scenario with
unknown facts is answered by filtering lists instead of searching.

The rule base is stratified and has no recursion, so each atom is a Boolean function of the
facts: built as a BDD (the `dd` package over CUDD) by one pass over the ground rules in
dependency order. Its prime implicants, and those of its negation, are taken from the BDD
(Coudert and Madre's recursion: primes(f) = primes(f0 & f1), plus x'.p for the primes p of
f0 and x.p for those of f1 that are not already primes of f0 & f1).

For a partial scenario (known facts K), the minimal sets of values of the unknown facts
that make an atom true in every completion are the prime implicants of f restricted by K:
the primes of f consistent with K, with the facts of K removed, keeping the minimal ones.
The same lists give the three-valued valuation: an atom is true in every completion when
a prime of f lies inside K, false in every completion when no prime of f is consistent
with K, unknown otherwise. Every list is complete; only a list longer than MAX_LISTED is
cut, and then its exact count is reported beside it.

A window is cached on disk (the user's cache folder, next to the parse cache) under the
hash of its blocks, the vocabulary and this code. For a reform or a --law-dir folder the
windows are compiled in a child process with the trial grounding's time and memory limits
(reform.compile_bounded) and carried on the RuleBase; a window it could not compile within
them is answered by the solver (reasoning.minimal_sets), which also stays the reference the tests compare with.
ARTICLE9_DECIDING=solver sends every question to the solver."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
import time
import weakref
from pathlib import Path

import clingo
import numpy as np

from . import corpus
from .corpus import RuleBase
from .program import GroundProgram, Valuation, _fn, bounded_solve
from .rules import MARKER

FORMAT = 1
MAX_PRIMES = 200_000  # prime implicants in one window (every atom, both values) past which it is not compiled
MAX_LISTED = 1000  # sets listed per outcome; a longer list is cut, with its exact count beside it

Cube = tuple[int, int]  # (facts that must be true, facts that must be false), as bit masks
Data = dict  # the JSON form of a compiled window (see compile_window)


class NotCompilable(Exception):
    """The program is not a stratified, recursion-free set of normal rules, or too large."""


def _source_hash() -> str:
    h = hashlib.sha256(f"format {FORMAT} clingo {clingo.__version__}".encode())
    for module in ("deciding.py", "program.py", "rules.py"):
        h.update((Path(__file__).parent / module).read_bytes())
    return h.hexdigest()


_SOURCE = functools.cache(_source_hash)


def compile_window(prog: GroundProgram, budget: float | None = None) -> Data:
    """The prime implicants of every atom of the program and of its negation, as JSON-ready
    data keyed by the atom as clingo prints it. Raises NotCompilable."""
    if prog.exotic:
        raise NotCompilable("the program has rules other than normal rules (choice, constraint or aggregate)")
    order = prog.dependency_order(list(prog.by_head))
    position = {a: i for i, a in enumerate(order)}
    for head in order:
        for rule in prog.by_head[head]:
            for lit in rule.body:
                if position.get(abs(lit), -1) >= position[head]:
                    raise NotCompilable("the program is recursive")
    from dd import cudd  # imported here: only compiling needs it (it loads networkx, ~0.3 s)

    facts = list(prog.fact_symbols)
    bit = {f: 1 << i for i, f in enumerate(facts)}
    bdd = cudd.BDD()
    bdd.declare(*facts)
    val: dict[int, object] = {a: bdd.var(f) for a, f in prog.fact_of_atom.items()}
    for atom, sym in prog.symbols.items():
        if sym.name == MARKER:
            val[atom] = bdd.true  # the externals that switch a rule on: all assigned true
    for atom in order:
        acc = bdd.false
        for rule in prog.by_head[atom]:
            term = bdd.true
            for lit in rule.body:
                node = val.get(abs(lit), bdd.false)  # an atom no rule derives is false
                term &= node if lit > 0 else ~node
            acc |= term
        val[atom] = acc

    start = time.monotonic()
    total = 0
    memo: dict[object, frozenset[Cube]] = {}

    def primes(u: object) -> frozenset[Cube]:
        nonlocal total
        found = memo.get(u)
        if found is not None:
            return found
        if u == bdd.false:
            found = frozenset()
        elif u == bdd.true:
            found = frozenset([(0, 0)])
        else:
            x = u.var  # type: ignore[attr-defined]
            b = bit[x]
            f0, f1 = bdd.let({x: False}, u), bdd.let({x: True}, u)
            both = primes(f0 & f1)
            out = set(both)
            out.update((p, n | b) for p, n in primes(f0) if (p, n) not in both)
            out.update((p | b, n) for p, n in primes(f1) if (p, n) not in both)
            found = frozenset(out)
            total += len(found)
            if total > MAX_PRIMES:
                raise NotCompilable(f"more than {MAX_PRIMES} prime implicants")
            if budget is not None and time.monotonic() - start > budget:
                raise NotCompilable("compiling took longer than its budget")
        memo[u] = found
        return found

    atoms = {}
    for atom, node in val.items():
        atoms[str(prog.symbols[atom])] = [sorted(primes(node)), sorted(primes(~node))]  # type: ignore[operator]
    return {"format": FORMAT, "facts": facts, "atoms": atoms}


class Window:
    """The compiled form of one ground program: status, valuation and deciding sets for
    any partial scenario, from the precomputed prime implicants."""

    def __init__(self, prog: GroundProgram, data: Data) -> None:
        if data.get("format") != FORMAT or data.get("facts") != list(prog.fact_symbols):
            raise NotCompilable("the compiled window does not match the program")
        by_text = {str(s): a for a, s in prog.symbols.items()}
        self.prog = prog
        self.facts: list[str] = data["facts"]
        self.bit = {f: 1 << i for i, f in enumerate(self.facts)}
        self.names = {1 << i: f for i, f in enumerate(self.facts)}
        self.true: dict[int, list[Cube]] = {}
        self.false: dict[int, list[Cube]] = {}
        self.reads: dict[tuple[int, bool], int] = {}  # per atom and value: the facts its primes use
        self.memo: dict[tuple, tuple[list[dict[str, bool]], int]] = {}  # see sets
        for text, (yes, no) in data["atoms"].items():
            atom = by_text.get(text)
            if atom is None:
                raise NotCompilable(f"the compiled window names {text}, which the program lacks")
            self.true[atom] = [(p, n) for p, n in yes]
            self.false[atom] = [(p, n) for p, n in no]
            for want, cubes in ((True, self.true[atom]), (False, self.false[atom])):
                mask = 0
                for p, n in cubes:
                    mask |= p | n
                self.reads[(atom, want)] = mask
        # every prime of every atom in arrays, for the valuation in one vectorised pass
        owners, cubes = [], []
        for atom, cs in self.true.items():
            owners += [atom] * len(cs)
            cubes += cs
        self.owner = np.array(owners, dtype=np.int64)
        self.words = len(self.facts) // 64 + 1
        self.pos = _split([p for p, _ in cubes], self.words)
        self.neg = _split([n for _, n in cubes], self.words)

    def masks(self, facts: dict[str, bool | None]) -> tuple[int, int]:
        """The known-true and known-false facts as bit masks."""
        kt = kf = 0
        bit = self.bit
        for f, v in facts.items():
            if v is not None and f in bit:
                if v:
                    kt |= bit[f]
                else:
                    kf |= bit[f]
        return kt, kf

    def valuation(self, facts: dict[str, bool | None]) -> Valuation:
        """The three-valued truth of every atom: as the solver's brave and cautious consequences."""
        kt, kf = self.masks(facts)
        t, f = _split([kt], self.words)[:, 0], _split([kf], self.words)[:, 0]
        clash = np.zeros(len(self.owner), dtype=np.uint64)
        outside = np.zeros(len(self.owner), dtype=np.uint64)
        for w in range(self.words):
            clash |= (self.pos[w] & f[w]) | (self.neg[w] & t[w])
            outside |= (self.pos[w] & ~t[w]) | (self.neg[w] & ~f[w])
        consistent = clash == 0
        brave = set(self.owner[consistent].tolist())
        if kt | kf == (1 << len(self.facts)) - 1:  # fully known: two-valued
            return Valuation.from_atoms(self.prog, brave, brave)
        cautious = set(self.owner[consistent & (outside == 0)].tolist())
        return Valuation.from_atoms(self.prog, brave, cautious)

    def values(self, targets: list[clingo.Symbol], kt: np.ndarray, kf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The valuation of some atoms over many partial scenarios at once: kt and kf are
        (words x rows) uint64 masks of the known-true and known-false facts. Returns (true,
        possible), bool (targets x rows): true in every completion; true in some."""
        rows = kt.shape[1]
        true = np.zeros((len(targets), rows), dtype=bool)
        possible = np.zeros((len(targets), rows), dtype=bool)
        low = (1 << 64) - 1
        for k, sym in enumerate(targets):
            atom = self.prog.atom_of.get(sym)
            for p, n in self.true.get(atom, []) if atom is not None else []:
                clash = np.zeros(rows, dtype=bool)
                inside = np.ones(rows, dtype=bool)
                for w in range(self.words):
                    pw, nw = np.uint64((p >> (64 * w)) & low), np.uint64((n >> (64 * w)) & low)
                    if pw:
                        clash |= (kf[w] & pw) != 0
                        inside &= (kt[w] & pw) == pw
                    if nw:
                        clash |= (kt[w] & nw) != 0
                        inside &= (kf[w] & nw) == nw
                possible[k] |= ~clash
                true[k] |= inside
        return true, possible

    def deciding_facts(self, action: str, facts: dict[str, bool | None]) -> list[str]:
        """The facts an undecided action turns on (Determination.depends_on): those its
        minimal sets use, for each outcome, in vocabulary order."""
        if _fn("not_permitted", action) in self.prog.atom_of or _fn("outside_encoded_law", action) in self.prog.atom_of:
            goals = [("permitted", True), ("not_permitted", True), ("outside_encoded_law", True)]
        else:
            goals = [("permitted", True), ("permitted", False)]
        used: set[str] = set()
        for name, want in goals:
            for one in self.sets(_fn(name, action), want, facts)[0]:
                used.update(one)
        return [f for f in self.facts if f in used]

    def sets(
        self, target: clingo.Symbol, want: bool, facts: dict[str, bool | None]
    ) -> tuple[list[dict[str, bool]], int]:
        """The minimal sets of values of the unknown facts that make `target` true (want) or
        false in every completion: all of them, sorted as the solver sorts its own, at most
        MAX_LISTED listed; and how many there are."""
        atom = self.prog.atom_of.get(target)
        if atom is None:
            return ([] if want else [{}]), (0 if want else 1)  # an atom the program lacks is false
        kt, kf = self.masks(facts)
        # the answer turns only on the known facts the atom's primes read: remembered by those
        reads = self.reads[(atom, want)]
        key = (atom, want, kt & reads, kf & reads)
        found = self.memo.get(key)
        if found is None:
            if len(self.memo) > 100_000:
                self.memo.clear()
            found = self.memo[key] = self._sets(atom, want, kt & reads, kf & reads)
        return [dict(s) for s in found[0]], found[1]  # copies: the caller owns its sets

    def _sets(self, atom: int, want: bool, kt: int, kf: int) -> tuple[list[dict[str, bool]], int]:
        rest = []
        for p, n in (self.true if want else self.false)[atom]:
            if p & kf or n & kt:
                continue
            rest.append((p & ~kt, n & ~kf))
        rest = sorted(set(rest), key=lambda c: (c[0] | c[1]).bit_count())
        kept: list[Cube] = []
        for p, n in rest:
            if not any(q & ~p == 0 and m & ~n == 0 for q, m in kept):
                kept.append((p, n))
        named = [{self.names[b]: bool(p & b) for b in _bits(p | n)} for p, n in kept]  # never a fact both ways
        named.sort(key=lambda s: (len(s), sorted(s.items())))
        return named[:MAX_LISTED], len(named)


def _bits(mask: int) -> list[int]:
    """The single bits of a mask, lowest first (fact order)."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low)
        mask ^= low
    return out


def _split(masks: list[int], words: int) -> np.ndarray:
    """Bit masks of any width as a (words x n) uint64 array."""
    out = np.zeros((words, len(masks)), dtype=np.uint64)
    low = (1 << 64) - 1
    for w in range(words):
        out[w] = np.array([(m >> (64 * w)) & low for m in masks], dtype=np.uint64)
    return out


_WINDOWS: weakref.WeakKeyDictionary[GroundProgram, Window | None] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def enabled() -> bool:
    """False when ARTICLE9_DECIDING=solver: engines made then solve instead (Engine(solver=...))."""
    return os.environ.get("ARTICLE9_DECIDING", "compiled").strip().lower() != "solver"


def window(prog: GroundProgram) -> Window | None:
    """The compiled window of the program, built (or read from the disk cache) at first use;
    None when it cannot be compiled: ask the solver then."""
    with _LOCK:
        if prog in _WINDOWS:
            return _WINDOWS[prog]
        _WINDOWS[prog] = found = _load(prog)
        return found


def _key(rb: RuleBase, prog: GroundProgram) -> str:
    h = hashlib.sha256(_SOURCE().encode())
    h.update(rb.vocabulary_text.encode())
    for r in prog.rules.values():
        h.update(f"\0{r.provision_id}\0{r.block.window}\0{r.text}".encode())
    return h.hexdigest()


def _load(prog: GroundProgram) -> Window | None:
    rb = prog.rb
    key = _key(rb, prog)
    try:
        if rb.windows is not None:  # a reform or --law-dir: compiled in a bounded child, or not at all
            if key not in rb.windows:
                from .reform import compile_bounded

                rb.windows[key] = compile_bounded(prog)
            data = rb.windows[key]
            return Window(prog, data) if isinstance(data, dict) else None
        folder = corpus.cache_dir()
        path = folder / f"window-{key[:32]}.json" if folder is not None else None
        if path is not None:
            try:
                data = json.loads(corpus._read_private(path))
                if data is not None:
                    return Window(prog, data)
            except (OSError, ValueError, KeyError, TypeError, NotCompilable):
                pass  # no cache, or one we cannot use: compile
        data = compile_window(prog)
        if path is not None:
            corpus._write_private(path, json.dumps(data, separators=(",", ":")))
        return Window(prog, data)
    except NotCompilable:
        return None


# -- the solver's deciding sets: the reference, and the path for a program not compiled --

MAX_SETS = 12  # the solver stops after this many sets (the compiled window lists them all)


def minimal_sets(
    prog: GroundProgram,
    facts: dict[str, bool | None],
    cone: list[str],
    target: clingo.Symbol,
    want: bool,
    limit: int | None = MAX_SETS,
) -> tuple[list[dict[str, bool]], bool]:
    """Minimal sets of values for the `cone` facts (all unknown in `facts`) that make
    `target` true (want=True) or false in every completion. Returns (sets, complete). The
    solver's way, the reference for the compiled window: one enumeration on a twin control,
    where each new model is shrunk to a minimal set by cautious reasoning on another twin
    and then blocked with a clause, so no completion is visited twice. The sets cover every
    completion with that answer (with limit=None; a limit cuts the list), but need not be
    every minimal set: a completion already covered is never shrunk again."""
    twin = prog.twin()
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
        checker = prog.twin(besides=twin)
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
            if limit is not None and len(found) >= limit:
                complete = False
                return False  # stop the search
            return True

        bounded_solve(twin.ctl, on_model, [(target, want)])
        if failed:
            raise failed[0]
    found.sort(key=lambda s: (len(s), sorted(s.items())))
    return found, complete


def _shrink(
    prog: GroundProgram, fixed: dict[str, bool], values: dict[str, bool], target: clingo.Symbol, wanted: str
) -> dict[str, bool]:
    """Drop facts from a completion while the target keeps its value in every completion."""
    kept = dict(values)
    for fact in list(values):
        trial = {k: v for k, v in kept.items() if k != fact}
        quick = prog.kleene({**fixed, **trial}, target)
        if quick == wanted or (quick == "unknown" and prog.always({**fixed, **trial}, target, wanted == "true")):
            kept = trial
    return kept
