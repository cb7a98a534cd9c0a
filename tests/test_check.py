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
            "situation(survival_threatening_situation) :- holds(armed_attack_on_foreign_country), "
            "holds(close_relationship), holds(survival_threat).",
            # drops the close-relationship test (still named, redundantly, so the vocabulary check passes);
            # a trigger with no attack abroad at all would contradict the facts' constraints instead
            "situation(survival_threatening_situation) :- holds(armed_attack_on_foreign_country), holds(survival_threat).\n"
            "situation(survival_threatening_situation) :- holds(armed_attack_on_foreign_country), "
            "holds(close_relationship), holds(survival_threat).",
        ),
        (
            "cabinet-2014.md",
            "new_three_conditions_trigger :- holds(armed_attack_on_foreign_country), holds(close_relationship), "
            "holds(survival_threat).",
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
