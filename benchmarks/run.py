"""Benchmarks, each with its baseline measured in the same run. Run: python benchmarks/run.py
[--quick] [--no-load]. Prints a Markdown table (the README's) and the machine.

(a) one scenario, all 28 actions with explanations, in-process: p50/p95 for the same fully
    known scenario asked again, for one fact changed, for a new random scenario each time,
    and with unknown facts (minimal deciding sets computed);
(b) CLI start to answer for `article9 assess` (subprocess), p50 of 7 runs, next to a bare
    `python -c pass` start;
(c) scenario assessments per second (28 actions each): a fresh clingo Control per scenario,
    multi-shot clingo with externals, the compiled evaluator on one core and on two
    processes; batch end to end (Parquet in, Parquet out) on 1 and 10 million rows with the
    peak memory of each run;
(d) the HTTP API under load from a separate process (benchmarks/load.py --mix assess, 200
    clients; the soak test with invalid requests mixed in is benchmarks/load.py itself);
(e) exact regime diff and property check over all 2^73 fact combinations (CLI, start
    included);
(playbook) a 20-step crisis playbook following 10 actions, across 29 March 2016, in-process:
    the whole playbook and each step (one assessment with unknown facts, minimal deciding
    sets, and the fewest next facts for each closed action). `--only playbook` runs just it."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import clingo
import numpy as np

from article9.compiled import assess_known
from article9.engine import Engine, GroundProgram
from article9.models import Scenario
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


def ms(xs: list[float]) -> str:
    return f"p50 {statistics.median(xs) * 1000:.2f} ms, p95 {sorted(xs)[int(len(xs) * 0.95) - 1] * 1000:.2f} ms"


def random_rows(n: int, facts: int, seed: int) -> np.ndarray:
    """n random fully known scenarios, columnar (Fortran order), as Arrow would hold them."""
    return np.asfortranarray(np.random.default_rng(seed).random((n, facts)) < 0.5)


def _compiled_part(n: int, seed: int) -> tuple[float, float]:
    """Evaluate n random rows; returns the wall-clock start and end of the timed part."""
    engine = Engine()
    actions = list(engine.rb.vocabulary.actions)
    rows = random_rows(n, len(engine.rb.vocabulary.facts), seed)
    assess_known(engine, DAY, rows[:64], actions)  # build the evaluator before timing
    start = time.time()
    assess_known(engine, DAY, rows, actions)
    return start, time.time()


def batch_run(rows: int, tmp: Path) -> tuple[float, float]:
    """`article9 batch` on a Parquet file of `rows` random fully known scenarios, all 28
    actions, one date, Parquet out: seconds and peak memory (MiB) of the child process."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from article9.corpus import load_rulebase

    facts = list(load_rulebase().vocabulary.facts)
    src, out = tmp / f"in-{rows}.parquet", tmp / f"out-{rows}.parquet"
    rng = np.random.default_rng(rows)
    with pq.ParquetWriter(src, pa.schema([(f, pa.bool_()) for f in facts])) as writer:
        for start in range(0, rows, 1_000_000):
            n = min(1_000_000, rows - start)
            writer.write_batch(pa.record_batch({f: rng.random(n) < 0.5 for f in facts}))
    cmd = [sys.executable, "-m", "article9", "batch", str(src), str(out), "-d", DAY.isoformat()]
    t = time.perf_counter()
    child = subprocess.Popen(cmd, stderr=subprocess.PIPE)
    peak_kib = 0  # the child's own high-water mark after exec (VmHWM); a fork's rusage would
    while child.poll() is None:  # count the parent's pages it started with
        try:
            status_text = Path(f"/proc/{child.pid}/status").read_text()
            peak_kib = max(peak_kib, int(status_text.split("VmHWM:")[1].split()[0]))
        except (OSError, IndexError, ValueError):
            pass
        time.sleep(0.1)
    seconds = time.perf_counter() - t
    if child.returncode != 0:
        raise SystemExit(f"batch failed: {child.stderr.read().decode() if child.stderr else ''}")
    assert pq.ParquetFile(out).metadata.num_rows == rows * 28
    src.unlink()
    out.unlink()
    return seconds, peak_kib / 1024


def cli_seconds(*args: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "article9", *args], capture_output=True, check=False)
    return time.perf_counter() - t


