"""The command line: a thin face over the engine. Exit codes: 0 answered; 1 an answer
differs from the scenario's expectations (assess --check); 2 invalid input; 3 invalid
rule base; 4 a solver call ran past its time limit; 70 internal error."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .errors import Article9Error, InputError, one_line

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Japan's law on the use of force and SDF operations, executable. "
    "Assess a scenario on a date; see why; read the law behind it.",
)
# On a terminal Rich fits the width; piped output keeps long lines whole for grep and diff.
console = Console(width=None if sys.stdout.isatty() else 200)
_state: dict[str, Path | None] = {"law_dir": None, "log": None}


class Format(StrEnum):
    text = "text"
    json = "json"
    md = "md"


class SchemaKind(StrEnum):
    scenario = "scenario"
    assessment = "assessment"
    playbook = "playbook"
    playbook_result = "playbook-result"


Lang = Annotated[str, typer.Option("--lang", help="Language of the answer: en or ja.")]
Fmt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def _show(result, fmt: Format, markdown, text) -> None:  # noqa: ANN001 - one place for the three formats
    if fmt is Format.json:
        typer.echo(
            json.dumps(result.model_dump(mode="json", by_alias=True, exclude_none=True), ensure_ascii=False, indent=2)
        )
    elif fmt is Format.md:
        typer.echo(markdown(result))
    else:
        text(result, console)


Reform = Annotated[
    Path | None,
    typer.Option("--reform", help="A hypothetical-regime law file that adds, replaces or repeals provisions."),
]


def _rulebase(reform: Path | None = None):  # noqa: ANN202
    from .corpus import load_rulebase

    rb = load_rulebase(_state["law_dir"])
    if reform is not None:
        from .reform import load_reform

        rb = load_reform(rb, reform)
    return rb


def _engine(reform: Path | None = None):  # noqa: ANN202 - lazy import keeps start-up fast
    from .engine import Engine

    return Engine(_rulebase(reform))


def _open_scenario(file: Path, lang: str, reform: Path | None):  # noqa: ANN202 - lazy imports
    """Set the language, build the engine (with any reform) and load the scenario against its vocabulary."""
    from .scenario import load_scenario

    _set_lang(lang)
    engine = _engine(reform)
    return engine, load_scenario(file, engine.rb)


def _set_lang(lang: str) -> None:
    from . import render

    if lang not in ("en", "ja"):
        raise InputError(f"--lang must be en or ja (got '{lang}')")
    render.LANG["value"] = lang


def _dates(values: list[str] | None, fallback: list[dt.date]) -> list[dt.date]:
    from .scenario import parse_date

    if values:
        return [parse_date(v, "--date") for v in values]
    return fallback or [dt.date.today()]


def _version(value: bool) -> None:
    """--version: the package version, the date the law is encoded to and the rule-base hash."""
    if not value:
        return
    from . import __version__
    from .corpus import load_rulebase

    rb = load_rulebase()
    to = rb.reach.encoded_to
    typer.echo(f"article9 {__version__}")
    typer.echo(f"law encoded and checked up to {to.isoformat() if to else 'no date declared'}")
    typer.echo(f"rule base {rb.full_hash()} (every block of every date, the vocabulary and law/reach.yaml)")
    raise typer.Exit(0)


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Print the package version, the date the law is encoded to and the rule-base hash.",
        ),
    ] = False,
    law_dir: Annotated[
        Path | None,
        typer.Option("--law-dir", help="Use the law files in this folder instead of the packaged law."),
    ] = None,
    log: Annotated[
        Path | None,
        typer.Option(
            "--log",
            help="Append every assessment (scenario, answer, rule-base hash) to this SQLite decision log; "
            "see 'article9 replay'.",
        ),
    ] = None,
) -> None:
    _state["law_dir"] = law_dir
    _state["log"] = log


def _record(engine, scenario, results, source: str) -> None:  # noqa: ANN001 - lazy imports
    """Append the assessments to the decision log, when --log was given."""
    if _state.get("log") is None:
        return
    from .audit import DecisionLog

    log = DecisionLog(_state["log"])
    try:
        for result in results:
            log.record(engine.rb, scenario, result, source)
    finally:
        log.close()


@app.command()
def assess(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).")],
    date: Annotated[
        list[str] | None, typer.Option("--date", "-d", help="Date to assess (YYYY-MM-DD); repeatable.")
    ] = None,
    action: Annotated[list[str] | None, typer.Option("--action", "-a", help="Action to assess; repeatable.")] = None,
    fmt: Fmt = Format.text,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if an answer differs from the file's 'expect' section.")
    ] = False,
    lang: Lang = "en",
    reform: Reform = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain/--no-explain",
            help="Build the explanation trees (the default; text and md always show them). "
            "--no-explain leaves them out of the JSON output.",
        ),
    ] = True,
) -> None:
    """Assess every action (or the chosen ones) of a scenario on one or more dates."""
    from .expect import mismatches

    engine, scenario = _open_scenario(file, lang, reform)
    days = _dates(date, scenario.dates)
    trees = explain or fmt is not Format.json
    results = [engine.assess(scenario, d, action or None, lang=lang, explain=trees) for d in days]
    _record(engine, scenario, results, "cli assess")
    _emit(results, fmt, max_depth=6)
    if check:
        problems = [m for r in results if r.date in scenario.expect for m in mismatches(r, scenario.expect[r.date])]
        for p in problems:
            typer.echo(f"mismatch: {p}", err=True)
        if problems:
            raise typer.Exit(1)


@app.command()
def explain(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).")],
    action: Annotated[str, typer.Argument(help="The action to explain (see 'article9 vocab').")],
    date: Annotated[str | None, typer.Option("--date", "-d", help="Date (YYYY-MM-DD).")] = None,
    fmt: Fmt = Format.text,
    lang: Lang = "en",
    reform: Reform = None,
) -> None:
    """Explain one action's answer in full: every step, its rule and its provision."""

    engine, scenario = _open_scenario(file, lang, reform)
    day = _dates([date] if date else None, scenario.dates)[0]
    result = engine.assess(scenario, day, [action], lang=lang)
    _record(engine, scenario, [result], "cli explain")
    _emit([result], fmt, max_depth=None, rules=True)


