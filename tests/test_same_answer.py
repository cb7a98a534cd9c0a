"""Same answer everywhere: every bundled scenario, at every date it expects an answer on, put
through the library, the command line (JSON), the HTTP API and batch gives the same model
(batch, whose output is one row per action, the same status and first lawful basis)."""

from __future__ import annotations

import csv
import json

from fastapi.testclient import TestClient
from helpers import SCENARIOS
from typer.testing import CliRunner

import article9
from article9 import query
from article9.cli import app as cli_app
from article9.models import Assessment
from article9.server import create_app


def _same(a: Assessment) -> dict:
    """The model as data. The cite line's link starts with the address of the face that answered
    (the HTTP API's own, the explorer's default elsewhere): its question, the query string, is
    compared."""
    data = Assessment.model_validate(a.model_dump(by_alias=True)).model_dump(mode="json", by_alias=True)
    data["cite"]["link"] = "?" + data["cite"]["link"].split("?", 1)[1]
    return data


def test_library_cli_http_and_batch_give_the_same_answers(tmp_path):
    e = query.engine()
    client = TestClient(create_app(), raise_server_exceptions=False)
    runner = CliRunner()
    batch_rows: dict[str, list[tuple[str, dict]]] = {}
    checked = 0
    for path in sorted(SCENARIOS.glob("*.yaml")):
        s = query.bundled_scenario(e.rb, path.stem)
        days = sorted(s.expect)
        actions = sorted({a for day in days for a in s.expect[day]})
        library = [article9.assess(str(path), d, actions) for d in days]
        out = runner.invoke(
            cli_app,
            ["assess", str(path), "-f", "json", *[x for d in days for x in ("-d", d.isoformat())]]
            + [x for a in actions for x in ("-a", a)],
        )
        assert out.exit_code == 0, (path.name, out.output)
        from_cli = [Assessment.model_validate(x) for x in json.loads(out.stdout)]
        r = client.post(
            "/assess",
            json={
                "scenario": s.model_dump(mode="json", exclude={"expect"}),
                "dates": [d.isoformat() for d in days],
                "actions": actions,
            },
        )
        assert r.status_code == 200, (path.name, r.text)
        from_http = [Assessment.model_validate(x) for x in r.json()]
        assert [_same(a) for a in library] == [_same(a) for a in from_cli] == [_same(a) for a in from_http], path.name
        for a in library:
            key = a.date.isoformat()
            batch_rows.setdefault(key, []).append((path.stem, {d.action: d for d in a.determinations}, s.facts))
        checked += len(days)
    assert checked >= 90  # every scenario has at least one expected date
    facts = list(e.rb.vocabulary.facts)
    for day, rows in batch_rows.items():
        source, target = tmp_path / f"in-{day}.jsonl", tmp_path / f"out-{day}.csv"
        with open(source, "w") as fh:
            for name, _dets, known in rows:
                fh.write(json.dumps({"id": name, **{f: known[f] for f in facts if f in known}}) + "\n")
        actions = sorted({a for _name, dets, _known in rows for a in dets})
        query.batch(
            e, source, target, [query.check_dates([__import__("datetime").date.fromisoformat(day)])[0]], actions
        )
        got = {(r["id"], r["action"]): (r["status"], r["basis"]) for r in csv.DictReader(open(target))}
        for name, dets, _known in rows:
            for action, d in dets.items():
                lawful = [b.provision.id for b in d.bases if b.lawful != "false"]
                basis = lawful[0] if lawful and d.status in ("permitted", "depends") else ""
                assert got[(name, action)] == (d.status, basis), (name, day, action)
