#!/usr/bin/env python3
"""Overload and soak runs of `codemode serve --http` on loopback.

Starts `codemode serve --http 127.0.0.1:0` in front of the bundled demo MCP
server, drives it with MCP clients (one streamable HTTP session each, raw
HTTP/1.1 from the standard library), samples the server's RSS and open file
descriptors from /proc, stops it with SIGTERM and prints a report.

    cargo build --release -p codemode      # the server under test: target/release/codemode
    scripts/load.py overload [--clients 80] [--seconds 60]
    nice -n 10 scripts/load.py soak [--rate 10] [--seconds 3600] [--warmup 300]

Python 3.10 or later, standard library only; the server's limits are flags of
this script (`--max-executions`, `--fuel`, `--queue-timeout-ms`; the other
limits keep serve's defaults). `--fuel` defaults to 1,000,000,000 (about
0.2 s of busy JavaScript), so that `cpu` programs take a slot briefly
rather than for serve's default 5 s.

Each execution is one of a fixed mix: `trivial` (`return 1 + 1`), `tool`
(one demo tool call), `cpu` (an endless loop: ends with the CPU limit) and
`memory` (allocates without end: ends with the memory limit). An answer is
`ok` (the program's value, checked), `limit` (the program's own error, of
the kind its class expects), `busy` (no execution slot within the queue
timeout) or `error` (anything else: a wrong value, a JSON-RPC or HTTP
error, a broken connection); a request without an answer within
--request-timeout is `hung`.

overload: --clients sessions (default 10x --max-executions) send executions
back to back for --seconds. It passes when every request got `ok`, `limit`
or `busy`, and none hung.

soak: executions start at a steady --rate per second for --seconds, from
--workers sessions (default 4: fewer than --max-executions, so none
waits for a slot; when answers are slow the schedule falls behind). RSS and descriptors are sampled every
--sample seconds; growth compares the median of the last --warmup seconds
with the median of the --warmup seconds after the warm-up. It passes when
both grew by at most 5 % and no answer was `error`, `busy` or `hung`.

Both modes also fail when the server logs a WARN or ERROR line, or does
not exit with status 0 on SIGTERM.

Exit status: 0 passed, 1 failed, 2 bad usage or the server did not start.
Every loop is bounded by --seconds and every request by --request-timeout;
the server is stopped (SIGTERM, then SIGKILL) however the run ends.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROGRAMS = {
    "trivial": ("return 1 + 1", 2),
    "tool": ("return (await demo.get_today({})).today", "2025-06-15"),
    "cpu": ("let n = 0; while (true) { n++; }", "cpu"),
    "memory": ("const keep = []; while (true) { keep.push(new Uint8Array(1 << 20)); }", "memory"),
}
MIX = ["trivial"] * 4 + ["tool"] * 3 + ["cpu"] * 3 + ["memory"] * 2
OUTCOMES = ["ok", "limit", "busy", "error", "hung"]


class Server:
    """`codemode serve --http` as a child process."""

    def __init__(self, binary: str, extra: list[str]) -> None:
        self.config = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump({"mcpServers": {"demo": {"command": binary, "args": ["demo-server"]}}}, self.config)
        self.config.close()
        command = [binary, "serve", "--config", self.config.name, "--http", "127.0.0.1:0", *extra]
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        self.stderr: list[str] = []
        self.port = None
        listening = threading.Event()

        def drain() -> None:
            for line in self.process.stderr:
                self.stderr.append(line)
                if self.port is None and line.startswith("codemode: serving MCP at http://"):
                    self.port = int(line.rsplit(":", 1)[1].split("/")[0])
                    listening.set()
            listening.set()

        threading.Thread(target=drain, daemon=True).start()
        if not listening.wait(120) or self.port is None:
            self.stop()
            sys.exit(f"load.py: codemode serve did not start:\n{''.join(self.stderr)}")

    def status(self, field: str) -> int:
        """A KiB figure of /proc/PID/status: VmRSS, or VmHWM (the peak RSS)."""
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise RuntimeError(f"no {field} in /proc/{self.process.pid}/status")

    def sample(self) -> tuple[int, int]:
        """(RSS in KiB, open file descriptors) of the server process."""
        return self.status("VmRSS"), len(os.listdir(f"/proc/{self.process.pid}/fd"))

    def complaints(self) -> list[str]:
        """The server's WARN and ERROR log lines so far."""
        return [line.rstrip() for line in self.stderr if " WARN " in line or " ERROR " in line]

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        os.unlink(self.config.name)
        return self.process.returncode


