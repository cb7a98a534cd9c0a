"""Pathways to change: Diet seat data by date and the arithmetic of each route (Cabinet
reinterpretation, legislation, Art. 59(2) re-passage, constitutional amendment). The data
ship in the package (copied from shared/data with their sources); the rules are the literate
file pathways/diet-votes.md, evaluated by clingo."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import clingo
import yaml
from pydantic import BaseModel, Field

from .corpus import suggest
from .errors import InputError, RuleBaseError
from .lawfile import FAST_LOADER, Instrument, parse_law_file
from .rules import parse_block

DATA = Path(__file__).parent / "data"
RULES = Path(__file__).parent / "pathways" / "diet-votes.md"
HOUSES = {"hor": "house_of_representatives", "hoc": "house_of_councillors"}
HOUSE_NAMES = {"hor": "House of Representatives", "hoc": "House of Councillors"}
ROUTES = {
    "interpretation": ["interpretation"],
    "statute": ["statute", "statute_by_override"],
    "amendment": ["amendment_initiation"],
}
PATHWAY_FACTS = {"size", "support", "present", "governing", "initiation_day"}


class HouseArithmetic(BaseModel):
    house: str
    election: str
    size: int
    seats: int = Field(description="seats of the supporting parties")
    needs: dict[str, int] = Field(description="seats each vote needs: amendment, statute, override")
    shortfall: dict[str, int]


class Switch(BaseModel):
    party: str
    move: str = Field(description="'leaves' or 'joins' the supporting parties")
    opens: list[str]
    closes: list[str]


class SupportResult(BaseModel):
    name: str
    parties: list[str]
    counted_as: str | None = None
    houses: list[HouseArithmetic]
    routes_open: list[str]
    switches: list[Switch] = Field(default_factory=list)
    note: str | None = None


class Pathways(BaseModel):
    schema_id: str = Field(default="article9.pathways/1", alias="schema")
    date: dt.date
    change: str
    routes_considered: list[str]
    results: list[SupportResult]
    referendum_window: tuple[dt.date, dt.date] | None = Field(
        default=None, description="if an amendment were initiated on this date: first and last referendum day"
    )
    model_config = {"populate_by_name": True}


@lru_cache(maxsize=1)
def data() -> dict:
    return yaml.load((DATA / "diet_composition.yaml").read_text(encoding="utf-8"), Loader=FAST_LOADER)


@lru_cache(maxsize=1)
def coalitions() -> list[dict]:
    return yaml.load((DATA / "coalitions.yaml").read_text(encoding="utf-8"), Loader=FAST_LOADER)


@lru_cache(maxsize=1)
def rules() -> tuple[Instrument, str]:
    inst = parse_law_file(RULES)
    texts = []
    next_id = 0
    for prov in inst.provisions:
        for block in prov.blocks:
            for rule in parse_block(block, next_id):
                next_id += 1
                texts.append(rule.text)
    return inst, "\n".join(texts)


def first_election() -> dt.date:
    return min(e["date"] for e in data()["elections"])


def election_on(house: str, day: dt.date) -> dict:
    held = [e for e in data()["elections"] if e["house"] == {"hor": "representatives", "hoc": "councillors"}[house]]
    before = [e for e in held if e["date"] <= day]
    if not before:
        raise InputError(
            f"no {HOUSE_NAMES[house]} election on or before {day.isoformat()} in the data "
            f"(it starts with {min(e['date'] for e in held).isoformat()})"
        )
    return max(before, key=lambda e: e["date"])


def seats(house: str, day: dt.date) -> dict[str, int]:
    e = election_on(house, day)
    key = "n" if house == "hor" else "total"
    return {p: v[key] for p, v in e["seats"].items() if isinstance(v, dict) and v.get(key) is not None}


def coalition(day: dt.date) -> dict:
    current = [c for c in coalitions() if c["from"] <= day]
    if not current:
        raise InputError(f"no coalition data for {day.isoformat()} (the data start on {coalitions()[0]['from']})")
    return max(current, key=lambda c: c["from"])


def amendment_camp(house: str, day: dt.date) -> dict | None:
    """The preferred 'pro-amendment forces' tally of the latest election in that house."""
    entries = election_on(house, day).get("pro_amendment_forces") or []
    preferred = [x for x in entries if x.get("preferred")]
    return preferred[0] if preferred else None


LAST_DAY = dt.date(9998, 12, 31)  # the referendum window (up to 180 days on) must stay within year 9999


def referendum_window(day: dt.date) -> tuple[dt.date, dt.date]:
    """If the Diet initiated an amendment on `day`: the first and last possible referendum days."""
    _inst, text = rules()
    ctl = clingo.Control(["--warn=none"], logger=lambda _c, _m: None)
    ctl.add("base", [], text + f"\ninitiation_day({day.toordinal()}).")
    ctl.ground([("base", [])])
    window: tuple[dt.date, dt.date] | None = None
    with ctl.solve(yield_=True) as handle:
        for model in handle:
            for sym in model.symbols(atoms=True):
                if sym.name == "referendum_window":
                    a, b = sym.arguments
                    window = (dt.date.fromordinal(a.number), dt.date.fromordinal(b.number))
    assert window is not None
    return window


def evaluate(sizes: dict[str, int], support: dict[str, int], governing: bool) -> tuple[set[str], dict]:
    """Run the rules of diet-votes.md on one set of numbers."""
    _inst, text = rules()
    facts = [f"size({h},{n}). present({h},{n}). support({h},{support[h]})." for h, n in sizes.items()]
    if governing:
        facts.append("governing.")
    ctl = clingo.Control(["--warn=none"], logger=lambda _c, _m: None)
    ctl.add("base", [], text + "\n" + "\n".join(facts))
    ctl.ground([("base", [])])
    open_routes: set[str] = set()
    needs: dict[str, dict[str, int]] = {h: {} for h in sizes}
    with ctl.solve(yield_=True) as handle:
        for model in handle:
            for sym in model.symbols(atoms=True):
                if sym.name == "route":
                    open_routes.add(sym.arguments[0].name)
                elif sym.name == "needs":
                    needs[sym.arguments[0].name][sym.arguments[1].name] = sym.arguments[2].number
    return open_routes, needs


def check_parties(names: list[str]) -> None:
    known = data()["parties"]
    for name in names:
        if name not in known:
            raise InputError(
                f"unknown party {name!r}{suggest(name, known)}; the data's party keys are e.g. LDP, Komeito, CDP, Ishin, DPFP"
            )


def _result(
    name: str,
    parties: list[str],
    day: dt.date,
    governing: bool,
    counts: dict[str, int] | None = None,
    counted_as: str | None = None,
    switches: bool = True,
    note: str | None = None,
) -> SupportResult:
    sizes = {h: election_on(h, day)["statutory_size"] for h in HOUSES}
    table = {h: seats(h, day) for h in HOUSES}
    support = counts or {h: sum(table[h].get(p, 0) for p in parties) for h in HOUSES}
    open_routes, needs = evaluate(sizes, support, governing)
    houses = [
        HouseArithmetic(
            house=h,
            election=election_on(h, day)["id"],
            size=sizes[h],
            seats=support[h],
            needs=needs[h],
            shortfall={k: max(0, v - support[h]) for k, v in needs[h].items()},
        )
        for h in HOUSES
    ]
    moves = []
    if switches and counts is None:
        everyone = sorted(
            {p for h in HOUSES for p in table[h]} - {"independents", "minor_groups", "others_and_independents"}
        )
        for party in everyone:
            changed = [p for p in parties if p != party] if party in parties else [*parties, party]
            sup = {h: sum(table[h].get(p, 0) for p in changed) for h in HOUSES}
            if sup == support:
                continue
            routes, _ = evaluate(sizes, sup, governing)
            opens, closes = sorted(routes - open_routes), sorted(open_routes - routes)
            if opens or closes:
                moves.append(
                    Switch(party=party, move="leaves" if party in parties else "joins", opens=opens, closes=closes)
                )
    return SupportResult(
        name=name,
        parties=parties,
        counted_as=counted_as,
        houses=houses,
        routes_open=sorted(open_routes),
        switches=moves,
        note=note,
    )


def pathways(
    day: dt.date, support: list[str] | None = None, without: list[str] | None = None, change: str = "all"
) -> Pathways:
    if change not in (*ROUTES, "all"):
        raise InputError(f"--change must be interpretation, statute, amendment or all (got {change!r})")
    if day > LAST_DAY:
        raise InputError(
            f"{day.isoformat()} is too late: a referendum window runs up to 180 days past the date, "
            f"so pathways answers dates up to {LAST_DAY.isoformat()}"
        )
    if day < first_election():
        raise InputError(
            f"{day.isoformat()} is before the first election in the seat data ({first_election().isoformat()})"
        )
    support, without = list(support or []), list(without or [])
    check_parties(support + without)
    both = sorted(set(support) & set(without))
    if both:
        raise InputError(f"contradictory support lists: {', '.join(both)} both supports and is excluded")
    coal = coalition(day)
    results = []
    if support:
        governing = set(coal["parties"]) <= set(support)
        seated = {p for h in HOUSES for p, n in seats(h, day).items() if n}
        empty = [p for p in support if p not in seated]
        note = (
            f"{', '.join(empty)} held no seats on this date (party keys follow names at each election, "
            "e.g. OsakaIshin before Ishin)"
            if empty
            else None
        )
        results.append(_result("the parties given", support, day, governing, note=note))
    else:
        parties = [p for p in coal["parties"] if p not in without]
        results.append(
            _result(
                "governing coalition" + (" (less " + ", ".join(without) + ")" if without else ""),
                parties,
                day,
                governing=not without,
                note=coal.get("note"),
            )
        )
        camps = {h: amendment_camp(h, day) for h in HOUSES}
        if all(camps.values()):
            counts = {h: camps[h]["count"] for h in HOUSES}
            counted = "; ".join(
                f"{HOUSE_NAMES[h]}: {camps[h]['outlet']} ({', '.join(map(str, camps[h]['parties']))})" for h in HOUSES
            )
            results.append(
                _result(
                    "amendment camp (改憲勢力), as the sources count it",
                    [],
                    day,
                    governing=False,
                    counts=counts,
                    counted_as=counted,
                    switches=False,
                )
            )
        else:
            missing = ", ".join(HOUSE_NAMES[h] for h, c in camps.items() if not c)
            results.append(
                SupportResult(
                    name="amendment camp (改憲勢力), as the sources count it",
                    parties=[],
                    houses=[],
                    routes_open=[],
                    note=f"no tally in the sources for the latest {missing} election",
                )
            )
    considered = [r for k, rs in ROUTES.items() if change in (k, "all") for r in rs]
    for r in results:
        r.routes_open = [x for x in r.routes_open if x in considered]
        for s in r.switches:
            s.opens = [x for x in s.opens if x in considered]
            s.closes = [x for x in s.closes if x in considered]
        r.switches = [s for s in r.switches if s.opens or s.closes]
    window = referendum_window(day) if "amendment_initiation" in considered else None
    return Pathways(date=day, change=change, routes_considered=considered, results=results, referendum_window=window)


def check_rules() -> None:
    """The pathway rules read only the facts the engine supplies and each other."""
    inst, _ = rules()
    heads = set()
    bodies = set()
    for prov in inst.provisions:
        for block in prov.blocks:
            for rule in parse_block(block, 0):
                heads.add(rule.atoms[0].name)
                bodies |= {a.name for a in rule.atoms[1:]}
    unknown = bodies - heads - PATHWAY_FACTS
    if unknown:
        raise RuleBaseError(f"{RULES.name}: rules read {sorted(unknown)}, which nothing supplies")


class HistoryRow(BaseModel):
    date: dt.date
    what: str
    route: str
    instruments: list[str]
    sources: list[str]
    arithmetic: SupportResult | None = Field(
        description="the governing coalition's numbers that day, where the seat data reach"
    )
    route_open: bool | None = Field(description="whether the coalition alone had the numbers for the route taken")


class AmendmentRow(BaseModel):
    election: str
    date: dt.date
    house: str
    camp: int | None
    needs: int
    outlet: str | None
    reached: bool | None


class History(BaseModel):
    schema_id: str = Field(default="article9.pathways-history/1", alias="schema")
    changes: list[HistoryRow]
    amendment_camp: list[AmendmentRow] = Field(description="the amendment camp against two-thirds after each election")
    model_config = {"populate_by_name": True}


def history() -> History:
    """Each change in the corpus with the route it took and the Diet arithmetic that day; and,
    election by election, how far the amendment camp was from two-thirds."""
    changes = yaml.load((DATA / "law_changes.yaml").read_text(encoding="utf-8"), Loader=FAST_LOADER)
    rows = []
    for c in changes:
        arithmetic = None
        is_open = None
        if c["date"] >= first_election():
            arithmetic = _result(
                "governing coalition", coalition(c["date"])["parties"], c["date"], True, switches=False
            )
            is_open = c["route"] in arithmetic.routes_open
        rows.append(
            HistoryRow(
                date=c["date"],
                what=c["what"],
                route=c["route"],
                instruments=c["instruments"],
                sources=c["sources"],
                arithmetic=arithmetic,
                route_open=is_open,
            )
        )
    camp_rows = []
    for e in sorted(data()["elections"], key=lambda e: e["date"]):
        house = "hor" if e["house"] == "representatives" else "hoc"
        _routes, needs = evaluate({house: e["statutory_size"]}, {house: 0}, False)
        preferred = [x for x in (e.get("pro_amendment_forces") or []) if x.get("preferred")]
        camp = preferred[0]["count"] if preferred else None
        camp_rows.append(
            AmendmentRow(
                election=e["id"],
                date=e["date"],
                house=house,
                camp=camp,
                needs=needs[house]["amendment"],
                outlet=preferred[0]["outlet"] if preferred else None,
                reached=None if camp is None else camp >= needs[house]["amendment"],
            )
        )
    return History(changes=rows, amendment_camp=camp_rows)


HOUSE_NAMES_JA = {"hor": "衆議院", "hoc": "参議院"}


def chart_rows(parties: list[str] | None = None) -> list[dict]:
    """One row per election: the seats of the governing coalition after it (or of the
    parties given) against the majority and two-thirds of all members, as the rules of
    diet-votes.md count them. The data of the pathways chart, in the web and in `chart_svg`."""
    rows = []
    for e in sorted(data()["elections"], key=lambda e: e["date"]):
        house = "hor" if e["house"] == "representatives" else "hoc"
        day = e["date"]
        support = parties or (e.get("coalition_after") or {}).get("parties") or coalition(day)["parties"]
        n = sum(seats(house, day).get(p, 0) for p in support)
        _r, needs = evaluate({house: e["statutory_size"]}, {house: n}, False)
        rows.append(
            {
                "house": house,
                "house_name": {"en": HOUSE_NAMES[house], "ja": HOUSE_NAMES_JA[house]},
                "election": e["id"],
                "date": day.isoformat(),
                "parties": list(support),
                "seats": n,
                "size": e["statutory_size"],
                "majority": needs[house]["statute"],
                "two_thirds": needs[house]["amendment"],
            }
        )
    return rows


def chart_svg(parties: list[str] | None = None, day: dt.date | None = None, lang: str = "en") -> str:
    """The pathways chart as SVG, drawn with matplotlib (the charts extra): see charts.pathways_svg."""
    from .charts import pathways_svg

    return pathways_svg(chart_rows(parties), day or dt.date.today(), lang)
