"""Pydantic models shared by the engine and every face: scenarios in, assessments out
(over 400 lines: every answer's shape, with its field descriptions for the JSON Schema)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Tri = Literal["true", "false", "unknown"]
Status = Literal["permitted", "not_permitted", "no_encoded_basis", "depends"]
FactValue = bool | None

ASSESSMENT_SCHEMA_ID = "article9.assessment/1"
_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_unicode(texts: Any) -> None:
    """Refuse lone surrogates (e.g. JSON "\\ud800"): text that cannot be written as UTF-8
    would fail only later, when the answer is printed or sent."""
    for text in texts:
        if isinstance(text, str) and _SURROGATE.search(text):
            raise ValueError("text must be valid Unicode (found a lone surrogate, e.g. an escaped \\ud800)")


class Expectation(BaseModel):
    """What a scenario file says the answer for one action on one date must be."""

    model_config = ConfigDict(extra="forbid")

    status: Status
    basis: str | None = Field(default=None, description="Citation id of a provision that must be a lawful basis.")
    depends_on: list[str] = Field(
        default_factory=list,
        description="Fact names that must be among those the answer depends on.",
    )


class Scenario(BaseModel):
    """A described situation: facts (true, false or unknown) and, optionally, dates,
    actions to ask about and expected answers. Facts not listed are unknown."""

    model_config = ConfigDict(extra="forbid")

    title: str
    description: str = ""
    source: str | None = Field(
        default=None, description="Where the expected answers come from (required in scenarios/)."
    )
    dates: list[dt.date] = Field(default_factory=list)
    actions: list[str] = Field(default_factory=list, description="Actions to assess; empty means every action.")
    facts: dict[str, FactValue] = Field(default_factory=dict, description="Fact name to true, false or null (unknown).")
    expect: dict[dt.date, dict[str, Expectation]] = Field(default_factory=dict)

    @field_validator("title", "description", "source", "actions", "facts")
    @classmethod
    def _text_is_unicode(cls, value: Any) -> Any:
        _valid_unicode([value] if isinstance(value, str) else value or [])
        return value

    @field_validator("expect")
    @classmethod
    def _expect_is_unicode(cls, value: dict[dt.date, dict[str, Expectation]]) -> Any:
        for per in value.values():
            _valid_unicode(per)
            for e in per.values():
                _valid_unicode([e.basis, *e.depends_on])
        return value


class ProvisionRef(BaseModel):
    """A pointer to a provision as shown in answers."""

    id: str = Field(description="stable provision id; it keeps today's number when the article is renumbered")
    title: str = Field(description="the provision's title with the article number it had on the date asked")
    instrument: str
    marker: Literal["V", "P", "U", "H"]  # H: hypothetical, a provision of a reform file
    article: str | None = Field(
        default=None, description="the article number on the date asked, for a provision that has been renumbered"
    )
    today: str | None = Field(
        default=None, description="the title under today's number, where it differs from the number of the date asked"
    )


class RuleRef(BaseModel):
    """The rule (and the provision it formalises) that a step of an explanation used."""

    rule_id: int
    provision: ProvisionRef
    text: str
    origin: str = Field(description="law file and line of the rule")


class Step(BaseModel):
    """One node of an explanation tree, read off the ground program the solver used."""

    atom: str
    text: str = Field(description="the atom in words (for a fact: its short label; the fact's id is in `atom`)")
    value: Tri
    negated: bool = Field(
        default=False, description="The step is the condition 'not <atom>' (holds when atom is false)."
    )
    reads: str | None = Field(
        default=None, description="for a condition 'not <atom>' on a derived atom: the condition in words"
    )
    kind: Literal["fact", "derived", "rule", "absent"]
    fact_kind: str | None = None
    rule: RuleRef | None = None
    note: str | None = None
    children: list[Step] = Field(default_factory=list)


class ProcedureStep(BaseModel):
    step: str
    label: str
    required: Tri
    done: Tri
    demanded_by: list[str] = Field(
        default_factory=list, description="provisions whose rules require this step for this basis"
    )
    defined_by: str | None = Field(default=None, description="the provision declaring what satisfies the step")


class BasisResult(BaseModel):
    """One candidate statutory basis for an action on the assessed date."""

    provision: ProvisionRef
    in_force: bool
    window: str = Field(description="the dates its rules are in force, e.g. '2016-03-29..'")
    authorises: Tri = Field(description="statutory layer: the provision's conditions are met")
    procedure: list[ProcedureStep] = Field(default_factory=list)
    lawful: Tri = Field(description="authorises and every required step is done")


class Closure(BaseModel):
    """Whether a closure claim (law/closure.md) covers the action on the date: the rule base
    says its encoded bases are the only ones the law gives. 'not_permitted' needs one;
    without one an act with no lawful basis is 'no_encoded_basis' (outside the encoded law)."""

    closed: Tri
    claims: list[ProvisionRef] = Field(
        default_factory=list, description="closure claims that cover the action (or may, for 'unknown')"
    )


class GapRef(BaseModel):
    """A known gap in the encoded law (law/reach.yaml) that an answer touches."""

    id: str
    title: str
    window: str = Field(description="the dates the gap concerns, e.g. '1954-07-01..2016-03-28'")
    note: str
    source: str
    provisions: list[str] = Field(default_factory=list)


class Reach(BaseModel):
    """How far the encoded law reaches for this answer: the date up to which it is encoded,
    whether the answer's date is later, and the known gaps it touches."""

    encoded_to: dt.date | None = Field(description="the law is encoded and checked up to this date")
    after_encoded_to: bool = Field(description="a date of the answer is later: the law is taken as unchanged since")
    warning: str | None = None
    gaps: list[GapRef] = Field(default_factory=list)


