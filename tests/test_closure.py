"""Issue 14, never confidently wrong: 'not permitted' only under a closure claim, the law's
reach (encoded-to date, known gaps) named in every answer, reforms labelled, contradictory
facts refused."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from helpers import ROOT, SCENARIOS, cli, engine

from article9.engine import _fn
from article9.models import Scenario

D = dt.date
REFORMS = ROOT / "src" / "article9" / "reforms"
REPEAL_FORCE_CLOSURE = """---
id: reform-no-force-closure
kind: reform
title_en: "Hypothetical: the rule base withdraws its claim that Art. 76 is the only gate for force"
title_ja: "仮想：武力の行使の完結性の主張の撤回"
effective: 2015-01-01
repeals: [closure/use-of-force]
---

# No provisions: only the repeal.
"""
REFUGEE_RELIEF = {
    "title": "Refugee relief in a neighbouring country at UNHCR's request (e.g. Zaire, 1994)",
    "facts": {"un_pko_established": False, "coordinated_operation_basis": False},
    "actions": ["pko_support_tasks"],
}


def _json(*args: str) -> object:
    out = cli(*args, "-f", "json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


# -- outside the encoded law, one case per kind of action -----------------------------


REPEAL_RELIEF = """---
id: reform-no-relief-category
kind: reform
title_en: "Hypothetical: the PKO Act without its humanitarian relief category"
title_ja: "仮想：人道的な国際救援活動の類型のない国際平和協力法"
effective: 1992-08-10
repeals: [pko-act/humanitarian-relief]
---

