"""Drives approvals and llm.ask in `codemode serve` with the official MCP Python SDK.

Connects over stdio (launching the server) or streamable HTTP, on protocol
2025-11-25 (`--era legacy`: `initialize`; codemode asks with server-initiated
`elicitation/create` while the program waits) or 2026-07-28 (`--era
2026-07-28`: `server/discover`; codemode answers `input_required` and this
client retries with `inputResponses` and the `requestState`, as
`mcp.Client.call_tool` does). Its elicitation callback answers each question
by the entity name in it: "a" accept, "b" decline, "c" cancel, anything else
accept (`--no-elicitation` declares no elicitation at all). Its sampling
callback answers "Paris" to a prompt about a capital and otherwise echoes
what follows "echo " (`--no-sampling` declares no sampling).

Scenarios:
    answers   run each program of --programs (a JSON list of strings) and
              report, per program: the rounds of input_required, whether the
              result is an error, its structured content and text, the
              messages of the questions asked and the sampling requests
    bad       2026-07-28 only: one program pauses, then retries that must be
              refused: a changed requestState, answers for another request,
              the state with another program, inputResponses without a state,
              an oversized state; then the real retry, twice (the second
              must be refused); then, after --wait seconds, once more

Prints a JSON report on stdout; exits 1 if the session itself failed.

    asking.py [--era ERA] [--no-elicitation] [--no-sampling] [--scenario S] --programs FILE (stdio -- CMD... | http URL)
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import AsyncExitStack
from typing import Any

import anyio
import mcp.types as types
from mcp import ClientSession, StdioServerParameters
from mcp.client.session import ClientRequestContext
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

ACTIONS = {'"name":"a"': "accept", '"name":"b"': "decline", '"name":"c"': "cancel"}


class Run:
    def __init__(self) -> None:
        self.asked: list[str] = []
        self.sampled: list[dict[str, Any]] = []

    async def on_sample(self, ctx: ClientRequestContext, params: types.CreateMessageRequestParams) -> types.CreateMessageResult:
        prompt = "".join(getattr(m.content, "text", "") for m in params.messages)
        self.sampled.append({"prompt": prompt, "system": params.system_prompt, "max_tokens": params.max_tokens})
        answer = "Paris" if "capital" in prompt else prompt.removeprefix("echo ")
        return types.CreateMessageResult(
            role="assistant", content=types.TextContent(type="text", text=answer), model="test-model", stop_reason="endTurn"
        )

    async def on_elicit(self, ctx: ClientRequestContext, params: types.ElicitRequestParams) -> types.ElicitResult:
        self.asked.append(params.message)
        action = next((a for needle, a in ACTIONS.items() if needle in params.message.replace(" ", "")), "accept")
        return types.ElicitResult(action=action, content={} if action == "accept" else None)

    async def execute(self, session: ClientSession, code: str, **retry: Any) -> tuple[int, Any]:
        """Calls `execute`, answering input_required rounds as mcp.Client would."""
        result = await session.call_tool("execute", {"code": code}, allow_input_required=True, **retry)
        rounds = 0
        while isinstance(result, types.InputRequiredResult):
            rounds += 1
            answers = {}
            for key, request in (result.input_requests or {}).items():
                context = ClientRequestContext(session=session, request_id=key)
                answers[key] = await session.dispatch_input_request(context, request)
            result = await session.call_tool(
                "execute",
                {"code": code},
                input_responses=answers,
                request_state=result.request_state,
                allow_input_required=True,
            )
        return rounds, result


def outcome(result: Any) -> dict[str, Any]:
    text = "".join(block.text for block in result.content if getattr(block, "type", None) == "text")
    return {"is_error": bool(result.is_error), "structured": result.structured_content, "text": text}


async def connect(stack: AsyncExitStack, args: argparse.Namespace) -> tuple[Any, Any]:
    if args.transport == "stdio":
        params = StdioServerParameters(command=args.command[0], args=args.command[1:])
        return await stack.enter_async_context(stdio_client(params))
    return await stack.enter_async_context(streamable_http_client(args.url))


async def answers_scenario(run: Run, session: ClientSession, programs: list[str], report: dict[str, Any]) -> None:
    report["programs"] = []
    for code in programs:
        run.asked, run.sampled = [], []
        rounds, result = await run.execute(session, code)
        report["programs"].append({"rounds": rounds, "asked": run.asked, "sampled": run.sampled, **outcome(result)})


async def bad_scenario(run: Run, session: ClientSession, programs: list[str], report: dict[str, Any], wait: float) -> None:
    code = programs[0]
    paused = await session.call_tool("execute", {"code": code}, allow_input_required=True)
    assert isinstance(paused, types.InputRequiredResult), paused
    state = paused.request_state
    keys = list((paused.input_requests or {}).keys())
    accept = types.ElicitResult(action="accept", content={})
    answers = {key: accept for key in keys}
    flipped = state[: len(state) // 2] + ("x" if state[len(state) // 2] != "x" else "y") + state[len(state) // 2 + 1 :]
    tries = {
        "changed_state": ({"code": code}, answers, flipped),
        "other_request": ({"code": code}, {"call-999": accept}, state),
        "other_program": ({"code": code + "\n// edited"}, answers, state),
        "answers_without_state": ({"code": code}, answers, None),
        "oversized_state": ({"code": code}, answers, "cm1." + "A" * 600_000),
    }
    report["refused"] = {}
    for name, (arguments, responses, request_state) in tries.items():
        result = await session.call_tool(
            "execute", arguments, input_responses=responses, request_state=request_state, allow_input_required=True
        )
        report["refused"][name] = outcome(result) if not isinstance(result, types.InputRequiredResult) else "input_required"
    # The real answer, then the same retry again (a client retrying twice).
    for name in ("first_retry", "second_retry"):
        result = await session.call_tool(
            "execute", {"code": code}, input_responses=answers, request_state=state, allow_input_required=True
        )
        report[name] = outcome(result) if not isinstance(result, types.InputRequiredResult) else "input_required"
    await anyio.sleep(wait)
    result = await session.call_tool(
        "execute", {"code": code}, input_responses=answers, request_state=state, allow_input_required=True
    )
    report["late"] = outcome(result) if not isinstance(result, types.InputRequiredResult) else "input_required"


async def main_async(args: argparse.Namespace) -> int:
    run = Run()
    report: dict[str, Any] = {"ok": False}
    programs = json.loads(open(args.programs, encoding="utf-8").read())
    try:
        with anyio.fail_after(args.timeout):
            async with AsyncExitStack() as stack:
                read, write = await connect(stack, args)
                session = await stack.enter_async_context(
                    ClientSession(
                        read,
                        write,
                        elicitation_callback=None if args.no_elicitation else run.on_elicit,
                        sampling_callback=None if args.no_sampling else run.on_sample,
                    )
                )
                if args.era == "legacy":
                    await session.initialize()
                else:
                    await session.discover()
                report["protocol_version"] = session.protocol_version
                if args.scenario == "answers":
                    await answers_scenario(run, session, programs, report)
                else:
                    await bad_scenario(run, session, programs, report, args.wait)
                report["ok"] = True
    except Exception as error:  # noqa: BLE001 - reported, not raised
        while isinstance(error, BaseExceptionGroup) and error.exceptions:
            error = error.exceptions[0]
        report["failure"] = f"{type(error).__name__}: {error}"
    print(json.dumps(report, indent=2, sort_keys=True))
    return 0 if report["ok"] else 1


def parse_args(argv: list[str]) -> argparse.Namespace:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--era", choices=["legacy", "2026-07-28"], default="2026-07-28")
    common.add_argument("--no-elicitation", action="store_true")
    common.add_argument("--no-sampling", action="store_true")
    common.add_argument("--scenario", choices=["answers", "bad"], default="answers")
    common.add_argument("--programs", required=True, help="a JSON file holding a list of programs")
    common.add_argument("--wait", type=float, default=0.0, help="bad: seconds before the last retry")
    common.add_argument("--timeout", type=float, default=60.0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    transports = parser.add_subparsers(dest="transport", required=True)
    stdio = transports.add_parser("stdio", parents=[common])
    stdio.add_argument("command", nargs=argparse.REMAINDER)
    http = transports.add_parser("http", parents=[common])
    http.add_argument("url")
    args = parser.parse_args(argv)
    if args.transport == "stdio":
        if args.command[:1] == ["--"]:
            args.command = args.command[1:]
        if not args.command:
            parser.error("stdio needs a command after --")
    return args


if __name__ == "__main__":
    sys.exit(anyio.run(main_async, parse_args(sys.argv[1:])))
