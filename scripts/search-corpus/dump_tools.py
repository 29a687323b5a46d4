#!/usr/bin/env python3
"""Install pinned MCP servers into a scratch directory and dump their tools/list.

Usage: dump_tools.py OUTDIR [--config servers.json] [--workdir DIR] [--only a,b] [--timeout S]
                     [--locks DIR] [--update-locks]

For every entry of the config (scripts/search-corpus/servers.json by default) this script
  1. installs the exact pinned package into WORKDIR/<server>/ (npm: `npm ci --prefix`
     from the recorded lockfile scripts/search-corpus/locks/<server>/, PyPI: a private venv + `pip install
     --no-deps -r scripts/search-corpus/locks/<server>.requirements.txt`; without a lock, or with
     --update-locks, it resolves `pkg@version` afresh and, with --update-locks, records it),
  2. reads the version and the license from the installed package's own metadata
     and refuses anything whose license is not on the redistribution allow-list,
  3. starts the server over stdio with the official MCP Python SDK client
     (mcp==2.3.0), runs `initialize` and `tools/list` (following nextCursor over
     all pages) and never calls a tool,
  4. writes OUTDIR/<server>.json with the tool objects exactly as the server sent
     them (the raw JSON-RPC result, key order kept), pretty-printed, 2-space indent.

Servers get only obviously fake credentials and loopback URLs (127.0.0.1:9).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import anyio
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.message import SessionMessage
from mcp_types.jsonrpc import JSONRPCResponse

try:  # the request-params model has moved between SDK releases
    from mcp.types import PaginatedRequestParams
except ImportError:  # pragma: no cover
    from mcp_types import PaginatedRequestParams  # type: ignore

HERE = Path(__file__).resolve().parent

# SPDX ids we accept as permitting redistribution of the tool texts.
ALLOWED = {
    "MIT", "MIT-0", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0",
    "0BSD", "Unlicense", "CC0-1.0", "Zlib", "BlueOak-1.0.0",
}
# Trove classifiers -> SPDX, for PyPI packages that only declare a classifier.
CLASSIFIERS = {
    "License :: OSI Approved :: MIT License": "MIT",
    "License :: OSI Approved :: Apache Software License": "Apache-2.0",
    "License :: OSI Approved :: BSD License": "BSD-3-Clause",
    "License :: OSI Approved :: ISC License (ISCL)": "ISC",
    "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
}
# Free-text License: fields some PyPI packages use -> SPDX.
LICENSE_TEXT = {"mit": "MIT", "mit license": "MIT", "apache-2.0": "Apache-2.0",
                "apache 2.0": "Apache-2.0", "apache license 2.0": "Apache-2.0"}

BASE_ENV = {
    "DO_NOT_TRACK": "1",
    "NO_UPDATE_NOTIFIER": "1",
    "NPM_CONFIG_UPDATE_NOTIFIER": "false",
    "PUPPETEER_SKIP_DOWNLOAD": "1",
    "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
    "PYTHONUNBUFFERED": "1",
    # mcp-atlassian builds some schema defaults from Python sets: fix the hash seed so the
    # order of those strings (and so the dump) is the same on every run.
    "PYTHONHASHSEED": "0",
}

FAKE_KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster: {server: "https://127.0.0.1:9", insecure-skip-tls-verify: true}
users:
- name: fake
  user: {token: fake}
contexts:
- name: fake
  context: {cluster: fake, user: fake}
current-context: fake
"""


def log(*a: object) -> None:
    print(*a, file=sys.stderr, flush=True)


def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    full_env = dict(os.environ)
    full_env.update(BASE_ENV)
    if env:
        full_env.update(env)
    p = subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-4000:]}")
    return p.stdout


def spdx_from_npm(pkg_json: dict) -> str:
    lic = pkg_json.get("license")
    if isinstance(lic, dict):
        lic = lic.get("type")
    if not lic and isinstance(pkg_json.get("licenses"), list) and pkg_json["licenses"]:
        lic = pkg_json["licenses"][0].get("type")
    return str(lic or "").strip()