def _emit(results: list, fmt: Format, max_depth: int | None, rules: bool = False) -> None:
    from . import render

    if fmt is Format.json:
        typer.echo(render.to_json(results))
    elif fmt is Format.md:
        typer.echo(render.markdown(results))
    else:
        render.print_text(results, console, max_depth=max_depth, rules=rules)


@app.command()
def whatif(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).")],
    action: Annotated[str, typer.Argument(help="The action (see 'article9 vocab').")],
    date: Annotated[str | None, typer.Option("--date", "-d", help="Date (YYYY-MM-DD).")] = None,
    max_changes: Annotated[int, typer.Option("--max-changes", help="Largest set of changes to try (1-6).")] = 3,
    fmt: Fmt = Format.text,
    lang: Lang = "en",
    reform: Reform = None,
) -> None:
    """The smallest changes to the scenario's known facts that would flip the answer, smallest first."""
    from . import render

    engine, scenario = _open_scenario(file, lang, reform)
    day = _dates([date] if date else None, scenario.dates)[0]
    result = engine.whatif(scenario, action, day, max_changes=max_changes, lang=lang)
    _show(result, fmt, render.whatif_markdown, render.print_whatif)


@app.command()
def interview(
    action: Annotated[
        list[str] | None, typer.Option("--action", "-a", help="Action to decide; repeatable (default: all).")
    ] = None,
    date: Annotated[str | None, typer.Option("--date", "-d", help="Date (YYYY-MM-DD); default today.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language: en or ja.")] = "en",
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to save the scenario.")] = Path("interview.yaml"),
) -> None:
    """Answer only the questions that can still change the outcome; saves a scenario file."""
    import yaml

    from .engine import check_action
    from .i18n import BACK, NO, QUIT, UNKNOWN, YES, t
    from .interview import next_question
    from .models import Scenario
    from .scenario import parse_date

    if lang not in ("en", "ja"):
        raise InputError(f"--lang must be en or ja (got '{lang}')")
    if out.is_dir():  # found now, not after every question has been answered
        raise InputError(f"--out {out}: is a folder; give a file name")
    if not out.parent.is_dir():
        raise InputError(f"--out {out}: no such folder {str(out.parent)!r}")
    engine = _engine()
    v = engine.rb.vocabulary
    actions = list(action or v.actions)
    for a in actions:
        check_action(engine.rb, a)
    day = parse_date(date, "--date") if date else __import__("datetime").date.today()
    facts: dict[str, bool | None] = {}
    history: list[str] = []

    def show(title: str) -> None:
        result = engine.assess(Scenario(title="interview", facts=facts), day, actions)
        console.print(title, highlight=False)
        for d in result.determinations:
            label = getattr(v.actions[d.action].label, lang)
            console.print(f"  {label}: {t(d.status, lang)}", highlight=False, markup=False)

    console.print(t("interview_title", lang, date=day.isoformat()), highlight=False)
    from types import SimpleNamespace

    from . import render

    render.LANG["value"] = lang
    render.print_preamble(
        SimpleNamespace(regime=engine.regime(lang), reach=engine.reach([day], actions, lang)), console
    )
    console.print(t("answers_help", lang), highlight=False)
    quit_early = False
    while True:
        fact = next_question(engine, Scenario(title="interview", facts=facts), actions, day, set(history))
        if fact is None:
            console.print(t("no_more", lang), highlight=False)
            show(t("final", lang))
            break
        f = v.facts[fact]
        console.print(
            f"\n{t('question', lang, n=len(history) + 1)} [{fact}]: {getattr(f.question, lang)}",
            highlight=False,
            markup=False,
        )
        console.print(f"  ({t('help', lang)}: {getattr(f.help, lang)})", highlight=False, markup=False, style="dim")
        try:
            answer = input("> ").strip().lower()
        except EOFError:
            answer = "q"
        if answer in QUIT:
            quit_early = True
            break
        if answer in BACK:
            if history:
                facts.pop(history.pop(), None)
            else:
                console.print(t("nothing_to_undo", lang), highlight=False)
            continue
        if answer not in YES | NO | UNKNOWN:
            console.print(t("bad_answer", lang), highlight=False)
            continue
        value = True if answer in YES else (False if answer in NO else None)
        from .reach import contradiction_text, violated

        clash = violated(engine.rb.reach.constraints, {**facts, fact: value})
        if clash:  # contradicts an earlier answer: say so and ask again
            from .i18n import translate_error

            console.print(translate_error(contradiction_text(clash[0]), lang), highlight=False, markup=False)
            continue
        facts[fact] = value
        history.append(fact)
        show(t("provisional", lang))
    data = {
        "title": f"Interview of {day.isoformat()}",
        "description": "Saved by article9 interview.",
        "dates": [day.isoformat()],
        "actions": actions if action else [],
        "facts": {k: ("unknown" if val is None else val) for k, val in facts.items()},
    }
    if quit_early and out.exists():  # stopped (or end of input): never overwrite an earlier file unasked
        raise InputError(f"--out {out}: exists; the interview stopped early and was not saved over it")
    try:
        out.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--out {out}: cannot write: {exc.strerror or exc}") from None
    console.print(t("saved", lang, path=str(out)), highlight=False, markup=False)


