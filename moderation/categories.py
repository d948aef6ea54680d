"""How a post's category is matched against the categories a forum configured (disclosure required,
public interest): the same name however it is typed. ``"News"``, ``" news"`` and ``"news\u200b"`` used to
escape a rule written for ``news``."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from disclosure.text import invisible


def category_key(name: str) -> str:
    """``name`` Unicode-normalised (NFKC), without invisible characters (format characters such as zero-width
    spaces and joiners, and the other default-ignorable ones such as variation selectors), with its spaces
    collapsed and its case folded."""
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join(ch for ch in text if not invisible(ch))
    return " ".join(text.split()).casefold()


def in_categories(category: str, categories: Iterable[str] | None) -> bool:
    """Whether ``category`` is one of ``categories``, compared by :func:`category_key`; a blank one never is."""
    key = category_key(category)
    return bool(key) and any(category_key(c) == key for c in categories or ())
