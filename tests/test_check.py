"""article9 check: the shipped law passes; a deliberately broken rule base fails with a
counterexample that reproduces the violation."""

from __future__ import annotations

import yaml
from helpers import cli, engine, law_copy

from article9.check import run_check


def test_shipped_law_passes_every_property():
    report = run_check(engine().rb)
    assert report.ok, (report.failures, report.unreachable, report.unused_rules, report.unattributed)
    assert report.months > 800 and report.programs >= 15
    out = cli("check")
    assert out.returncode == 0
    assert "ok   force-needs-attack" in out.stdout


def test_broken_law_fails_with_a_counterexample(tmp_path):
    law = law_copy(tmp_path)
    for name, old, new in (
        (
            "aasa.md",
            "situation(survival_threatening_situation) :-\n    holds(armed_attack_on_foreign_country),\n"
            "    holds(close_relationship),\n    holds(survival_threat).",
            # drops the close-relationship test (still named, redundantly, so the vocabulary check passes);
            # a trigger with no attack abroad at all would contradict the facts' constraints instead
            "situation(survival_threatening_situation) :- holds(armed_attack_on_foreign_country), holds(survival_threat).\n"
            "situation(survival_threatening_situation) :-\n    holds(armed_attack_on_foreign_country),\n"
            "    holds(close_relationship),\n    holds(survival_threat).",
        ),
        (
            "cabinet-2014.md",
            "new_three_conditions_trigger :-\n    holds(armed_attack_on_foreign_country),\n"
            "    holds(close_relationship),\n    holds(survival_threat).",
            "new_three_conditions_trigger :- holds(armed_attack_on_foreign_country), holds(survival_threat).",
        ),
    ):
        path = law / name
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))
    out_dir = tmp_path / "cx"
    out = cli("--law-dir", str(law), "check", "--date", "2017-01-01", "--out", str(out_dir))
    assert out.returncode == 1
    assert "FAIL force-needs-attack" in out.stdout
    files = sorted(out_dir.glob("counterexample-*-force-needs-attack-*.yaml"))
    assert files
    data = yaml.safe_load(files[0].read_text())
    facts = data["facts"]
    assert facts["armed_attack_on_japan"] is False
    assert facts["close_relationship"] is False  # the broken law dropped the close-relationship test
    # the counterexample is a runnable scenario that shows the violation under the broken law
    run = cli("--law-dir", str(law), "assess", str(files[0]), "-f", "json")
    assert run.returncode == 0
    import json

    assert json.loads(run.stdout)[0]["determinations"][0]["status"] == "permitted"
    # and under the shipped law the same facts are not permitted
    assert json.loads(cli("assess", str(files[0]), "-f", "json").stdout)[0]["determinations"][0]["status"] == (
        "not_permitted"
    )


REFORM_UNSATISFIABLE = """---
id: reform-no-guidelines
kind: reform
title_en: "Test reform: repeal the provision that satisfies the ship-inspection guideline step"
title_ja: "テスト用：実施要項の承認を満たす規定の廃止"
law_number: null
egov_id: null
promulgated: null
in_force: "2027-01-01 (hypothetical)"
effective: 2027-01-01
sources: [test]
repeals:
  - procedure/inspection-guideline-pm-approval
---

# Test reform

Ship inspection still requires the Prime Minister's approval of the implementation
guidelines, but no rule satisfies that step any more.
"""


def test_check_fails_on_a_reform_that_makes_a_required_step_unsatisfiable(tmp_path):
    reform = tmp_path / "reform.md"
    reform.write_text(REFORM_UNSATISFIABLE, encoding="utf-8")
    out = cli("check", "--date", "2027-01-01", "--reform", str(reform))
    assert out.returncode == 1, out.stdout + out.stderr
    assert "FAIL every procedure step an action can require can be satisfied" in out.stdout
    assert "inspection_guideline_pm_approval" in out.stdout and "inspect_ships_consensual" in out.stdout
    # the shipped law on the same date passes that property
    ok = cli("check", "--date", "2027-01-01")
    assert "ok   every procedure step an action can require can be satisfied" in ok.stdout


def test_a_block_spanning_a_renumbering_is_refused_at_load(tmp_path):
    law = law_copy(tmp_path)
    path = law / "sdf-act.md"
    text = path.read_text()
    old = "```clingo from=2007-01-09 to=2013-11-21\n% Renumbered Art. 84-3"
    assert old in text
    # stretch the 1994 block of transport of nationals across the 2007 renumbering
    text = text.replace("```clingo from=1994-11-18 to=2007-01-08", "```clingo from=1994-11-18 to=2008-01-08")
    text = text.replace(old, "```clingo from=2008-01-09 to=2013-11-21\n% Renumbered Art. 84-3")
    path.write_text(text)
    out = cli("--law-dir", str(law), "check")
    assert out.returncode == 3
    assert "not inside one window of its 'numbers'; split it at 2007-01-09" in out.stderr


def test_check_finds_a_block_outside_its_instrument_and_a_rule_that_never_fires(tmp_path):
    law = law_copy(tmp_path)
    path = law / "rssma.md"
    text = path.read_text()
    assert "```clingo from=2008-01-16 to=2010-01-15" in text
    path.write_text(text.replace("```clingo from=2008-01-16 to=2010-01-15", "```clingo from=2008-01-16 to=2010-06-30"))
    # a rule in a block that starts in 1947, before any checked day, and can never fire
    const = law / "constitution.md"
    ctext = const.read_text()
    first = ctext.index("```clingo from=1947-05-03\n") + len("```clingo from=1947-05-03\n")
    const.write_text(
        ctext[:first]
        + "prohibited(A) :- action(A), holds(special_emergency), not holds(special_emergency).\n"
        + ctext[first:]
    )
    out = cli("--law-dir", str(law), "check", "--date", "2009-01-01", "--date", "2010-03-01")
    assert out.returncode == 1
    assert "FAIL every rule block's window is inside its instrument's dates" in out.stdout
    assert "runs past rssma (2010-01-15)" in out.stdout
    assert "FAIL every rule can fire on some date in its window" in out.stdout
    assert "not holds(special_emergency)" in out.stdout
