"""Benchmarks, each with its baseline measured in the same run. Run: python benchmarks/run.py
[--quick] [--no-load]. Prints a Markdown table (the README's) and the machine.

(a) one scenario, every action with explanations, in-process: p50/p95 for the same fully
    known scenario asked again, for one fact changed, for a new random scenario each time,
    and with unknown facts (minimal deciding sets computed);
(b) CLI start to answer for `article9 assess` (subprocess), p50 of 7 runs, next to a bare
    `python -c pass` start;
(c) scenario assessments per second (every action): a fresh clingo Control per scenario,
    multi-shot clingo with externals, the compiled evaluator on one core and on two
    processes; batch end to end (Parquet in, Parquet out) on 1 and 10 million rows with the
    peak memory of each run;
(d) the HTTP API under load from a separate process (benchmarks/load.py --mix assess, 200
    clients; the soak test with invalid requests mixed in is benchmarks/load.py itself);
(e) exact regime diff and property check over all 2^n fact combinations (CLI, start
    included);
(f) unknown facts from the compiled deciding sets (issue 16), each next to the solver path
    (Engine(solver=True), today's path before the compiled windows) in the same run: every
    fact unknown, every action, complete sets; random partial scenarios with half the facts
    unknown; a new fully known scenario without and with explanation trees; `article9 assess`
    on an empty scenario against a fully known one (CLI start to answer); `batch` with 30 %
    unknown cells; compile time per window and the disk cache's size; `POST /assess` as the
    web page asks (partial scenarios, every action, no trees: benchmarks/load.py --mix web);
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


def batch_run(rows: int, tmp: Path, unknown: float = 0.0, env: dict | None = None) -> tuple[float, float, int]:
    """`article9 batch` on a Parquet file of `rows` random fully known scenarios, all the
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
            cells = {f: pa.array(rng.random(n) < 0.5, mask=rng.random(n) < unknown) for f in facts}
            writer.write_batch(pa.record_batch(cells))
    # random rows can contradict law/reach.yaml's constraints (approved and refused by the Diet):
    # those are skipped, and the rows assessed are counted from the output
    cmd = [sys.executable, "-m", "article9", "batch", str(src), str(out), "-d", DAY.isoformat(), "--on-error", "skip"]
    t = time.perf_counter()
    errors = (tmp / "batch-stderr.txt").open("w+b")  # one line per skipped row: never a pipe that fills
    child = subprocess.Popen(cmd, stderr=errors, env={**os.environ, **(env or {})})
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
        errors.seek(0)
        raise SystemExit(f"batch failed: {errors.read().decode()[-2000:]}")
    errors.close()
    assessed, rest = divmod(pq.ParquetFile(out).metadata.num_rows, len(load_rulebase().vocabulary.actions))
    assert rest == 0 and assessed > rows // 2, (assessed, rows)
    src.unlink()
    out.unlink()
    return seconds, peak_kib / 1024, assessed


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