class Regime(BaseModel):
    """Which law the answer applies: the law as encoded, or a hypothetical reform of it."""

    kind: Literal["law", "reform"]
    id: str | None = None
    title: str | None = None
    effective: dt.date | None = None
    banner: str | None = Field(default=None, description="for a reform: its title, and that it is not the law")


class DependsOn(BaseModel):
    fact: str
    kind: str
    question: str


class SetCounts(BaseModel):
    """How many minimal deciding sets each outcome has (see Determination.set_counts)."""

    permitted: int
    not_permitted: int
    outside: int


class Determination(BaseModel):
    action: str
    label: str
    summary: str | None = Field(
        default=None,
        description="One sentence in the answer's language: the status, the date and the three layers "
        "(Constitution, statute, procedure) it rests on.",
    )
    type: str
    status: Status
    constitutional: Tri
    bases: list[BasisResult]
    depends_on: list[DependsOn] = Field(default_factory=list)
    permitted_if: list[dict[str, bool]] = Field(
        default_factory=list,
        description="For 'depends': minimal sets of values of unknown facts that make it permitted "
        "whatever the other unknown facts are; together they cover every way it can be permitted.",
    )
    not_permitted_if: list[dict[str, bool]] = Field(
        default_factory=list,
        description="For 'depends': the same for 'not permitted' (no lawful basis, and a closure claim covers it).",
    )
    outside_if: list[dict[str, bool]] = Field(
        default_factory=list,
        description="For 'depends': the same for 'no_encoded_basis' (no lawful basis, and no closure claim).",
    )
    sets_complete: bool = Field(
        default=True,
        description="False when a list was cut: longer than its size limit (1000 from the compiled sets; 12 from "
        "the solver, for a rule base that is not compiled); set_counts then says how many there are.",
    )
    set_counts: SetCounts | None = Field(
        default=None,
        description="For 'depends': the exact number of minimal sets of each outcome, listed or not "
        "(null when they come from the solver, which stops at its limit).",
    )
    closure: Closure = Field(default_factory=lambda: Closure(closed="false"))
    explanation: Step | None = Field(
        default=None,
        description="The justification tree; null when it was not asked for (assess with explain, "
        "'article9 explain', 'assess --explain', the API's \"explain\": true).",
    )


class RuleBaseInfo(BaseModel):
    hash: str = Field(description="sha256 of the rule blocks in force on the date and the vocabulary")
    blocks: int
    version: str


