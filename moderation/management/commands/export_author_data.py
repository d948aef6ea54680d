"""Everything the plugin keeps about one author, as JSON (GDPR Art. 15 and 20):
``export_author_data AUTHOR_ID [--client NAME] [--output FILE]``. What it holds: selectors/author_data.py."""
import json

from django.core.management.base import BaseCommand, CommandError

from moderation.management.authors import add_author_arguments, resolve_author
from moderation.selectors.author_data import author_data


class Command(BaseCommand):
    help = "Write everything the plugin keeps about an author as JSON (their right of access)."

    def add_arguments(self, parser):
        add_author_arguments(parser)
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, author_external_id, client, output=None, **options):
        forum, user = resolve_author(client=client, author_external_id=author_external_id)
        text = json.dumps(author_data(client=forum, author_external_id=author_external_id, user=user),
                          ensure_ascii=False, indent=2)
        if output:
            try:
                handle = open(output, "w", encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
            with handle:
                handle.write(text + "\n")
            self.stdout.write(f"Wrote {output}.")
        else:
            self.stdout.write(text)
