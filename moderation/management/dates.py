"""Date options shared by the management commands."""
from __future__ import annotations

from datetime import datetime, time

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime


def option_moment(value: str | None, *, option: str) -> datetime | None:
    """An aware datetime from a ``YYYY-MM-DD`` or ISO date-time option (a date means its midnight)."""
    if not value:
        return None
    try:  # well-formed but impossible (2026-02-30, 25:00, an offset of +25:00) raises ValueError
        parsed = parse_datetime(value)
        if parsed is None and (day := parse_date(value)) is not None:
            parsed = datetime.combine(day, time.min)
    except ValueError as exc:
        raise CommandError(f"{option} {value!r} is not a real date: {exc}.") from None
    if parsed is None:
        raise CommandError(f"{option} {value!r} is not a date (YYYY-MM-DD) or an ISO date-time.")
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
