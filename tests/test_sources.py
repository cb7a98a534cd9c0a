"""Every source key a reader meets (law files, scenarios, playbooks, vocabulary, data,
reforms) resolves to an entry of the packaged sources.yaml, which GET /sources serves."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import ROOT, engine

from article9.server import create_app
from article9.sources import keys_in, load_sources

PKG = ROOT / "src" / "article9"
CITING = [PKG / "law", PKG / "data", PKG / "reforms", PKG / "pathways", ROOT / "scenarios", ROOT / "playbooks"]


def cited() -> dict[str, set[str]]:
    where: dict[str, set[str]] = {}
    for root in CITING:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".md", ".yaml") and path.name != "sources.yaml":
                for key in keys_in(path.read_text(encoding="utf-8")):
                    where.setdefault(key, set()).add(str(path.relative_to(ROOT)))
    rb = engine().rb
    for item in [*rb.provisions.values(), *rb.instruments.values()]:
        for entry in item.sources:  # e.g. "S23", "BRIEF 9 item 11" (linked as BRIEF 9)
            found = keys_in(entry)
            assert found, (item.id, entry)
            for key in found:
                where.setdefault(key, set()).add(item.id)
    return where


def test_every_cited_key_has_an_entry():
    where = cited()
    assert {"S23", "S1", "T2", "LB-02", "BRIEF 2.2"} <= set(where)  # the scan finds keys of each kind
    missing = {k: sorted(v)[:3] for k, v in where.items() if k not in load_sources()}
    assert not missing, missing


def test_entries_have_a_title_and_only_real_urls():
    for key, entry in load_sources().items():
        assert entry["title"].strip(), key
        for url in entry.get("urls", [entry["url"]] if "url" in entry else []):
            assert url.startswith(("http://", "https://")), (key, url)
        if "url" in entry:
            assert entry["url"] == entry.get("urls", [entry["url"]])[0]
        assert entry.get("language") in (None, "en", "ja"), key


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("(BRIEF 2.2, S15)", {"BRIEF 2.2", "S15"}),
        ("BRIEF LB-02 (b) and (f) [V S6, S7, S48]", {"LB-02", "S6", "S7", "S48"}),
        ("R2 (BRIEF 0.3, T2)", {"BRIEF 0.3", "T2"}),
        ("BRIEF S27", {"S27"}),
        ("SDF Act Art. 76; no key here", set()),
    ],
)
def test_keys_in_running_text(text, keys):
    assert keys_in(text) == keys


def test_sources_route_serves_the_file():
    client = TestClient(create_app())
    r = client.get("/sources")
    assert r.status_code == 200
    assert r.json() == load_sources()
    assert r.json()["S8"]["url"].startswith("https://www.shugiin.go.jp/")


def test_sources_are_package_data():
    assert Path(load_sources.__module__.replace(".", "/")).name == "sources"
    assert (PKG / "data" / "sources.yaml").is_file()
