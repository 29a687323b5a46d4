"""Derive a model2vec-style static embedding file from all-MiniLM-L6-v2.

Two modes.

--mode distill: exactly model2vec 0.10.0 `distill(pca_dims=D, sif_coefficient=1e-4,
token_remove_pattern=r"\\[unused\\d+\\]", pooling="mean")`, in numpy float64:

  1. vocabulary = the model's vocab.txt minus tokens matching ^\\[unused\\d+\\]
     and minus the special tokens [CLS] [SEP] [MASK] (model2vec 0.10 drops every
     special token except the pad and unk tokens): 30522 - 994 - 3 = 29525 tokens,
     kept in vocab.txt order ([PAD] = row 0, [UNK] = row 1).
  2. for every token t: run BERT on [CLS] t [SEP] (token_type 0, no padding) and
     take the mean of the 3 output hidden states  -> 384-d vector.
  3. PCA to D dims exactly as model2vec: centre, covariance / (n-1), eigh,
     components sorted by decreasing eigenvalue, scores = Xc @ components^T,
     each component's sign chosen so that its largest-|score| entry is positive.
  4. SIF weight by Zipf rank r (0-based row index):
        p_r = (1/(r+2)) / sum_{k=0}^{n-1} 1/(k+2);  w_r = 1e-4 / (1e-4 + p_r)
  5. quantise: per row, scale = max|row|/127 (f32), q = rint(row/scale) in int8;
     write header, vocab, weights, scales, q, sha256 (format: see static_ref.py).

--mode fit (default, recommended): steps 1-2 as above, then a corpus fit
("tokenlearn-lite", see fit.py): the teacher embeds N API-description sentences
(corpus.py), the token vectors are refit by ridge regression (prior = the
normalised step-2 vectors, lam = 0.01) so that the mean of a sentence's token
vectors matches the teacher's embedding; then step 3 (PCA to D) and step 5.
No SIF re-weighting (weight = 1 for every token): the regression already sets
each token's magnitude, and re-applying Zipf SIF measurably hurt.

Usage: python derive.py MODEL_DIR OUT_DIR [--mode fit|distill] [--dims 64,128,256]
          [--corpus corpus.txt --n-corpus 50000] [--cache-dir work]
"""
from __future__ import annotations

import argparse
import hashlib
import re
import struct
import sys
import time
from pathlib import Path

import numpy as np

from bert_numpy import Bert

MAGIC = b"CMEMB001"
SIF = 1e-4
REMOVE = re.compile(r"\[unused\d+\]")
DROP_SPECIAL = {"[CLS]", "[SEP]", "[MASK]"}


def load_vocab(model_dir: Path) -> tuple[list[str], list[int]]:
    """Returns (kept tokens, their ids in the original vocab)."""
    lines = (Path(model_dir) / "vocab.txt").read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    toks, ids = [], []
    for i, t in enumerate(lines):
        if REMOVE.match(t) or t in DROP_SPECIAL:
            continue
        toks.append(t)
        ids.append(i)
    return toks, ids


