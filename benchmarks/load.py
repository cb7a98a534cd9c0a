"""Load and soak test of the HTTP API on loopback, bounded in time and clients: starts
`article9 serve --workers 2` on 127.0.0.1, then from this separate process runs C concurrent
clients for S seconds. The mix is mostly valid assessments, with invalid requests of every kind
the service must refuse without a 5xx: unknown facts, missing fields, bad dates, too many dates,
malformed JSON, a wrong Content-Type, unknown routes, and bodies over the size limit (declared
in Content-Length, and streamed in chunks). It reports requests served, requests per second,
p50/p99 latency, the status codes (overall and per kind of request), the number of 5xx, the
server's memory at start, middle and end, and the server's JSON log lines counted. The mix
includes requests with unknown facts (every fact unknown, one date 50 times: review A10),
which may get the documented 503 of a costly request; each client connects from its own
loopback address, and one more client sends a cheap request twice a second to show how
long a cheap answer takes during the storm; another sends, once a second, what the web page
sends when a reader asks with nothing known yet (every fact unknown, every action, no
explanation trees: the page asks /explain for a card's tree when it is opened).

Exit status: 0 when no request got a 5xx (other than a costly request's documented 503),
every request got the status its kind expects and
no connection failed (other than one the server closed on an over-limit body); 1 otherwise.
--json FILE writes the same results as JSON.

Run: python benchmarks/load.py [--clients 200] [--seconds 60] [--workers 2] [--json FILE] [--mix soak|assess]
--mix assess sends only fully known scenarios with all 28 actions (throughput, issue 7).
--mix web sends random partial scenarios (each fact known or not at random), every action,
without explanation trees ("explain": false): the web page's question, answered from the
compiled deciding sets (issue 16)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

VALID = {
    "scenario": {
        "title": "load",
        "facts": {
            "missile_flying_toward_japan": True,
            "intercept_over_japan_or_high_seas": True,
            "mindef_destruction_order_pm_approved": True,
        },
    },
    "dates": ["2017-01-01"],
    "actions": ["intercept_missile_aimed_at_japan"],
}
OVER_LIMIT = 300 * 1024  # bytes: over the service's default 256 KiB body limit


@dataclass(frozen=True)
class Kind:
    """One kind of request in the mix: its bytes on the wire and the status it must get."""

    name: str
    wire: bytes
    expect: int
    also: tuple[int, ...] = ()  # other documented answers (a 503 when costly work is busy)


def http(
    method: str, path: str, body: bytes = b"", content_type: str | None = "application/json", **headers: str
) -> bytes:
    """A whole HTTP/1.1 request in one write, as browsers and wrk send small POSTs (a client
    that writes headers and body separately meets TCP's delayed ACK and measures ~40 ms of
    waiting instead of the service). Content-Length is the body's unless given in `headers`
    (as keyword arguments, underscores for hyphens)."""
    fields = {"Host": "127.0.0.1"}
    if content_type:
        fields["Content-Type"] = content_type
    if method == "POST":
        fields["Content-Length"] = str(len(body))
    fields.update({k.replace("_", "-"): v for k, v in headers.items()})
    if "Transfer-Encoding" in fields:
        del fields["Content-Length"]
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n"
    return head.encode() + body


def post(body: Any, path: str = "/assess") -> bytes:
    return http("POST", path, json.dumps(body).encode())


def chunked(data: bytes, size: int = 16 * 1024) -> bytes:
    """`data` in the chunked transfer coding."""
    parts = [b"%x\r\n%s\r\n" % (len(data[i : i + size]), data[i : i + size]) for i in range(0, len(data), size)]
    return b"".join(parts) + b"0\r\n\r\n"


BIG = b" " * OVER_LIMIT
VALID_KIND = Kind("valid assessment", post(VALID), 200)
INVALID_KINDS = [
    Kind("unknown fact", post({"scenario": {"title": "x", "facts": {"no_such_fact": True}}}), 422),
    Kind("missing title", post({"scenario": {"facts": {}}}), 422),
    Kind("bad date", post({"scenario": {"title": "x"}, "dates": ["2017-13-01"]}), 422),
    Kind("too many dates", post({**VALID, "dates": ["2017-01-01"] * 51}), 422),
    Kind("malformed JSON", http("POST", "/assess", b'{"scenario": {"title": "x",'), 422),
    Kind("wrong content type", http("POST", "/assess", json.dumps(VALID).encode(), "text/plain"), 415),
    Kind("unknown route (GET)", http("GET", "/no/such/route", content_type=None), 404),
    Kind("unknown route (POST)", post(VALID, "/no-such-endpoint"), 404),
    # announces a large body and waits to be asked for it, as curl does
    Kind(
        "body too large (announced)",
        http("POST", "/assess", Content_Length=str(OVER_LIMIT), Expect="100-continue"),
        413,
    ),
    # sends a large body with its Content-Length in one go
    Kind("body too large (sent)", http("POST", "/assess", BIG), 413),
    # streams a large body in chunks, without a Content-Length: counted as it arrives
    Kind("body too large (chunked)", http("POST", "/assess", chunked(BIG), Transfer_Encoding="chunked"), 413),
]
# the unknown-facts requests the soak once lacked (review A10): every fact unknown, one date
# sent 50 times (merged into one), and a few facts known with all 28 actions. Each is costly:
# it may get the documented 503 when the worker's costly slots stay busy past its time limit.
UNKNOWN_KINDS = [
    Kind(
        "all facts unknown, 50 x one date",
        post({"scenario": {"title": "all unknown", "facts": {}}, "dates": ["2017-01-01"] * 50}),
        200,
        (503,),
    ),
    Kind(
        "some facts unknown, 28 actions",
        post({"scenario": {**VALID["scenario"], "title": "open"}, "dates": ["2016-05-01"]}),
        200,
        (503,),
    ),
]
# forty-two slots: 29 valid assessments, one of each of the 11 invalid kinds, two with unknown facts
MIX = [VALID_KIND] * 29 + INVALID_KINDS + UNKNOWN_KINDS
MIX_KNOWN = [VALID_KIND] * 29 + INVALID_KINDS


def assess_mix(n: int = 500, seed: int = 1) -> list[Kind]:
    """--mix assess: only valid requests, each a fully known scenario (every fact true or
    false at random, so answers are not reused from one request to the next) with all 28
    actions and their explanations on one date."""
    import random

    from article9.corpus import load_rulebase

    rb = load_rulebase()
    rng = random.Random(seed)
    return [
        Kind(
            "fully known scenario, all actions",
            post(
                {
                    "scenario": {
                        "title": f"r{i}",
                        "facts": consistent({f: rng.random() < 0.5 for f in rb.vocabulary.facts}, rb, False),
                    },
                    "dates": ["2017-01-01"],
                }
            ),
            200,
        )
        for i in range(n)
    ]


def consistent(known: dict[str, bool], rb: Any, keep_open: bool = True) -> dict[str, bool]:
    """The facts with each contradiction of law/reach.yaml (a 422) undone: its first fact left
    open, or (keep_open=False, for a fully known scenario) given the other value."""
    for c in rb.reach.constraints:
        if all(known.get(f) == v for f, v in c.facts.items()):
            first = next(iter(c.facts))
            if keep_open:
                known.pop(first)
            else:
                known[first] = not known[first]
    return known


def web_mix(n: int = 500, seed: int = 2) -> list[Kind]:
    """--mix web: random partial scenarios (each fact true, false or left out at random), all
    actions, one date, no explanation trees."""
    import random

    from article9.corpus import load_rulebase

    rb = load_rulebase()
    facts = list(rb.vocabulary.facts)
    rng = random.Random(seed)
    kinds = []
    for i in range(n):
        known = consistent({f: rng.random() < 0.5 for f in facts if rng.random() < 0.5}, rb)
        body = {"scenario": {"title": f"w{i}", "facts": known}, "dates": ["2017-01-01"], "explain": False}
        kinds.append(Kind("partial scenario, all actions, no trees", post(body), 200))
    return kinds


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children (KiB), from /proc."""
    total = 0
    children = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [pid] + ([int(p) for p in children.read_text().split()] if children.exists() else [])
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


