"""Parser for the literate law files: Markdown with YAML front matter, one section per
provision, a ```provision block of metadata and ```clingo blocks tagged with dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import RuleBaseError

# libyaml's C loader when PyYAML has it: the same safe constructors, several times faster
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MARKERS = ("V", "P", "U")
OPEN_END = dt.date.max
_FENCE = re.compile(r"^```\s*(\w*)\s*(.*)$")
_ATTR = re.compile(r"(\w+)=(\S+)")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass
class Block:
    """A fenced clingo block: rules in force from `start` to `end` (inclusive)."""

    provision_id: str
    text: str
    start: dt.date
    end: dt.date
    path: str
    line: int  # line of the block's first rule line in the file

    def in_force(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def window(self) -> str:
        end = "" if self.end == OPEN_END else self.end.isoformat()
        return f"{self.start.isoformat()}..{end}"


@dataclass
class Provision:
    id: str
    title: str
    title_ja: str
    marker: str
    sources: list[str]
    instrument: str
    summary: str
    aliases: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    line: int = 0
    replaces: list[str] = field(default_factory=list)
    summary_ja: str = ""


@dataclass
class Instrument:
    id: str
    kind: str
    title_en: str
    title_ja: str
    law_number: str | None
    egov_id: str | None
    promulgated: str | None
    in_force: str | None
    sources: list[str]
    intro: str
    path: str
    provisions: list[Provision] = field(default_factory=list)
    meta: dict = field(default_factory=dict)


def _date(value: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RuleBaseError(f"{where}: '{value}' is not a date (expected YYYY-MM-DD)") from None


def _yaml(text: str, where: str) -> dict:
    try:
        data = yaml.load(text, Loader=FAST_LOADER)
    except yaml.YAMLError as exc:
        raise RuleBaseError(f"{where}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise RuleBaseError(f"{where}: expected a mapping of keys to values")
    return data


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def parse_law_file(path: Path, text: str | None = None) -> Instrument:
    """Parse one literate law file; every problem is reported with file and line."""
    name = f"{path.parent.name}/{path.name}"
    text = path.read_text(encoding="utf-8") if text is None else text
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise RuleBaseError(f"{name}:1: a law file starts with '---' and YAML front matter")
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise RuleBaseError(f"{name}:1: front matter is not closed with '---'") from None
    meta = _yaml("\n".join(lines[1:close]), f"{name}:2")
    for key in ("id", "kind", "title_en", "title_ja"):
        if not meta.get(key):
            raise RuleBaseError(f"{name}:2: front matter lacks '{key}'")
    inst = Instrument(
        id=str(meta["id"]),
        kind=str(meta["kind"]),
        title_en=str(meta["title_en"]),
        title_ja=str(meta["title_ja"]),
        law_number=_str_or_none(meta.get("law_number")),
        egov_id=_str_or_none(meta.get("egov_id")),
        promulgated=_str_or_none(meta.get("promulgated")),
        in_force=_str_or_none(meta.get("in_force")),
        sources=[str(s) for s in meta.get("sources") or []],
        intro="",
        path=name,
        meta=meta,
    )
    intro: list[str] = []
    current: Provision | None = None
    summary: list[str] = []
    i = close + 1

    def finish() -> None:
        if current is not None:
            current.summary = "\n".join(summary).strip()
            if not current.id:
                raise RuleBaseError(f"{name}:{current.line}: section has no ```provision block")
            inst.provisions.append(current)

    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            finish()
            current = Provision("", line[3:].strip(), "", "", [], inst.id, "", line=i + 1)
            summary = []
            i += 1
            continue
        fence = _FENCE.match(line)
        if fence and fence.group(1):
            lang, attrs = fence.group(1), fence.group(2)
            start = i
            i += 1
            body: list[str] = []
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            if i == len(lines):
                raise RuleBaseError(f"{name}:{start + 1}: code block is not closed")
            i += 1
            where = f"{name}:{start + 1}"
            if current is None:
                raise RuleBaseError(f"{where}: code block outside a '## ' provision section")
            if lang == "provision":
                _fill_provision(current, _yaml("\n".join(body), where), inst.id, where)
            elif lang == "clingo":
                if not current.id:
                    raise RuleBaseError(f"{where}: clingo block before the ```provision block")
                current.blocks.append(_block(current.id, body, attrs, name, start + 2, where))
            else:
                summary.extend([line, *body, "```"])
            continue
        (summary if current is not None else intro).append(line)
        i += 1
    finish()
    inst.intro = "\n".join(intro).strip()
    return inst


def _fill_provision(p: Provision, meta: dict, instrument: str, where: str) -> None:
    pid = str(meta.get("id") or "")
    if not pid.startswith(instrument + "/"):
        raise RuleBaseError(f"{where}: provision id '{pid}' must start with '{instrument}/'")
    marker = str(meta.get("marker") or "")
    if marker not in MARKERS:
        raise RuleBaseError(f"{where}: marker must be one of V, P, U (got '{marker}')")
    p.id = pid
    p.title_ja = str(meta.get("title_ja") or "")
    p.marker = marker
    p.sources = [str(s) for s in meta.get("sources") or []]
    p.aliases = [str(a) for a in meta.get("aliases") or []]
    p.replaces = [str(a) for a in meta.get("replaces") or []]
    p.summary_ja = str(meta.get("summary_ja") or "").strip()


def _block(pid: str, body: list[str], attrs: str, path: str, line: int, where: str) -> Block:
    found = dict(_ATTR.findall(attrs))
    unknown = set(found) - {"from", "to"}
    if unknown:
        raise RuleBaseError(f"{where}: unknown block attribute(s) {sorted(unknown)}; use from= and to=")
    if "from" not in found:
        raise RuleBaseError(f"{where}: clingo block needs from=YYYY-MM-DD (the date it came into force)")
    start = _date(found["from"], where)
    end = _date(found["to"], where) if "to" in found else OPEN_END
    if end < start:
        raise RuleBaseError(f"{where}: block ends ({end}) before it starts ({start})")
    return Block(pid, "\n".join(body), start, end, path, line)