# No provisions: only the repeal.
"""


def test_non_force_support_outside_the_encoded_law_refugee_relief(tmp_path):
    """The 1994 relief for Rwandan refugees at UNHCR's request rests on the PKO Act's category of
    humanitarian international relief (人道的な国際救援活動), now encoded: permitted. With that
    category repealed by a reform, as when it was missing from the rule base, the same case is
    outside the encoded law, not 'not permitted': no claim says the PKO Act's bases are the only
    ones."""
    s = str(SCENARIOS / "history-1994-rwanda-refugee-relief.yaml")
    d = _json("assess", s, "-d", "1994-09-13")[0]["determinations"][0]
    assert d["status"] == "permitted"
    reform = tmp_path / "reform.md"
    reform.write_text(REPEAL_RELIEF)
    d = _json("assess", s, "-d", "1994-09-13", "--reform", str(reform))[0]["determinations"][0]
    assert d["status"] == "no_encoded_basis"
    assert d["closure"]["closed"] == "false" and d["closure"]["claims"] == []
    text = cli("assess", s, "-d", "1994-09-13", "--reform", str(reform)).stdout
    assert "OUTSIDE THE ENCODED LAW" in text
    # a mission that is neither a UN PKO, nor a coordinated operation, nor relief is outside too
    e = engine()
    a = e.assess(Scenario(**REFUGEE_RELIEF), D(2025, 6, 1))
    assert a.determination("pko_support_tasks").status == "no_encoded_basis"
    assert "pko-election-observation" in [g.id for g in a.reach.gaps]


def test_use_of_weapons_outside_the_encoded_law():
    """Protecting SDF weapons when not guarding them: Art. 95 does not apply and no claim says
    it is the only basis for using weapons, so the answer is outside the encoded law. Asset
    protection for foreign forces is closed on both sides of 2016 (no basis before; only
    Art. 95-2 after)."""
    d = (
        engine()
        .assess(
            Scenario(title="x", facts=yaml_facts("coverage-protect-sdf-weapons-not-guarding.yaml")),
            D(2018, 3, 1),
            ["protect_sdf_weapons"],
        )
        .determinations[0]
    )
    assert d.status == "no_encoded_basis" and d.closure.closed == "false"
    after = (
        engine()
        .assess(
            Scenario(title="x", facts=yaml_facts("asset-protection-no-request.yaml")),
            D(2018, 3, 1),
            ["protect_foreign_forces_assets"],
        )
        .determinations[0]
    )
    assert after.status == "not_permitted"
    assert [c.id for c in after.closure.claims] == ["closure/rescue-and-asset-protection"]
    before = engine().assess(
        Scenario(title="x", facts=yaml_facts("asset-protection-no-request.yaml")),
        D(2015, 3, 1),
        ["protect_foreign_forces_assets"],
    )
    assert before.determinations[0].status == "not_permitted"
    assert [c.id for c in before.determinations[0].closure.claims] == [
        "closure/before-2016-rescue-and-asset-protection"
    ]


def test_use_of_force_is_closed_by_art_88_and_outside_once_the_claim_is_withdrawn(tmp_path):
    """Force: Art. 76 is the only gate (closure/use-of-force), so a defense of a US ship in 2015
    with the new reading but no statute is 'not permitted'. A reform withdrawing that claim makes
    the same case outside the encoded law, in every face."""
    s = str(SCENARIOS / "us-ship-defense.yaml")
    d = _json("assess", s, "-d", "2015-06-01")[0]["determinations"][0]
    assert d["status"] == "not_permitted"
    assert d["closure"] == {
        "closed": "true",
        "claims": [
            {
                "id": "closure/use-of-force",
                "title": d["closure"]["claims"][0]["title"],
                "instrument": "closure",
                "marker": "P",
            }
        ],
    }
    reform = tmp_path / "reform.md"
    reform.write_text(REPEAL_FORCE_CLOSURE)
    d = _json("assess", s, "-d", "2015-06-01", "--reform", str(reform))[0]["determinations"][0]
    assert d["status"] == "no_encoded_basis"
    assert d["closure"]["closed"] == "false"
    text = cli("assess", s, "-d", "2015-06-01", "--reform", str(reform)).stdout
    assert "OUTSIDE THE ENCODED LAW" in text and "no closure claim covers this action" in text
    md = cli("assess", s, "-d", "2015-06-01", "--reform", str(reform), "-f", "md").stdout
    assert "OUTSIDE THE ENCODED LAW" in md


def test_depends_labels_the_negative_sets():
    """With the request unknown on 2018-03-01 asset protection is permitted or not permitted
    (closed); with the guarding unknown the protection of SDF weapons is permitted or outside
    the encoded law (no claim)."""
    facts = yaml_facts("asset-protection-no-request.yaml")
    facts["foreign_force_requested_protection"] = None
    d = engine().assess(Scenario(title="x", facts=facts), D(2018, 3, 1), ["protect_foreign_forces_assets"])
    d = d.determinations[0]
    assert d.status == "depends"
    assert d.permitted_if == [{"foreign_force_requested_protection": True}]
    assert d.not_permitted_if == [{"foreign_force_requested_protection": False}]
    assert d.outside_if == []
    weapons = {"guarding_sdf_equipment": None, "guarded_items_only_ships_or_telecom": False}
    w = engine().assess(Scenario(title="x", facts=weapons), D(2018, 3, 1), ["protect_sdf_weapons"]).determinations[0]
    assert w.status == "depends"
    assert w.permitted_if == [{"guarding_sdf_equipment": True}]
    assert w.outside_if == [{"guarding_sdf_equipment": False}]
    assert w.not_permitted_if == []
    text = cli("assess", str(_write(weapons)), "-d", "2018-03-01", "-a", "protect_sdf_weapons").stdout
    assert "Outside the encoded law if" in text


def yaml_facts(name: str) -> dict:
    from helpers import scenario

    return dict(scenario(name).facts)


def _write(facts: dict):
    import tempfile
    from pathlib import Path

    import yaml

    path = Path(tempfile.mkdtemp()) / "s.yaml"
    path.write_text(yaml.safe_dump({"title": "t", "facts": facts}))
    return path


# -- no 'not permitted' without a closure claim, on every change date -----------------


def test_no_not_permitted_without_a_closure_claim_on_any_change_date():
    """Every action on every date the rule blocks change: fully unknown (the three-valued
    reading of the program) and a few random fully known scenarios (the answer itself)."""
    e = engine()
    rb = e.rb
    facts = list(rb.vocabulary.facts)
    rng = random.Random(14)
    checked = 0
    for day in rb.change_dates():
        prog = e.program(day)
        val = prog.evaluate({})
        for a in rb.vocabulary.actions:
            permitted, closed = val.of(_fn("permitted", a)), val.of(_fn("closed", a))
            if permitted == "false" and closed == "true":  # would be answered not_permitted
                claims = e._claims(prog, val, a)  # noqa: SLF001
                assert claims and all(c.instrument == "closure" for c in claims), (day, a)
        for _ in range(3):
            known = {f: rng.random() < 0.3 for f in facts}
            if known["survival_threat"]:
                known["armed_attack_on_foreign_country"] = True
            known["diet_refused_defense_operation"] = (
                known["diet_refused_defense_operation"] and not known["diet_approved_defense_operation"]
            )
            for d in e.assess(Scenario(title="random", facts=known), day).determinations:
                checked += 1
                if d.status == "not_permitted":
                    assert d.closure.closed == "true" and d.closure.claims, (day, d.action)
                    assert all(c.instrument == "closure" for c in d.closure.claims)
                if d.status == "no_encoded_basis":
                    assert d.closure.closed == "false" and not d.closure.claims
    assert checked >= 3 * len(rb.change_dates()) * len(rb.vocabulary.actions)


def test_check_property_not_permitted_needs_closure():
    out = cli("check", "--date", "2017-01-01")  # one date: reachability fails there, as before
    assert "ok   not-permitted-needs-closure" in out.stdout
    assert "ok   no difference between two dates comes only from a known gap" in out.stdout


def test_check_finds_a_difference_that_comes_only_from_a_gap(tmp_path):
    """A gap flagged on the only provision that changes for an action must make check fail."""
    from helpers import law_copy

    law = law_copy(tmp_path)
    reach = law / "reach.yaml"
    reach.write_text(
        reach.read_text().replace("    provisions: [sdf-act/84-4]\n", "    provisions: [sdf-act/84-4, sdf-act/82-2]\n")
    )
    text = reach.read_text().replace(
        "    from: 2022-04-13\n    to: 2022-04-21\n", "    from: 2009-01-01\n    to: 2022-04-21\n", 1
    )
    reach.write_text(text)
    out = cli("--law-dir", str(law), "check", "--date", "2009-07-23", "--date", "2009-07-24")
    assert out.returncode == 1
    assert "FAIL no difference between two dates comes only from a known gap" in out.stdout
    assert "escort_ships_against_piracy: 2009-07-23 -> 2009-07-24 differs only through sdf-act/82-2" in out.stdout


# -- gaps, the encoded-to date and the reform banner in every face ----------------------


def test_diff_names_every_gap_it_touches():
    """Defending Japan did not change between 2014 and 2016 (the Council's deliberation was
    mandatory since 1986), so diff has no row for it; the gaps it touches are named."""
    args = (
        "diff",
        "--from",
        "2014-06-30",
        "--to",
        "2016-03-29",
        "-a",
        "pko_support_tasks",
        "-a",
        "rear_support_foreign_forces",
    )
    data = _json(*args)
    gaps = [g["id"] for g in data["reach"]["gaps"]]
    assert "pko-election-observation" in set(gaps)
    assert "nsc-deliberation-not-encoded" not in gaps  # that gap now ends on 1986-06-30
    rows = {r["action"]: r for r in data["rows"]}
    assert rows["pko_support_tasks"]["gaps"] == ["pko-election-observation"]
    assert rows["rear_support_foreign_forces"]["gaps"] == []  # the 2004 act is encoded now
    text = cli(*args).stdout
    assert "Known gap in the encoded law: PKO Act international election observation not encoded" in text
    md = cli(*args, "-f", "md").stdout
    assert "PKO Act international election observation not encoded" in md
    # the library names the same gaps as the command line
    from article9.reasoning import diff

    every = diff(engine(), D(2014, 6, 30), D(2016, 3, 29), ["transport_nationals_abroad", "pko_support_tasks"])
    ids = {g.id for g in every.reach.gaps}
    assert "pko-election-observation" in ids
    nsc = _json("diff", "--from", "1985-06-30", "--to", "1987-06-30", "-a", "use_force_defend_japan")
    assert "nsc-deliberation-not-encoded" in [g["id"] for g in nsc["reach"]["gaps"]]


def test_compare_and_whatif_name_gaps():
    s = SCENARIOS / "us-ship-defense.yaml"
    c = _json("compare", str(s), "-d", "1985-06-01", "-d", "2016-05-01")
    assert "nsc-deliberation-not-encoded" in [g["id"] for g in c["reach"]["gaps"]]
    w = _json("whatif", str(s), "defend_foreign_warship", "-d", "1985-06-01")
    assert "nsc-deliberation-not-encoded" in [g["id"] for g in w["reach"]["gaps"]]
    assert "Known gap in the encoded law" in cli("compare", str(s), "-d", "1985-06-01", "-d", "2016-05-01").stdout


def test_a_date_after_the_encoded_law_warns_in_every_face():
    s = str(SCENARIOS / "us-ship-defense.yaml")
    text = cli("assess", s, "--date", "2030-01-01")
    assert text.returncode == 0
    assert "WARNING: 2030-01-01 is after 2026-01-15" in text.stdout
    assert "the law is taken as unchanged since then" in text.stdout
    assert "the law is taken as unchanged since then" in cli("assess", s, "--date", "2030-01-01", "-f", "md").stdout
    data = _json("assess", s, "--date", "2030-01-01")[0]
    assert data["reach"]["encoded_to"] == "2026-01-15" and data["reach"]["after_encoded_to"] is True
    assert "2030-01-01" in data["reach"]["warning"]
    earlier = _json("assess", s, "--date", "2016-05-01")[0]
    assert earlier["reach"]["after_encoded_to"] is False and "warning" not in earlier["reach"]
    ja = cli("assess", s, "--date", "2030-01-01", "--lang", "ja").stdout
    assert "警告" in ja
    assert "after 2026-01-15" in cli("compare", s, "-d", "2016-05-01", "-d", "2030-01-01").stdout


def test_version_names_the_encoded_to_date_and_the_rule_base_hash():
    from article9 import __version__

    out = cli("--version")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[0] == f"article9 {__version__}"
    assert "2026-01-15" in lines[1]
    assert lines[2].startswith("rule base ") and len(lines[2].split()[2]) == 64


def test_reform_banner_in_text_markdown_json_and_http(monkeypatch):
    s = str(SCENARIOS / "us-ship-defense.yaml")
    reform = REFORMS / "repeal-2015-legislation.md"
    title = "Hypothetical: repeal of the provisions the 2015 Legislation for Peace and Security added"
    text = cli("assess", s, "-d", "2027-06-01", "--reform", str(reform)).stdout
    assert f"HYPOTHETICAL REFORM, NOT THE LAW: {title}" in text
    md = cli("assess", s, "-d", "2027-06-01", "--reform", str(reform), "-f", "md").stdout
    assert f"> **HYPOTHETICAL REFORM, NOT THE LAW: {title}" in md
    data = _json("assess", s, "-d", "2027-06-01", "--reform", str(reform))[0]
    assert data["regime"]["kind"] == "reform" and data["regime"]["title"] == title
    assert "NOT THE LAW" in data["regime"]["banner"]
    plain = _json("assess", s, "-d", "2027-06-01")[0]
    assert plain["regime"] == {"kind": "law"}
    for args in (("compare", s, "-d", "2016-05-01", "-d", "2027-06-01"), ("whatif", s, "defend_foreign_warship")):
        assert _json(*args, "--reform", str(reform))["regime"]["kind"] == "reform"
        assert "NOT THE LAW" in cli(*args, "--reform", str(reform)).stdout
    # HTTP: a service started with --reform answers every request under it
    from fastapi.testclient import TestClient

    from article9.server import create_app

    monkeypatch.setenv("ARTICLE9_REFORM", str(reform))
    client = TestClient(create_app())
    body = {"scenario": {"title": "t", "facts": {}}, "dates": ["2027-06-01"], "actions": ["kaketsuke_keigo"]}
    r = client.post("/assess", json=body)
    assert r.status_code == 200, r.text
    assert r.json()[0]["regime"]["kind"] == "reform" and r.json()[0]["regime"]["title"] == title
    monkeypatch.delenv("ARTICLE9_REFORM")
    r = TestClient(create_app()).post("/assess", json=body)
    assert r.json()[0]["regime"]["kind"] == "law" and r.json()[0]["regime"]["banner"] is None


# -- contradictory facts --------------------------------------------------------------


def test_contradictory_facts_are_refused_naming_the_facts(tmp_path):
    bad = {"title": "t", "facts": {"survival_threat": True, "armed_attack_on_foreign_country": False}}
    path = tmp_path / "bad.yaml"
    import yaml

    path.write_text(yaml.safe_dump(bad))
    out = cli("assess", str(path), "-d", "2017-01-01")
    assert out.returncode == 2
    assert "survival_threat = true, armed_attack_on_foreign_country = false" in out.stderr
    assert "contradict" in out.stderr
    # the same facts over HTTP: a 422 naming them
    from fastapi.testclient import TestClient

    from article9.server import app

    r = TestClient(app).post("/assess", json={"scenario": bad, "dates": ["2017-01-01"]})
    assert r.status_code == 422
    assert "survival_threat = true" in r.text
    # the library
    import article9
    from article9.errors import InputError

    with pytest.raises(InputError, match="contradict"):
        article9.assess(bad, "2017-01-01")
    # batch: the row is refused (or skipped with --on-error skip) by its number
    src = tmp_path / "in.csv"
    src.write_text("id,survival_threat,armed_attack_on_foreign_country\nok,true,true\nbad,true,false\n")
    failed = cli("batch", str(src), str(tmp_path / "out.csv"), "-d", "2017-01-01", "-a", "defend_foreign_warship")
    assert failed.returncode == 2 and ":3:" in failed.stderr and "contradict" in failed.stderr
    skipped = cli(
        "batch",
        str(src),
        str(tmp_path / "out.csv"),
        "-d",
        "2017-01-01",
        "-a",
        "defend_foreign_warship",
        "--on-error",
        "skip",
    )
    assert skipped.returncode == 0, skipped.stderr
    assert (tmp_path / "out.csv").read_text().count("\n") == 2  # header and the one good row
    # with one of the two facts unknown there is no contradiction yet
    assert cli("assess", str(_write({"survival_threat": True})), "-d", "2017-01-01").returncode == 0


def test_a_gap_closes_itself_when_the_missing_version_is_encoded(tmp_path):
    """until_blocks_of: the NSC gap ends the day before nsc-act/2's first block, wherever that is."""
    from helpers import law_copy

    from article9.corpus import load_rulebase

    gaps = {g.id: g for g in load_rulebase().reach.gaps}
    assert gaps["nsc-deliberation-not-encoded"].window == "1954-07-01..1986-06-30"
    law = law_copy(tmp_path)
    path = law / "nsc-act.md"
    path.write_text(path.read_text().replace("```clingo from=1986-07-01", "```clingo from=1975-07-01", 1))
    gaps = {g.id: g for g in load_rulebase(law).reach.gaps}
    assert gaps["nsc-deliberation-not-encoded"].window == "1954-07-01..1975-06-30"


