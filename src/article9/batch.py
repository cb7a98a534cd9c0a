"""Batch assessment: CSV, JSON Lines or Parquet in, the same formats out, one row per
scenario and date and action. The file is read as a stream of Arrow record batches of at
most `chunk` rows; each chunk is checked, assessed and written before the next is read, so
memory is bounded by the chunk size. Fully known rows go through the compiled evaluator,
rows with unknown facts through the date's compiled deciding sets (deciding.py; the solver
for a rule base whose window is not compiled); bad rows are reported with their row number
and skipped or fail the run, never silently assessed.

The long form (the default) has one row per scenario, date and action; the wide form
(`wide=True`, `batch --wide`) one row per scenario and date, with for each action A the
columns A (status), A.basis and A.deciding (the facts it turns on, space-separated, when it
depends).

The chunk format, shared by the local run and Dask workers, is an Arrow record batch with a
`row` column (int64, the row's number in the input file), an `id` column (string) and one
nullable bool column per vocabulary fact (null = unknown). `assess_chunk` turns one such
batch into output record batches with the columns of `OUT_SCHEMA`."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import InputError

try:  # the batch extra: a plain `pip install article9` leaves these out
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError as exc:
    raise InputError(
        f"batch needs the batch extra ({exc.name} is not installed): pip install 'article9[batch]'"
    ) from None

TRUE = ["true", "1", "yes", "y", "t"]
FALSE = ["false", "0", "no", "n", "f"]
UNKNOWN = ["", "unknown", "null", "none", "?"]
STATUS = ["permitted", "not_permitted", "no_encoded_basis", "depends"]
OUT_SCHEMA = pa.schema(
    [
        ("row", pa.int64()),
        ("id", pa.string()),
        ("date", pa.string()),
        ("action", pa.string()),
        ("status", pa.string()),
        ("basis", pa.string()),
    ]
)
# Parquet keeps the repeated text columns dictionary-encoded, as the chunks hold them
PARQUET_SCHEMA = pa.schema(
    [
        ("row", pa.int64()),
        ("id", pa.string()),
        ("date", pa.dictionary(pa.int16(), pa.string())),
        ("action", pa.dictionary(pa.int16(), pa.string())),
        ("status", pa.dictionary(pa.int8(), pa.string())),
        ("basis", pa.dictionary(pa.int16(), pa.string())),
    ]
)
Problem = tuple[int, str]  # (row number, what is wrong)


def _dictionary_schema(schema: pa.Schema) -> pa.Schema:
    """Parquet keeps the repeated text columns (all but row and id) dictionary-encoded."""
    return pa.schema(
        [f if f.name in ("row", "id") else pa.field(f.name, pa.dictionary(pa.int32(), pa.string())) for f in schema]
    )


MAX_RECORD = 1_048_576  # characters of one JSON Lines record; a row with every fact is under 4 KiB
MAX_ID = 1000  # characters of a row's id, which every output row for it repeats


def chunk_schema(facts: list[str]) -> pa.Schema:
    """The schema of an input chunk: row number, id, one nullable bool per fact."""
    return pa.schema([("row", pa.int64()), ("id", pa.string()), *((f, pa.bool_()) for f in facts)])


# -- reading -------------------------------------------------------------------------


def read_chunks(path: Path, facts: list[str], chunk: int) -> Iterator[tuple[pa.RecordBatch, list[Problem]]]:
    """The input file as chunks in the chunk format, each with the bad rows left out of it
    (row number and message). Problems with the file itself (missing, unreadable, unknown
    columns, rows with the wrong number of values) raise InputError."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from _csv_chunks(path, facts, chunk)
    elif suffix == ".parquet":
        yield from _parquet_chunks(path, facts, chunk)
    elif suffix in (".jsonl", ".ndjson"):
        yield from _jsonl_chunks(path, facts, chunk)
    else:
        raise InputError(f"{path}: batch reads .csv, .jsonl or .parquet files (got '{suffix or 'no suffix'}')")


