"""How far the encoded law reaches: the date up to which it is encoded, its known gaps and
the fact combinations that contradict each other, read once from the law folder's
reach.yaml and checked against the rule base. No law logic here beyond matching dates,
actions and provisions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import RuleBaseError, first_error
from .vocab import Text

REACH_FILE = "reach.yaml"


class GapData(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    id: str
    title: Text
    from_date: dt.date = Field(alias="from")
    to_date: dt.date | None = Field(default=None, alias="to")
    provisions: list[str] = Field(default_factory=list)
    actions: list[str] | Literal["all"] = Field(default_factory=list)
    until_blocks_of: str | None = Field(
        default=None,
        description="the gap ends the day before this provision's first block from the gap's start on: "
        "encoding the missing version closes the gap by itself",
    )
    note: Text
    source: str

    @property
    def window(self) -> str:
        return f"{self.from_date.isoformat()}..{self.to_date.isoformat() if self.to_date else ''}"

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        return self.from_date <= last and (self.to_date is None or first <= self.to_date)


class Constraint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    facts: dict[str, bool]
    note: Text


class ReachData(BaseModel):
    model_config = ConfigDict(extra="forbid")
    encoded_to: dt.date | None = None
    encoded_to_note: Text | None = None
    gaps: list[GapData] = Field(default_factory=list)
    constraints: list[Constraint] = Field(default_factory=list)


def load_reach(law_dir: Path, provisions: dict, vocabulary: object) -> tuple[ReachData, str]:
    """The folder's reach.yaml (empty when there is none), checked against the rule base."""
    path = law_dir / REACH_FILE
    if not path.is_file():
        return ReachData(), ""
    text = path.read_text(encoding="utf-8")
    try:
        data = ReachData.model_validate(yaml.safe_load(text) or {})
    except yaml.YAMLError as exc:
        raise RuleBaseError(f"{path}: invalid YAML: {exc}") from None
    except ValidationError as exc:
        raise RuleBaseError(f"{path}: {first_error(exc)}") from None
    facts = vocabulary.facts  # type: ignore[attr-defined]
    actions = vocabulary.actions  # type: ignore[attr-defined]
    seen: set[str] = set()
    for gap in data.gaps:
        if gap.id in seen:
            raise RuleBaseError(f"{path}: gap id '{gap.id}' is used twice")
        seen.add(gap.id)
        for pid in gap.provisions:
            if pid not in provisions:
                raise RuleBaseError(f"{path}: gap '{gap.id}' names '{pid}', which is not a provision id")
        for a in [] if gap.actions == "all" else gap.actions:
            if a not in actions:
                raise RuleBaseError(f"{path}: gap '{gap.id}' names '{a}', which is not an action")
        if gap.until_blocks_of is not None:
            if gap.until_blocks_of not in provisions:
                raise RuleBaseError(
                    f"{path}: gap '{gap.id}' names '{gap.until_blocks_of}', which is not a provision id"
                )
            starts = [b.start for b in provisions[gap.until_blocks_of].blocks if b.start >= gap.from_date]
            if starts:
                end = min(starts) - dt.timedelta(days=1)
                gap.to_date = end if gap.to_date is None else min(gap.to_date, end)
        if gap.to_date is not None and gap.to_date < gap.from_date:
            raise RuleBaseError(f"{path}: gap '{gap.id}' ends before it starts")
    for c in data.constraints:
        for f in c.facts:
            if f not in facts:
                raise RuleBaseError(f"{path}: constraint '{c.id}' names '{f}', which is not a fact")
    return data, text


def check_consistent(constraints: list[Constraint], facts: dict[str, bool | None], where: str = "") -> None:
    """Refuse facts that contradict each other: an InputError naming the facts and why."""
    from .errors import InputError

    bad = violated(constraints, facts)
    if bad:
        raise InputError(f"{where}{contradiction_text(bad[0])}")


def contradiction_text(c: Constraint) -> str:
    values = ", ".join(f"{f} = {'true' if v else 'false'}" for f, v in c.facts.items())
    return f"the facts contradict each other ({c.id}): {values}: {c.note.en}"


def violated(constraints: list[Constraint], facts: dict[str, bool | None]) -> list[Constraint]:
    """The constraints whose every fact has, in `facts`, the value the constraint names."""
    return [c for c in constraints if all(facts.get(f) is v for f, v in c.facts.items())]
