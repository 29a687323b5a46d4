#!/usr/bin/env python3
"""A deliberately misbehaving MCP server, for codemode's upstream tests.

Raw JSON-RPC over stdio, standard library only (no SDK), so that each fault
is exactly the one a test asks for. Tools:

- echo          returns its arguments as text (JSON)
- context       returns the process's cwd, argv, environment and pid
- crash         exits with status 1 without answering
- hang          never answers; a notifications/cancelled for it is recorded
- cancellations returns the request ids of every notifications/cancelled seen
- garbage       writes a line that is not JSON to stdout, then answers
- is_error      answers with isError: true
- rpc_error     answers with JSON-RPC error -32000
- flood_stderr  writes about 5 MB to stderr, then answers
- print_env     sends its environment as a log notification and writes it to
                stderr, then exits with status 1
- change_tools  adds the tool `added` and sends notifications/tools/list_changed
- wrong_id      answers, but with an id no request has
- huge_error    answers with a JSON-RPC error whose message is 10 MB
- huge_result   answers with a 100 MB result
- drip          writes its answer one byte per FAULTY_DRIP_SECONDS (default
                1); a notifications/cancelled for it makes it write the rest
                at once (the line stays whole)
- flood_stdout  sends 200,000 log notifications (about 30 MB), then answers
- remove_tools  removes every tool but `echo` and `remove_tools`, sends
                notifications/tools/list_changed, then answers

tools/list is paginated: pages of 6 tools (of 1,000 past 100 tools), linked
by nextCursor.

If the environment variable FAULTY_CRASH_FILE names a file that exists, the
server exits with status 3 before reading anything: a server that cannot
start (tests create and remove the file to make restarts fail or succeed).

The argument --tool-count=N adds tools `extra_0` to `extra_<N-1>` (an
argument, not a variable: codemode masks every env value in what a server
sends, and N would be one of the page cursors). Variables change what else
tools/list says: FAULTY_DUPLICATES=1 lists `echo` twice;
FAULTY_BAD_SCHEMA=1 adds `bad_schema`, whose inputSchema is not a valid JSON
Schema; FAULTY_NOT_A_SCHEMA=1 adds a tool whose inputSchema is a string.
"""

import json
import os
import sys
import threading
import time

TOOLS = [
    "echo",
    "context",
    "crash",
    "hang",
    "cancellations",
    "garbage",
    "is_error",
    "rpc_error",
    "flood_stderr",
    "print_env",
    "change_tools",
    "wrong_id",
    "huge_error",
    "huge_result",
    "drip",
    "flood_stdout",
    "remove_tools",
]
TOOL_COUNT = next((int(arg.split("=", 1)[1]) for arg in sys.argv[1:] if arg.startswith("--tool-count=")), 0)
TOOLS += [f"extra_{n}" for n in range(TOOL_COUNT)]
if os.environ.get("FAULTY_DUPLICATES"):
    TOOLS.append("echo")
if os.environ.get("FAULTY_BAD_SCHEMA"):
    TOOLS.append("bad_schema")
if os.environ.get("FAULTY_NOT_A_SCHEMA"):
    TOOLS.append("not_a_schema")
PAGE = 6 if len(TOOLS) < 100 else 1000

cancelled = []
# The request id being dripped, and the event that ends the drip.
dripping = {}
stdout_lock = threading.Lock()


def write(line):
    with stdout_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def send(message):
    write(json.dumps(message) + "\n")


def tool(name):
    schema = {"type": "object", "additionalProperties": True}
    if name == "bad_schema":
        schema = {"type": "object", "properties": {"x": {"type": 12, "pattern": "(["}}}
    if name == "not_a_schema":
        schema = "not a schema"
    return {"name": name, "description": "faulty server tool " + name, "inputSchema": schema}


def drip(request_id):
    """Writes the answer to `request_id` a byte at a time, in a thread."""
    line = json.dumps({"jsonrpc": "2.0", "id": request_id, "result": text("dripped")}) + "\n"
    stop = threading.Event()
    dripping[request_id] = stop
    interval = float(os.environ.get("FAULTY_DRIP_SECONDS", "1"))

    def run():
        with stdout_lock:
            for n, char in enumerate(line):
                if stop.is_set():
                    sys.stdout.write(line[n:])
                    break
                sys.stdout.write(char)
                sys.stdout.flush()
                stop.wait(interval)
            sys.stdout.flush()

    threading.Thread(target=run, daemon=True).start()


def text(value):
    return {"content": [{"type": "text", "text": value}]}


