"""The HTTP API (FastAPI): a thin face over the engine. Request and response bodies are the
library's pydantic models. Bad input is a 422 naming the field; nothing leaks a traceback."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field

from . import __version__
from .errors import Article9Error
from .models import Assessment, Comparison, Diff, Scenario, WhatIf

WEB = Path(__file__).parent / "web"


def scenario_dir() -> Path:
    """The bundled scenarios: installed beside the package's data, or the source tree's."""
    installed = Path(sys.prefix) / "share" / "article9" / "scenarios"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "scenarios"


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
        "diet_approved_defense_operation": True,
        "pm_ordered_defense_operation": True,
    },
}


class AssessRequest(BaseModel):
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
    lang: str = Field(default="en", pattern="^(en|ja)$", description="Language of labels and explanations.")


class ExplainRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"scenario": EXAMPLE_SCENARIO, "action": "defend_foreign_warship", "date": "2016-05-01"}]
        },
    )
    scenario: Scenario
    action: str
    date: dt.date | None = None


class CompareRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"scenario": EXAMPLE_SCENARIO, "dates": ["2014-06-01", "2016-05-01"]}]},
    )
    scenario: Scenario
    dates: list[dt.date] = Field(min_length=2)
    actions: list[str] = Field(default_factory=list)


class WhatIfRequest(BaseModel):
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


class DiffRequest(BaseModel):
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


class InterviewRequest(BaseModel):
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
    lang: str = Field(default="en", pattern="^(en|ja)$")


class Question(BaseModel):
    fact: str
    kind: str
    question: str
    help: str


class InterviewResponse(BaseModel):
    question: Question | None = Field(description="null when no question can change the answers")
    assessment: Assessment


def fast_json(text: str) -> Response:
    """The engine's models are built and validated already: send their JSON as it is (the
    response_model still documents the shape in OpenAPI)."""
    return Response(content=text, media_type="application/json")


def create_app() -> FastAPI:
    from .library import engine as shared_engine

    app = FastAPI(
        title="article9",
        version=__version__,
        description="Japan's law on the use of force and SDF operations, executable. Assess scenarios by date, "
        "with explanations citing the provisions.",
    )

    @app.exception_handler(Article9Error)
    async def _user_error(_request: Request, exc: Article9Error) -> JSONResponse:
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

    def checked(s: Scenario, where: tuple[str, ...] = ("body", "scenario")) -> Scenario:
        """Names must be in the vocabulary: a 422 that points at the offending field."""
        from .corpus import suggest
        from .engine import check_date

        v = shared_engine().rb.vocabulary
        problems = [
            {"loc": [*where, "facts", f], "msg": f"unknown fact {f!r}{suggest(f, v.facts)}", "type": "value_error"}
            for f in s.facts
            if f not in v.facts
        ]
        problems += [
            {
                "loc": [*where, "actions", i],
                "msg": f"unknown action {a!r}{suggest(a, v.actions)}",
                "type": "value_error",
            }
            for i, a in enumerate(s.actions)
            if a not in v.actions
        ]
        for i, d in enumerate(s.dates):
            try:
                check_date(d)
            except Article9Error as exc:
                problems.append({"loc": [*where, "dates", i], "msg": exc.message, "type": "value_error"})
        if problems:
            raise HTTPException(422, detail=problems)
        return s

    def day(value: dt.date | None, s: Scenario | None = None) -> dt.date:
        if value is not None:
            return value
        return s.dates[0] if s is not None and s.dates else dt.date.today()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.post("/assess", response_model=list[Assessment], response_model_by_alias=True)
    def assess(req: AssessRequest) -> Response:
        s = checked(req.scenario)
        days = req.dates or s.dates or [dt.date.today()]
        if len(days) > 20:
            raise HTTPException(
                422, detail=[{"loc": ["body", "dates"], "msg": "at most 20 dates", "type": "value_error"}]
            )
        results = [shared_engine().assess(s, d, req.actions or None, lang=req.lang) for d in days]
        return fast_json("[" + ",".join(a.model_dump_json(by_alias=True) for a in results) + "]")

    @app.post("/explain", response_model=Assessment, response_model_by_alias=True)
    def explain(req: ExplainRequest) -> Response:
        s = checked(req.scenario)
        return fast_json(shared_engine().assess(s, day(req.date, s), [req.action]).model_dump_json(by_alias=True))

    @app.post("/compare", response_model=Comparison, response_model_by_alias=True)
    def compare(req: CompareRequest) -> Response:
        result = shared_engine().compare(checked(req.scenario), req.dates[:20], req.actions or None)
        return fast_json(result.model_dump_json(by_alias=True))

    @app.post("/whatif", response_model=WhatIf, response_model_by_alias=True)
    def whatif(req: WhatIfRequest) -> Response:
        s = checked(req.scenario)
        result = shared_engine().whatif(s, req.action, day(req.date, s), max_changes=req.max_changes)
        return fast_json(result.model_dump_json(by_alias=True))

    @app.post("/diff", response_model=Diff, response_model_by_alias=True)
    def diff(req: DiffRequest) -> Response:
        from .reasoning import diff as run

        return fast_json(
            run(shared_engine(), req.from_date, req.to_date, req.actions or None).model_dump_json(by_alias=True)
        )

    @app.post("/interview/next", response_model=InterviewResponse, response_model_by_alias=True)
    def interview_next(req: InterviewRequest) -> InterviewResponse:
        from .interview import next_question

        e = shared_engine()
        s = checked(Scenario(title="interview", facts=req.facts, actions=req.actions), ("body",))
        when = day(req.date)
        actions = req.actions or list(e.rb.vocabulary.actions)
        fact = next_question(e, s, actions, when, set(req.asked) | {k for k, v in req.facts.items() if v is not None})
        question = None
        if fact is not None:
            f = e.rb.vocabulary.facts[fact]
            question = Question(
                fact=fact, kind=f.kind, question=getattr(f.question, req.lang), help=getattr(f.help, req.lang)
            )
        return InterviewResponse(question=question, assessment=e.assess(s, when, actions))

    @app.get("/scenarios")
    def scenarios() -> list[dict[str, Any]]:
        """The bundled scenario library."""
        from .scenario import load_scenario

        rb = shared_engine().rb
        out = []
        for path in sorted(scenario_dir().glob("*.yaml")):
            s = load_scenario(path, rb)
            out.append({"name": path.stem, "title": s.title, "dates": [d.isoformat() for d in s.dates]})
        return out

    @app.get("/scenarios/{name}", response_model=Scenario)
    def scenario_file(name: str) -> Scenario:
        from .scenario import load_scenario

        path = scenario_dir() / f"{name}.yaml"
        if "/" in name or not path.is_file():
            raise HTTPException(404, detail=f"no bundled scenario {name!r}")
        return load_scenario(path, shared_engine().rb)

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

    @app.get("/pathways/chart.svg")
    def pathways_chart(support: Annotated[list[str] | None, Query()] = None) -> Response:
        from .diet import chart_svg, check_parties

        check_parties(support or [])
        return Response(chart_svg(support or None), media_type="image/svg+xml")

    @app.get("/vocabulary")
    def vocabulary() -> dict[str, Any]:
        return shared_engine().rb.vocabulary.model_dump()

    @app.get("/timeline")
    def timeline() -> list[dict[str, Any]]:
        rb = shared_engine().rb
        return [
            {
                "provision": b.provision_id,
                "from": b.start.isoformat(),
                "to": None if b.end == dt.date.max else b.end.isoformat(),
            }
            for b in sorted(rb.blocks, key=lambda b: (b.start, b.provision_id))
        ]

    @app.get("/law")
    def law_index() -> list[dict[str, Any]]:
        rb = shared_engine().rb
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

    @app.get("/law/{provision_id:path}")
    def law(provision_id: str) -> dict[str, Any]:
        from .corpus import suggest

        rb = shared_engine().rb
        if provision_id in rb.instruments:
            inst = rb.instruments[provision_id]
            return {
                "instrument": inst.id,
                "title": inst.title_en,
                "title_ja": inst.title_ja,
                "kind": inst.kind,
                "law_number": inst.law_number,
                "egov_id": inst.egov_id,
                "promulgated": inst.promulgated,
                "in_force": inst.in_force,
                "sources": inst.sources,
                "intro": inst.intro,
                "provisions": [
                    {"id": p.id, "title": p.title, "title_ja": p.title_ja, "marker": p.marker} for p in inst.provisions
                ],
            }
        try:
            p = rb.provision(provision_id)
        except KeyError:
            raise HTTPException(
                404, detail=f"no provision {provision_id!r}{suggest(provision_id, rb.provisions)}"
            ) from None
        inst = rb.instruments[p.instrument]
        return {
            "id": p.id,
            "title": p.title,
            "title_ja": p.title_ja,
            "marker": p.marker,
            "sources": p.sources,
            "instrument": p.instrument,
            "instrument_title": inst.title_en,
            "instrument_title_ja": inst.title_ja,
            "law_number": inst.law_number,
            "summary": p.summary,
            "summary_ja": p.summary_ja,
            "blocks": [
                {
                    "from": b.start.isoformat(),
                    "to": None if b.end == dt.date.max else b.end.isoformat(),
                    "rules": b.text,
                }
                for b in p.blocks
            ],
        }

    return app


app = create_app()
