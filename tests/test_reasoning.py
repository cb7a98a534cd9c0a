"""Minimal sets of unknown facts that decide an answer: exact on hand-checked cases, and
minimal, sufficient and covering on random ones."""

from __future__ import annotations

import datetime as dt

from helpers import engine, scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from article9.engine import _fn
from article9.models import Scenario

D = dt.date


def test_emergency_defense_operation_turns_on_the_diet_vote():
    d = engine().assess(scenario("us-ship-defense-emergency.yaml"), D(2016, 5, 1)).determinations[0]
    assert d.status == "depends"
    assert d.permitted_if == [{"diet_refused_defense_operation": False}]
    assert d.not_permitted_if == [{"diet_refused_defense_operation": True}]
    assert [f.fact for f in d.depends_on] == ["diet_refused_defense_operation"]


def test_two_orders_either_of_which_suffices():
    d = engine().assess(scenario("missile-toward-japan-order-unknown.yaml"), D(2017, 8, 29)).determinations[0]
    assert sorted(map(sorted, (s.items() for s in d.permitted_if))) == [
        [("mindef_destruction_order_emergency", True)],
        [("mindef_destruction_order_pm_approved", True)],
    ]
    assert d.not_permitted_if == [
        {"mindef_destruction_order_pm_approved": False, "mindef_destruction_order_emergency": False}
    ]


FACTS = list(engine().rb.vocabulary.facts)
ACTIONS = ["defend_foreign_warship", "rear_support_foreign_forces", "kaketsuke_keigo", "transport_nationals_abroad"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    facts=st.fixed_dictionaries({f: st.sampled_from([True, False, None, None]) for f in FACTS}),
    fill=st.fixed_dictionaries({f: st.booleans() for f in FACTS}),
    day=st.sampled_from([D(2005, 6, 1), D(2015, 6, 1), D(2017, 6, 1)]),
    action=st.sampled_from(ACTIONS),
)
def test_sets_are_sufficient_minimal_and_cover_every_completion(facts, fill, day, action):
    e = engine()
    det = e.assess(Scenario(title="random", facts=facts), day, [action]).determinations[0]
    if det.status != "depends":
        return
    prog = e.program(day)
    target = _fn("permitted", action)
    fixed = {f: v for f, v in facts.items() if v is not None}
    outcomes = (
        (_fn("permitted", action), det.permitted_if),
        (_fn("not_permitted", action), det.not_permitted_if),
        (_fn("outside_encoded_law", action), det.outside_if),
    )
    # at least two outcomes are possible (never permitted, say, but a closure claim only under some facts)
    assert sum(bool(s) for s in (det.permitted_if, det.not_permitted_if, det.outside_if)) >= 2
    for goal, sets in outcomes:
        for one in sets:
            assert all(facts[f] is None for f in one)
            assert prog.always({**fixed, **one}, goal, True)
            for f in one:
                smaller = {k: v for k, v in one.items() if k != f}
                assert not prog.always({**fixed, **smaller}, goal, True)
    assert target is not None
    completion = {f: (fill[f] if v is None else v) for f, v in facts.items()}
    outcome = e.assess(Scenario(title="c", facts=completion), day, [action]).determinations[0].status
    sets = {"permitted": det.permitted_if, "not_permitted": det.not_permitted_if}.get(outcome, det.outside_if)
    if det.sets_complete:
        assert any(all(completion[f] == v for f, v in one.items()) for one in sets)


def test_compare_names_the_provisions_behind_each_change():
    c = engine().compare(scenario("us-ship-defense.yaml"), [D(2016, 5, 1), D(2014, 6, 1), D(2015, 6, 1)])
    assert c.dates == [D(2014, 6, 1), D(2015, 6, 1), D(2016, 5, 1)]
    row = c.rows[0]
    assert [cell.status for cell in row.cells] == ["not_permitted", "not_permitted", "permitted"]
    assert row.cells[2].bases == ["sdf-act/76-1-ii"]
    first, second = row.changes
    assert first.what == "constitutional layer false -> true"
    assert {p.provision.id for p in first.provisions} == {
        "cabinet-2014/3",
        "interp-1954/old-three-conditions",
        "interp-1972/conclusion",
        "interp-1981/answer",
    }
    assert second.what == "not_permitted -> permitted"
    ids = {p.provision.id: p.change for p in second.provisions}
    assert ids["sdf-act/76-1-ii"] == "in force from 2016-03-29"
    assert ids["sdf-act/76-1"] == "ceased after 2016-03-28"
    assert "cabinet-2014/2-1" not in ids  # changed that day, but irrelevant to this action