PLAYBOOK_ACTIONS = [
    "use_force_defend_japan",
    "defend_foreign_warship",
    "intercept_missile_aimed_at_japan",
    "intercept_missile_aimed_at_foreign_country",
    "protect_foreign_forces_assets",
    "rear_support_foreign_forces",
    "maritime_security_operation",
    "public_security_operation",
    "rescue_nationals_abroad",
    "transport_nationals_abroad",
]
PLAYBOOK_FACTS = [
    ("special_need_at_sea", True),
    ("mindef_ordered_operation_pm_approved", True),
    ("missile_flying_toward_japan", True),
    ("intercept_over_japan_or_high_seas", True),
    ("mindef_destruction_order_pm_approved", True),
    ("unit_contributing_to_japan_defense", True),
    ("foreign_force_requested_protection", True),
    ("mindef_judged_protection_necessary", True),
    ("police_cannot_maintain_order", True),
    ("pm_ordered_public_security_operation", True),
    ("armed_attack_on_foreign_country", True),
    ("close_relationship", True),
    ("attacked_state_request", True),
    ("survival_threat", True),
    ("no_other_means", True),
    ("minimum_necessary", True),
    ("nsc_deliberated", True),
    ("cabinet_brp_adopted", True),
    ("diet_approved_defense_operation", True),
    ("pm_ordered_defense_operation", True),
]


def bench_playbook(engine: Engine) -> dict:
    """A 20-step playbook with 10 actions: ten steps in July 2015, ten in July 2017, one fact each."""
    steps = []
    for i, (fact, value) in enumerate(PLAYBOOK_FACTS):
        year, day = (2015, i + 1) if i < 10 else (2017, i - 9)
        steps.append({"date": f"{year}-07-{day:02d}", "label": f"step {i + 1}: {fact}", "facts": {fact: value}})
    return {"title": "benchmark", "actions": PLAYBOOK_ACTIONS, "initial": {"facts": {}}, "steps": steps}


