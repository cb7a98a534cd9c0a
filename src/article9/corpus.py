"""The rule base: every law file and the vocabulary, parsed and cross-checked once."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import hashlib
import json
import os
import secrets
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .errors import RuleBaseError
from .lawfile import Block, Instrument, Provision, parse_law_file
from .reach import ReachData, load_reach
from .rules import ENGINE_PREDICATES, Atom, Rule, parse_block
from .vocab import Vocabulary, load_vocabulary

LAW_DIR = Path(__file__).parent / "law"
VOCABULARY_FILE = "vocabulary.yaml"


def suggest(name: str, candidates: object) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
    return f" (did you mean: {', '.join(close)}?)" if close else ""


@dataclass
class RuleBase:
    vocabulary: Vocabulary
    vocabulary_text: str
    instruments: dict[str, Instrument]
    provisions: dict[str, Provision]
    rules: list[Rule]
    aliases: dict[str, str] = field(default_factory=dict)
    reach: ReachData = field(default_factory=ReachData)  # law/reach.yaml: encoded-to date, gaps, constraints
    reach_text: str = ""
    reform: Instrument | None = None  # the hypothetical regime applied, if any (see reform.py)
    # compiled deciding windows by content hash, made in the bounded child that trial-grounds
    # a reform or a --law-dir folder (None for the packaged law: compiled in process, see deciding.py)
    windows: dict[str, object] | None = None

    @cached_property
    def blocks(self) -> list[Block]:
        return [b for p in self.provisions.values() for b in p.blocks]

    def rules_on(self, day: dt.date) -> list[Rule]:
        return [r for r in self.rules if r.block.in_force(day)]

    def blocks_on(self, day: dt.date) -> list[Block]:
        return [b for b in self.blocks if b.in_force(day)]

    def content_hash(self, day: dt.date) -> str:
        h = hashlib.sha256(self.vocabulary_text.encode())
        for b in self.blocks_on(day):
            h.update(f"\0{b.provision_id}\0{b.window}\0{b.text}".encode())
        return h.hexdigest()

    def change_dates(self) -> list[dt.date]:
        """Every date on which the set of blocks in force changes."""
        days = {b.start for b in self.blocks}
        days |= {b.end + dt.timedelta(days=1) for b in self.blocks if b.end != dt.date.max}
        return sorted(days)

    def full_hash(self) -> str:
        """sha256 of every rule block of every date, the vocabulary and reach.yaml: names the
        whole rule base (an answer names the hash of the blocks in force on its date)."""
        h = hashlib.sha256(self.vocabulary_text.encode())
        h.update(self.reach_text.encode())
        for b in self.blocks:
            h.update(f"\0{b.provision_id}\0{b.window}\0{b.text}".encode())
        return h.hexdigest()

    def provision(self, pid: str) -> Provision:
        pid = self.aliases.get(pid, pid)
        if pid not in self.provisions:
            raise KeyError(pid)
        return self.provisions[pid]

    def window_text(self, pid: str) -> str:
        blocks = self.provisions[pid].blocks
        return ", ".join(b.window for b in blocks) if blocks else "no rules"


def cache_dir() -> Path | None:
    """The user's cache folder for article9 (ARTICLE9_CACHE_DIR, else XDG_CACHE_HOME or
    ~/.cache, then article9); None when caching is off (ARTICLE9_NO_CACHE)."""
    if os.environ.get("ARTICLE9_NO_CACHE"):
        return None
    return Path(
        os.environ.get("ARTICLE9_CACHE_DIR")
        or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "article9")
    )


def _cache_file(blocks: list[Block]) -> Path | None:
    """Where the parse of these blocks is cached: a JSON file in the user's cache folder,
    named by the hash of the blocks (text, provision, file, line) and of the parser's own
    source, so any change to either misses. None when caching is off (ARTICLE9_NO_CACHE)."""
    base = cache_dir()
    if base is None:
        return None
    import clingo

    h = hashlib.sha256(f"clingo {clingo.__version__}".encode())  # rule texts are clingo's printing
    for module in ("rules.py", "lawfile.py", "corpus.py"):
        h.update((Path(__file__).parent / module).read_bytes())
    for b in blocks:
        h.update(f"\0{b.provision_id}\0{b.path}\0{b.line}\0{b.window}\0{b.text}".encode())
    return base / f"rules-{h.hexdigest()[:32]}.json"


def _private(st: os.stat_result) -> bool:
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _read_private(path: Path) -> str:
    """The file's text if it and its folder belong to this user and no one else can write
    them; the file is opened without following links and checked on the open descriptor,
    so it cannot be swapped between the check and the read. 'null' otherwise."""
    if not _private(os.stat(path.parent)):
        return "null"
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, encoding="utf-8") as handle:
        if not _private(os.fstat(handle.fileno())):
            return "null"
        return handle.read()


def parsed_rules(blocks: list[Block]) -> list[Rule]:
    """Every block's rules, numbered in order. Parsing walks clingo's AST, the slowest part
    of loading the law; its result is plain data (rule texts and the names they use), kept
    as JSON beside nothing that runs, and read back only from a file this user owns and no
    one else can write."""
    cache = _cache_file(blocks)
    if cache is not None:
        try:
            data = json.loads(_read_private(cache))
            if data is not None:
                return [
                    Rule(
                        r["id"],
                        blocks[r["block"]].provision_id,
                        blocks[r["block"]],
                        r["text"],
                        r["line"],
                        r["has_body"],
                        [Atom(**a) for a in r["atoms"]],
                        r["source"],
                    )
                    for r in data
                ]
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            pass  # no cache, or one we cannot use: parse
    rules: list[Rule] = []
    index: list[int] = []
    for i, block in enumerate(blocks):
        found = parse_block(block, len(rules))
        rules.extend(found)
        index += [i] * len(found)
    if cache is not None:
        data = [
            {
                "id": r.id,
                "block": i,
                "text": r.text,
                "line": r.line,
                "has_body": r.has_body,
                "atoms": [dataclasses.asdict(a) for a in r.atoms],
                "source": r.source,
            }
            for r, i in zip(rules, index, strict=True)
        ]
        _write_private(cache, json.dumps(data))
    return rules


def _write_private(cache: Path, text: str) -> None:
    """Write the cache only into a folder this user owns and no one else can write, through
    a new temporary file (random name, created exclusively, links not followed, mode 0600)
    renamed into place: a link planted under a predictable name cannot redirect the write."""
    tmp = None
    try:
        cache.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder = os.lstat(cache.parent)
        if not stat.S_ISDIR(folder.st_mode) or not _private(folder):
            return  # a folder others can write (or a link to one): parse every time
        path = cache.parent / f"{cache.name}.{secrets.token_hex(8)}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags, 0o600)
        tmp = path  # ours from here: removed if the write fails
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, cache)
        tmp = None
    except OSError:
        pass  # a read-only home: parse every time
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def load_rulebase(law_dir: Path | None = None) -> RuleBase:
    """Load and check every law file in `law_dir` (default: the packaged law)."""
    law_dir = LAW_DIR if law_dir is None else law_dir
    vocab_path = law_dir / VOCABULARY_FILE
    if not vocab_path.is_file():
        raise RuleBaseError(f"{law_dir}: no {VOCABULARY_FILE}")
    vocabulary = load_vocabulary(vocab_path)
    instruments: dict[str, Instrument] = {}
    provisions: dict[str, Provision] = {}
    aliases: dict[str, str] = {}
    for path in sorted(law_dir.glob("*.md")):
        inst = parse_law_file(path)
        if inst.id in instruments:
            raise RuleBaseError(f"{path}: instrument id '{inst.id}' is also used by {instruments[inst.id].path}")
        instruments[inst.id] = inst
        for prov in inst.provisions:
            if prov.id in provisions or prov.id in aliases:
                raise RuleBaseError(f"{path}:{prov.line}: provision id '{prov.id}' is used twice")
            provisions[prov.id] = prov
            for alias in prov.aliases:
                aliases[alias] = prov.id
    rules = parsed_rules([b for inst in instruments.values() for p in inst.provisions for b in p.blocks])
    if not instruments:
        raise RuleBaseError(f"{law_dir}: no law files (*.md)")
    rb = RuleBase(vocabulary, vocab_path.read_text(encoding="utf-8"), instruments, provisions, rules, aliases)
    check_names(rb)
    check_numbering(rb)
    if law_dir.resolve() != LAW_DIR.resolve():
        # another folder (--law-dir) is held to a reform's limits: stratified rules, and a
        # trial grounding in a time- and memory-limited child process before the real one
        from .reform import _check_stratified, _trial_ground

        _check_stratified(rules, {r.id for r in rules})
        _trial_ground(rb, f"the rule base in {law_dir}")
    rb.reach, rb.reach_text = load_reach(law_dir, provisions, vocabulary)
    return rb


def numbering_problems(rb: RuleBase) -> list[str]:
    """Blocks cited under a number they did not have: a block of a renumbered provision
    must lie inside one window of its `numbers:` list, so that the article number cited
    for any date of the block is the number of that date."""
    out = []
    for p in rb.provisions.values():
        if not p.numbers:
            continue
        for b in p.blocks:
            inside = [n for n in p.numbers if n.start <= b.start and b.end <= n.end]
            if len(inside) != 1:
                cuts = [n.start.isoformat() for n in p.numbers if b.start < n.start <= b.end]
                out.append(
                    f"{b.path}:{b.line}: block {b.window} of {p.id} is not inside one window of its 'numbers'"
                    + (f"; split it at {', '.join(cuts)}" if cuts else "")
                )
    return out


def check_numbering(rb: RuleBase) -> None:
    problems = numbering_problems(rb)
    if problems:
        raise RuleBaseError(problems[0])


def _article_key(text: str) -> str:
    """'Art. 76(1)(ii)', 'art 76-1-ii', '76(1)(ii)' and '第76条' style input all reduce to
    '76-1-ii'-like keys for comparison."""
    t = text.strip().lower()
    for prefix in ("article", "art."):
        if t.startswith(prefix):
            t = t[len(prefix) :]
    t = t.strip().replace(")(", "-").replace("(", "-").replace(")", "").replace(" ", "")
    return t.strip("-")


def find_by_number(rb: RuleBase, citation: str, day: dt.date | None) -> list[tuple[Provision, str]]:
    """Provisions cited as `INSTRUMENT ARTICLE` (e.g. 'sdf-act 84-3'), by the number they had
    on `day`, or at any time when `day` is None; each with the window of that number. A
    renumbered provision is matched by its `numbers:`; any other by its id, on days its
    rules (or, for a text-only provision, its text) are in force."""
    inst, _, article = citation.strip().partition(" ")
    if inst not in rb.instruments or not article.strip():
        return []
    key = _article_key(article)
    out: list[tuple[Provision, str]] = []
    for p in rb.instruments[inst].provisions:
        if p.numbers:
            for n in p.numbers:
                if _article_key(n.article) == key and (day is None or n.in_force(day)):
                    out.append((p, n.window))
        elif p.id == f"{inst}/{key}" and (day is None or not p.blocks or any(b.in_force(day) for b in p.blocks)):
            out.append((p, rb.window_text(p.id)))
    return out


def check_names(rb: RuleBase, unused_ok: bool = False) -> None:
    """Fail fast when a rule uses a name the vocabulary lacks, or (unless `unused_ok`, for a
    reform whose repeals may leave names unused) the vocabulary declares a name that no rule
    of any date uses."""
    v = rb.vocabulary
    constants = v.constants()
    heads = {r.head_name for r in rb.rules}
    used: set[str] = set()
    typed = {"holds": v.facts, "situation": v.situations, "satisfied": v.procedures}
    for rule in rb.rules:
        for atom in rule.atoms:
            where = f"{rule.origin}"
            sig = (atom.name, len(atom.args))
            if sig in ENGINE_PREDICATES:
                if atom.in_head:
                    raise RuleBaseError(
                        f"{where}: {atom.name}/{len(atom.args)} is supplied by the engine and cannot be derived"
                    )
            elif atom.name not in v.predicates:
                raise RuleBaseError(
                    f"{where}: predicate '{atom.name}' is not in the vocabulary's predicates{suggest(atom.name, v.predicates)}"
                )
            elif not atom.in_head and sig not in heads:
                raise RuleBaseError(f"{where}: '{atom.name}/{len(atom.args)}' is read but no rule derives it")
            if atom.in_head:
                used.add(atom.name)
            for pos, alts in enumerate(atom.args):
                for value in alts:
                    if value is None:
                        continue
                    if value.startswith('"'):
                        pid = value[1:]
                        if pid not in rb.provisions:
                            raise RuleBaseError(f'{where}: "{pid}" is not a provision id{suggest(pid, rb.provisions)}')
                        continue
                    table = typed.get(atom.name) if pos == 0 else None
                    if atom.name == "requires" and pos == 2:
                        table = v.procedures
                    if atom.name == "basis" and pos == 0:
                        table = v.actions
                    pool = table if table is not None else constants
                    if value not in pool:
                        raise RuleBaseError(
                            f"{where}: '{value}' in {atom.name}/{len(atom.args)} is not in the vocabulary{suggest(value, pool)}"
                        )
                    used.add(value)
    if unused_ok:
        return
    for kind, names in (
        ("fact", v.facts),
        ("action", v.actions),
        ("situation", v.situations),
        ("procedure", v.procedures),
        ("predicate", v.predicates),
    ):
        unused = sorted(set(names) - used)
        if unused:
            raise RuleBaseError(f"vocabulary: {kind} '{unused[0]}' is declared but no rule uses it")


def timeline_rows(rb: RuleBase, instrument: str | None = None) -> list[dict]:
    """Every version of every provision (one row per rule block), each renumbering, and each
    text-only provision, by date: the one timeline the command line and the HTTP API show."""
    rows = []
    for inst in rb.instruments.values():
        if instrument is not None and inst.id != instrument:
            continue
        for p in inst.provisions:
            for b in p.blocks:
                end = None if b.end.isoformat() == "9999-12-31" else b.end.isoformat()
                rows.append(
                    {
                        "from": b.start.isoformat(),
                        "to": end,
                        "provision": p.id,
                        "title": p.title_on(b.start),
                        "marker": p.marker,
                        "instrument": inst.id,
                        "source": f"{b.path}:{b.line}",
                    }
                )
            for prev, n in zip(p.numbers, p.numbers[1:], strict=False):
                rows.append(
                    {
                        "from": n.start.isoformat(),
                        "to": None,
                        "provision": p.id,
                        "title": f"renumbered: {prev.article} ({prev.name}) becomes {n.article} ({n.name})",
                        "marker": p.marker,
                        "instrument": inst.id,
                        "source": f"{inst.path}:{p.line}",
                        "renumbered": {"from": prev.article, "to": n.article},
                    }
                )
            if not p.blocks:
                # no window, but the instrument's promulgation date (where it is a date) places
                # a text-only change on the timeline, e.g. the 2025 cyber act
                rows.append(
                    {
                        "from": None,
                        "to": None,
                        "provision": p.id,
                        "title": p.title,
                        "marker": p.marker,
                        "instrument": inst.id,
                        "source": f"{inst.path}:{p.line}",
                        "promulgated": _iso_date_or_none(inst.promulgated),
                    }
                )
    rows.sort(key=lambda r: (r["from"] or "9999", r.get("promulgated") or "9999", r["provision"]))
    return rows


def _iso_date_or_none(text: str | None) -> str | None:
    """The text if it is a YYYY-MM-DD date, else None (front matter may say 'not verified')."""
    try:
        return dt.date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None


def law_change_dates(rb: RuleBase, until: dt.date | None = None) -> list[dt.date]:
    """Every date on which the encoded law changes (a rule block starts, or one ended the day
    before), from 3 May 1947 up to `until` (default today): between two of them the law,
    and so every answer on fixed facts, stays the same."""
    until = until or dt.date.today()
    days = {dt.date(1947, 5, 3)}
    for row in timeline_rows(rb, None):
        if row["from"]:
            days.add(dt.date.fromisoformat(str(row["from"])))
        if row["to"]:
            days.add(dt.date.fromisoformat(str(row["to"])) + dt.timedelta(days=1))
    return sorted(d for d in days if d <= until)
