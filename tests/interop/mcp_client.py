#!/usr/bin/env python3
"""An MCP client built on the official Python SDK (`mcp` on PyPI), for
codemode's interop tests.

It connects to a server over stdio or streamable HTTP using only the SDK's
client API (`mcp.ClientSession`, `mcp.client.stdio.stdio_client` with
`StdioServerParameters`, `mcp.client.streamable_http.streamable_http_client`),
runs one fixed scenario and prints ONE JSON object on stdout. The Rust tests
assert on that object; nothing else is written to stdout (the SDK and a stdio
server write their diagnostics to stderr).

Usage:

    mcp_client.py stdio [OPTIONS] -- COMMAND [ARGS...]
    mcp_client.py http URL [--token TOKEN] [--header 'Name: value'] [OPTIONS]

Options (after the transport word):

    --scenario session     (default) codemode's `search` and `execute` tools
    --scenario tools-only  list the tools and call `--call NAME=JSON` (repeatable;
                           default: the demo server's get_today and aggregate_orders)
    --scenario shutdown    `execute` the program; once its first progress message
                           is in, print "executing" on stderr and wait for a line
                           on stdin (the test stops the server meanwhile), then
                           `search` while the program still runs, and await both
    --program FILE         the program `execute` runs (default: DEFAULT_PROGRAM)
    --handshake legacy     (default) `initialize`, as `ClientSession.initialize()` does
    --handshake auto       probe `server/discover` first and fall back to
                           `initialize`: what the SDK's high-level `mcp.Client` does
                           by default
    --timeout SECONDS      overall deadline (default 60); past it the run fails

Exit status: 0 when every step ran without an exception or a JSON-RPC error,
1 otherwise (the object then has an "error" key; steps that did run are still
reported), 2 for bad usage (argparse).

The object, for every scenario:

    ok                bool
    error             str, only when ok is false: the first failure
    failure           {protocol_error} | {exception}, only when the run itself
                      failed (connecting, the handshake, tools/list)
    scenario          "session" | "tools-only" | "shutdown"
    transport         "stdio" | "http"
    handshake         "legacy" | "auto"
    sdk_version       the installed `mcp` version
    protocol_version  the version the SDK negotiated
    server_info       {name, version, ...} from initialize (null if none)
    capabilities      the server's capabilities, as sent (camelCase keys)
    instructions      str | null
    tools             [{name, title, description_length, input_schema,
                        output_schema, annotations}]

A tool call is reported as a "call" object:

    {is_error, structured_content, text, content_types}
    or {protocol_error: {code, message, data}} for a JSON-RPC error answer
    or {exception: "Type: message"} when the SDK raised anything else

`text` joins the call's text content blocks with newlines;
`structured_content` is the result's `structuredContent` (null if absent).

Scenario "session" adds:

    search             [{query, ...call}] for the queries "orders revenue" and ""
    execute_progress   {...call, progress: [{progress, total, message}],
                        progress_messages: [str], logs: [log]}: `execute` on
                        the program with a progress callback, before
                        logging/setLevel (so `logs` should be empty)
    set_logging_level  "ok" | {protocol_error} | {exception}: logging/setLevel "debug";
                        "per-request" when 2026-07-28 was negotiated (no setLevel
                        is sent; the next call opts in with _meta
                        "io.modelcontextprotocol/logLevel": "debug")
    execute_logging    {...call, logs: [log]}: the same program again, without
                        a progress callback, after logging/setLevel
    execute_failure    {...call, error}: `throw new TypeError("boom")`; `error`
                        is structured_content.error (null if absent)
    execute_bad_input  [{arguments, ...call}]: `execute` with arguments of the
                        wrong shape ({"program": ...}, {"code": 42})

where log = {level, logger, data} from notifications/message.

Scenario "tools-only" adds:

    calls  [{name, arguments, ...call}] in the order of --call

Scenario "shutdown" adds:

    execute   call: the program started before the line on stdin
    search    call: "orders", sent after it
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
import warnings
from contextlib import AsyncExitStack
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import anyio
import mcp.types as types
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

# The demo server's tools are the namespace `demo` (see demo/src/tools/).
# TypeScript, as models write it: codemode strips the types before running it.
DEFAULT_PROGRAM = """\
interface Group { key: { region?: string }; count: number; sum: number; avg: number }
interface Row { region: string; revenue: number }
const today: string = (await demo.get_today({})).today;
console.log("today is", today);
const [byRegion, all] = await Promise.all([
  demo.aggregate_orders({ group_by: ["region"], sort_by: "sum", order: "desc" }),
  demo.aggregate_orders({}),
]);
const rows: Row[] = byRegion.items.map((g: Group) => ({ region: g.key.region as string, revenue: g.sum }));
console.info(`top region: ${rows[0].region}`);
console.warn("orders:", all.items[0].count);
console.debug("regions:", rows.length);
return { today, rows, total: all.items[0].sum as number } as { today: string; rows: Row[]; total: number };
"""

FAILING_PROGRAM = 'throw new TypeError("boom")'

SEARCH_QUERIES = ["orders revenue", ""]

DEFAULT_CALLS = ["get_today={}", 'aggregate_orders={"group_by": ["region"], "limit": 10}']


def dump(model: Any) -> Any:
    """A pydantic model as the JSON the server sent (camelCase keys)."""
    if model is None:
        return None
    return model.model_dump(by_alias=True, mode="json", exclude_none=True)


def describe_failure(error: BaseException) -> dict[str, Any]:
    """A step's failure: a JSON-RPC error answer, or any other exception."""
    if isinstance(error, MCPError):
        return {"protocol_error": {"code": error.code, "message": error.message, "data": error.data}}
    return {"exception": f"{type(error).__name__}: {error}"}


