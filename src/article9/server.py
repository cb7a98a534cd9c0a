"""The HTTP API (FastAPI): a thin face over the query layer (over 400 lines: the request
models with their OpenAPI examples, and one short route per question). Request and
response bodies are the library's pydantic models. Bad input is a 422 naming the field; nothing leaks a traceback.

Service limits (docs/service.md): request bodies are capped (413), each request has a time
limit (503), dates and actions per request are capped (422), CORS is off unless origins are
given, every response carries security headers and an X-Request-ID, and each request is
logged as one JSON line. The limits come from ServiceSettings, read from ARTICLE9_*
environment variables (which `article9 serve` sets from its options)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import sys
import threading
from collections.abc import Iterator, Sized
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)

from . import __version__, query
from .errors import Article9Error, LimitError
from .models import Assessment, Comparison, Diff, Scenario, WhatIf, _valid_unicode
from .playbook import Playbook, PlaybookResult
from .query import InterviewAnswer as InterviewResponse
from .query import Question, scenario_dir
from .service import (  # the service's settings and middleware, importable from here as before
    ACCESS_LOG,
    COSTLY_FROM,
    COSTLY_WAIT,
    DOCS_CSP,
    ENV_COSTLY,
    ENV_LOG,
    ENV_MAX_COST,
    ENV_REFORM,
    STRICT_CSP,
    BodyTooLarge,
    HeaderTimeoutProtocol,
    ServiceSettings,
    header_seconds,
    json_body_only,
    max_connections,
    service_middleware,
)

WEB = Path(__file__).parent / "web"


def playbook_dir() -> Path:
    """The bundled playbooks, found like the scenarios."""
    installed = Path(sys.prefix) / "share" / "article9" / "playbooks"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "playbooks"


MAX_PLAYBOOK_STEPS = 100  # steps in one POST /playbook, branches included

EXAMPLE_SCENARIO = {
    "title": "US destroyer attacked on the high seas",
    "facts": {
        "armed_attack_on_japan": False,
        "armed_attack_on_foreign_country": True,
        "close_relationship": True,
        "survival_threat": None,
        "no_other_means": True,
        "minimum_necessary": True,
        "attacked_state_request": True,
        "force_in_foreign_territory": False,
        "nsc_deliberated": True,
        "cabinet_brp_adopted": True,
        "diet_refused_brp": False,
        "diet_approved_defense_operation": True,
        "pm_ordered_defense_operation": True,
    },
}


class Common(BaseModel):
    """What every POST body may say besides its question: the language of the answer's words,
    and a bundled reform (GET /reforms) to answer under instead of the law."""

    lang: str = Field(default="en", pattern="^(en|ja)$", description="Language of labels and explanations.")
    reform: str | None = Field(
        default=None,
        max_length=100,
        description="Answer under this bundled hypothetical reform (an id from GET /reforms), not the law.",
    )


class AssessRequest(Common):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"scenario": EXAMPLE_SCENARIO, "dates": ["2016-05-01"], "actions": ["defend_foreign_warship"]}]
        },
    )
    scenario: Scenario
    dates: list[dt.date] = Field(
        default_factory=list, description="Dates to assess; default the scenario's, else today."
    )
    actions: list[str] = Field(default_factory=list, description="Actions; default the scenario's, else all.")
    explain: bool = Field(
        default=True,
        description="Build each action's explanation tree; false answers without them (each 'explanation' is "
        "null, everything else is the same) and is the cheap way to ask: ask /explain for one action's tree.",
    )


class ExplainRequest(Common):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"scenario": EXAMPLE_SCENARIO, "action": "defend_foreign_warship", "date": "2016-05-01"}]
        },
    )
    scenario: Scenario
    action: str
    date: dt.date | None = None


class CompareRequest(Common):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"scenario": EXAMPLE_SCENARIO, "dates": ["2014-06-01", "2016-05-01"]}]},
    )
    scenario: Scenario
    dates: list[dt.date] = Field(min_length=2)
    actions: list[str] = Field(default_factory=list)


class WhatIfRequest(Common):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"scenario": EXAMPLE_SCENARIO, "action": "defend_foreign_warship", "date": "2014-06-01"}]
        },
    )
    scenario: Scenario
    action: str
    date: dt.date | None = None
    max_changes: int = Field(default=3, ge=1, le=6)


class DiffRequest(Common):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"from_date": "2014-06-30", "to_date": "2016-03-29", "actions": ["protect_foreign_forces_assets"]}
            ]
        },
    )
    from_date: dt.date
    to_date: dt.date
    actions: list[str] = Field(default_factory=list)


class InterviewRequest(Common):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "facts": {"armed_attack_on_japan": True},
                    "actions": ["use_force_defend_japan"],
                    "date": "2017-01-01",
                    "asked": ["armed_attack_on_japan"],
                }
            ]
        },
    )
    facts: dict[str, bool | None] = Field(default_factory=dict)
    actions: list[str] = Field(default_factory=list)
    date: dt.date | None = None
    asked: list[str] = Field(default_factory=list, description="Facts already asked (also those answered 'unknown').")

    @field_validator("facts", "actions", "asked")
    @classmethod
    def _text_is_unicode(cls, value: Any) -> Any:
        _valid_unicode(value)
        return value


class PlaybookRequest(Playbook):
    """A playbook (docs/playbook-format.md) and, as every POST body, `lang` and `reform`."""

    lang: str = Field(default="en", pattern="^(en|ja)$", description="Language of the answer's words.")
    reform: str | None = Field(default=None, max_length=100, description="A bundled reform id (GET /reforms).")


__all__ = [
    "InterviewResponse",
    "Question",
    "scenario_dir",
    "HeaderTimeoutProtocol",
    "max_connections",
    "header_seconds",
    "STRICT_CSP",
    "DOCS_CSP",
    "ServiceSettings",
    "service_middleware",
    "json_body_only",
    "ACCESS_LOG",
    "BodyTooLarge",
]


class ErrorDetail(BaseModel):
    """Every refusal: `detail` is a message, or for a 422 a list of {loc, msg, type}."""

    detail: str | list[dict[str, Any]]


def _errors(**codes: str) -> dict[int | str, dict[str, Any]]:
    return {int(code[1:]): {"model": ErrorDetail, "description": text} for code, text in codes.items()}


POST_ERRORS = _errors(
    _400="the body is not valid JSON",
    _413="the body is larger than the limit (--max-body)",
    _415="the Content-Type is not application/json",
    _503="the request took longer than the time limit (--timeout)",
)
NOT_FOUND = _errors(_404="no such item", _503="the request took longer than the time limit (--timeout)")


def fast_json(text: str) -> Response:
    """The engine's models are built and validated already: send their JSON as it is (the
    response_model still documents the shape in OpenAPI)."""
    return Response(content=text, media_type="application/json")


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """The app, with the service limits of `settings` (default: from the environment)."""

    def shared_engine(reform: str | None = None):  # noqa: ANN202
        """The engine a request uses: the packaged law, under the service's reform
        (ARTICLE9_REFORM, `article9 serve --reform FILE`) or the request's bundled `reform`;
        a reformed answer carries regime.kind 'reform' and its banner."""
        if reform is not None:
            try:
                path = query.bundled_reform(reform)
            except query.NotFound as exc:
                raise HTTPException(
                    422, detail=[{"loc": ["body", "reform"], "msg": exc.message, "type": "value_error"}]
                ) from None
            return query.engine(None, path)
        path = os.environ.get(ENV_REFORM, "").strip()
        return query.engine(None, Path(path) if path else None)

    settings = settings or ServiceSettings.from_env()
    overrunning: set[asyncio.Future[None]] = set()
    app = FastAPI(
        title="article9",
        version=__version__,
        description="Japan's law on the use of force and SDF operations, executable. Assess scenarios by date, "
        "with explanations citing the provisions.",
        middleware=service_middleware(settings, overrunning),
        dependencies=[Depends(json_body_only)],
        docs_url=None,  # /docs is served below from vendored Swagger UI (works offline)
        redoc_url=None,  # ReDoc loads from a CDN; not offered offline
    )
    app.state.settings = settings
    decision_log = None
    if os.environ.get(ENV_LOG):
        from .audit import DecisionLog

        decision_log = DecisionLog(Path(os.environ[ENV_LOG]))

    def record(s: Scenario, results: list[Assessment], source: str, reform: str | None = None) -> None:
        """Append the answers to the decision log (ARTICLE9_LOG, set by `article9 --log FILE serve`)."""
        if decision_log is not None:
            for result in results:
                decision_log.record(shared_engine(reform).rb, s, result, source)

    @app.exception_handler(Article9Error)
    async def _user_error(_request: Request, exc: Article9Error) -> JSONResponse:
        if isinstance(exc, LimitError):  # the question is valid; answering it took too long
            return JSONResponse(status_code=503, content={"detail": exc.message})
        problems = getattr(exc, "problems", None)
        if problems:
            return JSONResponse(status_code=422, content={"detail": [p.model_dump() for p in problems]})
        return JSONResponse(
            status_code=422, content={"detail": [{"loc": ["body"], "msg": exc.message, "type": "value_error"}]}
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": details})

    @app.exception_handler(Exception)
    async def _internal(_request: Request, _exc: Exception) -> JSONResponse:
        return JSONResponse(status_code=500, content={"detail": "internal error"})

    def at_most(items: Sized, limit: int, loc: list[str], what: str, why: str = "") -> None:
        """A list longer than the service allows is a 422 naming the field."""
        if len(items) > limit:
            msg = f"at most {limit} {what} in one request{why}, not {len(items)}"
            raise HTTPException(422, detail=[{"loc": loc, "msg": msg, "type": "too_long"}])

    def limited(dates: Sized = (), actions: Sized = (), where: tuple[str, ...] = ("body",)) -> None:
        """At most settings.max_dates dates, and no more actions than the vocabulary has."""
        at_most(dates, settings.max_dates, [*where, "dates"], "dates")
        n = len(shared_engine().rb.vocabulary.actions)
        at_most(actions, n, [*where, "actions"], "actions", f" (the vocabulary has {n})")

    def checked(s: Scenario, where: tuple[str, ...] = ("body", "scenario"), reform: str | None = None) -> Scenario:
        """Names must be in the vocabulary: a 422 that points at the offending field (the
        same check as every face's, query.scenario_problems)."""
        limited(s.dates, s.actions, where)
        problems = query.scenario_problems(shared_engine(reform).rb, s, where)
        if problems:
            raise HTTPException(422, detail=[p.model_dump() for p in problems])
        return s

    costly_slots = threading.BoundedSemaphore(settings.costly)

    def unknown(s: Scenario) -> int:
        return sum(1 for f in shared_engine().rb.vocabulary.facts if s.facts.get(f) is None)

    @contextlib.contextmanager
    def budget(dates: int, actions: int, unknowns: int) -> Iterator[None]:
        """The request's cost, bounded before any work starts: distinct dates x actions x (1 +
        unknown facts), at most settings.max_cost (a 422). A costly request waits for one of
        settings.costly slots, so that cheap requests keep most of the process; if none frees
        up within COSTLY_WAIT seconds (or its deadline) it is a 503."""
        cost = dates * actions * (1 + unknowns)
        if cost > settings.max_cost:
            msg = (
                f"this request would assess {dates} date(s) x {actions} action(s) with {unknowns} unknown fact(s): "
                f"cost {cost}, more than the limit of {settings.max_cost} ({ENV_MAX_COST}); ask with fewer dates, "
                "actions or unknown facts"
            )
            raise HTTPException(422, detail=[{"loc": ["body"], "msg": msg, "type": "too_costly"}])
        # with the compiled windows unknown facts cost no search: only a request the solver
        # answers (a rule base that is not compiled) is costly for them
        if (dates * actions if shared_engine().compiled_answers() else cost) < COSTLY_FROM:
            yield
            return
        left = query.deadline_left(settings.timeout)
        # a request waiting for a slot holds one of the worker's threads: not for long
        if not costly_slots.acquire(timeout=min(left, COSTLY_WAIT)):
            raise LimitError(
                f"the service is busy with {settings.costly} other costly requests ({ENV_COSTLY}): "
                "try again shortly, or ask with fewer dates, actions or unknown facts"
            )
        try:
            yield
        finally:
            costly_slots.release()

    def n_actions(actions: Sized | None) -> int:
        return len(actions) if actions else len(shared_engine().rb.vocabulary.actions)

    day = query.default_day

    @app.get("/health")
    async def health() -> dict[str, Any]:
        """Answers without a worker thread, so it stays quick while engine work runs;
        `overrunning` counts requests that passed the time limit and are still finishing."""
        return {"status": "ok", "version": __version__, "overrunning": len(overrunning)}

    @app.post("/assess", response_model=list[Assessment], response_model_by_alias=True, responses=POST_ERRORS)
    def assess(req: AssessRequest, request: Request) -> Response:
        limited(req.dates, req.actions)
        e = shared_engine(req.reform)
        s = checked(req.scenario, reform=req.reform)
        days = list(dict.fromkeys(req.dates or s.dates or [dt.date.today()]))  # a date given twice: once
        with budget(len(days), n_actions(req.actions or s.actions), unknown(s)):
            results = query.assess(
                e, s, days, req.actions or None, req.lang, req.explain, req.reform, str(request.base_url)
            )
        record(s, results, "api /assess", req.reform)
        return fast_json("[" + ",".join(a.model_dump_json(by_alias=True) for a in results) + "]")

    @app.post("/explain", response_model=Assessment, response_model_by_alias=True, responses=POST_ERRORS)
    def explain(req: ExplainRequest) -> Response:
        e = shared_engine(req.reform)
        s = checked(req.scenario, reform=req.reform)
        with budget(1, 1, unknown(s)):
            result = query.explain(e, s, req.action, day(req.date, s), req.lang)
        record(s, [result], "api /explain", req.reform)
        return fast_json(result.model_dump_json(by_alias=True))

    @app.post("/compare", response_model=Comparison, response_model_by_alias=True, responses=POST_ERRORS)
    def compare(req: CompareRequest) -> Response:
        limited(req.dates, req.actions)
        e = shared_engine(req.reform)
        s = checked(req.scenario, reform=req.reform)
        with budget(len(set(req.dates)), n_actions(req.actions or s.actions), unknown(s)):
            result = query.compare(
                e,
                s,
                req.dates,
                req.actions or None,
                req.lang,
                on_result=lambda r: record(s, [r], "api /compare", req.reform),
            )
        return fast_json(result.model_dump_json(by_alias=True))

    @app.post("/whatif", response_model=WhatIf, response_model_by_alias=True, responses=POST_ERRORS)
    def whatif(req: WhatIfRequest) -> Response:
        e = shared_engine(req.reform)
        s = checked(req.scenario, reform=req.reform)
        with budget(req.max_changes, 1, unknown(s)):  # a search over changes: always bounded by its deadline
            result = query.whatif(e, s, req.action, day(req.date, s), req.max_changes, req.lang)
        return fast_json(result.model_dump_json(by_alias=True))

    @app.post("/diff", response_model=Diff, response_model_by_alias=True, responses=POST_ERRORS)
    def diff(req: DiffRequest) -> Response:
        limited(actions=req.actions)
        e = shared_engine(req.reform)
        with budget(2, n_actions(req.actions), COSTLY_FROM):  # every fact open: always a costly request
            return fast_json(
                query.diff(e, req.from_date, req.to_date, req.actions or None, req.lang).model_dump_json(by_alias=True)
            )

    @app.post("/interview/next", response_model=InterviewResponse, response_model_by_alias=True, responses=POST_ERRORS)
    def interview_next(req: InterviewRequest) -> InterviewResponse:
        e = shared_engine(req.reform)
        s = checked(Scenario(title="interview", facts=req.facts, actions=req.actions), ("body",), req.reform)
        actions = req.actions or list(e.rb.vocabulary.actions)
        with budget(1, len(actions), unknown(s)):  # one assessment gives the answers and the question
            answer = query.interview_next(e, req.facts, req.actions, day(req.date), req.asked, req.lang)
        record(s, [answer.assessment], "api /interview/next", req.reform)
        return answer

    @app.post("/playbook", response_model=PlaybookResult, response_model_by_alias=True, responses=POST_ERRORS)
    def playbook(req: PlaybookRequest) -> Response:
        """Play a crisis playbook (the format of docs/playbook-format.md, as JSON)."""
        from .playbook import check_playbook, count_steps, run

        e = shared_engine(req.reform)
        at_most(req.actions, len(e.rb.vocabulary.actions), ["body", "actions"], "actions")
        n = count_steps(req)
        if n > MAX_PLAYBOOK_STEPS:
            msg = f"at most {MAX_PLAYBOOK_STEPS} steps in one playbook, branches included, not {n}"
            raise HTTPException(422, detail=[{"loc": ["body", "steps"], "msg": msg, "type": "too_long"}])
        pb = Playbook.model_validate(req.model_dump(exclude={"lang", "reform"}))
        result = run(e, check_playbook(pb, e.rb))
        return fast_json(result.model_dump_json(by_alias=True))

    @app.get("/playbooks")
    def playbooks() -> list[dict[str, Any]]:
        """The bundled playbooks."""
        from .playbook import load_playbook

        rb = shared_engine().rb
        return [
            {"name": path.stem, "title": load_playbook(path, rb).title}
            for path in sorted(playbook_dir().glob("*.yaml"))
        ]

    @app.get("/playbooks/actors")
    def playbook_actors() -> dict[str, Any]:
        """Who takes each procedure step (procedure id -> actor code) and each actor's names."""
        from .playbook import actor_table

        procedures, actors = actor_table()
        return {"procedures": procedures, "actors": actors}

    @app.get("/playbooks/{name}", response_model=Playbook, responses=NOT_FOUND)
    def playbook_file(name: str) -> Response:
        from .playbook import load_playbook

        path = playbook_dir() / f"{name}.yaml"
        if "/" in name or not path.is_file():
            raise HTTPException(404, detail=f"no bundled playbook {name!r}")
        pb = load_playbook(path, shared_engine().rb)
        return fast_json(pb.model_dump_json(exclude_defaults=True))

    @app.get("/scenarios")
    def scenarios() -> list[dict[str, Any]]:
        """The bundled scenario library."""
        return query.scenarios(shared_engine().rb)

    @app.get("/scenarios/{name}", response_model=Scenario, responses=NOT_FOUND)
    def scenario_file(name: str) -> Scenario:
        try:
            return query.bundled_scenario(shared_engine().rb, name)
        except query.NotFound as exc:
            raise HTTPException(404, detail=exc.message) from None

    @app.get("/reforms")
    def reforms() -> list[dict[str, Any]]:
        """The bundled hypothetical reforms: a POST body's `reform` names one by its id."""
        return [r.model_dump(mode="json") for r in query.reforms()]

    @app.get("/messages/{lang}", responses=NOT_FOUND)
    def messages(lang: str) -> dict[str, str]:
        """The catalogue of words of one language (key -> text), the same the Python faces use."""
        from .i18n import LANGS, flat

        if lang not in LANGS:
            raise HTTPException(404, detail=f"no catalogue for {lang[:20]!r}; there are: {', '.join(LANGS)}")
        return flat(lang)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(WEB / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=WEB), name="static")

    @app.get("/pathways")
    def pathways_route(
        date: dt.date,
        support: Annotated[list[str] | None, Query()] = None,
        without: Annotated[list[str] | None, Query()] = None,
        change: str = "all",
    ) -> dict[str, Any]:
        from .diet import pathways as run

        return run(date, support or None, without or None, change).model_dump(mode="json", by_alias=True)

    @app.get("/pathways/history")
    def pathways_history() -> dict[str, Any]:
        from .diet import history

        return history().model_dump(mode="json", by_alias=True)

    @app.get(
        "/pathways/chart.svg",
        response_class=Response,
        responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}, "description": "SVG chart"}},
    )
    def pathways_chart(support: Annotated[list[str] | None, Query()] = None) -> Response:
        from .diet import chart_svg, check_parties

        check_parties(support or [])
        return Response(chart_svg(support or None), media_type="image/svg+xml")

    @app.get("/vocabulary")
    def vocabulary() -> dict[str, Any]:
        return query.vocabulary(shared_engine().rb)

    @app.get("/timeline", responses=NOT_FOUND)
    def timeline(instrument: str | None = None) -> list[dict[str, Any]]:
        """The same rows as `article9 timeline --json`: every rule block, every renumbering and
        every text-only provision, by date."""
        try:
            return query.timeline(shared_engine().rb, instrument)
        except query.NotFound as exc:
            raise HTTPException(404, detail=exc.message) from None

    @app.get("/law")
    def law_index() -> list[dict[str, Any]]:
        return query.law_index(shared_engine().rb)

    @app.get("/law/{provision_id:path}", responses=NOT_FOUND)
    def law(provision_id: str, date: dt.date | None = None) -> dict[str, Any]:
        """A provision by id or alias, an instrument, 'INSTRUMENT ARTICLE', or a prefix of ids:
        the same lookup as `article9 law`. One provision is answered as itself, an instrument
        as itself with its provisions listed, several provisions as {citation, provisions}."""
        try:
            found = query.law(shared_engine().rb, provision_id, date)
        except query.NotFound as exc:
            raise HTTPException(404, detail=exc.message) from None
        if found.instrument is not None:
            return found.instrument.model_dump(mode="json")
        views = [p.model_dump(mode="json", by_alias=True) for p in found.provisions]
        if len(views) == 1 and not found.numbered:
            return views[0]
        return {
            "citation": found.citation,
            "numbered": [n.model_dump() for n in found.numbered],
            "provisions": views,
        }

    # -- web faces: chart data, the sources, offline /docs (issue 17) ------------------------
    @app.get("/pathways/chart.json")
    def pathways_chart_data(support: Annotated[list[str] | None, Query()] = None) -> list[dict[str, Any]]:
        """The pathways chart's data: per election, the supporting seats against the majority
        and two-thirds of all members."""
        from .diet import chart_rows, check_parties

        check_parties(support or [])
        return chart_rows(support or None)

    @app.get("/sources")
    def sources() -> dict[str, dict[str, Any]]:
        """Every source key the law files, scenarios and vocabulary cite, with its title,
        publisher, URL, date and language where known."""
        from .sources import load_sources

        return load_sources()

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        """Swagger UI from /static/vendor/swagger-ui, under a CSP with no CDN and no inline script."""
        return FileResponse(
            WEB / "docs.html",
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": LOCAL_DOCS_CSP},
        )

    return app


LOCAL_DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""/docs: the strict policy, with data: images (Swagger UI's icons)."""


app = create_app()
