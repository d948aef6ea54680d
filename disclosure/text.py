"""Whether a text can be stored at all: PostgreSQL refuses a NUL character in a text column, and a lone UTF-16
surrogate (``\\ud800``, which JSON can carry) in any column. Paths that wrote free text without a form answered
500 on them (Django's form fields refuse NUL; the API's serializers refuse both)."""
from django.utils.translation import gettext


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
