"""Reference encoder for the codemode static embedding file (format "CMEMB001").

Self-contained: reads only the .bin file, implements the BERT uncased
tokenizer (BasicTokenizer + WordPiece) itself, and embeds a text as the
L2-normalised mean of its tokens' vectors. Standard library + numpy only
(numpy only for the arithmetic; the logic is plain loops meant to be ported
to Rust line by line).

FILE FORMAT (all integers/floats little-endian)
    offset  size            field
    0       8               magic  b"CMEMB001"
    8       4   u32         n_tokens  (vocabulary size, rows)
    12      4   u32         dim       (vector dimension)
    16      4   u32         unk_id    (row of "[UNK]"; its vector is never used)
    20      4   u32         max_input_chars_per_word (100)
    24      4   u32         flags     (bit0 = lowercase + strip accents; always 1 here)
    28      4   u32         vocab_bytes (length of the vocab blob that follows)
    32      vocab_bytes     vocab blob: the tokens, UTF-8, each followed by b"\n",
                            in row order (row i = i-th line). "##" marks a
                            WordPiece continuation piece.
    ...     n_tokens*4  f32 weight[i]  (token weight: 1.0 in the "fit" files,
                                       model2vec's Zipf-SIF weight in "distill" files)
    ...     n_tokens*4  f32 scale[i]   (int8 dequantisation scale of row i)
    ...     n_tokens*dim i8 q[i][j]    (row-major)
    end     32              sha256 of all preceding bytes (integrity check)

    vector(i) = weight[i] * scale[i] * q[i]   (as f32)

EMBEDDING A TEXT
    ids  = wordpiece(basic_tokenize(normalize(text)))   # no [CLS]/[SEP]
    ids  = ids[:max_tokens]                            # truncation (512, counting [UNK]s)
    ids  = [i for i in ids if i != unk_id]             # model2vec drops [UNK]
    if not ids: return zero vector
    v    = mean(vector(i) for i in ids)                # plain mean, repeats count
    return v / ||v||                                   # (zero if ||v|| == 0)

TOKENIZATION (= HF tokenizers BertNormalizer + BertPreTokenizer + WordPiece of the
source model's tokenizer.json; verified on 20k+ strings against HF tokenizers 0.23.3)
    1. clean: delete U+0000, U+FFFD and chars of category Cc/Cf/Co/Cs (not \t \n \r;
       unassigned Cn chars are KEPT); map whitespace (\t \n \r + Unicode White_Space
       = Rust char::is_whitespace) to ' '
    2. CJK ideographs (ranges in _is_cjk) get a space on each side
    3. NFD, then delete every char of category Mn (accents)
    4. lowercase char by char (Rust char::to_lowercase; no final-sigma rule)
    5. split on whitespace; every punctuation char (ASCII punctuation or category P*)
       is a word of its own
    6. WordPiece per word: > 100 chars -> [UNK]; greedy longest-match-first, non-initial
       pieces carry the "##" prefix; any unmatched position -> the whole word is [UNK]
    Literal "[CLS]", "[UNK]", ... in the input are ordinary text.
"""
from __future__ import annotations

import hashlib
import struct
import sys
import unicodedata
from pathlib import Path

import numpy as np

MAGIC = b"CMEMB001"


# ---------------------------------------------------------------------------
# Tokenizer (identical in behaviour to HF tokenizers' BertNormalizer(clean_text=True,
# handle_chinese_chars=True, strip_accents=None->follows lowercase, lowercase=True)
# + BertPreTokenizer + WordPiece(unk="[UNK]", prefix="##", max_input_chars_per_word=100)
# ---------------------------------------------------------------------------

