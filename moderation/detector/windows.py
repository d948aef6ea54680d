"""Stage (b): sentence-aligned passage windows and the English check.

A post is cut into windows of about 60-150 words that start and end on
sentence boundaries, and end at a paragraph break once they have enough words,
so that a post gets one score per passage and a mixed post (a human intro, a
pasted AI paragraph) can be pointed at.  Windows with fewer
than :data:`MIN_WORDS` words are returned with ``status="insufficient_evidence"``
and never scored.  Text that does not look like English is also
``insufficient_evidence``: every feature and the language model assume English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Span", "split_sentences", "make_windows", "english_score", "is_english", "window_scorable",
           "scorable_windows", "MIN_WORDS", "WINDOW_MIN_ENGLISH", "TARGET_WORDS", "MAX_WORDS", "LENGTH_BANDS", "length_band"]

#: Fewer words than this in a window: insufficient evidence, never a guess.
MIN_WORDS = 50
#: A window of a longer post that scores less than this on :func:`english_score` (a quoted code listing, a
#: paragraph in another language) is insufficient evidence; the post as a whole must pass :func:`is_english`.
WINDOW_MIN_ENGLISH = 0.12
#: Windows are packed up to about this many words...
TARGET_WORDS = 110
#: ...and never exceed this (a longer single sentence is cut on word boundaries).
MAX_WORDS = 150

#: Post lengths in scored windows (about 110 words each): a post is flagged when any one window reaches the
#: threshold, so a long human post has more chances to be flagged than a one-paragraph one. False flags are
#: reported per band (``evaluate_detector``), and a forum can calibrate a threshold per band
#: (``calibrate_detector --by-length``).
LENGTH_BANDS: tuple[tuple[int, int | None], ...] = ((1, 1), (2, 3), (4, 7), (8, None))


def length_band(n_windows: int) -> str | None:
    """The name of the band a post with ``n_windows`` scored windows falls in ("1", "2-3", "4-7", "8+");
    None when nothing was scored."""
    for low, high in LENGTH_BANDS:
        if n_windows >= low and (high is None or n_windows <= high):
            return str(low) if low == high else f"{low}+" if high is None else f"{low}-{high}"
    return None


_WORD_RE = re.compile(r"\S+")
_ABBREV = {
    "e.g", "i.e", "etc", "mr", "mrs", "ms", "dr", "prof", "st", "vs", "cf", "approx", "no",
    "fig", "jr", "sr", "inc", "ltd", "co", "u.s", "u.k", "a.m", "p.m", "et al", "al", "ca", "ph.d",
}
# candidate boundary: terminal punctuation (+closing quotes/brackets) then whitespace,
# or a newline (paragraph/line break).
_BOUNDARY_RE = re.compile(r"[.!?]+[\"')\]]*(?=\s)|\n+")


@dataclass(frozen=True)
class Span:
    start: int  # offsets into the normalised text
    end: int
    n_words: int


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Half-open spans of sentences in (normalised) ``text``.  Heuristic, fast."""
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    for m in _BOUNDARY_RE.finditer(text):
        end = m.end()
        if m.group(0)[0] == ".":
            # abbreviation or initial?  look at the word before the period
            k = m.start()
            j = k
            while j > start and not text[j - 1].isspace():
                j -= 1
            prev = text[j:k].lower().strip("(\"'")
            if prev in _ABBREV or (len(prev) == 1 and prev.isalpha()):
                continue
            # decimal or next word lower-case: not a boundary
            nxt = end
            while nxt < n and text[nxt] in " \t":
                nxt += 1
            if nxt < n and text[nxt].islower():
                continue
        seg_start = start
        while seg_start < end and text[seg_start].isspace():
            seg_start += 1
        if end > seg_start:
            spans.append((seg_start, end))
        start = end
    seg_start = start
    while seg_start < n and text[seg_start].isspace():
        seg_start += 1
    if seg_start < n:
        spans.append((seg_start, n))
    return spans


