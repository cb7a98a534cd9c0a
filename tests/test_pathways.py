"""Pathways to change: checked against the seat data's own totals and thresholds, and the
figures the sources quote."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from helpers import cli

from article9.diet import amendment_camp, data, election_on, evaluate, pathways, seats
from article9.errors import InputError

D = dt.date


@pytest.mark.parametrize("election", data()["elections"], ids=lambda e: e["id"])
def test_every_election_adds_up_and_the_rules_give_the_data_thresholds(election):
    house = "hor" if election["house"] == "representatives" else "hoc"
    day = election["date"]
    assert election_on(house, day)["id"] == election["id"]
    assert sum(seats(house, day).values()) == election["statutory_size"] == election["total_check"]
    size = election["statutory_size"]
    table = data()["thresholds"]["house_of_representatives" if house == "hor" else "house_of_councillors"][size]
    _routes, needs = evaluate({house: size}, {house: 0}, False)
    assert needs[house]["amendment"] == table["two_thirds_all_members"]
    assert needs[house]["statute"] == table["majority"]


def test_2014_ruling_pair_above_two_thirds_in_the_lower_house_only():
    p = pathways(D(2014, 12, 15))
    coalition = p.results[0]
    assert coalition.parties == ["LDP", "Komeito"]
    hor = next(h for h in coalition.houses if h.house == "hor")
    assert (hor.seats, hor.needs["amendment"], hor.shortfall["amendment"]) == (326, 317, 0)
    hoc = next(h for h in coalition.houses if h.house == "hoc")
    assert hoc.shortfall["amendment"] > 0
    assert "amendment_initiation" not in coalition.routes_open
    assert {"interpretation", "statute", "statute_by_override"} <= set(coalition.routes_open)


def test_2026_ldp_alone_and_with_ishin():
    alone = pathways(D(2026, 2, 9), support=["LDP"]).results[0]
    hor = next(h for h in alone.houses if h.house == "hor")
    assert (hor.seats, hor.needs["amendment"]) == (316, 310)
    coalition = pathways(D(2026, 2, 9)).results[0]
    assert coalition.parties == ["LDP", "Ishin"]
    assert next(h for h in coalition.houses if h.house == "hor").seats == 352
    # still a minority in the upper house: re-passage open, ordinary passage in both houses not
    assert "statute_by_override" in coalition.routes_open and "statute" not in coalition.routes_open


def test_amendment_camp_as_the_sources_count_it():
    assert amendment_camp("hoc", D(2016, 7, 11))["count"] == 165
    assert amendment_camp("hor", D(2016, 7, 11)) is None  # no tally for the 2014 lower-house election
    camp = pathways(D(2022, 7, 11)).results[1]
    assert {h.house: h.seats for h in camp.houses} == {"hor": 345, "hoc": 177}
    assert "amendment_initiation" in camp.routes_open


def test_switching_party_effects():
    p = pathways(D(2026, 3, 1))
    moves = {(s.party, s.move): s for s in p.results[0].switches}
    assert "statute" in moves[("Komeito", "joins")].opens


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"day": D(2008, 1, 11)}, "before the first election in the seat data (2009-08-30)"),
        ({"day": D(2020, 1, 1), "support": ["LPD"]}, "unknown party 'LPD' (did you mean: "),
        ({"day": D(2020, 1, 1), "support": ["LDP"], "without": ["LDP"]}, "contradictory support lists: LDP"),
        ({"day": D(2020, 1, 1), "change": "revolution"}, "--change must be"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(InputError, match=None) as err:
        pathways(**kwargs)
    assert message in err.value.message


def test_cli_formats_and_errors():
    out = cli("pathways", "--date", "2014-12-15", "-f", "json")
    assert out.returncode == 0
    body = json.loads(out.stdout)
    assert body["schema"] == "article9.pathways/1" and body["results"][0]["parties"] == ["LDP", "Komeito"]
    md = cli("pathways", "--date", "2014-12-15", "-f", "md")
    assert md.stdout.startswith("# Pathways on 2014-12-15")
    bad = cli("pathways", "--date", "2005-01-01")
    assert bad.returncode == 2 and "before the first election" in bad.stderr


def test_history_and_chart_and_api():
    from fastapi.testclient import TestClient

    from article9.diet import chart_rows, chart_svg, history
    from article9.server import app

    h = history()
    rows = {r.date: r for r in h.changes}
    legislation = rows[D(2015, 9, 19)]
    assert legislation.route == "statute" and legislation.route_open is True
    assert {x.house: x.seats for x in legislation.arithmetic.houses} == {"hor": 326, "hoc": 135}
    assert rows[D(2008, 1, 11)].arithmetic is None  # before the seat data
    camps = {r.election: r for r in h.amendment_camp}
    assert (camps["hoc_2016"].camp, camps["hoc_2016"].needs, camps["hoc_2016"].reached) == (165, 162, True)
    assert camps["hoc_2019"].reached is False and camps["hor_2014"].camp is None
    svg = chart_svg(day=D(2015, 9, 19))  # drawn by matplotlib, words kept as text
    assert "<svg" in svg and "House of Councillors" in svg and "House of Representatives" in svg
    assert ">352<" in svg and "LDP, Komeito" in svg and "chosen date: 2015-09-19" in svg
    assert "two-thirds of all members" in svg
    rows = {(r["house"], r["election"]): r for r in chart_rows()}
    assert (rows["hor", "hor_2014"]["seats"], rows["hor", "hor_2014"]["size"]) == (326, 475)
    assert rows["hor", "hor_2014"]["two_thirds"] == 317 and rows["hoc", "hoc_2013"]["majority"] == 122
    client = TestClient(app)
    r = client.get("/pathways", params={"date": "2014-12-15"})
    assert r.status_code == 200 and r.json()["results"][0]["parties"] == ["LDP", "Komeito"]
    bad = client.get("/pathways", params={"date": "2014-12-15", "support": "LPD"})
    assert bad.status_code == 422 and "unknown party" in bad.json()["detail"][0]["msg"]
    assert client.get("/pathways/history").json()["schema"] == "article9.pathways-history/1"
    chart = client.get("/pathways/chart.svg")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    data = client.get("/pathways/chart.json").json()  # what the web draws with Vega-Lite
    assert data == chart_rows()
    assert client.get("/pathways/chart.json", params={"support": "LPD"}).status_code == 422


def test_referendum_window_from_the_rules():
    from article9.diet import referendum_window

    assert referendum_window(D(2022, 7, 11)) == (D(2022, 9, 9), D(2023, 1, 7))
    assert pathways(D(2022, 7, 11), change="amendment").referendum_window == (D(2022, 9, 9), D(2023, 1, 7))
    assert pathways(D(2022, 7, 11), change="statute").referendum_window is None