def playbook_times(engine: Engine, runs: int = 5) -> tuple[list[float], list[float]]:
    """Seconds per whole playbook and per step (timed through the runner's step method)."""
    from article9 import playbook as pbm

    pb = pbm.playbook_from_data(bench_playbook(engine), engine.rb)
    per_step: list[float] = []
    original = pbm._Runner.step  # noqa: SLF001

    def timed_step(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        t = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            per_step.append(time.perf_counter() - t)

    whole = []
    pbm._Runner.step = timed_step  # noqa: SLF001
    try:
        for _ in range(runs):
            engine._reused = type(engine._reused)(1024)  # noqa: SLF001 - nothing reused across runs
            t = time.perf_counter()
            pbm.run(engine, pb)
            whole.append(time.perf_counter() - t)
    finally:
        pbm._Runner.step = original  # noqa: SLF001
    return whole, per_step


def playbook_row(whole: list[float], per_step: list[float]) -> str:
    return (
        f"| (playbook) a 20-step crisis playbook following 10 actions (2015 and 2017), in-process | "
        f"whole playbook p50 {statistics.median(whole) * 1000:,.0f} ms; a step {ms(per_step)} | - |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 million batch rows instead of 10 million.")
    parser.add_argument("--no-load", action="store_true", help="Skip the HTTP load test (d).")
    parser.add_argument("--load-seconds", type=int, default=30, help="Duration of the HTTP load test.")
    parser.add_argument("--only", choices=["all", "playbook"], default="all", help="Run only this benchmark.")
    opts = parser.parse_args()

    engine = Engine()
    if opts.only == "playbook":
        every = load_scenario(ROOT / "scenarios" / "us-ship-defense.yaml", engine.rb).model_copy(update={"actions": []})
        undecided = sum(d.status == "depends" for d in engine.assess(every, DAY).determinations)
        with_unknowns = timed(lambda: engine.assess(every, DAY), 20)
        whole, per_step = playbook_times(engine)
        print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print("| benchmark | result | baseline in the same run |")
        print("|---|---|---|")
        print(
            playbook_row(whole, per_step).removesuffix("| - |")
            + f"| (a) with unknown facts ({undecided} of 28 actions undecided): {ms(with_unknowns)} |"
        )
        return
    facts = list(engine.rb.vocabulary.facts)
    scenario = load_scenario(ROOT / "scenarios" / "us-ship-defense.yaml", engine.rb)
    every = scenario.model_copy(update={"actions": []})
    undecided = sum(d.status == "depends" for d in engine.assess(every, DAY).determinations)
    with_unknowns = timed(lambda: engine.assess(every, DAY), 20)
    full = Scenario(
        title="known",
        facts=dict.fromkeys(facts, False) | {k: v for k, v in scenario.facts.items() if v is not None},
    )
    engine.assess(full, DAY)
    same = timed(lambda: engine.assess(full, DAY), 200)
    flips = iter([full.model_copy(update={"facts": full.facts | {f: not full.facts[f]}}) for f in facts])
    one_flip = timed(lambda: engine.assess(next(flips), DAY), len(facts))
    rng = np.random.default_rng(11)
    fresh_scenarios = iter(
        [
            Scenario(title="r", facts=dict(zip(facts, map(bool, row), strict=True)))
            for row in rng.random((200, 73)) < 0.5
        ]
    )
    new_each_time = timed(lambda: engine.assess(next(fresh_scenarios), DAY), 200)

    bare = statistics.median(timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), 7))
    scenario_file = str(ROOT / "scenarios" / "us-ship-defense.yaml")
    cli = [cli_seconds("assess", scenario_file, "-d", DAY.isoformat(), "-f", "json") for _ in range(7)]

    prog = engine.program(DAY)
    rules = engine.rb.rules_on(DAY)

    def fresh(row: np.ndarray) -> None:
        GroundProgram(engine.rb, rules).evaluate(dict(zip(facts, map(bool, row), strict=True)))

    rows = random_rows(300, len(facts), 7)
    t = time.perf_counter()
    for row in rows[:100]:
        fresh(row)
    fresh_rate = 100 / (time.perf_counter() - t)
    t = time.perf_counter()
    for row in rows:
        prog.evaluate(dict(zip(facts, map(bool, row), strict=True)))
    multishot_rate = len(rows) / (time.perf_counter() - t)
    n = 1_000_000
    start, end = _compiled_part(n, 1)
    one_core = n / (end - start)
    with ProcessPoolExecutor(2) as pool:  # rate over the span from the first start to the last end
        spans = list(pool.map(_compiled_part, [n, n], [4, 5]))
        two_procs = 2 * n / (max(e for _, e in spans) - min(s for s, _ in spans))

    with tempfile.TemporaryDirectory() as tmp:
        batch_small = batch_run(1_000_000, Path(tmp))
        batch_big = batch_run(1_000_000 if opts.quick else 10_000_000, Path(tmp))
    big_rows = "1 million" if opts.quick else "10 million"

    pb_whole, pb_steps = playbook_times(engine)
    diff_s = cli_seconds("diff", "--from", "2014-06-30", "--to", "2016-03-29")
    check_s = cli_seconds("check")

    load = None
    if not opts.no_load:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "benchmarks" / "load.py"),
                    "--clients",
                    "200",
                    "--seconds",
                    str(opts.load_seconds),
                    "--json",
                    out.name,
                    "--mix",
                    "assess",
                ],
                check=False,
            )
            try:
                load = json.loads(Path(out.name).read_text())
            except (OSError, ValueError):
                load = None

    print(
        f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, clingo {clingo.__version__}, numpy {np.__version__}"
    )
    print("| benchmark | result | baseline in the same run |")
    print("|---|---|---|")
    print(f"| (a) one fully known scenario, 28 actions with explanations, asked again | {ms(same)} | - |")
    print(f"| (a) the same with one fact changed each time | {ms(one_flip)} | - |")
    print(f"| (a) a new random fully known scenario each time | {ms(new_each_time)} | - |")
    print(
        f"| (a) a scenario with unknown facts ({undecided} of 28 actions undecided, minimal deciding sets) "
        f"| {ms(with_unknowns)} | - |"
    )
    print(
        f"| (b) CLI start to answer, `article9 assess` | p50 {statistics.median(cli):.2f} s "
        f"| bare `python -c pass` {bare:.2f} s |"
    )
    print(
        f"| (c) fully known scenarios per second, 28 actions each | compiled evaluator: {one_core:,.0f}/s on one "
        f"core, {two_procs:,.0f}/s on two processes | multi-shot clingo {multishot_rate:,.0f}/s "
        f"({one_core / multishot_rate:,.0f}x one core); fresh Control {fresh_rate:,.0f}/s "
        f"({one_core / fresh_rate:,.0f}x) |"
    )
    print(
        f"| (c) `article9 batch`, Parquet in and out, one date | {big_rows} rows: {batch_big[0]:.1f} s, peak "
        f"memory {batch_big[1]:.0f} MiB | 1 million rows: {batch_small[0]:.1f} s, peak memory "
        f"{batch_small[1]:.0f} MiB |"
    )
    if load is not None:
        lat, mem = load["latency_ms"], load["memory_mib"]
        print(
            f"| (d) HTTP API, `POST /assess` with a new fully known scenario each time (28 actions with "
            f"explanations, one date), {load['clients']} clients for {load['seconds']:.0f} s from a separate process, "
            f"`serve --workers {load['workers']}` | {load['requests_per_second']:,.0f} requests/s = "
            f"{load['requests_per_second']:,.0f} assessments/s, p50 {lat['p50']:.0f} ms, p99 {lat['p99']:.0f} ms, "
            f"{load['server_errors_5xx']} 5xx; server memory {mem['start']:.0f} -> {mem['end']:.0f} MiB | - |"
        )
    print(
        f"| (e) `article9 diff --from 2014-06-30 --to 2016-03-29`, `article9 check` (2^73 combinations) "
        f"| {diff_s:.1f} s, {check_s:.1f} s | - |"
    )
    print(playbook_row(pb_whole, pb_steps))


if __name__ == "__main__":
    main()