class Session:
    """One MCP session over its own keep-alive HTTP/1.1 connection."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port, self.timeout = port, timeout
        self.connection: http.client.HTTPConnection | None = None
        self.session_id: str | None = None
        self.ids = itertools.count(1)
        reply, headers = self.post(
            {
                "jsonrpc": "2.0",
                "id": next(self.ids),
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "load.py", "version": "1"},
                },
            }
        )
        self.session_id = headers.get("mcp-session-id")
        if self.session_id is None or "result" not in reply:
            raise RuntimeError(f"initialize failed: {reply}")
        self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def post(self, message: dict) -> tuple[dict, dict]:
        """Sends one message; returns the JSON-RPC answer (for a request) and the headers."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
            headers["Mcp-Protocol-Version"] = "2025-11-25"
        try:
            self.connection.request("POST", "/mcp", json.dumps(message), headers)
            response = self.connection.getresponse()
            body = response.read().decode()
        except Exception:
            self.connection.close()
            self.connection = None
            raise
        if response.getheader("connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        answer: dict = {}
        if response.getheader("content-type", "").startswith("text/event-stream"):
            for line in body.splitlines():
                if line.startswith("data:") and line[5:].strip():
                    event = json.loads(line[5:])
                    if event.get("id") == message.get("id") and ("result" in event or "error" in event):
                        answer = event
        elif body:
            answer = json.loads(body)
        if response.status >= 400 and "error" not in answer:
            answer = {"error": {"code": response.status, "message": body[:200]}}
        return answer, {key.lower(): value for key, value in response.getheaders()}

    def execute(self, kind: str) -> tuple[str, str]:
        """Runs one program of `kind`: (outcome, detail)."""
        code, expected = PROGRAMS[kind]
        request = {
            "jsonrpc": "2.0",
            "id": next(self.ids),
            "method": "tools/call",
            "params": {"name": "execute", "arguments": {"code": code}},
        }
        try:
            answer, _ = self.post(request)
        except TimeoutError:
            return "hung", "no answer in time"
        except Exception as error:  # a broken connection is an error, not a hang
            return "error", f"{type(error).__name__}: {error}"
        if "error" in answer:
            return "error", json.dumps(answer["error"])[:200]
        result = answer.get("result", {})
        envelope = result.get("structuredContent")
        text = " ".join(block.get("text", "") for block in result.get("content", []))
        if envelope is None:
            return ("busy", text) if text.startswith("busy:") else ("error", text[:200])
        if envelope.get("ok"):
            value = envelope.get("value")
            return ("ok", "") if value == expected else ("error", f"value {value!r}")
        kind_seen = (envelope.get("error") or {}).get("kind")
        return ("limit", "") if kind_seen == expected else ("error", f"{kind}: {json.dumps(envelope.get('error'))[:200]}")


class Tally:
    """Outcomes and latencies, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.outcomes = {kind: dict.fromkeys(OUTCOMES, 0) for kind in PROGRAMS}
        self.latencies: dict[str, list[float]] = {kind: [] for kind in PROGRAMS}
        self.busy: list[float] = []
        self.errors: list[str] = []

    def add(self, kind: str, outcome: str, detail: str, seconds: float) -> None:
        with self.lock:
            self.outcomes[kind][outcome] += 1
            if outcome in ("ok", "limit"):
                self.latencies[kind].append(seconds)
            elif outcome == "busy":
                self.busy.append(seconds)
            if outcome in ("error", "hung") and len(self.errors) < 20:
                self.errors.append(f"{kind} {outcome}: {detail}")

    def total(self, outcome: str) -> int:
        return sum(counts[outcome] for counts in self.outcomes.values())


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def latency_lines(tally: Tally) -> list[str]:
    lines = []
    everything = [s for values in tally.latencies.values() for s in values]
    for kind, values in [*tally.latencies.items(), ("all", everything), ("busy", tally.busy)]:
        if values:
            lines.append(
                f"  {kind:8} n={len(values):6}  p50 {percentile(values, 50) * 1e3:8.1f} ms"
                f"  p99 {percentile(values, 99) * 1e3:8.1f} ms  max {max(values) * 1e3:8.1f} ms"
            )
    return lines


def outcome_lines(tally: Tally) -> list[str]:
    lines = [f"  {'':8} " + " ".join(f"{o:>7}" for o in OUTCOMES)]
    for kind, counts in tally.outcomes.items():
        lines.append(f"  {kind:8} " + " ".join(f"{counts[o]:7}" for o in OUTCOMES))
    return lines + [*(f"  ! {error}" for error in tally.errors)]


def print_tally(tally: Tally) -> None:
    print("  outcomes:")
    print("\n".join(outcome_lines(tally)))
    print("  latency end to end (ok and limit: answered programs; busy: until the answer):")
    print("\n".join(latency_lines(tally)))


def sampler(server: Server, every: float, until: float, samples: list[tuple[float, int, int]]) -> None:
    start = time.monotonic()
    while time.monotonic() < until:
        samples.append((time.monotonic() - start, *server.sample()))
        time.sleep(min(every, max(0.0, until - time.monotonic())))


def drive(
    server: Server, args: argparse.Namespace, sessions: int, every: float, next_start
) -> tuple[Tally, list[tuple[float, int, int]]]:
    """Runs `sessions` client threads, each executing programs of the mix one
    after the other at the times `next_start()` gives (None: stop), while
    sampling the server every `every` seconds until --seconds are over."""
    tally = Tally()
    samples: list[tuple[float, int, int]] = []
    sampling = threading.Thread(target=sampler, args=(server, every, time.monotonic() + args.seconds, samples))
    sampling.start()

    def client(n: int) -> None:
        rng = random.Random(n)
        try:
            session = Session(server.port, args.request_timeout)
        except Exception as error:
            tally.add("trivial", "error", f"opening a session: {type(error).__name__}: {error}", 0.0)
            return
        while (at := next_start()) is not None:
            time.sleep(max(0.0, at - time.monotonic()))
            kind = rng.choice(MIX)
            started = time.monotonic()
            outcome, detail = session.execute(kind)
            tally.add(kind, outcome, detail, time.monotonic() - started)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sampling.join()
    return tally, samples


def report_complaints(server: Server) -> list[str]:
    """Prints the server's WARN and ERROR lines (the first 20); returns them all."""
    complaints = server.complaints()
    print(f"  server log: {len(complaints)} WARN/ERROR lines")
    print("".join(f"  > {line}\n" for line in complaints[:20]), end="")
    return complaints


def overload(args: argparse.Namespace, server: Server) -> bool:
    deadline = time.monotonic() + args.seconds

    def next_start() -> float | None:
        now = time.monotonic()
        return now if now < deadline else None

    tally, samples = drive(server, args, args.clients, 1.0, next_start)
    answered = sum(tally.total(o) for o in OUTCOMES)
    rss = [s[1] for s in samples]
    fds = [s[2] for s in samples]
    print(
        f"overload: {args.clients} sessions for {args.seconds} s against --max-executions {args.max_executions}"
        f" --queue-timeout-ms {args.queue_timeout_ms}"
    )
    print(f"  {answered} executions, {answered / args.seconds:.1f}/s")
    print_tally(tally)
    print(
        f"  server RSS {rss[0] / 1024:.1f} MiB at start, {rss[-1] / 1024:.1f} MiB at the end, "
        f"peak {server.status('VmHWM') / 1024:.1f} MiB (VmHWM); fds {fds[0]} at start, peak {max(fds)} (sampled every 1 s)"
    )
    return tally.total("error") == 0 and tally.total("hung") == 0 and not report_complaints(server)


def soak(args: argparse.Namespace, server: Server) -> bool:
    start = time.monotonic()
    deadline = start + args.seconds
    # Executions start on a fixed schedule shared by the sessions: each
    # takes the next start time; a session never runs two at once.
    schedule = itertools.count()
    schedule_lock = threading.Lock()

    def next_start() -> float | None:
        with schedule_lock:
            at = start + next(schedule) / args.rate
        return at if at < deadline else None

    tally, samples = drive(server, args, args.workers, args.sample, next_start)

    def window(first: float, last: float, column: int) -> float:
        return statistics.median(s[column] for s in samples if first <= s[0] < last)

    after_warmup = (args.warmup, 2 * args.warmup)
    final = (args.seconds - args.warmup, args.seconds + 1)
    rss = (window(*after_warmup, 1), window(*final, 1))
    fds = (window(*after_warmup, 2), window(*final, 2))
    growth = [(end - begin) / begin * 100 for begin, end in (rss, fds)]
    answered = sum(tally.total(o) for o in OUTCOMES)
    print(f"soak: {args.rate}/s for {args.seconds} s from {args.workers} sessions")
    print(f"  {answered} executions, {answered / args.seconds:.1f}/s")
    print_tally(tally)
    print(
        f"  RSS {samples[0][1] / 1024:.1f} MiB at start, {rss[0] / 1024:.1f} MiB after warm-up, "
        f"{rss[1] / 1024:.1f} MiB at the end ({growth[0]:+.1f} %), peak {server.status('VmHWM') / 1024:.1f} MiB"
    )
    print(
        f"  fds {samples[0][2]} at start, {fds[0]:.0f} after warm-up, {fds[1]:.0f} at the end ({growth[1]:+.1f} %), "
        f"peak {max(s[2] for s in samples)}"
    )
    if args.samples:
        Path(args.samples).write_text("".join(f"{t:.0f} {r} {f}\n" for t, r, f in samples))
    clean = all(tally.total(o) == 0 for o in ("error", "busy", "hung")) and not report_complaints(server)
    return clean and max(growth) <= 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["overload", "soak"])
    parser.add_argument("--binary", default=str(ROOT / "target/release/codemode"))
    parser.add_argument("--max-executions", type=int, default=8)
    parser.add_argument("--fuel", type=int, default=1_000_000_000, help="the server's --fuel (cpu programs end there)")
    parser.add_argument("--queue-timeout-ms", type=int, default=5000, help="the server's --queue-timeout-ms")
    parser.add_argument("--seconds", type=int, help="default: 60 (overload), 3600 (soak)")
    parser.add_argument("--clients", type=int, help="overload: sessions (default 10x --max-executions)")
    parser.add_argument("--rate", type=float, default=10.0, help="soak: executions started per second")
    parser.add_argument("--workers", type=int, default=4, help="soak: sessions sharing the schedule")
    parser.add_argument("--warmup", type=int, default=300, help="soak: seconds before the baseline")
    parser.add_argument("--sample", type=float, default=10.0, help="soak: seconds between samples")
    parser.add_argument("--samples", help="soak: write 'seconds rss_kib fds' lines to this file")
    parser.add_argument("--request-timeout", type=float, default=120.0)
    args = parser.parse_args()
    args.seconds = args.seconds or (60 if args.mode == "overload" else 3600)
    args.clients = args.clients or 10 * args.max_executions
    if args.mode == "soak" and args.seconds < 3 * args.warmup:
        parser.error("--seconds must be at least 3x --warmup")
    if not os.access(args.binary, os.X_OK):
        parser.error(f"{args.binary} is not executable: build it with cargo build --release")
    limits = ["--max-executions", str(args.max_executions), "--fuel", str(args.fuel)]
    server = Server(args.binary, [*limits, "--queue-timeout-ms", str(args.queue_timeout_ms)])
    try:
        passed = overload(args, server) if args.mode == "overload" else soak(args, server)
    finally:
        status = server.stop()
    print(f"  server exit status after SIGTERM: {status}")
    print("PASSED" if passed and status == 0 else "FAILED")
    return 0 if passed and status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
