"""The service around the HTTP API's routes: its settings (ServiceSettings, read with
pydantic-settings from ARTICLE9_* variables), the connection limits uvicorn is run with, and
the pure-ASGI middleware every response passes through (security headers, request log, time
limit, body limit, HEAD). docs/service.md describes each limit. (Over 400 lines: it is the
middleware stack, one class per concern, each short.)"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import functools
import json
import logging
import os
import re
import sys
import time
import traceback
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from fastapi import HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import (
    AliasChoices,
    BeforeValidator,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, SettingsConfigDict
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


_ENVIRON: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar("environ", default=None)


class _Environment(EnvSettingsSource):
    """The ARTICLE9_* variables of os.environ, or of the mapping given to from_env()."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        given = _ENVIRON.get()
        if given is None:
            return super()._load_env_vars()
        return {k.lower(): v for k, v in given.items() if v.strip()}


def _number(kind: type, env: str) -> Any:
    """A before-validator: text from the environment read as a number, or an error naming the variable."""

    def parse(value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            try:
                return kind(text)
            except ValueError:
                raise ValueError(f"{env} must be a number, not {text!r}") from None
        return value

    return BeforeValidator(parse)


def _origins(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(o.strip() for o in value.split(",") if o.strip())
    return tuple(value)


class ServiceSettings(BaseSettings):
    """The service's limits, read with pydantic-settings from ARTICLE9_* environment variables
    (unset or empty means the default; `article9 serve` sets them from its options). Defaults
    suit one analyst's browser and scripts on loopback."""

    model_config = SettingsConfigDict(
        env_prefix="ARTICLE9_", frozen=True, extra="ignore", env_ignore_empty=True, populate_by_name=True
    )

    max_body: Annotated[int, _number(int, ENV_MAX_BODY)] = Field(
        default=256 * 1024, description="Largest request body in bytes (declared or streamed); larger is a 413."
    )
    timeout: Annotated[float, _number(float, ENV_TIMEOUT)] = Field(
        default=10.0,
        description="Seconds a request may take; longer is a 503 (the engine's thread finishes in the background).",
    )
    cors: Annotated[tuple[str, ...], NoDecode, BeforeValidator(_origins)] = Field(
        default=(), description="Origins allowed to call the API from a browser; empty means no CORS headers at all."
    )
    max_dates: Annotated[int, _number(int, ENV_MAX_DATES)] = Field(
        default=50, description="Most dates in one request (in `dates` and in the scenario's `dates`)."
    )
    max_cost: Annotated[int, _number(int, ENV_MAX_COST)] = Field(
        default=20_000,
        description="Largest cost of one request: distinct dates x actions x (1 + unknown facts); more is a 422.",
    )
    costly: Annotated[int, _number(int, ENV_COSTLY)] = Field(
        default=2,
        validation_alias=AliasChoices("costly", ENV_COSTLY),
        description="Requests costing more than COSTLY_FROM that one worker process runs at once; others wait, then 503.",
    )
    max_in_flight: Annotated[int, _number(int, ENV_MAX_IN_FLIGHT)] = Field(
        default=4, description="POST requests one client (address) may have in flight, in one worker; more get a 429."
    )

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: Any, **_: Any) -> tuple:
        return init_settings, _Environment(settings_cls)

    @model_validator(mode="after")
    def _in_range(self) -> ServiceSettings:
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
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServiceSettings:
        """Settings from ARTICLE9_MAX_BODY (bytes), ARTICLE9_TIMEOUT (seconds), ARTICLE9_CORS
        (origins, comma-separated), ARTICLE9_MAX_DATES, ARTICLE9_MAX_COST,
        ARTICLE9_COSTLY_REQUESTS and ARTICLE9_MAX_IN_FLIGHT (of os.environ, or of `environ`);
        unset means the default. A bad value is a ValueError naming the variable."""
        token = _ENVIRON.set(environ)
        try:
            return cls()
        except ValidationError as exc:
            raise ValueError(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None
        finally:
            _ENVIRON.reset(token)


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
        from .query import time_limit

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
