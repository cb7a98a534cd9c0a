"""Crisis playbooks: a crisis as a dated sequence of steps, each changing some facts, with
forks ("the Diet approves" / "the Diet refuses"). For every step and every action followed,
`run` answers with the engine (one `assess` per step) and says, as codes and data only:
the status, what changed since the previous step and which fact or provision changed it,
the procedure steps still required but not done and who takes each one, and the smallest
sets of next facts that would open an action still closed (the engine's minimal deciding
sets for an undecided action, its whatif search for one that is not permitted). The faces
(CLI, HTTP, library, web) render `PlaybookResult`; none of them decides anything.

The format is documented in docs/playbook-format.md; `article9 schema playbook` prints the
JSON Schema of `Playbook`."""

from __future__ import annotations

import datetime as dt
import re
import sys
import types
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NoReturn

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import __version__
from .corpus import RuleBase, suggest
from .errors import InputError, first_error
from .models import Expectation, FactValue, Scenario, Status, Tri, _valid_unicode

PLAYBOOK_SCHEMA_ID = "article9.playbook/1"
ACTORS_FILE = Path(__file__).parent / "data" / "procedure_actors.yaml"
MAX_OPENINGS = 5  # sets of next facts shown per closed action
SEARCH_SETS = 48  # deciding sets enumerated for an action that is not permitted

Reason = Literal["permitted", "depends", "unconstitutional", "no_basis", "procedure", "outside_encoded_law"]


# -- the playbook (input) ---------------------------------------------------------------
class Initial(BaseModel):
    """The situation before the first step: a scenario's facts, optionally on a date."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date | None = Field(default=None, description="default: the date of the first step")
    description: str = ""
    facts: dict[str, FactValue] = Field(default_factory=dict, description="fact name to true, false or null")


class PlaybookStep(BaseModel):
    """One event: on a date (or date-time), these facts change."""

    model_config = ConfigDict(extra="forbid")

    date: dt.datetime | dt.date = Field(description="YYYY-MM-DD, or YYYY-MM-DDTHH:MM for steps on the same day")
    label: str = Field(min_length=1)
    note: str = ""
    facts: dict[str, FactValue] = Field(
        default_factory=dict, description="facts that change: true, false or null (unknown again)"
    )
    expect: dict[str, Status | Expectation] = Field(
        default_factory=dict, description="expected answer per action after this step"
    )
    branches: list[PlaybookBranch] = Field(
        default_factory=list, description="a fork after this step; only the last step of a list may fork"
    )

    @field_validator("label", "note", "facts")
    @classmethod
    def _unicode(cls, value: Any) -> Any:
        _valid_unicode([value] if isinstance(value, str) else value or [])
        return value

    @property
    def day(self) -> dt.date:
        return self.date.date() if isinstance(self.date, dt.datetime) else self.date

    @property
    def time(self) -> dt.time | None:
        return self.date.time() if isinstance(self.date, dt.datetime) else None


class PlaybookBranch(BaseModel):
    """One way a fork can go, with the steps that follow it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_-]+$")
    label: str = ""
    steps: list[PlaybookStep] = Field(min_length=1)