def token_embeddings(model_dir: Path, ids: list[int], batch: int = 1024, log=print) -> np.ndarray:
    bert = Bert(model_dir)
    cls_id, sep_id = 101, 102
    out = np.zeros((len(ids), bert.hidden))
    t0 = time.time()
    for s in range(0, len(ids), batch):
        chunk = ids[s : s + batch]
        x = np.array([[cls_id, t, sep_id] for t in chunk], dtype=np.int64)
        h = bert.forward(x)  # (b, 3, H), no padding
        out[s : s + len(chunk)] = h.mean(axis=1)
        if (s // batch) % 5 == 0:
            log(f"  tokens {s + len(chunk)}/{len(ids)}  {time.time() - t0:.0f}s")
    return out


def sif_weights(n: int, sif: float = SIF) -> np.ndarray:
    inv_rank = 1.0 / np.arange(2, n + 2, dtype=np.float64)
    proba = inv_rank / inv_rank.sum()
    return sif / (sif + proba)


def pca(x: np.ndarray, k: int) -> np.ndarray:
    xc = x - x.mean(axis=0)
    cov = (xc.T @ xc) / (x.shape[0] - 1)
    vals, vecs = np.linalg.eigh(cov)
    comps = vecs[:, ::-1][:, :k].T
    scores = xc @ comps.T
    idx = np.argmax(np.abs(scores), axis=0)
    signs = np.sign(scores[idx, np.arange(k)])
    return scores * signs


def quantize_rows(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m = np.abs(v).max(axis=1)
    scale = (m / 127.0).astype(np.float32)
    safe = np.where(scale > 0, scale.astype(np.float64), 1.0)
    q = np.clip(np.rint(v / safe[:, None]), -127, 127).astype(np.int8)
    return q, scale


def write_file(path: Path, tokens: list[str], weights: np.ndarray, vecs: np.ndarray, max_chars: int = 100) -> bytes:
    n, dim = vecs.shape
    q, scale = quantize_rows(vecs)
    vocab_blob = "".join(t + "\n" for t in tokens).encode("utf-8")
    unk = tokens.index("[UNK]")
    body = b"".join(
        [
            MAGIC,
            struct.pack("<6I", n, dim, unk, max_chars, 1, len(vocab_blob)),
            vocab_blob,
            weights.astype("<f4").tobytes(),
            scale.astype("<f4").tobytes(),
            q.astype("i1").tobytes(),
        ]
    )
    data = body + hashlib.sha256(body).digest()
    Path(path).write_bytes(data)
    return data


def teacher_embeddings(model_dir: Path, texts: list[str], log=print) -> np.ndarray:
    """Full-model sentence embeddings (sentence-transformers semantics: [CLS] text [SEP],
    at most 256 tokens, mean pooling, L2 normalisation), float64 numpy."""
    from static_ref import tokenize

    bert = Bert(model_dir)
    lines = (Path(model_dir) / "vocab.txt").read_text(encoding="utf-8").split("\n")
    vocab = {t: i for i, t in enumerate(lines) if t}
    seqs = [[101] + tokenize(t, vocab, vocab["[UNK]"])[:254] + [102] for t in texts]
    out = np.zeros((len(seqs), bert.hidden))
    t0 = time.time()
    step = 2000
    for s in range(0, len(seqs), step):
        out[s : s + step] = bert.encode_ids(seqs[s : s + step], batch=64)
        log(f"  teacher {min(s + step, len(seqs))}/{len(seqs)}  {time.time() - t0:.0f}s")
    return out


def static_token_lists(tokens: list[str], texts: list[str]) -> list[list[int]]:
    from static_ref import tokenize

    vocab = {t: i for i, t in enumerate(tokens)}
    unk = vocab["[UNK]"]
    return [[i for i in tokenize(t, vocab, unk) if i != unk][:512] for t in texts]


def cached(path: Path | None, fn):
    if path is not None and path.exists():
        print(f"  (cache) {path}")
        return np.load(path)
    x = fn()
    if path is not None:
        np.save(path, x)
    return x


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir", type=Path)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--mode", choices=["fit", "distill"], default="fit")
    ap.add_argument("--dims", default="64,128,256")
    ap.add_argument("--corpus", type=Path, help="one sentence per line (corpus.py); needed for --mode fit")
    ap.add_argument("--n-corpus", type=int, default=50000)
    ap.add_argument("--lam", type=float, default=0.01)
    ap.add_argument("--cg-iters", type=int, default=300)
    ap.add_argument("--cache-dir", type=Path, default=None)
    a = ap.parse_args(argv)
    a.out_dir.mkdir(parents=True, exist_ok=True)
    cd = a.cache_dir
    if cd:
        cd.mkdir(parents=True, exist_ok=True)
    tokens, ids = load_vocab(a.model_dir)
    print(f"vocabulary: {len(tokens)} tokens (after removing [unused*], [CLS], [SEP], [MASK])")
    t0 = time.time()
    emb = cached(cd / "tok384.npy" if cd else None, lambda: token_embeddings(a.model_dir, ids))
    print(f"token vectors: {time.time() - t0:.0f}s")
    if a.mode == "fit":
        import fit

        texts = a.corpus.read_text(encoding="utf-8").split("\n")
        texts = [t for t in texts if t][: a.n_corpus]
        print(f"corpus: {len(texts)} sentences")
        t1 = time.time()
        Y = cached(cd / f"teacher{len(texts)}.npy" if cd else None, lambda: teacher_embeddings(a.model_dir, texts))
        print(f"teacher embeddings: {time.time() - t1:.0f}s")
        t1 = time.time()
        base = fit.fit(static_token_lists(tokens, texts), Y, emb, lam=a.lam, iters=a.cg_iters)
        print(f"ridge fit: {time.time() - t1:.0f}s")
        w = np.ones(len(tokens))
        stem = "minilm-l6-fit"
    else:
        base = emb
        w = sif_weights(len(tokens))
        stem = "minilm-l6-distill"
    for d in [int(x) for x in a.dims.split(",")]:
        v = pca(base, min(d, base.shape[1]))
        out = a.out_dir / f"{stem}-{d}.bin"
        data = write_file(out, tokens, w, v)
        print(f"{out}  {len(data)} bytes  sha256 {hashlib.sha256(data).hexdigest()}")
    print(f"total {time.time() - t0:.1f}s")


if __name__ == "__main__":
    sys.exit(main())
