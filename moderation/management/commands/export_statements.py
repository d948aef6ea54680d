"""``python manage.py export_statements [--since DATE] [--until DATE] [--output FILE]``.

Writes the statements of reasons (EU DSA Art. 17) taken in ``[since, until)`` as JSON Lines, oldest first,
one statement per line, for operators who file transparency reports. Without ``--output``, to stdout.
"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from moderation.management.dates import option_moment
from moderation.selectors.statements import statements_jsonl


class Command(BaseCommand):
    help = "Export statements of reasons (DSA Art. 17) for a period as JSON Lines."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="From this date or date-time (inclusive).")
        parser.add_argument("--until", help="Up to this date or date-time (exclusive).")
        parser.add_argument("--output", help="Write to this file instead of stdout.")

    def handle(self, *args, since=None, until=None, output=None, **options):
        start, end = option_moment(since, option="--since"), option_moment(until, option="--until")
        if start and end and end <= start:
            raise CommandError("--until must be after --since.")
        count = 0
        if output:
            try:
                handle = open(output, "w", encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
            with handle:
                for line in statements_jsonl(since=start, until=end):
                    handle.write(line)
                    count += 1
            self.stderr.write(f"{count} statements written to {output}.")
        else:
            for line in statements_jsonl(since=start, until=end):
                self.stdout.write(line, ending="")
                count += 1
            self.stderr.write(f"{count} statements.")
