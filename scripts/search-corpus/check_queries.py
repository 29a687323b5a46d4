#!/usr/bin/env python3
"""Validate queries.json against the tool dumps in servers/.

Usage: check_queries.py [--root DIR] [--fix-split] [--warn]

Checks (errors make the exit status 1):
  * every `expected` and `also` entry names a tool present in servers/<server>.json;
  * `style` is own_words | paraphrase | server, `split` is tune | holdout;
  * split == "holdout" iff the first byte of sha256(query, UTF-8) is odd (--fix-split rewrites it);
  * no query text appears twice, no tool is expected by more than 4 queries;
  * a paraphrase reuses no word of the expected tool's name (crude stemming) and names no product;
  * a server-style query names the expected tool's product.
--warn also lists the description words each paraphrase shares with its tool (for manual review).
Prints the counts per style, split and server.
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import json
import re
import sys
from pathlib import Path

STYLES = {"own_words", "paraphrase", "server"}
# How each server's product is named in a request; a paraphrase must avoid these words and a
# server-style query must contain one of them.
PRODUCT_WORDS = {
    "atlassian": ["jira", "confluence", "atlassian"],
    "brave-search": ["brave"],
    "context7": ["context7"],
    "everything": ["everything server", "everything test server"],
    "fetch": ["fetch server"],
    "filesystem": ["filesystem"],
    "firecrawl": ["firecrawl"],
    "git": ["git"],
    "github": ["github"],
    "google-maps": ["google maps"],
    "heroku": ["heroku"],
    "hubspot": ["hubspot"],
    "kubernetes": ["kubernetes", "kubectl", "helm", "k8s"],
    "memory": ["memory server"],
    "mongodb": ["mongodb", "mongo"],
    "notion": ["notion"],
    "obsidian": ["obsidian"],
    "playwright": ["playwright"],
    "slack": ["slack"],
    "stripe": ["stripe"],
    "supabase": ["supabase"],
    "time": ["time server"],
    "todoist": ["todoist"],
}
SMALL = {"a", "an", "the", "to", "in", "of", "on", "for", "by", "and", "or", "as", "at", "is",
         "it", "its", "be", "with", "from", "this", "that", "all", "any", "one", "more", "api"}
STOP = SMALL | {"i", "my", "me", "you", "your", "we", "our", "us", "are", "was", "can", "do",
                "does", "what", "which", "who", "how", "so", "if", "not", "but", "there", "their",
                "them", "they", "have", "has", "use", "using", "used", "will", "when", "should",
                "into", "than", "then", "only", "also", "other", "each", "e", "g", "eg", "etc",
                "just", "get", "new", "specific", "given", "optional", "returns", "return"}


def stem(w: str) -> str:
    w = w.lower()
    for suf in ("ies", "ing", "es", "ed", "s"):
        if len(w) > len(suf) + 2 and w.endswith(suf):
            return w[: -len(suf)] + ("y" if suf == "ies" else "")
    return w


def words(text: str) -> list[str]:
    # split snake_case, kebab-case and camelCase, keep letters/digits only
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    return [w.lower() for w in re.findall(r"[A-Za-z0-9]+", text)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=str(Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "search"))
    ap.add_argument("--fix-split", action="store_true")
    ap.add_argument("--warn", action="store_true")
    a = ap.parse_args()
    root = Path(a.root)

    tools: dict[str, dict] = {}
    servers = {}
    for f in sorted((root / "servers").glob("*.json")):
        d = json.loads(f.read_text())
        servers[d["server"]] = d
        for t in d["tools"]:
            tools[f"{d['server']}.{t['name']}"] = t

    qpath = root / "queries.json"
    queries = json.loads(qpath.read_text())
    errors: list[str] = []
    warnings: list[str] = []
    per_tool = collections.Counter()
    seen = set()
    changed = False
    for i, q in enumerate(queries):
        where = f"#{i} {q.get('query')!r}"
        text = q["query"]
        if text in seen:
            errors.append(f"{where}: duplicate query")
        seen.add(text)
        exp = q["expected"]
        if exp not in tools:
            errors.append(f"{where}: expected {exp} not in any dump")
            continue
        for al in q.get("also", []):
            if al not in tools:
                errors.append(f"{where}: also {al} not in any dump")
            if al == exp:
                errors.append(f"{where}: also repeats expected")
        if q.get("style") not in STYLES:
            errors.append(f"{where}: bad style {q.get('style')}")
        want = "holdout" if hashlib.sha256(text.encode("utf-8")).digest()[0] % 2 else "tune"
        if q.get("split") != want:
            if a.fix_split:
                q["split"] = want
                changed = True
            else:
                errors.append(f"{where}: split should be {want}")
        per_tool[exp] += 1
        server, name = exp.split(".", 1)
        low = text.lower()
        qstems = {stem(w) for w in words(text)}
        mentions = [p for p in PRODUCT_WORDS.get(server, [])
                    if re.search(r"(?<![a-z0-9])" + re.escape(p) + r"(?![a-z0-9])", low)]
        if q["style"] == "paraphrase":
            name_stems = {stem(w) for w in words(name)} - {stem(w) for w in SMALL}
            reused = sorted(name_stems & qstems)
            if reused:
                errors.append(f"{where}: paraphrase reuses tool-name words {reused}")
            for s, plist in PRODUCT_WORDS.items():
                for p in plist:
                    if " " not in p and re.search(r"(?<![a-z0-9])" + re.escape(p) + r"(?![a-z0-9])", low):
                        errors.append(f"{where}: paraphrase names product '{p}'")
            if a.warn:
                desc = tools[exp].get("description") or ""
                dstems = {stem(w) for w in words(desc) if w not in STOP and len(w) > 2}
                shared = sorted((dstems & qstems) - {stem(w) for w in STOP})
                if shared:
                    warnings.append(f"{exp:55s} {shared}  <- {text}")
        if q["style"] == "server" and not mentions:
            errors.append(f"{where}: server-style query does not name the product of {server}")
    for tool, n in per_tool.items():
        if n > 4:
            errors.append(f"{tool}: {n} queries (max 4)")

    if changed:
        qpath.write_text(json.dumps(queries, indent=2, ensure_ascii=False) + "\n")
        print("rewrote split fields", file=sys.stderr)

    by_style = collections.Counter(q["style"] for q in queries)
    by_split = collections.Counter(q["split"] for q in queries)
    by_server = collections.Counter(q["expected"].split(".", 1)[0] for q in queries)
    by_style_split = collections.Counter((q["style"], q["split"]) for q in queries)
    print(f"servers: {len(servers)}  tools: {len(tools)}  queries: {len(queries)}  "
          f"distinct expected tools: {len(per_tool)}  with 'also': {sum(1 for q in queries if q.get('also'))}")
    print("style:", {s: f"{by_style[s]} ({100 * by_style[s] / len(queries):.0f}%)" for s in sorted(STYLES)})
    print("split:", dict(sorted(by_split.items())))
    print("style x split:", {f"{k[0]}/{k[1]}": v for k, v in sorted(by_style_split.items())})
    print("per server:", dict(sorted(by_server.items())))
    missing = sorted(set(servers) - set(by_server))
    if missing:
        errors.append(f"servers with no query: {missing}")
    for w in warnings:
        print("WARN", w)
    for e in errors:
        print("ERROR", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
