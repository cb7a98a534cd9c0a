"""The HTTP API with FastAPI's test client: every endpoint, with good and bad input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from article9.server import EXAMPLE_SCENARIO, app

client = TestClient(app, raise_server_exceptions=False)
FULL = {**EXAMPLE_SCENARIO, "facts": {**EXAMPLE_SCENARIO["facts"], "survival_threat": True}}


def test_assess_matches_the_library():
    import article9

    r = client.post(
        "/assess", json={"scenario": FULL, "dates": ["2016-05-01", "2014-06-01"], "actions": ["defend_foreign_warship"]}
    )
    assert r.status_code == 200
    body = r.json()
    assert [a["determinations"][0]["status"] for a in body] == ["permitted", "not_permitted"]
    assert body[0]["schema"] == "article9.assessment/1" and len(body[0]["rulebase"]["hash"]) == 64
    lib = article9.assess(FULL, "2016-05-01", ["defend_foreign_warship"])
    assert body[0]["rulebase"]["hash"] == lib.rulebase.hash


def test_assess_unknown_fact_gives_depends_with_sets():
    r = client.post(
        "/assess", json={"scenario": EXAMPLE_SCENARIO, "dates": ["2016-05-01"], "actions": ["defend_foreign_warship"]}
    )
    det = r.json()[0]["determinations"][0]
    assert det["status"] == "depends"
    assert det["permitted_if"] == [{"survival_threat": True}]


def test_explain_compare_whatif_diff():
    r = client.post("/explain", json={"scenario": FULL, "action": "defend_foreign_warship", "date": "2016-05-01"})
    assert r.status_code == 200 and r.json()["determinations"][0]["explanation"]["rule"]["provision"]["id"] == (
        "core/permission"
    )
    r = client.post(
        "/compare",
        json={"scenario": FULL, "dates": ["2014-06-01", "2016-05-01"], "actions": ["defend_foreign_warship"]},
    )
    assert r.status_code == 200 and r.json()["rows"][0]["changes"][0]["what"] == "not_permitted -> permitted"
    r = client.post("/whatif", json={"scenario": FULL, "action": "defend_foreign_warship", "date": "2014-06-01"})
    assert r.status_code == 200
    assert [[c["fact"] for c in a["changes"]] for a in r.json()["alternatives"]] == [["armed_attack_on_japan"]]
    r = client.post(
        "/diff", json={"from_date": "2014-06-30", "to_date": "2016-03-29", "actions": ["protect_foreign_forces_assets"]}
    )
    assert r.status_code == 200 and r.json()["rows"][0]["gained_count"] == 2 ** (r.json()["facts"] - 5)


def test_interview_next_question_and_end():
    r = client.post("/interview/next", json={"actions": ["intercept_missile_aimed_at_japan"], "date": "2017-01-01"})
    q = r.json()["question"]
    assert q["fact"] == "missile_flying_toward_japan" and q["kind"] == "world_fact"
    r = client.post(
        "/interview/next",
        json={
            "actions": ["intercept_missile_aimed_at_japan"],
            "date": "2017-01-01",
            "facts": {"missile_flying_toward_japan": False},
            "lang": "ja",
        },
    )
    assert r.json()["question"] is None
    assert r.json()["assessment"]["determinations"][0]["status"] == "not_permitted"
    r = client.post(
        "/interview/next", json={"actions": ["intercept_missile_aimed_at_japan"], "date": "2017-01-01", "lang": "ja"}
    )
    assert "弾道ミサイル" in r.json()["question"]["question"]


def test_vocabulary_law_timeline_health_openapi():
    assert client.get("/health").json()["status"] == "ok"
    assert "survival_threat" in client.get("/vocabulary").json()["facts"]
    assert any(p["id"] == "sdf-act/95-2" for p in client.get("/law").json())
    law = client.get("/law/sdf-act/76-1-ii").json()
    assert law["marker"] == "V" and law["blocks"][0]["from"] == "2016-03-29"
    assert client.get("/law/sdf-act/99").json()["id"] == "sdf-act/84-2"
    missing = client.get("/law/sdf-act/999")
    assert missing.status_code == 404 and "no provision" in missing.json()["detail"]
    assert any(r["provision"] == "atsma/3" and r["to"] == "2007-11-01" for r in client.get("/timeline").json())
    spec = client.get("/openapi.json").json()
    assert "/assess" in spec["paths"] and "/interview/next" in spec["paths"]
    assert spec["components"]["schemas"]["AssessRequest"]["examples"]


@pytest.mark.parametrize(
    ("path", "body", "loc", "msg"),
    [
        (
            "/assess",
            {"scenario": {"title": "x", "facts": {"survival_threatt": True}}},
            ["body", "scenario", "facts", "survival_threatt"],
            "did you mean: survival_threat",
        ),
        (
            "/assess",
            {"scenario": {"title": "x", "facts": {"survival_threat": 3}}},
            ["body", "scenario", "facts", "survival_threat"],
            "valid boolean",
        ),
        (
            "/assess",
            {"scenario": {"title": "x", "actions": ["nope"]}},
            ["body", "scenario", "actions", 0],
            "unknown action 'nope'",
        ),
        ("/assess", {"scenario": {"title": "x"}, "dates": ["2016-13-01"]}, ["body", "dates", 0], "date"),
        (
            "/assess",
            {"scenario": {"title": "x", "dates": ["1900-01-01"]}},
            ["body", "scenario", "dates", 0],
            "before 1947-05-03",
        ),
        ("/assess", {"scenario": {"facts": {}}}, ["body", "scenario", "title"], "Field required"),
        ("/compare", {"scenario": {"title": "x"}, "dates": ["2016-01-01"]}, ["body", "dates"], "at least 2"),
        (
            "/whatif",
            {"scenario": {"title": "x"}, "action": "defend_foreign_warship", "max_changes": 9},
            ["body", "max_changes"],
            "less than or equal to 6",
        ),
        ("/diff", {"from_date": "2016-01-01", "to_date": "2015-01-01"}, ["body"], "--from must be before --to"),
        ("/explain", {"scenario": {"title": "x"}, "action": "nope"}, ["body"], "unknown action 'nope'"),
    ],
)
def test_bad_input_is_422_with_field_and_message(path, body, loc, msg):
    r = client.post(path, json=body)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert any(d["loc"] == loc and msg in d["msg"] for d in detail), detail


def test_malformed_json_is_422_not_500():
    r = client.post("/assess", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_instrument_page_data():
    r = client.get("/law/sdf-act").json()
    assert r["title_ja"] == "自衛隊法" and any(p["id"] == "sdf-act/95-2" for p in r["provisions"])


def test_library_use_and_html_in_jupyter():
    import article9

    a = article9.assess(FULL, "2016-05-01", ["defend_foreign_warship"])
    html = a._repr_html_()
    assert "<table>" in html and "permitted" in html and "sdf-act/76-1-ii" in html
    assert isinstance(article9.Scenario(title="x"), article9.Scenario)
    w = article9.whatif(FULL, "defend_foreign_warship", "2014-06-01")
    assert w.alternatives[0].changes[0].fact == "armed_attack_on_japan"
    c = article9.compare(FULL, ["2014-06-01", "2016-05-01"], ["defend_foreign_warship"])
    assert [cell.status for cell in c.rows[0].cells] == ["not_permitted", "permitted"]
    import pytest as _pytest

    from article9.errors import InputError

    with _pytest.raises(InputError, match="unknown fact 'nope'"):
        article9.assess(article9.Scenario(title="x", facts={"nope": True}), "2016-05-01")