@dataclass
class Results:
    latencies: list[float]
    valid_latencies: list[float]
    codes: Counter
    by_kind: dict[str, Counter]
    errors: Counter
    probe: list[float]
    empty: list[float]


EMPTY = post(
    {"scenario": {"title": "web", "facts": {}}, "dates": ["2017-01-01"], "actions": [], "lang": "en", "explain": False}
)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Status and whether the server will close the connection, skipping any 100 Continue."""
    while True:
        status = int((await reader.readuntil(b"\r\n")).split()[1])
        length = 0
        closes = False
        while True:
            line = await reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
            elif name.lower() == b"connection" and value.strip().lower() == b"close":
                closes = True
        if status != 100:
            await reader.readexactly(length)
            return status, closes


def client_address(n: int) -> str:
    """Client n's loopback address (all of 127.0.0.0/8 is this machine): 127.0.1.1 on, so
    that the service's per-client limits see 200 clients, not one."""
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


async def probe(
    port: int,
    deadline: float,
    out: list[float],
    wire: bytes = VALID_KIND.wire,
    address: str = "127.0.0.2",
    every: float = 0.5,
) -> None:
    """A cheap request (one action, decided) twice a second from one more client, new
    connection each time: how long a cheap answer takes during the storm."""
    while time.perf_counter() < deadline:
        t = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(address, 0))
            writer.write(wire)
            await writer.drain()
            status, _closes = await read_response(reader)
            writer.close()
            out.append(time.perf_counter() - t if status == 200 else float("inf"))
        except (OSError, asyncio.IncompleteReadError, ValueError):
            out.append(float("inf"))
        await asyncio.sleep(every)


