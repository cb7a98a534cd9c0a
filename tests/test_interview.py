"""The interview, driven through its real prompt (standard input), and the question order."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import yaml
from helpers import ROOT, engine, scenario

from article9.interview import next_question, simulate
from article9.models import Scenario


def _run(answers: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "article9", "interview", *args],
        input=answers,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_interview_asks_only_what_matters_goes_back_and_saves(tmp_path):
    out_file = tmp_path / "iv.yaml"
    # q1 missile flying toward Japan? y; q2 over Japan or high seas? n -> decided (not permitted)...
    # but first: answer q2 'x' (invalid), then 'b' (back to q1), then answer again.
    run = _run(
        "y\nx\nb\ny\ny\nu\ny\n", "-a", "intercept_missile_aimed_at_japan", "-d", "2017-01-01", "-o", str(out_file)
    )
    assert run.returncode == 0, run.stderr
    text = run.stdout
    assert text.count("[missile_flying_toward_japan]") == 2  # asked again after going back
    assert "Please answer y, n, u, b or q." in text
    assert "[intercept_over_japan_or_high_seas]" in text
    assert "Provisional answers:" in text and "Final answers:" in text
    data = yaml.safe_load(out_file.read_text())
    assert data["facts"]["missile_flying_toward_japan"] is True
    assert data["facts"]["intercept_over_japan_or_high_seas"] is True
    # the saved file is a scenario that assess reads
    check = subprocess.run(
        [sys.executable, "-m", "article9", "assess", str(out_file), "-f", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert check.returncode == 0, check.stderr


def test_interview_in_japanese_and_eof_saves(tmp_path):
    out_file = tmp_path / "iv.yaml"
    run = _run("", "-a", "defend_foreign_warship", "-d", "2017-01-01", "--lang", "ja", "-o", str(out_file))
    assert run.returncode == 0
    assert "質問1" in run.stdout and "我が国に対する外部からの武力攻撃" in run.stdout
    assert out_file.exists()


def test_question_order_world_facts_first_and_only_open_ones():
    e = engine()
    day = dt.date(2017, 1, 1)
    first = next_question(e, Scenario(title="x"), ["defend_foreign_warship"], day, set())
    assert e.rb.vocabulary.facts[first].kind == "world_fact"
    decided = Scenario(title="x", facts={"armed_attack_on_japan": False, "armed_attack_on_foreign_country": False})
    assert next_question(e, decided, ["defend_foreign_warship"], day, set()) is None


def test_interview_needs_far_fewer_questions_than_the_vocabulary_has_facts():
    e = engine()
    s = scenario("us-ship-defense.yaml")
    asked = simulate(e, s, ["defend_foreign_warship"], dt.date(2016, 5, 1))
    assert 0 < asked < len(e.rb.vocabulary.facts) / 3
