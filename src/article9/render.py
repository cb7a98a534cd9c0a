"""Text (Rich), Markdown and JSON renderings of the answers. No law logic here, and no words:
every word comes from the catalogue of the language passed in (`i18n.t`). (Over 400 lines:
three formats for each of seven kinds of answer.)"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.text import Text
from rich.tree import Tree

from .i18n import date_text, t
from .models import Assessment, Determination, Step

ICON = {"true": "✓", "false": "✗", "unknown": "?"}
STYLE = {"true": "green", "false": "red", "unknown": "yellow"}
STATUS_STYLE = {
    "permitted": "bold green",
    "not_permitted": "bold red",
    "no_encoded_basis": "bold magenta",
    "depends": "bold yellow",
}
STATUS_KEY = {
    "permitted": "PERMITTED",
    "not_permitted": "NOT_PERMITTED",
    "no_encoded_basis": "NO_ENCODED_BASIS",
    "depends": "DEPENDS",
}
SHORT_KEY = {
    "permitted": "short_permitted",
    "not_permitted": "short_not_permitted",
    "no_encoded_basis": "short_no_encoded_basis",
    "depends": "short_depends",
}
LAYER_KEY = {"true": "yes_word", "false": "no_word", "unknown": "depends_word"}
VALUE_KEY = {True: "value_true", False: "value_false", None: "value_unknown"}
CLOSURE_KEY = {"true": "closure_true", "false": "closure_false", "unknown": "closure_unknown"}


def layer(value: str, lang: str) -> str:
    return t(LAYER_KEY[value], lang)


def short(status: str, lang: str) -> str:
    return t(SHORT_KEY[status], lang)


def value_word(value: bool | None, lang: str) -> str:
    return t(VALUE_KEY[value], lang)


def _demanded(step: Any, basis: str) -> str:
    """' [nsc-act/2]' after a step that another provision than the basis itself demands."""
    others = [pid for pid in getattr(step, "demanded_by", []) if pid != basis]
    return f" [{', '.join(others)}]" if others else ""


def _today(p: Any, lang: str) -> str:
    """' (today Art. 84-4: ...)' after a provision cited under the number of an earlier day."""
    today = getattr(p, "today", None)
    return f" ({t('today_numbered', lang)} {today})" if today else ""


def preamble(result: Any, lang: str = "en") -> list[tuple[str, str]]:
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
        out.append((t("encoded_to", lang, date=reach.encoded_to.isoformat()), "dim"))
    if reach.warning:
        out.append((reach.warning, "bold yellow"))
    for g in reach.gaps:
        out.append((f"{t('gap_word', lang)}: {g.title} ({g.window}): {g.note} [{g.source}]", "magenta"))
    return out


def print_preamble(result: Any, console: Console, lang: str = "en") -> None:
    for text, style in preamble(result, lang):
        console.print(Text(text, style=style))


def markdown_preamble(result: Any, lang: str = "en") -> list[str]:
    out = []
    for text, style in preamble(result, lang):
        if "reverse" in style or style == "bold yellow":
            out += [f"> **{text}**", ""]
        elif style == "magenta":
            out.append(f"- {text}")
        else:
            out += [text, ""]
    if out and out[-1] != "":
        out.append("")
    return out


def closure_text(d: Determination, lang: str) -> str:
    claims = ", ".join(f"{c.id} [{c.marker}]" for c in d.closure.claims) or "-"
    return f"{t('closure_word', lang)}: {t(CLOSURE_KEY[d.closure.closed], lang, claims=claims)}"


def status_word(d: Determination, lang: str) -> str:
    """The status in words; an undecided act that no completion of the facts permits says so."""
    if d.status == "depends" and not d.permitted_if and d.sets_complete and (d.not_permitted_if or d.outside_if):
        return t("DEPENDS_NEGATIVE", lang)
    return t(STATUS_KEY[d.status], lang)


FACT_KEY = {"true": "yes_word", "false": "no_word", "unknown": "value_unknown"}
NEG = {"true": "false", "false": "true", "unknown": "unknown"}


def shown(step: Step, lang: str = "en") -> tuple[str, str, str]:
    """Icon, text and style of a step: the icon says whether the condition holds. A fact reads
    as its short label and its value ("✓ armed attack on Japan: no" where the condition is
    that there is none); a condition 'not X' on a derived X reads as what it states."""
    icon, style = ICON[step.value], STYLE[step.value]
    if step.kind == "fact":
        value = NEG[step.value] if step.negated else step.value
        return icon, f"{step.text}: {t(FACT_KEY[value], lang)}", style
    if step.negated and step.value == "false":  # 'not X' fails because X holds: say that X holds
        return ICON["true"], step.text, STYLE["false"]
    if step.negated:
        return icon, step.reads or t("negated_true", lang, text=step.text), style
    return icon, step.text, style


def set_text(values: dict[str, bool], lang: str = "en", labels: dict[str, str] | None = None) -> str:
    return "; ".join(f"{(labels or {}).get(name, name)} = {value_word(value, lang)}" for name, value in values.items())


def _note(step: Step, lang: str) -> str:
    return f"  ({step.note})" if step.note else ""


def step_line(step: Step, rules: bool, lang: str = "en") -> str:
    icon, text, _style = shown(step, lang)
    line = f"{icon} {text}"
    if step.kind == "fact":
        line += f"  [{t('fact_kind_' + (step.fact_kind or 'world_fact'), lang)}]"
    if step.rule is not None:
        p = step.rule.provision
        line += f"  [{p.id} [{p.marker}]]"
        if rules:
            line += f"\n    {t('rule_word', lang)} ({step.rule.origin}):\n      " + step.rule.text.replace(
                "\n", "\n      "
            )
    return line + _note(step, lang)


def _tree(step: Step, node: Tree, depth: int, max_depth: int | None, rules: bool, lang: str) -> None:
    for child in step.children:
        sub = node.add(Text(step_line(child, rules, lang), style=shown(child, lang)[2]))
        if max_depth is None or depth + 1 < max_depth:
            _tree(child, sub, depth + 1, max_depth, rules, lang)
        elif child.children:
            sub.add(Text(t("see_explain", lang), style="dim"))


def explanation_tree(step: Step, max_depth: int | None = None, rules: bool = False, lang: str = "en") -> Tree:
    root = Tree(Text(step_line(step, rules, lang), style=STYLE[step.value]))
    _tree(step, root, 0, max_depth, rules, lang)
    return root


def procedure_text(b: Any, lang: str) -> str | None:
    """A basis's procedure stated positively: which required steps are done, which are not."""
    steps = [s for s in b.procedure if s.required != "false"]
    if not steps:
        return None
    done = [s for s in steps if s.done == "true"]
    if len(done) == len(steps):
        names = "; ".join(f"{s.label}{_demanded(s, b.provision.id)}" for s in steps)
        return t("procedure_all_done", lang, n=len(steps), steps=names)
    marks = "; ".join(f"{ICON[s.done]} {s.label}{_demanded(s, b.provision.id)}" for s in steps)
    return t("procedure_some_done", lang, n=len(steps), done=len(done), steps=marks)


