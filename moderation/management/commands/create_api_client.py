"""Create a client forum and print its API key alone on the last line (shown once)."""
from django.core.management.base import BaseCommand, CommandError

from moderation.services.apikeys import ApiClientInvalid, api_client_create, api_key_issue


class Command(BaseCommand):
    help = "Create an API client (another forum) and print its API key alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--scopes", default="submit", help='Comma-separated: "submit", "moderate".')
        parser.add_argument("--require-disclosure-in", default="",
                            help="Comma-separated category slugs whose posts must carry a disclosure (else 422).")
        parser.add_argument("--policy-url", default="", help="Your forum's AI policy, quoted in 422 answers.")
        parser.add_argument("--public-interest", default="",
                            help="Comma-separated category slugs whose posts inform the public on matters of public "
                                 "interest (EU AI Act Art. 50): unlabelled AI text there is held.")

    def handle(self, *args, name, scopes, require_disclosure_in, policy_url, public_interest, **options):
        try:
            client = api_client_create(name=name, scopes=scopes, categories_requiring_disclosure=require_disclosure_in,
                                       policy_url=policy_url, public_interest_categories=public_interest)
        except ApiClientInvalid as exc:
            raise CommandError(exc.message) from None
        issued = api_key_issue(client=client)
        self.stderr.write(f"Created client “{client.name}” with scopes {', '.join(client.scopes)}; key prefix "
                          f"{issued.key.prefix}. The key is shown once: store it now.")
        self.stdout.write(issued.secret)
