"""Erase one author's personal data (GDPR Art. 17): ``erase_author AUTHOR_ID [--client NAME]``.

The host forum's own authors are the ``local`` client's (their id is the adapter's ``author_external_id``,
the user's pk by default); another forum's are its client's. What goes and what stays: services/erasure.py.
"""
from django.core.management.base import BaseCommand

from moderation.management.authors import add_author_arguments, resolve_author
from moderation.services.erasure import author_erase
from moderation.services.review import Actor


class Command(BaseCommand):
    help = "Erase an author's personal data: their posts' texts, name, appeals, report notes, drafts."

    def add_arguments(self, parser):
        add_author_arguments(parser)

    def handle(self, *args, author_external_id, client, **options):
        # a host forum's own member: their account too (drafts, and their name on what they did as a reader)
        forum, user = resolve_author(client=client, author_external_id=author_external_id)
        report = author_erase(client=forum, author_external_id=author_external_id, actor=Actor.system(), user=user)
        if report.pseudonym is None:
            self.stdout.write(f"Nothing of author “{author_external_id}” of “{client}” is left to erase.")
            return
        self.stdout.write(
            f"Erased author “{author_external_id}” of “{client}”, now “{report.pseudonym}”: "
            f"{report.submissions} post(s), {report.revisions} revision(s), {report.reports} report(s) they "
            f"filed, {report.drafts} draft(s), {report.notifications} notification(s).")
