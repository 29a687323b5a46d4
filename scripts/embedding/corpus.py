"""Build a deterministic English corpus of API descriptions from the Google API
discovery documents shipped in the PyPI wheel google-api-python-client (Apache-2.0).

Every "description" string of every document (methods, parameters, schema
properties) is cleaned (markup and URLs dropped, whitespace collapsed, cut to its
first sentence / 300 chars), kept if it has 3..60 words, and de-duplicated. The
documents of the gmail and calendar APIs are skipped so that the evaluation
catalog (which has Gmail and Google Calendar tools) is not echoed in the corpus.
The final sample is the N texts with the smallest sha256(text): stable under any
file order and any Python version.

Usage: python corpus.py DISCOVERY_DOCS_DIR OUT.txt [N]
"""
import hashlib
import json
import re
import sys
from pathlib import Path

SKIP = re.compile(r"^(gmail|calendar)\.")


def walk(o, out):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "description" and isinstance(v, str):
                out.append(v)
            else:
                walk(v, out)
    elif isinstance(o, list):
        for v in o:
            walk(v, out)


def clean(s: str) -> str | None:
    s = re.sub(r"<[^>]{0,200}>", " ", s)             # html tags
    s = re.sub(r"https?://\S+", " ", s)              # urls
    s = re.sub(r"`[^`]{0,200}`", " ", s)             # inline code
    s = re.sub(r"\{[^}]{0,200}\}", " ", s)           # {placeholders}
    s = re.sub(r"\[([^\]]{0,200})\]\([^)]{0,300}\)", r"\1", s)  # md links
    s = " ".join(s.split())
    m = re.match(r"(.{20,300}?[.!?])(\s|$)", s)
    if m:
        s = m.group(1)
    s = s[:300].strip()
    for pre in ("Required.", "Optional.", "Output only.", "Immutable.", "Deprecated."):
        if s.startswith(pre):
            s = s[len(pre):].strip()
    n = len(s.split())
    if n < 3 or n > 60:
        return None
    if sum(c.isalpha() for c in s) < 0.6 * len(s):
        return None
    return s


def main(doc_dir, out, n=60000):
    texts = set()
    for f in sorted(Path(doc_dir).glob("*.json")):
        if SKIP.match(f.name):
            continue
        raw = []
        walk(json.loads(f.read_text(encoding="utf-8")), raw)
        for d in raw:
            c = clean(d)
            if c:
                texts.add(c)
    ranked = sorted(texts, key=lambda t: hashlib.sha256(t.encode("utf-8")).digest())[: int(n)]
    Path(out).write_text("".join(t + "\n" for t in ranked), encoding="utf-8")
    print(f"{len(texts)} unique cleaned descriptions, wrote {len(ranked)} to {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
