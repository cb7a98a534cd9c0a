"""The HTTP API (FastAPI): a thin face over the engine. Request and response bodies are the
library's pydantic models. Bad input is a 422 naming the field; nothing leaks a traceback.

Service limits (docs/service.md): request bodies are capped (413), each request has a time
limit (503), dates and actions per request are capped (422), CORS is off unless origins are
given, every response carries security headers and an X-Request-ID, and each request is
logged as one JSON line. The limits come from ServiceSettings, read from ARTICLE9_*
environment variables (which `article9 serve` sets from its options)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import json
import logging
import os
import re
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Iterator, Mapping, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import __version__
from .errors import Article9Error, LimitError
from .models import Assessment, Comparison, Diff, Scenario, WhatIf, _valid_unicode
from .playbook import Playbook, PlaybookResult

WEB = Path(__file__).parent / "web"


def scenario_dir() -> Path:
    """The bundled scenarios: installed beside the package's data, or the source tree's."""
    installed = Path(sys.prefix) / "share" / "article9" / "scenarios"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "scenarios"


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
    explain: bool = Field(
        default=True,
        description="Build each action's explanation tree; false answers without them (each 'explanation' is "
        "null, everything else is the same) and is the cheap way to ask: ask /explain for one action's tree.",
    )


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

    @field_validator("facts", "actions", "asked")
    @classmethod
    def _text_is_unicode(cls, value: Any) -> Any:
        _valid_unicode(value)
        return value

    lang: str = Field(default="en", pattern="^(en|ja)$")


class Question(BaseModel):
    fact: str
    kind: str
    question: str
    help: str


class InterviewResponse(BaseModel):
    question: Question | None = Field(description="null when no question can change the answers")
    assessment: Assessment


# --- service settings -------------------------------------------------------------------

ENV_MAX_BODY = "ARTICLE9_MAX_BODY"
ENV_TIMEOUT = "ARTICLE9_TIMEOUT"
ENV_CORS = "ARTICLE9_CORS"
ENV_MAX_DATES = "ARTICLE9_MAX_DATES"
ENV_LOG = "ARTICLE9_LOG"  # the decision log, see audit.py
ENV_MAX_COST = "ARTICLE9_MAX_COST"
ENV_COSTLY = "ARTICLE9_COSTLY_REQUESTS"
ENV_MAX_IN_FLIGHT = "ARTICLE9_MAX_IN_FLIGHT"
COSTLY_WAIT = 1.0  # seconds a costly request waits for a slot before its 503
COSTLY_FROM = 200  # a request of this cost or more is costly (one date, 28 actions, 6 unknown facts: 196)
ENV_REFORM = "ARTICLE9_REFORM"  # a reform file the whole service answers under (serve --reform)
ORIGIN = re.compile(r"https?://[^/\s?#]+")


@dataclass(frozen=True)
class ServiceSettings:
    """The service's limits. Defaults suit one analyst's browser and scripts on loopback."""

    max_body: int = 256 * 1024
    """Largest request body in bytes (declared or streamed); larger is a 413."""
    timeout: float = 10.0
    """Seconds a request may take; longer is a 503 (the engine's thread finishes in the background)."""
    cors: tuple[str, ...] = ()
    """Origins allowed to call the API from a browser; empty means no CORS headers at all."""
    max_dates: int = 50
    """Most dates in one request (in `dates` and in the scenario's `dates`)."""
    max_cost: int = 20_000
    """Largest cost of one request: distinct dates x actions x (1 + unknown facts); more is a 422."""
    costly: int = 2
    """Requests costing more than COSTLY_FROM that one worker process runs at once; others wait, then 503."""
    max_in_flight: int = 4
    """POST requests one client (address) may have in flight, in one worker; more get a 429."""

    def __post_init__(self) -> None:
        if self.max_body < 0:
            raise ValueError(f"--max-body ({ENV_MAX_BODY}) must be 0 bytes or more, not {self.max_body}")
        if not 0 < self.timeout < 86400:
            raise ValueError(
                f"--timeout ({ENV_TIMEOUT}) must be more than 0 and less than 86400 seconds, not {self.timeout}"
            )
        if self.max_dates < 1:
            raise ValueError(f"--max-dates ({ENV_MAX_DATES}) must be 1 or more, not {self.max_dates}")
        for value, env, what in (
            (self.max_cost, ENV_MAX_COST, "max cost"),
            (self.costly, ENV_COSTLY, "costly requests"),
            (self.max_in_flight, ENV_MAX_IN_FLIGHT, "requests in flight"),
        ):
            if value < 1:
                raise ValueError(f"{what} ({env}) must be 1 or more, not {value}")
        for origin in self.cors:
            if origin != "*" and not ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"--cors ({ENV_CORS}) takes origins like https://example.org (scheme, host, port; "
                    f"no path), not {origin!r}"
                )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServiceSettings:
        """Settings from ARTICLE9_MAX_BODY (bytes), ARTICLE9_TIMEOUT (seconds), ARTICLE9_CORS
        (origins, comma-separated) and ARTICLE9_MAX_DATES; unset means the default. A value
        that is not a number is a ValueError naming the variable."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, field, kind in (
            (ENV_MAX_BODY, "max_body", int),
            (ENV_TIMEOUT, "timeout", float),
            (ENV_MAX_DATES, "max_dates", int),
            (ENV_MAX_COST, "max_cost", int),
            (ENV_COSTLY, "costly", int),
            (ENV_MAX_IN_FLIGHT, "max_in_flight", int),
        ):
            text = env.get(name, "").strip()
            if text:
                try:
                    values[field] = kind(text)
                except ValueError:
                    raise ValueError(f"{name} must be a number, not {text!r}") from None
        origins = tuple(o.strip() for o in env.get(ENV_CORS, "").split(",") if o.strip())
        return cls(**values, cors=origins)


# --- connections ------------------------------------------------------------------------

ENV_HEADER_SECONDS = "ARTICLE9_HEADER_SECONDS"
ENV_MAX_CONNECTIONS = "ARTICLE9_MAX_CONNECTIONS"
HEADER_SECONDS = 10.0  # a client has this long to send a request's headers
MAX_CONNECTIONS = 256  # connections (and tasks) one worker holds at once; more get uvicorn's 503


def _env_number(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {text!r}") from None
    if not 0 < value < 86400:
        raise ValueError(f"{name} must be more than 0 and less than 86400, not {text!r}")
    return value


def header_seconds() -> float:
    return _env_number(ENV_HEADER_SECONDS, HEADER_SECONDS)


def max_connections() -> int:
    return int(_env_number(ENV_MAX_CONNECTIONS, MAX_CONNECTIONS))


@functools.lru_cache(maxsize=1)
def _protocol() -> type:
    """uvicorn's h11 protocol with a deadline for each request's headers: uvicorn times out
    only the idle time between requests, so a client that sends a header byte now and then
    would hold its connection (and a file descriptor) forever."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderTimeoutProtocol(H11Protocol):
        header_timer = None

        def _start_header_timer(self) -> None:
            if self.header_timer is not None:
                self.header_timer.cancel()
            self.header_timer = self.loop.call_later(header_seconds(), self._header_timeout)

        def _header_timeout(self) -> None:
            self.header_timer = None
            idle = self.cycle is None or self.cycle.response_complete
            if idle and self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.close()  # headers not complete in time

        def connection_made(self, transport) -> None:  # noqa: ANN001 - asyncio's signature
            super().connection_made(transport)
            self._start_header_timer()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._start_header_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            if self.header_timer is not None:
                self.header_timer.cancel()
                self.header_timer = None
            super().connection_lost(exc)

    return HeaderTimeoutProtocol


