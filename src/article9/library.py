"""The library face: `import article9; article9.assess(...)`. Thin wrappers over the query
layer (`article9.query`) and its shared engine; scenarios may be a Scenario, a dict in the
scenario format, or a file path. Answers show themselves in Jupyter (tables, Markdown) and
convert with `.to_dataframe()` when pandas is installed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .models import Assessment, Comparison, Diff, Scenario, WhatIf

if TYPE_CHECKING:
    from .playbook import Playbook, PlaybookResult


def engine(reform: str | Path | None = None):  # noqa: ANN201
    """The shared engine over the packaged law, or under a reform (a bundled id or a file)."""
    from . import query

    return query.engine(None, reform)


def scenario(value: Scenario | dict | str | Path) -> Scenario:
    """A Scenario from a Scenario, a dict in the scenario-file format, or a YAML/JSON path."""
    from .scenario import load_scenario, scenario_from_data

    if isinstance(value, Scenario):
        from .query import validate

        return validate(engine().rb, value)
    if isinstance(value, dict):
        return scenario_from_data(value, engine().rb)
    return load_scenario(Path(value), engine().rb)


def _day(value: dt.date | str | None, s: Scenario) -> dt.date:
    from .scenario import parse_date

    if value is None:
        return s.dates[0] if s.dates else dt.date.today()
    return parse_date(value)


def assess(
    value: Scenario | dict | str | Path,
    date: dt.date | str | None = None,
    actions: list[str] | None = None,
    lang: str = "en",
    reform: str | Path | None = None,
) -> Assessment:
    """Assess a scenario on one date (default: its first date, else today)."""
    from . import query

    e = engine(reform)
    s = scenario(value)
    return query.assess(e, s, [_day(date, s)], actions, lang)[0]


def explain(
    value: Scenario | dict | str | Path,
    action: str,
    date: dt.date | str | None = None,
    lang: str = "en",
    reform: str | Path | None = None,
) -> Assessment:
    """One action's answer with its full explanation."""
    from . import query

    s = scenario(value)
    return query.explain(engine(reform), s, action, _day(date, s), lang)


def compare(
    value: Scenario | dict | str | Path,
    dates: list[Any],
    actions: list[str] | None = None,
    lang: str = "en",
    reform: str | Path | None = None,
) -> Comparison:
    """The scenario's answers on several dates, with the provisions behind each change."""
    from . import query
    from .scenario import parse_date

    s = scenario(value)
    return query.compare(engine(reform), s, [parse_date(d) for d in dates], actions, lang)


def whatif(
    value: Scenario | dict | str | Path,
    action: str,
    date: dt.date | str | None = None,
    max_changes: int = 3,
    lang: str = "en",
    reform: str | Path | None = None,
) -> WhatIf:
    """The smallest changes to the scenario's known facts that flip the answer."""
    from . import query

    s = scenario(value)
    return query.whatif(engine(reform), s, action, _day(date, s), max_changes, lang)


def playbook(value: Playbook | dict | str | Path) -> PlaybookResult:
    """Play a crisis playbook (a `Playbook`, a dict in the playbook format, or a YAML/JSON
    path) and return its `PlaybookResult`: per step and action the status, what changed it,
    the procedure steps pending and who takes them, and the next facts that would open it."""
    from .playbook import Playbook, check_playbook, load_playbook, playbook_from_data, run

    rb = engine().rb
    if isinstance(value, Playbook):
        pb = check_playbook(value, rb)
    elif isinstance(value, dict):
        pb = playbook_from_data(value, rb)
    else:
        pb = load_playbook(Path(value), rb)
    return run(engine(), pb)


def diff(
    from_date: dt.date | str,
    to_date: dt.date | str,
    actions: list[str] | None = None,
    lang: str = "en",
    reform: str | Path | None = None,
) -> Diff:
    """Every combination of facts whose answer differs between the two dates."""
    from . import query
    from .scenario import parse_date

    return query.diff(engine(reform), parse_date(from_date), parse_date(to_date), actions, lang)
