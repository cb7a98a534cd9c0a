"""The engine's answers, layers, explanations and caching, on hand-checked cases."""

from __future__ import annotations

import datetime as dt

from helpers import engine, scenario

from article9.models import Scenario

D = dt.date


def test_us_ship_core_question_changes_across_regimes():
    s = scenario("us-ship-defense.yaml")
    after = engine().assess(s, D(2016, 5, 1)).determination("defend_foreign_warship")
    window = engine().assess(s, D(2015, 6, 1)).determination("defend_foreign_warship")
    before = engine().assess(s, D(2014, 6, 1)).determination("defend_foreign_warship")
    assert after.status == "permitted"
    lawful = [b.provision.id for b in after.bases if b.lawful == "true"]
    assert lawful == ["sdf-act/76-1-ii"]
    # the 2014-07-01..2016-03-28 window: constitutional under the new reading, no statute
    assert window.status == "not_permitted"
    assert window.constitutional == "true"
    assert all(b.authorises == "false" for b in window.bases)
    # before the Cabinet decision: unconstitutional too
    assert before.status == "not_permitted"
    assert before.constitutional == "false"


def test_window_boundaries_are_the_dates_of_the_instruments():
    s = scenario("us-ship-defense.yaml")
    status = {
        d: engine().assess(s, d).determination("defend_foreign_warship")
        for d in (D(2014, 6, 30), D(2014, 7, 1), D(2016, 3, 28), D(2016, 3, 29))
    }
    assert status[D(2014, 6, 30)].constitutional == "false"
    assert status[D(2014, 7, 1)].constitutional == "true"
    assert status[D(2016, 3, 28)].status == "not_permitted"
    assert status[D(2016, 3, 29)].status == "permitted"


def test_procedure_layer_lists_the_steps_and_whether_done():
    s = scenario("us-ship-defense.yaml")
    d = engine().assess(s, D(2016, 5, 1)).determination("defend_foreign_warship")
    basis = next(b for b in d.bases if b.provision.id == "sdf-act/76-1-ii")
    steps = {p.step: p.done for p in basis.procedure if p.required == "true"}
    assert steps == {
        "pm_defense_order": "true",
        "nsc_deliberation": "true",
        "cabinet_brp": "true",
        "diet_approval_brp": "true",
        "diet_approval_defense_operation": "true",
    }
    # in 1990 the 1954 text needed no basic response plan, but the 1986 Security Council Act
    # made the decision on a defense operation a matter the Council must deliberate
    old = engine().assess(scenario("japan-attacked-1990-defense-operation.yaml"), D(1990, 6, 1))
    b = next(b for b in old.determination("use_force_defend_japan").bases if b.provision.id == "sdf-act/76-1")
    assert {p.step for p in b.procedure if p.required == "true"} == {
        "pm_defense_order",
        "nsc_deliberation",
        "diet_approval_defense_operation",
    }
    before = engine().assess(scenario("japan-attacked-1990-defense-operation.yaml"), D(1986, 6, 30))
    b = next(b for b in before.determination("use_force_defend_japan").bases if b.provision.id == "sdf-act/76-1")
    assert {p.step for p in b.procedure if p.required == "true"} == {
        "pm_defense_order",
        "diet_approval_defense_operation",
    }


def test_unknown_fact_gives_depends_and_names_it():
    s = Scenario(
        title="survival not judged",
        facts={**scenario("us-ship-defense.yaml").facts, "survival_threat": None},
    )
    d = engine().assess(s, D(2016, 5, 1), ["defend_foreign_warship"]).determination("defend_foreign_warship")
    assert d.status == "depends"
    assert [f.fact for f in d.depends_on] == ["survival_threat"]
    # fixing it either way decides the answer
    for value, expected in ((True, "permitted"), (False, "not_permitted")):
        fixed = s.model_copy(update={"facts": {**s.facts, "survival_threat": value}})
        assert engine().assess(fixed, D(2016, 5, 1), ["defend_foreign_warship"]).determinations[0].status == expected