class HeaderTimeoutProtocol:
    """Importable name for uvicorn's `http=` option (built lazily, uvicorn is optional here)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        return _protocol()(*args, **kwargs)


# --- middleware (pure ASGI, outermost first: headers, log, CORS, time limit, body limit) ---

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""The explorer loads its script and style from /static and talks only to this origin; it
uses no eval, no inline script and no inline style."""
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; font-src 'self' https://fonts.gstatic.com; "
    "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
"""FastAPI's /docs and /redoc pages load Swagger UI and ReDoc from a CDN with an inline script."""
DOCS_PATHS = ("/docs", "/redoc")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
ACCESS_LOG = logging.getLogger("article9.access")


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy, nosniff, frame and referrer policy to every response
    (a header a route set itself is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith(DOCS_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else STRICT_CSP)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _StderrHandler(logging.Handler):
    """Writes each record to the current sys.stderr (looked up at each write, so a replaced
    or captured stderr is honoured)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - logging must never break a request
            self.handleError(record)


def default_access_log() -> logging.Logger:
    """The `article9.access` logger: if nobody configured it, one JSON line per request to stderr."""
    if not ACCESS_LOG.handlers:
        ACCESS_LOG.addHandler(_StderrHandler())
        ACCESS_LOG.propagate = False
        if ACCESS_LOG.level == logging.NOTSET:
            ACCESS_LOG.setLevel(logging.INFO)
    return ACCESS_LOG


class RequestLogMiddleware:
    """Gives each request an id (the client's X-Request-ID if it is a plain token, else a new
    one), returns it as X-Request-ID, logs one JSON line per request (time, method, path,
    status, duration_ms, request_id; never bodies or query strings) and turns an unhandled
    exception into a JSON 500 without a traceback."""

    def __init__(self, app: ASGIApp, logger: logging.Logger) -> None:
        self.app = app
        self.logger = logger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        start = time.perf_counter()
        status: int | None = None
        error: str | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            where = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
            error = f"{type(exc).__name__}{where}"
            if os.environ.get("ARTICLE9_DEBUG"):
                error += "\n" + "".join(traceback.format_exception(exc))
            if status is not None:  # the response had begun: nothing sensible to send
                raise
            await JSONResponse(status_code=500, content={"detail": "internal error"})(scope, receive, send_with_id)
        finally:
            line: dict[str, Any] = {
                "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                "method": scope.get("method", ""),
                "path": scope.get("path", ""),
                "status": status if status is not None else 500,
                "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                "request_id": request_id,
            }
            if error:
                line["error"] = error
            self.logger.info(json.dumps(line, ensure_ascii=False))


class TimeLimitMiddleware:
    """Answers 503 with a JSON detail when a request has not begun its response within
    `seconds`. The engine work runs in a worker thread, which Python cannot stop: it finishes
    in the background and its late response is dropped. `overrunning` holds those requests."""

    def __init__(
        self, app: ASGIApp, seconds: float, overrunning: set[asyncio.Future[None]], in_flight: int = 4
    ) -> None:
        self.app = app
        self.seconds = seconds
        self.overrunning = overrunning
        self.in_flight = in_flight
        self.per_client: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from .program import time_limit

        started = False
        abandoned = False
        # POSTs (the engine's work) count against their client's in-flight limit until their
        # work has ended, including work that passed the time limit and is being stopped
        client = (scope.get("client") or ("?", 0))[0] if scope.get("method") == "POST" else None
        if client is not None:
            if self.per_client.get(client, 0) >= self.in_flight:
                detail = (
                    f"too many requests in flight from this client: at most {self.in_flight} at a time "
                    f"({ENV_MAX_IN_FLIGHT}); wait for an answer before sending more"
                )
                await JSONResponse(status_code=429, content={"detail": detail}, headers={"Retry-After": "1"})(
                    scope, receive, send
                )
                return
            self.per_client[client] = self.per_client.get(client, 0) + 1

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if abandoned:  # the client already has its 503
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with time_limit(self.seconds):  # the engine's work stops at the same deadline (engine.time_limit)
            task = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        if client is not None:
            task.add_done_callback(lambda _t: self._release(client))
        try:
            done, _ = await asyncio.wait({task}, timeout=self.seconds)
        except asyncio.CancelledError:
            task.cancel()
            raise
        if done or started:  # finished, or already sending its answer: let it complete
            await task
            return
        abandoned = True
        self.overrunning.add(task)
        task.add_done_callback(self._finished)
        detail = f"the request took longer than the time limit of {self.seconds:g} s"
        await JSONResponse(status_code=503, content={"detail": detail})(scope, receive, send)

    def _release(self, client: str) -> None:
        left = self.per_client.get(client, 1) - 1
        if left > 0:
            self.per_client[client] = left
        else:
            self.per_client.pop(client, None)

    def _finished(self, task: asyncio.Future[None]) -> None:
        self.overrunning.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved, so asyncio does not report it as lost


class BodyTooLarge(HTTPException):
    """Raised from `receive` when the body passes the limit; FastAPI passes an HTTPException
    from body reading through to its handler, which answers with this JSON 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            detail=f"request body too large: the limit is {limit} bytes",
            headers={"Connection": "close"},
        )


