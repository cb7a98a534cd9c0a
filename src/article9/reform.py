"""Hypothetical regimes ("reforms"): a user-written law file in the literate format that
adds provisions, replaces some and repeals others from an effective date. A reform file is
data: the same parser refuses #script, #include, @-functions and every directive, the file
size and rule count are capped, and the combined rule base is first grounded in a separate,
time- and memory-limited process so a hostile file cannot hang or exhaust the service."""

from __future__ import annotations

import copy
import datetime as dt
import multiprocessing
import os
import re
from pathlib import Path

from .corpus import RuleBase, check_names, suggest
from .errors import InputError, RuleBaseError
from .lawfile import Block, parse_law_file
from .rules import Atom, Rule, parse_block
from .vocab import Text, sentence_problem, slots

MAX_BYTES = 256 * 1024
MAX_RULES = 1000
MAX_VARIABLES = 6
GROUND_MEMORY = 2 * 1024**3
# ids a reader can tell from the real law's: plain ASCII (no look-alike hyphens or letters)
INSTRUMENT_ID = re.compile(r"[a-z][a-z0-9-]{0,62}")
PROVISION_ID = re.compile(r"[a-z][a-z0-9-]{0,62}(/[a-z0-9][a-z0-9-]{0,62}){1,4}")
FIRST_EFFECTIVE = dt.date(1947, 5, 3)  # the Constitution's coming into force, where the rule base starts


def _limit(name: str, default: float) -> float:
    """Limits can be lowered (never raised) through the environment, e.g. for tests."""
    try:
        return min(default, float(os.environ.get(name, default)))
    except ValueError:
        return default


GROUND_SECONDS = _limit("ARTICLE9_GROUND_SECONDS", 10.0)
MAX_GROUND_ATOMS = int(_limit("ARTICLE9_MAX_GROUND_ATOMS", 500_000))
# the packaged law grounds to 721 rules over every date together; a reform may add far more, not millions
MAX_GROUND_RULES = int(_limit("ARTICLE9_MAX_GROUND_RULES", 100_000))