def test_depends_lists_only_facts_still_open():
    d = engine().assess(Scenario(title="nothing known"), D(2017, 1, 1), ["intercept_missile_aimed_at_japan"])
    det = d.determinations[0]
    assert det.status == "depends"
    assert {f.fact for f in det.depends_on} == {
        "missile_flying_toward_japan",
        "intercept_over_japan_or_high_seas",
        "mindef_destruction_order_pm_approved",
        "mindef_destruction_order_emergency",
    }
    known = Scenario(title="no missile", facts={"missile_flying_toward_japan": False})
    assert engine().assess(known, D(2017, 1, 1), ["intercept_missile_aimed_at_japan"]).determinations[0].status == (
        "not_permitted"
    )


def _walk(step):
    yield step
    for child in step.children:
        yield from _walk(child)


def test_explanation_cites_the_provisions_that_derived_each_step():
    s = scenario("us-ship-defense.yaml")
    d = engine().assess(s, D(2016, 5, 1)).determination("defend_foreign_warship")
    cited = {st.rule.provision.id for st in _walk(d.explanation) if st.rule}
    assert {
        "core/permission",
        "core/legality",
        "sdf-act/76-1-ii",
        "aasa/2",
        "constitution/9",
        "cabinet-2014/3",
        "procedure/pm-defense-order",
        "procedure/nsc-deliberation",
    } <= cited
    # the provisions that demand each step are named on the step
    basis = next(b for b in d.bases if b.provision.id == "sdf-act/76-1-ii")
    demanded = {p.step: p.demanded_by for p in basis.procedure}
    assert demanded["nsc_deliberation"] == ["nsc-act/2"]
    assert demanded["cabinet_brp"] == ["aasa/9"] and demanded["pm_defense_order"] == ["sdf-act/76"]
    facts = {st.atom for st in _walk(d.explanation) if st.kind == "fact"}
    assert "holds(survival_threat)" in facts
    # every rule reference points at a real rule of that provision, with its file and line
    rb = engine().rb
    for st in _walk(d.explanation):
        if st.rule:
            rule = rb.rules[st.rule.rule_id]
            assert rule.provision_id == st.rule.provision.id
            assert st.rule.origin.startswith("law/")
            assert st.rule.provision.marker == rb.provisions[rule.provision_id].marker


def test_why_not_names_the_failed_condition_for_each_candidate_basis():
    s = scenario("us-ship-defense.yaml")
    d = engine().assess(s, D(2014, 6, 1)).determination("defend_foreign_warship")
    steps = list(_walk(d.explanation))
    # the basis in force fails on its condition, named as a fact
    failed = [st for st in steps if st.rule and st.rule.provision.id == "sdf-act/76-1" and st.value == "false"]
    assert failed and any(c.atom == "holds(armed_attack_on_japan)" and c.value == "false" for c in failed[0].children)
    # the bases not yet in force are named with their windows
    absent = [st.text for st in steps if st.kind == "absent"]
    assert any("sdf-act/76-1-ii" in t and "2016-03-29" in t for t in absent)
    # the constitutional bar names the 1972/1981 reading
    bars = {st.rule.provision.id for st in steps if st.rule and st.atom.startswith("prohibited(")}
    assert bars & {"interp-1972/conclusion", "interp-1981/answer"}


def test_asset_protection_is_not_use_of_force_and_needs_request():
    s = scenario("asset-protection-us-supply-ship-2017.yaml")
    d = engine().assess(s, D(2017, 5, 2)).determination("protect_foreign_forces_assets")
    assert d.type == "use_of_weapons" and d.status == "permitted"
    b = next(b for b in d.bases if b.provision.id == "sdf-act/95-2")
    assert {p.step for p in b.procedure} == {"foreign_force_request", "mindef_decision_asset_protection"}


def test_ground_program_cached_per_block_set():
    e = engine()
    assert e.program(D(2017, 1, 1)) is e.program(D(2020, 1, 1))  # same blocks in force
    assert e.program(D(2015, 1, 1)) is not e.program(D(2017, 1, 1))
    assert e.rb.content_hash(D(2017, 1, 1)) == e.rb.content_hash(D(2020, 1, 1))
    assert e.rb.content_hash(D(2015, 1, 1)) != e.rb.content_hash(D(2017, 1, 1))


def test_every_answer_carries_date_and_rulebase_hash():
    a = engine().assess(scenario("us-ship-defense.yaml"), D(2016, 5, 1))
    assert a.date == D(2016, 5, 1)
    assert len(a.rulebase.hash) == 64 and a.rulebase.blocks > 0
