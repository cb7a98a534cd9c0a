"""Reading scenario files (YAML or JSON) into `Scenario`, with errors that name the fact,
the line and what was expected."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .corpus import RuleBase, suggest
from .errors import InputError, first_error
from .lawfile import guard_constructor
from .models import Scenario

UNKNOWN_WORDS = {"unknown", "?", "null", "none", "~"}


MAX_SCENARIO_BYTES = 1_048_576  # a scenario with every fact and 50 dates is under 10 KiB
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class _Loader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping key, rejects duplicate keys
    whose values differ, and refuses aliases: a scenario is small and written out in full,
    and an alias bomb (nine levels of nine copies) costs nothing to parse but minutes or
    gigabytes to whatever walks the result."""

    def compose_node(self, parent, index):  # noqa: ANN001, ANN202 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise InputError(
                f"{event.start_mark.line + 1}: aliases (*{str(event.anchor)[:40]}) are not allowed in a scenario; "
                "write the value out"
            )
        return super().compose_node(parent, index)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    out: dict = {}
    lines: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        value = loader.construct_object(value_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise InputError(f"{line}: a mapping key must be a plain value") from None
        if key in out and out[key] != value:
            raise InputError(
                f"{line}: '{key}' is given twice with different values "
                f"(line {lines[key]}: {_show(out[key])}; line {line}: {_show(value)})"
            )
        out[key] = value
        lines.setdefault(key, line)
    out_lines = getattr(loader, "key_lines", {})
    out_lines[id(out)] = lines
    loader.key_lines = out_lines
    return out


def _show(value: Any) -> str:
    """A value as it would be written in YAML, on one line and at most 80 characters."""
    try:
        text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip().removesuffix("...").strip()
    except (yaml.YAMLError, RecursionError, ValueError):
        text = f"a {type(value).__name__} too large to show"
    text = text.replace("\n", "\\n")
    return text if len(text) <= 80 else text[:77] + "..."


def _timestamp_as_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    """Dates stay text here, so that a bad one gets our message with its line."""
    return loader.construct_scalar(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
guard_constructor(_Loader, "tag:yaml.org,2002:int", "a number")


def parse_date(value: Any, where: str = "date") -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"{where}: '{value}' is not a date (expected YYYY-MM-DD)") from None


def _fact_value(name: str, value: Any, line: int | str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in UNKNOWN_WORDS:
        return None
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise InputError(f"{line}: fact '{name}' has value {_show(value)}; expected true, false or unknown")


def read_yaml(text: str, name: str) -> tuple[Any, dict]:
    """Parse YAML (or JSON) with the loader that refuses aliases and keeps each key's line;
    every error names the file, line and column. Returns the data and the key lines."""
    loader = None
    try:
        loader = _Loader(text)
        data = loader.get_single_data()
    except InputError as exc:
        raise InputError(f"{name}:{exc.message}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        raise InputError(f"{where}: invalid YAML: {exc.problem or exc.context or 'syntax error'}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise InputError(
            f"{name}:{line}:{column}: invalid YAML: character U+{ord(char):04X} is not allowed ({exc.reason})"
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"{name}: invalid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise InputError(f"{name}: invalid YAML: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, getattr(loader, "key_lines", {})


def load_scenario_text(text: str, rb: RuleBase, name: str = "<scenario>") -> Scenario:
    data, key_lines = read_yaml(text, name)
    if not isinstance(data, dict):
        raise InputError(f"{name}: a scenario is a mapping with at least 'title' and 'facts'")
    return scenario_from_data(data, rb, name, key_lines)


def scenario_from_data(data: dict, rb: RuleBase, name: str = "<scenario>", key_lines: dict | None = None) -> Scenario:
    """Validate a parsed scenario against the vocabulary; every error names what and where."""
    key_lines = key_lines or {}
    v = rb.vocabulary
    if not isinstance(data, dict):
        raise InputError(f"{name}: a scenario is a mapping with at least 'title' and 'facts'")
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        raise InputError(f"{name}: 'title' is required: a line of text naming the scenario")
    for key in ("title", "description", "source"):
        if isinstance(data.get(key), str) and _CONTROL.search(data[key]):
            raise InputError(
                f"{name}:{key_lines.get(id(data), {}).get(key, '?')}: '{key}' holds a control character "
                f"(U+{ord(_CONTROL.search(data[key]).group()):04X}); only text, tabs and line breaks are allowed"
            )

    def line_of(mapping: Any, key: Any) -> int | str:
        return key_lines.get(id(mapping), {}).get(key, "?")

    facts = data.get("facts") or {}
    if not isinstance(facts, dict):
        raise InputError(f"{name}:{line_of(data, 'facts')}: 'facts' must map fact names to true, false or unknown")
    clean: dict[str, bool | None] = {}
    for key, value in facts.items():
        line = line_of(facts, key)
        fname = str(key)
        if fname not in v.facts:
            raise InputError(f"{name}:{line}: unknown fact {fname!r}{suggest(fname, v.facts)}; see 'article9 vocab'")
        try:
            clean[fname] = _fact_value(fname, value, line)
        except InputError as exc:
            raise InputError(f"{name}:{exc.message}") from None
    actions = data.get("actions") or []
    if not isinstance(actions, list):
        raise InputError(f"{name}:{line_of(data, 'actions')}: 'actions' must be a list of action names")
    for a in actions:
        if str(a) not in v.actions:
            raise InputError(
                f"{name}:{line_of(data, 'actions')}: unknown action {str(a)!r}{suggest(str(a), v.actions)}; see 'article9 vocab'"
            )
    raw_dates = data.get("dates", [])
    if "date" in data:
        raw_dates = [data["date"], *(raw_dates or [])]
    if not isinstance(raw_dates, list):
        raw_dates = [raw_dates]
    dates = [parse_date(d, f"{name}:{line_of(data, 'dates' if 'dates' in data else 'date')}") for d in raw_dates]
    from .engine import check_date

    for day in dates:
        try:
            check_date(day)
        except InputError as exc:
            raise InputError(f"{name}:{line_of(data, 'dates' if 'dates' in data else 'date')}: {exc.message}") from None
    expect_in = data.get("expect") or {}
    if not isinstance(expect_in, dict):
        raise InputError(f"{name}:{line_of(data, 'expect')}: 'expect' maps dates to actions and statuses")
    expect: dict[dt.date, dict[str, Any]] = {}
    for day, per_action in expect_in.items():
        line = line_of(expect_in, day)
        when = parse_date(day, f"{name}:{line}")
        if not isinstance(per_action, dict):
            raise InputError(f"{name}:{line}: expectations for {when} must map action names to statuses")
        expect[when] = {}
        for a, exp in per_action.items():
            if str(a) not in v.actions:
                raise InputError(
                    f"{name}:{line_of(per_action, a)}: unknown action {str(a)!r}{suggest(str(a), v.actions)}"
                )
            expect[when][str(a)] = {"status": exp} if isinstance(exp, str) else exp
    payload = {
        "title": data.get("title"),
        "description": data.get("description") or "",
        "source": data.get("source"),
        "dates": dates,
        "actions": [str(a) for a in actions],
        "facts": clean,
        "expect": {day.isoformat(): per for day, per in expect.items()},  # error paths show the date as written
    }
    unknown_keys = set(data) - {"title", "description", "source", "dates", "date", "actions", "facts", "expect"}
    if unknown_keys:
        key = sorted(map(str, unknown_keys))[0]
        raise InputError(
            f"{name}:{line_of(data, key)}: unknown key {key!r}"
            f"{suggest(key, ['title', 'description', 'source', 'dates', 'date', 'actions', 'facts', 'expect'])}"
        )
    from .reach import check_consistent

    check_consistent(rb.reach.constraints, clean, f"{name}:{line_of(data, 'facts')}: ")
    try:
        return Scenario.model_validate(payload)
    except ValidationError as exc:
        raise InputError(f"{name}: {first_error(exc)}") from None


def load_scenario(path: Path, rb: RuleBase) -> Scenario:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_SCENARIO_BYTES + 1)
        if len(data) > MAX_SCENARIO_BYTES:
            raise InputError(f"{path}: a scenario file may be at most {MAX_SCENARIO_BYTES} bytes")
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a scenario file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot read: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return load_scenario_text(text, rb, str(path))


def check_scenario(scenario: Scenario, rb: RuleBase) -> None:
    """Check a Scenario built in code (not read from a file) against the vocabulary: the one
    check of every face, query.validate (kept here for callers of the old name)."""
    from .query import validate

    validate(rb, scenario)
