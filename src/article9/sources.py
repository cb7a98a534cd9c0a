"""The sources the law files, scenarios and vocabulary cite by key ("S23", "T2", "LB-02",
"BRIEF 2.2"), from the package data file data/sources.yaml: key -> title, publisher, url,
date and language where known."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SOURCES = Path(__file__).parent / "data" / "sources.yaml"
KEY = re.compile(r"\b(BRIEF (?:LB-\d+|S\d+|T\d+|\d+(?:\.\d+)?)|LB-\d+|S\d{1,2}|T\d{1,2})\b")
"""A source key in running text; the web page uses the same pattern to link keys."""


def normalise(found: str) -> str:
    """'BRIEF S27' and 'S27' name the same source; 'BRIEF 2.2' is a section of the brief."""
    if found.startswith("BRIEF ") and not found[6].isdigit():
        return found[6:]
    return found


def keys_in(text: str) -> set[str]:
    """Every source key cited in `text`."""
    return {normalise(m.group(0)) for m in KEY.finditer(text)}


@lru_cache(maxsize=1)
def load_sources() -> dict[str, dict[str, Any]]:
    """Key -> entry, in the file's order."""
    return yaml.safe_load(SOURCES.read_text(encoding="utf-8"))
