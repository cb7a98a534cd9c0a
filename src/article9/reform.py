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
from pathlib import Path

from .corpus import RuleBase, check_names, suggest
from .errors import InputError, RuleBaseError
from .lawfile import Block, parse_law_file
from .rules import parse_block
from .vocab import Text

MAX_BYTES = 256 * 1024
MAX_RULES = 1000
MAX_VARIABLES = 6
GROUND_MEMORY = 2 * 1024**3


def _limit(name: str, default: float) -> float:
    """Limits can be lowered (never raised) through the environment, e.g. for tests."""
    try:
        return min(default, float(os.environ.get(name, default)))
    except ValueError:
        return default


GROUND_SECONDS = _limit("ARTICLE9_GROUND_SECONDS", 10.0)
MAX_GROUND_ATOMS = int(_limit("ARTICLE9_MAX_GROUND_ATOMS", 500_000))


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
    inst = parse_law_file(path, text)
    name = inst.path
    if inst.kind != "reform":
        raise RuleBaseError(f"{name}:2: a reform file has 'kind: reform' in its front matter")
    if inst.id in rb.instruments:
        raise RuleBaseError(f"{name}:2: id '{inst.id}' is already an instrument of the rule base")
    try:
        effective = dt.date.fromisoformat(str(inst.meta.get("effective")))
    except ValueError:
        raise RuleBaseError(f"{name}:2: 'effective' must be the date the reform takes effect (YYYY-MM-DD)") from None
    new = copy.deepcopy(rb)
    for key, value in (inst.meta.get("predicates") or {}).items():
        if not isinstance(value, dict) or not value.get("en"):
            raise RuleBaseError(f"{name}:2: predicates.{key} needs an 'en' sentence (and a 'ja' one)")
        new.vocabulary.predicates[str(key)] = Text(en=str(value["en"]), ja=str(value.get("ja") or value["en"]))
    repealed = [str(x) for x in inst.meta.get("repeals") or []]
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
    rules = [
        r
        for r in new.rules
        if r.block.end >= r.block.start and any(b is r.block for b in new.provisions[r.provision_id].blocks)
    ]
    for prov in inst.provisions:
        if prov.id in new.provisions:
            raise RuleBaseError(f"{name}:{prov.line}: provision id '{prov.id}' is used twice")
        new.provisions[prov.id] = prov
        for block in prov.blocks:
            rules.extend(parse_block(block, max((r.id for r in rules), default=-1) + 1))
    added = [r for r in rules if r.provision_id.startswith(inst.id + "/")]
    if len(added) > MAX_RULES:
        raise RuleBaseError(f"{name}: at most {MAX_RULES} rules (got {len(added)})")
    for r in added:
        if len(_variables(r.text)) > MAX_VARIABLES:
            raise RuleBaseError(f"{r.origin}: a rule may use at most {MAX_VARIABLES} variables")
    new.rules = rules
    new.__dict__.pop("blocks", None)
    check_names(new)
    _trial_ground(new)
    return new


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


def _ground_child(texts: list[str], conn: object) -> None:  # pragma: no cover - runs in a child process
    import resource

    import clingo

    resource.setrlimit(resource.RLIMIT_AS, (GROUND_MEMORY, GROUND_MEMORY))
    try:
        ctl = clingo.Control(["--warn=none"])
        ctl.add("base", [], "\n".join(texts))
        ctl.ground([("base", [])])
        conn.send(("ok", len(ctl.symbolic_atoms)))  # type: ignore[attr-defined]
    except BaseException as exc:  # noqa: BLE001 - report anything, including MemoryError
        conn.send(("error", f"{type(exc).__name__}: {exc}"))  # type: ignore[attr-defined]


def _trial_ground(rb: RuleBase) -> None:
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
        raise RuleBaseError(f"grounding took longer than {GROUND_SECONDS:.0f} s; the reform was refused")
    if not parent.poll():
        raise RuleBaseError("grounding failed (out of memory or crashed); the reform was refused")
    status, value = parent.recv()
    if status != "ok":
        raise RuleBaseError(f"grounding failed: {value}; the reform was refused")
    if value > MAX_GROUND_ATOMS:
        raise RuleBaseError(f"grounding produced {value} atoms, more than {MAX_GROUND_ATOMS}; the reform was refused")