def _check_columns(path: Path, names: list[str], facts: list[str], where: str = "") -> None:
    from .corpus import suggest

    known = set(facts)
    for name in names:
        if name != "id" and name not in known:
            raise InputError(f"{path}{where}: unknown column {name!r}{suggest(str(name), facts)}")


def _csv_chunks(path: Path, facts: list[str], chunk: int) -> Iterator[tuple[pa.RecordBatch, list[Problem]]]:
    import pyarrow.csv as pacsv

    with path.open(encoding="utf-8", newline="") as handle:
        try:
            header = next(iter(csv.reader(handle)), None)
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text") from None
        except csv.Error as exc:  # e.g. a header field longer than the csv module allows
            raise InputError(f"{path}:1: not a readable CSV header ({exc})") from None
    if not header:
        return
    if len(set(header)) != len(header):
        raise InputError(f"{path}:1: a column name appears twice in the header")
    _check_columns(path, header, facts, ":1")
    bad_shape: list[pa.csv.InvalidRow] = []

    def invalid(row: pa.csv.InvalidRow) -> str:
        bad_shape.append(row)
        return "error"

    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
            ),
        )
        first = 2  # the header is row 1
        for batch in reader:
            for start in range(0, batch.num_rows, chunk):
                part = batch.slice(start, chunk)
                yield _canonical(path, part, first, facts)
                first += part.num_rows
    except pa.ArrowInvalid as exc:
        if bad_shape:
            row = bad_shape[0]
            raise InputError(
                f"{path}:{row.number}: {row.actual_columns} values where the header has {row.expected_columns} columns"
            ) from None
        raise InputError(f"{path}: not a readable CSV file ({str(exc).splitlines()[0]})") from None


def _parquet_chunks(path: Path, facts: list[str], chunk: int) -> Iterator[tuple[pa.RecordBatch, list[Problem]]]:
    import pyarrow.parquet as pq

    try:
        reader = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's input error
        raise InputError(f"{path}: not a readable Parquet file ({type(exc).__name__})") from None
    names = reader.schema_arrow.names
    if len(set(names)) != len(names):
        twice = sorted({x for x in names if names.count(x) > 1})[0]
        raise InputError(f"{path}: column {twice!r} appears twice")
    _check_columns(path, names, facts)
    first = 1
    batches = reader.iter_batches(batch_size=chunk)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (OSError, pa.ArrowException) as exc:  # a corrupt page behind a valid footer
            reason = " ".join(str(exc).split())[:200]
            raise InputError(f"{path}: not a readable Parquet file (row {first} on: {reason})") from None
        yield _canonical(path, batch, first, facts)
        first += batch.num_rows


def _jsonl_chunks(path: Path, facts: list[str], chunk: int) -> Iterator[tuple[pa.RecordBatch, list[Problem]]]:
    schema = chunk_schema(facts)
    columns: dict[str, list] = {name: [] for name in schema.names}
    problems: list[Problem] = []
    known = set(facts)

    def done() -> tuple[pa.RecordBatch, list[Problem]]:
        batch = pa.RecordBatch.from_pydict(columns, schema=schema)
        for values in columns.values():
            values.clear()
        out = (batch, list(problems))
        problems.clear()
        return out

    with path.open(encoding="utf-8") as handle:
        number = 0
        while True:
            try:
                line = handle.readline(MAX_RECORD + 1)
            except UnicodeDecodeError:
                raise InputError(f"{path}:{number + 1}: not UTF-8 text") from None
            if not line:
                break
            if len(line) > MAX_RECORD:
                raise InputError(f"{path}:{number + 1}: a record may be at most {MAX_RECORD} characters")
            number += 1
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                problems.append((number, f"invalid JSON: {getattr(exc, 'msg', 'nested too deeply')}"))
                continue
            except ValueError:  # an integer of more than 4300 digits
                problems.append((number, "invalid JSON: a number has too many digits"))
                continue
            if not isinstance(value, dict):
                problems.append((number, "a row must be a JSON object"))
                continue
            unknown = [k for k in value if k != "id" and k not in known]
            if unknown:
                _check_columns(path, unknown, facts, f":{number}")
            row: dict[str, bool | None] = {}
            problem = None
            for key, raw in value.items():
                if key == "id":
                    continue
                try:
                    row[key] = _value(raw)
                except ValueError:
                    problem = f"fact {key!r} has value {_show(raw)}; expected true, false or empty (unknown)"
                    break
            if problem is not None:
                problems.append((number, problem))
                continue
            raw_id = value.get("id")
            columns["row"].append(number)
            columns["id"].append("" if raw_id is None else str(raw_id))
            for f in facts:
                columns[f].append(row.get(f))
            if len(columns["row"]) >= chunk:
                yield done()
    if columns["row"] or problems:
        yield done()


