"""The audit trail: every answer names its rule base, version and date; --log appends each
assessment to an append-only SQLite log; replay re-runs it and names changed provisions."""

from __future__ import annotations

import json
import sqlite3

import pytest
from helpers import SCENARIOS, cli, law_copy

SHIP = str(SCENARIOS / "us-ship-defense.yaml")


def test_answers_carry_hash_version_and_date():
    run = cli("assess", SHIP, "-d", "2016-05-01", "-f", "json")
    assert run.returncode == 0, run.stderr
    (a,) = json.loads(run.stdout)
    assert a["date"] == "2016-05-01"
    assert len(a["rulebase"]["hash"]) == 64 and a["rulebase"]["version"]


def test_log_is_append_only_and_replay_of_same_law_finds_nothing(tmp_path):
    log = tmp_path / "decisions.sqlite"
    assert cli("--log", str(log), "assess", SHIP).returncode == 0
    assert cli("--log", str(log), "explain", SHIP, "defend_foreign_warship", "-d", "2014-06-01").returncode == 0
    assert cli("--log", str(log), "compare", SHIP, "-d", "2016-05-01", "-d", "2014-06-01").returncode == 0
    db = sqlite3.connect(log)
    rows = db.execute("SELECT source, date, actions, answer, rulebase, version FROM decisions").fetchall()
    assert [(r[0], r[1]) for r in rows] == [
        ("cli assess", "2016-05-01"),
        ("cli assess", "2015-06-01"),
        ("cli assess", "2014-06-01"),
        ("cli explain", "2014-06-01"),
        ("cli compare", "2014-06-01"),
        ("cli compare", "2016-05-01"),
    ]
    assert json.loads(rows[0][3])["defend_foreign_warship"]["status"] == "permitted"
    assert json.loads(rows[0][3])["defend_foreign_warship"]["lawful"] == ["sdf-act/76-1-ii"]
    assert db.execute("SELECT count(*) FROM rulebases").fetchone()[0] == 3  # three regimes, three hashes
    for statement in ("UPDATE decisions SET answer = '{}'", "DELETE FROM decisions", "DELETE FROM rulebases"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(statement)
    db.close()
    same = cli("replay", str(log))
    assert same.returncode == 0, same.stdout + same.stderr
    assert "6 logged decisions, 6 answers: 6 the same, 0 different." in same.stdout


def test_replay_of_a_log_made_on_an_older_rule_base_names_the_changed_provision(tmp_path):
    """An 'older' law in which Art. 76(1)(ii) (survival-threatening situations) was not yet
    in force: the US-ship defense was not permitted then and is now; replay must name
    sdf-act/76-1-ii, and only it."""
    old = law_copy(tmp_path)
    sdf = old / "sdf-act.md"
    text = sdf.read_text()
    marker = '```clingo from=2016-03-29\ndefense_operation("sdf-act/76-1-ii").'
    assert marker in text
    sdf.write_text(text.replace(marker, marker.replace("from=2016-03-29", "from=2030-01-01")))
    log = tmp_path / "decisions.sqlite"
    made = cli("--law-dir", str(old), "--log", str(log), "assess", SHIP, "-d", "2016-05-01", "-d", "2014-06-01")
    assert made.returncode == 0, made.stderr
    assert (
        json.loads(sqlite3.connect(log).execute("SELECT answer FROM decisions").fetchone()[0])[
            "defend_foreign_warship"
        ]["status"]
        == "not_permitted"
    )
    run = cli("replay", str(log))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "2 logged decisions, 2 answers: 1 the same, 1 different." in run.stdout
    assert "was not_permitted (no lawful basis); now permitted (sdf-act/76-1-ii)" in run.stdout
    assert "changed: sdf-act/76-1-ii: rules in force now, none then" in run.stdout
    report = json.loads(cli("replay", str(log), "--json").stdout)
    (diff,) = report["differences"]
    assert diff["date"] == "2016-05-01" and diff["action"] == "defend_foreign_warship" and diff["traced"]
    assert diff["changed"] == [{"provision": "sdf-act/76-1-ii", "change": "rules in force now, none then"}]


def test_replay_errors(tmp_path):
    missing = cli("replay", str(tmp_path / "nope.sqlite"))
    assert missing.returncode == 2 and "no such decision log" in missing.stderr
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database at all" * 100)
    bad = cli("replay", str(junk))
    assert bad.returncode == 2 and "not a decision log" in bad.stderr and "Traceback" not in bad.stderr
    assert cli("--log", str(junk), "assess", SHIP).returncode == 2


def test_served_answers_are_logged_and_replayed(tmp_path, monkeypatch):
    """`article9 --log FILE serve` passes the log to every worker as ARTICLE9_LOG; /assess and
    /explain append one row per assessment."""
    from fastapi.testclient import TestClient

    from article9.server import create_app

    log = tmp_path / "served.sqlite"
    monkeypatch.setenv("ARTICLE9_LOG", str(log))
    # not a test of the time limit: a generous one (at 10 s this failed on a loaded machine)
    monkeypatch.setenv("ARTICLE9_TIMEOUT", "600")
    client = TestClient(create_app())
    scenario = {"title": "ship", "facts": {"survival_threat": True, "armed_attack_on_japan": False}}
    ok = client.post("/assess", json={"scenario": scenario, "dates": ["2016-05-01", "2014-06-01"]})
    assert ok.status_code == 200
    assert ok.json()[0]["rulebase"]["version"] and len(ok.json()[0]["rulebase"]["hash"]) == 64
    assert client.post("/explain", json={"scenario": scenario, "action": "defend_foreign_warship"}).status_code == 200
    assert client.post("/assess", json={"scenario": {"title": "x", "facts": {"nope": True}}}).status_code == 422
    both = {"scenario": scenario, "dates": ["2016-05-01", "2014-06-01"], "actions": ["defend_foreign_warship"]}
    assert client.post("/compare", json=both).status_code == 200
    asked = {"facts": {"survival_threat": True}, "actions": ["defend_foreign_warship"], "date": "2016-05-01"}
    assert client.post("/interview/next", json=asked).status_code == 200
    rows = sqlite3.connect(log).execute("SELECT source, date FROM decisions ORDER BY id").fetchall()
    assert [r[0] for r in rows] == [
        "api /assess",
        "api /assess",
        "api /explain",
        "api /compare",
        "api /compare",
        "api /interview/next",
    ]
    assert [r[1] for r in rows[:2]] == ["2016-05-01", "2014-06-01"]
    again = cli("replay", str(log))
    assert again.returncode == 0 and "6 logged decisions" in again.stdout and "0 different" in again.stdout


def test_replay_of_a_log_with_a_malformed_row_is_a_clear_error(tmp_path):
    """The triggers stop UPDATE and DELETE, not INSERT: a row written by hand must give an
    input error naming it, not a traceback."""
    log = tmp_path / "decisions.sqlite"
    assert cli("--log", str(log), "assess", SHIP, "-d", "2016-05-01").returncode == 0
    db = sqlite3.connect(log)
    (rb_hash,) = db.execute("SELECT rulebase FROM decisions").fetchone()
    db.execute(
        "INSERT INTO decisions (logged_at, source, version, rulebase, date, scenario, actions, answer) "
        "VALUES ('now', 'hand', '0', ?, '2016-05-01', '{\"facts\": {}}', '[]', '{}')",
        (rb_hash,),
    )
    db.commit()
    run = cli("replay", str(log))
    assert run.returncode == 2 and "decision 2 is unreadable" in run.stderr and "Traceback" not in run.stderr