@app.command()
def diff(
    from_date: Annotated[str, typer.Option("--from", help="Earlier date (YYYY-MM-DD).")],
    to_date: Annotated[str, typer.Option("--to", help="Later date (YYYY-MM-DD).")],
    action: Annotated[list[str] | None, typer.Option("--action", "-a", help="Only this action; repeatable.")] = None,
    fmt: Fmt = Format.text,
    lang: Lang = "en",
    reform: Reform = None,
) -> None:
    """Every combination of facts whose answer differs between two dates, as minimal sets of conditions, with counts."""
    from . import render
    from .reasoning import diff as run_diff
    from .scenario import parse_date

    _set_lang(lang)
    engine = _engine(reform)
    result = run_diff(engine, parse_date(from_date, "--from"), parse_date(to_date, "--to"), action or None, lang=lang)
    _show(result, fmt, render.diff_markdown, render.print_diff)


@app.command()
def compare(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).")],
    date: Annotated[
        list[str] | None,
        typer.Option("--date", "-d", help="Dates to compare (two or more); default: the file's dates."),
    ] = None,
    action: Annotated[list[str] | None, typer.Option("--action", "-a", help="Action to compare; repeatable.")] = None,
    fmt: Fmt = Format.text,
    lang: Lang = "en",
    reform: Reform = None,
) -> None:
    """Compare a scenario's answers across dates, naming the provisions whose change made each difference."""
    from . import render

    engine, scenario = _open_scenario(file, lang, reform)
    days = _dates(date, scenario.dates)
    result = engine.compare(
        scenario, days, action or None, lang=lang, on_result=lambda r: _record(engine, scenario, [r], "cli compare")
    )
    _show(result, fmt, render.comparison_markdown, render.print_comparison)