class Playbook(BaseModel):
    """A crisis: the actions to follow, the situation at the start, the steps, and
    optionally a fork after the last step (`branches`)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    description: str = ""
    source: str | None = Field(default=None, description="where the expected statuses come from")
    actions: list[str] = Field(min_length=1)
    initial: Initial = Field(default_factory=Initial)
    steps: list[PlaybookStep] = Field(default_factory=list)
    branches: list[PlaybookBranch] = Field(default_factory=list, description="a fork after the last step")

    @field_validator("title", "description", "source", "actions")
    @classmethod
    def _unicode(cls, value: Any) -> Any:
        _valid_unicode([value] if isinstance(value, str) else value or [])
        return value


PlaybookStep.model_rebuild()


# -- the result (output): codes and data, no words --------------------------------------
class LawChange(BaseModel):
    """A provision whose rules in force differ between the previous step's date and this one's."""

    provision: str
    started: list[dt.date] = Field(default_factory=list, description="its blocks that came into force in between")
    ended: list[dt.date] = Field(default_factory=list, description="last days of its blocks that ended in between")


class Pending(BaseModel):
    """A procedure step a live basis requires that is not (known to be) done."""

    step: str = Field(description="procedure id (vocabulary)")
    actor: str = Field(description="who takes it: prime_minister, cabinet, nsc, diet, minister_of_defense, ...")
    basis: str = Field(description="the provision that requires it")
    required: Tri
    done: Tri


class Opening(BaseModel):
    """Facts that, set to these values on this date, would make the action permitted."""

    facts: dict[str, bool]


class Cause(BaseModel):
    facts: dict[str, FactValue] = Field(
        default_factory=dict, description="facts this step changed that the action's rules read"
    )
    provisions: list[LawChange] = Field(default_factory=list, description="provisions whose dated change bears on it")


class Cell(BaseModel):
    """One action after one step."""

    action: str
    status: Status
    reason: Reason = Field(
        description="why: permitted; depends; not permitted as unconstitutional, no_basis or procedure; "
        "or outside_encoded_law (no lawful basis, and no closure claim: status no_encoded_basis)"
    )
    constitutional: Tri
    bases: list[str] = Field(
        description="provisions under which it is lawful; when none is, those under which it may be ('depends')"
    )
    authorising: list[str] = Field(description="provisions in force whose conditions are met or open")
    depends_on: list[str] = Field(default_factory=list)
    pending: list[Pending] = Field(default_factory=list)
    opens: list[Opening] = Field(default_factory=list, description="smallest next facts that would open it")
    opens_by: Literal["none", "permitted_if", "changes"] = Field(
        default="none",
        description="permitted_if: sets of unknown facts (the engine's minimal deciding sets); "
        "changes (not_permitted, no_encoded_basis): fewest facts to set or change, known ones included",
    )
    opens_complete: bool = True
    previous: Status | None = Field(default=None, description="status after the previous step")
    changed: list[Literal["status", "bases", "constitutional", "pending"]] = Field(default_factory=list)
    cause: Cause | None = None
    expected: Status | None = None
    expect_met: bool | None = None


class StepResult(BaseModel):
    id: str = Field(description="'0' for the start; '1', '2', ...; in a branch 'STEP/BRANCH/N'")
    date: dt.date
    time: dt.time | None = None
    label: str
    note: str = ""
    set: dict[str, FactValue] = Field(default_factory=dict, description="facts this step changed")
    facts: dict[str, bool] = Field(description="every known fact after this step (unknown facts left out)")
    rulebase: str = Field(description="content hash of the rule base on this date")
    law_changes: list[LawChange] = Field(default_factory=list, description="provisions bearing on the actions")
    cells: list[Cell]
    mismatches: list[str] = Field(default_factory=list, description="expectations not met")
    branches: list[BranchResult] = Field(default_factory=list)


class BranchResult(BaseModel):
    name: str
    label: str = ""
    steps: list[StepResult]


class PlaybookResult(BaseModel):
    schema_id: str = Field(default=PLAYBOOK_SCHEMA_ID, alias="schema")
    title: str
    source: str | None = None
    version: str
    actions: list[str]
    start: StepResult = Field(description="the initial situation, on its date")
    steps: list[StepResult]
    branches: list[BranchResult] = Field(default_factory=list)

    model_config = ConfigDict(populate_by_name=True)

    def walk(self) -> list[StepResult]:
        """Every step of the tree, depth first (the start first)."""
        out: list[StepResult] = []

        def go(steps: list[StepResult], branches: list[BranchResult]) -> None:
            for s in steps:
                out.append(s)
                for b in s.branches:
                    go(b.steps, [])
            for b in branches:
                go(b.steps, [])

        out.append(self.start)
        go(self.steps, self.branches)
        return out

    def step(self, step_id: str) -> StepResult:
        for s in self.walk():
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    @property
    def mismatches(self) -> list[str]:
        return [f"step {s.id}: {m}" for s in self.walk() for m in s.mismatches]


StepResult.model_rebuild()


# -- who takes each procedure step --------------------------------------------------------
@lru_cache(maxsize=1)
def actor_table() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """(procedure id -> actor code, actor code -> labels) from data/procedure_actors.yaml."""
    data = yaml.safe_load(ACTORS_FILE.read_text(encoding="utf-8"))
    return dict(data["procedures"]), dict(data["actors"])


def actor_of(step: str) -> str:
    return actor_table()[0].get(step, "unassigned")


# -- reading and checking a playbook -----------------------------------------------------
_DATETIME = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:[T ](\d{1,2}):(\d{2})(?::00)?)?\s*$")
_TOP_KEYS = ["title", "description", "source", "actions", "initial", "steps", "branches"]
_STEP_KEYS = ["date", "label", "note", "facts", "expect", "branches"]


def load_playbook(path: Path, rb: RuleBase) -> Playbook:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    return load_playbook_text(text, rb, str(path))


def load_playbook_text(text: str, rb: RuleBase, name: str = "<playbook>") -> Playbook:
    """Parse YAML (or JSON) with the scenario reader, which keeps each key's line."""
    from .scenario import read_yaml

    data, key_lines = read_yaml(text, name)
    return playbook_from_data(data, rb, name, key_lines)


