"""Crisis playbooks: the bundled ones pass their expectations; a fork's two outcomes differ
where the law says they should; the law's own changes between steps are named; bad input
is one error line naming the step and the line; the HTTP, library and CLI faces."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from helpers import ROOT, cli, engine

PLAYBOOKS = sorted((ROOT / "playbooks").glob("*.yaml"))


def play(path: Path):
    from article9.playbook import load_playbook, run

    return run(engine(), load_playbook(path, engine().rb))


def cell(result, step_id: str, action: str):
    return next(c for c in result.step(step_id).cells if c.action == action)


@pytest.mark.parametrize("path", PLAYBOOKS, ids=[p.stem for p in PLAYBOOKS])
def test_bundled_playbook_meets_its_expectations(path):
    from article9.playbook import load_playbook

    pb = load_playbook(path, engine().rb)
    assert pb.source, "every bundled playbook cites its source"
    result = play(path)
    checked = [c for s in result.walk() for c in s.cells if c.expected is not None]
    assert checked, "every bundled playbook states expected statuses"
    assert result.mismatches == []
    assert all(c.expect_met for c in checked)


def test_the_five_crises_of_the_issue_are_bundled():
    names = {p.stem for p in PLAYBOOKS}
    assert {
        "remote-island-gray-zone",
        "pko-consent-erodes",
        "us-destroyer-2015-and-2017",
        "ballistic-missile-crisis",
        "korean-peninsula-contingency",
    } <= names


def test_every_procedure_of_the_vocabulary_has_an_actor():
    from article9.playbook import actor_table

    procedures, actors = actor_table()
    missing = sorted(set(engine().rb.vocabulary.procedures) - set(procedures))
    assert missing == [], f"add these to src/article9/data/procedure_actors.yaml: {missing}"
    assert set(procedures.values()) <= set(actors)


def test_diet_approval_and_refusal_branches_differ():
    """LB-01 (d): without a special emergency the Diet's approval must come first; if it
    refuses, the defense operation is unlawful even once the Prime Minister orders it."""
    result = play(ROOT / "playbooks" / "remote-island-gray-zone.yaml")
    fork = result.step("6")
    assert [b.name for b in fork.branches] == ["diet-approves", "diet-refuses"]
    approved = cell(result, "6/diet-approves/2", "use_force_defend_japan")
    refused = cell(result, "6/diet-refuses/2", "use_force_defend_japan")
    assert approved.status == "permitted" and approved.bases == ["sdf-act/76-1-i"]
    assert refused.status == "not_permitted" and refused.reason == "procedure"
    assert {(p.step, p.actor) for p in refused.pending} >= {("diet_approval_defense_operation", "diet")}
    # the refusal is what changed it, and the other actions are unaffected
    first = cell(result, "6/diet-refuses/1", "use_force_defend_japan")
    assert first.previous == "depends" and "status" in first.changed
    assert first.cause.facts["diet_refused_defense_operation"] is True
    for action in ("maritime_security_operation", "public_security_operation"):
        assert cell(result, "6/diet-approves/2", action).status == cell(result, "6/diet-refuses/2", action).status


def test_pending_steps_name_who_takes_them_and_what_opens_next():
    result = play(ROOT / "playbooks" / "remote-island-gray-zone.yaml")
    c = cell(result, "6", "use_force_defend_japan")
    assert c.status == "depends"
    assert {(p.step, p.actor) for p in c.pending} == {
        ("pm_defense_order", "prime_minister"),
        ("diet_approval_defense_operation", "diet"),
        ("diet_approval_brp", "diet"),
    }
    assert [o.facts for o in c.opens] == [
        {"pm_ordered_defense_operation": True, "diet_approved_defense_operation": True, "diet_refused_brp": False}
    ]
    sea = cell(result, "1", "maritime_security_operation")
    assert [(p.step, p.actor) for p in sea.pending] == [("mindef_order_with_pm_approval", "minister_of_defense")]
    assert sea.cause.facts == {"special_need_at_sea": True}
    # a closed action: the fewest facts to set, known ones included
    land = cell(result, "2", "public_security_operation")
    assert land.status == "not_permitted" and land.opens_by == "changes"
    assert all(len(o.facts) == 2 for o in land.opens)


def test_a_law_change_between_steps_names_the_provisions():
    result = play(ROOT / "playbooks" / "us-destroyer-2015-and-2017.yaml")
    step = result.step("played-in-2017/1")
    named = {lc.provision for lc in step.law_changes}
    assert {"sdf-act/76-1-ii", "sdf-act/95-2"} <= named
    assets = cell(result, "played-in-2017/1", "protect_foreign_forces_assets")
    assert assets.previous == "not_permitted" and assets.status == "permitted"
    by = {lc.provision: lc for lc in assets.cause.provisions}
    assert "sdf-act/95-2" in by  # with the procedure steps it demands, declared in law/procedure.md
    assert by["sdf-act/95-2"].started == [__import__("datetime").date(2016, 3, 29)]
    # the same day of 2015: no basis, and nothing opens it
    old = cell(result, "played-in-2015/1", "protect_foreign_forces_assets")
    assert old.status == "not_permitted" and old.opens == [] and old.opens_complete
    assert cell(result, "played-in-2015/5", "defend_foreign_warship").status == "not_permitted"
    assert cell(result, "played-in-2017/5", "defend_foreign_warship").status == "permitted"
    # a step that only moves the date across 29 March 2016 is allowed, and says what changed
    pko = play(ROOT / "playbooks" / "pko-consent-erodes.yaml")
    assert pko.step("1").set == {}
    assert "pko-act/kaketsuke-keigo" in {lc.provision for lc in pko.step("1").law_changes}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


BASE = """\
title: t
actions: [maritime_security_operation]
initial:
  facts:
    special_need_at_sea: false