def determination_group(d: Determination, max_depth: int | None, rules: bool, lang: str = "en") -> Group:
    parts: list = []
    head = Text()
    head.append(d.label, style="bold")
    head.append(f"  [{d.action} · {t(d.type, lang)}]", style="dim")
    parts.append(head)
    if d.summary:
        parts.append(Text(f"  {d.summary}", style=STATUS_STYLE[d.status].replace("bold ", "")))
    parts.append(Text.assemble(f"  {t('status', lang)}: ", (status_word(d, lang), STATUS_STYLE[d.status])))
    parts.append(Text(f"  {t('constitution', lang)}: {layer(d.constitutional, lang)}"))
    in_force = [b for b in d.bases if b.in_force]
    if not in_force:
        parts.append(Text(f"  {t('statute_none', lang)}"))
    for b in in_force:
        p = b.provision
        parts.append(
            Text(
                f"  {t('statute', lang)}: {p.title} [{p.marker}]{_today(p, lang)} ({p.id}): "
                f"{t('authorises', lang)}: {layer(b.authorises, lang)}"
            )
        )
        proc = procedure_text(b, lang)
        if proc:
            parts.append(Text(f"  {t('procedure_word', lang)}: {proc}"))
    for b in d.bases:
        if not b.in_force:
            parts.append(
                Text(
                    f"      {t('not_in_force', lang)}: {b.provision.id} {b.provision.title} "
                    f"({t('in_force', lang)}: {b.window})",
                    style="dim",
                )
            )
    if d.status != "permitted":
        parts.append(Text(f"  {closure_text(d, lang)}", style="magenta" if d.closure.closed != "true" else ""))
    if d.depends_on:
        parts.append(Text(f"  {t('depends_on', lang)}:", style="yellow"))
        for f in d.depends_on:
            parts.append(Text(f"    - {f.fact} ({t('fact_kind_' + f.kind, lang)}): {f.question}", style="yellow"))
        for title, sets in (
            ("permitted_if", d.permitted_if),
            ("not_permitted_if", d.not_permitted_if),
            ("outside_if", d.outside_if),
        ):
            if not sets:
                continue
            parts.append(Text(f"  {t(title, lang)}:", style="yellow"))
            for one in sets:
                parts.append(Text(f"    - {set_text(one, lang)}", style="yellow"))
        if not d.sets_complete:
            parts.append(Text("    " + t("lists_cut_json", lang), style="dim"))
    why = {"permitted": "why", "not_permitted": "why_not", "no_encoded_basis": "why_outside"}.get(d.status, "turns_on")
    parts.append(Text(f"  {t(why, lang)}:"))
    parts.append(explanation_tree(d.explanation, max_depth, rules, lang))
    return Group(*parts)