def check_playbook(pb: Playbook, rb: RuleBase) -> Playbook:
    """Check a Playbook built in code or received over HTTP (no lines to name)."""
    return playbook_from_data(pb.model_dump(mode="json", exclude_defaults=True), rb, "playbook")


class _Checker:
    def __init__(self, rb: RuleBase, name: str, key_lines: dict) -> None:
        self.rb, self.name, self.key_lines = rb, name, key_lines

    def line(self, mapping: Any, key: Any = None) -> str:
        lines = self.key_lines.get(id(mapping), {})
        if key is None:
            return str(min(lines.values())) if lines else "?"
        return str(lines.get(key, "?"))

    def fail(self, line: str, message: str) -> NoReturn:
        where = f"{self.name}:{line}" if line != "?" else self.name
        raise InputError(f"{where}: {message}")

    def unknown_keys(self, data: dict, allowed: list[str], what: str) -> None:
        for key in data:
            if key not in allowed:
                self.fail(self.line(data, key), f"{what}unknown key {str(key)!r}{suggest(str(key), allowed)}")

    def facts(self, facts: Any, where: str, line: str) -> dict[str, bool | None]:
        from .scenario import _fact_value

        if facts is None:
            return {}
        if not isinstance(facts, dict):
            self.fail(line, f"{where}'facts' must map fact names to true, false or unknown")
        out: dict[str, bool | None] = {}
        v = self.rb.vocabulary
        for key, value in facts.items():
            fname, fline = str(key), self.line(facts, key)
            if fname not in v.facts:
                self.fail(fline, f"{where}unknown fact {fname!r}{suggest(fname, v.facts)}; see 'article9 vocab'")
            try:
                out[fname] = _fact_value(fname, value, fline)
            except InputError as exc:
                self.fail(fline, f"{where}{exc.message.split(': ', 1)[-1]}")
        return out

    def when(self, value: Any, where: str, line: str) -> dt.date | dt.datetime:
        from .engine import check_date

        if isinstance(value, dt.datetime):
            value = value.strftime("%Y-%m-%dT%H:%M")
        m = _DATETIME.match(str(value)) if isinstance(value, str | dt.date) else None
        try:
            day = dt.date.fromisoformat(m.group(1)) if m else None
        except ValueError:
            day = None
        if day is None:
            self.fail(line, f"{where}date {value!r} is not a date (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM)")
        try:
            check_date(day)
        except InputError as exc:
            self.fail(line, f"{where}{exc.message}")
        if m.group(2) is None:
            return day
        hour, minute = int(m.group(2)), int(m.group(3))
        if hour > 23 or minute > 59:
            self.fail(line, f"{where}time {hour}:{minute:02d} is not a time of day")
        return dt.datetime.combine(day, dt.time(hour, minute))