def call(request_id, name, arguments):
    """Answers one tools/call; returns None when there is no answer."""
    if name == "echo":
        return text(json.dumps(arguments, sort_keys=True))
    if name == "context":
        info = {"cwd": os.getcwd(), "argv": sys.argv[1:], "env": dict(os.environ), "pid": os.getpid()}
        return text(json.dumps(info, sort_keys=True))
    if name == "crash":
        sys.stderr.write("faulty: crashing on purpose\n")
        sys.stderr.flush()
        os._exit(1)
    if name == "hang":
        return None
    if name == "cancellations":
        return text(json.dumps(cancelled))
    if name == "garbage":
        sys.stdout.write("this is not JSON-RPC {{{\n")
        sys.stdout.flush()
        return text("after garbage")
    if name == "is_error":
        return {"content": [{"type": "text", "text": "it went wrong"}], "isError": True}
    if name == "flood_stderr":
        line = "x" * 1023 + "\n"
        for _ in range(5 * 1024):
            sys.stderr.write(line)
        sys.stderr.write("faulty: flood done\n")
        sys.stderr.flush()
        return text("flooded")
    if name == "print_env":
        send({
            "jsonrpc": "2.0",
            "method": "notifications/message",
            "params": {"level": "info", "logger": "faulty", "data": dict(os.environ)},
        })
        for key, value in sorted(os.environ.items()):
            sys.stderr.write(f"{key}={value}\n")
        sys.stderr.flush()
        os._exit(1)
    if name == "change_tools":
        if "added" not in TOOLS:
            TOOLS.append("added")
        send({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
        return text("changed")
    if name == "added":
        return text("added works")
    if name == "wrong_id":
        send({"jsonrpc": "2.0", "id": 1_000_000 + int(request_id), "result": text("lost")})
        return None
    if name == "huge_result":
        return text("x" * (100 * 1024 * 1024))
    if name == "drip":
        drip(request_id)
        return None
    if name == "flood_stdout":
        note = {"jsonrpc": "2.0", "method": "notifications/message",
                "params": {"level": "debug", "logger": "faulty", "data": "y" * 100}}
        line = json.dumps(note) + "\n"
        with stdout_lock:
            for _ in range(200_000):
                sys.stdout.write(line)
            sys.stdout.flush()
        return text("flooded stdout")
    if name == "remove_tools":
        TOOLS[:] = ["echo", "remove_tools"]
        send({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
        return text("removed")
    if name in ("bad_schema", "not_a_schema") or name.startswith("extra_"):
        return text(name)
    raise LookupError(name)


def handle(message):
    method = message.get("method")
    request_id = message.get("id")
    params = message.get("params") or {}
    if request_id is None:
        if method == "notifications/cancelled":
            cancelled.append(params.get("requestId"))
            stop = dripping.pop(params.get("requestId"), None)
            if stop is not None:
                stop.set()
        return
    if method == "initialize":
        send({
            "jsonrpc": "2.0",
            "id": request_id,
            "result": {
                "protocolVersion": params.get("protocolVersion", "2025-06-18"),
                "capabilities": {"tools": {"listChanged": True}},
                "serverInfo": {"name": "faulty", "version": "0.0.0"},
                "instructions": "A server that fails on request.",
            },
        })
    elif method == "tools/list":
        start = int(params.get("cursor") or 0)
        result = {"tools": [tool(name) for name in TOOLS[start:start + PAGE]]}
        if start + PAGE < len(TOOLS):
            result["nextCursor"] = str(start + PAGE)
        send({"jsonrpc": "2.0", "id": request_id, "result": result})
    elif method == "tools/call":
        name = params.get("name")
        if name == "rpc_error":
            send({
                "jsonrpc": "2.0",
                "id": request_id,
                "error": {"code": -32000, "message": "the database is on fire"},
            })
            return
        if name == "huge_error":
            message = "the database is on fire " + "z" * (10 * 1024 * 1024)
            send({"jsonrpc": "2.0", "id": request_id, "error": {"code": -32000, "message": message}})
            return
        try:
            result = call(request_id, name, params.get("arguments") or {})
        except LookupError:
            send({
                "jsonrpc": "2.0",
                "id": request_id,
                "error": {"code": -32602, "message": f"unknown tool {name}"},
            })
            return
        if result is not None:
            send({"jsonrpc": "2.0", "id": request_id, "result": result})
    elif method == "ping":
        send({"jsonrpc": "2.0", "id": request_id, "result": {}})
    else:
        send({
            "jsonrpc": "2.0",
            "id": request_id,
            "error": {"code": -32601, "message": f"method not found: {method}"},
        })


def main():
    crash_file = os.environ.get("FAULTY_CRASH_FILE")
    if crash_file and os.path.exists(crash_file):
        sys.stderr.write("faulty: refusing to start\n")
        sys.exit(3)
    for line in sys.stdin:
        line = line.strip()
        if line:
            handle(json.loads(line))


if __name__ == "__main__":
    main()