steps:
  - date: 2020-01-02
    label: first
    facts:
      special_need_at_sea: true
"""


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        (
            "  - date: 2020-01-01\n    label: second\n    facts: {mindef_ordered_operation_pm_approved: true}\n",
            ":11: step 2 ('second'): steps out of order: 2020-01-01 is before the previous step's 2020-01-02",
        ),
        (
            "  - date: 2020-01-03\n    label: again\n    facts:\n      special_need_at_sea: true\n",
            ":11: step 2 ('again'): changes nothing",
        ),
        (
            "  - date: 2020-01-03\n    label: typo\n    facts:\n      mindef_ordered_operation_pm_aproved: true\n",
            ":14: step 2 ('typo'): unknown fact 'mindef_ordered_operation_pm_aproved' "
            "(did you mean: mindef_ordered_operation_pm_approved",
        ),
        (
            "  - date: 2020-01-03\n    label: fork\n    branches:\n      - {name: a, steps: [{date: 2020-01-04, label: x,"
            " facts: {mindef_ordered_operation_pm_approved: true}}]}\n",
            ":13: step 2 ('fork'): a fork lists at least two branches",
        ),
        (
            "  - date: 2020-01-03\n    label: exp\n    facts: {mindef_ordered_operation_pm_approved: true}\n"
            "    expect: {maritime_security_operation: permited}\n",
            ":14: step 2 ('exp'): expectation for 'maritime_security_operation': status: Input should be",
        ),
    ],
    ids=["out-of-order", "changes-nothing", "unknown-fact", "one-branch", "bad-expectation"],
)
def test_bad_playbook_is_one_error_line_naming_step_and_line(tmp_path, tail, message):
    path = write(tmp_path, BASE + tail)
    r = cli("playbook", str(path))
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}"), r.stderr
    assert message in lines[0]
    assert "Traceback" not in r.stderr


def test_only_the_last_step_may_fork(tmp_path):
    from article9.errors import InputError
    from article9.playbook import load_playbook

    text = BASE.replace(
        "      special_need_at_sea: true\n",
        "      special_need_at_sea: true\n    branches:\n"
        "      - {name: a, steps: [{date: 2020-01-04, label: x, facts: {special_need_at_sea: false}}]}\n"
        "      - {name: b, steps: [{date: 2020-01-04, label: y, facts: {mindef_ordered_operation_pm_approved: true}}]}\n",
    )
    text += "  - date: 2020-01-05\n    label: later\n    facts: {mindef_ordered_operation_pm_approved: true}\n"
    with pytest.raises(InputError, match=r":11: step 1 \('first'\): only the last step of a list may fork"):
        load_playbook(write(tmp_path, text), engine().rb)


def test_branch_step_before_the_fork_is_out_of_order(tmp_path):
    from article9.errors import InputError
    from article9.playbook import load_playbook

    text = BASE + (
        "    branches:\n"
        "      - name: a\n        steps:\n          - {date: 2020-01-01, label: early, facts: {special_need_at_sea: false}}\n"
        "      - name: b\n        steps:\n          - {date: 2020-01-03, label: ok, facts: {special_need_at_sea: false}}\n"
    )
    with pytest.raises(InputError, match=r":14: step 1/a/1 \('early'\): steps out of order"):
        load_playbook(write(tmp_path, text), engine().rb)


def test_cli_formats_and_check(tmp_path):
    path = ROOT / "playbooks" / "remote-island-gray-zone.yaml"
    r = cli("playbook", str(path), "--format", "json", "--check")
    assert r.returncode == 0, r.stderr
    tree = json.loads(r.stdout)
    assert tree["schema"] == "article9.playbook/1"
    fork = tree["steps"][-1]
    assert [b["name"] for b in fork["branches"]] == ["diet-approves", "diet-refuses"]
    assert fork["branches"][1]["steps"][1]["cells"][2]["status"] == "not_permitted"
    text = cli("playbook", str(path)).stdout
    assert "waiting on: Diet approval of the defense operation" in text and ": Diet (sdf-act/76-1-i" in text
    assert "── branch diet-refuses" in text and "Every expected status is met." in text
    assert "judgments the government has yet to make: no_other_means, minimum_necessary" in text
    md = cli("playbook", str(path), "--format", "md").stdout
    assert (
        md.startswith("# Playbook: ")
        and "| action | status | changed by | judgments to make | waiting on | opens with |" in md
    )
    # a wrong expectation fails --check with exit 1
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(
        path.read_text().replace(
            "use_force_defend_japan: {status: permitted", "use_force_defend_japan: {status: depends"
        )
    )
    r = cli("playbook", str(wrong), "--check")
    assert r.returncode == 1 and "mismatch: step 6/diet-approves/2:" in r.stderr


def test_schema_playbook():
    r = cli("schema", "playbook")
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    assert {"title", "actions", "initial", "steps", "branches"} <= set(schema["properties"])
    assert "PlaybookBranch" in schema["$defs"]


def test_post_playbook_and_bundled_list():
    from fastapi.testclient import TestClient

    from article9.server import app

    client = TestClient(app)
    names = [p["name"] for p in client.get("/playbooks").json()]
    assert "remote-island-gray-zone" in names
    pb = client.get("/playbooks/remote-island-gray-zone").json()
    r = client.post("/playbook", json=pb)
    assert r.status_code == 200
    body = r.json()
    assert body["steps"][-1]["branches"][0]["steps"][-1]["cells"][2]["status"] == "permitted"
    bad = dict(pb, steps=[pb["steps"][1], pb["steps"][0]])
    r = client.post("/playbook", json=bad)
    assert r.status_code == 422
    assert "step 2 (" in r.json()["detail"][0]["msg"] and "steps out of order" in r.json()["detail"][0]["msg"]
    r = client.post("/playbook", json=dict(pb, steps=[dict(pb["steps"][0], facts={"special_need_at_se": True})]))
    assert r.status_code == 422 and "did you mean: special_need_at_sea" in r.json()["detail"][0]["msg"]
    assert client.get("/playbooks/nope").status_code == 404


def test_library_call():
    import article9

    result = article9.playbook(ROOT / "playbooks" / "pko-consent-erodes.yaml")
    assert result.mismatches == []
    data = {
        "title": "in code",
        "actions": ["maritime_security_operation"],
        "steps": [
            {
                "date": "2021-06-01",
                "label": "need",
                "facts": {
                    "special_need_at_sea": True,
                    "activity_in_foreign_territory": False,
                    "opponent_state_forces_in_armed_conflict": False,
                },
            },
            {"date": "2021-06-01T10:00", "label": "order", "facts": {"mindef_ordered_operation_pm_approved": True}},
        ],
    }
    result = article9.playbook(data)
    assert [c.status for s in result.steps for c in s.cells] == ["depends", "permitted"]
    from article9.playbook import Playbook

    assert article9.playbook(Playbook.model_validate(data)).steps[1].cells[0].status == "permitted"


def test_reused_cells_equal_a_fresh_assessment_of_every_step(monkeypatch):
    """A step keeps an action's previous answer only when no fact its rules read changed and
    the rule base is the same: the result must equal assessing every action at every step."""
    from article9 import playbook as pbm

    books = [ROOT / "playbooks" / f"{name}.yaml" for name in ("remote-island-gray-zone", "pko-consent-erodes")]
    reused = [play(path).model_dump_json() for path in books]
    original = pbm._Runner.assess
    monkeypatch.setattr(pbm._Runner, "assess", lambda self, facts, day, prev=None: original(self, facts, day, None))
    assert [play(path).model_dump_json() for path in books] == reused


@pytest.mark.parametrize("path", PLAYBOOKS, ids=[p.stem for p in PLAYBOOKS])
def test_every_bundled_playbook_renders_in_every_format(path):
    """Every status the engine answers (no_encoded_basis included) has its words."""
    from article9 import playbook_render

    result = play(path)
    rb = engine().rb
    assert "Step 0 · " in playbook_render.text(result, rb)
    assert playbook_render.markdown(result, rb).startswith("# Playbook: ")
    assert playbook_render.text(result, rb, "ja")


def test_cli_draws_the_playbook_with_matplotlib(tmp_path):
    """--svg draws the grid with the charting library (the charts extra), one cell per step
    and action in its status's colour."""
    path = ROOT / "playbooks" / "remote-island-gray-zone.yaml"
    svg = tmp_path / "p.svg"
    r = cli("playbook", str(path), "--svg", str(svg))
    assert r.returncode == 0, r.stderr
    text = svg.read_text()
    assert "<svg" in text and "Matplotlib" in text  # drawn by the library, not by hand
    result = play(path)
    used = {c.status for s in result.walk() for c in s.cells}
    assert {"permitted", "not_permitted"} <= used
    from article9.playbook_render import Words

    words = Words(engine().rb, "en")
    assert all(words.action(a)[:30] in text for a in result.actions)  # one row per action
    assert "<image" in text  # the grid of status colours


def test_drawing_without_the_charts_extra_is_a_clear_input_error(monkeypatch):
    """Without matplotlib (the charts extra) --svg says how to install it: exit 2, not 70."""
    import sys

    from article9.charts import playbook_svg
    from article9.errors import InputError

    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes 'import matplotlib' fail
    result = play(ROOT / "playbooks" / "remote-island-gray-zone.yaml")
    with pytest.raises(
        InputError, match=r"needs the charts extra \(matplotlib\): pip install 'article9\[charts\]'"
    ) as err:
        playbook_svg(result, engine().rb)
    assert err.value.exit_code == 2
