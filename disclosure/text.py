"""Whether a text can be stored at all: PostgreSQL refuses a NUL character in a text column, and a lone UTF-16
surrogate (``\\ud800``, which JSON can carry) in any column. Paths that wrote free text without a form answered
500 on them (Django's form fields refuse NUL; the API's serializers refuse both).

And whether it shows anything: :func:`invisible` characters (a zero-width space, a variation selector) are no
category name, no title and no post."""
import unicodedata

from django.utils.translation import gettext

#: Unicode's default-ignorable code points that are not format characters (Cf): variation selectors, the
#: combining grapheme joiner, Hangul fillers, Khmer and Mongolian invisibles. "NEWS\ufe0f" is not "news"
#: on screen only.
_IGNORABLE = ((0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x2065, 0x2065),
              (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0000, 0xE0FFF))


def invisible(ch: str) -> bool:
    """A format character (zero-width space and joiners, BOM) or another default-ignorable one."""
    code = ord(ch)
    return unicodedata.category(ch) == "Cf" or any(low <= code <= high for low, high in _IGNORABLE)


def blank(text: str) -> bool:
    """Nothing a reader would see: only whitespace and :func:`invisible` characters (``str.strip`` keeps a
    ``"\\u200b"`` title)."""
    return all(ch.isspace() or invisible(ch) for ch in text)


def storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unstorable_message() -> str:
    return gettext("This text holds a NUL character or a broken one (a lone surrogate): remove it and send again.")
