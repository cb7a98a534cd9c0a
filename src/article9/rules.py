"""Reading clingo rule blocks as data: parse, refuse anything but plain normal rules,
collect the names they use, and tag each rule with the id that traces it to its provision."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import clingo
from clingo import ast

from .errors import RuleBaseError
from .lawfile import Block

# Predicates the engine supplies; law files read them but never derive them.
ENGINE_PREDICATES = {("holds", 1), ("action", 1), ("action_type", 2)}
MARKER = "_src"
_DIRECTIVE = re.compile(r"#\s*([A-Za-z_]+)")
_BIG_NUMBER = re.compile(r"\b\d{7,}\b")
MAX_NUMBER = 999_999
_ALLOWED_DIRECTIVES = {"false", "true", "inf", "sup"}
_DIRECTIVE_REASON = {
    "script": "#script would run code",
    "include": "#include would read a file",
    "external": "#external declarations belong to the engine",
}


@dataclass
class Atom:
    """One atom occurrence: predicate, its arguments (as constant names, strings or None
    for variables and other terms), whether it is in the head, and its line."""

    name: str
    args: list[list[str | None]]  # per argument: the alternatives of a pool
    in_head: bool
    line: int
    text: str


@dataclass
class Rule:
    id: int
    provision_id: str
    block: Block
    text: str
    line: int
    has_body: bool
    atoms: list[Atom] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"{self.block.path}:{self.line}"

    @property
    def head_name(self) -> tuple[str, int]:
        head = self.atoms[0]
        return head.name, len(head.args)


def _term_values(term: ast.AST) -> list[str | None]:
    """Alternatives a term stands for: constant names and strings; None for anything else."""
    kind = term.ast_type
    if kind == ast.ASTType.Pool:
        out: list[str | None] = []
        for alt in term.arguments:
            out.extend(_term_values(alt))
        return out
    if kind == ast.ASTType.SymbolicTerm:
        sym = term.symbol
        if sym.type == clingo.SymbolType.String:
            return ['"' + sym.string]
        if sym.type == clingo.SymbolType.Function and not sym.arguments:
            return [sym.name]
        return [None]
    if kind == ast.ASTType.Function and not term.arguments and not term.external:
        return [term.name]
    return [None]


def _check_term(term: ast.AST, where: str) -> None:
    """An atom's arguments may be constants, strings, numbers, variables and pools of those:
    no nested function terms, no arithmetic, no @-calls."""
    for arg in term.arguments:
        _check_arg(arg, where)


def _check_arg(arg: ast.AST, where: str) -> None:
    kind = arg.ast_type
    if kind == ast.ASTType.Function:
        if arg.external:
            raise RuleBaseError(f"{where}: external function @{arg.name} refused: it would run code")
        if arg.arguments:
            raise RuleBaseError(f"{where}: nested terms are not allowed as arguments (got '{arg}')")
        return
    if kind == ast.ASTType.Pool:
        for alt in arg.arguments:
            _check_arg(alt, where)
        return
    if kind == ast.ASTType.SymbolicTerm:
        sym = arg.symbol
        if sym.type == clingo.SymbolType.Function and sym.arguments:
            raise RuleBaseError(f"{where}: nested terms are not allowed as arguments (got '{arg}')")
        if sym.type == clingo.SymbolType.Number and abs(sym.number) > MAX_NUMBER:
            raise RuleBaseError(f"{where}: refused: the number {sym.number} is too large")
        return
    if kind == ast.ASTType.Variable:
        return
    raise RuleBaseError(f"{where}: only constants, strings, numbers and variables may be arguments (got '{arg}')")


def _check_comparison_term(term: ast.AST, where: str) -> None:
    """Comparisons may use arithmetic, but never an @-call."""
    if term.ast_type == ast.ASTType.Function and term.external:
        raise RuleBaseError(f"{where}: external function @{term.name} refused: it would run code")
    for key in term.keys():
        value = getattr(term, key)
        children = value if isinstance(value, list | tuple) else [value]
        for child in children:
            if isinstance(child, ast.AST):
                _check_comparison_term(child, where)


def _atom(lit: ast.AST, in_head: bool, where: str, line: int) -> Atom | None:
    if lit.ast_type != ast.ASTType.Literal:
        raise RuleBaseError(f"{where}: only plain literals are allowed (got '{lit}')")
    atom = lit.atom
    if atom.ast_type == ast.ASTType.Comparison:
        if in_head:
            raise RuleBaseError(f"{where}: a comparison cannot be a rule head")
        for term in [atom.term, *(guard.term for guard in atom.guards)]:
            _check_comparison_term(term, where)
        return None
    if atom.ast_type != ast.ASTType.SymbolicAtom:
        raise RuleBaseError(f"{where}: only atoms and comparisons are allowed (got '{lit}')")
    if lit.sign == ast.Sign.DoubleNegation or (in_head and lit.sign != ast.Sign.NoSign):
        raise RuleBaseError(f"{where}: negation is allowed only as 'not' in rule bodies")
    sym = atom.symbol
    alternatives = sym.arguments if sym.ast_type == ast.ASTType.Pool else [sym]
    found: Atom | None = None
    for alt in alternatives:
        if alt.ast_type != ast.ASTType.Function:
            raise RuleBaseError(f"{where}: '{sym}' is not an atom")
        _check_term(alt, where)
        if alt.name.startswith("_"):
            raise RuleBaseError(f"{where}: names starting with '_' are reserved for the engine")
        args = [_term_values(a) for a in alt.arguments]
        if found is None:
            found = Atom(alt.name, args, in_head, line, str(lit))
        elif found.name != alt.name or len(found.args) != len(args):
            raise RuleBaseError(f"{where}: a pooled atom must keep one predicate: '{sym}'")
        else:
            found.args = [a + b for a, b in zip(found.args, args, strict=True)]
    return found


def parse_block(block: Block, first_id: int) -> list[Rule]:
    """Parse one block; refuse directives, constraints, aggregates, choices and @-calls."""
    for num, line in enumerate(block.text.splitlines()):
        for match in _DIRECTIVE.finditer(line):
            word = match.group(1).lower()
            if word not in _ALLOWED_DIRECTIVES:
                reason = _DIRECTIVE_REASON.get(word, f"#{word} is not allowed in law files")
                raise RuleBaseError(f"{block.path}:{block.line + num}: refused: {reason}")
        big = _BIG_NUMBER.search(line)
        if big:
            raise RuleBaseError(f"{block.path}:{block.line + num}: refused: the number {big.group(0)} is too large")
    statements: list[ast.AST] = []
    messages: list[str] = []

    def log(_code: object, msg: str) -> None:
        messages.append(msg.strip().replace("\n", " "))

    try:
        ast.parse_string(block.text, statements.append, logger=log)
    except RuntimeError:
        detail = messages[0] if messages else "syntax error"
        m = re.match(r"<string>:(\d+):[\d-]+(?::[\d-]+)?: (.*)", detail)
        if m:
            raise RuleBaseError(f"{block.path}:{block.line + int(m.group(1)) - 1}: {m.group(2)}") from None
        raise RuleBaseError(f"{block.path}:{block.line}: {detail}") from None
    rules: list[Rule] = []
    for stm in statements:
        line = block.line + stm.location.begin.line - 1
        where = f"{block.path}:{line}"
        if stm.ast_type == ast.ASTType.Program:
            if stm.name != "base" or stm.parameters:
                raise RuleBaseError(f"{where}: #program is not allowed in law files")
            continue
        if stm.ast_type == ast.ASTType.Comment:
            continue
        if stm.ast_type != ast.ASTType.Rule:
            raise RuleBaseError(f"{where}: only rules are allowed in law files (got '{stm}')")
        head = stm.head
        if head.ast_type != ast.ASTType.Literal or head.atom.ast_type != ast.ASTType.SymbolicAtom:
            raise RuleBaseError(
                f"{where}: rule head must be one atom (no constraints, choices or disjunctions): '{stm}'"
            )
        rule = Rule(first_id + len(rules), block.provision_id, block, str(stm), line, bool(stm.body))
        head_atom = _atom(head, True, where, line)
        assert head_atom is not None
        rule.atoms.append(head_atom)
        for lit in stm.body:
            found = _atom(lit, False, where, line)
            if found is not None:
                rule.atoms.append(found)
        rules.append(rule)
    return rules


def tagged(rule: Rule) -> str:
    """The rule's text with the body literal _src(id) added, so that every ground rule the
    solver uses names the source rule (and so the provision) it came from. The text is
    clingo's own rendering of the parsed rule, so it ends in '.'."""
    body = rule.text[:-1]
    joiner = "; " if rule.has_body else " :- "
    return f"{body}{joiner}{MARKER}({rule.id})."
