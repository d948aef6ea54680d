"""An on-disk cache of the LM stage's per-window outputs (statistics and mean-pooled hidden states), and
a command that fills it for a seeded, source-balanced sample of documents.

The LM costs ~0.3 s per window on one core, so training and evaluation of the LM stage work on a sample:
every window (and the 60-word prefix) of the first N documents per source in a fixed order (sha1 of the
text), computed round-robin over the sources so that a run stopped early still leaves a balanced sample.
The cache is an append-only JSONL file (``{"k": sha1(window), "f": [10 statistics], "h": base64 float16
hidden states}``), so several runs can extend it and nothing is rewritten. With ``--tokens`` each record also
keeps ``"t"``: the window's per-token log p, rank, entropy and variance of log p (base64 float32, 4 x n), so
that an experiment can try statistics the ten summaries average away without running the LM again.

    python manage.py fill_lm_cache CACHE.jsonl --data ../shared/data/liang2023 ... \
        --per-source 120 [--source-regex 'own:|se:']

``manage.py fill_lm_cache`` caches the windows the product scores (each document's author passages, as
``evaluate_detector`` and ``train_detector`` read them); ``python -m moderation.detector.train.lmcache``, with
the same arguments and no Django, caches the raw text's windows, which differ for a reply that is all quote.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable

import numpy as np

from ..normalize import normalize
from ..windows import is_english, scorable_windows

PREFIX_WORDS = 60


def key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class LMCache:
    def __init__(self, path: str | os.PathLike):
        self.path = str(path)
        self.d: dict[str, tuple[list[float], str]] = {}
        self.t: dict[str, str] = {}
        if os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        r = json.loads(line)
                    except ValueError:  # a line cut by a killed run
                        continue
                    self.d[r["k"]] = (r["f"], r.get("h", ""))
                    if r.get("t"):
                        self.t[r["k"]] = r["t"]
        self._fh = None

    def __contains__(self, text: str) -> bool:
        return key(text) in self.d

    def features(self, text: str) -> list[float] | None:
        v = self.d.get(key(text))
        return None if v is None else v[0]

    def hidden(self, text: str) -> np.ndarray | None:
        v = self.d.get(key(text))
        if v is None or not v[1]:
            return None
        return np.frombuffer(base64.b64decode(v[1]), dtype=np.float16).astype(np.float32)

    def tokens(self, text: str) -> np.ndarray | None:
        """(4, n) per-token log p, rank, entropy and variance of log p, when the fill kept them (``--tokens``)."""
        v = self.t.get(key(text))
        if v is None:
            return None
        return np.frombuffer(base64.b64decode(v), dtype=np.float32).reshape(4, -1)

    def put(self, text: str, feats, hidden, tokens=None) -> None:
        k = key(text)
        h = base64.b64encode(np.asarray(hidden, dtype=np.float16).tobytes()).decode("ascii")
        self.d[k] = ([float(x) for x in feats], h)
        rec = {"k": k, "f": self.d[k][0], "h": h}
        if tokens is not None:
            rec["t"] = self.t[k] = base64.b64encode(np.asarray(tokens, dtype=np.float32).tobytes()).decode("ascii")
        if self._fh is None:
            self._fh = open(self.path, "a", encoding="utf-8")
        self._fh.write(json.dumps(rec) + "\n")
        self._fh.flush()


def doc_windows(text: str, scored_text: Callable[[str], str] | None = None) -> list[str]:
    """Every text the LM stage may be asked about for this document: its scorable windows and its first
    60 words (the training examples and the evaluation's windows are drawn from these). ``scored_text``: what
    the product scores of the document (``training.build_examples``); None: the text itself."""
    n = normalize(scored_text(text) if scored_text else text)
    norm = n.text
    if not is_english(norm, n.latin_ratio):
        return []
    out = [norm[w.start:w.end] for w in scorable_windows(norm)]
    if len(norm.split()) >= PREFIX_WORDS + 15:
        out.append(" ".join(norm.split()[:PREFIX_WORDS]))
    return out


def lm_order(docs) -> dict[str, list]:
    """Documents per source in the fixed LM-sample order."""
    by = defaultdict(list)
    for d in docs:
        by[d.source].append(d)
    return {s: sorted(v, key=lambda d: hashlib.sha1(("lm:" + d.text).encode("utf-8")).hexdigest())
            for s, v in sorted(by.items())}


def lm_sample(docs, per_source: int | dict) -> list:
    out = []
    for s, lst in lm_order(docs).items():
        n = per_source.get(s, per_source.get("*", 0)) if isinstance(per_source, dict) else per_source
        out += lst[:n]
    return out


def sample_windows(docs, per_source: int, scored_text: Callable[[str], str] | None = None) -> list[str]:
    """The windows of the first ``per_source`` documents of each source (:func:`lm_order`), round-robin over
    the sources, so that a fill stopped early still leaves a balanced sample."""
    queues = {s: lst[:per_source] for s, lst in lm_order(docs).items()}
    out = []
    for i in range(per_source):
        for lst in queues.values():
            if i < len(lst):
                out += doc_windows(lst[i].text, scored_text)
    return out


def fill(cache: LMCache, docs, per_source: int, log=print,
         scored_text: Callable[[str], str] | None = None, tokens: bool = False) -> None:
    from ..lm import get_lm
    lm = get_lm()
    if lm is None:
        raise SystemExit("the LM stage is not installed")
    todo = [t for t in sample_windows(docs, per_source, scored_text) if t not in cache]
    log(f"{len(todo)} windows to compute ({len(cache.d)} cached)")
    t0 = time.time()
    for j, t in enumerate(todo):
        if t in cache:
            continue
        logp, rank, ent, var, h = lm.token_stats(t, hidden=True)  # what features_and_hidden computes
        cache.put(t, lm._features(logp, rank, ent, var), h, np.stack([logp, rank, ent, var]) if tokens else None)
        if j % 100 == 0:
            log(f"{j}/{len(todo)}  {time.time() - t0:.0f}s")


def add_arguments(ap: argparse.ArgumentParser) -> None:
    """The command's arguments, shared with ``manage.py fill_lm_cache``."""
    ap.add_argument("cache")
    ap.add_argument("--data", nargs="+", required=True)
    ap.add_argument("--per-source", type=int, default=100)
    ap.add_argument("--source-regex", default="")
    ap.add_argument("--tokens", action="store_true",
                    help="also keep each window's per-token statistics (for experiments; about 4 kB a window)")


def run(cache: str, data: list[str], per_source: int, source_regex: str = "",
        scored_text: Callable[[str], str] | None = None, log=None, tokens: bool = False) -> None:
    from .data import load
    docs = load(data)
    if source_regex:
        docs = [d for d in docs if re.search(source_regex, d.source)]
    fill(LMCache(cache), docs, per_source, log=log or (lambda m: print(m, file=sys.stderr, flush=True)),
         scored_text=scored_text, tokens=tokens)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    add_arguments(ap)
    a = ap.parse_args(argv)
    run(a.cache, a.data, a.per_source, a.source_regex, tokens=a.tokens)


if __name__ == "__main__":
    main()