def install_npm(entry: dict, d: Path, locks: Path, update_locks: bool) -> tuple[str, str, list[str]]:
    prefix = d / "pkg"
    prefix.mkdir(parents=True, exist_ok=True)
    spec = f"{entry['package']}@{entry['version']}"
    lock_dir = locks / entry["server"]
    common = ["--prefix", str(prefix), "--no-audit", "--no-fund", "--loglevel=error",
              *entry.get("npm_flags", [])]
    if (lock_dir / "package-lock.json").exists() and not update_locks:
        # Reproduce the exact dependency tree recorded when the dump was made.
        log(f"  npm ci {spec} (scripts/search-corpus/locks/{entry['server']})")
        shutil.copy(lock_dir / "package.json", prefix / "package.json")
        shutil.copy(lock_dir / "package-lock.json", prefix / "package-lock.json")
        run(["npm", "ci", *common], env={"HOME": str(d / "home")})
    else:
        log(f"  npm install {spec}")
        run(["npm", "install", *common, "--save-exact", spec], env={"HOME": str(d / "home")})
        if update_locks:
            lock_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy(prefix / "package.json", lock_dir / "package.json")
            lock = json.loads((prefix / "package-lock.json").read_text())
            for meta in lock.get("packages", {}).values():
                # keep versions + integrity hashes; `npm ci` fetches from whatever registry is
                # configured, so the lock names no download host
                meta.pop("resolved", None)
            (lock_dir / "package-lock.json").write_text(json.dumps(lock, indent=2) + "\n")
    pdir = prefix / "node_modules" / entry["package"]
    pj = json.loads((pdir / "package.json").read_text())
    bins = pj.get("bin")
    if isinstance(bins, str):
        bin_rel = bins
    elif isinstance(bins, dict) and bins:
        want = entry.get("bin")
        if want:
            bin_rel = bins[want]
        elif len(bins) == 1:
            bin_rel = next(iter(bins.values()))
        else:
            raise RuntimeError(f"several bins {sorted(bins)}; set 'bin' in the config")
    else:
        raise RuntimeError("package has no bin")
    return pj["version"], spdx_from_npm(pj), ["node", str((pdir / bin_rel).resolve())]


PY_META = r"""
import json, sys
from importlib.metadata import distribution
d = distribution(sys.argv[1])
m = d.metadata
files = []
for name in m.get_all("License-File") or []:
    for cand in ("licenses/" + name, name):
        t = d.read_text(cand)
        if t:
            files.append(t)
            break
print(json.dumps({"version": m["Version"], "license_expression": m.get("License-Expression"),
                  "license": m.get("License"), "classifiers": m.get_all("Classifier") or [],
                  "license_files": files}))
"""


def spdx_from_license_text(text: str) -> str:
    """Identifies the two licenses we meet as bare License-File texts (no License field)."""
    head = " ".join(text.split())[:400]
    if head.startswith("MIT License") or "Permission is hereby granted, free of charge" in head:
        return "MIT"
    if "Apache License" in head and "Version 2.0" in head:
        return "Apache-2.0"
    return ""


