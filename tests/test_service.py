"""The service's limits and hardening (docs/service.md): body size (413, also for chunked
bodies and a wrong Content-Length), time limit (503, the server stays healthy), dates and
actions per request (422 naming the field), CORS off unless asked for, loopback by default,
security headers, no tracebacks, one JSON log line per request with its X-Request-ID."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import shutil
import socket
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from helpers import serving

from article9.server import EXAMPLE_SCENARIO, STRICT_CSP, ServiceSettings, create_app

FULL = {**EXAMPLE_SCENARIO, "facts": {**EXAMPLE_SCENARIO["facts"], "survival_threat": True}}
ENV = ("ARTICLE9_MAX_BODY", "ARTICLE9_TIMEOUT", "ARTICLE9_CORS", "ARTICLE9_MAX_DATES")


def make_client(**settings) -> TestClient:
    return TestClient(create_app(ServiceSettings(**settings)), raise_server_exceptions=False)


client = make_client()


def assert_json_detail(r: httpx.Response, status: int, text: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    detail = r.json()["detail"]
    assert text in (detail if isinstance(detail, str) else json.dumps(detail)), detail


# --- settings ------------------------------------------------------------------------------


def test_defaults_and_environment(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    s = ServiceSettings.from_env()
    assert (s.max_body, s.timeout, s.cors, s.max_dates) == (256 * 1024, 10.0, (), 50)
    s = ServiceSettings.from_env(
        {
            "ARTICLE9_MAX_BODY": "1000",
            "ARTICLE9_TIMEOUT": "2.5",
            "ARTICLE9_CORS": "https://a.example, http://localhost:3000",
            "ARTICLE9_MAX_DATES": "7",
        }
    )
    assert (s.max_body, s.timeout, s.cors, s.max_dates) == (
        1000,
        2.5,
        ("https://a.example", "http://localhost:3000"),
        7,
    )


@pytest.mark.parametrize(
    ("env", "msg"),
    [
        ({"ARTICLE9_MAX_BODY": "lots"}, "ARTICLE9_MAX_BODY must be a number"),
        ({"ARTICLE9_TIMEOUT": "0"}, "--timeout (ARTICLE9_TIMEOUT) must be more than 0"),
        ({"ARTICLE9_TIMEOUT": "nan"}, "--timeout (ARTICLE9_TIMEOUT) must be more than 0"),
        ({"ARTICLE9_TIMEOUT": "inf"}, "less than 86400 seconds, not inf"),
        ({"ARTICLE9_MAX_DATES": "0"}, "--max-dates (ARTICLE9_MAX_DATES) must be 1 or more"),
        ({"ARTICLE9_CORS": "https://a.example/app"}, "no path"),
    ],
)
def test_bad_settings_are_refused_with_the_name(env, msg):
    with pytest.raises(ValueError, match=re.escape(msg)):
        ServiceSettings.from_env(env)


# --- the serve command ---------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch):
    """Runs `article9 serve ...` in-process with uvicorn.run replaced; returns its arguments."""
    import uvicorn
    from typer.testing import CliRunner

    from article9.cli import app as cli_app

    for name in ENV:
        monkeypatch.setenv(name, "")  # unset for the settings, and restored after the test
    calls: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append((a, kw)))

    def run(*args: str):
        result = CliRunner().invoke(cli_app, ["serve", *args])
        return result, (calls[-1] if calls else None)

    return run


def test_serve_binds_loopback_by_default(served):
    result, (args, kwargs) = served()
    assert result.exit_code == 0, result.output
    assert kwargs["host"] == "127.0.0.1" and kwargs["port"] == 8000
    assert args == ("article9.server:create_app",) and kwargs["factory"] is True
    settings = create_app().state.settings
    assert settings == ServiceSettings()


def test_serve_options_reach_the_app(served):
    result, (_, kwargs) = served(
        "--max-body",
        "1000",
        "--timeout",
        "2",
        "--max-dates",
        "5",
        "--cors",
        "https://a.example",
        "--cors",
        "http://b.example:8080",
    )
    assert result.exit_code == 0, result.output
    app = create_app()  # what uvicorn's factory call builds, in this process or in each worker
    assert app.state.settings == ServiceSettings(
        max_body=1000, timeout=2.0, max_dates=5, cors=("https://a.example", "http://b.example:8080")
    )
    r = TestClient(app).get("/health", headers={"Origin": "http://b.example:8080"})
    assert r.headers["access-control-allow-origin"] == "http://b.example:8080"


def test_serve_refuses_a_bad_option(served):
    from article9.errors import InputError

    result, call = served("--cors", "example.org")
    assert isinstance(result.exception, InputError) and result.exception.exit_code == 2  # `run` maps it to exit 2
    assert "--cors (ARTICLE9_CORS) takes origins like https://example.org" in str(result.exception)
    assert call is None


# --- body size -----------------------------------------------------------------------------


def test_body_over_the_limit_is_413_by_content_length():
    c = make_client(max_body=1000)
    r = c.post("/assess", content=b" " * 1001, headers={"content-type": "application/json"})
    assert_json_detail(r, 413, "request body too large: the limit is 1000 bytes")
    assert r.headers["connection"] == "close"


def test_body_at_the_limit_is_served():
    c = make_client(max_body=1000)
    body = json.dumps({"scenario": FULL, "dates": ["2016-05-01"], "actions": ["defend_foreign_warship"]}).encode()
    r = c.post("/assess", content=body.ljust(1000), headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()[0]["determinations"][0]["status"] == "permitted"


def test_chunked_body_is_counted_as_it_streams():
    c = make_client(max_body=1000)
    sent = []

    def chunks():
        for _ in range(100):
            sent.append(1)
            yield b" " * 100

    r = c.post("/assess", content=chunks(), headers={"content-type": "application/json"})
    assert r.request.headers["transfer-encoding"] == "chunked" and "content-length" not in r.request.headers
    assert_json_detail(r, 413, "the limit is 1000 bytes")


def test_a_wrong_content_length_does_not_get_past_the_count():
    """At the ASGI level: the client declares 10 bytes and sends 3000."""
    app = create_app(ServiceSettings(max_body=1000))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/assess",
        "raw_path": b"/assess",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"test"), (b"content-type", b"application/json"), (b"content-length", b"10")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    chunks = [{"type": "http.request", "body": b" " * 600, "more_body": True} for _ in range(5)]
    chunks.append({"type": "http.request", "body": b"", "more_body": False})
    sent: list[dict] = []

    async def receive() -> dict:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert json.loads(b"".join(m.get("body", b"") for m in sent[1:]))["detail"].endswith("1000 bytes")
    assert len(chunks) >= 3  # stopped reading after the limit


# --- dates, actions, content type and other bad input -------------------------------------


def vocabulary_size() -> int:
    return len(client.get("/vocabulary").json()["actions"])


@pytest.mark.parametrize(
    ("path", "body", "loc", "msg"),
    [
        ("/assess", {"scenario": FULL, "dates": ["2016-05-01"] * 51}, ["body", "dates"], "at most 50 dates"),
        ("/assess", {"scenario": {**FULL, "dates": ["2016-05-01"] * 51}}, ["body", "scenario", "dates"], "not 51"),
        ("/compare", {"scenario": FULL, "dates": ["2016-05-01"] * 60}, ["body", "dates"], "at most 50 dates"),
        ("/assess", {"scenario": FULL, "actions": ["defend_foreign_warship"] * 99}, ["body", "actions"], "vocabulary"),
        (
            "/explain",
            {"scenario": {**FULL, "actions": ["defend_foreign_warship"] * 99}, "action": "defend_foreign_warship"},
            ["body", "scenario", "actions"],
            "vocabulary",
        ),
        (
            "/diff",
            {"from_date": "2014-01-01", "to_date": "2016-05-01", "actions": ["x"] * 99},
            ["body", "actions"],
            "not 99",
        ),
        ("/interview/next", {"actions": ["defend_foreign_warship"] * 99}, ["body", "actions"], "vocabulary"),
    ],
)
def test_too_many_dates_or_actions_is_422_naming_the_field(path, body, loc, msg):
    r = client.post(path, json=body)
    assert r.status_code == 422, r.text
    assert any(d["loc"] == loc and msg in d["msg"] for d in r.json()["detail"]), r.json()


def test_action_limit_is_the_vocabulary_size_and_date_limit_is_configurable():
    n = vocabulary_size()
    r = client.post(
        "/assess", json={"scenario": FULL, "dates": ["2016-05-01"], "actions": ["defend_foreign_warship"] * (n + 1)}
    )
    assert r.status_code == 422 and f"at most {n} actions" in r.json()["detail"][0]["msg"]
    c = make_client(max_dates=2)
    ok = c.post(
        "/assess", json={"scenario": FULL, "dates": ["2016-05-01", "2014-06-01"], "actions": ["defend_foreign_warship"]}
    )
    assert ok.status_code == 200 and len(ok.json()) == 2
    r = c.post("/assess", json={"scenario": FULL, "dates": ["2016-05-01"] * 3})
    assert r.status_code == 422 and r.json()["detail"][0]["msg"] == "at most 2 dates in one request, not 3"


@pytest.mark.parametrize(
    ("content_type", "msg"),
    [
        ("text/plain", "not 'text/plain'"),
        ("application/x-www-form-urlencoded", "must be application/json"),
        (None, "none was sent"),
    ],
)
def test_wrong_content_type_is_415(content_type, msg):
    headers = {"content-type": content_type} if content_type else {}
    r = client.post("/assess", content=json.dumps({"scenario": FULL}).encode(), headers=headers)
    assert_json_detail(r, 415, msg)


BAD_BODIES = [
    b"{not json",
    b"",
    b"null",
    b"[]",
    b'"text"',
    b"1e999999",
    b'{"max_changes": ' + b"9" * 5000 + b"}",  # past Python's limit on digits in an int
    b"[" * 50_000 + b"]" * 50_000,
    b'{"scenario": []}',
    b'{"scenario": {"title": "x", "facts": {"survival_threat": "\xff\xfe"}}}',
    b'{"scenario": {"title": "x"}, "dates": ["99999-01-01"]}',
    b'{"scenario": {"title": "x"}, "dates": ["0001-01-01"], "lang": "fr"}',
    b'{"scenario": {"title": "x"}, "action": "defend_foreign_warship", "max_changes": 1e100}',
    b'{"from_date": "2016-01-01", "to_date": "2016-01-01"}',
    b'{"facts": {"survival_threat": true}, "asked": [1, 2], "date": "2016-02-30"}',
]


@pytest.mark.parametrize("path", ["/assess", "/explain", "/compare", "/whatif", "/diff", "/interview/next"])
def test_bad_input_is_never_a_5xx(path):
    for body in BAD_BODIES:
        r = client.post(path, content=body, headers={"content-type": "application/json"})
        assert 400 <= r.status_code < 500, (path, body[:60], r.status_code, r.text)
        assert r.json()["detail"], (path, body[:60])


def test_unknown_routes_and_methods_are_json():
    assert_json_detail(client.get("/nope"), 404, "Not Found")
    assert_json_detail(client.get("/static/nope.js"), 404, "Not Found")
    assert_json_detail(client.get("/assess"), 405, "Method Not Allowed")
    assert_json_detail(client.get("/pathways", params={"date": "not-a-date"}), 422, "date")


# --- no tracebacks, request ids, logs ------------------------------------------------------


@pytest.fixture
def access_log():
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    logger = logging.getLogger("article9.access")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_an_internal_error_is_a_json_500_without_traceback(access_log):
    app = create_app()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal state /etc/passwd")

    r = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert r.status_code == 500 and r.json() == {"detail": "internal error"}
    assert "Traceback" not in r.text and "secret" not in r.text and "RuntimeError" not in r.text
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-request-id"]
    line = json.loads(access_log[-1].getMessage())
    assert line["status"] == 500 and line["error"].startswith("RuntimeError at test_service.py:")
    assert "secret" not in line["error"]


def test_request_id_and_one_json_log_line_per_request(access_log):
    r = client.post("/assess", json={"scenario": {**FULL, "title": "PRIVATE-MARKER"}, "actions": ["nope"]})
    rid = r.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    assert len(access_log) == 1
    line = json.loads(access_log[0].getMessage())
    assert set(line) == {"time", "method", "path", "status", "duration_ms", "request_id"}
    assert (line["method"], line["path"], line["status"], line["request_id"]) == ("POST", "/assess", 422, rid)
    assert line["duration_ms"] >= 0 and line["time"].endswith("+00:00")
    assert "PRIVATE-MARKER" not in access_log[0].getMessage()
    # a plain id from the client is kept; anything else is replaced
    assert client.get("/health", headers={"X-Request-ID": "abc-123.x"}).headers["x-request-id"] == "abc-123.x"
    other = client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"}).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", other) and other != rid
    assert len(access_log) == 3


# --- headers: security, CORS ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"), [("/", 200), ("/static/app.js", 200), ("/vocabulary", 200), ("/nope", 404), ("/docs", 200)]
)
def test_security_headers_on_pages_and_api(path, status):
    r = client.get(path)
    assert r.status_code == status
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    policy = dict(d.strip().split(" ", 1) for d in r.headers["content-security-policy"].split(";"))
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    # every page, /docs included (vendored Swagger UI, no CDN), under the strict policy
    assert policy["default-src"] == "'self'" and policy["connect-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert "server" not in r.headers or "uvicorn" not in r.headers["server"]


def test_cors_is_off_by_default():
    r = client.get("/vocabulary", headers={"Origin": "https://evil.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    pre = client.options("/assess", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers and pre.status_code == 405


def test_cors_for_the_given_origin_only():
    c = make_client(cors=("https://a.example",))
    r = c.post("/assess", json={"scenario": FULL, "actions": ["nope"]}, headers={"Origin": "https://a.example"})
    assert r.headers["access-control-allow-origin"] == "https://a.example"
    assert "x-request-id" in r.headers["access-control-expose-headers"].lower()
    pre = c.options(
        "/assess",
        headers={
            "Origin": "https://a.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "https://a.example"
    other = c.get("/health", headers={"Origin": "https://b.example"})
    assert "access-control-allow-origin" not in other.headers


# --- a real server: streaming bodies and the time limit ------------------------------------


@pytest.fixture(scope="module")
def live():
    """uvicorn on a free loopback port, with a 1 s time limit, a 1000-byte body limit and a
    route that sleeps in a worker thread like a slow engine call."""

    app = create_app(ServiceSettings(timeout=1.0, max_body=1000))

    @app.get("/slow")
    def slow(seconds: float = 2.5) -> dict[str, str]:
        time.sleep(seconds)
        return {"done": "yes"}

    with serving(app) as base:
        yield base


def test_streamed_body_over_the_limit_on_a_real_server(live):
    def chunks():
        for _ in range(50):
            yield b" " * 100

    r = httpx.post(live + "/assess", content=chunks(), headers={"content-type": "application/json"}, timeout=10)
    assert_json_detail(r, 413, "the limit is 1000 bytes")
    # and with a declared length, without sending the body (Expect: 100-continue)
    with socket.create_connection(("127.0.0.1", int(live.rsplit(":", 1)[1])), timeout=10) as s:
        s.sendall(
            b"POST /assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 5000000\r\nExpect: 100-continue\r\n\r\n"
        )
        answer = b""
        while chunk := s.recv(65536):  # the server closes the connection after a 413
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413") and b"the limit is 1000 bytes" in answer


def test_time_limit_answers_503_and_the_server_stays_healthy(live):
    start = time.perf_counter()
    r = httpx.get(live + "/slow", timeout=10)
    took = time.perf_counter() - start
    assert_json_detail(r, 503, "longer than the time limit of 1 s")
    assert 0.9 < took < 2.0
    health = httpx.get(live + "/health", timeout=2)
    assert health.status_code == 200 and health.json()["overrunning"] == 1
    assert httpx.get(live + "/slow", params={"seconds": 0.1}, timeout=5).json() == {"done": "yes"}
    for _ in range(40):  # the abandoned thread finishes; its late answer goes nowhere
        if httpx.get(live + "/health", timeout=2).json()["overrunning"] == 0:
            break
        time.sleep(0.1)
    assert httpx.get(live + "/health", timeout=2).json()["overrunning"] == 0
    r = httpx.post(
        live + "/assess",
        json={"scenario": FULL, "dates": ["2016-05-01"], "actions": ["defend_foreign_warship"]},
        timeout=10,
    )
    assert r.status_code == 200


# --- the web explorer under the Content-Security-Policy ------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(not CHROMIUM and not os.environ.get("CI"), reason="Chromium is not installed")
def test_the_explorer_runs_under_the_strict_csp():
    """No CSP violation while using the explorer, its law and pathways pages and the chart,
    under the policy the server sends (STRICT_CSP)."""
    from playwright.sync_api import expect, sync_playwright

    messages: list[str] = []
    with serving(create_app()) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.on("console", lambda m: messages.append(m.text))
        page.on("pageerror", lambda e: messages.append(str(e)))
        response = page.goto(base + "/")
        assert response.headers["content-security-policy"] == STRICT_CSP
        page.fill("#case-search", "destroyer")
        page.click("button[data-case='us-ship-defense']")
        expect(page.locator(".card[data-action=defend_foreign_warship] .headline")).to_have_attribute(
            "data-status", "not_permitted"
        )
        expect(page.locator(".pipeline[data-drawn=true] svg")).to_have_count(1)  # Vega, no eval
        page.click("#strip-draw")
        expect(page.locator("#strip[data-drawn=true] svg")).to_have_count(1)
        page.click("#law-link")
        expect(page.locator("#timeline-chart[data-drawn=true] svg")).to_have_count(1)
        expect(page.locator("#lawpage a[href='#/law/sdf-act/76-1-ii']")).to_be_visible()
        page.click("#pathways-link")
        expect(page.locator("#chart[data-drawn=true] svg")).to_have_count(1)
        # /docs offline: any request off this origin fails, and Swagger UI still lists the routes
        outside: list[str] = []

        def local_only(route):  # noqa: ANN001, ANN202
            if route.request.url.startswith(base):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", local_only)
        docs = page.goto(base + "/docs")
        assert "cdn" not in docs.headers["content-security-policy"]
        expect(page.locator(".opblock-summary-path", has_text="/assess").first).to_be_visible()
        assert outside == []
        browser.close()
    assert not [m for m in messages if "Content Security Policy" in m or "Error" in m], messages


def test_head_answers_like_get_without_a_body():
    client = TestClient(create_app())
    page = client.head("/")
    assert page.status_code == 200 and page.content == b""
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == STRICT_CSP
    assert client.head("/health").status_code == 200
    assert client.head("/law/sdf-act/76-1-ii").status_code == 200
    assert client.head("/no/such/page").status_code == 404