def _key(when: dt.date | dt.datetime) -> tuple[dt.date, dt.time | None]:
    return (when.date(), when.time()) if isinstance(when, dt.datetime) else (when, None)


def _before(a: dt.date | dt.datetime, b: dt.date | dt.datetime) -> bool:
    """a comes strictly before b: an earlier day, or the same day at an earlier time."""
    (da, ta), (db, tb) = _key(a), _key(b)
    return da < db or (da == db and ta is not None and tb is not None and ta < tb)


def playbook_from_data(data: Any, rb: RuleBase, name: str = "<playbook>", key_lines: dict | None = None) -> Playbook:
    """Validate a parsed playbook: the initial situation with the scenario reader; every step
    in date order, each changing something (a fact, or the law in force), every fact and
    action in the vocabulary. Each error names the step and the line."""
    from .scenario import scenario_from_data

    c = _Checker(rb, name, key_lines or {})
    v = rb.vocabulary
    if not isinstance(data, dict):
        c.fail("?", "a playbook is a mapping with 'title', 'actions', 'initial' and 'steps'")
    c.unknown_keys(data, _TOP_KEYS, "")
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        c.fail("?", "'title' is required: a line of text naming the crisis")
    actions = data.get("actions")
    if not isinstance(actions, list) or not actions:
        c.fail(c.line(data, "actions"), "'actions' must list the actions to follow (see 'article9 vocab')")
    for a in actions:
        if str(a) not in v.actions:
            c.fail(
                c.line(data, "actions"), f"unknown action {str(a)!r}{suggest(str(a), v.actions)}; see 'article9 vocab'"
            )
    twice = sorted({str(a) for a in actions if actions.count(a) > 1})
    if twice:
        c.fail(c.line(data, "actions"), f"action {twice[0]!r} is listed twice in 'actions'")
    initial = data.get("initial") or {}
    if not isinstance(initial, dict):
        c.fail(c.line(data, "initial"), "'initial' is a mapping with 'facts' (and optionally 'date', 'description')")
    c.unknown_keys(initial, ["date", "description", "facts"], "initial: ")
    start = scenario_from_data(
        {"title": data["title"], "facts": initial.get("facts") or {}}, rb, name, key_lines
    ).facts  # the scenario reader's checks and messages
    start_when = c.when(initial["date"], "initial: ", c.line(initial, "date")) if "date" in initial else None
    steps_in = data.get("steps") or []
    if not isinstance(steps_in, list):
        c.fail(c.line(data, "steps"), "'steps' must be a list of steps")
    if not steps_in and not data.get("branches"):
        c.fail(c.line(data, "steps"), "a playbook needs at least one step (or 'branches')")

    def steps(items: Any, prefix: str, facts: dict, when: Any, law: str | None, line: str) -> list[dict]:
        if not isinstance(items, list) or not items:
            c.fail(line, f"{prefix or 'steps'}: a list of at least one step is expected")
        out = []
        for i, raw in enumerate(items, 1):
            sid = f"{prefix}{i}"
            if not isinstance(raw, dict):
                c.fail(line, f"step {sid}: a step is a mapping with 'date', 'label' and 'facts'")
            sline = c.line(raw)
            label = raw.get("label")
            where = f"step {sid} ({label!r}): " if isinstance(label, str) and label else f"step {sid}: "
            c.unknown_keys(raw, _STEP_KEYS, where)
            if not isinstance(label, str) or not label.strip():
                c.fail(sline, f"{where}'label' is required: what happens at this step")
            if "date" not in raw:
                c.fail(sline, f"{where}'date' is required (YYYY-MM-DD or YYYY-MM-DDTHH:MM)")
            at = c.when(raw["date"], where, c.line(raw, "date"))
            if when is not None and _before(at, when):
                c.fail(
                    c.line(raw, "date"),
                    f"{where}steps out of order: {_show(at)} is before the previous step's {_show(when)}",
                )
            changes = c.facts(raw.get("facts"), where, c.line(raw, "facts"))
            new = {f: val for f, val in changes.items() if facts.get(f) != val}
            day_law = rb.content_hash(_key(at)[0])
            forks = raw.get("branches")
            if i < len(items) and forks:
                c.fail(c.line(raw, "branches"), f"{where}only the last step of a list may fork into branches")
            if not new and day_law == law and not forks:
                c.fail(
                    sline, f"{where}changes nothing: every fact it sets already has that value and the law is the same"
                )
            expect = raw.get("expect") or {}
            if not isinstance(expect, dict):
                c.fail(c.line(raw, "expect"), f"{where}'expect' maps actions to statuses")
            for a, e in expect.items():
                if str(a) not in actions:
                    hint = suggest(str(a), actions) or " (not in 'actions')"
                    c.fail(c.line(expect, a), f"{where}expectation for {str(a)!r}, which is not followed{hint}")
                try:
                    Expectation.model_validate({"status": e} if isinstance(e, str) else e)
                except ValidationError as exc:
                    c.fail(c.line(expect, a), f"{where}expectation for {str(a)!r}: {first_error(exc)}")
            facts = {**facts, **changes}
            step = {**{k: raw[k] for k in ("label", "note") if k in raw}, "date": at, "facts": changes}
            step["expect"] = {str(a): e for a, e in expect.items()}
            if forks:
                step["branches"] = branches(forks, f"{sid}/", facts, at, day_law, c.line(raw, "branches"), where)
            out.append(step)
            when, law = at, day_law
        return out

    def branches(
        items: Any, prefix: str, facts: dict, when: Any, law: str | None, line: str, where: str = "branches: "
    ) -> list[dict]:
        if not isinstance(items, list) or len(items) < 2:
            c.fail(line, f"{where}a fork lists at least two branches, each with 'name' and 'steps'")
        out, seen = [], set()
        for raw in items:
            if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
                c.fail(line, "a branch is a mapping with 'name', optional 'label', and 'steps'")
            c.unknown_keys(raw, ["name", "label", "steps"], f"branch {raw['name']!r}: ")
            if not re.fullmatch(r"[A-Za-z0-9_-]+", raw["name"]):
                c.fail(c.line(raw, "name"), f"branch {raw['name']!r}: a name is letters, digits, '-' and '_'")
            if raw["name"] in seen:
                c.fail(c.line(raw, "name"), f"branch {raw['name']!r} is named twice")
            seen.add(raw["name"])
            out.append(
                {
                    **{k: raw[k] for k in ("name", "label") if k in raw},
                    "steps": steps(
                        raw.get("steps"), f"{prefix}{raw['name']}/", facts, when, law, c.line(raw, "steps") or line
                    ),
                }
            )
        return out

    first_law = rb.content_hash(_key(start_when)[0]) if start_when is not None else None
    payload: dict[str, Any] = {
        **{k: data[k] for k in ("title", "description", "source") if k in data},
        "actions": [str(a) for a in actions],
        "initial": {**{k: initial[k] for k in ("description",) if k in initial}, "facts": start},
    }
    if start_when is not None:
        payload["initial"]["date"] = _key(start_when)[0]
    law = first_law
    if law is None and steps_in:  # no start date: the start is on the first step's date
        first = steps_in[0] if isinstance(steps_in[0], dict) else {}
        if "date" in first:
            law = rb.content_hash(_key(c.when(first["date"], "step 1: ", c.line(first, "date")))[0])
    payload["steps"] = steps(steps_in, "", dict(start), start_when, law, c.line(data, "steps")) if steps_in else []
    if data.get("branches"):
        facts = dict(start)
        for s in payload["steps"]:
            facts.update(s["facts"])
        if payload["steps"] and payload["steps"][-1].get("branches"):
            c.fail(c.line(data, "branches"), "the last step forks already; 'branches' at the top would fork twice")
        last = payload["steps"][-1]["date"] if payload["steps"] else start_when
        law = rb.content_hash(_key(last)[0]) if last is not None else None
        payload["branches"] = branches(data["branches"], "", facts, last, law, c.line(data, "branches"))
    try:
        return Playbook.model_validate(payload)
    except ValidationError as exc:
        raise InputError(f"{name}: {first_error(exc)}") from None