def install_pypi(entry: dict, d: Path, locks: Path, update_locks: bool) -> tuple[str, str, list[str]]:
    venv = d / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    py = venv / "bin" / "python"
    pip = [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    lock = locks / f"{entry['server']}.requirements.txt"
    if lock.exists() and not update_locks:
        # Reproduce the exact set of distributions recorded when the dump was made.
        log(f"  pip install -r scripts/search-corpus/locks/{lock.name}")
        run(pip + ["--no-deps", "-r", str(lock)], env={"HOME": str(d / "home")})
    else:
        log(f"  pip install {entry['package']}=={entry['version']}")
        run(pip + [f"{entry['package']}=={entry['version']}"], env={"HOME": str(d / "home")})
        if update_locks:
            frozen = run([str(py), "-m", "pip", "freeze", "--all", "--disable-pip-version-check"])
            keep = [ln for ln in frozen.splitlines()
                    if ln and not ln.split("==")[0].lower() in {"pip", "setuptools", "wheel"}]
            lock.parent.mkdir(parents=True, exist_ok=True)
            lock.write_text("\n".join(sorted(keep, key=str.lower)) + "\n")
    meta = json.loads(run([str(py), "-c", PY_META, entry["package"]]))
    lic = (meta.get("license_expression") or "").strip()
    if not lic:
        text = (meta.get("license") or "").strip()
        if text.lower() in LICENSE_TEXT:
            lic = LICENSE_TEXT[text.lower()]
        elif text in ALLOWED:
            lic = text
    if not lic:
        for c in meta["classifiers"]:
            if c in CLASSIFIERS:
                lic = CLASSIFIERS[c]
                break
    if not lic:
        # Core metadata names only a License-File (PEP 639 style without an expression):
        # identify the shipped license text itself.
        for text in meta.get("license_files", []):
            lic = spdx_from_license_text(text)
            if lic:
                break
    return meta["version"], lic, [str(venv / "bin" / entry["command"])]


async def list_tools(cmd: list[str], args: list[str], env: dict[str, str], cwd: Path,
                     errlog, timeout: float) -> tuple[list[dict], dict]:
    """Returns (raw tool objects over all pages, serverInfo) for one server."""
    params = StdioServerParameters(command=cmd[0], args=cmd[1:] + args, env=env, cwd=str(cwd))
    raw_results: list[dict] = []
    server_info: dict = {}
    with anyio.fail_after(timeout):
        async with stdio_client(params, errlog=errlog) as (read, write):
            # Tap the transport: keep each JSON-RPC result dict exactly as parsed from the
            # server's line (key order kept), before the SDK turns it into models.
            tap_send, tap_recv = anyio.create_memory_object_stream(0)

            async def forward() -> None:
                async with tap_send:
                    async for item in read:
                        if isinstance(item, SessionMessage) and isinstance(item.message, JSONRPCResponse):
                            res = item.message.result
                            if "tools" in res:
                                raw_results.append(res)
                            elif "serverInfo" in res:
                                server_info.update(res["serverInfo"])
                        await tap_send.send(item)

            async with anyio.create_task_group() as tg:
                tg.start_soon(forward)
                async with ClientSession(tap_recv, write) as session:
                    await session.initialize()
                    tools: list[dict] = []
                    cursor = None
                    for _page in range(1000):
                        before = len(raw_results)
                        await session.list_tools(
                            params=PaginatedRequestParams(cursor=cursor) if cursor else None)
                        if len(raw_results) != before + 1:
                            raise RuntimeError("could not capture the raw tools/list result")
                        page = raw_results[-1]
                        tools.extend(page["tools"])
                        cursor = page.get("nextCursor")
                        if not cursor:
                            break
                    else:
                        raise RuntimeError("tools/list never stopped paginating")
                tg.cancel_scope.cancel()
    return tools, server_info


def subst(v: str, tmp: Path) -> str:
    return v.replace("{TMP}", str(tmp))


def dump_one(entry: dict, workdir: Path, outdir: Path, timeout: float,
             locks: Path, update_locks: bool) -> dict:
    d = workdir / entry["server"]
    if d.exists():
        shutil.rmtree(d)
    (d / "home").mkdir(parents=True)
    (d / "fs-root").mkdir()
    (d / "kubeconfig").write_text(FAKE_KUBECONFIG)
    if entry["registry"] == "npm":
        version, lic, cmd = install_npm(entry, d, locks, update_locks)
    elif entry["registry"] == "pypi":
        version, lic, cmd = install_pypi(entry, d, locks, update_locks)
    else:
        raise RuntimeError(f"unknown registry {entry['registry']}")
    if version != entry["version"]:
        raise RuntimeError(f"installed {version}, wanted {entry['version']}")
    if lic not in ALLOWED:
        raise RuntimeError(f"license {lic!r} not on the redistribution allow-list")
    env = dict(BASE_ENV)
    env["HOME"] = str(d / "home")
    env.update({k: subst(v, d) for k, v in entry.get("env", {}).items()})
    args = [subst(a, d) for a in entry.get("args", [])]
    log(f"  start {' '.join(cmd + args)}")
    with open(d / "stderr.log", "w") as errlog:
        tools, info = anyio.run(list_tools, cmd, args, env, d, errlog, timeout)
    if not tools:
        raise RuntimeError("server listed no tools")
    names = [t.get("name") for t in tools]
    if len(set(names)) != len(names):
        raise RuntimeError("duplicate tool names")
    doc = {
        "server": entry["server"],
        "package": entry["package"],
        "registry": entry["registry"],
        "version": version,
        "license": lic,
        "tools": tools,
    }
    out = outdir / f"{entry['server']}.json"
    out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return {"server": entry["server"], "tools": len(tools), "license": lic, "serverInfo": info}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--config", default=str(HERE / "servers.json"))
    ap.add_argument("--workdir", default=None, help="scratch dir (default: a new temp dir, removed after)")
    ap.add_argument("--only", default="", help="comma-separated server names")
    ap.add_argument("--timeout", type=float, default=180.0)
    ap.add_argument("--locks", default=str(HERE / "locks"),
                    help="per-server npm lockfiles / pip requirements (used when present)")
    ap.add_argument("--update-locks", action="store_true",
                    help="resolve dependencies afresh and (re)write the lock files")
    a = ap.parse_args()

    outdir = Path(a.outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    entries = json.loads(Path(a.config).read_text())
    only = {s for s in a.only.split(",") if s}
    if only:
        entries = [e for e in entries if e["server"] in only]
    tmp_owned = a.workdir is None
    workdir = Path(a.workdir or tempfile.mkdtemp(prefix="mcp-search-corpus-")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)

    ok, failed = [], []
    for e in entries:
        log(f"== {e['server']} ({e['registry']} {e['package']}=={e['version']})")
        try:
            r = dump_one(e, workdir, outdir, a.timeout, Path(a.locks), a.update_locks)
            ok.append(r)
            log(f"  ok: {r['tools']} tools, {r['license']}")
        except BaseException as exc:  # noqa: BLE001 - keep going, report at the end
            if isinstance(exc, KeyboardInterrupt):
                raise
            msg = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            if hasattr(exc, "exceptions"):
                msg += " | " + " | ".join(repr(x) for x in exc.exceptions)  # type: ignore[attr-defined]
            tail = ""
            errf = workdir / e["server"] / "stderr.log"
            if errf.exists():
                tail = errf.read_text(errors="replace")[-1500:]
            failed.append({"server": e["server"], "error": msg[-3000:], "stderr_tail": tail})
            log(f"  FAILED: {msg[-1500:]}\n  stderr tail:\n{tail}")
    summary = {"ok": ok, "failed": failed}
    (workdir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    log(f"\n{len(ok)} servers ok, {sum(r['tools'] for r in ok)} tools; {len(failed)} failed: "
        f"{[f['server'] for f in failed]}")
    if tmp_owned:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        log(f"scratch kept in {workdir} (summary.json has the details)")
    return 0 if not failed else 2


if __name__ == "__main__":
    sys.exit(main())
