"""The real command line, as a user would run it: answers, formats, and bad input."""

from __future__ import annotations

import json

import pytest
from helpers import ROOT, SCENARIOS, cli

SHIP = str(SCENARIOS / "us-ship-defense.yaml")


def test_assess_gives_different_answers_in_2016_and_2014():
    new = cli("assess", SHIP, "--date", "2016-05-01")
    old = cli("assess", SHIP, "--date", "2014-06-01")
    assert new.returncode == 0 and old.returncode == 0
    assert "Status: Permitted" in new.stdout and "sdf-act/76-1-ii" in new.stdout
    assert "Diet approval of the defense operation" in new.stdout
    assert "Status: Not permitted" in old.stdout
    assert "interp-1981/answer" in old.stdout or "interp-1972/conclusion" in old.stdout
    assert "assessment on 2016-05-01" in new.stdout and "rule base" in new.stdout


def test_json_output_is_a_list_of_assessments_with_schema_id():
    out = cli("assess", SHIP, "--format", "json")
    data = json.loads(out.stdout)
    assert [a["date"] for a in data] == ["2016-05-01", "2015-06-01", "2014-06-01"]
    assert all(a["schema"] == "article9.assessment/1" and len(a["rulebase"]["hash"]) == 64 for a in data)
    det = data[0]["determinations"][0]
    assert det["status"] == "permitted" and det["constitutional"] == "true"
    assert {"action", "status", "constitutional", "bases", "depends_on", "explanation"} <= set(det)


def test_markdown_output_names_date_hash_and_provisions():
    out = cli("assess", SHIP, "-d", "2016-05-01", "-f", "md")
    assert out.returncode == 0
    assert out.stdout.startswith("# Assessment on 2016-05-01")
    assert "Rule base: `" in out.stdout and "`sdf-act/76-1-ii`" in out.stdout


def test_check_flag_fails_on_a_wrong_expectation(tmp_path):
    text = (
        (SCENARIOS / "us-ship-defense.yaml")
        .read_text()
        .replace(
            "defend_foreign_warship: {status: permitted, basis: sdf-act/76-1-ii}",
            "defend_foreign_warship: not_permitted",
        )
    )
    bad = tmp_path / "wrong.yaml"
    bad.write_text(text)
    assert cli("assess", SHIP, "--check").returncode == 0
    out = cli("assess", str(bad), "--check", "-f", "json")
    assert out.returncode == 1
    assert "mismatch: 2016-05-01 defend_foreign_warship: expected not_permitted, got permitted" in out.stderr


def test_explain_shows_rules_and_origins():
    out = cli("explain", SHIP, "defend_foreign_warship", "--date", "2016-05-01")
    assert out.returncode == 0
    # the rule as written in its law file (not clingo's print of it), under its file:line
    import re

    line = int(
        re.search(r'rule as written \(law/sdf-act\.md:(\d+)\):\n\W*basis\(A, "sdf-act/76-1-ii"\) :-', out.stdout)[1]
    )
    law = (ROOT / "src" / "article9" / "law" / "sdf-act.md").read_text().splitlines()
    assert law[line - 1].startswith('basis(A, "sdf-act/76-1-ii") :-')


def test_law_shows_summary_rules_and_windows():
    out = cli("law", "sdf-act/76-1-ii")
    assert out.returncode == 0
    assert "survival-threatening" in out.stdout and "rules in force 2016-03-29.." in out.stdout
    alias = cli("law", "sdf-act/99")
    assert "sdf-act/84-2" in alias.stdout
    on_date = cli("law", "sdf-act/76-1", "--date", "2010-01-01")
    assert "2003-06-13..2016-03-28" in on_date.stdout and "1954-07-01..2003-06-12" not in on_date.stdout
    listing = cli("law")
    assert "constitution/9" in listing.stdout and "iisa/3" in listing.stdout


def test_vocab_and_schema():
    out = cli("vocab", "--json")
    data = json.loads(out.stdout)
    assert data["facts"]["survival_threat"]["kind"] == "judgment"
    assert data["facts"]["survival_threat"]["question"]["ja"]
    assert "存立危機事態" in cli("vocab", "--lang", "ja").stdout
    schema = json.loads(cli("schema").stdout)
    assert schema["title"] == "Scenario" and "facts" in schema["properties"]
    out_schema = json.loads(cli("schema", "assessment").stdout)
    assert "determinations" in out_schema["properties"]


BAD = [
    (
        "title: t\nfacts:\n  survival_threatt: true\n",
        "3: unknown fact 'survival_threatt' (did you mean: survival_threat",
    ),
    (
        "title: t\nfacts:\n  survival_threat: true\n  survival_threat: false\n",
        "4: 'survival_threat' is given twice with different values (line 3: true; line 4: false)",
    ),
    (
        "title: t\nfacts:\n  survival_threat: 3\n",
        "3: fact 'survival_threat' has value 3; expected true, false or unknown",
    ),
    ("title: t\nfacts:\n  survival_threat: maybe\n", "expected true, false or unknown"),
    ("title: t\ndates: [2016-13-01]\n", "2: '2016-13-01' is not a date (expected YYYY-MM-DD)"),
    ("title: t\ndate: 1946-05-01\n", "before 1947-05-03"),
    ("title: t\nfacts:\n  a: [1, 2\n", ":4:1: invalid YAML"),
    (
        "title: t\nactions: [defend_foriegn_warship]\n",
        "unknown action 'defend_foriegn_warship' (did you mean: defend_foreign_warship?)",
    ),
    ("facts: {}\n", "'title' is required"),
    ("- just a list\n", "a scenario is a mapping"),
    ("title: t\nfactz: {}\n", "unknown key 'factz' (did you mean: facts?)"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_scenarios_give_one_line_errors(tmp_path, text, message):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    out = cli("assess", str(path))
    assert out.returncode == 2
    assert out.stdout == ""
    assert message in out.stderr
    assert out.stderr.startswith("error: ") and out.stderr.count("\n") == 1
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("assess", SHIP, "--date", "2016-02-30"), "--date: '2016-02-30' is not a date"),
        (("assess", SHIP, "--date", "1900-01-01"), "before 1947-05-03"),
        (
            ("assess", SHIP, "--action", "defend_foreign_ship"),
            "unknown action 'defend_foreign_ship' (did you mean: defend_foreign_warship?)",
        ),
        (("explain", SHIP, "nothing"), "unknown action 'nothing'"),
        (("assess", "no-such-file.yaml"), "no-such-file.yaml: no such file"),
        (("law", "sdf-act/999"), "no provision 'sdf-act/999'"),
    ],
)
def test_bad_arguments_give_one_line_errors(args, message):
    out = cli(*args)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_script_in_a_law_file_is_refused(tmp_path):
    from helpers import law_copy

    law = law_copy(tmp_path)
    path = law / "core.md"
    path.write_text(
        path.read_text().replace(
            "permitted(A) :- constitutional(A), lawful(A, B).",
            "permitted(A) :- constitutional(A), lawful(A, B).\n#script (python)\nimport os\n#end.",
        )
    )
    out = cli("--law-dir", str(law), "assess", SHIP)
    assert out.returncode == 3
    assert "refused: #script would run code" in out.stderr and "core.md:" in out.stderr
    assert "Traceback" not in out.stderr
