"""The second security review (../shared/reviews/RELIABILITY-REVIEW-2026-12.md): each of its
15 defects, reproduced through the real command line or HTTP with the attack script's
bounds (wall-clock time, address space), must now be refused, bounded or fixed."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import ROOT, SCENARIOS

SCEN = str(SCENARIOS / "us-ship-defense.yaml")


@dataclass
class Run:
    rc: int
    out: str
    err: str
    seconds: float

    def lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def run(
    *args: str,
    timeout: float = 60,
    mem_mib: int = 2048,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str = "",
) -> Run:
    """The real command line under the attack script's bounds: an address-space limit and
    a wall clock (a run that passes it fails the test)."""

    def limit() -> None:
        cap = mem_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "article9", *args],
        capture_output=True,
        text=True,
        errors="replace",
        cwd=cwd or ROOT,
        env={**os.environ, **(env or {})},
        input=stdin,
        timeout=timeout,
        preexec_fn=limit,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def refused(r: Run, message: str = "", seconds: float = 20) -> str:
    """Exit 2, one 'error:' line of bounded size, no traceback, within `seconds`."""
    assert r.rc == 2, (r.rc, r.out[-300:], r.err[-1000:])
    lines = r.lines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.err[-1000:]
    assert len(lines[0]) < 3000
    assert "Traceback" not in r.err and "\x1b" not in r.err
    assert message in lines[0], lines[0]
    assert r.seconds < seconds, f"took {r.seconds:.1f} s"
    return lines[0]


# -- A06: scenario YAML ---------------------------------------------------------------------


def _bomb(prefix: str, depth: int = 8) -> str:
    out = f"  - &{prefix}0 [{', '.join(['lol'] * 9)}]\n"
    for i in range(1, depth + 1):
        out += f"  - &{prefix}{i} [{', '.join([f'*{prefix}{i - 1}'] * 9)}]\n"
    return out


A06_CASES = {
    "dates-bomb": "description:\n" + _bomb("b") + "title: x\ndates: *b8\n",
    "actions-bomb": "description:\n" + _bomb("b") + "title: x\nactions: *b8\n",
    "expect-bomb": "description:\n" + _bomb("b") + "title: x\nexpect: {2016-05-01: *b8}\n",
    "duplicate-key-two-bombs": "description:\n"
    + _bomb("b")
    + _bomb("c")
    + "title: x\nfacts:\n  survival_threat: [*b8, *b8, *b8, *b8, *b8, *b8, *b8, *b8, 1]\n"
    + "  survival_threat: [*c8, *c8, *c8, *c8, *c8, *c8, *c8, *c8, 2]\n",
    "huge-description-20MB": "title: x\ndescription: " + "a" * 20_000_000 + "\nfacts: {survival_threat: true}\n",
}


@pytest.mark.parametrize("name", sorted(A06_CASES))
def test_a06_hostile_scenario_yaml_is_refused_in_one_short_line(tmp_path, name):
    path = tmp_path / f"{name}.yaml"
    path.write_text(A06_CASES[name])
    refused(run("assess", str(path), "--date", "2016-05-01", cwd=tmp_path, timeout=60))


def test_a06_terminal_escapes_in_a_scenario_never_reach_the_terminal(tmp_path):
    title = tmp_path / "ansi.yaml"
    title.write_text('title: "\\e]0;pwned\\a\\e[2J\\e[31mRED"\nfacts: {survival_threat: true}\n')
    r = run("assess", str(title), "--date", "2016-05-01")
    assert "\x1b" not in r.out and "\x07" not in r.out
    refused(r, "control character")
    fact = tmp_path / "ansi-fact.yaml"
    fact.write_text('title: x\nfacts: {"\\e[2J\\e]0;pwned\\a": true}\n')
    refused(run("assess", str(fact), "--date", "2016-05-01"), "unknown fact")


def test_a15_an_endless_scenario_file_is_refused(tmp_path):
    refused(run("assess", "/dev/zero", timeout=60), "at most")
    refused(run("assess", str(ROOT)), "folder")