class BodyLimitMiddleware:
    """Refuses a request body over `max_body` bytes with a JSON 413: at once when the
    Content-Length says so, otherwise by counting the bytes as they arrive (chunked uploads, or
    a client whose Content-Length is wrong), so no more than the limit is ever buffered."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:  # raised where no handler turned it into a response
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        exc = BodyTooLarge(self.max_body)
        await JSONResponse(status_code=413, content={"detail": exc.detail}, headers=exc.headers)(scope, receive, send)


class HeadMiddleware:
    """Answers HEAD as the same GET without its body (as HTTP asks), so `curl -I` and
    monitoring checks see the page's real status and headers instead of a 405."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def service_middleware(settings: ServiceSettings, overrunning: set[asyncio.Future[None]]) -> list[Middleware]:
    """The middleware stack, outermost first."""
    stack = [
        Middleware(SecurityHeadersMiddleware),
        Middleware(RequestLogMiddleware, logger=default_access_log()),
        Middleware(HeadMiddleware),
    ]
    if settings.cors:
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors),
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type", "X-Request-ID"],
                expose_headers=["X-Request-ID"],
            )
        )
    stack.append(
        Middleware(
            TimeLimitMiddleware, seconds=settings.timeout, overrunning=overrunning, in_flight=settings.max_in_flight
        )
    )
    stack.append(Middleware(BodyLimitMiddleware, max_body=settings.max_body))
    return stack


