"""Load test of the HTTP API on loopback, bounded in time and clients: starts
`article9 serve --workers 2` on 127.0.0.1, then from this separate process runs C concurrent
clients for S seconds, mixing valid assessments with invalid requests, and reports requests
served, requests per second, p50/p99 latency, status codes (5xx must be zero) and the
server's memory at start and end. Run: python benchmarks/load.py [--clients 200] [--seconds 60]"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

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
INVALID = [
    {"scenario": {"title": "x", "facts": {"no_such_fact": True}}},
    {"scenario": {"facts": {}}},
    {"scenario": {"title": "x"}, "dates": ["2017-13-01"]},
]


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children (KiB), from /proc."""
    total = 0
    pids = (
        [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        if Path(f"/proc/{pid}/task/{pid}/children").exists()
        else [pid]
    )
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def request(body: dict) -> bytes:
    """A whole HTTP/1.1 request in one write, as browsers and wrk send small POSTs (a client
    that writes headers and body separately meets TCP's delayed ACK and measures ~40 ms of
    waiting instead of the service)."""
    data = json.dumps(body).encode()
    head = f"POST /assess HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    return head.encode() + data


REQUESTS = [request(VALID)] + [request(b) for b in INVALID]


async def client(port: int, deadline: float, latencies: list[float], codes: Counter, n: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = n
    try:
        while time.perf_counter() < deadline:
            payload = REQUESTS[0] if i % 4 else REQUESTS[1 + i % len(INVALID)]
            t = time.perf_counter()
            writer.write(payload)
            await writer.drain()
            status = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            codes[int(status.split()[1])] += 1
            latencies.append(time.perf_counter() - t)
            i += 1
    except (OSError, asyncio.IncompleteReadError) as exc:
        codes[type(exc).__name__] += 1
    finally:
        writer.close()


async def run(port: int, clients: int, seconds: float) -> tuple[list[float], Counter, float]:
    latencies: list[float] = []
    codes: Counter = Counter()
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(*(client(port, deadline, latencies, codes, n) for n in range(clients)))
    return latencies, codes, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "article9", "serve", "--port", str(port), "--workers", str(args.workers)],
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        for _ in range(4 * args.workers):  # warm each worker's rule base and grounding
            httpx.post(base + "/assess", json=VALID, timeout=30)
        start_mem = rss_kib(server.pid)
        latencies, codes, elapsed = asyncio.run(run(port, args.clients, args.seconds))
        end_mem = rss_kib(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    served = sum(codes.values())
    server_errors = sum(v for k, v in codes.items() if isinstance(k, int) and k >= 500)
    print(f"{args.clients} clients, {elapsed:.0f} s, {args.workers} workers on 127.0.0.1")
    print(f"requests: {served} ({served / elapsed:,.0f}/s); status codes: {dict(sorted(codes.items(), key=str))}")
    print(
        f"latency: p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {sorted(latencies)[int(len(latencies) * 0.99)] * 1000:.0f} ms"
    )
    print(f"5xx: {server_errors}; server memory: {start_mem / 1024:.0f} MiB at start, {end_mem / 1024:.0f} MiB at end")


if __name__ == "__main__":
    main()
