"""Batch assessment: CSV or JSON Lines in, the same format out, one row per scenario and
date and action. Streams in chunks; fully known rows go through the compiled evaluator, rows
with unknown facts through the solver; bad rows are reported with their row number and
skipped or fail the run, never silently assessed."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
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
        elif suffix == ".parquet":
            handle.close()
            yield from _parquet_rows(path)
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
            raise InputError(f"{path}: batch reads .csv, .jsonl or .parquet files (got '{suffix or 'no suffix'}')")


def _parquet_rows(path: Path) -> Iterator[tuple[int, dict]]:
    """Rows of a Parquet file, read record batch by record batch (Arrow), numbered from 1."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("reading Parquet needs pyarrow: pip install 'article9[parquet]'") from None
    try:
        reader = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's input error
        raise InputError(f"{path}: not a readable Parquet file ({type(exc).__name__})") from None
    number = 0
    for record_batch in reader.iter_batches(batch_size=65_536):
        for row in record_batch.to_pylist():
            number += 1
            yield number, row


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
    dask_client: object | None = None,
) -> dict[str, int]:
    """Assess every row of `source` on every date; write `target`. Returns counts."""
    from .engine import check_action, check_date

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
    if out_suffix not in (".csv", ".jsonl", ".ndjson", ".parquet"):
        raise InputError(f"{target}: batch writes .csv, .jsonl or .parquet files (got '{out_suffix or 'no suffix'}')")
    if out_suffix == ".parquet":
        return _to_parquet(engine, source, target, days, actions, on_error, chunk, progress, dask_client)
    counts = {"rows": 0, "skipped": 0, "compiled": 0, "solver": 0}
    errors: list[str] = []
    part = target.with_name(target.name + ".part")  # renamed only when the run succeeds
    try:
        with part.open("w", encoding="utf-8", newline="") as out:
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

            pending: list = []

            def write(result: tuple[list[tuple], int, int], size: int) -> None:
                rows_out, n_known, n_open = result
                for item in rows_out:
                    emit(*item)
                counts["compiled"] += n_known
                counts["solver"] += n_open
                if progress is not None:
                    progress(size)  # type: ignore[operator]

            def flush(batch: list[tuple[int, str, dict[str, bool | None]]]) -> None:
                if dask_client is None:
                    write(assess_chunk(engine, days, names, batch), len(batch))
                    return
                pending.append((dask_client.submit(_remote_chunk, days, names, batch, pure=False), len(batch)))
                while len(pending) > 4:  # bounded: at most a few chunks in flight
                    future, size = pending.pop(0)
                    write(future.result(), size)

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
            for future, size in pending:
                write(future.result(), size)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    part.replace(target)
    counts["errors"] = len(errors)
    counts["error_messages"] = errors  # type: ignore[assignment]
    return counts


def _to_parquet(
    engine: object,
    source: Path,
    target: Path,
    days: list[dt.date],
    actions: list[str] | None,
    on_error: str,
    chunk: int,
    progress: object | None,
    dask_client: object | None = None,
) -> dict[str, int]:
    """Write Parquet by way of a JSON Lines file streamed chunk by chunk into Arrow batches."""
    import tempfile

    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("writing Parquet needs pyarrow: pip install 'article9[parquet]'") from None
    with tempfile.TemporaryDirectory() as tmp:
        middle = Path(tmp) / "out.jsonl"
        counts = run_batch(engine, source, middle, days, actions, on_error, chunk, progress, dask_client)
        schema = pa.schema(
            [
                ("row", pa.int64()),
                ("id", pa.string()),
                ("date", pa.string()),
                ("action", pa.string()),
                ("status", pa.string()),
                ("basis", pa.string()),
            ]
        )
        part = Path(tmp) / "out.parquet"
        with pq.ParquetWriter(part, schema) as writer, middle.open(encoding="utf-8") as lines:
            buffer: list[dict] = []
            for line in lines:
                buffer.append(json.loads(line))
                if len(buffer) >= 100_000:
                    writer.write_batch(pa.RecordBatch.from_pylist(buffer, schema=schema))
                    buffer = []
            if buffer:
                writer.write_batch(pa.RecordBatch.from_pylist(buffer, schema=schema))
        shutil.move(part, target)  # only a finished file reaches the target
    return counts


def assess_chunk(
    engine: object, days: list[dt.date], names: list[str], batch: list[tuple[int, str, dict[str, bool | None]]]
) -> tuple[list[tuple], int, int]:
    """Output rows for one chunk: fully known rows by the compiled evaluator, the others by
    the solver. The same function runs locally and on Dask workers."""
    from .compiled import assess_known
    from .models import Scenario

    facts = list(engine.rb.vocabulary.facts)  # type: ignore[attr-defined]
    known, open_rows = [], []
    for item in batch:
        (known if all(item[2].get(f) is not None for f in facts) else open_rows).append(item)
    out: list[tuple] = []
    for day in days:
        if known:
            matrix = np.array([[item[2][f] for f in facts] for item in known], dtype=bool)
            res = assess_known(engine, day, matrix, names)
            for i, (row_no, row_id, _values) in enumerate(known):
                for a in names:
                    status = "permitted" if res[a]["permitted"][i] else "not_permitted"
                    out.append((row_no, row_id, day, a, status, res[a]["basis"][i] if status == "permitted" else ""))
        for row_no, row_id, values in open_rows:
            assessment = engine.assess(Scenario(title=row_id or str(row_no), facts=values), day, names)  # type: ignore[attr-defined]
            for d in assessment.determinations:
                lawful = [b.provision.id for b in d.bases if b.lawful != "false"]
                basis = lawful[0] if lawful and d.status != "not_permitted" else ""
                out.append((row_no, row_id, day, d.action, d.status, basis))
    return out, len(known), len(open_rows)


_WORKER_ENGINE = None


def _remote_chunk(days: list[dt.date], names: list[str], batch: list) -> tuple[list[tuple], int, int]:
    """Runs on a Dask worker: one engine per worker process over the packaged law."""
    global _WORKER_ENGINE
    if _WORKER_ENGINE is None:
        from .engine import Engine

        _WORKER_ENGINE = Engine()
    return assess_chunk(_WORKER_ENGINE, days, names, batch)
