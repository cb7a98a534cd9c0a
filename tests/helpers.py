from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
LAW = ROOT / "src" / "article9" / "law"


@lru_cache(maxsize=1)
def engine():
    from article9.engine import Engine

    return Engine()


@lru_cache(maxsize=1)
def solver_engine():
    """The same rule base answered by the solver alone: the reference for the compiled windows."""
    from article9.engine import Engine

    return Engine(engine().rb, solver=True)


def scenario(name: str):
    from article9.scenario import load_scenario

    return load_scenario(SCENARIOS / name, engine().rb)


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "article9", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=120,
    )


def law_copy(tmp_path: Path) -> Path:
    """A writable copy of the packaged law, for tests that break it on purpose."""
    dest = tmp_path / "law"
    shutil.copytree(LAW, dest)
    return dest


# Browser tests wait for what the page shows, never for a deadline near the work's length: the
# page's requests with unknown facts take seconds on a loaded 2-core machine.
BROWSER_WAIT_MS = 90_000


def browser_app():
    """The app for browser tests: the service's request limit raised far above any request's
    length, since these tests are about what the page shows (the limits have their own tests)."""
    from article9.server import ServiceSettings, create_app

    return create_app(ServiceSettings(timeout=300))


class Patient:
    """A Playwright browser whose pages wait BROWSER_WAIT_MS for what they are told to wait for."""

    def __init__(self, browser) -> None:  # noqa: ANN001
        self.browser = browser

    def new_page(self, **options):  # noqa: ANN003, ANN201
        page = self.browser.new_page(**options)
        page.set_default_timeout(BROWSER_WAIT_MS)
        return page


@contextmanager
def serving(app) -> Iterator[str]:
    """Run an ASGI app under a real uvicorn on a free loopback port, in a thread; yields its
    base URL and stops the server afterwards."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
