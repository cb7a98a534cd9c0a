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


def guard_constructor(loader: type, tag: str, what: str) -> None:
    """Make `loader` report a scalar of `tag` that Python cannot build (an integer of more
    than 4300 digits, a date like 2016-13-45) as a YAML error at its line, not a ValueError."""
    construct = loader.yaml_constructors[tag]

    def build(self: yaml.constructor.SafeConstructor, node: yaml.Node) -> object:
        try:
            return construct(self, node)
        except ValueError as exc:
            shown = node.value if len(node.value) <= 30 else node.value[:27] + "..."
            reason = "too many digits" if "digits" in str(exc) else str(exc)
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {shown!r} as {what} ({reason})", node.start_mark
            ) from None

    loader.add_constructor(tag, build)


class _LawLoader(FAST_LOADER):  # type: ignore[misc, valid-type]
    """The fast safe loader, with unbuildable numbers and dates reported at their line."""


guard_constructor(_LawLoader, "tag:yaml.org,2002:int", "a number")
guard_constructor(_LawLoader, "tag:yaml.org,2002:timestamp", "a date")

MARKERS = ("V", "P", "U")
# the subsections of a provision's section: its Japanese summary, and the record of what was read
SUBSECTIONS = {"日本語": "ja", "Text read": "read"}
OPEN_END = dt.date.max
_FENCE = re.compile(r"^```\s*(\w*)\s*(.*)$")
_ATTR = re.compile(r"(\w+)=(\S+)")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_BLOCK_NESTING = re.compile(r"[ \t]*(?:[-?:][ \t]+)*")
MAX_YAML_DEPTH = 200
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class _Window:
    """Something in force from `start` to `end` (inclusive); `end` is OPEN_END while it lasts."""

    start: dt.date
    end: dt.date

    def in_force(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def window(self) -> str:
        end = "" if self.end == OPEN_END else self.end.isoformat()
        return f"{self.start.isoformat()}..{end}"


@dataclass
class Block(_Window):
    """A fenced clingo block: rules in force from `start` to `end` (inclusive)."""

    provision_id: str
    text: str
    start: dt.date
    end: dt.date
    path: str
    line: int  # line of the block's first rule line in the file


@dataclass
class Numbering(_Window):
    """The article number (and title) a provision had from `start` to `end` (inclusive):
    articles are renumbered by later amendments while the provision id stays the same."""

    start: dt.date
    end: dt.date
    article: str  # e.g. "Art. 100-8"
    article_ja: str  # e.g. "第100条の8"
    name: str  # the article's heading in that window, in English
    name_ja: str  # and in Japanese, e.g. "在外邦人等の輸送"

    def title(self, lang: str = "en") -> str:
        return f"{self.article_ja}（{self.name_ja}）" if lang == "ja" else f"{self.article}: {self.name}"


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
    numbers: list[Numbering] = field(default_factory=list)
    read: str = ""  # the '### Text read' subsection: which texts were read, dates, marker

    def numbering_on(self, day: dt.date | None) -> Numbering | None:
        """The article number in force on `day` (the latest one when `day` is None); None
        for a provision whose number never changed (its title carries it)."""
        if not self.numbers:
            return None
        if day is None:
            return self.numbers[-1]
        for n in self.numbers:
            if n.in_force(day):
                return n
        before = [n for n in self.numbers if n.start <= day]
        return before[-1] if before else self.numbers[0]

    def title_on(self, day: dt.date | None, lang: str = "en") -> str:
        """The provision's title as cited on `day`: with the article number of that day."""
        n = self.numbering_on(day)
        if n is not None:
            return n.title(lang)
        return self.title_ja if lang == "ja" and self.title_ja else self.title


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


def _yaml_depth(text: str) -> int:
    """An upper bound on how deep a YAML text nests: open flow brackets plus, on each line,
    the indentation and the compact '- ' / '? ' indicators. libyaml's composer recurses
    on the C stack, so tens of thousands of levels would crash the process."""
    flow = deepest = 0
    for line in text.split("\n"):
        block = _BLOCK_NESTING.match(line)
        assert block is not None  # the pattern matches every line
        for c in line:
            if c in "[{":
                flow += 1
                deepest = max(deepest, flow + len(block.group(0)))
            elif c in "]}":
                flow -= 1
        deepest = max(deepest, flow + len(block.group(0)))
    return deepest


def _yaml(text: str, where: str, name: str, first_line: int) -> dict:
    """A YAML mapping; a syntax error names the file line (text starts at `first_line`)."""
    if _yaml_depth(text) > MAX_YAML_DEPTH:
        raise RuleBaseError(f"{where}: invalid YAML: nested more than {MAX_YAML_DEPTH} deep")
    try:
        data = yaml.load(text, Loader=_LawLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f"{name}:{first_line + mark.line}:{mark.column + 1}" if mark else where
        raise RuleBaseError(f"{at}: invalid YAML: {exc.problem or exc.context or 'syntax error'}") from None
    except yaml.YAMLError as exc:
        raise RuleBaseError(f"{where}: invalid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise RuleBaseError(f"{where}: invalid YAML: nested too deeply") from None
    if not isinstance(data, dict):
        raise RuleBaseError(f"{where}: expected a mapping of keys to values")
    return data


_SCALARS = (str, int, float, bool, dt.date)


def _str_or_none(value: object, key: str = "", where: str = "") -> str | None:
    if value is None:
        return None
    if not isinstance(value, _SCALARS):
        raise RuleBaseError(f"{where}: '{key}' must be a single value, not a {type(value).__name__}")
    return str(value)


def _names(value: object, key: str, where: str) -> list[str]:
    """A list of ids or keys, e.g. sources: [S19, S23]; absent or null is empty."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, _SCALARS) for v in value):
        raise RuleBaseError(f"{where}: '{key}' must be a list of names, e.g. [a, b]")
    return [str(v) for v in value]


def _check_characters(text: str, name: str) -> None:
    """Control characters (NUL ...) and lone surrogates are refused, with their line."""
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise RuleBaseError(f"{name}:{line}: character U+{ord(bad.group(0)):04X} is not allowed in a law file")


def parse_law_file(path: Path, text: str | None = None, name: str | None = None) -> Instrument:
    """Parse one literate law file; every problem is reported with file and line, the file
    named `name` (default: folder/file, as `law/sdf-act.md`)."""
    name = name or f"{path.parent.name}/{path.name}"
    text = path.read_text(encoding="utf-8") if text is None else text
    _check_characters(text, name)
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise RuleBaseError(f"{name}:1: a law file starts with '---' and YAML front matter")
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise RuleBaseError(f"{name}:1: front matter is not closed with '---'") from None
    where = f"{name}:2"
    meta = _yaml("\n".join(lines[1:close]), where, name, 2)
    for key in ("id", "kind", "title_en", "title_ja"):
        if not meta.get(key):
            raise RuleBaseError(f"{name}:2: front matter lacks '{key}'")
    inst = Instrument(
        id=str(_str_or_none(meta["id"], "id", where)),
        kind=str(_str_or_none(meta["kind"], "kind", where)),
        title_en=str(_str_or_none(meta["title_en"], "title_en", where)),
        title_ja=str(_str_or_none(meta["title_ja"], "title_ja", where)),
        law_number=_str_or_none(meta.get("law_number"), "law_number", where),
        egov_id=_str_or_none(meta.get("egov_id"), "egov_id", where),
        promulgated=_str_or_none(meta.get("promulgated"), "promulgated", where),
        in_force=_str_or_none(meta.get("in_force"), "in_force", where),
        sources=_names(meta.get("sources"), "sources", where),
        intro="",
        path=name,
        meta=meta,
    )
    intro: list[str] = []
    current: Provision | None = None
    parts: dict[str, list[str]] = {"en": [], "ja": [], "read": []}
    summary = parts["en"]
    i = close + 1

    def finish() -> None:
        if current is not None:
            current.summary = "\n".join(parts["en"]).strip()
            ja = "\n".join(parts["ja"]).strip()
            if ja and current.summary_ja:
                raise RuleBaseError(
                    f"{name}:{current.line}: Japanese summary given twice (summary_ja and '### 日本語')"
                )
            current.summary_ja = current.summary_ja or ja
            current.read = "\n".join(parts["read"]).strip()
            if not current.id:
                raise RuleBaseError(f"{name}:{current.line}: section has no ```provision block")
            inst.provisions.append(current)

    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            finish()
            current = Provision("", line[3:].strip(), "", "", [], inst.id, "", line=i + 1)
            parts = {"en": [], "ja": [], "read": []}
            summary = parts["en"]
            i += 1
            continue
        if current is not None and line.startswith("### "):
            heading = line[4:].strip()
            if heading not in SUBSECTIONS:
                raise RuleBaseError(
                    f"{name}:{i + 1}: unknown subsection '{heading}'; a provision has '### 日本語' and '### Text read'"
                )
            summary = parts[SUBSECTIONS[heading]]
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
                _fill_provision(current, _yaml("\n".join(body), where, name, start + 2), inst.id, where)
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
    pid = _str_or_none(meta.get("id"), "id", where) or ""
    if not pid.startswith(instrument + "/"):
        raise RuleBaseError(f"{where}: provision id '{pid}' must start with '{instrument}/'")
    marker = _str_or_none(meta.get("marker"), "marker", where) or ""
    if marker not in MARKERS:
        raise RuleBaseError(f"{where}: marker must be one of V, P, U (got '{marker}')")
    p.id = pid
    p.title_ja = _str_or_none(meta.get("title_ja"), "title_ja", where) or ""
    p.marker = marker
    p.sources = _names(meta.get("sources"), "sources", where)
    p.aliases = _names(meta.get("aliases"), "aliases", where)
    p.replaces = _names(meta.get("replaces"), "replaces", where)
    p.summary_ja = (_str_or_none(meta.get("summary_ja"), "summary_ja", where) or "").strip()
    p.numbers = _numbers(meta.get("numbers"), where)


def _numbers(value: object, where: str) -> list[Numbering]:
    """`numbers:` in a provision's metadata: the article number of each window, in date
    order, without gaps or overlaps; each entry {from, to (optional on the last), article,
    article_ja, name, name_ja}."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise RuleBaseError(
            f"{where}: 'numbers' must be a list of mappings with from, to, article, article_ja, name, name_ja"
        )
    out: list[Numbering] = []
    for i, entry in enumerate(value):
        at = f"{where}: numbers[{i}]"
        missing = [k for k in ("from", "article", "article_ja", "name", "name_ja") if not entry.get(k)]
        if missing:
            raise RuleBaseError(f"{at} lacks {', '.join(missing)}")
        unknown = set(entry) - {"from", "to", "article", "article_ja", "name", "name_ja"}
        if unknown:
            raise RuleBaseError(f"{at}: unknown key(s) {sorted(unknown)}")
        start = _date(str(entry["from"]), at)
        end = _date(str(entry["to"]), at) if entry.get("to") else OPEN_END
        if end < start:
            raise RuleBaseError(f"{at}: ends ({end}) before it starts ({start})")
        if out and start != out[-1].end + dt.timedelta(days=1):
            raise RuleBaseError(
                f"{at}: starts {start}, but the previous number ends {out[-1].end}: no gap or overlap allowed"
            )
        texts = [_str_or_none(entry[k], k, at) or "" for k in ("article", "article_ja", "name", "name_ja")]
        out.append(Numbering(start, end, *texts))
    return out


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