@app.command()
def playbook(
    file: Annotated[Path, typer.Argument(help="Playbook file (YAML or JSON): a crisis as dated steps.")],
    fmt: Fmt = Format.text,
    svg: Annotated[
        Path | None,
        typer.Option("--svg", help="Also draw the steps against the actions as SVG (needs the charts extra)."),
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if a status differs from a step's 'expect'.")] = False,
    lang: Lang = "en",
    reform: Reform = None,
) -> None:
    """Play a crisis step by step: per step and action the status, what changed it, the
    procedure steps still to take and by whom, and the fewest next facts that would open it."""
    from . import playbook_render
    from .playbook import load_playbook, run

    _set_lang(lang)
    engine = _engine(reform)
    result = run(engine, load_playbook(file, engine.rb))
    if fmt is Format.json:
        typer.echo(result.model_dump_json(by_alias=True, indent=2))
    elif fmt is Format.md:
        typer.echo(playbook_render.markdown(result, engine.rb, lang), nl=False)
    else:
        typer.echo(playbook_render.text(result, engine.rb, lang), nl=False)
    if svg is not None:
        from .charts import playbook_svg

        svg.write_text(playbook_svg(result, engine.rb, lang), encoding="utf-8")
        typer.echo(f"wrote {svg}", err=True)
    if check:
        for m in result.mismatches:
            typer.echo(f"mismatch: {m}", err=True)
        if result.mismatches:
            raise typer.Exit(1)


@app.command()
def pathways(
    date: Annotated[
        str | None,
        typer.Option("--date", "-d", help="Date (YYYY-MM-DD), from the first election in the data (2009-08-30)."),
    ] = None,
    support: Annotated[
        list[str] | None, typer.Option("--support", "-s", help="A supporting party (data key, e.g. LDP); repeatable.")
    ] = None,
    without: Annotated[
        list[str] | None, typer.Option("--without", help="Drop this party from the governing coalition; repeatable.")
    ] = None,
    change: Annotated[str, typer.Option("--change", help="interpretation, statute, amendment or all.")] = "all",
    history: Annotated[
        bool,
        typer.Option(
            "--history",
            help="Each change in the law with its route and Diet arithmetic; the amendment camp after each election.",
        ),
    ] = False,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Write an SVG chart of seats against thresholds over time.")
    ] = None,
    fmt: Fmt = Format.text,
) -> None:
    """Which routes to change the law are arithmetically open on a date: seats each house has and needs, shortfalls, and what one party switching would do."""
    from . import render
    from .diet import pathways as run
    from .scenario import parse_date

    if chart is not None:
        from .diet import chart_svg, check_parties

        check_parties(list(support or []))
        chart.write_text(chart_svg(list(support or []) or None), encoding="utf-8")
        console.print(f"wrote {chart}", highlight=False)
        return
    if history:
        from .diet import history as run_history

        _show(run_history(), fmt, render.history_markdown, render.print_history)
        return
    if date is None:
        raise InputError("give --date (or --history, or --chart FILE)")
    result = run(parse_date(date, "--date"), support or None, without or None, change)
    _show(result, fmt, render.pathways_markdown, render.print_pathways)