async def client(port: int, deadline: float, n: int, out: Results, mix: list[Kind]) -> None:
    i = n
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    while time.perf_counter() < deadline:
        kind = mix[i % len(mix)]
        i += 1
        try:
            if conn is None:  # each client from its own loopback address, as separate machines would be
                conn = await asyncio.open_connection("127.0.0.1", port, local_addr=(client_address(n), 0))
            reader, writer = conn
            t = time.perf_counter()
            writer.write(kind.wire)
            await writer.drain()
            status, closes = await read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            out.errors[f"{kind.name}: {type(exc).__name__}"] += 1
            closes = True
        else:
            elapsed = time.perf_counter() - t
            out.codes[status] += 1
            out.by_kind[kind.name][status] += 1
            out.latencies.append(elapsed)
            if kind.expect == 200:
                out.valid_latencies.append(elapsed)
        if closes and conn is not None:
            conn[1].close()
            conn = None
    if conn is not None:
        conn[1].close()


async def run(
    port: int, clients: int, seconds: float, server_pid: int, mix: list[Kind]
) -> tuple[Results, float, list[tuple[float, int]]]:
    out = Results([], [], Counter(), defaultdict(Counter), Counter(), [], [])
    memory: list[tuple[float, int]] = [(0.0, rss_kib(server_pid))]
    start = time.perf_counter()
    deadline = start + seconds

    async def sample() -> None:
        while True:
            await asyncio.sleep(1)
            memory.append((time.perf_counter() - start, rss_kib(server_pid)))

    sampler = asyncio.create_task(sample())
    await asyncio.gather(
        *(client(port, deadline, n, out, mix) for n in range(clients)),
        probe(port, deadline, out.probe),
        probe(port, deadline, out.empty, EMPTY, "127.0.0.3", 1.0),
    )
    elapsed = time.perf_counter() - start
    sampler.cancel()
    memory.append((elapsed, rss_kib(server_pid)))
    return out, elapsed, memory


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000 if ordered else float("nan")