def load_reform(rb: RuleBase, path: Path) -> RuleBase:
    """The rule base as the reform would make it. Raises InputError for a bad reform file."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"{path}: a reform file may be at most {MAX_BYTES // 1024} KiB")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    try:
        return _apply(rb, path, text)
    except RuleBaseError as exc:
        raise InputError(f"reform {exc.message}") from None


def _apply(rb: RuleBase, path: Path, text: str) -> RuleBase:
    from .program import in_clingo

    inst = parse_law_file(path, text, name=str(path))  # the path the user gave
    name = inst.path
    if inst.kind != "reform":
        raise RuleBaseError(f"{name}:2: a reform file has 'kind: reform' in its front matter")
    if not INSTRUMENT_ID.fullmatch(inst.id):
        raise RuleBaseError(
            f"{name}:2: id {inst.id[:80]!r} must be lower-case ASCII letters, digits and '-', starting with a letter"
        )
    if inst.id in rb.instruments:
        raise RuleBaseError(f"{name}:2: id '{inst.id}' is already an instrument of the rule base")
    try:
        effective = dt.date.fromisoformat(str(inst.meta.get("effective")))
    except ValueError:
        raise RuleBaseError(f"{name}:2: 'effective' must be the date the reform takes effect (YYYY-MM-DD)") from None
    if effective < FIRST_EFFECTIVE:
        raise RuleBaseError(f"{name}:2: 'effective' must be on or after {FIRST_EFFECTIVE} (got {effective})")
    new = copy.deepcopy(rb)
    predicates = inst.meta.get("predicates") or {}
    if not isinstance(predicates, dict):
        raise RuleBaseError(f"{name}:2: 'predicates' maps each new predicate to {{en: ..., ja: ...}}")
    for key, value in predicates.items():
        if not isinstance(value, dict) or not value.get("en"):
            raise RuleBaseError(f"{name}:2: predicates.{key} needs an 'en' sentence (and a 'ja' one)")
        en, ja = value["en"], value.get("ja") or value["en"]
        if not isinstance(key, str) or not all(isinstance(x, str | int | float) for x in (en, ja)):
            raise RuleBaseError(f"{name}:2: predicates.{key}: the name and its 'en' and 'ja' sentences must be text")
        for lang, sentence in (("en", en), ("ja", ja)):
            problem = sentence_problem(str(sentence))
            if problem:
                raise RuleBaseError(f"{name}:2: predicates.{key}.{lang}: {problem}")
        new.vocabulary.predicates[key] = Text(en=str(en), ja=str(ja))
    repeals = inst.meta.get("repeals") or []
    if not isinstance(repeals, list) or not all(isinstance(x, str) for x in repeals):
        raise RuleBaseError(f"{name}:2: 'repeals' must be a list of provision or instrument ids")
    repealed = list(repeals)
    for prov in inst.provisions:
        repealed += prov.replaces
    for target in repealed:
        targets = (
            [p.id for p in new.instruments[target].provisions]
            if target in new.instruments
            else [new.aliases.get(target, target)]
        )
        for pid in targets:
            if pid not in new.provisions:
                raise RuleBaseError(
                    f"{name}: cannot repeal or replace '{target}': no such provision{suggest(target, new.provisions)}"
                )
            _cut(new.provisions[pid], effective)
    new.instruments[inst.id] = inst
    new.reform = inst
    rules = [
        r
        for r in new.rules
        if r.block.end >= r.block.start and any(b is r.block for b in new.provisions[r.provision_id].blocks)
    ]
    for prov in inst.provisions:
        if not PROVISION_ID.fullmatch(prov.id) or not prov.id.startswith(inst.id + "/"):
            raise RuleBaseError(
                f"{name}:{prov.line}: provision id {prov.id[:80]!r} must be '{inst.id}/' followed by lower-case "
                f"ASCII letters, digits and '-', '/' (e.g. '{inst.id}/a')"
            )
        if prov.id in new.provisions or prov.id in rb.aliases:
            raise RuleBaseError(f"{name}:{prov.line}: provision id '{prov.id}' is used twice")
        if prov.marker in ("V", "P"):
            raise RuleBaseError(
                f"{name}:{prov.line}: marker {prov.marker}: a reform's provision is hypothetical and cannot be "
                "checked against enacted law; write 'marker: U'"
            )
        prov.marker = "H"  # shown as [H]: hypothetical, from a reform file
        for block in prov.blocks:
            if block.start < effective:
                raise RuleBaseError(
                    f"{block.path}:{block.line}: the block starts on {block.start}, before the reform's effective "
                    f"date {effective}: a reform cannot change answers for dates before it takes effect"
                )
        new.provisions[prov.id] = prov
        for block in prov.blocks:
            with in_clingo():  # the parser calls back into Python: never while the interpreter exits
                rules.extend(parse_block(block, max((r.id for r in rules), default=-1) + 1))
    added = [r for r in rules if r.provision_id.startswith(inst.id + "/")]
    if len(added) > MAX_RULES:
        raise RuleBaseError(f"{name}: at most {MAX_RULES} rules (got {len(added)})")
    for r in added:
        if len(_variables(r.text)) > MAX_VARIABLES:
            raise RuleBaseError(f"{r.origin}: a rule may use at most {MAX_VARIABLES} variables")
    arity = {a.name: len(a.args) for r in rules for a in r.atoms}
    for key in predicates:
        sentence = new.vocabulary.predicates[key]
        wanted = slots(sentence.en) | slots(sentence.ja)
        if key in arity and wanted and max(wanted) >= arity[key]:
            raise RuleBaseError(
                f"{name}:2: predicates.{key}: slot {{{max(wanted)}}}, but {key} has {arity[key]} "
                f"argument(s): "
                + ("the only slot is {0}" if arity[key] == 1 else f"the slots are {{0}} to {{{arity[key] - 1}}}")
                if arity[key]
                else f"{name}:2: predicates.{key}: slot {{{max(wanted)}}}, but {key} has no arguments"
            )
    new.rules = rules
    new.__dict__.pop("blocks", None)
    check_names(new, unused_ok=True)  # a repeal may leave a fact or action without rules
    _check_stratified(rules, {r.id for r in added})
    _trial_ground(new)
    return new


def _unify(a: Atom, b: Atom) -> bool:
    """Whether two atoms may stand for the same ground atom (None: a variable or other term)."""
    return a.name == b.name and all(
        None in x or None in y or bool(set(x) & set(y)) for x, y in zip(a.args, b.args, strict=True)
    )


MAX_LINK_CHECKS = 1_000_000  # body atom / rule head pairs compared by the stratification check


def _check_stratified(rules: list[Rule], added: set[int]) -> None:
    """Refuse rules through which an atom may depend on its own negation (a cycle through
    'not'): with them, answering one scenario is a search that may never end (e.g. the
    pigeonhole problem in a dozen rules), while stratified rules are answered by
    propagation alone. First by predicate; where predicates are recursive through 'not'
    (the law has situation/1 with different constants), rule by rule, linking a body atom
    to the rules whose head it may match."""
    by_head: dict[tuple[str, int], list[Rule]] = {}
    for r in rules:
        by_head.setdefault(r.head_name, []).append(r)
    links: dict[tuple[str, int], set[tuple[tuple[str, int], bool]]] = {sig: set() for sig in by_head}
    for r in rules:
        links[r.head_name] |= {((a.name, len(a.args)), a.text.startswith("not ")) for a in r.atoms[1:]}
    recursive: set[tuple[str, int]] = set()
    for component in _components({sig: [t for t, _neg in out if t in by_head] for sig, out in links.items()}):
        if any(neg and t in component for sig in component for t, neg in links[sig]):
            recursive |= component
    if not recursive:
        return
    candidates = [r for r in rules if r.head_name in recursive]
    checks = 0
    succ: dict[int, list[tuple[int, Atom]]] = {}
    for r in candidates:
        succ[r.id] = []
        seen: set[str] = set()
        for atom in r.atoms[1:]:
            sig = (atom.name, len(atom.args))
            if sig not in recursive or atom.text in seen:
                continue
            seen.add(atom.text)
            checks += len(by_head[sig])
            if checks > MAX_LINK_CHECKS:
                raise RuleBaseError(
                    f"{r.origin}: refused: too many rules with 'not' among mutually recursive predicates to check"
                )
            succ[r.id] += [(s.id, atom) for s in by_head[sig] if _unify(atom, s.atoms[0])]
    by_id = {r.id: r for r in candidates}
    for component in _components({rid: [t for t, _atom in out] for rid, out in succ.items()}):
        if not component & added:
            continue
        for rid in sorted(component):
            for target, atom in succ[rid]:
                if target in component and atom.text.startswith("not "):
                    raise RuleBaseError(
                        f"{by_id[rid].origin}: refused: '{atom.text}' makes this rule depend on its own negation "
                        "(a cycle through 'not'), which would make solving unbounded"
                    )


def _components(succ: dict) -> list[set]:
    """Strongly connected components of a graph given as node -> successors (Tarjan's
    algorithm, without recursion)."""
    index: dict = {}
    low: dict = {}
    stack: list = []
    on_stack: set = set()
    out: list[set] = []
    for root in succ:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            edges = succ.get(node, [])
            while i < len(edges) and edges[i] in index:
                if edges[i] in on_stack:
                    low[node] = min(low[node], index[edges[i]])
                i += 1
            if i < len(edges):
                work.append((node, i + 1))
                work.append((edges[i], 0))
                continue
            if low[node] == index[node]:
                component: set = set()
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.add(top)
                    if top == node:
                        break
                out.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out


def _variables(rule_text: str) -> set[str]:
    import re

    no_strings = re.sub(r'"[^"]*"', "", rule_text)
    return set(re.findall(r"\b[A-Z_][A-Za-z0-9_']*", no_strings)) - {"_"}


def _cut(prov: object, effective: dt.date) -> None:
    """End the provision's blocks the day before the reform takes effect."""
    last = effective - dt.timedelta(days=1)
    kept: list[Block] = []
    for block in prov.blocks:  # type: ignore[attr-defined]
        if block.start > last:
            block.end = block.start - dt.timedelta(days=1)  # never in force: dropped below
            continue
        block.end = min(block.end, last)
        kept.append(block)
    prov.blocks = kept  # type: ignore[attr-defined]


