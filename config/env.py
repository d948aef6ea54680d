"""Reading the demo project's settings from the environment, so that a mistyped value stops every role with
a message naming the variable (``ImproperlyConfigured: CELERY_VISIBILITY_TIMEOUT='1h' ...``) rather than
``int()``'s "invalid literal ... '1h'", which names only the value."""
from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def env_number(name: str, default: int | float):
    """``name`` from the environment as a number of ``default``'s type (unset: ``default``)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    kind = type(default)
    try:
        return kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ImproperlyConfigured(f"{name}={raw!r} in the environment is not {what} "
                                   f"(unset, it is {default}).") from None


def env_choice(name: str, default: str, choices: tuple[str, ...], *, upper: bool = False) -> str:
    """``name`` from the environment, one of ``choices`` (compared in upper case with ``upper``)."""
    raw = os.environ.get(name, default)
    value = raw.strip().upper() if upper else raw.strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={raw!r} in the environment is not one of {', '.join(choices)}.")
    return value