async def json_body_only(request: Request) -> None:
    """Every POST takes a JSON body: another Content-Type is a 415 saying so."""
    if request.method != "POST":
        return
    given = request.headers.get("content-type", "")
    kind = given.split(";")[0].strip().lower()
    if kind != "application/json" and not (kind.startswith("application/") and kind.endswith("+json")):
        sent = f"not {given!r}" if given else "and none was sent"
        raise HTTPException(415, detail=f"Content-Type must be application/json, {sent}")


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
    from .library import engine as packaged_engine

    reformed: list = []  # the engine under ARTICLE9_REFORM (article9 serve --reform FILE), made once

    def shared_engine():  # noqa: ANN202
        """The engine every request uses: the packaged law, or under a hypothetical reform,
        whose answers then carry regime.kind 'reform' and its banner."""
        path = os.environ.get(ENV_REFORM, "").strip()
        if not path:
            return packaged_engine()
        if not reformed:
            from .engine import Engine
            from .reform import load_reform

            reformed.append(Engine(load_reform(packaged_engine().rb, Path(path))))
        return reformed[0]

    settings = settings or ServiceSettings.from_env()
    overrunning: set[asyncio.Future[None]] = set()
    app = FastAPI(
        title="article9",
        version=__version__,
        description="Japan's law on the use of force and SDF operations, executable. Assess scenarios by date, "
        "with explanations citing the provisions.",
        middleware=service_middleware(settings, overrunning),
        dependencies=[Depends(json_body_only)],
    )
    app.state.settings = settings
    decision_log = None
    if os.environ.get(ENV_LOG):
        from .audit import DecisionLog

        decision_log = DecisionLog(Path(os.environ[ENV_LOG]))

    def record(s: Scenario, results: list[Assessment], source: str) -> None:
        """Append the answers to the decision log (ARTICLE9_LOG, set by `article9 --log FILE serve`)."""
        if decision_log is not None:
            for result in results:
                decision_log.record(shared_engine().rb, s, result, source)

    @app.exception_handler(Article9Error)
    async def _user_error(_request: Request, exc: Article9Error) -> JSONResponse:
        if isinstance(exc, LimitError):  # the question is valid; answering it took too long
            return JSONResponse(status_code=503, content={"detail": exc.message})
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

    def checked(s: Scenario, where: tuple[str, ...] = ("body", "scenario")) -> Scenario:
        """Names must be in the vocabulary: a 422 that points at the offending field."""
        from .corpus import suggest
        from .engine import check_date

        limited(s.dates, s.actions, where)
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
        from .reach import contradiction_text, violated

        problems += [
            {"loc": [*where, "facts", next(iter(c.facts))], "msg": contradiction_text(c), "type": "value_error"}
            for c in violated(shared_engine().rb.reach.constraints, s.facts)
        ]
        if problems:
            raise HTTPException(422, detail=problems)
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
        from .program import _DEADLINE

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
        deadline = _DEADLINE.get()
        left = settings.timeout if deadline is None else max(deadline[0] - time.monotonic(), 0.0)
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

    def day(value: dt.date | None, s: Scenario | None = None) -> dt.date:
        if value is not None:
            return value
        return s.dates[0] if s is not None and s.dates else dt.date.today()

    @app.get("/health")
    async def health() -> dict[str, Any]:
        """Answers without a worker thread, so it stays quick while engine work runs;
        `overrunning` counts requests that passed the time limit and are still finishing."""
        return {"status": "ok", "version": __version__, "overrunning": len(overrunning)}

    @app.post("/assess", response_model=list[Assessment], response_model_by_alias=True, responses=POST_ERRORS)
    def assess(req: AssessRequest) -> Response:
        limited(req.dates, req.actions)
        s = checked(req.scenario)
        days = list(dict.fromkeys(req.dates or s.dates or [dt.date.today()]))  # a date given twice: once
        with budget(len(days), n_actions(req.actions or s.actions), unknown(s)):
            results = [
                shared_engine().assess(s, d, req.actions or None, lang=req.lang, explain=req.explain) for d in days
            ]
        record(s, results, "api /assess")
        return fast_json("[" + ",".join(a.model_dump_json(by_alias=True) for a in results) + "]")

    @app.post("/explain", response_model=Assessment, response_model_by_alias=True, responses=POST_ERRORS)
    def explain(req: ExplainRequest) -> Response:
        s = checked(req.scenario)
        with budget(1, 1, unknown(s)):
            result = shared_engine().assess(s, day(req.date, s), [req.action])
        record(s, [result], "api /explain")
        return fast_json(result.model_dump_json(by_alias=True))

    @app.post("/compare", response_model=Comparison, response_model_by_alias=True, responses=POST_ERRORS)
    def compare(req: CompareRequest) -> Response:
        limited(req.dates, req.actions)
        s = checked(req.scenario)
        with budget(len(set(req.dates)), n_actions(req.actions or s.actions), unknown(s)):
            result = shared_engine().compare(
                s, req.dates, req.actions or None, on_result=lambda r: record(s, [r], "api /compare")
            )
        return fast_json(result.model_dump_json(by_alias=True))

    @app.post("/whatif", response_model=WhatIf, response_model_by_alias=True, responses=POST_ERRORS)
    def whatif(req: WhatIfRequest) -> Response:
        s = checked(req.scenario)
        with budget(req.max_changes, 1, unknown(s)):  # a search over changes: always bounded by its deadline
            result = shared_engine().whatif(s, req.action, day(req.date, s), max_changes=req.max_changes)
        return fast_json(result.model_dump_json(by_alias=True))

    @app.post("/diff", response_model=Diff, response_model_by_alias=True, responses=POST_ERRORS)
    def diff(req: DiffRequest) -> Response:
        from .reasoning import diff as run

        limited(actions=req.actions)
        with budget(2, n_actions(req.actions), COSTLY_FROM):  # every fact open: always a costly request
            return fast_json(
                run(shared_engine(), req.from_date, req.to_date, req.actions or None).model_dump_json(by_alias=True)
            )

    @app.post("/interview/next", response_model=InterviewResponse, response_model_by_alias=True, responses=POST_ERRORS)
    def interview_next(req: InterviewRequest) -> InterviewResponse:
        from .interview import question_for

        e = shared_engine()
        s = checked(Scenario(title="interview", facts=req.facts, actions=req.actions), ("body",))
        when = day(req.date)
        actions = req.actions or list(e.rb.vocabulary.actions)
        with budget(1, len(actions), unknown(s)):  # one assessment gives the answers and the question
            assessment = e.assess(s, when, actions, explain=False)
            fact = question_for(e, assessment, set(req.asked) | {k for k, v in req.facts.items() if v is not None})
        question = None
        if fact is not None:
            f = e.rb.vocabulary.facts[fact]
            question = Question(
                fact=fact, kind=f.kind, question=getattr(f.question, req.lang), help=getattr(f.help, req.lang)
            )
        record(s, [assessment], "api /interview/next")
        return InterviewResponse(question=question, assessment=assessment)

    @app.post("/playbook", response_model=PlaybookResult, response_model_by_alias=True, responses=POST_ERRORS)
    def playbook(req: Playbook) -> Response:
        """Play a crisis playbook (the format of docs/playbook-format.md, as JSON)."""
        from .playbook import check_playbook, count_steps, run

        at_most(req.actions, len(shared_engine().rb.vocabulary.actions), ["body", "actions"], "actions")
        n = count_steps(req)
        if n > MAX_PLAYBOOK_STEPS:
            msg = f"at most {MAX_PLAYBOOK_STEPS} steps in one playbook, branches included, not {n}"
            raise HTTPException(422, detail=[{"loc": ["body", "steps"], "msg": msg, "type": "too_long"}])
        result = run(shared_engine(), check_playbook(req, shared_engine().rb))
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
        from .scenario import load_scenario

        rb = shared_engine().rb
        out = []
        for path in sorted(scenario_dir().glob("*.yaml")):
            s = load_scenario(path, rb)
            out.append({"name": path.stem, "title": s.title, "dates": [d.isoformat() for d in s.dates]})
        return out

    @app.get("/scenarios/{name}", response_model=Scenario, responses=NOT_FOUND)
    def scenario_file(name: str) -> Scenario:
        from .scenario import load_scenario

        path = scenario_dir() / f"{name}.yaml"
        try:  # a name too long for the file system raises (ENAMETOOLONG): it names no scenario either
            found = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", name) is not None and path.is_file()
        except OSError:
            found = False
        if not found:
            raise HTTPException(404, detail=f"no bundled scenario {name[:100]!r}")
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
        return shared_engine().rb.vocabulary.model_dump()

    @app.get("/timeline", responses=NOT_FOUND)
    def timeline(instrument: str | None = None) -> list[dict[str, Any]]:
        """The same rows as `article9 timeline --json`: every rule block, every renumbering and
        every text-only provision, by date."""
        from .corpus import suggest, timeline_rows

        rb = shared_engine().rb
        if instrument is not None and instrument not in rb.instruments:
            raise HTTPException(404, detail=f"no instrument {instrument!r}{suggest(instrument, rb.instruments)}")
        return timeline_rows(rb, instrument)

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

    @app.get("/law/{provision_id:path}", responses=NOT_FOUND)
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
            "read": p.read,
            "numbers": [
                {
                    "from": n.start.isoformat(),
                    "to": None if n.end == dt.date.max else n.end.isoformat(),
                    "article": n.article,
                    "article_ja": n.article_ja,
                    "title": n.title(),
                    "title_ja": n.title("ja"),
                }
                for n in p.numbers
            ],
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
