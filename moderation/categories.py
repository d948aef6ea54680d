"""How a post's category is matched against the categories a forum configured (disclosure required,
public interest): the same name however it is typed. ``"News"``, ``" news"`` and ``"news\u200b"`` used to
escape a rule written for ``news``."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable


#: Unicode's default-ignorable code points that are not format characters (Cf): variation selectors, the
#: combining grapheme joiner, Hangul fillers, Khmer and Mongolian invisibles. "NEWS\ufe0f" is not "news"
#: on screen only.
_IGNORABLE = ((0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x2065, 0x2065),
              (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0000, 0xE0FFF))


def _invisible(ch: str) -> bool:
    code = ord(ch)
    return unicodedata.category(ch) == "Cf" or any(low <= code <= high for low, high in _IGNORABLE)


def category_key(name: str) -> str:
    """``name`` Unicode-normalised (NFKC), without invisible characters (format characters such as zero-width
    spaces and joiners, and the other default-ignorable ones such as variation selectors), with its spaces
    collapsed and its case folded."""
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join(ch for ch in text if not _invisible(ch))
    return " ".join(text.split()).casefold()


def in_categories(category: str, categories: Iterable[str] | None) -> bool:
    """Whether ``category`` is one of ``categories``, compared by :func:`category_key`; a blank one never is."""
    key = category_key(category)
    return bool(key) and any(category_key(c) == key for c in categories or ())
