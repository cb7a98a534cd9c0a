"""The compiled evaluator gives exactly the solver's answers: on random fully known scenarios
at every date where the rule blocks change (hypothesis), and exhaustively over the facts of
small actions; and the batch command around it."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import numpy as np
from helpers import cli, engine, solver_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from article9.compiled import assess_known, basis_names
from article9.models import Scenario

FACTS = list(engine().rb.vocabulary.facts)
ACTIONS = list(engine().rb.vocabulary.actions)
DATES = [d for d in engine().rb.change_dates() if d >= dt.date(1954, 7, 1)]


def _solver(day, row, actions):
    a = solver_engine().assess(Scenario(title="r", facts=dict(zip(FACTS, map(bool, row), strict=True))), day, actions)
    return {d.action: d for d in a.determinations}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(st.booleans(), min_size=len(FACTS), max_size=len(FACTS)), min_size=1, max_size=8),
    day=st.sampled_from(DATES),
)
def test_compiled_equals_solver_on_random_rows(rows, day):
    matrix = np.array(rows, dtype=bool)
    fast = assess_known(engine(), day, matrix, ACTIONS)
    for i, row in enumerate(rows):
        slow = _solver(day, row, ACTIONS)
        for a in ACTIONS:
            assert fast[a]["permitted"][i] == (slow[a].status == "permitted"), (day, a)
            # not permitted only under a closure claim: the compiled evaluator agrees on which
            closed = not fast[a]["permitted"][i] and fast[a]["closed"][i]
            assert closed == (slow[a].status == "not_permitted"), (day, a)
            if slow[a].status == "permitted":
                lawful = [b.provision.id for b in slow[a].bases if b.lawful == "true"]
                assert basis_names(fast[a])[i] in lawful


def test_compiled_equals_solver_exhaustively_on_small_actions():
    e = engine()
    for action in ("intercept_missile_aimed_at_japan", "protect_foreign_forces_assets", "escort_ships_against_piracy"):
        for day in DATES:
            prog = e.program(day)
            cone = e._depends(prog, prog.evaluate({}), action)
            assert len(cone) <= 10
            rows = []
            for combo in itertools.product([False, True], repeat=len(cone)):
                row = dict.fromkeys(FACTS, False)
                row.update(zip(cone, combo, strict=True))
                rows.append([row[f] for f in FACTS])
            fast = assess_known(e, day, np.array(rows, dtype=bool), [action])
            for i, row in enumerate(rows):
                assert fast[action]["permitted"][i] == (_solver(day, row, [action])[action].status == "permitted")


def test_batch_csv_and_jsonl(tmp_path):
    rows = [
        {
            "id": "known",
            **dict.fromkeys(FACTS, "false"),
            "missile_flying_toward_japan": "true",
            "intercept_over_japan_or_high_seas": "true",
            "mindef_destruction_order_pm_approved": "true",
        },
        {"id": "open", "missile_flying_toward_japan": "true"},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "out.csv"
    run = cli(
        "batch", str(src), str(out), "-d", "2017-01-01", "-d", "2004-01-01", "-a", "intercept_missile_aimed_at_japan"
    )
    assert run.returncode == 0, run.stderr
    assert "1 by the compiled evaluator, 1 by the compiled deciding sets, 0 by the solver" in run.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == "row,id,date,action,status,basis"
    assert "1,known,2017-01-01,intercept_missile_aimed_at_japan,permitted,sdf-act/82-3" in lines
    assert "1,known,2004-01-01,intercept_missile_aimed_at_japan,not_permitted," in lines
    assert "2,open,2017-01-01,intercept_missile_aimed_at_japan,depends,sdf-act/82-3" in lines


def test_batch_bad_rows(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,survival_threat\na,true\nb,perhaps\nc,\n")
    out = tmp_path / "out.jsonl"
    fail = cli("batch", str(src), str(out), "-a", "defend_foreign_warship")
    assert fail.returncode == 2 and "in.csv:3: fact 'survival_threat' has value 'perhaps'" in fail.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [src]  # a failed run leaves no half-written file
    skip = cli("batch", str(src), str(out), "-a", "defend_foreign_warship", "--on-error", "skip")
    assert skip.returncode == 0 and "skipped: " in skip.stderr and "1 skipped" in skip.stderr
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["a", "c"]
    src.write_text("id,survival_threatt\na,true\n")
    bad = cli("batch", str(src), str(out))
    assert bad.returncode == 2 and "unknown column 'survival_threatt'" in bad.stderr
    assert cli("batch", str(src), str(tmp_path / "out.xlsx")).returncode == 2


def test_batch_parquet_in_and_out(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    full = dict.fromkeys(FACTS, False) | {
        "missile_flying_toward_japan": True,
        "intercept_over_japan_or_high_seas": True,
        "mindef_destruction_order_pm_approved": True,
    }
    table = pa.Table.from_pylist([{"id": "a", **full}, {"id": "b", **full, "missile_flying_toward_japan": False}])
    src = tmp_path / "in.parquet"
    pq.write_table(table, src)
    out = tmp_path / "out.parquet"
    run = cli("batch", str(src), str(out), "-d", "2017-01-01", "-a", "intercept_missile_aimed_at_japan")
    assert run.returncode == 0, run.stderr
    assert "2 by the compiled evaluator" in run.stderr
    rows = pq.read_table(out).to_pylist()
    assert [(r["id"], r["status"], r["basis"]) for r in rows] == [
        ("a", "permitted", "sdf-act/82-3"),
        ("b", "not_permitted", ""),
    ]
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    run = cli("batch", str(bad), str(out))
    assert run.returncode == 2 and "not a readable Parquet file" in run.stderr


def test_batch_on_a_dask_cluster_matches_local(tmp_path):
    """--dask sends the chunks to a scheduler; the output must be the same rows as a local run."""
    from distributed import LocalCluster

    rows = [{"id": f"r{i}", "missile_flying_toward_japan": "true" if i % 2 else "false"} for i in range(7)]
    rows.append({"id": "full", **dict.fromkeys(FACTS, "false"), "missile_flying_toward_japan": "true"})
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    local, remote = tmp_path / "local.csv", tmp_path / "remote.csv"
    args = ["-d", "2017-01-01", "-d", "2004-01-01", "--chunk", "3", "-a", "intercept_missile_aimed_at_japan"]
    args += ["-a", "defend_foreign_warship"]
    assert cli("batch", str(src), str(local), *args).returncode == 0
    with LocalCluster(
        n_workers=1, processes=False, protocol="tcp://", host="127.0.0.1", dashboard_address=":0"
    ) as cluster:
        run = cli("batch", str(src), str(remote), *args, "--dask", cluster.scheduler_address)
    assert run.returncode == 0, run.stderr
    assert "1 by the compiled evaluator, 7 by the compiled deciding sets, 0 by the solver" in run.stderr
    assert remote.read_text() == local.read_text()
    down = cli("batch", str(src), str(remote), "--dask", "tcp://127.0.0.1:9")
    assert down.returncode == 2 and "cannot reach the scheduler" in down.stderr


def test_batch_output_order_does_not_depend_on_the_chunk_size(tmp_path):
    """Rows in input order, then dates as given, then actions: the same file for any --chunk."""
    src = tmp_path / "in.csv"
    src.write_text("id,survival_threat\na,true\nb,false\nc,\n")
    args = ["-d", "2017-01-01", "-d", "2004-01-01", "-a", "defend_foreign_warship", "-a", "rescue_nationals_abroad"]
    one, many = tmp_path / "one.csv", tmp_path / "many.csv"
    assert cli("batch", str(src), str(one), *args, "--chunk", "1").returncode == 0
    assert cli("batch", str(src), str(many), *args).returncode == 0
    assert one.read_text() == many.read_text()
    keys = [line.split(",")[:4] for line in one.read_text().splitlines()[1:]]
    assert [k[1] for k in keys] == ["a"] * 4 + ["b"] * 4 + ["c"] * 4
    assert [k[2] for k in keys[:4]] == ["2017-01-01", "2017-01-01", "2004-01-01", "2004-01-01"]
    assert [k[3] for k in keys[:2]] == ["defend_foreign_warship", "rescue_nationals_abroad"]


def _chunk(rows):
    import pyarrow as pa

    from article9.batch import chunk_schema

    columns = [pa.array(range(1, len(rows) + 1), pa.int64()), pa.array([f"r{i}" for i in range(len(rows))])]
    columns += [pa.array([r.get(f) for r in rows], pa.bool_()) for f in FACTS]
    return pa.RecordBatch.from_arrays(columns, schema=chunk_schema(FACTS))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.fixed_dictionaries({f: st.sampled_from([True, False, None]) for f in FACTS}), min_size=1, max_size=6
    ),
    day=st.sampled_from(DATES),
)
def test_batch_rows_with_unknown_facts_from_the_compiled_sets_equal_the_solver(rows, day):
    from article9.batch import assess_chunk

    batch = _chunk(rows)
    fast, ways = assess_chunk(engine(), [day], ACTIONS, batch, wide=True)
    slow, solved = assess_chunk(solver_engine(), [day], ACTIONS, batch, wide=True)
    assert ways["solver"] == 0 and solved["deciding"] == 0
    assert fast[0].to_pylist() == slow[0].to_pylist()  # status, basis and deciding facts of every action


def test_batch_wide_output(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "open", "missile_flying_toward_japan": True}) + "\n")
    out = tmp_path / "out.csv"
    args = [
        "-d",
        "2017-01-01",
        "-d",
        "2004-01-01",
        "-a",
        "intercept_missile_aimed_at_japan",
        "-a",
        "sweep_abandoned_mines",
    ]
    run = cli("batch", str(src), str(out), *args, "--wide")
    assert run.returncode == 0, run.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == (
        "row,id,date,intercept_missile_aimed_at_japan,intercept_missile_aimed_at_japan.basis,"
        "intercept_missile_aimed_at_japan.deciding,sweep_abandoned_mines,sweep_abandoned_mines.basis,"
        "sweep_abandoned_mines.deciding"
    )
    assert len(lines) == 3 and lines[1].startswith("1,open,2017-01-01,depends,sdf-act/82-3,")
    det = (
        engine()
        .assess(
            Scenario(title="o", facts={"missile_flying_toward_japan": True}),
            dt.date(2017, 1, 1),
            ["intercept_missile_aimed_at_japan"],
        )
        .determinations[0]
    )
    assert lines[1].split(",")[5] == " ".join(f.fact for f in det.depends_on)
    parquet = tmp_path / "out.parquet"
    assert cli("batch", str(src), str(parquet), *args, "--wide").returncode == 0
    import pyarrow.parquet as pq

    table = pq.read_table(parquet).to_pylist()
    assert [r["date"] for r in table] == ["2017-01-01", "2004-01-01"]
    assert table[0]["intercept_missile_aimed_at_japan.deciding"] == lines[1].split(",")[5]