def count_log_lines(path: Path) -> int:
    """The server's one-JSON-line-per-request access log lines."""
    n = 0
    for line in path.read_text(errors="replace").splitlines():
        try:
            if "request_id" in json.loads(line):
                n += 1
        except (ValueError, TypeError):
            pass
    return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON to FILE")
    parser.add_argument(
        "--mix",
        choices=["soak", "known", "assess", "web"],
        default="soak",
        help="soak: valid and invalid requests mixed, with unknown facts (default); known: the same without the "
        "unknown-facts requests (the mix before review A10); assess: fully known scenarios, all actions; "
        "web: partial scenarios, all actions, no explanation trees",
    )
    args = parser.parse_args()
    mix = {"soak": MIX, "known": MIX_KNOWN}.get(args.mix) or (web_mix() if args.mix == "web" else assess_mix())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = Path(tempfile.mkstemp(prefix="article9-load-", suffix=".log")[1])
    with log.open("ab") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "article9", "serve", "--port", str(port), "--workers", str(args.workers)],
            start_new_session=True,
            stderr=log_file,
        )
    base = f"http://127.0.0.1:{port}"
    warm = 0
    try:
        for _ in range(150):
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    warm += 1
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            print("the server did not start; its log:\n" + log.read_text(), file=sys.stderr)
            return 1
        for _ in range(4 * args.workers):  # warm each worker's rule base and grounding
            httpx.post(base + "/assess", json=VALID, timeout=30)
            warm += 1
        out, elapsed, memory = asyncio.run(run(port, args.clients, args.seconds, server.pid, mix))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    log_lines = count_log_lines(log)
    log.unlink()

    served = sum(out.codes.values())
    server_errors = sum(v for k, v in out.codes.items() if k >= 500)
    expected = {k.name: k.expect for k in [*mix, VALID_KIND]}
    allowed = {k.name: {k.expect, *k.also} for k in [*mix, VALID_KIND]}
    unexpected = {
        f"{name}: {status}": n
        for name, counts in out.by_kind.items()
        for status, n in counts.items()
        if status not in allowed[name]
    }
    documented_503 = sum(out.by_kind[k.name][503] for k in mix if 503 in k.also)
    middle = min(memory, key=lambda m: abs(m[0] - elapsed / 2))
    # a server may close the connection on a client still sending an over-limit body (the
    # client can then see a reset instead of the 413); on any other request it is a failure
    failed_connections = {k: v for k, v in out.errors.items() if not k.startswith("body too large")}
    ok = served > 0 and server_errors == documented_503 and not unexpected and not failed_connections
    results = {
        "mix": args.mix,
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "workers": args.workers,
        "requests": served,
        "requests_per_second": round(served / elapsed, 1),
        "latency_ms": {
            "p50": round(percentile(out.latencies, 0.5), 1),
            "p99": round(percentile(out.latencies, 0.99), 1),
            "valid_p50": round(percentile(out.valid_latencies, 0.5), 1),
            "valid_p99": round(percentile(out.valid_latencies, 0.99), 1),
        },
        "status_codes": {str(k): v for k, v in sorted(out.codes.items())},
        "by_kind": {name: {str(s): n for s, n in sorted(c.items())} for name, c in sorted(out.by_kind.items())},
        "server_errors_5xx": server_errors,
        "documented_503": documented_503,
        "cheap_probe_ms": {
            "requests": len(out.probe),
            "p50": round(percentile(out.probe, 0.5), 1),
            "max": round(max(out.probe, default=float("nan")) * 1000, 1),
            "within_1s": sum(1 for x in out.probe if x < 1),
        },
        "empty_probe_ms": {
            "requests": len(out.empty),
            "p50": round(percentile(out.empty, 0.5), 1),
            "max": round(max(out.empty, default=float("nan")) * 1000, 1),
            "within_1s": sum(1 for x in out.empty if x < 1),
        },
        "unexpected_status": unexpected,
        "connection_errors": dict(out.errors),
        "memory_mib": {
            "start": round(memory[0][1] / 1024, 1),
            "middle": round(middle[1] / 1024, 1),
            "end": round(memory[-1][1] / 1024, 1),
            "max": round(max(m[1] for m in memory) / 1024, 1),
            "samples": [[round(t, 1), round(kib / 1024, 1)] for t, kib in memory],
        },
        "server_log_lines": log_lines,
        "requests_including_warm_up": served + warm,
        "ok": ok,
    }
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")

    lat, mem = results["latency_ms"], results["memory_mib"]
    print(f"{args.clients} clients, {elapsed:.0f} s, {args.workers} workers on 127.0.0.1")
    print(f"requests served: {served} ({served / elapsed:,.0f}/s)")
    print(
        f"latency: p50 {lat['p50']:.0f} ms, p99 {lat['p99']:.0f} ms (valid assessments: p50 {lat['valid_p50']:.0f} ms, p99 {lat['valid_p99']:.0f} ms)"
    )
    print("status codes: " + ", ".join(f"{k}: {v}" for k, v in results["status_codes"].items()))
    for name, counts in results["by_kind"].items():
        print(f"  {name:<33} expects {expected[name]}: " + ", ".join(f"{s}: {n}" for s, n in counts.items()))
    if out.errors:
        print("connection errors: " + ", ".join(f"{k}: {v}" for k, v in out.errors.items()))
    print(
        f"server memory: {mem['start']:.0f} MiB at start, {mem['middle']:.0f} MiB in the middle, {mem['end']:.0f} MiB at end (max {mem['max']:.0f} MiB)"
    )
    print(f"server log: {log_lines} JSON lines for {served + warm} requests (warm-up and health check included)")
    pr = results["cheap_probe_ms"]
    print(
        f"cheap probe from another client: {pr['within_1s']} of {pr['requests']} answered within 1 s "
        f"(p50 {pr['p50']:.0f} ms, max {pr['max']:.0f} ms)"
    )
    pe = results["empty_probe_ms"]
    print(
        f"empty scenario as the web page sends it (every action, no trees): {pe['within_1s']} of {pe['requests']} "
        f"answered within 1 s (p50 {pe['p50']:.0f} ms, max {pe['max']:.0f} ms)"
    )
    print(
        f"5xx: {server_errors} ({documented_503} documented 503s of costly requests); "
        f"unexpected statuses: {sum(unexpected.values())}" + (f" {unexpected}" if unexpected else "")
    )
    print("PASS" if ok else "FAIL")
    if args.json:
        print(f"results written to {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
