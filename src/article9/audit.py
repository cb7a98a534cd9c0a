"""The audit trail: a decision log and its replay.

Every assessment already carries the rule base's content hash, the package version and the
date assessed. With `--log FILE` (CLI) or `article9 serve --log FILE`, each assessment is
also appended to a SQLite file: the scenario's facts, the actions, the date, the answer per
action (status, reading, lawful bases, the provisions its explanation cites) and the hash.
The rule base behind each hash is stored once, as the content hash of every provision's
rule blocks in force on that date, so a later replay can say which provisions changed.

The log is append-only: triggers refuse UPDATE and DELETE. `article9 replay LOG` assesses
every logged scenario again with the current rule base and reports the answers that now
differ, naming the changed provisions that bear on each."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .models import Assessment, Determination, Scenario, Step

SCHEMA = """
CREATE TABLE IF NOT EXISTS rulebases (
    hash TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    provisions TEXT NOT NULL   -- JSON: provision id -> sha256 of its blocks in force
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    logged_at TEXT NOT NULL,   -- UTC, ISO 8601
    source TEXT NOT NULL,      -- the face that answered: 'cli assess', 'api /assess', ...
    version TEXT NOT NULL,     -- package version
    rulebase TEXT NOT NULL REFERENCES rulebases(hash),
    date TEXT NOT NULL,        -- the date assessed
    scenario TEXT NOT NULL,    -- JSON: title and facts (true/false; unknown facts left out)
    actions TEXT NOT NULL,     -- JSON list
    answer TEXT NOT NULL       -- JSON: action -> status, constitutional, lawful, provisions
);
CREATE TRIGGER IF NOT EXISTS decisions_append_only_u BEFORE UPDATE ON decisions
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_append_only_d BEFORE DELETE ON decisions
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS rulebases_append_only_u BEFORE UPDATE ON rulebases
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS rulebases_append_only_d BEFORE DELETE ON rulebases
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
"""


def provision_hashes(rb: object, day: dt.date) -> dict[str, str]:
    """sha256 of each provision's rule blocks in force on `day` (text and window)."""
    parts: dict[str, hashlib._Hash] = {}
    for b in rb.blocks_on(day):  # type: ignore[attr-defined]
        h = parts.setdefault(b.provision_id, hashlib.sha256())
        h.update(f"\0{b.window}\0{b.text}".encode())
    return {pid: h.hexdigest() for pid, h in sorted(parts.items())}


def _cited(step: Step, out: set[str]) -> set[str]:
    if step.rule is not None:
        out.add(step.rule.provision.id)
    for child in step.children:
        _cited(child, out)
    return out


def answer_of(d: Determination) -> dict:
    """What the log keeps of one determination."""
    return {
        "status": d.status,
        "constitutional": d.constitutional,
        "lawful": [b.provision.id for b in d.bases if b.lawful == "true"],
        "provisions": sorted(_cited(d.explanation, set()) | {b.provision.id for b in d.bases}),
    }


