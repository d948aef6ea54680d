"""Stage (a): text normalisation with an offset map back to the original text.

Everything the detector measures is measured on the *normalised* text, so that
how a forum's editor rendered the text (curly vs straight quotes, em dashes vs
hyphens, non-breaking spaces, ligatures, full-width forms) and cheap evasion
tricks (zero-width characters, Cyrillic/Greek look-alike letters) carry no
signal.  Quoted text, code and URLs are *excluded* from scoring (they are not
the author's prose) and recorded with their span in the original text.

The central object is :class:`Normalized`: ``text`` is the folded text and
``src_start[i]``/``src_end[i]`` give, for every code point ``i`` of ``text``,
the half-open span of the original text it came from.  ``to_original(a, b)``
maps a normalised span back to code-point offsets into the original string.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["Normalized", "normalize", "fold_char_map", "HOMOGLYPHS", "ZERO_WIDTH"]

# --- character tables -------------------------------------------------------

#: Code points deleted outright (invisible: zero-width, joiners, soft hyphen,
#: BOM, word joiner, bidi controls, variation selectors).
ZERO_WIDTH = frozenset(
    [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x200B, 0x200C, 0x200D,
     0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2060, 0x2061, 0x2062, 0x2063,
     0x2064, 0x2066, 0x2067, 0x2068, 0x2069, 0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F,
     0x3164, 0xFEFF, 0xFFA0]
    + list(range(0xFE00, 0xFE10))
    + list(range(0xE0100, 0xE01F0))
)

#: Look-alike letters from other scripts folded to the Latin letter they imitate
#: (Unicode "confusables", the subset that matters for English text).
HOMOGLYPHS: dict[str, str] = {
    # Cyrillic lower
    "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j", "к": "k",
    "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "ѕ": "s", "т": "t", "у": "y", "х": "x",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ь": "b", "ɡ": "g",
    # Cyrillic upper
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "Һ": "H", "І": "I", "Ї": "I", "Ј": "J", "К": "K",
    "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Ѕ": "S", "Т": "T", "У": "Y", "Х": "X",
    "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I",
    # Greek
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "υ": "u", "χ": "x",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Latin look-alikes / IPA
    "ı": "i", "ȷ": "j", "ʟ": "L", "ɪ": "I", "ɑ": "a", "ǀ": "l", "ℓ": "l",
    # Armenian / Cherokee / misc common ones
    "օ": "o", "ս": "u", "հ": "h", "ո": "n", "ց": "g", "Ꭺ": "A", "Ꭼ": "E", "Ꮯ": "C", "Ꭲ": "T",
}

#: Typographic punctuation folded to ASCII (editor-dependent rendering).
_PUNCT_FOLD: dict[str, str] = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u0060": "'", "\u00b4": "'", "\u2035": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"',
    "\u00bb": '"', "\u2039": "'", "\u203a": "'", "\u2036": '"', "\u301d": '"', "\u301e": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2e3a": "-", "\u2e3b": "-", "\ufe58": "-", "\ufe63": "-", "\uff0d": "-",
    "\u2026": "...", "\u22ef": "...",
    "\u2022": "*", "\u00b7": "*", "\u2023": "*", "\u25e6": "*", "\u2043": "*",
}

_SPACE_CATS = {"Zs"}


def fold_char_map(ch: str) -> str:
    """Fold one (already NFKC-normalised) character; '' deletes it."""
    o = ord(ch)
    if o in ZERO_WIDTH:
        return ""
    r = _PUNCT_FOLD.get(ch)
    if r is not None:
        return r
    if ch in "\t\r\f\v" or (o > 127 and unicodedata.category(ch) in _SPACE_CATS):
        return " "
    if o > 127 and unicodedata.category(ch) == "Cf":  # other invisible format chars
        return ""
    return ch


# --- exclusions -------------------------------------------------------------

_FENCE_RE = re.compile(r"(^|\n)[ \t]*(```|~~~)[^\n]*\n.*?(\n[ \t]*\2[^\n]*(?=\n|$)|$)", re.S)
# Paired blocks (``<pre>…</pre>``, ``[quote]…[/quote]``) are found as the regex
# ``<(pre|code|blockquote|q)\b[^>]*>.*?</\1\s*>`` would find them, but without its backtracking (which
# rescans to the end of the text from every unclosed opener: ``'[quote]' * 8000`` took seconds): every
# possible opener (attributes capped at 500 characters), then the first closer of its name after it.
_HTML_BLOCK_RE = re.compile(r"(?=<(pre|code|blockquote|q)\b[^>]{0,500}>)", re.I)
_HTML_BLOCK_OPEN_RE = re.compile(r"<(pre|code|blockquote|q)\b[^>]{0,500}>", re.I)
_HTML_BLOCK_CLOSE_RE = re.compile(r"</(pre|code|blockquote|q)\s*>", re.I)
_BB_QUOTE_RE = re.compile(r"(?=\[(quote|code)(=[^\]]{0,500})?\])", re.I)
_BB_QUOTE_OPEN_RE = re.compile(r"\[(quote|code)(=[^\]]{0,500})?\]", re.I)
_BB_QUOTE_CLOSE_RE = re.compile(r"\[/(quote|code)\]", re.I)
_QUOTE_LINE_RE = re.compile(r"(?m)^[ \t]*>[^\n]*(\n[ \t]*>[^\n]*)*")
_INDENT_CODE_RE = re.compile(r"(?:(?<=\n\n)|\A)((?:(?: {4}|\t)[^\n]*(?:\n|\Z))+)")
_INLINE_CODE_RE = re.compile(r"`[^`\n]+`")
_URL_RE = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"'()\[\]]+(?:\([^\s()]*\)[^\s<>\"'()\[\]]*)*", re.I)
# Bounded parts (RFC 5321 allows 64 characters before the @): unbounded, every word boundary of a long
# dotted run started a scan to its end.
_EMAIL_RE = re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}\.[\w.-]{1,190}\b")
_HTML_TAG_RE = re.compile(r"</?[a-zA-Z][^<>\n]{0,200}>")


def _paired_spans(candidates: re.Pattern, opener: re.Pattern, closer: re.Pattern, text: str):
    """(start, end, lower-case name) of each non-overlapping ``opener … closer`` pair, leftmost first, the
    closer being the first of the opener's name after it: what ``opener.*?closer`` with a back-reference
    finds with ``finditer``, in one pass (closers are looked up by bisection)."""
    closers: dict[str, tuple[list[int], list[int]]] = {}
    for m in closer.finditer(text):
        starts, ends = closers.setdefault(m.group(1).lower(), ([], []))
        starts.append(m.start())
        ends.append(m.end())
    if not closers:
        return
    pos = 0
    for candidate in candidates.finditer(text):
        start = candidate.start()
        if start < pos:
            continue
        name = candidate.group(1).lower()
        if name not in closers:
            continue
        opened = opener.match(text, start)
        starts, ends = closers[name]
        i = bisect.bisect_left(starts, opened.end())
        if i < len(starts):
            yield start, ends[i], name
            pos = ends[i]


def find_exclusions(text: str, *, markup: bool = True) -> list[tuple[int, int, str]]:
    """Spans of ``text`` that are not the author's prose: (start, end, kind).

    kind is one of ``"code"``, ``"quote"``, ``"url"``, ``"markup"``.  Spans do not
    overlap (earlier, larger constructs win).  ``markup=False``: ``text`` is what readers see (an HTML post's
    parsed text), not source, so only addresses (URLs, e-mails) are left out: a literal ``>`` or a fence there
    is prose on the page, and reading it as a quote or code left undeclared AI text unscored.
    """
    spans: list[tuple[int, int, str]] = []
    starts: list[int] = []  # of spans, sorted; the spans never overlap, so one neighbour decides
    ends: list[int] = []

    def add(a: int, b: int, kind: str) -> None:
        if b <= a:
            return
        i = bisect.bisect_left(starts, b) - 1  # the last span starting before b
        if i >= 0 and ends[i] > a:
            return
        starts.insert(i + 1, a)
        ends.insert(i + 1, b)
        spans.append((a, b, kind))

    if markup:
        has_nl = "\n" in text
        for m in (_FENCE_RE.finditer(text) if ("```" in text or "~~~" in text) else ()):
            a = m.start() + len(m.group(1))
            add(a, m.end(), "code")
        for a, b, tag in (_paired_spans(_HTML_BLOCK_RE, _HTML_BLOCK_OPEN_RE, _HTML_BLOCK_CLOSE_RE, text)
                          if "<" in text else ()):
            add(a, b, "quote" if tag in ("blockquote", "q") else "code")
        for a, b, tag in (_paired_spans(_BB_QUOTE_RE, _BB_QUOTE_OPEN_RE, _BB_QUOTE_CLOSE_RE, text)
                          if "[" in text else ()):
            add(a, b, tag)
        for m in (_QUOTE_LINE_RE.finditer(text) if ">" in text else ()):
            add(m.start(), m.end(), "quote")
        indented = (has_nl or text[:1] in " \t") and ("    " in text or "\t" in text)
        for m in (_INDENT_CODE_RE.finditer(text) if indented else ()):
            add(m.start(1), m.end(1), "code")
        for m in (_INLINE_CODE_RE.finditer(text) if "`" in text else ()):
            add(m.start(), m.end(), "code")
    low = text.lower() if ("://" in text or "ww." in text or "WW." in text) else ""
    for m in (_URL_RE.finditer(text) if ("://" in low or "www." in low) else ()):
        e = m.end()
        while e > m.start() and text[e - 1] in ".,;:!?":
            e -= 1
        add(m.start(), e, "url")
    for m in (_EMAIL_RE.finditer(text) if "@" in text else ()):
        add(m.start(), m.end(), "url")
    for m in (_HTML_TAG_RE.finditer(text) if markup and "<" in text else ()):
        add(m.start(), m.end(), "markup")
    spans.sort()
    return spans


# --- main entry point -------------------------------------------------------


@dataclass
class Normalized:
    """Normalised text plus a piecewise map back to the original.

    ``segments`` is a sorted list of ``(n_start, n_end, o_start, o_end)``:
    normalised text ``text[n_start:n_end]`` came from ``original[o_start:o_end]``.
    A segment with equal lengths is an identity copy (mapped char by char);
    otherwise the whole piece maps to the whole original piece.
    """

    original: str
    text: str
    segments: list[tuple[int, int, int, int]]
    excluded: list[tuple[int, int, str]] = field(default_factory=list)
    homoglyphs_folded: int = 0
    invisible_removed: int = 0
    latin_ratio: float = 1.0

    def _seg(self, i: int) -> tuple[int, int, int, int]:
        k = bisect.bisect_right(self._starts, i) - 1
        return self.segments[max(k, 0)]

    def __post_init__(self) -> None:
        self._starts = [seg[0] for seg in self.segments]

    def orig_start(self, i: int) -> int:
        ns, ne, os_, oe = self._seg(i)
        return os_ + (i - ns) if (ne - ns) == (oe - os_) else os_

    def orig_end(self, i: int) -> int:
        """End (exclusive) in the original of normalised code point ``i``."""
        ns, ne, os_, oe = self._seg(i)
        return os_ + (i - ns) + 1 if (ne - ns) == (oe - os_) else oe

    def to_original(self, a: int, b: int) -> tuple[int, int]:
        """Map the normalised half-open span [a, b) to the original text."""
        if not self.text:
            return (0, 0)
        a = max(0, min(a, len(self.text) - 1))
        b = max(a + 1, min(b, len(self.text)))
        return (self.orig_start(a), self.orig_end(b - 1))


def _compress(s_start: list[int], s_end: list[int]) -> list[tuple[int, int, int, int]]:
    """Per-code-point source spans -> segments (merging identity runs)."""
    segs: list[list[int]] = []
    for i, (a, b) in enumerate(zip(s_start, s_end)):
        if segs:
            last = segs[-1]
            ident_last = (last[1] - last[0]) == (last[3] - last[2])
            if ident_last and b - a == 1 and last[3] == a:
                last[1] = i + 1; last[3] = b
                continue
            if last[2] == a and last[3] == b:  # several output chars from one source piece
                last[1] = i + 1
                continue
        segs.append([i, i + 1, a, b])
    return [tuple(x) for x in segs]


def _is_latin_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


_ASCII_FIX_RE = re.compile(r"[ \t\r\f\v]*\n[ \t\r\f\v\n]*|[ \t\r\f\v]{2,}|[\t\r\f\v]|-{2,}|`")


def _normalize_ascii(text: str, excluded: list[tuple[int, int, str]]) -> Normalized:
    """Fast path for plain-ASCII input: only whitespace runs, '--' and backticks change."""
    parts: list[str] = []
    segs: list[tuple[int, int, int, int]] = []
    n_out = 0

    def emit(piece: str, oa: int, ob: int) -> None:
        nonlocal n_out
        if not piece:
            return
        parts.append(piece)
        segs.append((n_out, n_out + len(piece), oa, ob))
        n_out += len(piece)

    def tail() -> str:
        return parts[-1][-1] if parts else "\n"

    def tail2() -> str:
        if not parts:
            return "\n\n"
        last = parts[-1]
        if len(last) >= 2:
            return last[-2:]
        return (parts[-2][-1] if len(parts) >= 2 else "\n") + last

    def emit_break(kind: str, oa: int, ob: int) -> None:
        if not parts:
            return
        if kind == " ":
            if tail() not in " \n":
                emit(" ", oa, ob)
            return
        # newline(s): drop a trailing space first
        if tail() == " ":
            p = parts[-1]
            parts[-1] = p[:-1]
            ns, ne, os_, oe = segs[-1]
            if ne - ns == oe - os_:
                segs[-1] = (ns, ne - 1, os_, oe - 1)
            else:
                segs[-1] = (ns, ne - 1, os_, oe)
            if not parts[-1]:
                parts.pop(); segs.pop()
            globals_fix()
        want = 2 if kind == "\n\n" else 1
        have = 2 if tail2() == "\n\n" else (1 if tail() == "\n" else 0)
        if want > have:
            emit("\n" * (want - have), oa, ob)

    def globals_fix() -> None:
        nonlocal n_out
        n_out = segs[-1][1] if segs else 0

    pos = 0
    bounds = []
    for a, b, _k in excluded:
        bounds.append((pos, a, None))
        bounds.append((a, b, "\n" if "\n" in text[a:b] else " "))
        pos = b
    bounds.append((pos, len(text), None))
    for a, b, sep in bounds:
        if a >= b:
            continue
        if sep is not None:
            emit_break(sep, a, b)
            continue
        p = a
        for m in _ASCII_FIX_RE.finditer(text, a, b):
            ma, mb = m.start(), m.end()
            if ma > p:
                chunk = text[p:ma]
                if not parts:
                    stripped = chunk.lstrip(" ")
                    p += len(chunk) - len(stripped)
                    chunk = stripped
                if chunk:
                    if chunk[0] == " " and tail() in " \n":
                        chunk = chunk[1:]; p += 1
                    emit(chunk, p, ma)
            tok = m.group(0)
            if "\n" in tok:
                emit_break("\n\n" if tok.count("\n") >= 2 else "\n", ma, mb)
            elif tok == "`":
                emit("'", ma, mb)
            elif tok[0] == "-":
                emit("-", ma, mb)
            else:
                emit_break(" ", ma, mb)
            p = mb
        if p < b:
            chunk = text[p:b]
            if not parts:
                stripped = chunk.lstrip(" ")
                p += len(chunk) - len(stripped)
                chunk = stripped
            if chunk and chunk[0] == " " and tail() in " \n":
                chunk = chunk[1:]; p += 1
            emit(chunk, p, b)
    out = "".join(parts)
    stripped = out.rstrip(" \n")
    if len(stripped) < len(out):
        cut = len(stripped)
        new = []
        for ns, ne, os_, oe in segs:
            if ns >= cut:
                break
            if ne > cut:
                if ne - ns == oe - os_:
                    oe = os_ + (cut - ns)
                ne = cut
            new.append((ns, ne, os_, oe))
        segs = new
        out = stripped
    return Normalized(text, out, segs, excluded, 0, 0, 1.0 if out else 0.0)


def normalize(text: str, *, exclude: bool = True, markup: bool = True) -> Normalized:
    """Normalise ``text`` (see module docstring).  Pure and deterministic.  ``markup``: see
    :func:`find_exclusions`."""
    excluded = find_exclusions(text, markup=markup) if exclude else []
    if text.isascii():
        return _normalize_ascii(text, excluded)
    # Count letters by script to decide whether look-alike folding applies:
    # a Russian post stays Russian (and is later reported as non-English);
    # an English post with a few Cyrillic 'а's is folded.
    n_letters = n_latin = n_confusable = 0
    for ch in text:
        if ch.isalpha():
            n_letters += 1
            if _is_latin_letter(ch):
                n_latin += 1
            elif ch in HOMOGLYPHS:
                n_confusable += 1
    fold_homoglyphs = n_letters > 0 and (n_latin + n_confusable) / n_letters >= 0.6 and n_latin >= n_confusable

    out: list[str] = []
    s_start: list[int] = []
    s_end: list[int] = []
    n_hg = n_inv = 0
    ex_i = 0
    n = len(text)
    i = 0
    last_space = True  # collapse runs of spaces; suppress leading space
    newline_run = 0
    while i < n:
        # skip excluded spans (replace by a single space / newline to keep word boundaries)
        if ex_i < len(excluded) and i >= excluded[ex_i][0]:
            a, b, _kind = excluded[ex_i]
            seg = text[a:b]
            ex_i += 1
            if i < b:
                sep = "\n" if "\n" in seg else " "
                if sep == "\n" and newline_run < 2:
                    out.append("\n"); s_start.append(a); s_end.append(b)
                    newline_run += 1
                    last_space = True
                elif not last_space:
                    out.append(" "); s_start.append(a); s_end.append(b)
                    last_space = True
                i = b
            continue
        # cluster = base char + following combining marks
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = text[i:j]
        if cluster.isascii():
            pieces = cluster if cluster not in "`\t\r\f\v" else ("'" if cluster == "`" else " ")
        else:
            nf = unicodedata.normalize("NFKC", cluster)
            # drop remaining combining marks (accents don't matter here and are a
            # common way to perturb tokens)
            buf = []
            for ch in nf:
                if unicodedata.combining(ch):
                    continue
                if fold_homoglyphs and ch in HOMOGLYPHS:
                    buf.append(HOMOGLYPHS[ch]); n_hg += 1
                    continue
                f = fold_char_map(ch)
                if f == "" and ch != "":
                    n_inv += 1
                buf.append(f)
            pieces = "".join(buf)
        for ch in pieces:
            if ch == "\n":
                # trim trailing spaces before a newline; keep at most one blank line
                while out and out[-1] == " ":
                    out.pop(); s_start.pop(); s_end.pop()
                if newline_run >= 2 or not out:
                    continue
                newline_run += 1
                last_space = True
            elif ch == " ":
                if last_space:
                    continue
                last_space = True
            else:
                last_space = False
                newline_run = 0
            out.append(ch); s_start.append(i); s_end.append(j)
        i = j
    while out and out[-1] in " \n":
        out.pop(); s_start.pop(); s_end.pop()
    norm = "".join(out)
    # fold runs of hyphens ("--", "---") to one: same editor-rendering argument
    if "--" in norm:
        keep = [k for k in range(len(norm)) if not (norm[k] == "-" and k > 0 and norm[k - 1] == "-")]
        ends = s_end
        new_end = []
        for idx, k in enumerate(keep):
            nxt = keep[idx + 1] if idx + 1 < len(keep) else len(norm)
            new_end.append(ends[nxt - 1])
        norm = "".join(norm[k] for k in keep)
        s_start = [s_start[k] for k in keep]
        s_end = new_end
    letters = [c for c in norm if c.isalpha()]
    latin_ratio = (sum(1 for c in letters if _is_latin_letter(c)) / len(letters)) if letters else 0.0
    return Normalized(text, norm, _compress(s_start, s_end), excluded, n_hg, n_inv, latin_ratio)


def fold(text: str) -> str:
    """Just the folded text (no exclusions), for training-time feature extraction."""
    return normalize(text, exclude=False).text
