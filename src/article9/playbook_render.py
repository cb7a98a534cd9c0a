"""Text, Markdown and SVG renderings of a playbook result (`article9.playbook.PlaybookResult`).
Words come from the vocabulary and the actor table; no law logic here."""

from __future__ import annotations

from .corpus import RuleBase
from .playbook import BranchResult, Cell, LawChange, Pending, PlaybookResult, StepResult, actor_table

STATUS = {
    "permitted": "PERMITTED",
    "not_permitted": "NOT PERMITTED",
    "no_encoded_basis": "NO ENCODED BASIS",
    "depends": "DEPENDS",
}
REASON = {
    "permitted": "under {bases}",
    "depends": "may be, under {bases}",
    "unconstitutional": "outside Article 9 as the government reads it on this date",
    "no_basis": "no provision in force authorises it on these facts",
    "procedure": "a required step is missing (under {authorising})",
    "outside_encoded_law": "outside the encoded law: no provision encoded here makes it lawful, "
    "and the rule base does not claim its bases are complete",
}
COLOUR = {"permitted": "#1a7f37", "not_permitted": "#cf222e", "no_encoded_basis": "#6e40c9", "depends": "#9a6700"}


class Words:
    """Labels for the codes of a result, in English or Japanese."""

    def __init__(self, rb: RuleBase, lang: str = "en") -> None:
        self.v, self.lang = rb.vocabulary, lang

    def action(self, name: str) -> str:
        return getattr(self.v.actions[name].label, self.lang)

    def procedure(self, name: str) -> str:
        p = self.v.procedures.get(name)
        return getattr(p.label, self.lang) if p is not None else name

    def actor(self, code: str) -> str:
        return actor_table()[1].get(code, {}).get(self.lang, code)

    @staticmethod
    def value(v: bool | None) -> str:
        return "unknown" if v is None else ("true" if v else "false")

    def facts(self, facts: dict[str, bool | None]) -> str:
        return ", ".join(f"{f} = {self.value(v)}" for f, v in facts.items())

    def headline(self, c: Cell) -> str:
        text = REASON[c.reason].format(bases=", ".join(c.bases) or "-", authorising=", ".join(c.authorising) or "-")
        if c.reason == "depends" and c.depends_on:
            text += f"; depends on {', '.join(c.depends_on)}"
        return f"{STATUS[c.status]}: {text}"

    def pending(self, p: Pending) -> str:
        state = "not done" if p.done == "false" else "not known to be done"
        need = "" if p.required == "true" else ", if required"
        return f"{self.procedure(p.step)}: {self.actor(p.actor)} ({p.basis}; {state}{need})"

    def judgments(self, c: Cell) -> str:
        """The government judgments among the unknown facts an undecided action turns on."""
        return ", ".join(f for f in c.depends_on if f in self.v.facts and self.v.facts[f].kind == "judgment")

    @staticmethod
    def law(lc: LawChange) -> str:
        parts = [f"in force from {d.isoformat()}" for d in lc.started]
        parts += [f"ceased after {d.isoformat()}" for d in lc.ended]
        return f"{lc.provision} ({'; '.join(parts) or 'new version'})"

    def opens(self, c: Cell) -> str | None:
        if c.status == "permitted":
            return None
        if not c.opens:
            return "nothing opens it on this date (no facts make it permitted under the law of the day)"
        sets = " | or | ".join(self.facts(o.facts) for o in c.opens)
        more = "" if c.opens_complete else " (more sets exist)"
        return f"{sets}{more}"


def when(s: StepResult) -> str:
    return s.date.isoformat() + (f" {s.time.strftime('%H:%M')}" if s.time else "")


def _step_lines(r: PlaybookResult, s: StepResult, words: Words, indent: str) -> list[str]:
    out = [f"{indent}Step {s.id} · {when(s)} · {s.label}"]
    if s.note:
        out.append(f"{indent}  {s.note}")
    if s.set:
        out.append(f"{indent}  set: {words.facts(s.set)}")
    if s.law_changes:
        out.append(f"{indent}  the law changed since the previous step: " + "; ".join(map(words.law, s.law_changes)))
    for c in s.cells:
        mark = ""
        if c.expect_met is not None:
            mark = "  [expected: ok]" if c.expect_met else f"  [expected {c.expected}: MISMATCH]"
        out.append(f"{indent}  {words.action(c.action)} [{c.action}]")
        out.append(f"{indent}    {words.headline(c)}{mark}")
        if c.changed and c.cause is not None:
            why = []
            if c.cause.facts:
                why.append(words.facts(c.cause.facts))
            if c.cause.provisions:
                why.append("law: " + "; ".join(map(words.law, c.cause.provisions)))
            was = (
                f"was {STATUS[c.previous]}"
                if c.previous and "status" in c.changed
                else "changed: " + ", ".join(c.changed)
            )
            out.append(f"{indent}    {was}; by {' · '.join(why) or 'the date'}")
        judgments = words.judgments(c)
        if judgments:
            out.append(f"{indent}    judgments the government has yet to make: {judgments}")
        for p in c.pending:
            out.append(f"{indent}    waiting on: {words.pending(p)}")
        opens = words.opens(c)
        if opens:
            out.append(f"{indent}    opens with: {opens}")
    for m in s.mismatches:
        out.append(f"{indent}  mismatch: {m}")
    for b in s.branches:
        out.extend(_branch_lines(r, b, words, indent))
    return out