class DecisionLog:
    """An append-only SQLite decision log, safe to share between threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._known: set[str] = set()
        try:
            self.db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{path}: cannot use as a decision log ({exc})") from None

    def record(self, rb: object, scenario: Scenario, result: Assessment, source: str) -> None:
        """Append one assessment."""
        rb_hash = result.rulebase.hash
        facts = {f: v for f, v in sorted(scenario.facts.items()) if v is not None}
        row = (
            dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            source,
            result.rulebase.version,
            rb_hash,
            result.date.isoformat(),
            json.dumps({"title": scenario.title, "facts": facts}, ensure_ascii=False),
            json.dumps([d.action for d in result.determinations]),
            json.dumps({d.action: answer_of(d) for d in result.determinations}, ensure_ascii=False),
        )
        with self._lock:
            if rb_hash not in self._known:
                self.db.execute(
                    "INSERT OR IGNORE INTO rulebases VALUES (?, ?, ?)",
                    (rb_hash, result.rulebase.version, json.dumps(provision_hashes(rb, result.date))),
                )
                self._known.add(rb_hash)
            self.db.execute(
                "INSERT INTO decisions (logged_at, source, version, rulebase, date, scenario, actions, answer) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )

    def close(self) -> None:
        self.db.close()


@dataclass
class Difference:
    """One logged answer that the current rule base gives differently."""

    decision: int
    logged_at: str
    date: str
    scenario: str
    action: str
    was: dict
    now: dict
    changed: list[dict] = field(default_factory=list)  # provision, change
    traced: bool = True  # False when no changed provision bears on this action


@dataclass
class Replay:
    decisions: int = 0
    answers: int = 0
    same: int = 0
    differences: list[Difference] = field(default_factory=list)
    old_rulebases: list[str] = field(default_factory=list)


def _changes(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    out = {}
    for pid in sorted(set(old) | set(new)):
        if pid not in new:
            out[pid] = "no rules in force now"
        elif pid not in old:
            out[pid] = "rules in force now, none then"
        elif old[pid] != new[pid]:
            out[pid] = "rules changed"
    return out


def replay(engine: object, path: Path) -> Replay:
    """Assess every logged decision again with `engine`'s rule base; report differences."""
    if not path.is_file():
        raise InputError(f"{path}: no such decision log")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        rulebases = {h: json.loads(p) for h, p in db.execute("SELECT hash, provisions FROM rulebases")}
        rows = db.execute(
            "SELECT id, logged_at, rulebase, date, scenario, actions, answer FROM decisions ORDER BY id"
        ).fetchall()
    except (sqlite3.DatabaseError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a decision log ({exc})") from None
    rb = engine.rb  # type: ignore[attr-defined]
    known = set(rb.vocabulary.facts)
    report = Replay()
    now_hashes: dict[str, dict[str, str]] = {}
    for decision, logged_at, rb_hash, day_text, scenario_json, actions_json, answer_json in rows:
        report.decisions += 1
        try:
            day = dt.date.fromisoformat(day_text)
            data = json.loads(scenario_json)
            actions = json.loads(actions_json)
            was_all = json.loads(answer_json)
            title, logged_facts = data["title"], data["facts"]
            if not (
                isinstance(title, str)
                and isinstance(logged_facts, dict)
                and all(isinstance(v, bool) for v in logged_facts.values())
                and isinstance(actions, list)
                and all(isinstance(a, str) for a in actions)
                and isinstance(was_all, dict)
                and all(isinstance(v, dict) for v in was_all.values())
            ):
                raise ValueError("its scenario, actions or answer do not have the logged shape")
        except (ValueError, TypeError, KeyError) as exc:
            raise InputError(f"{path}: decision {decision} is unreadable ({exc})") from None
        difference = functools.partial(
            Difference, decision=decision, logged_at=logged_at, date=day_text, scenario=title
        )
        missing = [f for f in logged_facts if f not in known] + [a for a in actions if a not in rb.vocabulary.actions]
        scenario = Scenario(title=title, facts={f: v for f, v in logged_facts.items() if f in known})
        present = [a for a in actions if a in rb.vocabulary.actions]
        result = engine.assess(scenario, day, present)  # type: ignore[attr-defined]
        if result.rulebase.hash != rb_hash and rb_hash not in report.old_rulebases:
            report.old_rulebases.append(rb_hash)
        if day_text not in now_hashes:
            now_hashes[day_text] = provision_hashes(rb, day)
        changes = _changes(rulebases.get(rb_hash, {}), now_hashes[day_text])
        for d in result.determinations:
            report.answers += 1
            was, now = was_all.get(d.action, {}), answer_of(d)
            if (was.get("status"), was.get("lawful")) == (now["status"], now["lawful"]):
                report.same += 1
                continue
            bearing = set(was.get("provisions", [])) | set(now["provisions"])
            named = [p for p in changes if p in bearing]
            changed = [{"provision": p, "change": changes[p]} for p in (named or changes)]
            report.differences.append(
                difference(action=d.action, was=was, now=now, changed=changed, traced=bool(named))
            )
        for name in missing:
            gone = [{"provision": "vocabulary", "change": f"{name!r} is no longer in the vocabulary"}]
            report.differences.append(difference(action=name if name in actions else "-", was={}, now={}, changed=gone))
    return report