def _count_words(text: str, a: int, b: int) -> int:
    return len(_WORD_RE.findall(text, a, b))


def make_windows(text: str, *, min_words: int = MIN_WORDS, target_words: int = TARGET_WORDS,
                 max_words: int = MAX_WORDS) -> list[Span]:
    """Pack sentences of ``text`` greedily into windows (see module docstring).

    A post of at most ``max_words`` words is one window.  A final window shorter
    than ``min_words`` is merged into the previous one when the result stays
    under ``max_words + min_words``; otherwise it stays (and is later reported as
    insufficient evidence).
    """
    sents = []
    for a, b in split_sentences(text):
        words = list(_WORD_RE.finditer(text, a, b))
        if not words:
            continue
        if len(words) <= max_words:
            sents.append((a, b, len(words)))
        else:  # pathological run-on sentence: cut it on word boundaries
            for k in range(0, len(words), target_words):
                chunk = words[k:k + target_words]
                sents.append((chunk[0].start(), chunk[-1].end(), len(chunk)))
    if not sents:
        return []
    total = sum(s[2] for s in sents)
    if total <= max_words:
        return [Span(sents[0][0], sents[-1][1], total)]
    wins: list[list] = []
    cur: list = []
    cur_n = 0
    for s in sents:
        # a paragraph break ends a window that has enough words: a pasted AI paragraph inside a
        # human post then gets a window of its own instead of being diluted by its neighbours
        new_paragraph = cur and "\n\n" in text[cur[-1][1]:s[0]]
        if cur and (cur_n + s[2] > max_words or cur_n >= target_words or
                    (new_paragraph and cur_n >= min_words)):
            wins.append([cur[0][0], cur[-1][1], cur_n])
            cur, cur_n = [], 0
        cur.append(s)
        cur_n += s[2]
    if cur:
        if wins and cur_n < min_words and wins[-1][2] + cur_n <= max_words + min_words:
            wins[-1][1] = cur[-1][1]
            wins[-1][2] += cur_n
        else:
            wins.append([cur[0][0], cur[-1][1], cur_n])
    return [Span(a, b, n) for a, b, n in wins]


# --- English check ----------------------------------------------------------

_EN_STOP = frozenset(
    "the of and to a in is it that i you for was on are with as be this have not but they at he "
    "by or from we his an there what so if all can my about do will one would me your just which "
    "their has had were more when no like out been up them some she her who our than then its "
    "also into only could should any how these other because very much does did those may might "
    "most over such even well being here where why too".split())
_TOKEN_RE = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|[^\W\d_]+")


def english_score(text: str) -> float:
    """Fraction of word tokens that are common English function words.

    English prose scores ~0.35-0.55; French/Spanish/German ~0.02-0.10; word
    salad and lists of names score low too.
    """
    toks = _TOKEN_RE.findall(text)
    if not toks:
        return 0.0
    return sum(1 for t in toks if t.lower() in _EN_STOP) / len(toks)


def is_english(text: str, latin_ratio: float = 1.0) -> bool:
    return latin_ratio >= 0.85 and english_score(text) >= 0.18


def window_scorable(text: str, span: Span, post_words: int) -> bool:
    """Whether the detector scores ``span`` of the normalised, English ``text`` (``post_words``: its
    ``len(text.split())``).  One predicate for ``detect()``, training and evaluation, so that the windows a
    model is trained and measured on, and the count the post rule reads, are the ones the product scores."""
    if span.n_words < MIN_WORDS:
        return False
    return span.n_words >= post_words or english_score(text[span.start:span.end]) >= WINDOW_MIN_ENGLISH


def scorable_windows(text: str) -> list[Span]:
    """The windows the detector scores (:func:`window_scorable`) of a normalised text (``normalize(...).text``)
    that passed :func:`is_english`; a text that does not is never scored (``detect()``: ``not_english``)."""
    post_words = len(text.split())
    return [s for s in make_windows(text) if window_scorable(text, s, post_words)]
