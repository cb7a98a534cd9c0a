"""The query layer: the one set of functions every face calls (the command line, the HTTP
API, the library, batch and the decision log). Each takes validated input and returns a
pydantic model; validation, lookups and the law live here, words in `i18n` and `render`.
No face imports the engine: they ask here. (Over 400 lines: one function per question,
and the views of the law the faces show.)"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from .corpus import RuleBase, find_by_number, load_rulebase, suggest, timeline_rows
from .engine import _DEADLINE, Engine, check_action, check_date, time_limit
from .errors import InputError
from .models import Assessment, Citation, Comparison, Diff, Scenario, WhatIf

LANGS = ("en", "ja")
__all__ = ["Engine", "time_limit"]  # for the faces, which ask here and never import the engine
REFORM_DIR = Path(__file__).parent / "reforms"


class NotFound(InputError):
    """A looked-up name (provision, instrument, scenario, reform) that does not exist: exit 2, HTTP 404."""


# --- engines and rule bases --------------------------------------------------------------


def check_lang(lang: str, option: str = "--lang") -> str:
    if lang not in LANGS:
        raise InputError(f"{option} must be en or ja (got '{lang}')")
    return lang


_LOCK = threading.Lock()
_ENGINES: dict[tuple[str | None, str | None], Engine] = {}


def reform_file(reform: str | Path) -> Path:
    """A bundled reform by id (see `reforms()`), or a reform file by path."""
    text = str(reform)
    bundled = REFORM_DIR / f"{text}.md"
    if "/" not in text and "\\" not in text and bundled.is_file():
        return bundled
    path = Path(reform)
    if not path.exists() and "/" not in text and not text.endswith(".md"):
        ids = [r.id for r in reforms()]
        raise NotFound(f"no bundled reform {text!r}{suggest(text, ids)}; bundled: {', '.join(ids)}")
    return path


def rulebase(law_dir: Path | None = None, reform: str | Path | None = None) -> RuleBase:
    """The rule base of `law_dir` (default: the packaged law), under a reform if one is given."""
    rb = load_rulebase(law_dir)
    if reform is not None:
        from .reform import load_reform

        rb = load_reform(rb, reform_file(reform))
    return rb


def engine(law_dir: Path | None = None, reform: str | Path | None = None) -> Engine:
    """The engine over that rule base, made once per (law folder, reform) in this process."""
    key = (None if law_dir is None else str(Path(law_dir).resolve()), None if reform is None else str(reform))
    with _LOCK:
        found = _ENGINES.get(key)
    if found is None:
        found = Engine(rulebase(law_dir, reform))
        with _LOCK:
            found = _ENGINES.setdefault(key, found)
    return found


def engine_of(rb: RuleBase) -> Engine:
    """An engine over a rule base the caller built (e.g. a test's copy of the law)."""
    return Engine(rb)


class ReformInfo(BaseModel):
    id: str
    title: dict[str, str]
    effective: dt.date | None
    instrument: str


@lru_cache(maxsize=1)
def _reforms() -> tuple[ReformInfo, ...]:
    from .lawfile import parse_law_file

    out = []
    for path in sorted(REFORM_DIR.glob("*.md")):
        inst = parse_law_file(path, path.read_text(encoding="utf-8"), name=path.name)
        effective = inst.meta.get("effective")
        out.append(
            ReformInfo(
                id=path.stem,
                title={"en": inst.title_en, "ja": inst.title_ja or inst.title_en},
                effective=dt.date.fromisoformat(str(effective)) if effective else None,
                instrument=inst.id,
            )
        )
    return tuple(out)


def reforms() -> list[ReformInfo]:
    """The bundled hypothetical reforms (src/article9/reforms)."""
    return list(_reforms())


# --- validation --------------------------------------------------------------------------


class Problem(BaseModel):
    """One thing wrong with an input, located by its path (as in a 422's `loc`)."""

    loc: list[str | int]
    msg: str
    type: str = "value_error"


def scenario_problems(rb: RuleBase, s: Scenario, where: tuple[str | int, ...] = ()) -> list[Problem]:
    """Every name not in the vocabulary, date before the Constitution, and contradiction among
    the facts, each with where it is: the one scenario check of every face."""
    from .reach import contradiction_text, violated

    v = rb.vocabulary
    problems = [
        Problem(loc=[*where, "facts", f], msg=f"unknown fact {f!r}{suggest(f, v.facts)}; see 'article9 vocab'")
        for f in s.facts
        if f not in v.facts
    ]
    problems += [
        Problem(loc=[*where, "actions", i], msg=f"unknown action {a!r}{suggest(a, v.actions)}; see 'article9 vocab'")
        for i, a in enumerate(s.actions)
        if a not in v.actions
    ]
    problems += [
        Problem(
            loc=[*where, "expect", day.isoformat(), a],
            msg=f"unknown action {a!r}{suggest(a, v.actions)}; see 'article9 vocab'",
        )
        for day, per in s.expect.items()
        for a in per
        if a not in v.actions
    ]
    for i, d in enumerate(s.dates):
        try:
            check_date(d)
        except InputError as exc:
            problems.append(Problem(loc=[*where, "dates", i], msg=exc.message))
    known = {k: val for k, val in s.facts.items() if k in v.facts}
    problems += [
        Problem(loc=[*where, "facts", next(iter(c.facts))], msg=contradiction_text(c))
        for c in violated(rb.reach.constraints, known)
    ]
    return problems


class Invalid(InputError):
    """Input with located problems: the first is the message; the face may show them all."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].msg)
        self.problems = problems


def validate(rb: RuleBase, s: Scenario, where: tuple[str | int, ...] = ()) -> Scenario:
    problems = scenario_problems(rb, s, where)
    if problems:
        raise Invalid(problems)
    return s


def check_actions(rb: RuleBase, actions: Iterable[str]) -> list[str]:
    names = list(actions)
    for a in names:
        check_action(rb, a)
    return names


def check_dates(days: Iterable[dt.date]) -> list[dt.date]:
    out = list(days)
    for d in out:
        check_date(d)
    return out


def deadline_left(default: float) -> float:
    """Seconds left before the current request's deadline (`default` when none is set)."""
    import time

    deadline = _DEADLINE.get()
    return default if deadline is None else max(deadline[0] - time.monotonic(), 0.0)


def default_day(value: dt.date | None, s: Scenario | None = None) -> dt.date:
    if value is not None:
        return value
    return s.dates[0] if s is not None and s.dates else dt.date.today()


# --- the questions -----------------------------------------------------------------------


_SINCE: dict[tuple[int, str, dt.date], tuple[object, dt.date | None]] = {}


def _since(e: Engine, action: str, day: dt.date) -> dt.date | None:
    import clingo

    from .summary import reading_since

    key = (id(e.rb), action, day)
    hit = _SINCE.get(key)
    if hit is None or hit[0] is not e.rb:  # the same rule base, not one that reused its id
        bearing = e.program(day).provisions_for(clingo.Function("constitutional", [clingo.Function(action)]))
        hit = _SINCE[key] = (e.rb, reading_since(e.rb, bearing, day))
        if len(_SINCE) > 4096:
            _SINCE.pop(next(iter(_SINCE)))
    return hit[1]


def _with_summaries(e: Engine, a: Assessment, lang: str) -> Assessment:
    """Each determination with its one-sentence headline (`summary`) in `lang`. The engine's
    memo hands back the same determination for the same question (its key holds the date and
    the language), so a headline is written once per answer and kept with it."""
    import clingo

    from .summary import summary

    facts = {f: {"true": True, "false": False}.get(v) for f, v in a.facts.items()}

    for d in a.determinations:
        if d.summary is None:

            def could(pid: str, start: dt.date, action: str = d.action) -> bool:
                basis = clingo.Function("basis", [clingo.Function(action), clingo.String(pid)])
                return e.program(start).kleene(facts, basis) != "false"

            d.summary = summary(e.rb, d, a.date, lang, _since(e, d.action, a.date), could)
    return a


SITE_URL = "http://127.0.0.1:8000/"  # where 'article9 serve' listens by default
ENV_SITE_URL = "ARTICLE9_SITE_URL"


def cite(
    a: Assessment,
    s: Scenario,
    actions: list[str] | None = None,
    lang: str = "en",
    reform: str | None = None,
    site: str | None = None,
) -> Citation:
    """The 'cite this' of an answer: version, rule-base hash and date, and the explorer's
    link that asks the same question (the web page's query string: date, a, reform, lang,
    then each known fact as 1 or 0)."""
    import os
    from urllib.parse import urlencode

    base = site or os.environ.get(ENV_SITE_URL, "").strip() or SITE_URL
    if not base.startswith(("http://", "https://")):
        raise InputError(f"{ENV_SITE_URL} must be an http:// or https:// address, not {base!r}")
    query: list[tuple[str, str]] = [("date", a.date.isoformat())]
    query += [("a", name) for name in actions or []]
    if reform:
        query.append(("reform", reform))
    if lang != "en":
        query.append(("lang", lang))
    query += [(f, "1" if v else "0") for f, v in sorted(s.facts.items()) if v is not None]
    link = base.split("?")[0].split("#")[0] + "?" + urlencode(query)
    return Citation(version=a.rulebase.version, rulebase=a.rulebase.hash[:12], date=a.date, link=link)


def assess(
    e: Engine,
    s: Scenario,
    days: list[dt.date],
    actions: list[str] | None = None,
    lang: str = "en",
    explain: bool = True,
    reform: str | None = None,
    site: str | None = None,
) -> list[Assessment]:
    """The scenario's answers on each date (a date given twice is answered once); with
    explain=False, without explanation trees (each `explanation` is null). Each answer
    carries its 'cite this' (`cite`; `reform` and `site` only shape its link)."""
    check_lang(lang)
    out = []
    for d in dict.fromkeys(days):
        a = _with_summaries(e, e.assess(s, d, actions or None, lang=lang, explain=explain), lang)
        a.cite = cite(a, s, actions, lang, reform, site)
        out.append(a)
    return out


def explain(e: Engine, s: Scenario, action: str, day: dt.date, lang: str = "en") -> Assessment:
    """One action's answer, with its full explanation."""
    check_lang(lang)
    check_action(e.rb, action)
    a = _with_summaries(e, e.assess(s, day, [action], lang=lang), lang)
    a.cite = cite(a, s, [action], lang)
    return a


def compare(
    e: Engine,
    s: Scenario,
    days: list[dt.date],
    actions: list[str] | None = None,
    lang: str = "en",
    on_result: Callable[[Assessment], None] | None = None,
) -> Comparison:
    check_lang(lang)
    if len(days) < 2:
        raise InputError("compare needs at least two dates (give --date twice, or dates in the file)")
    return e.compare(s, days, actions or None, lang=lang, on_result=on_result)


def whatif(e: Engine, s: Scenario, action: str, day: dt.date, max_changes: int = 3, lang: str = "en") -> WhatIf:
    """The smallest changes of known facts that flip the answer, and (`wait_until`) the first
    later change of the law that gives the same target answer on the facts as they are."""
    from .corpus import law_change_dates
    from .models import WaitUntil

    check_lang(lang)
    result = e.whatif(s, action, day, max_changes=max_changes, lang=lang)
    if result.status == result.target:
        return result
    for later in (d for d in law_change_dates(e.rb) if d > day):
        d = e.assess(s, later, [action], lang=lang, explain=False).determinations[0]
        if d.status == result.target:
            before = {
                b.provision.id
                for b in e.assess(s, day, [action], lang=lang, explain=False).determinations[0].bases
                if b.in_force
            }
            new = [b.provision for b in d.bases if b.lawful == "true" and b.provision.id not in before]
            result.wait_until = WaitUntil(date=later, provisions=new)
            break
    return result


def diff(e: Engine, d1: dt.date, d2: dt.date, actions: list[str] | None = None, lang: str = "en") -> Diff:
    from .reasoning import diff as run

    check_lang(lang)
    return run(e, d1, d2, actions or None, lang=lang)


class Question(BaseModel):
    fact: str
    kind: str
    question: str
    help: str


class InterviewAnswer(BaseModel):
    question: Question | None = Field(description="null when no question can change the answers")
    assessment: Assessment


def interview_next(
    e: Engine,
    facts: dict[str, bool | None],
    actions: list[str] | None,
    day: dt.date,
    asked: Iterable[str] = (),
    lang: str = "en",
) -> InterviewAnswer:
    """The answers so far and the next question that can still change them (None when none can)."""
    from .interview import question_for

    check_lang(lang)
    names = list(actions or e.rb.vocabulary.actions)
    s = Scenario(title="interview", facts=facts, actions=list(actions or []))
    assessment = _with_summaries(e, e.assess(s, day, names, lang=lang, explain=False), lang)
    fact = question_for(e, assessment, set(asked) | {k for k, v in facts.items() if v is not None})
    question = None
    if fact is not None:
        f = e.rb.vocabulary.facts[fact]
        question = Question(fact=fact, kind=f.kind, question=getattr(f.question, lang), help=getattr(f.help, lang))
    return InterviewAnswer(question=question, assessment=assessment)


def regime_and_reach(e: Engine, days: list[dt.date], actions: list[str] | None, lang: str = "en") -> Any:
    """What an answer opens with (the reform banner, the law's reach), for faces that answer
    without a model of their own (batch, the interview)."""
    from types import SimpleNamespace

    names = list(actions or e.rb.vocabulary.actions)
    return SimpleNamespace(regime=e.regime(lang), reach=e.reach(days, names, lang))


def batch(e: Engine, source: Path, target: Path, days: list[dt.date], actions: list[str] | None, **kw: Any) -> Any:
    from .batch import run_batch

    return run_batch(e, source, target, days, actions or None, **kw)


def check(rb: RuleBase, days: list[dt.date] | None = None) -> Any:
    from .check import run_check

    return run_check(rb, days)


def pathways(day: dt.date, support: list[str] | None, without: list[str] | None, change: str = "all") -> Any:
    from .diet import pathways as run

    return run(day, support or None, without or None, change)


def vocabulary(rb: RuleBase) -> dict[str, Any]:
    return rb.vocabulary.model_dump()


def timeline(rb: RuleBase, instrument: str | None = None) -> list[dict]:
    """Every rule block, renumbering and text-only provision, by date (the same rows in every face)."""
    if instrument is not None and instrument not in rb.instruments:
        raise NotFound(
            f"no instrument {instrument!r}{suggest(instrument, rb.instruments)}; run 'article9 law' for the list"
        )
    return timeline_rows(rb, instrument)


# --- the law -----------------------------------------------------------------------------


class _WindowView(BaseModel):
    model_config = {"populate_by_name": True}
    from_: str = Field(alias="from")
    to: str | None


class BlockView(_WindowView):
    rules: str
    source: str


class NumberView(_WindowView):
    article: str
    article_ja: str
    title: str
    title_ja: str


class ProvisionView(BaseModel):
    id: str
    title: str
    title_ja: str
    marker: str
    sources: list[str]
    instrument: str
    instrument_title: str
    instrument_title_ja: str
    law_number: str | None
    summary: str
    summary_ja: str
    read: str
    window: str
    numbers: list[NumberView]
    blocks: list[BlockView]


class InstrumentView(BaseModel):
    instrument: str
    title: str
    title_ja: str
    kind: str
    law_number: str | None
    egov_id: str | None
    promulgated: str | None
    in_force: str | None
    sources: list[str]
    intro: str
    provisions: list[dict[str, str]]


class NumberedHit(BaseModel):
    provision: str
    window: str
    cited_as: str


class LawAnswer(BaseModel):
    """What a citation names: an instrument, one provision, or the provisions it is a prefix
    of, or (for 'INSTRUMENT ARTICLE') the provisions that had that number."""

    citation: str
    day: dt.date | None = None
    instrument: InstrumentView | None = None
    numbered: list[NumberedHit] = Field(default_factory=list)
    provisions: list[ProvisionView]


def _end(d: dt.date) -> str | None:
    from .lawfile import OPEN_END

    return None if d == OPEN_END or d == dt.date.max else d.isoformat()


def provision_view(rb: RuleBase, pid: str, day: dt.date | None = None) -> ProvisionView:
    p = rb.provisions[pid]
    inst = rb.instruments[p.instrument]
    return ProvisionView(
        id=p.id,
        title=p.title_on(day),
        title_ja=p.title_on(day, "ja"),
        marker=p.marker,
        sources=list(p.sources),
        instrument=p.instrument,
        instrument_title=inst.title_en,
        instrument_title_ja=inst.title_ja,
        law_number=inst.law_number,
        summary=p.summary,
        summary_ja=p.summary_ja,
        read=p.read,
        window=rb.window_text(p.id) if p.blocks else "",
        numbers=[
            NumberView(
                from_=n.start.isoformat(),
                to=_end(n.end),
                article=n.article,
                article_ja=n.article_ja,
                title=n.title(),
                title_ja=n.title("ja"),
            )
            for n in p.numbers
        ],
        blocks=[
            BlockView(from_=b.start.isoformat(), to=_end(b.end), rules=b.text, source=f"{b.path}:{b.line}")
            for b in p.blocks
            if day is None or b.in_force(day)
        ],
    )


def instrument_view(rb: RuleBase, iid: str) -> InstrumentView:
    inst = rb.instruments[iid]
    return InstrumentView(
        instrument=inst.id,
        title=inst.title_en,
        title_ja=inst.title_ja,
        kind=inst.kind,
        law_number=inst.law_number,
        egov_id=inst.egov_id,
        promulgated=None if inst.promulgated is None else str(inst.promulgated),
        in_force=None if inst.in_force is None else str(inst.in_force),
        sources=list(inst.sources),
        intro=inst.intro,
        provisions=[
            {"id": p.id, "title": p.title, "title_ja": p.title_ja, "marker": p.marker} for p in inst.provisions
        ],
    )


def law(rb: RuleBase, citation: str, day: dt.date | None = None) -> LawAnswer:
    """Look a citation up: an alias or provision id, an instrument id, 'INSTRUMENT ARTICLE'
    (by the number the provision had on `day`, or at any time), or a prefix of provision ids.
    The same lookup in every face."""
    text = citation.strip()
    pid = rb.aliases.get(text, text)
    if " " in text:
        hits = find_by_number(rb, text, day)
        iid, _, article = text.partition(" ")
        if not hits and iid in rb.instruments:
            raise NotFound(
                f"no provision of {iid} was numbered '{article.strip()}'"
                + (f" on {day.isoformat()}" if day else "")
                + f"; run 'article9 law {iid}' for its provisions and 'article9 timeline' for renumberings"
            )
        if hits:
            numbered = []
            for p, window in hits:
                n = next((n for n in p.numbers if n.window == window), None)
                numbered.append(NumberedHit(provision=p.id, window=window, cited_as=n.title() if n else p.title))
            provisions = [provision_view(rb, p.id, day) for p, _ in hits]
            return LawAnswer(citation=text, day=day, numbered=numbered, provisions=provisions)
    if pid in rb.provisions:
        return LawAnswer(citation=text, day=day, provisions=[provision_view(rb, pid, day)])
    if text in rb.instruments:
        return LawAnswer(
            citation=text,
            day=day,
            instrument=instrument_view(rb, text),
            provisions=[provision_view(rb, p.id, day) for p in rb.instruments[text].provisions],
        )
    matches = [p.id for p in rb.provisions.values() if text and p.id.startswith(text)]
    if not matches:
        raise NotFound(
            f"no provision '{text}'{suggest(text, list(rb.provisions) + list(rb.instruments))}; "
            "run 'article9 law' for the list"
        )
    return LawAnswer(citation=text, day=day, provisions=[provision_view(rb, m, day) for m in matches])


def law_index(rb: RuleBase) -> list[dict[str, Any]]:
    return [
        {
            "id": p.id,
            "title": p.title,
            "title_ja": p.title_ja,
            "marker": p.marker,
            "instrument": p.instrument,
            "window": rb.window_text(p.id) if p.blocks else "",
            "summary": p.summary,
            "summary_ja": p.summary_ja,
        }
        for p in rb.provisions.values()
    ]


# --- bundled scenarios -------------------------------------------------------------------


def scenario_dir() -> Path:
    """The bundled scenarios: installed beside the package's data, or the source tree's."""
    installed = Path(sys.prefix) / "share" / "article9" / "scenarios"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "scenarios"


def scenarios(rb: RuleBase) -> list[dict[str, Any]]:
    """The bundled scenario library: name, title and dates of each."""
    from .scenario import load_scenario

    out = []
    for path in sorted(scenario_dir().glob("*.yaml")):
        s = load_scenario(path, rb)
        out.append({"name": path.stem, "title": s.title, "dates": [d.isoformat() for d in s.dates]})
    return out


def bundled_scenario(rb: RuleBase, name: str) -> Scenario:
    import re

    from .scenario import load_scenario

    path = scenario_dir() / f"{name}.yaml"
    try:  # a name too long for the file system raises (ENAMETOOLONG): it names no scenario either
        found = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", name) is not None and path.is_file()
    except OSError:
        found = False
    if not found:
        raise NotFound(f"no bundled scenario {name[:100]!r}")
    return load_scenario(path, rb)


def bundled_reform(reform_id: str) -> Path:
    """The file of a bundled reform, by its id: the only reforms an HTTP request may name."""
    ids = {r.id for r in reforms()}
    if reform_id not in ids:
        raise NotFound(f"no bundled reform {reform_id[:100]!r}{suggest(reform_id, ids)}; see GET /reforms")
    return REFORM_DIR / f"{reform_id}.md"