class _TooMany(Exception):
    pass


class _RuleCounter:
    """Counts ground rules as clingo makes them, and stops the grounding past the cap: a
    few atoms can stand for millions of rules (p :- q(A), q(B), q(C))."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.rules = 0

    def _one(self) -> None:
        self.rules += 1
        if self.rules > self.cap:
            raise _TooMany

    def rule(self, choice: bool, head: object, body: object) -> None:
        self._one()

    def weight_rule(self, choice: bool, head: object, lower: int, body: object) -> None:
        self._one()


def _ground_child(texts: list[str], conn: object) -> None:  # pragma: no cover - runs in a child process
    import resource

    import clingo

    resource.setrlimit(resource.RLIMIT_AS, (GROUND_MEMORY, GROUND_MEMORY))
    messages: list[str] = []
    counter = _RuleCounter(MAX_GROUND_RULES)
    try:
        # clingo's own messages (with its internal rule numbering) are kept, not printed
        ctl = clingo.Control(["--warn=none"], logger=lambda _code, msg: messages.append(msg))
        ctl.register_observer(counter)
        ctl.add("base", [], "\n".join(texts))
        ctl.ground([("base", [])])
        conn.send(("ok", (len(ctl.symbolic_atoms), counter.rules)))  # type: ignore[attr-defined]
    except BaseException as exc:  # noqa: BLE001 - report anything, including MemoryError
        if counter.rules > counter.cap:
            conn.send(("ok", (0, counter.rules)))  # type: ignore[attr-defined]
            return
        detail = " ".join(messages[0].split()) if messages else f"{type(exc).__name__}: {exc}"
        conn.send(("error", detail[:300]))  # type: ignore[attr-defined]


def _compile_child(prog: object, conn: object) -> None:  # pragma: no cover - runs in a child process
    import resource

    from .deciding import NotCompilable, compile_window

    # the limit is on what the compile adds: a fork of a large process (a server, a test run)
    # starts with its parent's address space, which may be near GROUND_MEMORY already
    size = int(open("/proc/self/statm").read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (size + GROUND_MEMORY, size + GROUND_MEMORY))
    try:
        conn.send(compile_window(prog, GROUND_SECONDS))  # type: ignore[arg-type, attr-defined]
    except (NotCompilable, MemoryError, RecursionError):
        conn.send(None)  # type: ignore[attr-defined]


def compile_bounded(prog: object) -> dict | None:
    """Compile one window of a reform or --law-dir rule base (deciding.compile_window) in a
    child process with the trial grounding's time and memory limits: the data, or None when
    it could not be compiled within them (the solver answers that window then)."""
    import dd.cudd  # noqa: F401 - loaded here, so that the child maps nothing new under its memory limit

    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_compile_child, args=(prog, child), daemon=True)
    proc.start()
    try:
        # read before joining: a large result fills the pipe, and the child waits for the reader
        data = parent.recv() if parent.poll(GROUND_SECONDS) else None
    except (EOFError, OSError):
        data = None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
    return data if isinstance(data, dict) else None


def _where(message: str, texts: list[str], rules: list[Rule]) -> str:
    """clingo's message with its location in the joined program ('<block>:271:1-32') turned
    into the rule's file and line, and its internal markers dropped."""
    import re

    m = re.match(r"<block>:(\d+):[0-9:-]+: (?:error: )?(.*?)(?: <block>:.*)?$", message)
    if not m:
        return message
    line, text = int(m.group(1)), m.group(2).replace("[#inc_base];", "").replace("[#inc_base]", "")
    first = len(texts) - len(rules)  # the lines before the rules: actions and facts
    seen = sum(t.count("\n") + 1 for t in texts[:first])
    for r in rules:
        seen += r.text.count("\n") + 1
        if line <= seen:
            return f"{r.origin}: {text}"
    return text


