"""``python manage.py spirit_backfill [--dry-run]``: once after upgrading the integration, store what Spirit
shows but earlier versions did not record: Spirit moderators' deletes of comments and topics (so that the
review queue's "Removed in the forum" filter finds them) and new topics whose opening comment is held (so that
Spirit stops listing them to readers). Running it again changes nothing (see
``integrations.spirit.services.spirit_state_backfill``)."""
from django.core.management.base import BaseCommand

from integrations.spirit.services import spirit_state_backfill


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        counts = spirit_state_backfill(dry_run=dry_run)
        verb = "Would store" if dry_run else "Stored"
        self.stdout.write(
            f"{verb} {counts['comment_deletes']} comment(s) deleted by Spirit's moderators and "
            f"{counts['topic_deletes']} comment(s) of deleted topics as removed in the forum; "
            f"{'would hold' if dry_run else 'held'} {counts['held_topics']} topic(s) with their held opening comment.")
