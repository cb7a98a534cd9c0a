"""Runs every scenario file in scenarios/ as tests: one item per expected date."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest


@lru_cache(maxsize=1)
def _engine():
    from article9.engine import Engine

    return Engine()


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix in (".yaml", ".yml") and file_path.parent.name == "scenarios":
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):
        from article9.scenario import load_scenario

        scenario = load_scenario(self.path, _engine().rb)
        if not scenario.source:
            raise ScenarioError(f"{self.path}: every scenario in scenarios/ must cite a 'source'")
        if not scenario.expect:
            raise ScenarioError(f"{self.path}: no 'expect' section, so nothing is tested")
        for day in sorted(scenario.expect):
            yield ScenarioItem.from_parent(self, name=day.isoformat(), scenario=scenario, day=day)


class ScenarioError(Exception):
    pass


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario, day, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.day = day

    def runtest(self) -> None:
        from article9.expect import mismatches

        expected = self.scenario.expect[self.day]
        assessment = _engine().assess(self.scenario, self.day, list(expected))
        problems = mismatches(assessment, expected)
        if problems:
            raise ScenarioError("\n".join(problems))

    def repr_failure(self, excinfo):  # noqa: ANN001, ANN201
        if isinstance(excinfo.value, ScenarioError):
            return f"{self.path.name} on {self.day}:\n{excinfo.value}\nsource: {self.scenario.source}"
        return super().repr_failure(excinfo)

    def reportinfo(self):  # noqa: ANN201
        return self.path, 0, f"scenario {self.path.name} on {self.day}"
