"""Text-distortion n-grams (detector version 5): word patterns with every content word masked.

Each word that is not one of the 132 function words of :data:`~moderation.detector.features.FUNCTION_WORDS`
becomes ``*`` and punctuation is kept, so "It's worth noting that the model fails, but" reads
``* * * that the * * , but``.  What is left is how a writer strings clauses together ("* of the * *", ", but it *",
"* , and *"), with no topic word in it (Stamatatos' text distortion, 2017): a topic-robust style signal
beside the 189 hand-made features.  The vocabulary (the most frequent 2- and 3-grams in the training
windows, each with at least one unmasked token) is learned at training time and stored in the artifact,
so it changes with the model, never silently under it.  Each feature is the n-gram's count per word.
"""

from __future__ import annotations

import re
from collections import Counter

from .features import FUNCTION_WORDS

PREFIX = "dg:"
_KEEP = frozenset(FUNCTION_WORDS)
_TOK = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|[,.;:?!\"()\-]")


def distorted(text: str) -> list[str]:
    """The text's tokens with every content word masked to ``*`` (function words lower-cased)."""
    keep = _KEEP
    return [lw if (lw in keep or not lw[0].isalpha()) else "*" for lw in map(str.lower, _TOK.findall(text))]


def ngrams(text: str) -> Counter:
    toks = distorted(text)
    out: Counter = Counter()
    for n in (2, 3):
        for i in range(len(toks) - n + 1):
            g = toks[i:i + n]
            if any(t != "*" for t in g):
                out[" ".join(g)] += 1
    return out


def build_vocabulary(texts, k: int = 300) -> list[str]:
    """The ``k`` n-grams found in the most training windows (ties: alphabetical, so it is deterministic)."""
    df: Counter = Counter()
    for t in texts:
        df.update(ngrams(t).keys())
    return [g for g, _ in sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]


def rates(text: str, index: dict[str, int]) -> list[float]:
    """Per-word rate of every vocabulary n-gram (``index``: n-gram -> position).

    The same counts as :func:`ngrams`, without building the Counter: this runs on every window."""
    out = [0] * len(index)
    toks = distorted(text)
    get = index.get
    m = len(toks)
    for i in range(m - 1):
        a, b = toks[i], toks[i + 1]
        ab = a + " " + b
        if a != "*" or b != "*":
            j = get(ab)
            if j is not None:
                out[j] += 1
        if i + 2 < m:
            c = toks[i + 2]
            if a != "*" or b != "*" or c != "*":
                j = get(ab + " " + c)
                if j is not None:
                    out[j] += 1
    n = max(len(text.split()), 1)
    return [c / n for c in out]
