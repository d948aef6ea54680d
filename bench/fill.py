"""Fill a migrated scratch database with stored posts (run by ``common.template_db``; not for real data).

    DATABASE_URL=postgres://…/scratch python bench/fill.py 100000

Makes the benchmark's users (``bench-author``, ``bench-moderator`` in Moderators, password ``bench``), the
categories, an API client ``Bench`` (scopes submit + moderate, key ``common.API_KEY``) and ``N`` decided
submissions of about 60 words, one revision each, evaluated; 20% have an open review item and 10% a decided
one (the queue's shape on a busy forum: 100k posts → 20k open items). Reasons, priorities, scores, authors,
categories and ages are drawn from a seeded generator, so every fill is the same.
"""
from __future__ import annotations

import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

REASONS = ["undisclosed_ai_suspected", "mostly_ai_content", "new_author_ai_assisted", "ai_research_unverified",
           "classifier_failed"]
BATCH = 5000


def fill(n: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.common import API_KEY, posts
    from forum.management.commands.seed_demo import CATEGORIES
    from forum.models import Category, Profile
    from moderation.models import ApiClient, ApiKey, ReviewItem, Revision, Submission

    User = get_user_model()
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    moderators.permissions.add(*Permission.objects.filter(content_type__app_label="moderation"))
    for username, standing, moderator in (("bench-author", "regular", False), ("bench-moderator", "trusted", True)):
        user = User.objects.create_user(username=username, password="bench", is_staff=moderator)
        Profile.objects.create(user=user, standing=standing)
        if moderator:
            user.groups.add(moderators)
    for slug, name, description, _requires, public_interest in CATEGORIES:
        Category.objects.create(slug=slug, name=name, description=description, requires_disclosure=False,
                                public_interest=public_interest)
    client = ApiClient.objects.create(name="Bench", scopes=["submit", "moderate"])
    ApiKey.objects.create(client=client, prefix="bench000", secret_hash=ApiKey.hash_secret(API_KEY))

    rng = random.Random(7)
    bodies = posts(200, 60, seed=11)
    now = timezone.now()
    for start in range(0, n, BATCH):
        stop = min(n, start + BATCH)
        with transaction.atomic():
            subs = Submission.objects.bulk_create([Submission(
                client=client, external_id=f"stored-{i}", author_external_id=f"stored-author-{i % 3000}",
                author_display_name=f"Stored author {i % 3000}", category=rng.choice(["general", "research", "meta"]),
                author_standing=rng.choice(["new", "regular", "regular", "trusted"]), status="published",
                visible=True) for i in range(start, stop)])
            revs = Revision.objects.bulk_create([Revision(
                submission=s, number=1, title=f"Stored post {s.external_id}", body=bodies[i % len(bodies)],
                disclosure={"human_only": True}, disclosure_version=2, parser_version=1,
                content_hash=f"stored{s.external_id}", evaluated_at=now) for i, s in enumerate(subs)])
            items = []
            for s, r in zip(subs, revs):
                s.current_revision = r
                roll = rng.random()
                if roll < 0.3:
                    status = "open" if roll < 0.2 else "decided"
                    s.status = "queued" if status == "open" else "approved"
                    items.append(ReviewItem(
                        submission=s, revision=r, status=status, reasons=rng.sample(REASONS, rng.randint(1, 2)),
                        priority=rng.choice([15, 20, 30, 40, 50, 70]),
                        top_score=rng.choice([None, round(rng.random(), 3)]),
                        decision_action="approve" if status == "decided" else ""))
            Submission.objects.bulk_update(subs, ["current_revision", "status"])
            ReviewItem.objects.bulk_create(items)
    with connection.cursor() as cursor:
        # spread the posts over the last months, oldest first, as a real forum's would be
        for table in ("moderation_submission", "moderation_reviewitem"):
            cursor.execute(f"UPDATE {table} SET created_at = %s - (id || ' minutes')::interval", [now])
        cursor.execute("UPDATE moderation_revision SET created_at = %s - (id || ' minutes')::interval, "
                       "evaluated_at = %s - (id || ' minutes')::interval", [now, now])
        cursor.execute("VACUUM ANALYZE")
    print(f"filled {n} posts, {ReviewItem.objects.filter(status='open').count()} open review items")


def main() -> None:
    n = int(sys.argv[1])
    import django

    django.setup()
    fill(n)


if __name__ == "__main__":
    main()