def _show(raw: object) -> str:
    text = repr(raw)
    return text if len(text) <= 60 else text[:57] + "..."


def _value(raw: object) -> bool | None:
    """One cell of a JSON row: true, false or unknown; ValueError for anything else."""
    if raw is None or isinstance(raw, bool):
        return raw
    if isinstance(raw, (dict, list)):
        raise ValueError(raw)
    text = str(raw).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    if text in UNKNOWN:
        return None
    raise ValueError(raw)


def _canonical(path: Path, batch: pa.RecordBatch, first: int, facts: list[str]) -> tuple[pa.RecordBatch, list[Problem]]:
    """A record batch as read from CSV or Parquet, in the chunk format: text cells are read
    as true, false or unknown (column by column, in Arrow); rows with any other value are
    left out and reported."""
    n = batch.num_rows
    names = batch.schema.names
    bad = np.zeros(n, dtype=bool)
    first_problem: dict[int, str] = {}
    values: dict[str, pa.Array] = {}
    for f in facts:
        if f not in names:
            values[f] = pa.nulls(n, pa.bool_())
            continue
        col = batch.column(names.index(f))
        if pa.types.is_boolean(col.type):
            values[f] = col
            continue
        if pa.types.is_null(col.type):
            values[f] = pa.nulls(n, pa.bool_())
            continue
        try:
            text = pc.utf8_lower(pc.utf8_trim_whitespace(col.cast(pa.string())))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise InputError(f"{path}: column {f!r} has type {col.type}; expected true/false values") from None
        is_true = pc.is_in(text, value_set=pa.array(TRUE)).to_numpy(zero_copy_only=False)
        is_false = pc.is_in(text, value_set=pa.array(FALSE)).to_numpy(zero_copy_only=False)
        is_unknown = pc.is_in(text, value_set=pa.array(UNKNOWN)).to_numpy(zero_copy_only=False)
        is_unknown |= text.is_null().to_numpy(zero_copy_only=False)
        wrong = ~(is_true | is_false | is_unknown)
        if wrong.any():
            for i in np.flatnonzero(wrong & ~bad):
                raw = col[int(i)].as_py()
                first_problem[int(i)] = f"fact {f!r} has value {_show(raw)}; expected true, false or empty (unknown)"
            bad |= wrong
        values[f] = pa.array(np.where(is_true, True, False), mask=~(is_true | is_false), type=pa.bool_())
    if "id" in names:
        column = batch.column(names.index("id"))
        try:
            ids = column.cast(pa.string()).fill_null("")
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise InputError(f"{path}: column 'id' has type {column.type}; expected text or numbers") from None
        lengths = pc.utf8_length(ids).to_numpy(zero_copy_only=False)
        if n and lengths.max() > MAX_ID:
            row = first + int(np.argmax(lengths > MAX_ID))
            raise InputError(
                f"{path}:{row}: an id may be at most {MAX_ID} characters (it is repeated in every output row)"
            )
    else:
        ids = pa.array([""] * n, pa.string())
    rows = pa.array(np.arange(first, first + n, dtype=np.int64))
    out = pa.RecordBatch.from_arrays([rows, ids, *(values[f] for f in facts)], schema=chunk_schema(facts))
    problems = [(first + i, first_problem[i]) for i in sorted(first_problem)]
    if problems:
        out = out.filter(pa.array(~bad))
    return out, problems


