"""``python manage.py reevaluate [--since DATE] [--classifier NAME] [--all] [--dry-run]``.

Re-scores existing posts through the queue, for when a classifier is upgraded or added: a new classifier
version has no results yet, so the current revisions missing a usable result of a configured classifier (or
of ``--classifier``) are sent to the workers again; their new results change the evaluation's fingerprint,
so the policy decides again. Error results count as missing, so this also retries failed classifiers.
Without ``--classifier``, also the revisions last decided under another version of the policy (the rules
changed, or an upgrade changed how they are read: the stats page counts them). ``--all`` re-sends every
current revision (harmless: nothing new means the same evaluation).
"""
from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F
from tqdm import tqdm

from moderation.management.dates import option_moment
from moderation.models import Revision
from moderation.services.enqueue import broker_check, revision_enqueue
from moderation.services.evaluation import UnknownClassifier, revisions_to_rescore


class Command(BaseCommand):
    help = ("Send current post revisions whose classifier results are incomplete, or that an older policy decided, "
            "back through the queue.")

    def add_arguments(self, parser):
        parser.add_argument("--since", help="Only revisions created on or after this date or date-time.")
        parser.add_argument("--classifier", help="Only revisions missing a result of this classifier.")
        parser.add_argument("--all", action="store_true", help="Re-send every current revision in range.")
        parser.add_argument("--dry-run", action="store_true", help="Count, send nothing.")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, **options):
        since = option_moment(options["since"], option="--since")
        try:
            rows = revisions_to_rescore(since=since, classifier=options["classifier"], everything=options["all"])
        except UnknownClassifier as exc:
            raise CommandError(str(exc))
        current = Revision.objects.filter(submission__current_revision=F("pk"))
        considered = (current.filter(created_at__gte=since) if since else current).count()
        if options["dry_run"]:
            self.stdout.write(f"{considered} current revision(s) considered; {len(rows)} would be re-scored.")
            return
        if rows and not broker_check(log=False):  # before the attempt counts are reset, and without a traceback
            raise CommandError(f"The broker is unreachable: 0 of {len(rows)} revision(s) enqueued, nothing changed. "
                               "Run the command again when it is back.")
        sent = 0
        # A fresh start for the poison-message count (moderation.services.evaluation, "Poison messages"): an operator asked for it.
        Revision.objects.filter(pk__in=[pk for pk, _ in rows]).update(evaluation_attempts=0)
        for revision_id, content_hash in tqdm(rows, desc="enqueueing", unit="revision", file=sys.stderr,
                                              disable=options["no_progress"]):
            if not revision_enqueue(revision_id=revision_id, content_hash=content_hash):
                raise CommandError(f"The broker is unreachable: {sent} of {len(rows)} revision(s) enqueued. "
                                   "Run the command again when it is back.")
            sent += 1
        self.stdout.write(f"{considered} current revision(s) considered; {len(rows)} to re-score; "
                          f"{sent} enqueued. The workers will re-evaluate them.")