def print_text(
    assessments: Sequence[Assessment],
    console: Console,
    max_depth: int | None = 4,
    rules: bool = False,
    lang: str = "en",
) -> None:
    for a in assessments:
        console.print(
            Text.assemble(
                ("article9 ", "bold"),
                t(
                    "assessment_on",
                    lang,
                    date=a.date.isoformat(),
                    hash=a.rulebase.hash[:12],
                    version=a.rulebase.version,
                    blocks=a.rulebase.blocks,
                ),
            )
        )
        print_preamble(a, console, lang)
        console.print(Text(f"{t('scenario_word', lang)}: {a.scenario}"))
        console.print(Text(t("markers", lang), style="dim"))
        for d in a.determinations:
            console.print()
            console.print(determination_group(d, max_depth, rules, lang))
        if a.cite is not None:
            console.print()
            console.print(Text(cite_text(a, lang), style="dim"), soft_wrap=True)
        console.print()


def cite_text(a: Assessment, lang: str = "en") -> str:
    """The 'cite this' line of an answer."""
    c = a.cite
    assert c is not None
    return t("cite_line", lang, version=c.version, hash=c.rulebase, date=c.date.isoformat(), link=c.link)


def _md_tree(step: Step, depth: int, out: list[str], lang: str, rules: bool = False) -> None:
    icon, text, _style = shown(step, lang)
    indent = "  " * depth
    line = f"{indent}- {icon} {text}"
    if step.rule is not None:
        line += f" — `{step.rule.provision.id}` [{step.rule.provision.marker}] ({step.rule.origin})"
    if step.kind == "fact":
        line += f" *({t('fact_kind_' + (step.fact_kind or 'world_fact'), lang)})*"
    if step.note:
        line += f" ({step.note})"
    out.append(line)
    if rules and step.rule is not None:  # the rule as written in its law file, as a code block
        out += [
            "",
            f"{indent}  ```clingo",
            *(f"{indent}  {x}" for x in step.rule.text.split("\n")),
            f"{indent}  ```",
            "",
        ]
    for child in step.children:
        _md_tree(child, depth + 1, out, lang, rules)


