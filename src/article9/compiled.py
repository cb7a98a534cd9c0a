"""A compiled evaluator for fully known scenarios: the ground program of a date, evaluated
as bitwise operations over many scenarios at once (NumPy, packed bits, one pass over the
atoms in dependency order). The rule base is stratified and has no recursion, so for every
fully known scenario this gives exactly the solver's unique answer set; rows with unknown
facts go to the solver instead."""

from __future__ import annotations

import numpy as np

from .engine import GroundProgram, _fn


class Compiled:
    def __init__(self, prog: GroundProgram) -> None:
        self.prog = prog
        self.facts = list(prog.fact_symbols)
        self.fact_atom = {prog.atom_of[s]: i for i, s in enumerate(prog.fact_symbols.values()) if s in prog.atom_of}
        self.order = prog.dependency_order(list(prog.by_head))
        self.rules = {a: [tuple(r.body) for r in prog.by_head[a]] for a in self.order}

    def run(self, values: np.ndarray, targets: list) -> dict:  # noqa: ANN001
        """values: bool array (rows x facts, in self.facts order). Returns, for each target
        symbol, a bool array over the rows."""
        rows = values.shape[0]
        packed = np.packbits(values, axis=0)  # (ceil(rows/8), facts) uint8
        width = packed.shape[0]
        zero = np.zeros(width, dtype=np.uint8)
        ones = np.full(width, 0xFF, dtype=np.uint8)
        val: dict[int, np.ndarray] = {a: np.ascontiguousarray(packed[:, i]) for a, i in self.fact_atom.items()}

        def lit(x: int) -> np.ndarray:
            v = val.get(abs(x), zero)
            return v if x > 0 else ~v

        for atom in self.order:
            acc = zero
            for body in self.rules[atom]:
                term = ones
                for x in body:
                    term = term & lit(x)
                acc = acc | term
            val[atom] = acc
        out = {}
        for sym in targets:
            atom = self.prog.atom_of.get(sym)
            bits = val.get(atom, zero) if atom is not None else zero
            out[sym] = np.unpackbits(bits)[:rows].astype(bool)
        return out


def assess_known(engine: object, day, rows: np.ndarray, actions: list[str]) -> dict[str, dict]:  # noqa: ANN001
    """Status and first lawful basis per action for fully known rows (bool matrix)."""
    import clingo

    prog = engine.program(day)  # type: ignore[attr-defined]
    if prog.compiled is None:
        prog.compiled = Compiled(prog)
    compiled = prog.compiled
    targets = []
    bases: dict[str, list[str]] = {}
    for a in actions:
        targets.append(_fn("permitted", a))
        bases[a] = engine.candidate_bases(a)  # type: ignore[attr-defined]
        targets += [clingo.Function("lawful", [clingo.Function(a), clingo.String(p)]) for p in bases[a]]
    result = compiled.run(rows, targets)
    out = {}
    for a in actions:
        permitted = result[_fn("permitted", a)]
        basis = np.full(rows.shape[0], "", dtype=object)
        for p in reversed(bases[a]):
            lawful = result[clingo.Function("lawful", [clingo.Function(a), clingo.String(p)])]
            basis[lawful] = p
        out[a] = {"permitted": permitted, "basis": basis}
    return out
