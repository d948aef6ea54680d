"""Seed Spirit for the demo: users ``author`` (verified e-mail: a regular author), ``newbie`` (new) and
``moderator`` (a Spirit moderator), password ``demo`` — demo only; a category, a welcome topic, the site name.
Idempotent: running it again creates nothing twice.

The welcome comment is saved through Spirit's own model, so it reaches the plugin the way every comment does
(the ``post_save`` receiver), with a "written by a person" disclosure.
"""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from spirit.category.models import Category
from spirit.comment.models import Comment
from spirit.topic.models import Topic

from moderation.public import RejectionTemplate, disclosure_pending

USERS = [
    # username, Spirit moderator?, verified e-mail?
    ("author", False, True),
    ("newbie", False, False),
    ("moderator", True, True),
]

WELCOME = """Welcome! This forum runs Spirit with the AI-disclosure plugin. When AI wrote part of your comment, \
select that text and press "AI-written section", then say how AI helped in the form under the editor."""


class Command(BaseCommand):
    help = __doc__

    @transaction.atomic
    def handle(self, *args, **options):
        users = {}
        for username, is_moderator, verified in USERS:
            user, created = get_user_model().objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.com", "is_staff": is_moderator})
            if created:
                user.set_password("demo")
                user.save()
            profile = user.st
            profile.is_moderator = is_moderator
            profile.is_verified = verified
            profile.save()
            users[username] = user
        category, _ = Category.objects.get_or_create(
            slug="general", defaults={"title": "General", "description": "Anything on topic."})
        if not Topic.objects.filter(title="Welcome").exists():
            topic = Topic.objects.create(user=users["moderator"], category=category, title="Welcome")
            with disclosure_pending({"human_only": True}):
                Comment.objects.create(user=users["moderator"], topic=topic, comment=WELCOME,
                                       comment_html=f"<p>{WELCOME}</p>")
            topic.increase_comment_count()
        RejectionTemplate.objects.get_or_create(code="undisclosed-ai", defaults={
            "title": "Undisclosed AI text",
            "message": "Parts of this comment read as AI-written but are not inside an AI-written section or "
                       "declared in the disclosure. Please put AI text in an AI-written section."})
        from django.utils import timezone
        from djconfig.models import Config

        Config.objects.update_or_create(key="site_name", defaults={"value": "Spirit + AI disclosure"})
        Config.objects.update_or_create(key="_updated_at", defaults={"value": str(timezone.now())})
        self.stdout.write("Spirit demo seeded: users author, newbie, moderator (password \"demo\").")