def _branch_lines(r: PlaybookResult, b: BranchResult, words: Words, indent: str) -> list[str]:
    out = [f"{indent}  ── branch {b.name}: {b.label}"]
    for s in b.steps:
        out.extend(_step_lines(r, s, words, indent + "  │ "))
    return out


def text(r: PlaybookResult, rb: RuleBase, lang: str = "en") -> str:
    words = Words(rb, lang)
    out = [f"article9 playbook · {r.title} · v{r.version}"]
    if r.source:
        out.append(f"Source: {' '.join(r.source.split())}")
    out.append("Following: " + ", ".join(r.actions))
    out.append("")
    for s in [r.start, *r.steps]:
        out.extend(_step_lines(r, s, words, ""))
        out.append("")
    for b in r.branches:
        out.extend(_branch_lines(r, b, words, ""))
    bad = r.mismatches
    out.append(f"{len(bad)} expectation(s) not met" if bad else "Every expected status is met.")
    return "\n".join(out).rstrip() + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_step(s: StepResult, words: Words, level: int, out: list[str]) -> None:
    out.append(f"{'#' * level} Step {s.id} · {when(s)} · {_md_cell(s.label)}")
    out.append("")
    if s.set:
        out.append(f"Set: `{words.facts(s.set)}`")
        out.append("")
    if s.law_changes:
        out.append("The law changed since the previous step: " + "; ".join(f"`{words.law(x)}`" for x in s.law_changes))
        out.append("")
    out.append("| action | status | changed by | judgments to make | waiting on | opens with |")
    out.append("|---|---|---|---|---|---|")
    for c in s.cells:
        cause = ""
        if c.changed and c.cause is not None:
            cause = "; ".join(
                [words.facts(c.cause.facts)] * bool(c.cause.facts) + [words.law(x) for x in c.cause.provisions]
            )
            if c.previous and "status" in c.changed:
                cause = f"was {STATUS[c.previous]}" + (f": {cause}" if cause else "")
        status = words.headline(c) + ("" if c.expect_met in (None, True) else f" (expected {c.expected}: MISMATCH)")
        out.append(
            "| "
            + " | ".join(
                _md_cell(x)
                for x in (
                    f"{words.action(c.action)} `{c.action}`",
                    status,
                    cause,
                    words.judgments(c),
                    "; ".join(map(words.pending, c.pending)),
                    words.opens(c) or "",
                )
            )
            + " |"
        )
    out.append("")
    for b in s.branches:
        _md_branch(b, words, level, out)


def _md_branch(b: BranchResult, words: Words, level: int, out: list[str]) -> None:
    out.append(f"{'#' * level} Branch `{b.name}`: {_md_cell(b.label)}")
    out.append("")
    for s in b.steps:
        _md_step(s, words, min(level + 1, 6), out)


def markdown(r: PlaybookResult, rb: RuleBase, lang: str = "en") -> str:
    words = Words(rb, lang)
    out = [f"# Playbook: {_md_cell(r.title)}", "", f"article9 v{r.version}"]
    if r.source:
        out += ["", f"Source: {' '.join(r.source.split())}"]
    out += ["", "Following: " + ", ".join(f"`{a}`" for a in r.actions), ""]
    for s in [r.start, *r.steps]:
        _md_step(s, words, 2, out)
    for b in r.branches:
        _md_branch(b, words, 2, out)
    bad = r.mismatches
    out.append(f"**{len(bad)} expectation(s) not met**" if bad else "Every expected status is met.")
    return "\n".join(out) + "\n"


def columns(r: PlaybookResult) -> list[tuple[str, StepResult]]:
    """The steps in reading order, each with the branch path it lies on ('' on the main line)."""
    out: list[tuple[str, StepResult]] = []

    def line(steps: list[StepResult], path: str) -> None:
        for s in steps:
            out.append((path, s))
            for b in s.branches:
                line(b.steps, f"{path}/{b.name}" if path else b.name)

    out.append(("", r.start))
    line(r.steps, "")
    for b in r.branches:
        line(b.steps, b.name)
    return out


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