def _trial_ground(rb: RuleBase, what: str = "the reform") -> None:
    """Ground every rule of every date together in a child process with limits."""
    v = rb.vocabulary
    texts = [f"action({a}). action_type({a},{d.type})." for a, d in v.actions.items()]
    texts += [f"{{ holds({f}) }}." for f in v.facts]
    texts += [r.text for r in rb.rules]
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_ground_child, args=(texts, child), daemon=True)
    proc.start()
    proc.join(GROUND_SECONDS)
    if proc.is_alive():
        proc.kill()
        proc.join()
        raise RuleBaseError(f"grounding took longer than {GROUND_SECONDS:.0f} s; {what} was refused")
    if not parent.poll():
        raise RuleBaseError(f"grounding failed (out of memory or crashed); {what} was refused")
    status, value = parent.recv()
    if status != "ok":
        raise RuleBaseError(f"grounding failed: {_where(value, texts, rb.rules)}; {what} was refused")
    atoms, ground_rules = value
    if ground_rules > MAX_GROUND_RULES:
        raise RuleBaseError(
            f"grounding produced more than {MAX_GROUND_RULES} ground rules (ARTICLE9_MAX_GROUND_RULES); "
            f"{what} was refused"
        )
    if atoms > MAX_GROUND_ATOMS:
        raise RuleBaseError(f"grounding produced {atoms} atoms, more than {MAX_GROUND_ATOMS}; {what} was refused")
    rb.windows = {}  # its deciding windows are compiled in a bounded child too, at first use (deciding.py)
