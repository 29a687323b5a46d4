"""Corpus fit ("tokenlearn-lite"): refine the distilled token vectors so that the
MEAN of a sentence's token vectors reproduces the teacher's sentence embedding.

Closed-form ridge regression, solved with a fixed number of (Jacobi-preconditioned)
conjugate-gradient steps, float64, no randomness:

    minimise  sum_s || (1/|s|) sum_{t in s} E_t  -  y_s ||^2  +  lam * sum_t ||E_t - P_t||^2

    y_s : teacher (all-MiniLM-L6-v2) embedding of corpus sentence s, L2-normalised
    P_t : prior = the distilled single-token vector of t, L2-normalised
    s   : the sentence's token rows (no [CLS]/[SEP], [UNK] dropped, repeats kept)

Normal equations: (A^T A + lam I) E = A^T Y + lam P, with A[s, t] = count(t in s) / |s|.
Tokens absent from the corpus keep E_t = P_t exactly.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse


def design_matrix(token_lists: list[list[int]], n_vocab: int) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    for s, ids in enumerate(token_lists):
        if not ids:
            continue
        u, c = np.unique(np.asarray(ids, dtype=np.int64), return_counts=True)
        rows.extend([s] * len(u))
        cols.extend(u.tolist())
        vals.extend((c / len(ids)).tolist())
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(token_lists), n_vocab), dtype=np.float64)


def ridge_cg(A: sparse.csr_matrix, Y: np.ndarray, P: np.ndarray, lam: float, iters: int = 300, log=print) -> np.ndarray:
    AT = A.T.tocsr()
    M = (AT @ A).tocsr()
    M = M + lam * sparse.identity(M.shape[0], format="csr")
    B = AT @ Y + lam * P
    dinv = 1.0 / M.diagonal()
    X = P.copy()
    R = B - M @ X
    Z = dinv[:, None] * R
    D = Z.copy()
    rz = (R * Z).sum(0)
    b_norm = np.linalg.norm(B, axis=0)
    for it in range(iters):
        MD = M @ D
        alpha = rz / (D * MD).sum(0)
        X += alpha * D
        R -= alpha * MD
        Z = dinv[:, None] * R
        rz_new = (R * Z).sum(0)
        D = Z + (rz_new / rz) * D
        rz = rz_new
        if (it + 1) % 50 == 0:
            log(f"    cg iter {it + 1}: max rel residual {float((np.linalg.norm(R, axis=0) / b_norm).max()):.2e}")
    if not np.isfinite(X).all():
        raise FloatingPointError("ridge fit produced non-finite values")
    return X


def fit(token_lists, Y, prior, lam=0.05, iters=300, log=print):
    P = prior / np.linalg.norm(prior, axis=1, keepdims=True)
    A = design_matrix(token_lists, P.shape[0])
    return ridge_cg(A, Y.astype(np.float64), P, lam, iters, log)
