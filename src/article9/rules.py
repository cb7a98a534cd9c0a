"""Reading clingo rule blocks as data: parse, refuse anything but plain normal rules,
collect the names they use, and tag each rule with the id that traces it to its provision."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

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
MAX_DEPTH = 20  # parentheses nested deeper than this are refused before clingo sees them
MAX_STATEMENT_CHARS = 4000  # clingo's parser and printer recurse on long chains of operators
_NUMBER = re.compile(r"\b(?:0[xX][0-9A-Fa-f]+|0[oO][0-7]+|0[bB][01]+|\d+)\b")
_STATEMENT_END = re.compile(r"(?<!\.)\.(?!\.)")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


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
    source: str = ""  # the rule exactly as written in its law file (clingo's `text` is its own print)

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
    """Comparisons may use arithmetic, but never an @-call, at any depth (tuples and
    function arguments included)."""
    todo = [term]
    while todo:
        node = todo.pop()
        if node.ast_type == ast.ASTType.Function and node.external:
            raise RuleBaseError(f"{where}: external function @{node.name} refused: it would run code")
        for key in node.keys():
            value = getattr(node, key)
            if isinstance(value, ast.AST):
                todo.append(value)
            elif isinstance(value, list | tuple | ast.ASTSequence):
                todo.extend(child for child in value if isinstance(child, ast.AST))


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


def _code_only(block: Block) -> str:
    """The block's text with string contents and comments blanked (newlines kept), after
    refusing what clingo cannot be trusted to report cleanly: control characters, lone
    surrogates, non-ASCII characters outside strings and comments (clingo's error message
    would cut them mid-character and abort the process), unclosed strings and comments."""
    text = block.text
    bad = _CONTROL.search(text)
    if bad:
        line = block.line + text.count("\n", 0, bad.start())
        raise RuleBaseError(f"{block.path}:{line}: refused: character U+{ord(bad.group(0)):04X} is not allowed")
    out: list[str] = []
    line = block.line
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        code = ord(c)
        if c == '"':
            j = i + 1
            while j < n and text[j] not in '"\n':
                j += 2 if text[j] == "\\" and text[j + 1 : j + 2] not in ("", "\n") else 1
            if j >= n or text[j] != '"':
                raise RuleBaseError(f"{block.path}:{line}: a string is not closed on its line")
            out.append('"' + " " * (j - i - 1) + '"')
            i = j + 1
            continue
        if c == "%" and text.startswith("%*", i):
            depth, j, start = 1, i + 2, line
            while j < n and depth:
                if text.startswith("%*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*%", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            if depth:
                raise RuleBaseError(f"{block.path}:{start}: a '%*' comment is not closed with '*%'")
            comment = text[i:j]
            out.append("".join(ch if ch == "\n" else " " for ch in comment))
            line += comment.count("\n")
            i = j
            continue
        if c == "%":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
            continue
        if code > 126:
            raise RuleBaseError(
                f"{block.path}:{line}: character {c!r} (U+{code:04X}) is allowed only inside strings and comments"
            )
        if c == "\n":
            line += 1
        out.append(c)
        i += 1
    return "".join(out)


def _check_code(block: Block) -> None:
    """Refuse, by line, what must never reach clingo: @-calls, deep nesting, big numbers in
    any base, statements long enough to exhaust clingo's recursion."""
    code = _code_only(block)
    depth = 0
    for num, line in enumerate(code.split("\n")):
        where = f"{block.path}:{block.line + num}"
        at = line.find("@")
        if at >= 0:
            name = re.match(r"@\s*(\w*)", line[at:]).group(1)  # type: ignore[union-attr]
            raise RuleBaseError(f"{where}: external function @{name} refused: it would run code")
        for c in line:
            depth += c == "("
            depth -= c == ")"
            if depth > MAX_DEPTH:
                raise RuleBaseError(f"{where}: refused: terms nested more than {MAX_DEPTH} deep")
        for match in _NUMBER.finditer(line):
            token = match.group(0)
            value = int(token, 0) if token[:2].lower() in ("0x", "0o", "0b") else int(token)
            if value > MAX_NUMBER:
                raise RuleBaseError(f"{where}: refused: the number {token} is too large")
    offset = 0
    for statement in _STATEMENT_END.split(code):
        if len(statement) > MAX_STATEMENT_CHARS:
            line = block.line + code.count("\n", 0, offset + len(statement) - len(statement.lstrip()))
            raise RuleBaseError(
                f"{block.path}:{line}: refused: a rule may be at most {MAX_STATEMENT_CHARS} characters "
                f"(got {len(statement)})"
            )
        offset += len(statement) + 1


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
    _check_code(block)
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
    lines = block.text.split("\n")
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
        rule.source = _as_written(lines, stm.location)
        head_atom = _atom(head, True, where, line)
        assert head_atom is not None
        rule.atoms.append(head_atom)
        for lit in stm.body:
            found = _atom(lit, False, where, line)
            if found is not None:
                rule.atoms.append(found)
        rules.append(rule)
    return rules


def _as_written(lines: list[str], loc: Any) -> str:
    """The text between a statement's begin and end (clingo's 1-based lines and columns, the
    end exclusive), as the law file has it."""
    (bl, bc), (el, ec) = (loc.begin.line, loc.begin.column), (loc.end.line, loc.end.column)
    if bl == el:
        return lines[bl - 1][bc - 1 : ec - 1]
    return "\n".join([lines[bl - 1][bc - 1 :], *lines[bl : el - 1], lines[el - 1][: ec - 1]])


def tagged(rule: Rule) -> str:
    """The rule's text with the body literal _src(id) added, so that every ground rule the
    solver uses names the source rule (and so the provision) it came from. The text is
    clingo's own rendering of the parsed rule, so it ends in '.'."""
    body = rule.text[:-1]
    joiner = "; " if rule.has_body else " :- "
    return f"{body}{joiner}{MARKER}({rule.id})."