def test_compare_cli(tmp_path):
    from helpers import SCENARIOS, cli

    text = (
        (SCENARIOS / "history-2007-indian-ocean-refuelling-gap.yaml")
        .read_text()
        .replace(
            "expect:",
            "  cabinet_basic_plan_adopted: true\n  diet_refused_support_measures: false\n"
            "  cabinet_implementation_plan_adopted: true\n  un_pko_established: false\n"
            "  coordinated_operation_basis: false\nexpect:",
        )
    )
    path = tmp_path / "refuelling.yaml"
    path.write_text(text)
    out = cli("compare", str(path), "-d", "2007-10-01", "-d", "2007-12-01", "-d", "2008-02-01", "-f", "json")
    assert out.returncode == 0, out.stderr
    import json

    row = json.loads(out.stdout)["rows"][0]
    # in the 2007 gap: no basis, and closure/indian-ocean-refuelling-gap says so (BRIEF 4.1, T8)
    assert [c["status"] for c in row["cells"]] == ["permitted", "not_permitted", "permitted"]
    assert [c["bases"] for c in row["cells"]] == [["atsma/3"], [], ["rssma/3"]]
    # the change names the lapsed act and the closure claim that starts with the gap
    assert [p["provision"]["id"] for p in row["changes"][0]["provisions"]] == [
        "atsma/3",
        "atsma/5",
        "closure/indian-ocean-refuelling-gap",
    ]
    one = cli("compare", str(SCENARIOS / "us-ship-defense.yaml"), "-d", "2016-05-01")
    assert one.returncode == 2 and "at least two dates" in one.stderr


def test_whatif_finds_the_smallest_flips_by_kind():
    w = engine().whatif(scenario("us-ship-defense.yaml"), "defend_foreign_warship", D(2014, 6, 1))
    assert (w.status, w.target) == ("not_permitted", "permitted")
    assert [[c.fact for c in a.changes] for a in w.alternatives] == [["armed_attack_on_japan"]]
    assert w.alternatives[0].changes[0].reads.startswith("The facts would have to be: ")
    assert w.complete
    w = engine().whatif(scenario("us-ship-defense-no-survival-threat.yaml"), "defend_foreign_warship", D(2016, 5, 1))
    assert [[c.fact for c in a.changes] for a in w.alternatives] == [["armed_attack_on_japan"], ["survival_threat"]]
    assert w.alternatives[1].changes[0].reads.startswith("The government would have to judge: ")
    w = engine().whatif(scenario("us-ship-defense-no-diet-approval.yaml"), "defend_foreign_warship", D(2016, 5, 1))
    firsts = [[c.fact for c in a.changes] for a in w.alternatives]
    assert ["diet_approved_defense_operation"] in firsts
    assert all(a.status == "permitted" for a in w.alternatives)
    diet = next(a for a in w.alternatives if a.changes[0].fact == "diet_approved_defense_operation")
    assert diet.changes[0].reads.startswith("Procedure: this step would have to be taken")


def test_whatif_cli_and_bad_input():
    from helpers import SCENARIOS, cli

    out = cli("whatif", str(SCENARIOS / "us-ship-defense.yaml"), "defend_foreign_warship", "-d", "2014-06-01")
    assert out.returncode == 0 and "(armed_attack_on_japan: false → true)" in out.stdout
    bad = cli("whatif", str(SCENARIOS / "us-ship-defense.yaml"), "defend_foreign_warship", "--max-changes", "9")
    assert bad.returncode == 2 and "--max-changes must be from 1 to 6" in bad.stderr


def test_diff_2014_to_2016_names_what_the_2015_legislation_changed():
    from article9.reasoning import diff

    r = diff(engine(), D(2014, 6, 30), D(2016, 3, 29))
    rows = {row.action: row for row in r.rows}
    # limited collective self-defense in a survival-threatening situation
    ship = rows["defend_foreign_warship"]
    assert any(s.get("survival_threat") is True and s.get("armed_attack_on_japan") is False for s in ship.gained)
    assert "sdf-act/76-1-ii" in {p.provision.id for p in ship.provisions}
    # asset protection for US and other forces: exactly one minimal set of five conditions
    assets = rows["protect_foreign_forces_assets"]
    assert assets.gained == [
        {
            "infringement_amounts_to_armed_attack_on_unit": False,
            "unit_contributing_to_japan_defense": True,
            "combat_at_site": False,
            "mindef_judged_protection_necessary": True,
            "foreign_force_requested_protection": True,
        }
    ]
    assert assets.gained_count == 2 ** (r.facts - 5) and assets.lost_count == 0
    for gained in (
        "rescue_nationals_abroad",
        "kaketsuke_keigo",
        "intercept_missile_aimed_at_foreign_country",
        "supply_ammunition_foreign_forces",
        "refuel_aircraft_preparing_combat",
    ):
        assert rows[gained].gained and not rows[gained].lost
    # nothing that did not change
    for same in (
        "intercept_missile_aimed_at_japan",
        "transport_nationals_abroad",
        "escort_ships_against_piracy",
        "maritime_security_operation",
        "public_security_operation",
        "protect_sdf_weapons",
    ):
        assert same in r.unchanged and same not in rows
    # individual self-defense did not change: the Council's deliberation of a defense
    # operation was mandatory since 1986 (earlier encodings had it only from 2016, which made
    # an encoding gap look like a change in the law)
    assert "use_force_defend_japan" in r.unchanged and "use_force_defend_japan" not in rows


def test_diff_under_a_reform_and_bad_dates():
    from helpers import ROOT, cli

    reform = str(ROOT / "src" / "article9" / "reforms" / "sdf-in-article-9.md")
    out = cli("diff", "--from", "2026-06-01", "--to", "2027-06-01", "--reform", reform, "-f", "json")
    assert out.returncode == 0
    import json

    assert json.loads(out.stdout)["rows"] == []
    bad = cli("diff", "--from", "2016-01-01", "--to", "2015-01-01")
    assert bad.returncode == 2 and "--from must be before --to" in bad.stderr