def test_batch_names_the_reach_of_the_law_on_stderr(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,survival_threat,armed_attack_on_foreign_country\na,true,true\n")
    out = cli("batch", str(src), str(tmp_path / "o.csv"), "-d", "2030-01-01", "-a", "defend_foreign_warship")
    assert out.returncode == 0, out.stderr
    assert "the law is taken as unchanged since then" in out.stderr
    assert "Known gap in the encoded law" in out.stderr
    reform = cli(
        "batch",
        str(src),
        str(tmp_path / "o.csv"),
        "-d",
        "2027-06-01",
        "--reform",
        str(REFORMS / "repeal-2015-legislation.md"),
    )
    assert "HYPOTHETICAL REFORM, NOT THE LAW" in reform.stderr


def test_later_acsa_partners_and_cyber_measures_are_outside_the_encoded_law_with_their_gaps():
    """Issue 13: goods for a German frigate (the SDF Act articles for German forces, in force with
    the Japan-Germany ACSA on 2024-07-12, are not read) and a cyber operation against servers
    abroad in late 2026 (Act No. 43 of 2025, article and commencement not read) get no confident
    answer: the supply is outside the encoded law and the answer names the gap; the cyber
    provision has no rules and every answer from its promulgation names its gap."""
    e = engine()
    german = Scenario(title="x", facts=yaml_facts("peacetime-supply-german-frigate-2025.yaml"))
    a = e.assess(german, D(2025, 6, 1), ["peacetime_supply_foreign_forces"])
    assert a.determination("peacetime_supply_foreign_forces").status == "no_encoded_basis"
    gaps = [g.id for g in a.reach.gaps]
    assert "acsa-later-partners" in gaps and "active-cyber-defense-2025" in gaps
    before = e.assess(german, D(2017, 6, 1), ["peacetime_supply_foreign_forces"])
    assert "acsa-later-partners" not in [g.id for g in before.reach.gaps]
    assert "active-cyber-defense-2025" not in [g.id for g in before.reach.gaps]
    # the Australian request is encoded and still permitted
    aus = Scenario(title="x", facts=yaml_facts("peacetime-supply-australian-frigate.yaml"))
    assert (
        e.assess(aus, D(2025, 6, 1), ["peacetime_supply_foreign_forces"])
        .determination("peacetime_supply_foreign_forces")
        .status
        == "permitted"
    )
    rb = e.rb
    assert not rb.provisions["cyber-2025/communications-protection"].blocks
    assert rb.instruments["cyber-2025"].egov_id == "507AC0000000043"
    out = cli("assess", str(SCENARIOS / "us-ship-defense.yaml"), "-d", "2026-11-15").stdout
    assert "Active Cyber Defense package (2025): SDF communications protection measures not encoded" in out


def test_secondment_to_a_un_command_needs_its_conditions_and_starts_in_2016():
    """PKO Act Art. 27 (from 2016-03-29): permitted with every condition and step; before 2016,
    or with the consent to the operation unstable, outside the encoded law; without the NSC
    deliberation or the Prime Minister's consent, a step is missing."""
    e = engine()
    facts = yaml_facts("pko-un-command-secondment.yaml")
    act = ["second_officers_un_command"]
    d = e.assess(Scenario(title="x", facts=facts), D(2025, 6, 1), act).determination(act[0])
    assert d.status == "permitted"
    assert e.assess(Scenario(title="x", facts=facts), D(2015, 6, 1), act).determination(act[0]).status == (
        "no_encoded_basis"
    )
    for missing in ("nsc_deliberated", "pm_consented_secondment", "seconded_officer_consented"):
        d = e.assess(Scenario(title="x", facts={**facts, missing: False}), D(2025, 6, 1), act).determination(act[0])
        assert d.status != "permitted", missing
    unknown = {k: v for k, v in facts.items() if k != "secondment_no_interruption_expected"}
    d = e.assess(Scenario(title="x", facts=unknown), D(2025, 6, 1), act).determination(act[0])
    assert d.status == "depends"
