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
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, LimitError
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
"""


# Append-only: UPDATE and DELETE are refused, and so is an INSERT that would replace a row
# (INSERT OR REPLACE deletes the old row without firing DELETE triggers).
TRIGGERS = {
    f"{table}_append_only_{kind}": f"CREATE TRIGGER {table}_append_only_{kind} BEFORE {event} ON {table}"
    + (f" WHEN EXISTS (SELECT 1 FROM {table} WHERE {key} = NEW.{key})" if kind == "i" else "")
    + " BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END"
    for table, key in (("decisions", "id"), ("rulebases", "hash"))
    for kind, event in (("u", "UPDATE"), ("d", "DELETE"), ("i", "INSERT"))
}
COLUMNS = {
    "rulebases": ["hash", "version", "provisions"],
    "decisions": ["id", "logged_at", "source", "version", "rulebase", "date", "scenario", "actions", "answer"],
}
MAX_LOG_BYTES = 1024**3  # a decision log replay reads at most this much (about a million decisions)
REPLAY_SECONDS = 600.0  # and reads the file for at most this long (ARTICLE9_REPLAY_SECONDS lowers it)
MAX_FIELD = 1_000_000  # characters of one logged JSON field


def _uri(path: Path, mode: str) -> str:
    """A SQLite URI naming exactly `path` ('#' and '?' in a name are not URI syntax here)."""
    return f"file:{urllib.parse.quote(str(Path(path).absolute()))}?mode={mode}"


def _check_schema(db: sqlite3.Connection, path: Path, triggers: bool) -> None:
    """The two tables are tables (not views) with the expected columns; with `triggers`, the
    append-only triggers are the program's own (a trigger of the same name doing nothing
    is refused, not trusted)."""
    found = {name: (kind, sql) for kind, name, sql in db.execute("SELECT type, name, sql FROM sqlite_master")}
    for table, columns in COLUMNS.items():
        if table not in found:
            raise InputError(f"{path}: not a decision log (no table {table!r})")
        if found[table][0] != "table":
            raise InputError(f"{path}: not a decision log ({table!r} is a {found[table][0]}, not a table)")
        names = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
        if names != columns:
            raise InputError(f"{path}: not a decision log ({table!r} has columns {names[:12]}, not {columns})")
    if triggers:
        for name, sql in TRIGGERS.items():
            if name in found and " ".join(str(found[name][1]).replace(" IF NOT EXISTS", "").split()) != sql:
                raise InputError(f"{path}: not a decision log (trigger {name!r} is not the program's own)")


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
        # the provisions the explanation cites; an answer given without its tree: its bases and closure claims
        "provisions": sorted(
            (_cited(d.explanation, set()) if d.explanation is not None else {c.id for c in d.closure.claims})
            | {b.provision.id for b in d.bases}
        ),
    }


class DecisionLog:
    """An append-only SQLite decision log, safe to share between threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._known: set[str] = set()
        self.db = None
        try:
            self.db = sqlite3.connect(
                _uri(path, "rwc"), uri=True, timeout=30, check_same_thread=False, isolation_level=None
            )
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("BEGIN IMMEDIATE")  # one process at a time sets up a new log
            for statement in SCHEMA.split(";\n"):
                if statement.strip():
                    self.db.execute(statement)
            _check_schema(self.db, path, triggers=True)
            existing = {n for (n,) in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
            for name, sql in TRIGGERS.items():
                if name not in existing:
                    self.db.execute(sql)
            self.db.execute("COMMIT")
        except (sqlite3.DatabaseError, InputError) as exc:
            if self.db is not None:
                self.db.close()
            if isinstance(exc, InputError):
                raise
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
                    "INSERT INTO rulebases SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM rulebases WHERE hash = ?)",
                    (rb_hash, result.rulebase.version, json.dumps(provision_hashes(rb, result.date)), rb_hash),
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


def _seconds() -> float:
    import os

    try:
        return min(REPLAY_SECONDS, float(os.environ.get("ARTICLE9_REPLAY_SECONDS", REPLAY_SECONDS)))
    except ValueError:
        return REPLAY_SECONDS


def _json(text: object, what: str) -> object:
    if not isinstance(text, str) or len(text) > MAX_FIELD:
        raise ValueError(f"its {what} is not JSON text of at most {MAX_FIELD} characters")
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(f"its {what} is nested too deeply") from None


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(x, str) for x in value)


def _read_log(path: Path) -> tuple[dict[str, dict[str, str]], list[tuple]]:
    """The log's rule bases and decisions, read-only, from a checked schema, within a size
    and a time bound (a crafted file can hold a view over an endless query)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if size > MAX_LOG_BYTES:
        raise InputError(f"{path}: a decision log to replay may be at most {MAX_LOG_BYTES} bytes")
    seconds = _seconds()
    deadline = time.monotonic() + seconds
    db = None
    try:
        db = sqlite3.connect(_uri(path, "ro"), uri=True)
        db.execute("PRAGMA query_only = ON")
        db.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)
        _check_schema(db, path, triggers=False)
        rulebases: dict[str, dict[str, str]] = {}
        for h, p in db.execute("SELECT hash, provisions FROM rulebases"):
            provisions = _json(p, "rule base's provisions")
            if not (
                isinstance(h, str)
                and isinstance(provisions, dict)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in provisions.items())
            ):
                raise ValueError(f"rule base {str(h)[:16]!r} does not have the logged shape")
            rulebases[h] = provisions
        rows = db.execute(
            "SELECT id, logged_at, rulebase, date, scenario, actions, answer FROM decisions ORDER BY id"
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise LimitError(
                f"{path}: reading the decision log took longer than {seconds:g} s (ARTICLE9_REPLAY_SECONDS)"
            ) from None
        raise InputError(f"{path}: not a decision log ({exc})") from None
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise InputError(f"{path}: not a decision log ({exc})") from None
    finally:
        if db is not None:
            db.close()
    return rulebases, rows


def replay(engine: object, path: Path) -> Replay:
    """Assess every logged decision again with `engine`'s rule base; report differences."""
    if not path.is_file():
        raise InputError(f"{path}: no such decision log")
    rulebases, rows = _read_log(path)
    rb = engine.rb  # type: ignore[attr-defined]
    known = set(rb.vocabulary.facts)
    report = Replay()
    now_hashes: dict[str, dict[str, str]] = {}
    for decision, logged_at, rb_hash, day_text, scenario_json, actions_json, answer_json in rows:
        report.decisions += 1
        try:
            day = dt.date.fromisoformat(day_text)
            data = _json(scenario_json, "scenario")
            actions = _json(actions_json, "actions")
            was_all = _json(answer_json, "answer")
            title, logged_facts = data["title"], data["facts"]
            if not (
                isinstance(title, str)
                and isinstance(logged_facts, dict)
                and all(isinstance(v, bool) for v in logged_facts.values())
                and _strings(actions)
                and isinstance(was_all, dict)
                and all(
                    isinstance(v, dict)
                    and isinstance(v.get("status", ""), str)
                    and _strings(v.get("lawful", []))
                    and _strings(v.get("provisions", []))
                    for v in was_all.values()
                )
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
        try:
            from .query import assess

            result = assess(engine, scenario, [day], present)[0]  # type: ignore[arg-type]
        except InputError as exc:
            raise InputError(f"{path}: decision {decision}: {exc.message}") from None
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
