from __future__ import annotations

import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
LAW = ROOT / "src" / "article9" / "law"


@lru_cache(maxsize=1)
def engine():
    from article9.engine import Engine

    return Engine()


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
