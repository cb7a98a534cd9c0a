"""The command line: a thin face over the query layer (options -> `query` -> `render`).
Exit codes: 0 answered; 1 an answer differs from the scenario's expectations (assess
--check); 2 invalid input; 3 invalid rule base; 4 a solver call ran past its time limit;
70 internal error. (Over 400 lines: one short function per command, 20 commands.)"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
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
# On a terminal Rich fits the width; piped output is never wrapped, so long lines stay whole
# for grep and diff.
console = Console() if sys.stdout.isatty() else Console(width=100_000, soft_wrap=True)
_state: dict[str, Path | None] = {"law_dir": None, "log": None}
_lang = {"value": "en"}  # the language of the command being run, for its error line


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


def _show(result, fmt: Format, markdown, text, lang: str = "en") -> None:  # noqa: ANN001 - the three formats
    if fmt is Format.json:
        typer.echo(
            json.dumps(result.model_dump(mode="json", by_alias=True, exclude_none=True), ensure_ascii=False, indent=2)
        )
    elif fmt is Format.md:
        typer.echo(markdown(result, lang))
    else:
        text(result, console, lang)


Reform = Annotated[
    Path | None,
    typer.Option(
        "--reform",
        help="A hypothetical-regime law file that adds, replaces or repeals provisions, "
        "or the id of a bundled reform (see 'article9 reforms').",
    ),
]


def _rulebase(reform: Path | None = None):  # noqa: ANN202
    from . import query

    return query.rulebase(_state["law_dir"], reform)


def _engine(reform: Path | None = None):  # noqa: ANN202 - lazy import keeps start-up fast
    from . import query

    return query.engine(_state["law_dir"], reform)


def _open_scenario(file: Path, lang: str, reform: Path | None):  # noqa: ANN202 - lazy imports
    """Check the language, build the engine (with any reform) and load the scenario against its vocabulary."""
    from .scenario import load_scenario

    _set_lang(lang)
    engine = _engine(reform)
    return engine, load_scenario(file, engine.rb)


def _set_lang(lang: str) -> None:
    from .query import check_lang

    _lang["value"] = lang if lang in ("en", "ja") else "en"
    check_lang(lang)


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
    from . import query
    from .expect import mismatches

    engine, scenario = _open_scenario(file, lang, reform)
    days = _dates(date, scenario.dates)
    trees = explain or fmt is not Format.json
    results = query.assess(engine, scenario, days, action or None, lang, explain=trees)
    _record(engine, scenario, results, "cli assess")
    _emit(results, fmt, lang, max_depth=6)
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

    from . import query

    engine, scenario = _open_scenario(file, lang, reform)
    day = _dates([date] if date else None, scenario.dates)[0]
    result = query.explain(engine, scenario, action, day, lang)
    _record(engine, scenario, [result], "cli explain")
    _emit([result], fmt, lang, max_depth=None, rules=True)


def _emit(results: list, fmt: Format, lang: str, max_depth: int | None, rules: bool = False) -> None:
    from . import render

    if fmt is Format.json:
        typer.echo(render.to_json(results))
    elif fmt is Format.md:
        typer.echo(render.markdown(results, lang, rules=rules))
    else:
        render.print_text(results, console, max_depth=max_depth, rules=rules, lang=lang)


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
    from . import query, render

    engine, scenario = _open_scenario(file, lang, reform)
    day = _dates([date] if date else None, scenario.dates)[0]
    result = query.whatif(engine, scenario, action, day, max_changes, lang)
    _show(result, fmt, render.whatif_markdown, render.print_whatif, lang)


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

    from . import query, render
    from .i18n import BACK, NO, QUIT, UNKNOWN, YES, t
    from .scenario import parse_date

    _set_lang(lang)
    if out.is_dir():  # found now, not after every question has been answered
        raise InputError(f"--out {out}: is a folder; give a file name")
    if not out.parent.is_dir():
        raise InputError(f"--out {out}: no such folder {str(out.parent)!r}")
    engine = _engine()
    v = engine.rb.vocabulary
    actions = query.check_actions(engine.rb, action or v.actions)
    day = parse_date(date, "--date") if date else dt.date.today()
    facts: dict[str, bool | None] = {}
    history: list[str] = []

    def show(title: str, answer: query.InterviewAnswer) -> None:
        console.print(title, highlight=False)
        for d in answer.assessment.determinations:
            console.print(f"  {d.label}: {t(d.status, lang)}", highlight=False, markup=False)
            if d.summary:
                console.print(f"    {d.summary}", highlight=False, markup=False, style="dim")

    console.print(t("interview_title", lang, date=day.isoformat()), highlight=False)
    render.print_preamble(query.regime_and_reach(engine, [day], actions, lang), console, lang)
    console.print(t("answers_help", lang), highlight=False)
    quit_early = False
    while True:
        answer = query.interview_next(engine, facts, actions, day, history, lang)
        if answer.question is None:
            console.print(t("no_more", lang), highlight=False)
            show(t("final", lang), answer)
            break
        q = answer.question
        console.print(
            f"\n{t('question', lang, n=len(history) + 1)} [{q.fact}]: {q.question}",
            highlight=False,
            markup=False,
        )
        console.print(f"  ({t('help', lang)}: {q.help})", highlight=False, markup=False, style="dim")
        try:
            reply = input("> ").strip().lower()
        except EOFError:
            reply = "q"
        if reply in QUIT:
            quit_early = True
            break
        if reply in BACK:
            if history:
                facts.pop(history.pop(), None)
            else:
                console.print(t("nothing_to_undo", lang), highlight=False)
            continue
        if reply not in YES | NO | UNKNOWN:
            console.print(t("bad_answer", lang), highlight=False)
            continue
        value = True if reply in YES else (False if reply in NO else None)
        problems = query.scenario_problems(engine.rb, query.Scenario(title="interview", facts={**facts, q.fact: value}))
        if problems:  # contradicts an earlier answer: say so and ask again
            from .i18n import translate_error

            console.print(translate_error(problems[0].msg, lang), highlight=False, markup=False)
            continue
        facts[q.fact] = value
        history.append(q.fact)
        show(t("provisional", lang), query.interview_next(engine, facts, actions, day, history, lang))
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
    from . import query, render
    from .scenario import parse_date

    _set_lang(lang)
    engine = _engine(reform)
    result = query.diff(engine, parse_date(from_date, "--from"), parse_date(to_date, "--to"), action or None, lang)
    _show(result, fmt, render.diff_markdown, render.print_diff, lang)


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
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart",
            help="Also draw each action's answer across 1947-today for these facts, as SVG (needs the charts extra).",
        ),
    ] = None,
) -> None:
    """Compare a scenario's answers across dates, naming the provisions whose change made each difference."""
    from . import query, render

    if chart is not None:
        from .charts import require

        require()  # before any work: without the charts extra, one clear error and nothing else
    engine, scenario = _open_scenario(file, lang, reform)
    days = _dates(date, scenario.dates)
    result = query.compare(
        engine, scenario, days, action or None, lang, on_result=lambda r: _record(engine, scenario, [r], "cli compare")
    )
    _show(result, fmt, render.comparison_markdown, render.print_comparison, lang)
    if chart is not None:
        _compare_chart(engine, scenario, action or None, lang, chart)


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
    lang: Lang = "en",
) -> None:
    """Which routes to change the law are arithmetically open on a date: seats each house has and needs, shortfalls, and what one party switching would do."""
    from . import query, render
    from .scenario import parse_date

    _set_lang(lang)
    if chart is not None:
        from .diet import chart_svg, check_parties

        check_parties(list(support or []))
        chart.write_text(chart_svg(list(support or []) or None), encoding="utf-8")
        console.print(f"wrote {chart}", highlight=False)
        return
    if history:
        from .diet import history as run_history

        _show(run_history(), fmt, render.history_markdown, render.print_history, lang)
        return
    if date is None:
        raise InputError("give --date (or --history, or --chart FILE)")
    result = query.pathways(parse_date(date, "--date"), support or None, without or None, change)
    _show(result, fmt, render.pathways_markdown, render.print_pathways, lang)


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
    from . import query

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

        def run(progress: Callable[[int], None] | None = None) -> dict[str, int]:
            return query.batch(
                engine,
                source,
                target,
                days,
                action or None,
                on_error=on_error,
                chunk=chunk,
                progress=progress,
                dask_client=client,
                wide=wide,
            )

        if sys.stderr.isatty():
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                task = bar.add_task("assessing", total=None)
                counts = run(lambda n: bar.advance(task, n))
        else:
            counts = run()
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
    from .render import preamble

    for text, _style in preamble(query.regime_and_reach(engine, days, action or None)):
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
    from . import query

    _set_lang(lang)
    v = query.rulebase(_state["law_dir"]).vocabulary
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
    from . import query
    from .scenario import parse_date

    _set_lang(lang)
    rb = query.rulebase(_state["law_dir"])
    day = parse_date(date, "--date") if date else None
    if citation is None:
        for inst in rb.instruments.values():
            console.print(f"[bold]{inst.id}[/bold]: {inst.title_en} ({inst.title_ja})", highlight=False)
            for p in inst.provisions:
                console.print(f"  {p.id} [{p.marker}] {p.title}  ({rb.window_text(p.id)})", highlight=False)
        return
    from .i18n import t

    found = query.law(rb, citation, day)
    when = t("law_on", lang, date=day.isoformat()) if day else t("law_any_time", lang)
    for hit in found.numbered:
        console.print(
            t("law_cited_as", lang, citation=found.citation, when=when, id=hit.provision, title=hit.cited_as)
            + f" ({hit.window})",
            highlight=False,
        )
    if found.instrument is not None:
        inst = found.instrument
        console.print(f"[bold]{inst.title}[/bold] ({inst.title_ja})", highlight=False)
        console.print(
            t(
                "law_instrument",
                lang,
                number=inst.law_number or "-",
                egov=inst.egov_id or "-",
                promulgated=inst.promulgated or "-",
                in_force=inst.in_force or "-",
                sources=", ".join(inst.sources),
            ),
            highlight=False,
        )
    for p in found.provisions:
        console.print()
        console.print(
            f"[bold]{p.id}[/bold] {p.title} ({p.title_ja})  [{p.marker}]  "
            f"{t('law_sources', lang)}: {', '.join(p.sources)}",
            highlight=False,
        )
        for n in p.numbers:
            console.print(
                "  " + t("law_numbered", lang, title=n.title, title_ja=n.title_ja, window=f"{n.from_}..{n.to or ''}"),
                highlight=False,
            )
        console.print(p.summary_ja if lang == "ja" and p.summary_ja else p.summary, highlight=False, markup=False)
        if p.read:
            console.print(f"[bold]{t('law_text_read', lang)}[/bold]", highlight=False)
            console.print(p.read, highlight=False, markup=False)
        if day is not None and not p.blocks and p.window:
            console.print("[dim]" + t("law_no_rules_on", lang, date=day.isoformat(), window=p.window) + "[/dim]")
        for b in p.blocks:
            window = f"{b.from_}..{b.to or ''}"
            console.print(f"[cyan]{t('law_rules_in_force', lang, window=window)}[/cyan]  ({b.source})", highlight=False)
            console.print(b.rules, highlight=False, markup=False)


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
        from .service import ServiceSettings

        settings = ServiceSettings.from_env()
    except ValueError as exc:
        raise InputError(str(exc)) from None
    # a solver call may not outlive the request it serves: past the time limit it is cancelled
    os.environ.setdefault("ARTICLE9_SOLVE_SECONDS", str(settings.timeout))
    try:
        from .service import HeaderTimeoutProtocol, max_connections

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
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart", help="Also draw every provision version as a bar, by instrument, as SVG (charts extra)."
        ),
    ] = None,
    lang: Lang = "en",
) -> None:
    """Every version of every provision, with the window its rules are in force, by date."""
    from . import query

    rb = query.rulebase(_state["law_dir"])
    rows = query.timeline(rb, instrument)
    if chart is not None:
        from .charts import timeline_svg

        chart.write_text(timeline_svg(rows, rb, lang), encoding="utf-8")
        typer.echo(f"wrote {chart}", err=True)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        window = f"{r['from']} .. {r['to'] or ''}" if r["from"] else "(no rules: text only)"
        if not r["from"] and r.get("promulgated"):
            window = f"text only; act of {r['promulgated']}"
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


def _compare_chart(engine, scenario, actions: list[str] | None, lang: str, out: Path) -> None:  # noqa: ANN001
    """`compare --chart`: the scenario over every dated change of the law, 1947-today, drawn."""
    from . import query
    from .charts import law_change_dates, require, status_strip_svg

    require()  # before the work: without the extra, a clear input error
    strip = query.compare(engine, scenario, law_change_dates(engine.rb), actions, lang)
    out.write_text(status_strip_svg(strip, engine.rb, lang), encoding="utf-8")
    typer.echo(f"wrote {out}", err=True)


def run() -> None:
    """Console entry point: user errors become one line on stderr and an exit code."""
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except Article9Error as exc:
        from .i18n import t, translate_error

        lang = _lang["value"]
        typer.echo(f"{t('error_word', lang)}: {one_line(translate_error(exc.message, lang))}", err=True)
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
