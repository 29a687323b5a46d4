"""Forward pass of a BERT encoder (all-MiniLM-L6-v2) in plain numpy, float64.

Reads the HF `model.safetensors` with a tiny built-in parser (8-byte little-endian
header length, JSON header, raw little-endian tensors), so no torch, no
transformers and no `safetensors` package are needed (numpy + scipy's erf only).

Equivalent to transformers' BertModel(...).last_hidden_state in eval mode
(no dropout), with exact (erf) GELU, LayerNorm eps from config (1e-12).
Everything is computed in float64 so the results do not depend, at the
precision that matters after int8 quantisation, on the BLAS kernel used.
"""
from __future__ import annotations

import json
import math
import struct
from pathlib import Path

import numpy as np

_DT = {"F32": "<f4", "F16": "<f2", "I64": "<i8"}


def load_safetensors(path: Path) -> dict[str, np.ndarray]:
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        arr = np.frombuffer(raw[base + a : base + b], dtype=_DT[info["dtype"]]).reshape(info["shape"])
        out[name] = arr.astype(np.float64)
    return out


from scipy.special import erf as _fast_erf  # float64 erf (Cephes), deterministic scalar code


def gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _fast_erf(x / math.sqrt(2.0)))


def layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


class Bert:
    def __init__(self, model_dir: Path):
        model_dir = Path(model_dir)
        self.cfg = json.loads((model_dir / "config.json").read_text())
        w = load_safetensors(model_dir / "model.safetensors")
        # sentence-transformers checkpoints may or may not carry a "bert." prefix
        self.w = {k[len("bert."):] if k.startswith("bert.") else k: v for k, v in w.items()}
        self.eps = float(self.cfg["layer_norm_eps"])
        self.n_layers = int(self.cfg["num_hidden_layers"])
        self.n_heads = int(self.cfg["num_attention_heads"])
        self.hidden = int(self.cfg["hidden_size"])

    def _lin(self, x, name):
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def forward(self, ids: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """ids: (B, T) int array. mask: (B, T) 1/0 (1 = real token). Returns (B, T, H)."""
        w = self.w
        B, T = ids.shape
        if mask is None:
            mask = np.ones((B, T), dtype=np.float64)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(T)][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        )
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        H, nh = self.hidden, self.n_heads
        hd = H // nh
        # additive mask like transformers: (1 - mask) * min_float
        add = (1.0 - mask.astype(np.float64))[:, None, None, :] * np.finfo(np.float64).min
        for i in range(self.n_layers):
            p = f"encoder.layer.{i}."
            q = self._lin(x, p + "attention.self.query").reshape(B, T, nh, hd).transpose(0, 2, 1, 3)
            k = self._lin(x, p + "attention.self.key").reshape(B, T, nh, hd).transpose(0, 2, 1, 3)
            v = self._lin(x, p + "attention.self.value").reshape(B, T, nh, hd).transpose(0, 2, 1, 3)
            s = (q @ k.transpose(0, 1, 3, 2)) / math.sqrt(hd) + add
            s = s - s.max(-1, keepdims=True)
            e = np.exp(s)
            a = e / e.sum(-1, keepdims=True)
            c = (a @ v).transpose(0, 2, 1, 3).reshape(B, T, H)
            x = layer_norm(
                self._lin(c, p + "attention.output.dense") + x,
                w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], self.eps,
            )
            h = gelu(self._lin(x, p + "intermediate.dense"))
            x = layer_norm(
                self._lin(h, p + "output.dense") + x,
                w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps,
            )
        return x

    def encode_ids(self, seqs: list[list[int]], batch: int = 64) -> np.ndarray:
        """Sentence-transformers encoding: mean pooling over the attention mask,
        then L2 normalisation. seqs already include [CLS] ... [SEP]."""
        out = np.zeros((len(seqs), self.hidden))
        order = np.argsort([len(s) for s in seqs], kind="stable")
        for s0 in range(0, len(seqs), batch):
            idx = order[s0 : s0 + batch]
            T = max(len(seqs[i]) for i in idx)
            ids = np.zeros((len(idx), T), dtype=np.int64)
            m = np.zeros((len(idx), T))
            for r, i in enumerate(idx):
                ids[r, : len(seqs[i])] = seqs[i]
                m[r, : len(seqs[i])] = 1
            h = self.forward(ids, m)
            pooled = (h * m[:, :, None]).sum(1) / m.sum(1, keepdims=True)
            out[idx] = pooled
        return out / np.linalg.norm(out, axis=1, keepdims=True)