@app.command()
def batch(
    source: Annotated[
        Path,
        typer.Argument(
            help="Scenarios: CSV or JSON Lines, one per row, columns = fact names (empty = unknown), optional 'id'."
        ),
    ],
    target: Annotated[Path, typer.Argument(help="Output: CSV or JSON Lines (row, id, date, action, status, basis).")],
    date: Annotated[
        list[str] | None, typer.Option("--date", "-d", help="Date to assess; repeatable (default today).")
    ] = None,
    action: Annotated[
        list[str] | None, typer.Option("--action", "-a", help="Action; repeatable (default all).")
    ] = None,
    on_error: Annotated[str, typer.Option("--on-error", help="skip or fail on a bad row.")] = "fail",
    chunk: Annotated[int, typer.Option("--chunk", help="Rows per chunk (bounded memory).")] = 50_000,
    dask: Annotated[
        str | None, typer.Option("--dask", help="Address of a Dask scheduler (needs the dask extra).")
    ] = None,
    reform: Reform = None,
    wide: Annotated[
        bool,
        typer.Option(
            "--wide",
            help="One row per scenario and date, with columns A, A.basis and A.deciding (the facts it turns on) "
            "for each action A; default: one row per scenario, date and action.",
        ),
    ] = False,
) -> None:
    """Assess many scenarios from a file: fully known rows by the compiled evaluator, others by the compiled deciding sets."""
    from .batch import run_batch

    engine = _engine(reform)
    days = _dates(date, [])
    if chunk < 1:
        raise InputError("--chunk must be at least 1")
    client = None  # a Dask client when --dask is given
    if dask is not None:
        if reform is not None or _state.get("law_dir") is not None:
            raise InputError("--dask runs the packaged law only; --reform and --law-dir cannot be combined with it")
        try:
            from distributed import Client
        except ImportError:
            raise InputError("--dask needs the dask extra: pip install 'article9[dask]'") from None
        try:
            client = Client(dask, timeout=10)
        except OSError as exc:
            raise InputError(f"--dask: cannot reach the scheduler at {dask} ({exc})") from None
    try:
        if sys.stderr.isatty():
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                task = bar.add_task("assessing", total=None)
                counts = run_batch(
                    engine,
                    source,
                    target,
                    days,
                    action or None,
                    on_error,
                    chunk,
                    progress=lambda n: bar.advance(task, n),
                    dask_client=client,
                    wide=wide,
                )
        else:
            counts = run_batch(
                engine, source, target, days, action or None, on_error, chunk, dask_client=client, wide=wide
            )
    finally:
        if client is not None:
            client.close()
    for message in counts.pop("error_messages"):
        typer.echo(f"skipped: {message}", err=True)
    typer.echo(
        f"{counts['rows']} rows on {len(days)} date(s): {counts['compiled']} by the compiled evaluator, "
        f"{counts['deciding']} by the compiled deciding sets, {counts['solver']} by the solver; "
        f"{counts['skipped']} skipped; written to {target}",
        err=True,
    )
    # the output has one status per row: the regime, the law's reach and its gaps go to stderr
    from types import SimpleNamespace

    from .render import preamble

    names = action or list(engine.rb.vocabulary.actions)
    for text, _style in preamble(SimpleNamespace(regime=engine.regime(), reach=engine.reach(days, names))):
        typer.echo(text, err=True)