def run_load(mix: str, seconds: int) -> dict | None:
    """benchmarks/load.py with 200 clients and the given mix, in its own process: its JSON results."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        script = str(ROOT / "benchmarks" / "load.py")
        cmd = [sys.executable, script, "--clients", "200", "--seconds", str(seconds), "--json", out.name, "--mix", mix]
        subprocess.run(cmd, check=False)
        try:
            return json.loads(Path(out.name).read_text())
        except (OSError, ValueError):
            return None


def p99(xs: list[float]) -> float:
    return sorted(xs)[min(len(xs) - 1, int(len(xs) * 0.99))] * 1000


def p50(xs: list[float]) -> float:
    return statistics.median(xs) * 1000


def bench_unknowns(engine: Engine, quick: bool, load_seconds: int, no_load: bool) -> list[str]:
    """(f): the issue-16 targets, each with its same-run baseline; table rows."""
    from article9 import deciding
    from article9.corpus import cache_dir

    facts = list(engine.rb.vocabulary.facts)
    actions = list(engine.rb.vocabulary.actions)
    solver = Engine(engine.rb, solver=True)
    empty = Scenario(title="empty", facts={})
    engine.assess(empty, DAY, explain=False)  # the window compiled (or read from the cache) before timing
    complete = all(d.sets_complete for d in engine.assess(empty, DAY, explain=False).determinations)
    all_unknown = timed(lambda: engine.assess(empty, DAY, explain=False), 50)
    base_all = timed(lambda: solver.assess(empty, DAY, explain=False), 1 if quick else 3)
    base_cut = sum(not d.sets_complete for d in solver.assess(empty, DAY, explain=False).determinations)
    rng = np.random.default_rng(16)
    halves = [
        Scenario(title="h", facts={f: bool(rng.random() < 0.5) for f in facts if rng.random() < 0.5})
        for _ in range(400)
    ]
    it = iter(halves)
    half = timed(lambda: engine.assess(next(it), DAY, explain=False), 300)
    it = iter(halves)
    base_half = timed(lambda: solver.assess(next(it), DAY, explain=False), 5 if quick else 15)
    known = [
        Scenario(title="k", facts=dict(zip(facts, map(bool, row), strict=True)))
        for row in rng.random((800, len(facts))) < 0.5
    ]
    it = iter(known)
    known_bare = timed(lambda: engine.assess(next(it), DAY, explain=False), 300)
    known_trees = timed(lambda: engine.assess(next(it), DAY, explain=True), 300)
    it = iter(known[600:])
    base_known = timed(lambda: solver.assess(next(it), DAY, explain=False), 100)

    with tempfile.TemporaryDirectory() as tmp:
        empty_file, known_file = Path(tmp) / "empty.yaml", Path(tmp) / "known.yaml"
        empty_file.write_text("title: empty\nfacts: {}\n")
        known_file.write_text("title: known\nfacts:\n" + "".join(f"  {f}: false\n" for f in facts))
        args = ("-d", DAY.isoformat(), "-f", "json")
        cli_empty = [cli_seconds("assess", str(empty_file), *args) for _ in range(5)]
        cli_known = [cli_seconds("assess", str(known_file), *args) for _ in range(5)]
        batch_rows = 200_000 if quick else 1_000_000
        batch_open = batch_run(batch_rows, Path(tmp), unknown=0.3)
        batch_base = batch_run(50, Path(tmp), unknown=0.3, env={"ARTICLE9_DECIDING": "solver"})

    compile_times, sizes = [], []
    seen: set[str] = set()
    for day in engine.rb.change_dates():
        if day < dt.date(1947, 5, 3) or engine.rb.content_hash(day) in seen:
            continue
        seen.add(engine.rb.content_hash(day))
        prog = GroundProgram(engine.rb, engine.rb.rules_on(day))
        t = time.perf_counter()
        data = deciding.compile_window(prog)
        compile_times.append(time.perf_counter() - t)
        sizes.append(len(json.dumps(data, separators=(",", ":"))))
    folder = cache_dir()
    cached = sum(p.stat().st_size for p in folder.glob("window-*.json")) if folder and folder.is_dir() else 0

    rows = [
        f"| (f) every fact unknown, all {len(actions)} actions, complete deciding sets, no trees, in process "
        f"| p50 {p50(all_unknown):.1f} ms (target 20 ms: {'met' if p50(all_unknown) <= 20 else 'missed'}); "
        f"sets complete: {'all' if complete else 'NOT all'} | solver path p50 {p50(base_all):,.0f} ms, "
        f"sets cut for {base_cut} actions |",
        f"| (f) random partial scenarios, half the facts unknown, all actions, no trees | p50 {p50(half):.1f} ms, "
        f"p99 {p99(half):.1f} ms (targets 5 / 50 ms: {'met' if p50(half) <= 5 and p99(half) <= 50 else 'missed'}) "
        f"| solver path p50 {p50(base_half):,.0f} ms, p99 {p99(base_half):,.0f} ms ({len(base_half)} scenarios) |",
        f"| (f) a new fully known scenario, all actions | no trees p50 {p50(known_bare):.2f} ms (target 1 ms: "
        f"{'met' if p50(known_bare) <= 1 else 'missed'}); all trees p50 {p50(known_trees):.2f} ms (target 5 ms: "
        f"{'met' if p50(known_trees) <= 5 else 'missed'}) | solver path, no trees: p50 {p50(base_known):.2f} ms |",
        f"| (f) `article9 assess` on an empty scenario, CLI start to answer (JSON, trees) | p50 "
        f"{statistics.median(cli_empty):.2f} s = {statistics.median(cli_empty) / statistics.median(cli_known):.2f}x "
        f"(target 1.5x: {'met' if statistics.median(cli_empty) <= 1.5 * statistics.median(cli_known) else 'missed'}) "
        f"| a fully known one: p50 {statistics.median(cli_known):.2f} s |",
        f"| (f) `article9 batch`, 30 % unknown cells, Parquet in and out, one date, all actions (CLI start "
        f"included) | {batch_rows:,} rows read, {batch_open[2]:,} assessed (the others contradict reach.yaml's "
        f"constraints): {batch_open[0]:.1f} s = {batch_rows / batch_open[0]:,.0f} rows/s (target 100,000: "
        f"{'met' if batch_rows / batch_open[0] >= 100_000 else 'missed'}), peak memory {batch_open[1]:.0f} MiB "
        f"| solver path: 50 rows read, {batch_base[2]} assessed, {batch_base[0]:.1f} s = "
        f"{50 / batch_base[0]:,.0f} rows/s |",
        f"| (f) compiling a window (BDD and prime implicants), {len(compile_times)} windows | p50 "
        f"{p50(compile_times):.0f} ms, max {max(compile_times) * 1000:.0f} ms; {statistics.median(sizes) / 1024:.0f} KiB "
        f"per window as JSON, {sum(sizes) / 1024:.0f} KiB for all; on disk now {cached / 1024:.0f} KiB | - |",
    ]
    web = None if no_load else run_load("web", load_seconds)
    if web is not None:
        lat, rate = web["latency_ms"], web["requests_per_second"]
        met = rate >= 1000 and lat["p99"] <= 100
        rows.append(
            f"| (f) HTTP `POST /assess` as the web asks (partial scenario, all actions, no trees), 200 clients "
            f"for {web['seconds']:.0f} s, `serve --workers {web['workers']}` | {rate:,.0f} assessments/s, p50 "
            f"{lat['p50']:.0f} ms, p99 {lat['p99']:.0f} ms, {web['server_errors_5xx']} 5xx (target 1,000/s at "
            f"p99 100 ms: {'met' if met else 'missed'}); empty scenario with trees during it: "
            f"{web['empty_probe_ms']['within_1s']} of {web['empty_probe_ms']['requests']} within 1 s, "
            f"max {web['empty_probe_ms']['max']:.0f} ms | - |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 million batch rows instead of 10 million.")
    parser.add_argument("--no-load", action="store_true", help="Skip the HTTP load test (d).")
    parser.add_argument("--load-seconds", type=int, default=30, help="Duration of the HTTP load test.")
    parser.add_argument(
        "--only", choices=["all", "playbook", "unknowns"], default="all", help="Run only this benchmark."
    )
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
            + f"| (a) with unknown facts ({undecided} of {len(engine.rb.vocabulary.actions)} actions undecided): "
            f"{ms(with_unknowns)} |"
        )
        return
    if opts.only == "unknowns":
        rows = bench_unknowns(engine, opts.quick, opts.load_seconds, opts.no_load)
        print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print("| benchmark | result | baseline in the same run |")
        print("|---|---|---|")
        print("\n".join(rows))
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
            for row in rng.random((200, len(facts))) < 0.5
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
    unknown_rows = bench_unknowns(engine, opts.quick, opts.load_seconds, opts.no_load)
    diff_s = cli_seconds("diff", "--from", "2014-06-30", "--to", "2016-03-29")
    check_s = cli_seconds("check")

    load = None if opts.no_load else run_load("assess", opts.load_seconds)

    print(
        f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, clingo {clingo.__version__}, numpy {np.__version__}"
    )
    print("| benchmark | result | baseline in the same run |")
    print("|---|---|---|")
    n_actions = len(engine.rb.vocabulary.actions)
    print(f"| (a) one fully known scenario, {n_actions} actions with explanations, asked again | {ms(same)} | - |")
    print(f"| (a) the same with one fact changed each time | {ms(one_flip)} | - |")
    print(f"| (a) a new random fully known scenario each time | {ms(new_each_time)} | - |")
    print(
        f"| (a) a scenario with unknown facts ({undecided} of {n_actions} actions undecided, minimal deciding sets) "
        f"| {ms(with_unknowns)} | - |"
    )
    print(
        f"| (b) CLI start to answer, `article9 assess` | p50 {statistics.median(cli):.2f} s "
        f"| bare `python -c pass` {bare:.2f} s |"
    )
    print(
        f"| (c) fully known scenarios per second, {n_actions} actions each | compiled evaluator: {one_core:,.0f}/s on one "
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
            f"| (d) HTTP API, `POST /assess` with a new fully known scenario each time ({n_actions} actions with "
            f"explanations, one date), {load['clients']} clients for {load['seconds']:.0f} s from a separate process, "
            f"`serve --workers {load['workers']}` | {load['requests_per_second']:,.0f} requests/s = "
            f"{load['requests_per_second']:,.0f} assessments/s, p50 {lat['p50']:.0f} ms, p99 {lat['p99']:.0f} ms, "
            f"{load['server_errors_5xx']} 5xx; server memory {mem['start']:.0f} -> {mem['end']:.0f} MiB | - |"
        )
    print(
        f"| (e) `article9 diff --from 2014-06-30 --to 2016-03-29`, `article9 check` (2^{len(facts)} combinations) "
        f"| {diff_s:.1f} s, {check_s:.1f} s | - |"
    )
    print(playbook_row(pb_whole, pb_steps))
    print("\n".join(unknown_rows))


if __name__ == "__main__":
    main()
