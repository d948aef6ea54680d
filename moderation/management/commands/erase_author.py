"""Erase one author's personal data (GDPR Art. 17): ``erase_author AUTHOR_ID [--client NAME]``.

The host forum's own authors are the ``local`` client's (their id is the adapter's ``author_external_id``,
the user's pk by default); another forum's are its client's. What goes and what stays: services/erasure.py.
"""
from django.core.management.base import BaseCommand, CommandError

from moderation.conf import app_settings
from moderation.models import ApiClient
from moderation.services.erasure import author_erase
from moderation.services.review import Actor


class Command(BaseCommand):
    help = "Erase an author's personal data: their posts' texts, name, appeals, report notes, drafts."

    def add_arguments(self, parser):
        parser.add_argument("author_external_id", help="The author's id in their forum.")
        parser.add_argument("--client", default=ApiClient.LOCAL_NAME,
                            help="The API client (forum) the author belongs to (default: the host forum).")

    def handle(self, *args, author_external_id, client, **options):
        if not author_external_id.strip():
            raise CommandError("Give the author's id (whitespace alone is not an id).")
        forum = ApiClient.objects.filter(name=client).first()
        if forum is None:
            names = ", ".join(ApiClient.objects.order_by("name").values_list("name", flat=True)) or "none"
            raise CommandError(f"No API client is called “{client}” (clients: {names}).")
        # a host forum's own member: their account too (drafts, and their name on what they did as a reader)
        user = (app_settings.adapter.user_for_author(author_external_id) if forum.name == ApiClient.LOCAL_NAME
                else None)
        report = author_erase(client=forum, author_external_id=author_external_id, actor=Actor.system(), user=user)
        if report.pseudonym is None:
            self.stdout.write(f"Nothing of author “{author_external_id}” of “{client}” is left to erase.")
            return
        self.stdout.write(
            f"Erased author “{author_external_id}” of “{client}”, now “{report.pseudonym}”: "
            f"{report.submissions} post(s), {report.revisions} revision(s), {report.reports} report(s) they "
            f"filed, {report.drafts} draft(s), {report.notifications} notification(s).")