def markdown(assessments: Sequence[Assessment], lang: str = "en", rules: bool = False) -> str:
    out: list[str] = []
    for a in assessments:
        out.append(f"# {t('md_assessment_on', lang, date=a.date.isoformat())}")
        out.append("")
        out += markdown_preamble(a, lang)
        out.append(f"{t('scenario_word', lang)}: {a.scenario}  ")
        out.append(
            t("md_rulebase", lang, hash=f"`{a.rulebase.hash}`", version=a.rulebase.version, blocks=a.rulebase.blocks)
        )
        for d in a.determinations:
            out += ["", f"## {d.label} (`{d.action}`, {t(d.type, lang)})", ""]
            if d.summary:
                out += [f"> {d.summary}", ""]
            out.append(f"- **{t('status', lang)}: {status_word(d, lang)}**")
            out.append(f"- {t('constitution', lang)}: {layer(d.constitutional, lang)}")
            if d.status != "permitted":
                out.append(f"- {closure_text(d, lang)}")
            for b in d.bases:
                p = b.provision
                if not b.in_force:
                    out.append(f"- {t('not_in_force', lang)}: `{p.id}` {p.title} ({t('in_force', lang)}: {b.window})")
                    continue
                out.append(
                    f"- {t('statute', lang)}: {p.title} [{p.marker}]{_today(p, lang)} (`{p.id}`): "
                    f"{t('authorises', lang)}: {layer(b.authorises, lang)}"
                )
                proc = procedure_text(b, lang)
                if proc:
                    out.append(f"  - {t('procedure_word', lang)}: {proc}")
            for f in d.depends_on:
                out.append(f"- {t('depends_on', lang)} `{f.fact}` ({t('fact_kind_' + f.kind, lang)}): {f.question}")
            for title, sets in (
                ("permitted_if_short", d.permitted_if),
                ("not_permitted_if_short", d.not_permitted_if),
                ("outside_if_short", d.outside_if),
            ):
                for one in sets:
                    out.append(f"- {t(title, lang)}: {set_text(one, lang)}")
            out += ["", f"{t('explanation_word', lang)}:", ""]
            _md_tree(d.explanation, 0, out, lang, rules)
        if a.cite is not None:
            out += ["", cite_text(a, lang)]
        out.append("")
    return "\n".join(out)


def _cell_text(cell: Any, lang: str) -> str:
    text = short(cell.status, lang)
    if cell.bases:
        text += f"\n{t('under', lang)}: " + ", ".join(cell.bases)
    text += f"\n{t('constitutional_short', lang)}: {layer(cell.constitutional, lang)}"
    if cell.procedure:
        text += f"\n{t('needs', lang)}: " + "; ".join(cell.procedure)
    for title, sets in (
        ("permitted_if_short", cell.permitted_if),
        ("not_permitted_if_short", cell.not_permitted_if),
        ("outside_if_short", cell.outside_if),
    ):
        if sets:
            text += f"\n{t(title, lang)}: " + " | ".join(set_text(one, lang) for one in sets)
    return text


def _what(row: Any, ch: Any, lang: str) -> str:
    """The kind of change between two compared dates, in the chosen language."""
    a = next(c for c in row.cells if c.date == ch.from_date)
    b = next(c for c in row.cells if c.date == ch.to_date)
    if a.status != b.status:
        return t("status_change", lang, a=short(a.status, lang), b=short(b.status, lang))
    if a.bases != b.bases:
        return t("basis_change", lang, a=", ".join(a.bases) or "-", b=", ".join(b.bases) or "-")
    return t("layer_change", lang, a=layer(a.constitutional, lang), b=layer(b.constitutional, lang))


