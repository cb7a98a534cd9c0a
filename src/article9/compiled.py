"""A compiled evaluator for fully known scenarios: the ground program of a date, evaluated
as bitwise operations over many scenarios at once (NumPy, packed bits, one pass over the
atoms in dependency order). The rule base is stratified and has no recursion, so for every
fully known scenario this gives exactly the solver's unique answer set; rows with unknown
facts go to the solver instead.

Input is columnar (one array of truth values per fact), as Arrow record batches hold it:
packing a column into bits is then a contiguous pass."""

from __future__ import annotations

import datetime as dt

import clingo
import numpy as np

from .program import GroundProgram, _fn


class Compiled:
    def __init__(self, prog: GroundProgram) -> None:
        self.prog = prog
        self.facts = list(prog.fact_symbols)
        self.fact_atom = {prog.atom_of[s]: i for i, s in enumerate(prog.fact_symbols.values()) if s in prog.atom_of}
        self.order = prog.dependency_order(list(prog.by_head))
        self.rules = {a: [tuple(r.body) for r in prog.by_head[a]] for a in self.order}

    def run(self, columns: np.ndarray, targets: list[clingo.Symbol]) -> dict[clingo.Symbol, np.ndarray]:
        """columns: bool array (facts x rows, in self.facts order). Returns, for each target
        symbol, a bool array over the rows."""
        rows = columns.shape[1]
        packed = np.packbits(np.ascontiguousarray(columns), axis=1)  # (facts, ceil(rows/8)) uint8
        pad = (-packed.shape[1]) % 8
        if pad:
            packed = np.pad(packed, ((0, 0), (0, pad)))
        words = packed.view(np.uint64)  # 64 scenarios per machine word
        width = words.shape[1]
        zero = np.zeros(width, dtype=np.uint64)
        val: dict[int, np.ndarray] = {a: words[i] for a, i in self.fact_atom.items()}
        neg: dict[int, np.ndarray] = {}

        def lit(x: int) -> np.ndarray:
            if x > 0:
                return val.get(x, zero)
            if -x not in neg:
                neg[-x] = ~val.get(-x, zero)
            return neg[-x]

        for atom in self.order:
            acc: np.ndarray | None = None
            for body in self.rules[atom]:
                if not body:
                    term = ~zero
                else:
                    term = lit(body[0]).copy()
                    for x in body[1:]:
                        np.bitwise_and(term, lit(x), out=term)
                if acc is None:
                    acc = term
                else:
                    np.bitwise_or(acc, term, out=acc)
            val[atom] = zero if acc is None else acc
        out = {}
        for sym in targets:
            atom = self.prog.atom_of.get(sym)
            bits = val.get(atom, zero) if atom is not None else zero
            out[sym] = np.unpackbits(bits.view(np.uint8))[:rows].view(bool)
        return out


def assess_known(engine: object, day: dt.date, rows: np.ndarray, actions: list[str]) -> dict[str, dict]:
    """Status and first lawful basis per action for fully known rows (bool matrix, rows x
    facts; a Fortran-ordered or transposed-view matrix avoids a copy). For each action:
    `permitted` (bool per row), `closed` (bool per row: a closure claim covers it, so an
    act not permitted is 'not_permitted' rather than 'no_encoded_basis'), `code` (uint8 per
    row: 0 for no basis, k for `bases[k-1]`) and `bases` (the candidate provisions, in order)."""
    prog = engine.program(day)  # type: ignore[attr-defined]
    if prog.compiled is None:
        prog.compiled = Compiled(prog)
    compiled = prog.compiled
    targets = []
    bases: dict[str, list[str]] = {}
    for a in actions:
        targets += [_fn("permitted", a), _fn("closed", a)]
        bases[a] = engine.candidate_bases(a)  # type: ignore[attr-defined]
        targets += [clingo.Function("lawful", [clingo.Function(a), clingo.String(p)]) for p in bases[a]]
    result = compiled.run(rows.T, targets)
    out = {}
    for a in actions:
        permitted = result[_fn("permitted", a)]
        code = np.zeros(rows.shape[0], dtype=np.uint8)
        for k in range(len(bases[a]), 0, -1):  # the first lawful basis wins
            lawful = result[clingo.Function("lawful", [clingo.Function(a), clingo.String(bases[a][k - 1])])]
            code[lawful] = k
        code[~permitted] = 0
        out[a] = {"permitted": permitted, "closed": result[_fn("closed", a)], "code": code, "bases": bases[a]}
    return out


def basis_names(result: dict) -> np.ndarray:
    """The basis codes of one action's result as provision ids ('' for none), for display."""
    return np.array(["", *result["bases"]], dtype=object)[result["code"]]