def describe_result(result: types.CallToolResult) -> dict[str, Any]:
    return {
        "is_error": result.is_error,
        "structured_content": result.structured_content,
        "text": "\n".join(block.text for block in result.content if isinstance(block, types.TextContent)),
        "content_types": [block.type for block in result.content],
    }


class Run:
    """The report being built, and the first failure seen."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.report: dict[str, Any] = {
            "ok": True,
            "scenario": args.scenario,
            "transport": args.transport,
            "handshake": args.handshake,
            "sdk_version": package_version("mcp"),
        }
        # Log notifications go to the list of the step that is running.
        self.logs: list[dict[str, Any]] = []
        # What the run is doing, for the message of a timeout.
        self.step = "connecting"

    def fail(self, step: str, error: BaseException | str) -> None:
        if self.report["ok"]:
            self.report["ok"] = False
            detail = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
            self.report["error"] = f"{step}: {detail}"

    async def on_log(self, params: types.LoggingMessageNotificationParams) -> None:
        self.logs.append({"level": params.level, "logger": params.logger, "data": params.data})

    async def call(self, session: ClientSession, step: str, name: str, arguments: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Calls a tool; a failure is recorded in the step and in the run."""
        self.step = step
        try:
            result = await session.call_tool(name, arguments, **kwargs)
        except Exception as error:  # recorded, and the remaining steps still run
            self.fail(step, error)
            return describe_failure(error)
        return describe_result(result)


async def handshake(session: ClientSession, mode: str) -> None:
    if mode == "legacy":
        await session.initialize()
    else:
        # Exactly what `mcp.Client(..., mode="auto")` (the SDK's default) runs on connect.
        from mcp.client._probe import negotiate_auto

        await negotiate_auto(session)