def print_comparison(result: Any, console: Console, lang: str = "en") -> None:
    from rich.table import Table

    console.print(Text.assemble(("article9 ", "bold"), f"{t('comparison', lang)} · {result.scenario}"))
    print_preamble(result, console, lang)
    table = Table(show_lines=True)
    table.add_column(t("action_word", lang))
    for d in result.dates:
        table.add_column(f"{d.isoformat()}\n{result.rulebase_hashes[d.isoformat()][:12]}")
    for row in result.rows:
        table.add_row(
            Text(f"{row.label}\n[{row.action}]"),
            *(Text(_cell_text(c, lang), style=STATUS_STYLE[c.status].replace("bold ", "")) for c in row.cells),
        )
    console.print(table)
    for row in result.rows:
        for ch in row.changes:
            console.print(
                Text(
                    t(
                        "changed_between",
                        lang,
                        action=row.action,
                        d1=ch.from_date,
                        d2=ch.to_date,
                        what=_what(row, ch, lang),
                    ),
                    style="bold",
                )
            )
            for p in ch.provisions:
                console.print(Text(f"  {p.provision.id} [{p.provision.marker}] {p.provision.title}: {p.change}"))


def comparison_markdown(result: Any, lang: str = "en") -> str:
    out = [f"# {t('md_comparison', lang, scenario=result.scenario)}", "", *markdown_preamble(result, lang)]
    out.append(f"| {t('action_word', lang)} | " + " | ".join(d.isoformat() for d in result.dates) + " |")
    out.append("|---|" + "---|" * len(result.dates))
    for row in result.rows:
        cells = [_cell_text(c, lang).replace("\n", "<br>") for c in row.cells]
        out.append(f"| {row.label} (`{row.action}`) | " + " | ".join(cells) + " |")
    out += ["", f"## {t('md_what_changed', lang)}", ""]
    for row in result.rows:
        for ch in row.changes:
            out.append(f"- `{row.action}` {ch.from_date} → {ch.to_date}: {_what(row, ch, lang)}")
            out += [
                f"  - `{p.provision.id}` [{p.provision.marker}] {p.provision.title}: {p.change}" for p in ch.provisions
            ]
    return "\n".join(out) + "\n"


def _change_line(ch: Any, lang: str) -> str:
    return t(
        "fact_change", lang, reads=ch.reads, fact=ch.fact, old=value_word(ch.old, lang), new=value_word(ch.new, lang)
    )


def print_whatif(result: Any, console: Console, lang: str = "en") -> None:
    console.print(
        Text.assemble(
            ("article9 ", "bold"),
            t(
                "whatif_head",
                lang,
                scenario=result.scenario,
                action=result.action,
                date=result.date.isoformat(),
                now=short(result.status, lang),
                target=short(result.target, lang),
            ),
        )
    )
    print_preamble(result, console, lang)
    if not result.alternatives:
        console.print(Text("  " + t("whatif_none", lang, n=result.max_changes), style="yellow"))
    for i, alt in enumerate(result.alternatives, 1):
        console.print()
        console.print(
            Text(t("whatif_item", lang, i=i, n=len(alt.changes), status=short(alt.status, lang)), style="bold")
        )
        for ch in alt.changes:
            console.print(Text(f"   - {_change_line(ch, lang)}"))
        console.print(explanation_tree(alt.explanation, max_depth=3, lang=lang))
    if not result.complete:
        console.print(Text(t("whatif_cut", lang), style="dim"))
    if result.wait_until is not None:
        console.print()
        console.print(Text(wait_text(result, lang), style="bold"))