@app.command()
def replay(
    log: Annotated[Path, typer.Argument(help="A decision log written with --log.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    reform: Reform = None,
) -> None:
    """Assess every logged decision again with the current law; report the answers that now
    differ and the changed provisions behind each (exit 1 when any differ)."""
    from dataclasses import asdict

    from .audit import replay as run_replay

    report = run_replay(_engine(reform), log)
    if as_json:
        typer.echo(json.dumps(asdict(report), ensure_ascii=False, indent=2))
    else:
        typer.echo(
            f"{report.decisions} logged decisions, {report.answers} answers: {report.same} the same, "
            f"{len(report.differences)} different."
        )
        if report.old_rulebases:
            typer.echo(
                f"logged under {len(report.old_rulebases)} rule base(s) that differ from the current one: "
                + ", ".join(h[:12] for h in report.old_rulebases)
            )
        for d in report.differences:  # logged text is shown with control characters escaped
            was = f"{d.was.get('status', '?')} ({', '.join(d.was.get('lawful', [])) or 'no lawful basis'})"
            now = f"{d.now.get('status', '?')} ({', '.join(d.now.get('lawful', [])) or 'no lawful basis'})"
            typer.echo(one_line(f"decision {d.decision} ({d.logged_at}), {d.scenario!r} on {d.date}, {d.action}:"))
            typer.echo(one_line(f"  was {was}; now {now}"))
            for c in d.changed:
                typer.echo(one_line(f"  changed: {c['provision']}: {c['change']}"))
            if not d.traced:
                typer.echo("  (no changed provision is cited by either answer; all changes on that date are listed)")
    if report.differences:
        raise typer.Exit(1)


@app.command()
def vocab(
    as_json: Annotated[bool, typer.Option("--json", help="Print the vocabulary as JSON.")] = False,
    lang: Annotated[str, typer.Option("--lang", help="Language of labels: en or ja.")] = "en",
) -> None:
    """List the facts, actions, situations and procedures the rules know."""
    from .corpus import load_rulebase

    if lang not in ("en", "ja"):
        raise InputError(f"--lang must be en or ja (got '{lang}')")
    v = load_rulebase(_state["law_dir"]).vocabulary
    if as_json:
        typer.echo(json.dumps(v.model_dump(), ensure_ascii=False, indent=2))
        return
    for kind in ("world_fact", "judgment", "procedural"):
        console.print(f"[bold]Facts: {kind.replace('_', ' ')}s[/bold]")
        for name, f in v.facts.items():
            if f.kind == kind:
                console.print(f"  {name}: {getattr(f.question, lang)}", highlight=False)
    console.print("[bold]Actions[/bold]")
    for name, a in v.actions.items():
        console.print(f"  {name} ({a.type}): {getattr(a.label, lang)}", highlight=False)
    console.print("[bold]Situations[/bold]")
    for name, s in v.situations.items():
        console.print(f"  {name}: {getattr(s.label, lang)}", highlight=False)
    console.print("[bold]Procedures[/bold]")
    for name, p in v.procedures.items():
        console.print(f"  {name}: {getattr(p.label, lang)}", highlight=False)


@app.command()
def law(
    citation: Annotated[
        str | None, typer.Argument(help="Provision id (e.g. sdf-act/76-1-ii), a prefix, or an instrument id.")
    ] = None,
    date: Annotated[str | None, typer.Option("--date", "-d", help="Show only the rules in force on this date.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the summary: en or ja.")] = "en",
) -> None:
    """Show a provision: its summary, marker, sources, rules and in-force windows."""
    from .corpus import find_by_number, load_rulebase, suggest
    from .scenario import parse_date

    _set_lang(lang)
    rb = load_rulebase(_state["law_dir"])
    day = parse_date(date, "--date") if date else None
    if citation is None:
        for inst in rb.instruments.values():
            console.print(f"[bold]{inst.id}[/bold]: {inst.title_en} ({inst.title_ja})", highlight=False)
            for p in inst.provisions:
                console.print(f"  {p.id} [{p.marker}] {p.title}  ({rb.window_text(p.id)})", highlight=False)
        return
    pid = rb.aliases.get(citation, citation)
    numbered = find_by_number(rb, citation, day) if " " in citation.strip() else []
    if numbered:
        when = f"on {day.isoformat()}" if day else "at some time"
        for p, window in numbered:
            n = next((n for n in p.numbers if n.window == window), None)
            console.print(
                f"{citation.strip()} {when}: {p.id}, cited as {n.title() if n else p.title} in {window}",
                highlight=False,
            )
        matches = [p for p, _ in numbered]
    elif " " in citation.strip() and citation.split()[0] in rb.instruments:
        raise InputError(
            f"no provision of {citation.split()[0]} was numbered '{citation.split(None, 1)[1]}'"
            + (f" on {day.isoformat()}" if day else "")
            + f"; run 'article9 law {citation.split()[0]}' for its provisions and 'article9 timeline' for renumberings"
        )
    elif pid in rb.provisions:
        matches = [rb.provisions[pid]]
    elif citation in rb.instruments:
        matches = rb.instruments[citation].provisions
        inst = rb.instruments[citation]
        console.print(f"[bold]{inst.title_en}[/bold] ({inst.title_ja})", highlight=False)
        console.print(
            f"law number: {inst.law_number or '-'}; e-Gov ID: {inst.egov_id or '-'}; promulgated: "
            f"{inst.promulgated or '-'}; in force: {inst.in_force or '-'}; sources: {', '.join(inst.sources)}",
            highlight=False,
        )
    else:
        matches = [p for p in rb.provisions.values() if p.id.startswith(citation)]
    if not matches:
        raise InputError(
            f"no provision '{citation}'{suggest(citation, list(rb.provisions) + list(rb.instruments))}; run 'article9 law' for the list"
        )
    for p in matches:
        console.print()
        console.print(
            f"[bold]{p.id}[/bold] {p.title_on(day)} ({p.title_on(day, 'ja')})  [{p.marker}]  sources: {', '.join(p.sources)}",
            highlight=False,
        )
        for n in p.numbers:
            console.print(f"  numbered {n.title()} ({n.title('ja')}) in {n.window}", highlight=False)
        console.print(p.summary_ja if lang == "ja" and p.summary_ja else p.summary, highlight=False, markup=False)
        if p.read:
            console.print("[bold]Text read[/bold]", highlight=False)
            console.print(p.read, highlight=False, markup=False)
        blocks = [b for b in p.blocks if day is None or b.in_force(day)]
        if day is not None and not blocks:
            console.print(
                f"[dim]No rules of this provision are in force on {day.isoformat()} (in force: {rb.window_text(p.id)}).[/dim]"
            )
        for b in blocks:
            console.print(f"[cyan]rules in force {b.window}[/cyan]  ({b.path}:{b.line})", highlight=False)
            console.print(b.text, highlight=False, markup=False)


@app.command()
def check(
    date: Annotated[
        list[str] | None,
        typer.Option("--date", "-d", help="Only these dates (default: every date the rule blocks change)."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write counterexample scenarios into this folder.")] = None,
    reform: Reform = None,
) -> None:
    """Prove properties of the rule base over every combination of facts; exit 1 with counterexamples if one fails."""
    from .check import PROPERTIES, run_check, undated_instruments
    from .scenario import parse_date

    rb = _rulebase(reform)
    days = [parse_date(d, "--date") for d in date] if date else None
    report = run_check(rb, days)
    shown = ", ".join(d.isoformat() for d in report.days)
    console.print(f"Checked {len(PROPERTIES)} properties on {len(report.days)} dates ({shown})", highlight=False)
    console.print(
        f"Temporal coverage: {report.months} months from 1954-07, {report.programs} distinct rule sets", highlight=False
    )
    for name, statement, _rules in PROPERTIES:
        bad = [f for f in report.failures if f.prop == name]
        console.print(f"{'FAIL' if bad else 'ok  '} {name}: {statement}", highlight=False)
    console.print(
        f"{'FAIL' if report.unreachable else 'ok  '} every action is permitted by some facts on some date"
        + (f": never {', '.join(report.unreachable)}" if report.unreachable else ""),
        highlight=False,
    )
    console.print(
        f"{'FAIL' if report.unused_rules else 'ok  '} every rule can fire on some date in its window"
        + "".join(f"\n     {r.origin} ({r.provision_id}): {r.text}" for r in report.unused_rules),
        highlight=False,
    )
    console.print(
        f"{'FAIL' if report.unattributed else 'ok  '} every change of possible answers between months coincides "
        "with a dated change of rule blocks",
        highlight=False,
    )
    console.print(
        f"{'FAIL' if report.unsatisfiable else 'ok  '} every procedure step an action can require can be satisfied"
        + "".join(f"\n     {f.day.isoformat()}: {f.statement}" for f in report.unsatisfiable),
        highlight=False,
    )
    console.print(
        f"{'FAIL' if report.misnumbered else 'ok  '} no provision is cited outside its window under a number it did not have"
        + "".join(f"\n     {m}" for m in report.misnumbered),
        highlight=False,
    )
    console.print(
        f"{'FAIL' if report.outside_instrument else 'ok  '} every rule block's window is inside its instrument's dates"
        + "".join(f"\n     {m}" for m in report.outside_instrument)
        + "".join(f"\n     not checkable, no in-force date: {m}" for m in undated_instruments(rb)),
        highlight=False,
    )
    console.print(
        f"{'FAIL' if report.gap_only else 'ok  '} no difference between two dates comes only from a known gap "
        "(law/reach.yaml)"
        + "".join(
            f"\n     {a}: {d1.isoformat()} -> {d2.isoformat()} differs only through {', '.join(ps)}"
            for d1, d2, a, ps in report.gap_only
        ),
        highlight=False,
    )
    for i, f in enumerate([*report.failures, *report.unsatisfiable], 1):
        console.print(f"\ncounterexample {i}: {f.prop} fails for {f.action} on {f.day.isoformat()}", highlight=False)
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            path = out / f"counterexample-{i}-{f.prop}-{f.action}-{f.day.isoformat()}.yaml"
            path.write_text(f.counterexample, encoding="utf-8")
            console.print(f"written to {path} (run: article9 assess {path})", highlight=False)
        else:
            console.print(f.counterexample, highlight=False, markup=False)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind (default: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes (the service is stateless).")] = 1,
    max_body: Annotated[
        int | None,
        typer.Option(
            "--max-body",
            metavar="BYTES",
            help="Largest request body; a larger one, declared or streamed, is a 413. "
            "Default 262144 (256 KiB) or $ARTICLE9_MAX_BODY.",
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            help="Time limit per request; a slower one is a 503. Default 10 or $ARTICLE9_TIMEOUT.",
        ),
    ] = None,
    max_dates: Annotated[
        int | None,
        typer.Option(
            "--max-dates",
            metavar="N",
            help="Most dates in one request; more is a 422. Default 50 or $ARTICLE9_MAX_DATES.",
        ),
    ] = None,
    cors: Annotated[
        list[str] | None,
        typer.Option(
            "--cors",
            metavar="ORIGIN",
            help="Let web pages from ORIGIN (e.g. https://example.org; repeat for more) call the API. "
            "Default: no CORS headers, or $ARTICLE9_CORS (comma-separated).",
        ),
    ] = None,
    reform: Reform = None,
) -> None:
    """Serve the web explorer at / and the HTTP API (OpenAPI at /openapi.json, docs at /docs) on 127.0.0.1.

    Bodies over --max-body are a 413, requests slower than --timeout a 503, more than --max-dates dates or more actions than the vocabulary has a 422. Every response has security headers (Content-Security-Policy, nosniff, X-Frame-Options, Referrer-Policy) and an X-Request-ID; each request is logged as one JSON line on stderr. Options override the ARTICLE9_* environment variables. See docs/service.md.
    """
    import uvicorn

    given = {"ARTICLE9_MAX_BODY": max_body, "ARTICLE9_TIMEOUT": timeout, "ARTICLE9_MAX_DATES": max_dates}
    given["ARTICLE9_CORS"] = ",".join(cors) if cors else None
    if reform is not None:  # every answer of the service then carries the reform's banner
        _rulebase(reform)  # refuse a bad reform file now, not in a worker
        given["ARTICLE9_REFORM"] = str(reform.resolve())
    if _state.get("log") is not None:  # article9 --log FILE serve: every worker appends to FILE
        from .audit import DecisionLog

        DecisionLog(_state["log"]).close()  # fail now, not in a worker, if FILE is unusable
        given["ARTICLE9_LOG"] = str(Path(_state["log"]).resolve())
    for name, value in given.items():
        if value is not None:
            os.environ[name] = str(value)  # read by each worker's app, so --workers N sees them too
    try:
        from .server import ServiceSettings

        settings = ServiceSettings.from_env()
    except ValueError as exc:
        raise InputError(str(exc)) from None
    # a solver call may not outlive the request it serves: past the time limit it is cancelled
    os.environ.setdefault("ARTICLE9_SOLVE_SECONDS", str(settings.timeout))
    try:
        from .server import HeaderTimeoutProtocol, max_connections

        limit = max_connections()
    except ValueError as exc:
        raise InputError(str(exc)) from None
    uvicorn.run(
        "article9.server:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,  # the app logs each request as one JSON line
        server_header=False,
        http=HeaderTimeoutProtocol,  # a deadline for each request's headers (ARTICLE9_HEADER_SECONDS)
        limit_concurrency=limit,  # ARTICLE9_MAX_CONNECTIONS; more connections get 503
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=64 * 1024,  # bytes of headers
    )


@app.command()
def timeline(
    instrument: Annotated[
        str | None, typer.Option("--instrument", "-i", help="Only this instrument (e.g. sdf-act).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
) -> None:
    """Every version of every provision, with the window its rules are in force, by date."""
    from .corpus import load_rulebase, suggest, timeline_rows

    rb = load_rulebase(_state["law_dir"])
    if instrument is not None and instrument not in rb.instruments:
        raise InputError(
            f"no instrument {instrument!r}{suggest(instrument, rb.instruments)}; run 'article9 law' for the list"
        )
    rows = timeline_rows(rb, instrument)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        window = f"{r['from']} .. {r['to'] or ''}" if r["from"] else "(no rules: text only)"
        if "renumbered" in r:
            window = f"{r['from']} renumbered"
        console.print(f"{window:<26} {r['provision']:<40} [{r['marker']}] {r['title']}", highlight=False, markup=False)


@app.command()
def schema(
    kind: Annotated[
        SchemaKind,
        typer.Argument(
            help="Which schema: scenario (input), assessment (JSON output), playbook (input) or playbook-result."
        ),
    ] = SchemaKind.scenario,
) -> None:
    """Print the JSON Schema of the scenario or playbook format, or of their JSON output."""
    from .models import Assessment, Scenario
    from .playbook import Playbook, PlaybookResult

    model = {
        SchemaKind.scenario: Scenario,
        SchemaKind.assessment: Assessment,
        SchemaKind.playbook: Playbook,
        SchemaKind.playbook_result: PlaybookResult,
    }[kind]
    typer.echo(json.dumps(model.model_json_schema(by_alias=True), indent=2, ensure_ascii=False))


def run() -> None:
    """Console entry point: user errors become one line on stderr and an exit code."""
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except Article9Error as exc:
        from . import render
        from .i18n import translate_error

        lang = render.LANG["value"]
        typer.echo(f"{render.w('error_word')}: {one_line(translate_error(exc.message, lang))}", err=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(130)
    except Exception as exc:  # usage errors from the CLI library, and anything unexpected
        if hasattr(exc, "show") and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()
            sys.exit(exc.exit_code)
        if os.environ.get("ARTICLE9_DEBUG"):
            raise
        typer.echo(
            f"internal error: {type(exc).__name__}: {one_line(str(exc), 500)} (set ARTICLE9_DEBUG=1 for details)",
            err=True,
        )
        sys.exit(70)
