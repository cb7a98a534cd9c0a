"""The scenario library as a whole: size, coverage of every action, and agreement of the
timeline with the brief's timeline table (BRIEF part 7)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from helpers import SCENARIOS, cli, engine


def _library():
    from article9.scenario import load_scenario

    return {p.name: load_scenario(p, engine().rb) for p in sorted(SCENARIOS.glob("*.yaml"))}


def test_library_is_large_and_every_file_cites_a_source():
    lib = _library()
    assert len(lib) >= 80
    assert all(s.source and s.expect for s in lib.values())


def test_every_action_has_scenarios_with_opposite_outcomes():
    outcomes: dict[str, set[str]] = defaultdict(set)
    files: dict[tuple[str, str], set[str]] = defaultdict(set)
    for name, s in _library().items():
        for per_action in s.expect.values():
            for action, exp in per_action.items():
                outcomes[action].add(exp.status)
                files[(action, exp.status)].add(name)
    negative = {"not_permitted", "no_encoded_basis"}  # not permitted, or outside the encoded law
    missing = [
        a for a in engine().rb.vocabulary.actions if "permitted" not in outcomes[a] or not negative & outcomes[a]
    ]
    assert not missing, f"actions without both a permitted and a not-permitted (or outside) scenario: {missing}"


# (date, provision, in force from that date?) read off BRIEF part 7 and the LB cards
BRIEF_TIMELINE = [
    ("1954-07-01", "sdf-act/76-1", True),
    ("1972-10-14", "interp-1972/conclusion", True),
    ("1981-05-29", "interp-1981/answer", True),
    ("1992-08-10", "pko-act/3-3", True),
    ("1994-11-18", "sdf-act/84-4", True),
    ("1999-08-25", "iisa/3", True),
    ("2001-11-02", "atsma/3", True),
    ("2003-08-01", "iraq-sma/3", True),
    ("2007-11-02", "atsma/3", False),
    ("2008-01-16", "rssma/3", True),
    ("2009-07-24", "sdf-act/82-2", True),
    ("2009-08-01", "iraq-sma/3", False),
    ("2010-01-16", "rssma/3", False),
    ("2014-07-01", "cabinet-2014/3", True),
    ("2014-07-01", "interp-1981/answer", False),
    ("2016-03-29", "sdf-act/76-1-ii", True),
    ("2016-03-29", "sdf-act/95-2", True),
    ("2016-03-29", "sdf-act/84-3", True),
    ("2016-03-29", "ipsa/3", True),
    ("2016-03-29", "pko-act/kaketsuke-keigo", True),
]


def test_timeline_agrees_with_the_brief():
    rows = json.loads(cli("timeline", "--json").stdout)
    for day, pid, starts in BRIEF_TIMELINE:
        d = dt.date.fromisoformat(day)
        before = d - dt.timedelta(days=1)
        windows = [(r["from"], r["to"]) for r in rows if r["provision"] == pid and r["from"]]
        assert windows, pid

        def live(x: dt.date, windows=windows) -> bool:
            return any(
                dt.date.fromisoformat(f) <= x and (t is None or x <= dt.date.fromisoformat(t)) for f, t in windows
            )

        assert live(d) == starts and live(before) != starts, (day, pid, windows)


def test_law_on_a_date_shows_the_version_in_force():
    before = cli("law", "atsma/3", "--date", "2007-12-01")
    assert "No rules of this provision are in force on 2007-12-01" in before.stdout
    during = cli("law", "atsma/3", "--date", "2005-01-01")
    assert "rules in force 2001-11-02..2007-11-01" in during.stdout


def test_coverage_document_is_current():
    from helpers import ROOT

    from article9.coverage import build

    assert (ROOT / "docs" / "coverage.md").read_text() == build(SCENARIOS), (
        "docs/coverage.md is stale: run python -m article9.coverage > docs/coverage.md"
    )


def test_actions_catalogue_is_current_and_consistent():
    from helpers import ROOT

    from article9.actions import build, problems

    assert not problems()
    assert (ROOT / "docs" / "actions.md").read_text() == build(), (
        "docs/actions.md is stale: run python -m article9.actions > docs/actions.md"
    )