def wait_text(result: Any, lang: str = "en") -> str:
    """'Or wait until 29 March 2016, when ... took effect.'"""
    w = result.wait_until
    names = t("and_word", lang).join(p.title for p in w.provisions)
    key = "whatif_wait_for" if names else "whatif_wait"
    return t(key, lang, date=date_text(w.date, lang), target=short(result.target, lang), provisions=names)


def whatif_markdown(result: Any, lang: str = "en") -> str:
    out = [
        f"# {t('md_whatif', lang, scenario=result.scenario)}",
        "",
        *markdown_preamble(result, lang),
        t(
            "md_whatif_intro",
            lang,
            action=f"`{result.action}`",
            date=result.date.isoformat(),
            now=short(result.status, lang),
            target=short(result.target, lang),
        ),
        "",
    ]
    if not result.alternatives:
        out.append(t("whatif_none", lang, n=result.max_changes))
    for i, alt in enumerate(result.alternatives, 1):
        out.append(
            f"{i}. {t('whatif_item_md', lang, n=len(alt.changes), status=short(alt.status, lang))} "
            + "; ".join(_change_line(ch, lang) for ch in alt.changes)
        )
    if result.wait_until is not None:
        out += ["", wait_text(result, lang)]
    return "\n".join(out) + "\n"


def _share(count: int, facts: int, lang: str) -> str:
    return t("diff_share", lang, count=count, n=facts, share=f"{count / 2**facts:.4%}")


def print_diff(result: Any, console: Console, lang: str = "en") -> None:
    console.print(
        Text.assemble(
            ("article9 ", "bold"),
            t("diff_head", lang, d1=result.from_date.isoformat(), d2=result.to_date.isoformat(), n=result.facts),
        )
    )
    print_preamble(result, console, lang)
    if not result.rows:
        console.print(t("diff_none", lang))
    for row in result.rows:
        console.print()
        console.print(Text(f"{row.label}  [{row.action}]", style="bold"))
        for title, sets, count in (
            (t("diff_gained", lang, d1=result.from_date, d2=result.to_date), row.gained, row.gained_count),
            (t("diff_lost", lang, d1=result.from_date, d2=result.to_date), row.lost, row.lost_count),
        ):
            if sets:
                console.print(
                    Text(f"  {title}: {_share(count, result.facts, lang)}, {t('exactly_when', lang)}:", style="yellow")
                )
                for one in sets:
                    console.print(Text(f"    - {set_text(one, lang)}"))
        for p in row.provisions:
            console.print(
                Text(
                    f"  {t('changed_provision', lang)}: {p.provision.id} [{p.provision.marker}] "
                    f"{p.provision.title}: {p.change}",
                    style="dim",
                )
            )
        if row.gaps:
            console.print(Text(f"  {t('gap_word', lang)}: {', '.join(row.gaps)}", style="magenta"))
        if not row.complete:
            console.print(Text("  " + t("lists_cut", lang), style="dim"))
    if result.unchanged:
        console.print()
        console.print(Text(f"{t('unchanged_all', lang)}: " + ", ".join(result.unchanged)))


def diff_markdown(result: Any, lang: str = "en") -> str:
    out = [
        f"# {t('md_diff', lang, d1=result.from_date.isoformat(), d2=result.to_date.isoformat())}",
        "",
        *markdown_preamble(result, lang),
    ]
    for row in result.rows:
        out += [f"## {row.label} (`{row.action}`)", ""]
        for title, sets, count in (
            (t("diff_gained", lang, d1=result.from_date, d2=result.to_date), row.gained, row.gained_count),
            (t("diff_lost", lang, d1=result.from_date, d2=result.to_date), row.lost, row.lost_count),
        ):
            if sets:
                out.append(f"- {title}: {_share(count, result.facts, lang)}, {t('exactly_when', lang)}:")
                out += [f"  - {set_text(one, lang)}" for one in sets]
        out += [
            f"- {t('changed_provision', lang)}: `{p.provision.id}` [{p.provision.marker}]: {p.change}"
            for p in row.provisions
        ]
        out += [f"- {t('gap_word', lang)}: `{g}`" for g in row.gaps]
        out.append("")
    if result.unchanged:
        out.append(f"{t('unchanged_all', lang)}: " + ", ".join(f"`{a}`" for a in result.unchanged))
    return "\n".join(out) + "\n"


