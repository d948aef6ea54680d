"""What the detector's developer commands (``evaluate_detector``, ``train_detector``, ``fill_lm_cache``) share."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError


@contextmanager
def data_errors_as_command_errors() -> Iterator[None]:
    """A ``--data`` path the loaders cannot read is the operator's mistake: one line naming it, not a
    traceback. Other errors keep their traceback."""
    from moderation.detector.train.data import DataError

    try:
        yield
    except DataError as exc:
        raise CommandError(str(exc)) from None