def _consistent(batch: pa.RecordBatch, constraints: list) -> tuple[pa.RecordBatch, list[Problem]]:
    """The rows whose facts do not contradict each other (law/reach.yaml), and a problem for
    each row left out."""
    from .reach import contradiction_text

    if not constraints or batch.num_rows == 0:
        return batch, []
    bad = np.zeros(batch.num_rows, dtype=bool)
    first: dict[int, str] = {}
    for c in constraints:
        hit = np.ones(batch.num_rows, dtype=bool)
        for f, v in c.facts.items():
            col = batch.column(f)
            hit &= col.fill_null(not v).to_numpy(zero_copy_only=False) == v
        for i in np.flatnonzero(hit & ~bad):
            first[int(i)] = contradiction_text(c)
        bad |= hit
    if not bad.any():
        return batch, []
    rows = batch.column("row").to_numpy()
    return batch.filter(pa.array(~bad)), [(int(rows[i]), first[i]) for i in sorted(first)]


# -- assessing -----------------------------------------------------------------------


def _masks(batch: pa.RecordBatch, facts: list[str], rows: np.ndarray, words: int) -> tuple[np.ndarray, np.ndarray]:
    """The known-true and known-false facts of the given rows as (words x rows) uint64 masks."""
    kt = np.zeros((words, len(rows)), dtype=np.uint64)
    kf = np.zeros((words, len(rows)), dtype=np.uint64)
    every = len(rows) == batch.num_rows  # with many unknown cells, every row is open: no copy
    take = None if every else pa.array(rows)
    for i, f in enumerate(facts):
        col = batch.column(f) if take is None else batch.column(f).take(take)
        known = col.is_valid().to_numpy(zero_copy_only=False)
        value = col.fill_null(False).to_numpy(zero_copy_only=False)
        bit = np.uint64(1 << (i % 64))
        kt[i // 64] |= np.where(known & value, bit, np.uint64(0))
        kf[i // 64] |= np.where(known & ~value, bit, np.uint64(0))
    return kt, kf


def _assess_open(window: object, engine: object, kt: np.ndarray, kf: np.ndarray, names: list[str]) -> dict:
    """Status code (STATUS order) and first possible basis of each action for rows with
    unknown facts, from the compiled window: as engine.assess gives them, without solving."""
    from .program import _fn, _pair

    out = {}
    for a in names:
        bases = engine.candidate_bases(a)  # type: ignore[attr-defined]
        targets = [_fn("permitted", a), _fn("closed", a), *(_pair("lawful", a, p) for p in bases)]
        true, possible = window.values(targets, kt, kf)  # type: ignore[attr-defined]
        status = np.full(kt.shape[1], 3, dtype=np.int8)  # depends
        status[~possible[0] & true[1]] = 1  # not permitted: no lawful basis whatever, a closure claim surely
        status[~possible[0] & ~possible[1]] = 2  # outside the encoded law
        status[true[0]] = 0
        code = np.zeros(kt.shape[1], dtype=np.int16)  # the first basis that may be lawful
        for k in range(len(bases), 0, -1):
            code[possible[1 + k]] = k
        code[(status == 1) | (status == 2)] = 0
        out[a] = {"status": status, "code": code, "bases": bases}
    return out


def assess_chunk(
    engine: object, days: list[dt.date], names: list[str], batch: pa.RecordBatch, wide: bool = False
) -> tuple[list[pa.RecordBatch], dict[str, int]]:
    """Output record batches for one chunk in the chunk format, in the order of the output
    file: rows in input order, for each row the dates in the order given, for each date the
    actions in `names` order (wide: one row per row and date). Computed for one chunk: fully
    known rows by the compiled evaluator, the others by the date's compiled deciding sets
    (or the solver). Returns the batches and how many rows each way went. The same function
    runs locally and on Dask workers."""
    from .compiled import assess_known
    from .deciding import window as compiled_window
    from .models import Scenario

    facts = list(engine.rb.vocabulary.facts)  # type: ignore[attr-defined]
    n, width = batch.num_rows, len(names)
    unknown = np.zeros(n, dtype=bool)
    for f in facts:
        col = batch.column(f)
        if col.null_count:
            unknown |= col.is_null().to_numpy(zero_copy_only=False)
    known_rows = np.flatnonzero(~unknown)
    open_rows = np.flatnonzero(unknown)
    matrix = np.empty((len(facts), len(known_rows)), dtype=bool)  # one row per fact: columnar
    for i, f in enumerate(facts):
        matrix[i] = batch.column(f).fill_null(False).to_numpy(zero_copy_only=False)[known_rows]
    all_bases = sorted({p for a in names for p in engine.candidate_bases(a)})  # type: ignore[attr-defined]
    basis_dictionary = pa.array(["", *all_bases])
    code_of = {p: k for k, p in enumerate(all_bases, start=1)}
    open_facts: list[dict] | None = None

    def facts_of_open() -> list[dict]:
        nonlocal open_facts
        if open_facts is None:
            open_facts = batch.select(facts).take(pa.array(open_rows)).to_pylist() if len(open_rows) else []
        return open_facts

    ids = batch.column("id")
    status = np.zeros((n, len(days), width), dtype=np.int8)  # row, date, action: the output order
    basis = np.zeros((n, len(days), width), dtype=np.int16)
    deciding = np.zeros((n, len(days), width), dtype=np.int32) if wide else None  # index into `turns_on`
    turns_on: dict[str, int] = {"": 0}
    counts = {"compiled": len(known_rows), "deciding": 0, "solver": 0}
    for k, day in enumerate(days):
        if len(known_rows):
            res = assess_known(engine, day, matrix.T, names)
            for j, a in enumerate(names):
                status[known_rows, k, j] = np.where(res[a]["permitted"], 0, np.where(res[a]["closed"], 1, 2))
                local = np.array([0, *(code_of[p] for p in res[a]["bases"])], dtype=np.int16)
                basis[known_rows, k, j] = local[res[a]["code"]]
        window = None
        if len(open_rows) and not engine.solver:  # type: ignore[attr-defined]
            window = compiled_window(engine.program(day))  # type: ignore[attr-defined]
        if window is not None:
            counts["deciding"] += len(open_rows) if k == 0 else 0
            kt, kf = _masks(batch, facts, open_rows, window.words)
            res = _assess_open(window, engine, kt, kf, names)
            for j, a in enumerate(names):
                status[open_rows, k, j] = res[a]["status"]
                local = np.array([0, *(code_of[p] for p in res[a]["bases"])], dtype=np.int16)
                basis[open_rows, k, j] = local[res[a]["code"]]
                if deciding is not None:
                    for r in np.flatnonzero(res[a]["status"] == 3):
                        text = " ".join(window.deciding_facts(a, facts_of_open()[r]))
                        deciding[open_rows[r], k, j] = turns_on.setdefault(text, len(turns_on))
            continue
        counts["solver"] += len(open_rows) if k == 0 else 0
        for i, values in zip(open_rows, facts_of_open(), strict=True):
            title = ids[int(i)].as_py() or str(batch.column("row")[int(i)].as_py())
            assessment = engine.assess(Scenario(title=title, facts=values), day, names, explain=False)  # type: ignore[attr-defined]
            for j, d in enumerate(assessment.determinations):
                status[i, k, j] = STATUS.index(d.status)
                lawful = [b.provision.id for b in d.bases if b.lawful != "false"]
                if lawful and d.status in ("permitted", "depends"):
                    basis[i, k, j] = code_of[lawful[0]]
                if deciding is not None and d.depends_on:
                    text = " ".join(f.fact for f in d.depends_on)
                    deciding[i, k, j] = turns_on.setdefault(text, len(turns_on))
    if deciding is not None:
        return [_wide(batch, days, names, status, basis, basis_dictionary, deciding, list(turns_on))], counts
    per_row = len(days) * width
    out = [
        pa.RecordBatch.from_arrays(
            [
                pa.array(np.repeat(batch.column("row").to_numpy(), per_row)),
                ids.take(pa.array(np.repeat(np.arange(n), per_row))),
                pa.DictionaryArray.from_arrays(
                    pa.array(np.tile(np.repeat(np.arange(len(days), dtype=np.int16), width), n)),
                    [d.isoformat() for d in days],
                ),
                pa.DictionaryArray.from_arrays(
                    pa.array(np.tile(np.arange(width, dtype=np.int16), n * len(days))), names
                ),
                pa.DictionaryArray.from_arrays(pa.array(status.ravel()), STATUS),
                pa.DictionaryArray.from_arrays(pa.array(basis.ravel()), basis_dictionary),
            ],
            names=OUT_SCHEMA.names,
        )
    ]
    return out, counts


def wide_schema(names: list[str]) -> pa.Schema:
    """The wide output: row, id, date, then per action its status, basis and deciding facts."""
    fields = [("row", pa.int64()), ("id", pa.string()), ("date", pa.string())]
    for a in names:
        fields += [(a, pa.string()), (f"{a}.basis", pa.string()), (f"{a}.deciding", pa.string())]
    return pa.schema(fields)


def _wide(
    batch: pa.RecordBatch,
    days: list[dt.date],
    names: list[str],
    status: np.ndarray,
    basis: np.ndarray,
    basis_dictionary: pa.Array,
    deciding: np.ndarray,
    turns_on: list[str],
) -> pa.RecordBatch:
    n = batch.num_rows
    columns = [
        pa.array(np.repeat(batch.column("row").to_numpy(), len(days))),
        batch.column("id").take(pa.array(np.repeat(np.arange(n), len(days)))),
        pa.DictionaryArray.from_arrays(
            pa.array(np.tile(np.arange(len(days), dtype=np.int16), n)), [d.isoformat() for d in days]
        ),
    ]
    words = pa.array(turns_on, pa.string())
    for j in range(len(names)):
        columns += [
            pa.DictionaryArray.from_arrays(pa.array(status[:, :, j].ravel()), STATUS),
            pa.DictionaryArray.from_arrays(pa.array(basis[:, :, j].ravel()), basis_dictionary),
            pa.DictionaryArray.from_arrays(pa.array(deciding[:, :, j].ravel()), words),
        ]
    return pa.RecordBatch.from_arrays(columns, names=wide_schema(names).names)


_WORKER_ENGINE = None


def _remote_chunk(
    days: list[dt.date], names: list[str], batch: pa.RecordBatch, wide: bool = False
) -> tuple[list[pa.RecordBatch], dict[str, int]]:
    """Runs on a Dask worker: one engine per worker process over the packaged law."""
    global _WORKER_ENGINE
    if _WORKER_ENGINE is None:
        from .engine import Engine

        _WORKER_ENGINE = Engine()
    return assess_chunk(_WORKER_ENGINE, days, names, batch, wide)


# -- writing -------------------------------------------------------------------------


class _Writer:
    """Writes output batches to CSV, JSON Lines or Parquet."""

    def __init__(self, part: Path, suffix: str, wide: list[str] | None = None) -> None:
        self.suffix = suffix
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            self.schema = PARQUET_SCHEMA if wide is None else _dictionary_schema(wide_schema(wide))
            self.parquet = pq.ParquetWriter(part, self.schema)
            return
        self.handle = part.open("wb")
        if suffix == ".csv":
            names = OUT_SCHEMA.names if wide is None else wide_schema(wide).names
            self.handle.write((",".join(_csv_cell(x) for x in names) + "\n").encode())

    def write(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows == 0:
            return
        if self.suffix == ".parquet":
            if batch.schema != self.schema:  # the wide form: index widths differ per column
                self.parquet.write_table(pa.Table.from_batches([batch]).cast(self.schema))
                return
            self.parquet.write_batch(batch)
        else:
            self.handle.write(_lines(batch, self.suffix))

    def close(self) -> None:
        if self.suffix == ".parquet":
            self.parquet.close()
        else:
            self.handle.close()


def _csv_cell(value: str) -> str:
    if any(c in value for c in ',"\r\n') or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


def _lines(batch: pa.RecordBatch, suffix: str) -> memoryview:
    """CSV or JSON Lines text for an output batch, built column by column in Arrow: each
    distinct value is encoded once (json.dumps, or CSV quoting where needed), then the
    lines are joined element-wise."""
    jsonl = suffix == ".jsonl"
    pieces: list[pa.Array | pa.Scalar] = []
    for k, name in enumerate(batch.schema.names):
        col = batch.column(k)
        if name == "row":
            text = col.cast(pa.string())
        else:
            encoded = col if pa.types.is_dictionary(col.type) else col.dictionary_encode()
            encode = json.dumps if jsonl else _csv_cell
            words = pa.array([encode(v) for v in encoded.dictionary.to_pylist()], pa.large_string())
            text = words.take(encoded.indices)
        if jsonl:
            pieces.append(pa.scalar(("{" if k == 0 else ", ") + f"{json.dumps(name)}: ", pa.large_string()))
        elif k:
            pieces.append(pa.scalar(",", pa.large_string()))
        pieces.append(text.cast(pa.large_string()))
    pieces.append(pa.scalar("}\n" if jsonl else "\n", pa.large_string()))
    lines = pc.binary_join_element_wise(*pieces, pa.scalar("", pa.large_string()))
    # no line is null, so the lines lie end to end in the array's data buffer
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset : lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[int(offsets[0]) : int(offsets[-1])]


def run_batch(
    engine: object,
    source: Path,
    target: Path,
    days: list[dt.date],
    actions: list[str] | None,
    on_error: str = "fail",
    chunk: int = 50_000,
    progress: Callable[[int], None] | None = None,
    dask_client: object | None = None,
    wide: bool = False,
) -> dict[str, int]:
    """Assess every row of `source` on every date; write `target` (long form, or wide).
    Returns counts."""
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
    if chunk < 1:
        raise InputError("--chunk must be at least 1")
    suffix = target.suffix.lower()
    if suffix == ".ndjson":
        suffix = ".jsonl"
    if suffix not in (".csv", ".jsonl", ".parquet"):
        raise InputError(f"{target}: batch writes .csv, .jsonl or .parquet files (got '{suffix or 'no suffix'}')")
    counts = {"rows": 0, "skipped": 0, "compiled": 0, "deciding": 0, "solver": 0}
    errors: list[str] = []
    part = target.with_name(target.name + ".part")  # renamed only when the run succeeds
    writer = None
    pending: list = []

    def write(result: tuple[list[pa.RecordBatch], dict[str, int]], size: int) -> None:
        batches, ways = result
        for b in batches:
            writer.write(b)  # type: ignore[union-attr]
        for way, count in ways.items():
            counts[way] += count
        if progress is not None:
            progress(size)

    try:
        writer = _Writer(part, suffix, names if wide else None)
        for batch, problems in read_chunks(source, facts, chunk):
            for row_no, problem in problems:
                message = f"{source}:{row_no}: {problem}"
                if on_error == "fail":
                    raise InputError(message)
                errors.append(message)
                counts["skipped"] += 1
            batch, contradictory = _consistent(batch, rb.reach.constraints)
            for row_no, problem in contradictory:
                message = f"{source}:{row_no}: {problem}"
                if on_error == "fail":
                    raise InputError(message)
                errors.append(message)
                counts["skipped"] += 1
            if batch.num_rows == 0:
                continue
            counts["rows"] += batch.num_rows
            if dask_client is None:
                write(assess_chunk(engine, days, names, batch, wide), batch.num_rows)
                continue
            future = dask_client.submit(_remote_chunk, days, names, batch, wide, pure=False)  # type: ignore[attr-defined]
            pending.append((future, batch.num_rows))
            while len(pending) > 4:  # bounded: at most a few chunks in flight
                future, size = pending.pop(0)
                write(future.result(), size)
        for future, size in pending:
            write(future.result(), size)
        writer.close()
        writer = None
    except BaseException:
        if writer is not None:
            try:
                writer.close()
            except Exception:  # noqa: BLE001 - the run failed already; report that failure
                pass
        part.unlink(missing_ok=True)
        raise
    part.replace(target)
    counts["errors"] = len(errors)
    counts["error_messages"] = errors  # type: ignore[assignment]
    return counts