def route(name: str, lang: str) -> str:
    return t(f"route_{name}", lang)


def _pathways_lines(result: Any, lang: str) -> list[str]:
    out = [
        t("routes_considered", lang, routes=", ".join(route(r, lang) for r in result.routes_considered)),
        t("seats_as_after", lang),
    ]
    if result.referendum_window:
        first, last = result.referendum_window
        out.append(
            t("referendum_window", lang, date=result.date.isoformat(), first=first.isoformat(), last=last.isoformat())
        )
    for r in result.results:
        out.append("")
        out.append(f"{r.name}" + (f": {', '.join(r.parties)}" if r.parties else ""))
        if r.counted_as:
            out.append(f"  {t('counted_as', lang)}: {r.counted_as}")
        if r.note:
            out.append(f"  {t('note_word', lang)}: {r.note}")
        for h in r.houses:
            needs = "; ".join(
                t("need_short", lang, need=t(f"need_{k}", lang), seats=v, short=h.shortfall[k])
                if h.shortfall[k]
                else t("need_met", lang, need=t(f"need_{k}", lang), seats=v)
                for k, v in sorted(h.needs.items())
            )
            out.append(
                "  "
                + t("house_line", lang, house=h.house, election=h.election, size=h.size, seats=h.seats, needs=needs)
            )
        if r.houses:
            opened = "; ".join(route(x, lang) for x in r.routes_open) or t("no_route_open", lang)
            out.append(f"  {t('open_word', lang)}: {opened}")
        for sw in r.switches:
            effect = "; ".join(
                [t("opens", lang, route=route(x, lang)) for x in sw.opens]
                + [t("closes", lang, route=route(x, lang)) for x in sw.closes]
            )
            out.append("  " + t(f"if_party_{sw.move}", lang, party=sw.party, effect=effect))
    return out


def print_pathways(result: Any, console: Console, lang: str = "en") -> None:
    console.print(Text.assemble(("article9 ", "bold"), t("pathways_on", lang, date=result.date.isoformat())))
    for line in _pathways_lines(result, lang):
        console.print(Text(line))


def pathways_markdown(result: Any, lang: str = "en") -> str:
    return (
        f"# {t('md_pathways_on', lang, date=result.date.isoformat())}\n\n"
        + "\n".join(f"    {line}" if line.startswith("  ") else line for line in _pathways_lines(result, lang))
        + "\n"
    )


def _history_lines(result: Any, lang: str) -> list[str]:
    out = [t("history_head", lang), t("history_head_2", lang)]
    for r in result.changes:
        line = f"  {r.date.isoformat()} {r.what} [{route(r.route, lang)}; {', '.join(r.sources)}]"
        if r.arithmetic is None:
            line += t("before_seat_data", lang)
        else:
            seats = ", ".join(f"{h.house} {h.seats}/{h.size}" for h in r.arithmetic.houses)
            line += t(
                "coalition_held",
                lang,
                parties=", ".join(r.arithmetic.parties),
                seats=seats,
                enough=t("enough" if r.route_open else "not_enough", lang),
            )
        out.append(line)
    out += ["", t("camp_head", lang)]
    for r in result.amendment_camp:
        camp = (
            t("no_tally", lang)
            if r.camp is None
            else t("camp_line", lang, camp=r.camp, outlet=r.outlet, needs=r.needs)
            + t("reached" if r.reached else "short_of", lang)
        )
        out.append(f"  {r.date.isoformat()} {r.election}: {camp}")
    return out


