"""Hypothetical regimes: the shipped examples change exactly what they say, and hostile
reform files are refused with a clear error before anything runs."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from helpers import ROOT, SCENARIOS, cli

REFORMS = ROOT / "src" / "article9" / "reforms"
HEAD = """---
id: reform-test
kind: reform
title_en: test
title_ja: test
effective: 2027-01-01
predicates:
  p: {en: "p"}
---

## A

```provision
id: reform-test/a
marker: U
```

Text.

```clingo from=2027-01-01
"""


def _status(args):
    out = cli(*args, "-f", "json")
    assert out.returncode == 0, out.stderr
    return [d["determinations"][0]["status"] for d in json.loads(out.stdout)]


def test_full_collective_self_defense_changes_the_answer_from_its_date():
    s = str(SCENARIOS / "us-ship-defense-no-survival-threat.yaml")
    reform = str(REFORMS / "full-collective-self-defense.md")
    assert _status(["assess", s, "-d", "2026-12-31", "-d", "2027-01-01", "--reform", reform]) == [
        "not_permitted",
        "permitted",
    ]
    assert _status(["assess", s, "-d", "2027-01-01"]) == ["not_permitted"]


def test_repeal_of_2015_legislation_removes_kaketsuke_keigo():
    s = str(SCENARIOS / "history-2016-south-sudan-kaketsuke-keigo.yaml")
    reform = str(REFORMS / "repeal-2015-legislation.md")
    # repealed with no closure claim left for it: outside the encoded law, not "not permitted"
    assert _status(["assess", s, "-d", "2026-06-01", "-d", "2027-06-01", "--reform", reform]) == [
        "permitted",
        "no_encoded_basis",
    ]


def test_sdf_in_article_9_changes_no_answer():
    s = str(SCENARIOS / "us-ship-defense.yaml")
    reform = str(REFORMS / "sdf-in-article-9.md")
    assert _status(["assess", s, "-d", "2027-06-01", "--reform", reform]) == _status(["assess", s, "-d", "2027-06-01"])


def test_check_fails_with_counterexample_under_the_full_csd_reform(tmp_path):
    out = cli(
        "check",
        "--reform",
        str(REFORMS / "full-collective-self-defense.md"),
        "--date",
        "2027-01-01",
        "--out",
        str(tmp_path),
    )
    assert out.returncode == 1 and "FAIL force-needs-attack" in out.stdout
    assert list(tmp_path.glob("counterexample-*.yaml"))


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            "p(a) :- holds(survival_threat).\n#script (python)\nimport os\nos.system('touch /tmp/pwned')\n#end.",
            "refused: #script would run code",
        ),
        ('#include "/etc/passwd".', "refused: #include would read a file"),
        ("p(X) :- holds(X), @evil(X) = 1.", "external function @evil refused"),
        ("p(99999999999999999999) :- holds(survival_threat).", "is too large"),
        ("p(f(f(f(f(a))))) :- holds(survival_threat).", "nested terms are not allowed"),
        (
            "p(A,B,C,D,E,F,G) :- holds(A), holds(B), holds(C), holds(D), holds(E), holds(F), holds(G).",
            "at most 6 variables",
        ),
        ("#const n = 3.", "#const is not allowed"),
        ("p(X) :- q(X).", "predicate 'q' is not in the vocabulary's predicates"),
        ("survival_threat(a).", "is not in the vocabulary's predicates"),
    ],
)
def test_hostile_reforms_are_refused(tmp_path, rules, message):
    path = tmp_path / "r.md"
    path.write_text(HEAD + rules + "\n```\n")
    out = cli("assess", str(SCENARIOS / "us-ship-defense.yaml"), "--reform", str(path))
    assert out.returncode == 2, out.stdout
    assert message in out.stderr and out.stderr.count("\n") == 1
    assert "Traceback" not in out.stderr


def test_exponential_grounding_is_stopped(tmp_path):
    import os
    import subprocess
    import sys

    path = tmp_path / "r.md"
    path.write_text(HEAD + "p(A,B,C,D,E,F) :- holds(A), holds(B), holds(C), holds(D), holds(E), holds(F).\n```\n")
    env = {**os.environ, "ARTICLE9_GROUND_SECONDS": "2"}
    started = dt.datetime.now()
    out = subprocess.run(
        [sys.executable, "-m", "article9", "assess", str(SCENARIOS / "us-ship-defense.yaml"), "--reform", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 2
    # stopped by the time limit, or sooner by the cap on ground rules (73**6 of them)
    assert "grounding took longer than 2 s" in out.stderr or "ground rules" in out.stderr
    assert (dt.datetime.now() - started).total_seconds() < 30


def test_oversized_grounding_is_refused(tmp_path):
    import os
    import subprocess
    import sys

    path = tmp_path / "r.md"
    path.write_text(HEAD + "p(A,B) :- holds(A), holds(B).\n```\n")
    env = {**os.environ, "ARTICLE9_MAX_GROUND_ATOMS": "1000"}
    out = subprocess.run(
        [sys.executable, "-m", "article9", "assess", str(SCENARIOS / "us-ship-defense.yaml"), "--reform", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 2 and "more than 1000; the reform was refused" in out.stderr


def test_not_a_reform_and_bad_repeal(tmp_path):
    path = tmp_path / "r.md"
    path.write_text(HEAD.replace("kind: reform", "kind: statute") + "p(a) :- holds(survival_threat).\n```\n")
    out = cli("assess", str(SCENARIOS / "us-ship-defense.yaml"), "--reform", str(path))
    assert out.returncode == 2 and "kind: reform" in out.stderr
    path.write_text(
        HEAD.replace("effective: 2027-01-01", "effective: 2027-01-01\nrepeals: [sdf-act/999]")
        + "p(a) :- holds(survival_threat).\n```\n"
    )
    out = cli("assess", str(SCENARIOS / "us-ship-defense.yaml"), "--reform", str(path))
    assert out.returncode == 2 and "cannot repeal or replace 'sdf-act/999'" in out.stderr
    big = tmp_path / "big.md"
    big.write_text(HEAD + "%" + "x" * 300_000 + "\n```\n")
    out = cli("assess", str(SCENARIOS / "us-ship-defense.yaml"), "--reform", str(big))
    assert out.returncode == 2 and "at most 256 KiB" in out.stderr
