"""Revoke one API key by its prefix (the part after ``adk_``, shown in the admin)."""
from django.core.management.base import BaseCommand, CommandError

from moderation.services.apikeys import ApiClientInvalid, api_key_revoke_by_prefix


class Command(BaseCommand):
    help = "Revoke an API key by its prefix."

    def add_arguments(self, parser):
        parser.add_argument("prefix")

    def handle(self, *args, prefix, **options):
        try:
            key, already = api_key_revoke_by_prefix(prefix=prefix)
        except ApiClientInvalid as exc:
            raise CommandError(exc.message) from None
        if already:
            self.stdout.write(f"Key {key.prefix} of client “{key.client.name}” was already revoked, "
                              f"at {key.revoked_at:%Y-%m-%d %H:%M:%S} UTC; nothing changed.")
            return
        self.stdout.write(f"Revoked key {key.prefix} of client “{key.client.name}” at {key.revoked_at:%Y-%m-%d %H:%M:%S} UTC.")