class Citation(BaseModel):
    """How to cite one answer: what produced it, and a link that asks the same question again."""

    version: str = Field(description="the article9 version")
    rulebase: str = Field(description="the first 12 hex digits of the rule-base hash of the date")
    date: dt.date
    link: str = Field(
        description="the explorer's address with the date, actions, reform and facts in the query string "
        "(base: ARTICLE9_SITE_URL, default http://127.0.0.1:8000/, the address 'article9 serve' listens on; "
        "the HTTP API uses its own address)"
    )


class Assessment(BaseModel):
    schema_id: str = Field(default=ASSESSMENT_SCHEMA_ID, alias="schema")
    date: dt.date
    scenario: str
    rulebase: RuleBaseInfo
    regime: Regime = Field(default_factory=lambda: Regime(kind="law"))
    reach: Reach = Field(default_factory=lambda: Reach(encoded_to=None, after_encoded_to=False))
    facts: dict[str, Tri]
    determinations: list[Determination]
    cite: Citation | None = Field(default=None, description="how to cite this answer ('cite this')")

    model_config = ConfigDict(populate_by_name=True)

    def determination(self, action: str) -> Determination:
        for d in self.determinations:
            if d.action == action:
                return d
        raise KeyError(action)

    def _repr_html_(self) -> str:
        """A compact table for Jupyter: one row per action."""
        from .render import assessment_html

        return assessment_html(self, _lang_of(self.determinations[0].label if self.determinations else ""))

    def _repr_markdown_(self) -> str:
        from .render import markdown

        return markdown([self], _lang_of(self.determinations[0].label if self.determinations else ""))

    def to_dataframe(self) -> Any:
        """One row per action (needs pandas: pip install 'article9[pandas]')."""
        return _frame(
            [
                {
                    "date": self.date,
                    "action": d.action,
                    "status": d.status,
                    "constitutional": d.constitutional,
                    "lawful_bases": [b.provision.id for b in d.bases if b.lawful == "true"],
                    "depends_on": [f.fact for f in d.depends_on],
                    "summary": d.summary,
                }
                for d in self.determinations
            ]
        )


def _lang_of(text: str) -> str:
    """The language an answer was given in, read off its words (a model keeps no setting)."""
    return "ja" if any("\u3040" <= ch <= "\u9fff" for ch in text) else "en"


class _Shown:
    """Jupyter shows the answer as Markdown or HTML, rendered in the language it was given in."""

    SHOWN_BY: ClassVar[tuple[str, str]] = ("", "")  # the render functions for Markdown and HTML

    def _lang(self) -> str:
        return "en"

    def _repr_markdown_(self) -> str:
        from . import render

        return getattr(render, self.SHOWN_BY[0])(self, self._lang())

    def _repr_html_(self) -> str:
        from . import render

        return getattr(render, self.SHOWN_BY[1])(self, self._lang())


def _frame(rows: list[dict[str, Any]]) -> Any:
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_dataframe() needs pandas: pip install 'article9[pandas]'") from None
    return pd.DataFrame(rows)


class ProvisionChange(BaseModel):
    provision: ProvisionRef
    change: str = Field(description="e.g. 'in force from 2016-03-29', 'ceased after 2014-06-30', 'new version'")


class CompareCell(BaseModel):
    date: dt.date
    status: Status
    constitutional: Tri
    bases: list[str] = Field(description="provisions under which it is lawful (or may be, for 'depends')")
    procedure: list[str] = Field(description="procedure steps those provisions require")
    permitted_if: list[dict[str, bool]] = Field(default_factory=list)
    not_permitted_if: list[dict[str, bool]] = Field(default_factory=list)
    outside_if: list[dict[str, bool]] = Field(default_factory=list)


class CompareChange(BaseModel):
    from_date: dt.date
    to_date: dt.date
    what: str
    provisions: list[ProvisionChange]


class CompareRow(BaseModel):
    action: str
    label: str
    cells: list[CompareCell]
    changes: list[CompareChange]