def print_history(result: Any, console: Console, lang: str = "en") -> None:
    for line in _history_lines(result, lang):
        console.print(Text(line))


def history_markdown(result: Any, lang: str = "en") -> str:
    return (
        f"# {t('md_history', lang)}\n\n"
        + "\n".join(
            line.strip() and (f"- {line.strip()}" if line.startswith("  ") else line)
            for line in _history_lines(result, lang)
        )
        + "\n"
    )


def to_json(assessments: Sequence[Assessment]) -> str:
    return json.dumps(
        [a.model_dump(mode="json", by_alias=True, exclude_none=True) for a in assessments],
        ensure_ascii=False,
        indent=2,
    )


def assessment_html(a: Assessment, lang: str = "en") -> str:
    """A compact table for Jupyter: one row per action."""
    from html import escape

    colour = {"permitted": "#1a7f37", "not_permitted": "#cf222e", "no_encoded_basis": "#6e40c9", "depends": "#9a6700"}
    rows = []
    for d in a.determinations:
        lawful = ", ".join(b.provision.id for b in d.bases if b.lawful != "false") or "-"
        sets = "<br>".join(
            f"{escape(t(title, lang))}: " + escape(set_text(one, lang))
            for title, group in (("permitted_if_short", d.permitted_if), ("not_permitted_if_short", d.not_permitted_if))
            for one in group
        )
        rows.append(
            f"<tr><td>{escape(d.label)}<br><code>{escape(d.action)}</code></td>"
            f"<td style='color:{colour[d.status]};font-weight:bold'>{escape(short(d.status, lang))}</td>"
            f"<td>{escape(d.summary or '')}</td>"
            f"<td>{escape(layer(d.constitutional, lang))}</td><td>{escape(lawful)}</td><td>{sets}</td></tr>"
        )
    head = "".join(
        f"<th>{escape(t(k, lang))}</th>"
        for k in ("action_word", "status", "summary_word", "constitutional_short", "under", "depends_on")
    )
    return (
        f"<div><b>article9</b> {escape(t('md_assessment_on', lang, date=a.date.isoformat()))} · {escape(a.scenario)} · "
        f"<code>{a.rulebase.hash[:12]}</code>"
        f"<table><tr>{head}</tr>"
        + "".join(rows)
        + "</table>"
        + (
            f"<p>{escape(cite_text(a, lang).removesuffix(a.cite.link))}"
            f"<a href='{escape(a.cite.link)}'>{escape(a.cite.link)}</a></p>"
            if a.cite is not None
            else ""
        )
        + "</div>"
    )


def comparison_html(result: Any, lang: str = "en") -> str:
    from html import escape

    head = f"<th>{escape(t('action_word', lang))}</th>" + "".join(f"<th>{d.isoformat()}</th>" for d in result.dates)
    rows = "".join(
        f"<tr><td>{escape(row.label)}<br><code>{escape(row.action)}</code></td>"
        + "".join(f"<td>{escape(_cell_text(c, lang)).replace(chr(10), '<br>')}</td>" for c in row.cells)
        + "</tr>"
        for row in result.rows
    )
    return f"<div><b>article9</b> {escape(t('md_comparison', lang, scenario=result.scenario))}<table><tr>{head}</tr>{rows}</table></div>"


def whatif_html(result: Any, lang: str = "en") -> str:
    from html import escape

    items = "".join(
        f"<li>{escape(t('whatif_item_md', lang, n=len(alt.changes), status=short(alt.status, lang)))} "
        + escape("; ".join(_change_line(ch, lang) for ch in alt.changes))
        + "</li>"
        for alt in result.alternatives
    )
    intro = t(
        "md_whatif_intro",
        lang,
        action=result.action,
        date=result.date.isoformat(),
        now=short(result.status, lang),
        target=short(result.target, lang),
    )
    return f"<div><b>article9</b> {escape(intro)}<ol>{items}</ol></div>"
