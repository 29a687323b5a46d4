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

tools/list is paginated: two pages, linked by nextCursor.

If the environment variable FAULTY_CRASH_FILE names a file that exists, the
server exits with status 3 before reading anything: a server that cannot
start (tests create and remove the file to make restarts fail or succeed).
"""

import json
import os
import sys

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
]
PAGE = 6

cancelled = []


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def tool(name):
    return {
        "name": name,
        "description": "faulty server tool " + name,
        "inputSchema": {"type": "object", "additionalProperties": True},
    }


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
    raise LookupError(name)


def handle(message):
    method = message.get("method")
    request_id = message.get("id")
    params = message.get("params") or {}
    if request_id is None:
        if method == "notifications/cancelled":
            cancelled.append(params.get("requestId"))
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
