"""Batch assessment: CSV or JSON Lines in, the same format out, one row per scenario and
date and action. Streams in chunks; fully known rows go through the compiled evaluator, rows
with unknown facts through the solver; bad rows are reported with their row number and
skipped or fail the run, never silently assessed."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .errors import InputError

TRUE = {"true", "1", "yes", "y", "t"}
FALSE = {"false", "0", "no", "n", "f"}
UNKNOWN = {"", "unknown", "null", "none", "?"}


def _rows(path: Path) -> Iterator[tuple[int, dict]]:
    """(row number, mapping) pairs; the header is row 1 in a CSV file."""
    suffix = path.suffix.lower()
    try:
        handle = path.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    with handle:
        if suffix == ".csv":
            reader = csv.DictReader(handle)
            for number, row in enumerate(reader, start=2):
                if None in row:
                    raise InputError(f"{path}:{number}: more values than columns")
                yield number, row
        elif suffix in (".jsonl", ".ndjson"):
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, {"__error__": f"invalid JSON: {exc.msg}"}
                    continue
                yield number, value if isinstance(value, dict) else {"__error__": "a row must be a JSON object"}
        else:
            raise InputError(f"{path}: batch reads .csv or .jsonl files (got '{suffix or 'no suffix'}')")


def _value(raw: object) -> bool | None:
    if raw is None or isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    if text in UNKNOWN:
        return None
    raise ValueError(raw)


def run_batch(
    engine: object,
    source: Path,
    target: Path,
    days: list[dt.date],
    actions: list[str] | None,
    on_error: str = "fail",
    chunk: int = 50_000,
    progress: object | None = None,
) -> dict[str, int]:
    """Assess every row of `source` on every date; write `target`. Returns counts."""
    from .engine import check_action, check_date
    from .models import Scenario

    rb = engine.rb  # type: ignore[attr-defined]
    facts = list(rb.vocabulary.facts)
    names = actions or list(rb.vocabulary.actions)
    for a in names:
        check_action(rb, a)
    for d in days:
        check_date(d)
    if on_error not in ("skip", "fail"):
        raise InputError(f"--on-error must be skip or fail (got {on_error!r})")
    out_suffix = target.suffix.lower()
    if out_suffix not in (".csv", ".jsonl", ".ndjson"):
        raise InputError(f"{target}: batch writes .csv or .jsonl files (got '{out_suffix or 'no suffix'}')")
    counts = {"rows": 0, "skipped": 0, "compiled": 0, "solver": 0}
    errors: list[str] = []
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out) if out_suffix == ".csv" else None
        if writer:
            writer.writerow(["row", "id", "date", "action", "status", "basis"])

        def emit(row_no: int, row_id: str, day: dt.date, action: str, status: str, basis: str) -> None:
            if writer:
                writer.writerow([row_no, row_id, day.isoformat(), action, status, basis])
            else:
                out.write(
                    json.dumps(
                        {
                            "row": row_no,
                            "id": row_id,
                            "date": day.isoformat(),
                            "action": action,
                            "status": status,
                            "basis": basis,
                        }
                    )
                    + "\n"
                )

        def flush(batch: list[tuple[int, str, dict[str, bool | None]]]) -> None:
            from .compiled import assess_known

            known = [b for b in batch if all(v is not None for v in b[2].values()) and len(b[2]) == len(facts)]
            open_rows = [b for b in batch if b not in known]
            for day in days:
                if known:
                    matrix = np.array([[b[2][f] for f in facts] for b in known], dtype=bool)
                    res = assess_known(engine, day, matrix, names)
                    for i, (row_no, row_id, _values) in enumerate(known):
                        for a in names:
                            status = "permitted" if res[a]["permitted"][i] else "not_permitted"
                            emit(row_no, row_id, day, a, status, res[a]["basis"][i] if status == "permitted" else "")
                for row_no, row_id, values in open_rows:
                    assessment = engine.assess(Scenario(title=row_id or str(row_no), facts=values), day, names)  # type: ignore[attr-defined]
                    for d in assessment.determinations:
                        lawful = [b.provision.id for b in d.bases if b.lawful != "false"]
                        emit(
                            row_no,
                            row_id,
                            day,
                            d.action,
                            d.status,
                            lawful[0] if lawful and d.status != "not_permitted" else "",
                        )
            counts["compiled"] += len(known)
            counts["solver"] += len(open_rows)
            if progress is not None:
                progress(len(batch))  # type: ignore[operator]

        batch: list[tuple[int, str, dict[str, bool | None]]] = []
        for row_no, row in _rows(source):
            problem = row.get("__error__")
            values: dict[str, bool | None] = {}
            if problem is None:
                for key, raw in row.items():
                    if key == "id":
                        continue
                    if key not in rb.vocabulary.facts:
                        from .corpus import suggest

                        raise InputError(f"{source}:{row_no}: unknown column {key!r}{suggest(str(key), facts)}")
                    try:
                        values[key] = _value(raw)
                    except ValueError:
                        problem = f"fact {key!r} has value {raw!r}; expected true, false or empty (unknown)"
                        break
            if problem is not None:
                message = f"{source}:{row_no}: {problem}"
                if on_error == "fail":
                    raise InputError(message)
                errors.append(message)
                counts["skipped"] += 1
                continue
            for f in facts:
                values.setdefault(f, None)
            batch.append((row_no, str(row.get("id", "")), values))
            counts["rows"] += 1
            if len(batch) >= chunk:
                flush(batch)
                batch = []
        if batch:
            flush(batch)
    counts["errors"] = len(errors)
    counts["error_messages"] = errors  # type: ignore[assignment]
    return counts
