"""Benchmarks, each with its baseline measured in the same run. Run: python benchmarks/run.py
(a) one scenario, all actions with explanations, in-process: p50 and p95 latency;
(b) CLI start to answer for `article9 assess` (subprocess), p50 of 5 runs;
(c) throughput in scenario assessments per second (all 28 actions per scenario): a fresh
    clingo Control per scenario, multi-shot clingo with externals, the compiled evaluator.
Not here yet: HTTP load and 10-million-row memory (issue 7)."""

from __future__ import annotations

import datetime as dt
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import clingo
import numpy as np

from article9.compiled import assess_known
from article9.engine import Engine, GroundProgram
from article9.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2017, 1, 1)


def timed(fn, n: int) -> list[float]:  # noqa: ANN001
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    engine = Engine()
    scenario = load_scenario(ROOT / "scenarios" / "us-ship-defense.yaml", engine.rb)
    engine.assess(scenario, DAY)
    every = scenario.model_copy(update={"actions": []})
    undecided = sum(d.status == "depends" for d in engine.assess(every, DAY).determinations)
    single = timed(lambda: engine.assess(every, DAY), 20)
    full = scenario.model_copy(
        update={
            "actions": [],
            "facts": {f: False for f in engine.rb.vocabulary.facts}
            | {k: v for k, v in scenario.facts.items() if v is not None},
        }
    )
    engine.assess(full, DAY)
    known = timed(lambda: engine.assess(full, DAY), 100)
    cli = timed(
        lambda: subprocess.run(
            [
                sys.executable,
                "-m",
                "article9",
                "assess",
                str(ROOT / "scenarios" / "us-ship-defense.yaml"),
                "-d",
                "2017-01-01",
                "-f",
                "json",
            ],
            capture_output=True,
            check=True,
        ),
        5,
    )
    facts = list(engine.rb.vocabulary.facts)
    actions = list(engine.rb.vocabulary.actions)
    rng = np.random.default_rng(7)
    prog = engine.program(DAY)
    rules = engine.rb.rules_on(DAY)

    def fresh(row: np.ndarray) -> None:
        p = GroundProgram(engine.rb, rules)
        p.evaluate(dict(zip(facts, map(bool, row), strict=True)))

    rows = rng.random((300, len(facts))) < 0.5
    t = time.perf_counter()
    for row in rows[:100]:
        fresh(row)
    fresh_rate = 100 / (time.perf_counter() - t)
    t = time.perf_counter()
    for row in rows:
        prog.evaluate(dict(zip(facts, map(bool, row), strict=True)))
    multishot_rate = len(rows) / (time.perf_counter() - t)
    big = rng.random((1_000_000, len(facts))) < 0.5
    assess_known(engine, DAY, big[:1000], actions)
    t = time.perf_counter()
    assess_known(engine, DAY, big, actions)
    compiled_rate = len(big) / (time.perf_counter() - t)
    del big

    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    for _ in range(10):  # 10 million rows in chunks of one million, as batch streams them
        chunk = rng.random((1_000_000, len(facts))) < 0.5
        assess_known(engine, DAY, chunk, actions)
        del chunk
    ten_million_seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"clingo {clingo.__version__}, numpy {np.__version__}, {__import__('os').cpu_count()} cores"
    )
    print("| benchmark | result | baseline in the same run |")
    print("|---|---|---|")
    print(
        f"| (a) one fully known scenario, 28 actions with explanations, in-process | p50 {statistics.median(known) * 1000:.1f} ms, "
        f"p95 {sorted(known)[94] * 1000:.1f} ms | - |"
    )
    print(
        f"| (a') the same scenario with its unknown facts left unknown ({undecided} of 28 actions undecided, "
        f"minimal deciding sets computed) | p50 {statistics.median(single) * 1000:.0f} ms | - |"
    )
    print(f"| (b) CLI start to answer, `article9 assess` | p50 {statistics.median(cli):.2f} s | - |")
    print(
        f"| (c) fully known scenarios per second (28 actions each) | compiled evaluator {compiled_rate:,.0f}/s | "
        f"multi-shot clingo {multishot_rate:,.0f}/s ({compiled_rate / multishot_rate:,.0f}x); "
        f"fresh Control per scenario {fresh_rate:,.0f}/s ({compiled_rate / fresh_rate:,.0f}x) |"
    )
    print(
        f"| (d) 10 million fully known rows in chunks of 1 million (random rows made in the loop) | "
        f"{ten_million_seconds:.1f} s; peak memory {peak / 1024:.0f} MiB ({before / 1024:.0f} MiB before) | - |"
    )


if __name__ == "__main__":
    main()