# Rust's char::is_whitespace (Unicode White_Space property), as used by HF tokenizers
_WHITE_SPACE = frozenset(
    [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
    + list(range(0x2000, 0x200B))
)


def _is_whitespace(ch: str) -> bool:
    return ord(ch) in _WHITE_SPACE


def _is_control(ch: str) -> bool:
    # categories Cc, Cf, Co, Cs. NOT Cn (unassigned code points are kept, as in
    # HF tokenizers, whose unicode_categories tables have no Cn entries).
    # \t \n \r are whitespace instead.
    if ch in ("\t", "\n", "\r"):
        return False
    return unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs")


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    # all non-letter/number ASCII printable chars count as punctuation ($ + < = > ^ ` | ~ too)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B920 <= cp <= 0x2CEAF  # sic: HF tokenizers (Rust) uses 0x2B920, Python BERT 0x2B820
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def normalize(text: str) -> str:
    """Step 1-4, in this order (the order of HF tokenizers' BertNormalizer)."""
    # 1. clean: drop U+0000, U+FFFD and control chars; whitespace -> ' '
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_control(ch):
            continue
        out.append(" " if _is_whitespace(ch) else ch)
    # 2. put spaces around CJK ideographs
    out2 = []
    for ch in out:
        if _is_cjk(ord(ch)):
            out2.extend((" ", ch, " "))
        else:
            out2.append(ch)
    text = "".join(out2)
    # 3. strip accents: NFD, then drop every char of category Mn
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    # 4. lowercase, char by char (full mapping, no context rules: like Rust char::to_lowercase)
    return "".join(c.lower() for c in text)


def basic_tokenize(text: str) -> list[str]:
    """Split on whitespace; every punctuation char becomes its own word."""
    words: list[str] = []
    cur: list[str] = []
    for ch in text:
        if _is_whitespace(ch):
            if cur:
                words.append("".join(cur))
                cur = []
        elif _is_punctuation(ch):
            if cur:
                words.append("".join(cur))
                cur = []
            words.append(ch)
        else:
            cur.append(ch)
    if cur:
        words.append("".join(cur))
    return words


def wordpiece(word: str, vocab: dict[str, int], unk_id: int, max_chars: int = 100) -> list[int]:
    """Greedy longest-match-first. Length counted in Unicode scalar values.
    If the word is longer than max_chars, or any position cannot be matched,
    the WHOLE word becomes a single [UNK]."""
    chars = list(word)
    if len(chars) > max_chars:
        return [unk_id]
    ids: list[int] = []
    start = 0
    while start < len(chars):
        end = len(chars)
        found = None
        while start < end:
            piece = "".join(chars[start:end])
            if start > 0:
                piece = "##" + piece
            if piece in vocab:
                found = vocab[piece]
                break
            end -= 1
        if found is None:
            return [unk_id]
        ids.append(found)
        start = end
    return ids


def tokenize(text: str, vocab: dict[str, int], unk_id: int, max_chars: int = 100) -> list[int]:
    ids: list[int] = []
    for w in basic_tokenize(normalize(text)):
        ids.extend(wordpiece(w, vocab, unk_id, max_chars))
    return ids


# ---------------------------------------------------------------------------
# Model file
# ---------------------------------------------------------------------------

class StaticModel:
    def __init__(self, path: str | Path):
        raw = Path(path).read_bytes()
        if raw[:8] != MAGIC:
            raise ValueError("bad magic")
        if hashlib.sha256(raw[:-32]).digest() != raw[-32:]:
            raise ValueError("checksum mismatch")
        n, dim, unk, maxc, flags, vb = struct.unpack_from("<6I", raw, 8)
        off = 32
        tokens = raw[off : off + vb].decode("utf-8").split("\n")[:-1]
        assert len(tokens) == n
        off += vb
        weight = np.frombuffer(raw, "<f4", n, off); off += 4 * n
        scale = np.frombuffer(raw, "<f4", n, off); off += 4 * n
        q = np.frombuffer(raw, "i1", n * dim, off).reshape(n, dim); off += n * dim
        assert off == len(raw) - 32
        self.tokens = tokens
        self.vocab = {t: i for i, t in enumerate(tokens)}
        self.dim, self.unk_id, self.max_chars, self.flags = dim, unk, maxc, flags
        # dequantised, weighted vectors (f32)
        self.vectors = (q.astype(np.float32) * (weight * scale)[:, None]).astype(np.float32)

    def token_ids(self, text: str, max_tokens: int | None = 512) -> list[int]:
        ids = tokenize(text, self.vocab, self.unk_id, self.max_chars)
        if max_tokens:
            ids = ids[:max_tokens]
        return [i for i in ids if i != self.unk_id]

    def encode(self, text: str, max_tokens: int | None = 512) -> np.ndarray:
        ids = self.token_ids(text, max_tokens)
        if not ids:
            return np.zeros(self.dim, np.float32)
        v = self.vectors[ids].mean(axis=0)
        n = float(np.linalg.norm(v))
        return v / n if n > 0 else v


if __name__ == "__main__":
    m = StaticModel(sys.argv[1])
    for t in sys.argv[2:]:
        print(t, [m.tokens[i] for i in m.token_ids(t)])