def _show(when: dt.date | dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M") if isinstance(when, dt.datetime) else when.isoformat()


# -- running a playbook -------------------------------------------------------------------
def _law_changes(engine: Any, d1: dt.date, d2: dt.date, pids: list[str]) -> list[LawChange]:
    out = []
    for pid in pids:
        blocks = engine.rb.provisions[pid].blocks
        out.append(
            LawChange(
                provision=pid,
                started=sorted({b.start for b in blocks if d1 < b.start <= d2}),
                ended=sorted({b.end for b in blocks if d1 <= b.end < d2}),
            )
        )
    return out


class _Runner:
    def __init__(self, engine: Any, pb: Playbook) -> None:
        self.engine, self.pb = engine, pb

    def assess(self, facts: dict[str, bool | None], day: dt.date, prev: tuple | None = None) -> tuple[Any, dict]:
        """The assessment of the followed actions after a step, and the cells it can reuse:
        an action's determination is a function of the date's program and the values of the
        facts its rules can read (its cone), so an action whose cone no fact of this step
        touched, on a date with the same rule base, keeps the previous step's answer."""
        from .models import Assessment

        e = self.engine
        keep: dict[str, tuple[Any, Cell]] = {}
        if prev is not None and e.rb.content_hash(prev[0]) == e.rb.content_hash(day):
            p_day, p_facts, p_result, p_step = prev
            prog = e.program(day)
            for det, p_cell in zip(p_result.determinations, p_step.cells, strict=True):
                cone = prog.cone_facts(det.action, e.candidate_bases(det.action))
                if all(facts.get(f) == p_facts.get(f) for f in cone):
                    keep[det.action] = (det, p_cell)
        todo = [a for a in self.pb.actions if a not in keep]
        fresh = e.assess(Scenario(title=self.pb.title, facts=facts), day, todo).determinations if todo else []
        by_action = {d.action: d for d in fresh} | {a: d for a, (d, _) in keep.items()}
        result = Assessment(
            date=day,
            scenario=self.pb.title,
            rulebase=e.info(day),
            facts={f: "unknown" if facts.get(f) is None else str(facts[f]).lower() for f in e.rb.vocabulary.facts},
            determinations=[by_action[a] for a in self.pb.actions],
        )
        return result, {a: c for a, (_, c) in keep.items()}

    def cell(self, det: Any, facts: dict, day: dt.date) -> Cell:
        live = [b for b in det.bases if b.in_force and b.lawful == "true"] or [
            b for b in det.bases if b.in_force and b.lawful == "unknown"
        ]
        authorising = [b for b in det.bases if b.in_force and b.authorises in ("true", "unknown")]
        if det.status == "permitted":
            reason: Reason = "permitted"
        elif det.status == "depends":
            reason = "depends"
        elif det.status == "no_encoded_basis":
            reason = "outside_encoded_law"
        elif det.constitutional == "false":
            reason = "unconstitutional"
        elif not authorising:
            reason = "no_basis"
        else:
            reason = "procedure"
        pending = [
            Pending(step=p.step, actor=actor_of(p.step), basis=b.provision.id, required=p.required, done=p.done)
            for b in (authorising if det.status != "permitted" else [])
            for p in b.procedure
            if p.required != "false" and p.done != "true"
        ]
        cell = Cell(
            action=det.action,
            status=det.status,
            reason=reason,
            constitutional=det.constitutional,
            bases=[b.provision.id for b in live],
            authorising=[b.provision.id for b in authorising],
            depends_on=[d.fact for d in det.depends_on],
            pending=pending,
        )
        if det.status == "depends":
            cell.opens = [Opening(facts=s) for s in sorted(det.permitted_if, key=len)[:MAX_OPENINGS]]
            cell.opens_by = "permitted_if"
            cell.opens_complete = det.sets_complete and len(det.permitted_if) <= MAX_OPENINGS
        else:  # not permitted, or outside the encoded law: the fewest facts that would make it permitted
            cell.opens, cell.opens_complete = self.openings(det.action, facts, day)
            cell.opens_by = "changes"
        return cell

    def openings(self, action: str, facts: dict[str, bool | None], day: dt.date) -> tuple[list[Opening], bool]:
        """The fewest facts to set (or change) on `day` that make `action` permitted whatever
        the other unknown facts are: the minimal deciding sets of the action's cone with
        every fact in the cone treated as open, each reduced to the values that differ
        from the current ones, fewest first. Exact when the search is complete."""
        from .program import _fn
        from .reasoning import minimal_sets

        prog = self.engine.program(day)
        cone = list(prog.cone_facts(action, self.engine.candidate_bases(action)))
        open_facts = {f: v for f, v in facts.items() if f not in cone}
        sets, complete = minimal_sets(prog, open_facts, cone, _fn("permitted", action), True, limit=SEARCH_SETS)
        changes: list[dict[str, bool]] = []
        for one in sets:
            change = {f: v for f, v in one.items() if facts.get(f) != v}
            if change and change not in changes:
                changes.append(change)
        changes.sort(key=lambda c: (len(c), sorted(c.items())))
        fewest = [c for c in changes if len(c) == len(changes[0])] if changes else []
        return [Opening(facts=c) for c in fewest[:MAX_OPENINGS]], complete and len(fewest) <= MAX_OPENINGS

    def step(
        self,
        sid: str,
        when: dt.date | dt.datetime,
        label: str,
        note: str,
        changes: dict[str, bool | None],
        facts: dict[str, bool | None],
        expect: dict[str, Status | Expectation],
        prev: tuple[dt.date, dict[str, bool | None], Any, StepResult] | None,
    ) -> tuple[StepResult, Any]:
        from .expect import mismatches

        day, time = _key(when)
        result, kept = self.assess(facts, day, prev)
        cells = [
            kept[d.action].model_copy(update={"changed": [], "cause": None, "expected": None, "expect_met": None})
            if d.action in kept
            else self.cell(d, facts, day)
            for d in result.determinations
        ]
        law: dict[str, LawChange] = {}
        if prev is not None:
            p_day, p_facts, p_result, p_step = prev
            same_law = self.engine.rb.content_hash(p_day) == result.rulebase.hash
            set_now = {f: val for f, val in facts.items() if p_facts.get(f) != val}
            set_now.update({f: None for f, val in p_facts.items() if val is not None and facts.get(f) is None})
            for cell, det, p_det, p_cell in zip(
                cells, result.determinations, p_result.determinations, p_step.cells, strict=True
            ):
                cell.previous = p_cell.status
                cell.changed = [
                    what
                    for what, a, b in (
                        ("status", p_cell.status, cell.status),
                        ("bases", p_cell.bases, cell.bases),
                        ("constitutional", p_cell.constitutional, cell.constitutional),
                        (
                            "pending",
                            [(p.step, p.done) for p in p_cell.pending],
                            [(p.step, p.done) for p in cell.pending],
                        ),
                    )
                    if a != b
                ]
                if not cell.changed:
                    continue
                cone = set()
                for d in (p_day, day):
                    prog = self.engine.program(d)
                    cone |= set(prog.cone_facts(det.action, self.engine.candidate_bases(det.action)))
                provisions = []
                if not same_law:
                    first, last = sorted((p_day, day))
                    pids = [pc.provision.id for pc in self.engine._changed(first, last, p_det, det)]  # noqa: SLF001
                    provisions = _law_changes(self.engine, first, last, pids)
                    law.update({lc.provision: lc for lc in provisions})
                cell.cause = Cause(facts={f: val for f, val in set_now.items() if f in cone}, provisions=provisions)
        problems: list[str] = []
        if expect:
            wanted = {a: Expectation(status=e) if isinstance(e, str) else e for a, e in expect.items()}
            problems = mismatches(result, wanted)
            for cell in cells:
                if cell.action in wanted:
                    cell.expected = wanted[cell.action].status
                    cell.expect_met = not any(m.startswith(f"{day.isoformat()} {cell.action}:") for m in problems)
        step = StepResult(
            id=sid,
            date=day,
            time=time,
            label=label,
            note=note,
            set=changes,
            facts={f: val for f, val in facts.items() if val is not None},
            rulebase=result.rulebase.hash,
            law_changes=sorted(law.values(), key=lambda lc: lc.provision),
            cells=cells,
            mismatches=problems,
        )
        return step, result

    def line(
        self, steps: list[PlaybookStep], prefix: str, prev: tuple, facts: dict[str, bool | None]
    ) -> tuple[list[StepResult], tuple, dict[str, bool | None]]:
        """The steps of one line, each against the one before; returns them, the last step's
        state and its facts."""
        out = []
        for i, s in enumerate(steps, 1):
            sid = f"{prefix}{i}"
            facts = {**facts, **s.facts}
            step, result = self.step(sid, s.date, s.label, s.note, dict(s.facts), facts, s.expect, prev)
            prev = (s.day, facts, result, step)
            step.branches = self.fork(s.branches, f"{sid}/", prev, facts)
            out.append(step)
        return out, prev, facts

    def fork(self, branches: list[PlaybookBranch], prefix: str, prev: tuple, facts: dict) -> list[BranchResult]:
        return [
            BranchResult(name=b.name, label=b.label, steps=self.line(b.steps, f"{prefix}{b.name}/", prev, facts)[0])
            for b in branches
        ]


def run(engine: Any, pb: Playbook) -> PlaybookResult:
    """Answer every step of a checked playbook (see `playbook_from_data`/`check_playbook`)."""
    r = _Runner(engine, pb)
    first = pb.steps[0].date if pb.steps else pb.branches[0].steps[0].date
    start_day = pb.initial.date or _key(first)[0]
    facts = dict(pb.initial.facts)
    start, result = r.step("0", start_day, "start", pb.initial.description, {}, facts, {}, None)
    prev = (start_day, facts, result, start)
    steps, prev, facts = r.line(pb.steps, "", prev, facts)
    branches = r.fork(pb.branches, "", prev, facts)
    return PlaybookResult(
        title=pb.title,
        source=pb.source,
        version=__version__,
        actions=pb.actions,
        start=start,
        steps=steps,
        branches=branches,
    )


def count_steps(pb: Playbook) -> int:
    """Every step of the tree (a service limit counts them)."""

    def n(steps: list[PlaybookStep], branches: list[PlaybookBranch]) -> int:
        return sum(1 + n([], s.branches) for s in steps) + sum(n(b.steps, []) for b in branches)

    return n(pb.steps, pb.branches)


class _CallableModule(types.ModuleType):
    """`article9.playbook` is this module once it is imported; calling it is the library call
    `article9.library.playbook(...)`, so `article9.playbook(path)` works either way."""

    def __call__(self, *args: Any, **kwargs: Any) -> PlaybookResult:
        from .library import playbook

        return playbook(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
