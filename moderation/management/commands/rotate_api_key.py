"""Issue a new key for a client and revoke its old ones; prints the new key alone on the last line."""
from django.core.management.base import BaseCommand, CommandError

from moderation.models import ApiClient
from moderation.services.apikeys import ApiClientInvalid, api_key_rotate


class Command(BaseCommand):
    help = "Rotate a client's API key: issue a new one and revoke the others (unless --keep-old)."

    def add_arguments(self, parser):
        parser.add_argument("client", help="The client's name.")
        parser.add_argument("--keep-old", action="store_true",
                            help="Leave the old keys working (revoke them later with revoke_api_key).")

    def handle(self, *args, client, keep_old, **options):
        try:
            api_client = ApiClient.objects.get(name=client)
        except ApiClient.DoesNotExist:
            raise CommandError(f"No API client named “{client}”.") from None
        try:
            issued = api_key_rotate(client=api_client, revoke_old=not keep_old)
        except ApiClientInvalid as exc:
            raise CommandError(exc.message) from None
        self.stderr.write(f"New key prefix {issued.key.prefix} for “{api_client.name}”"
                          f"{'' if keep_old else '; older keys revoked'}. The key is shown once: store it now.")
        self.stdout.write(issued.secret)
