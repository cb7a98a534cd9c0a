"""Text (Rich), Markdown and JSON renderings of assessments. No law logic here."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.console import Console, Group
from rich.text import Text
from rich.tree import Tree

from .models import Assessment, Determination, Step

ICON = {"true": "✓", "false": "✗", "unknown": "?"}
STYLE = {"true": "green", "false": "red", "unknown": "yellow"}
STATUS_STYLE = {
    "permitted": "bold green",
    "not_permitted": "bold red",
    "no_encoded_basis": "bold magenta",
    "depends": "bold yellow",
}
LANG = {"value": "en"}  # set by the command line's --lang


def w(key: str, **kwargs: object) -> str:
    from .i18n import t

    return t(key, LANG["value"], **kwargs)


def _demanded(step: object, basis: str) -> str:
    """' [nsc-act/2]' after a step that another provision than the basis itself demands."""
    others = [pid for pid in getattr(step, "demanded_by", []) if pid != basis]
    return f" [{', '.join(others)}]" if others else ""


def _today(p: object) -> str:
    """', today Art. 84-4: ...' after a provision cited under the number of an earlier day."""
    today = getattr(p, "today", None)
    return f" ({w('today_numbered')} {today})" if today else ""


class _Words(dict):
    def __init__(self, keys: dict[str, str]) -> None:
        super().__init__(keys)

    def __getitem__(self, key: str) -> str:
        return w(dict.__getitem__(self, key))


STATUS_WORD = _Words(
    {
        "permitted": "PERMITTED",
        "not_permitted": "NOT_PERMITTED",
        "no_encoded_basis": "NO_ENCODED_BASIS",
        "depends": "DEPENDS",
    }
)
LAYER_WORD = _Words({"true": "yes_word", "false": "no_word", "unknown": "depends_word"})


def preamble(result) -> list[tuple[str, str]]:  # noqa: ANN001 - any answer with regime and reach
    """The lines every answer opens with, as (text, style): the reform banner, the date the
    law is encoded to, the warning for a later date, and the known gaps the answer touches."""
    out: list[tuple[str, str]] = []
    regime = getattr(result, "regime", None)
    if regime is not None and regime.kind == "reform":
        out.append((regime.banner or regime.title or "", "bold reverse magenta"))
    reach = getattr(result, "reach", None)
    if reach is None:
        return out
    if reach.encoded_to is not None:
        out.append((w("encoded_to", date=reach.encoded_to.isoformat()), "dim"))
    if reach.warning:
        out.append((reach.warning, "bold yellow"))
    for g in reach.gaps:
        out.append((f"{w('gap_word')}: {g.title} ({g.window}): {g.note} [{g.source}]", "magenta"))
    return out


def print_preamble(result, console: Console) -> None:  # noqa: ANN001
    for text, style in preamble(result):
        console.print(Text(text, style=style))


def markdown_preamble(result) -> list[str]:  # noqa: ANN001
    out = []
    for text, style in preamble(result):
        if "reverse" in style:
            out += [f"> **{text}**", ""]
        elif style == "bold yellow":
            out += [f"> **{text}**", ""]
        elif style == "magenta":
            out.append(f"- {text}")
        else:
            out += [text, ""]
    if out and out[-1] != "":
        out.append("")
    return out


CLOSURE_WORD = {"true": "closure_true", "false": "closure_false", "unknown": "closure_unknown"}


def closure_text(d: Determination) -> str:
    claims = ", ".join(f"{c.id} [{c.marker}]" for c in d.closure.claims) or "-"
    return f"{w('closure_word')}: {w(CLOSURE_WORD[d.closure.closed], claims=claims)}"


def negative_sets(d: Determination) -> list[tuple[str, list[dict[str, bool]]]]:
    return [("not_permitted_if", d.not_permitted_if), ("outside_if", d.outside_if)]


def status_word(d: Determination) -> str:
    """The status in words; an undecided act that no completion of the facts permits says so."""
    if d.status == "depends" and not d.permitted_if and d.sets_complete and (d.not_permitted_if or d.outside_if):
        return w("DEPENDS_NEGATIVE")
    return STATUS_WORD[d.status]


def shown(step: Step) -> tuple[str, str, str]:
    """Icon, text and style of a step. A 'not X' condition that fails is shown as the
    reason it fails: X holds, and that rules the step out."""
    if step.negated and step.value == "false":
        return ICON["true"], step.text, STYLE["false"]
    prefix = "not: " if step.negated else ""
    return ICON[step.value], prefix + step.text, STYLE[step.value]


def set_text(values: dict[str, bool]) -> str:
    return "; ".join(f"{name} = {'true' if value else 'false'}" for name, value in values.items())


def step_line(step: Step, rules: bool) -> str:
    icon, text, _style = shown(step)
    line = f"{icon} {text}"
    if step.kind == "fact":
        line += f"  [fact: {step.fact_kind}]"
    if step.rule is not None:
        p = step.rule.provision
        line += f"  [{p.id} [{p.marker}]]"
        if rules:
            line += f"\n    rule: {step.rule.text}  ({step.rule.origin})"
    if step.note:
        line += f"  ({step.note})"
    return line


def _tree(step: Step, node: Tree, depth: int, max_depth: int | None, rules: bool) -> None:
    for child in step.children:
        sub = node.add(Text(step_line(child, rules), style=shown(child)[2]))
        if max_depth is None or depth + 1 < max_depth:
            _tree(child, sub, depth + 1, max_depth, rules)
        elif child.children:
            sub.add(Text("… (see 'article9 explain')", style="dim"))


def explanation_tree(step: Step, max_depth: int | None = None, rules: bool = False) -> Tree:
    root = Tree(Text(step_line(step, rules), style=STYLE[step.value]))
    _tree(step, root, 0, max_depth, rules)
    return root


class _Types(dict):
    def __getitem__(self, key: str) -> str:
        return w(key)


TYPE_WORD = _Types()


def determination_group(d: Determination, max_depth: int | None, rules: bool) -> Group:
    parts: list = []
    head = Text()
    head.append(d.label, style="bold")
    head.append(f"  [{d.action} · {TYPE_WORD[d.type]}]", style="dim")
    parts.append(head)
    parts.append(Text.assemble(f"  {w('status')}: ", (status_word(d), STATUS_STYLE[d.status])))
    parts.append(Text(f"  {w('constitution')}: {LAYER_WORD[d.constitutional]}"))
    in_force = [b for b in d.bases if b.in_force]
    if not in_force:
        parts.append(Text(f"  {w('statute_none')}"))
    for b in in_force:
        p = b.provision
        parts.append(
            Text(
                f"  {w('statute')}: {p.title} [{p.marker}]{_today(p)} ({p.id}): {w('authorises')}: {LAYER_WORD[b.authorises]}"
            )
        )
        if any(s.required != "false" for s in b.procedure):
            steps = "; ".join(
                f"{ICON[s.done]} {s.label}{_demanded(s, p.id)}" for s in b.procedure if s.required != "false"
            )
            parts.append(Text(f"  {w('procedure_word')}: {steps}"))
    for b in d.bases:
        if not b.in_force:
            parts.append(
                Text(
                    f"      {w('not_in_force')}: {b.provision.id} {b.provision.title} ({w('in_force')}: {b.window})",
                    style="dim",
                )
            )
    if d.status != "permitted":
        parts.append(Text(f"  {closure_text(d)}", style="magenta" if d.closure.closed != "true" else ""))
    if d.depends_on:
        parts.append(Text(f"  {w('depends_on')}:", style="yellow"))
        for f in d.depends_on:
            parts.append(Text(f"    - {f.fact} ({f.kind}): {f.question}", style="yellow"))
        for title, sets in (("permitted_if", d.permitted_if), *negative_sets(d)):
            if not sets:
                continue
            parts.append(Text(f"  {w(title)}:", style="yellow"))
            for one in sets:
                parts.append(Text(f"    - {set_text(one)}", style="yellow"))
        if not d.sets_complete:
            parts.append(Text("    (lists cut at their size limit; see --format json)", style="dim"))
    why = {"permitted": "why", "not_permitted": "why_not", "no_encoded_basis": "why_outside"}.get(d.status, "turns_on")
    parts.append(Text(f"  {w(why)}:"))
    parts.append(explanation_tree(d.explanation, max_depth, rules))
    return Group(*parts)


def print_text(
    assessments: Sequence[Assessment], console: Console, max_depth: int | None = 4, rules: bool = False
) -> None:
    for a in assessments:
        console.print(
            Text.assemble(
                ("article9 ", "bold"),
                w(
                    "assessment_on",
                    date=a.date.isoformat(),
                    hash=a.rulebase.hash[:12],
                    version=a.rulebase.version,
                    blocks=a.rulebase.blocks,
                ),
            )
        )
        print_preamble(a, console)
        console.print(Text(f"{w('scenario_word')}: {a.scenario}"))
        console.print(Text(w("markers"), style="dim"))
        for d in a.determinations:
            console.print()
            console.print(determination_group(d, max_depth, rules))
        console.print()


def _md_tree(step: Step, depth: int, out: list[str]) -> None:
    icon, text, _style = shown(step)
    line = f"{'  ' * depth}- {icon} {text}"
    if step.rule is not None:
        line += f" — `{step.rule.provision.id}` [{step.rule.provision.marker}]: `{step.rule.text}`"
    if step.kind == "fact":
        line += f" *(fact: {step.fact_kind})*"
    if step.note:
        line += f" ({step.note})"
    out.append(line)
    for child in step.children:
        _md_tree(child, depth + 1, out)


def markdown(assessments: Sequence[Assessment]) -> str:
    out: list[str] = []
    for a in assessments:
        out.append(f"# Assessment on {a.date.isoformat()}")
        out.append("")
        out += markdown_preamble(a)
        out.append(f"Scenario: {a.scenario}  ")
        out.append(
            f"Rule base: `{a.rulebase.hash}` (article9 {a.rulebase.version}, {a.rulebase.blocks} blocks in force)"
        )
        for d in a.determinations:
            out += ["", f"## {d.label} (`{d.action}`, {TYPE_WORD[d.type]})", ""]
            out.append(f"- **{w('status')}: {status_word(d)}**")
            out.append(f"- {w('constitution')}: {LAYER_WORD[d.constitutional]}")
            if d.status != "permitted":
                out.append(f"- {closure_text(d)}")
            for b in d.bases:
                p = b.provision
                if not b.in_force:
                    out.append(f"- not in force on this date: `{p.id}` {p.title} (in force: {b.window})")
                    continue
                out.append(
                    f"- {w('statute')}: {p.title} [{p.marker}]{_today(p)} (`{p.id}`): {w('authorises')}: {LAYER_WORD[b.authorises]}"
                )
                for s in b.procedure:
                    if s.required != "false":
                        out.append(f"  - (c) {ICON[s.done]} {s.label}{_demanded(s, p.id)}")
            for f in d.depends_on:
                out.append(f"- depends on `{f.fact}` ({f.kind}): {f.question}")
            for title, sets in (
                ("permitted_if_short", d.permitted_if),
                ("not_permitted_if_short", d.not_permitted_if),
                ("outside_if_short", d.outside_if),
            ):
                for one in sets:
                    out.append(f"- {w(title)}: {set_text(one)}")
            out += ["", "Explanation:", ""]
            _md_tree(d.explanation, 0, out)
        out.append("")
    return "\n".join(out)


SHORT = _Words(
    {
        "permitted": "short_permitted",
        "not_permitted": "short_not_permitted",
        "no_encoded_basis": "short_no_encoded_basis",
        "depends": "short_depends",
    }
)


def _cell_text(cell) -> str:  # noqa: ANN001
    text = SHORT[cell.status]
    if cell.bases:
        text += f"\n{w('under')}: " + ", ".join(cell.bases)
    text += f"\n{w('constitutional_short')}: {LAYER_WORD[cell.constitutional]}"
    if cell.procedure:
        text += f"\n{w('needs')}: " + "; ".join(cell.procedure)
    for title, sets in (
        ("permitted_if_short", cell.permitted_if),
        ("not_permitted_if_short", cell.not_permitted_if),
        ("outside_if_short", cell.outside_if),
    ):
        if sets:
            text += f"\n{w(title)}: " + " | ".join(set_text(one) for one in sets)
    return text


def _what(row, ch) -> str:  # noqa: ANN001
    """The kind of change between two compared dates, in the chosen language."""
    a = next(c for c in row.cells if c.date == ch.from_date)
    b = next(c for c in row.cells if c.date == ch.to_date)
    if a.status != b.status:
        return w("status_change", a=SHORT[a.status], b=SHORT[b.status])
    if a.bases != b.bases:
        return w("basis_change", a=", ".join(a.bases) or "-", b=", ".join(b.bases) or "-")
    return w("layer_change", a=LAYER_WORD[a.constitutional], b=LAYER_WORD[b.constitutional])


def print_comparison(result, console: Console) -> None:  # noqa: ANN001
    from rich.table import Table

    console.print(Text.assemble(("article9 ", "bold"), f"{w('comparison')} · {result.scenario}"))
    print_preamble(result, console)
    table = Table(show_lines=True)
    table.add_column(w("action_word"))
    for d in result.dates:
        table.add_column(f"{d.isoformat()}\n{result.rulebase_hashes[d.isoformat()][:12]}")
    for row in result.rows:
        table.add_row(
            Text(f"{row.label}\n[{row.action}]"),
            *(Text(_cell_text(c), style=STATUS_STYLE[c.status].replace("bold ", "")) for c in row.cells),
        )
    console.print(table)
    for row in result.rows:
        for ch in row.changes:
            console.print(
                Text(
                    w("changed_between", action=row.action, d1=ch.from_date, d2=ch.to_date, what=_what(row, ch)),
                    style="bold",
                )
            )
            for p in ch.provisions:
                console.print(Text(f"  {p.provision.id} [{p.provision.marker}] {p.provision.title}: {p.change}"))


def comparison_markdown(result) -> str:  # noqa: ANN001
    out = [f"# Comparison: {result.scenario}", "", *markdown_preamble(result)]
    out.append("| action | " + " | ".join(d.isoformat() for d in result.dates) + " |")
    out.append("|---|" + "---|" * len(result.dates))
    for row in result.rows:
        cells = [_cell_text(c).replace("\n", "<br>") for c in row.cells]
        out.append(f"| {row.label} (`{row.action}`) | " + " | ".join(cells) + " |")
    out += ["", "## What changed", ""]
    for row in result.rows:
        for ch in row.changes:
            out.append(f"- `{row.action}` {ch.from_date} → {ch.to_date}: {ch.what}")
            out += [
                f"  - `{p.provision.id}` [{p.provision.marker}] {p.provision.title}: {p.change}" for p in ch.provisions
            ]
    return "\n".join(out) + "\n"


def print_whatif(result, console: Console) -> None:  # noqa: ANN001
    console.print(
        Text.assemble(
            ("article9 ", "bold"),
            w(
                "whatif_head",
                scenario=result.scenario,
                action=result.action,
                date=result.date.isoformat(),
                now=SHORT[result.status],
                target=SHORT[result.target],
            ),
        )
    )
    print_preamble(result, console)
    if not result.alternatives:
        console.print(Text("  " + w("whatif_none", n=result.max_changes), style="yellow"))
    for i, alt in enumerate(result.alternatives, 1):
        console.print()
        console.print(Text(w("whatif_item", i=i, n=len(alt.changes), status=SHORT[alt.status]), style="bold"))
        for ch in alt.changes:
            console.print(Text(f"   - {ch.reads}  [{ch.fact}: {ch.old} -> {ch.new}]"))
        console.print(explanation_tree(alt.explanation, max_depth=3))
    if not result.complete:
        console.print(Text(w("whatif_cut"), style="dim"))


def whatif_markdown(result) -> str:  # noqa: ANN001
    out = [
        f"# What if: {result.scenario}",
        "",
        *markdown_preamble(result),
        f"`{result.action}` on {result.date.isoformat()}: now {SHORT[result.status]}; "
        f"ways to make it {SHORT[result.target]}, smallest first:",
        "",
    ]
    for i, alt in enumerate(result.alternatives, 1):
        out.append(f"{i}. " + "; ".join(f"{ch.reads} (`{ch.fact}` {ch.old} → {ch.new})" for ch in alt.changes))
    return "\n".join(out) + "\n"


def _share(count: int, facts: int) -> str:
    return w("diff_share", count=count, n=facts, share=f"{count / 2**facts:.4%}")


def print_diff(result, console: Console) -> None:  # noqa: ANN001
    console.print(
        Text.assemble(
            ("article9 ", "bold"),
            w("diff_head", d1=result.from_date.isoformat(), d2=result.to_date.isoformat(), n=result.facts),
        )
    )
    print_preamble(result, console)
    if not result.rows:
        console.print(w("diff_none"))
    for row in result.rows:
        console.print()
        console.print(Text(f"{row.label}  [{row.action}]", style="bold"))
        for title, sets, count in (
            (w("diff_gained", d1=result.from_date, d2=result.to_date), row.gained, row.gained_count),
            (w("diff_lost", d1=result.from_date, d2=result.to_date), row.lost, row.lost_count),
        ):
            if sets:
                console.print(Text(f"  {title}: {_share(count, result.facts)}, {w('exactly_when')}:", style="yellow"))
                for one in sets:
                    console.print(Text(f"    - {set_text(one)}"))
        for p in row.provisions:
            console.print(
                Text(
                    f"  {w('changed_provision')}: {p.provision.id} [{p.provision.marker}] {p.provision.title}: {p.change}",
                    style="dim",
                )
            )
        if row.gaps:
            console.print(Text(f"  {w('gap_word')}: {', '.join(row.gaps)}", style="magenta"))
        if not row.complete:
            console.print(Text("  " + w("lists_cut"), style="dim"))
    if result.unchanged:
        console.print()
        console.print(Text(f"{w('unchanged_all')}: " + ", ".join(result.unchanged)))


def diff_markdown(result) -> str:  # noqa: ANN001
    out = [f"# Diff {result.from_date.isoformat()} → {result.to_date.isoformat()}", "", *markdown_preamble(result)]
    for row in result.rows:
        out += [f"## {row.label} (`{row.action}`)", ""]
        for title, sets, count in (("gained", row.gained, row.gained_count), ("lost", row.lost, row.lost_count)):
            if sets:
                out.append(f"- {title}: {_share(count, result.facts)}")
                out += [f"  - {set_text(one)}" for one in sets]
        out += [
            f"- changed provision bearing on it: `{p.provision.id}` [{p.provision.marker}]: {p.change}"
            for p in row.provisions
        ]
        out += [f"- {w('gap_word')}: `{g}`" for g in row.gaps]
        out.append("")
    if result.unchanged:
        out.append("Unchanged: " + ", ".join(f"`{a}`" for a in result.unchanged))
    return "\n".join(out) + "\n"


ROUTE_WORDS = {
    "interpretation": "change of interpretation by Cabinet decision",
    "statute": "statute passed by both Houses",
    "statute_by_override": "statute by House of Representatives re-passage (Art. 59(2))",
    "amendment_initiation": "initiation of a constitutional amendment (Art. 96), then a referendum",
}
NEED_WORDS = {
    "amendment": "2/3 of all members",
    "statute": "majority of members present",
    "override": "2/3 of members present",
}


def _pathways_lines(result) -> list[str]:  # noqa: ANN001
    out = [
        f"Routes considered: {', '.join(ROUTE_WORDS[r] for r in result.routes_considered)}",
        "Seats as after each house's latest election (changes between elections are not in the data).",
    ]
    if result.referendum_window:
        first, last = result.referendum_window
        out.append(
            f"An amendment initiated on {result.date.isoformat()} would go to a referendum held from "
            f"{first.isoformat()} to {last.isoformat()}, approved by more than half of the valid (yes + no) votes."
        )
    for r in result.results:
        out.append("")
        head = f"{r.name}" + (f": {', '.join(r.parties)}" if r.parties else "")
        out.append(head)
        if r.counted_as:
            out.append(f"  counted as: {r.counted_as}")
        if r.note:
            out.append(f"  note: {r.note}")
        for h in r.houses:
            needs = "; ".join(
                f"{NEED_WORDS[k]} {v} (short {h.shortfall[k]})" if h.shortfall[k] else f"{NEED_WORDS[k]} {v} (met)"
                for k, v in sorted(h.needs.items())
            )
            out.append(f"  {h.house} ({h.election}, {h.size} seats): supporting seats {h.seats}; {needs}")
        if r.houses:
            out.append(
                "  open: " + ("; ".join(ROUTE_WORDS[x] for x in r.routes_open) or "none of the routes considered")
            )
        for sw in r.switches:
            effect = "; ".join(
                [f"opens {ROUTE_WORDS[x]}" for x in sw.opens] + [f"closes {ROUTE_WORDS[x]}" for x in sw.closes]
            )
            out.append(f"  if {sw.party} {sw.move}: {effect}")
    return out


def print_pathways(result, console: Console) -> None:  # noqa: ANN001
    console.print(Text.assemble(("article9 ", "bold"), f"pathways on {result.date.isoformat()}"))
    for line in _pathways_lines(result):
        console.print(Text(line))


def pathways_markdown(result) -> str:  # noqa: ANN001
    return (
        f"# Pathways on {result.date.isoformat()}\n\n"
        + "\n".join(f"    {line}" if line.startswith("  ") else line for line in _pathways_lines(result))
        + "\n"
    )


def _history_lines(result) -> list[str]:  # noqa: ANN001
    out = [
        "Changes in the law, the route each took, and the governing coalition's numbers that day",
        "(seats as after each house's latest election; changes between elections are not in the data):",
    ]
    for r in result.changes:
        line = f"  {r.date.isoformat()} {r.what} [{ROUTE_WORDS[r.route]}; {', '.join(r.sources)}]"
        if r.arithmetic is None:
            line += ": before the seat data (2009-08-30)"
        else:
            seats = ", ".join(f"{h.house} {h.seats}/{h.size}" for h in r.arithmetic.houses)
            line += f": coalition {', '.join(r.arithmetic.parties)} held {seats}; "
            line += "enough on its own" if r.route_open else "not enough on its own (other parties' votes needed)"
        out.append(line)
    out += ["", "The amendment camp (改憲勢力, as the sources count it) against two-thirds of all members:"]
    for r in result.amendment_camp:
        camp = (
            "no tally in the sources"
            if r.camp is None
            else f"{r.camp} ({r.outlet}); needs {r.needs}: " + ("reached" if r.reached else "short")
        )
        out.append(f"  {r.date.isoformat()} {r.election}: {camp}")
    return out


def print_history(result, console: Console) -> None:  # noqa: ANN001
    for line in _history_lines(result):
        console.print(Text(line))


def history_markdown(result) -> str:  # noqa: ANN001
    return (
        "# Pathways history\n\n"
        + "\n".join(
            line.strip() and (f"- {line.strip()}" if line.startswith("  ") else line) for line in _history_lines(result)
        )
        + "\n"
    )


def to_json(assessments: Sequence[Assessment]) -> str:
    return json.dumps(
        [a.model_dump(mode="json", by_alias=True, exclude_none=True) for a in assessments],
        ensure_ascii=False,
        indent=2,
    )