async def session_scenario(run: Run, session: ClientSession, program: str) -> None:
    report = run.report
    report["search"] = []
    for query in SEARCH_QUERIES:
        report["search"].append({"query": query, **await run.call(session, f"search {query!r}", "search", {"query": query})})

    progress: list[dict[str, Any]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append({"progress": value, "total": total, "message": message})

    run.logs = []
    step = await run.call(session, "execute with progress", "execute", {"code": program}, progress_callback=on_progress)
    report["execute_progress"] = {
        **step,
        "progress": progress,
        "progress_messages": [p["message"] for p in progress if p["message"] is not None],
        "logs": run.logs,
    }

    # Up to 2025-11-25 logging/setLevel subscribes the session to log
    # notifications; from 2026-07-28 (what --handshake auto may negotiate)
    # a request opts in through its own `_meta`, and the SDK sends no setLevel.
    meta: dict[str, Any] | None = None
    if session.discover_result is None:
        try:
            await session.set_logging_level("debug")
            report["set_logging_level"] = "ok"
        except Exception as error:
            run.fail("logging/setLevel", error)
            report["set_logging_level"] = describe_failure(error)
    else:
        report["set_logging_level"] = "per-request"
        meta = {types.LOG_LEVEL_META_KEY: "debug"}

    run.logs = []
    step = await run.call(session, "execute with logging", "execute", {"code": program}, meta=meta)
    # Over streamable HTTP before 2026-07-28, log notifications travel on the
    # session's standalone GET stream, not with the response, so the last ones
    # may arrive just after it: wait (briefly) for as many as the program wrote.
    content = step.get("structured_content")
    expected = len(content.get("logs", [])) if isinstance(content, dict) else 0
    with anyio.move_on_after(5):
        while len(run.logs) < expected:
            await anyio.sleep(0.02)
    report["execute_logging"] = {**step, "logs": run.logs}

    run.logs = []
    step = await run.call(session, "execute failing", "execute", {"code": FAILING_PROGRAM})
    content = step.get("structured_content")
    report["execute_failure"] = {**step, "error": content.get("error") if isinstance(content, dict) else None}

    report["execute_bad_input"] = []
    for arguments in ({"program": "return 1"}, {"code": 42}):
        step = await run.call(session, "execute with bad arguments", "execute", arguments)
        report["execute_bad_input"].append({"arguments": arguments, **step})


async def shutdown_scenario(run: Run, session: ClientSession, program: str) -> None:
    started = anyio.Event()

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        started.set()

    async def execute() -> None:
        run.report["execute"] = await run.call(session, "execute", "execute", {"code": program}, progress_callback=on_progress)

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(execute)
        await started.wait()
        print("executing", file=sys.stderr, flush=True)
        await anyio.to_thread.run_sync(sys.stdin.readline)
        run.report["search"] = await run.call(session, "search during shutdown", "search", {"query": "orders"})


async def tools_only_scenario(run: Run, session: ClientSession, calls: list[str]) -> None:
    run.report["calls"] = []
    for spec in calls:
        name, _, raw = spec.partition("=")
        arguments = json.loads(raw) if raw else {}
        run.report["calls"].append({"name": name, "arguments": arguments, **await run.call(session, f"call {name}", name, arguments)})


async def connect(stack: AsyncExitStack, args: argparse.Namespace) -> tuple[Any, Any]:
    if args.transport == "stdio":
        params = StdioServerParameters(command=args.command[0], args=args.command[1:])
        return await stack.enter_async_context(stdio_client(params))
    headers = {}
    if args.token is not None:
        headers["Authorization"] = f"Bearer {args.token}"
    for header in args.header:
        name, _, value = header.partition(":")
        headers[name.strip()] = value.strip()
    # The SDK takes headers through the httpx client it is given; this is its own
    # factory, with the transport's default timeouts.
    from mcp.shared._httpx_utils import create_mcp_http_client

    http_client = await stack.enter_async_context(create_mcp_http_client(headers=headers))
    return await stack.enter_async_context(streamable_http_client(args.url, http_client=http_client))


async def scenario(run: Run, args: argparse.Namespace) -> None:
    report = run.report
    async with AsyncExitStack() as stack:
        read, write = await connect(stack, args)
        session = await stack.enter_async_context(ClientSession(read, write, logging_callback=run.on_log))
        run.step = "handshake"
        await handshake(session, args.handshake)
        report["protocol_version"] = session.protocol_version
        report["server_info"] = dump(session.server_info)
        report["capabilities"] = dump(session.server_capabilities)
        report["instructions"] = session.instructions

        run.step = "tools/list"
        listed = await session.list_tools()
        report["tools"] = [
            {
                "name": tool.name,
                "title": tool.title,
                "description_length": len(tool.description or ""),
                "input_schema": tool.input_schema,
                "output_schema": tool.output_schema,
                "annotations": dump(tool.annotations),
            }
            for tool in listed.tools
        ]
        program = Path(args.program).read_text(encoding="utf-8") if args.program else DEFAULT_PROGRAM
        if args.scenario == "session":
            await session_scenario(run, session, program)
        elif args.scenario == "shutdown":
            await shutdown_scenario(run, session, program)
        else:
            await tools_only_scenario(run, session, args.call or DEFAULT_CALLS)


async def main_async(args: argparse.Namespace) -> int:
    run = Run(args)
    try:
        with anyio.fail_after(args.timeout):
            await scenario(run, args)
    except TimeoutError:
        run.fail("run", f"no answer within {args.timeout} s (during {run.step})")
    except Exception as error:  # connection failures arrive as exception groups
        traceback.print_exc(file=sys.stderr)
        run.fail("run", _innermost(error))
        run.report["failure"] = describe_failure(_innermost(error))
    print(json.dumps(run.report, indent=2, sort_keys=True))
    return 0 if run.report["ok"] else 1


def _innermost(error: BaseException) -> BaseException:
    """The first leaf of nested exception groups (anyio wraps task failures)."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return error


def parse_args(argv: list[str]) -> argparse.Namespace:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--scenario", choices=["session", "tools-only", "shutdown"], default="session")
    common.add_argument("--program", help="file with the program `execute` runs")
    common.add_argument("--call", action="append", metavar="NAME=JSON", help="tools-only: a tool call (repeatable)")
    common.add_argument("--handshake", choices=["legacy", "auto"], default="legacy")
    common.add_argument("--timeout", type=float, default=60.0, help="overall deadline in seconds")

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    transports = parser.add_subparsers(dest="transport", required=True)
    stdio = transports.add_parser("stdio", parents=[common], help="launch a server and talk over its stdin/stdout")
    stdio.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS...]")
    http = transports.add_parser("http", parents=[common], help="connect to a streamable HTTP endpoint")
    http.add_argument("url")
    http.add_argument("--token", help="sent as Authorization: Bearer TOKEN")
    http.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'")
    args = parser.parse_args(argv)
    if args.transport == "stdio":
        if args.command[:1] == ["--"]:
            args.command = args.command[1:]
        if not args.command:
            stdio.error("give the server command after --")
    return args


def main() -> int:
    args = parse_args(sys.argv[1:])
    # logging/setLevel and client progress are deprecated in the 2026-07-28
    # revision; the SDK warns on every use, which is noise here.
    warnings.simplefilter("ignore")
    return anyio.run(main_async, args)


if __name__ == "__main__":
    sys.exit(main())