class Comparison(_Shown, BaseModel):
    schema_id: str = Field(default="article9.comparison/1", alias="schema")
    scenario: str
    dates: list[dt.date]
    rulebase_hashes: dict[str, str]
    version: str = Field(description="package version that gave the answer")
    regime: Regime = Field(default_factory=lambda: Regime(kind="law"))
    reach: Reach = Field(default_factory=lambda: Reach(encoded_to=None, after_encoded_to=False))
    rows: list[CompareRow]

    model_config = ConfigDict(populate_by_name=True)

    SHOWN_BY: ClassVar[tuple[str, str]] = ("comparison_markdown", "comparison_html")

    def _lang(self) -> str:
        return _lang_of(self.rows[0].label if self.rows else "")

    def to_dataframe(self) -> Any:
        """One row per action and date (needs pandas)."""
        return _frame(
            [
                {
                    "action": r.action,
                    "date": c.date,
                    "status": c.status,
                    "constitutional": c.constitutional,
                    "bases": c.bases,
                }
                for r in self.rows
                for c in r.cells
            ]
        )


class FactChange(BaseModel):
    fact: str
    kind: str
    old: bool | None
    new: bool
    reads: str = Field(description="the change in words, by kind of fact")


class Alternative(BaseModel):
    changes: list[FactChange]
    status: Status
    explanation: Step


class WaitUntil(BaseModel):
    """The first later date on which the law itself gives the wanted answer on the same facts."""

    date: dt.date
    provisions: list[ProvisionRef] = Field(
        default_factory=list, description="the lawful bases that day that were not in force on the date asked"
    )


class WhatIf(_Shown, BaseModel):
    schema_id: str = Field(default="article9.whatif/1", alias="schema")
    scenario: str
    action: str
    date: dt.date
    rulebase: RuleBaseInfo
    regime: Regime = Field(default_factory=lambda: Regime(kind="law"))
    reach: Reach = Field(default_factory=lambda: Reach(encoded_to=None, after_encoded_to=False))
    status: Status
    target: Status
    max_changes: int
    alternatives: list[Alternative]
    complete: bool = Field(description="False when the search stopped at its limit before trying every set")
    wait_until: WaitUntil | None = Field(
        default=None,
        description="or wait: the first later date (up to today) on which the law gives the target answer on "
        "these facts unchanged, with the provisions that came into force; null when no later change does",
    )

    model_config = ConfigDict(populate_by_name=True)

    SHOWN_BY: ClassVar[tuple[str, str]] = ("whatif_markdown", "whatif_html")

    def _lang(self) -> str:
        return _lang_of(self.alternatives[0].explanation.text if self.alternatives else "")

    def to_dataframe(self) -> Any:
        """One row per fact change of each alternative (needs pandas)."""
        return _frame(
            [
                {"alternative": i, "status": alt.status, "fact": ch.fact, "old": ch.old, "new": ch.new}
                for i, alt in enumerate(self.alternatives, 1)
                for ch in alt.changes
            ]
        )


class DiffRow(BaseModel):
    action: str
    label: str
    gained: list[dict[str, bool]] = Field(description="minimal sets of facts: permitted on the later date only")
    lost: list[dict[str, bool]] = Field(description="minimal sets of facts: permitted on the earlier date only")
    gained_count: int = Field(description="combinations of all vocabulary facts permitted only on the later date")
    lost_count: int = Field(description="combinations permitted only on the earlier date")
    provisions: list[ProvisionChange]
    gaps: list[str] = Field(default_factory=list, description="ids of the known gaps (see reach.gaps) bearing on it")
    complete: bool


class Diff(BaseModel):
    schema_id: str = Field(default="article9.diff/1", alias="schema")
    from_date: dt.date
    to_date: dt.date
    rulebase_hashes: dict[str, str] = Field(description="content hash of the rule base on each date")
    version: str = Field(description="package version that gave the answer")
    facts: int = Field(description="number of vocabulary facts; the fact space has 2**facts combinations")
    regime: Regime = Field(default_factory=lambda: Regime(kind="law"))
    reach: Reach = Field(default_factory=lambda: Reach(encoded_to=None, after_encoded_to=False))
    rows: list[DiffRow]
    unchanged: list[str]

    model_config = ConfigDict(populate_by_name=True)
