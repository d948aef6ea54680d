"""Round 18's second screen (docs/detector.md): SmolLM2-135M-Instruct read twice.

``fill``: for every window of the LM sample (the same documents and windows ``fill_lm_cache`` caches), the ten
LM statistics of the window read as the answer to a user's request (the chat template), into a side cache
(JSONL ``{"k": sha1(window), "p": [10 statistics]}``). ``screen``: combiner P (the shipped LM combiner plus the
primed-minus-plain differences of mean log p, mean entropy, mean log rank and per-token curvature) against
the shipped form, out-of-fold on the training split, as ``screen_lm_combiner.py`` scores combiners.

    DEBUG=1 python scripts/primed_lm_screen.py fill OUT.jsonl --data PATH... --per-source N [--source-regex RE]
    DEBUG=1 python scripts/primed_lm_screen.py screen --from DIR --lm-cache CACHE.jsonl --primed OUT.jsonl \
        --data PATH...
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import screen_lm_combiner as S  # noqa: E402  (the screens' shared parts, beside this file)

IM_START, IM_END = 1, 2  # SmolLM2's chat-template special tokens (the tokenizer does not parse them in text)
REQUEST = "Write a paragraph for an online discussion forum."
DIFFERENCES = {"lm_logp_mean": 0, "lm_entropy_mean": 6, "lm_logrank_mean": 3, "lm_fastdetect_tok": 9}


def primed_prefix(lm) -> list[int]:
    return ([IM_START] + lm.tokenize("user\n" + REQUEST) + [IM_END] + lm.tokenize("\n")
            + [IM_START] + lm.tokenize("assistant\n"))


def primed_features(lm, prefix: list[int], text: str) -> list[float]:
    """The ten LM statistics of ``text``'s tokens (the first 200, as the product reads them), read after
    ``prefix``: one forward pass over separator + prefix + window, statistics over the window's tokens only."""
    from moderation.detector.lm import MAX_TOKENS
    from moderation.detector.smollm_onnx import rope_tables

    window = lm.tokenize(text)[:MAX_TOKENS]
    ids = prefix + window
    n = len(ids)
    if not hasattr(lm, "_primed_rope"):
        cfg = json.loads(str(np.load(lm.model_dir / "extra.npz")["config"]))
        lm._primed_rope = rope_tables(cfg, np.arange(1, MAX_TOKENS + len(prefix) + 2))
    cos, sin = lm._primed_rope
    causal = np.triu(np.full((n, n), -1e9, np.float32), 1)
    mask = np.concatenate([np.zeros((n, 1), np.float32), causal], axis=1)
    with lm._lock:
        logits, _ = lm.session.run(None, {"ids": np.asarray(ids, dtype=np.int64), "cos": cos[:n], "sin": sin[:n],
                                          "mask": np.tile(mask, (lm._group, 1))[None]})
    p = len(prefix)
    rows = logits[p - 1:p - 1 + len(window)].astype(np.float64)  # row j predicts ids[j + 1]
    obs = np.asarray(window, dtype=np.int64)
    rows -= rows.max(axis=1, keepdims=True)
    o = rows[np.arange(len(window)), obs]
    rank = (rows > o[:, None]).sum(axis=1)
    e = np.exp(rows)
    z = e.sum(axis=1)
    lse = np.log(z)
    s1 = (e * rows).sum(axis=1) / z
    s2 = (e * rows * rows).sum(axis=1) / z
    return lm._features(o - lse, rank, lse - s1, np.maximum(s2 - s1 * s1, 1e-6))


def fill(a) -> None:
    import django
    django.setup()
    from moderation.classifiers.detector_plugin import as_posted
    from moderation.detector.lm import get_lm
    from moderation.detector.train.lmcache import sample_windows

    lm = get_lm()
    prefix = primed_prefix(lm)
    docs = S.side_cache_docs(a)
    S.side_cache_fill(a.out, sample_windows(docs, a.per_source, as_posted),
                      lambda text: primed_features(lm, prefix, text), "p", every=200)


def screen(a) -> None:
    primed = S.side_cache_read(a.primed, "p")

    def differences(base, reread):
        plain = base[:, 1:]
        return (np.stack([reread[:, i] - plain[:, i] for i in DIFFERENCES.values()], axis=1),
                [f"primed_minus_{n}" for n in DIFFERENCES])

    S.main(["--from", a.run, "--lm-cache", a.lm_cache, "--data", *a.data],
           extra=[("P: LR + 4 primed differences", primed, differences)])


def main(argv=None) -> None:
    S.side_cache_main(argv, __doc__.splitlines()[0], "primed", fill, screen)


if __name__ == "__main__":
    main()
