"""Replay a policy over existing posts and say how many decisions would change. Writes nothing.

    python manage.py policy_dryrun                      # the policy in force (e.g. after editing rules)
    python manage.py policy_dryrun --policy new.json    # a candidate: {"version", "rules", "extend_default"}
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from moderation.classifiers.registry import configured_classifiers
from moderation.models import Evaluation, Submission
from moderation.policy.engine import current_policy, policy_build
from moderation.policy.rules import PolicyInvalid
from moderation.services.evaluation import revision_decide


class Command(BaseCommand):
    help = "Replay a policy over the current revisions' stored classifier results; print what would change."

    def add_arguments(self, parser):
        parser.add_argument("--policy", type=Path, help="A JSON policy file (the MODERATION['POLICY'] shape).")
        parser.add_argument("--without-admin-rules", action="store_true",
                            help="Ignore the PolicyRule rows edited in the admin.")
        parser.add_argument("--limit", type=int, default=0, help="Replay at most this many posts.")
        parser.add_argument("--examples", type=int, default=5, help="Show this many changed posts.")

    def handle(self, *args, policy=None, without_admin_rules=False, limit=0, examples=5, **options):
        if limit < 0:
            raise CommandError("--limit must be 0 (every post) or more.")
        if examples < 0:
            raise CommandError("--examples must be 0 or more.")
        try:
            if policy is not None:
                candidate = policy_build(json.loads(policy.read_text()), with_db_rules=not without_admin_rules)
            elif without_admin_rules:
                from moderation.conf import app_settings

                candidate = policy_build(app_settings.POLICY, with_db_rules=False)
            else:
                candidate = current_policy()
        except (OSError, ValueError) as exc:
            if isinstance(exc, PolicyInvalid):
                raise CommandError("The policy is invalid:\n" + "\n".join(
                    f"  {e['field'] or '(policy)'}: {e['message']}" for e in exc.errors)) from None
            raise CommandError(f"Cannot read the policy: {exc}") from None
        wanted = {(c.name, str(c.version)) for c in configured_classifiers()}
        submissions = Submission.objects.filter(current_revision__isnull=False) \
            .select_related("client", "current_revision").order_by("pk")
        if limit:
            submissions = submissions[:limit]
        outcome_changes, reasons_added, reasons_removed = Counter(), Counter(), Counter()
        replayed, changed, reasons_only, shown = 0, 0, 0, []
        with transaction.atomic():  # read-only by construction; rolled back all the same
            for submission in tqdm(submissions.iterator(chunk_size=500), total=submissions.count(),
                                   disable=None, file=self.stderr._out, desc="replaying"):
                revision = submission.current_revision
                before = Evaluation.objects.filter(revision=revision).order_by("-created_at", "-id").first()
                if before is None:
                    continue
                results = [r for r in revision.classifier_results.all()
                           if not wanted or (r.classifier, r.version) in wanted]
                after = revision_decide(policy=candidate, submission=submission, revision=revision,
                                        results=results)
                replayed += 1
                if (after.outcome, sorted(after.reasons)) == (before.outcome, sorted(before.reasons)):
                    continue
                changed += 1
                if before.outcome != after.outcome:
                    outcome_changes[(before.outcome, after.outcome)] += 1
                else:
                    reasons_only += 1
                reasons_added.update(set(after.reasons) - set(before.reasons))
                reasons_removed.update(set(before.reasons) - set(after.reasons))
                if len(shown) < examples:
                    shown.append(f"  {submission.public_id} “{revision.title[:50]}”: {before.outcome} "
                                 f"{before.reasons} → {after.outcome} {after.reasons}")
            transaction.set_rollback(True)
        self.stdout.write(f"Policy {candidate.version}: replayed {replayed} posts; {changed} decisions would "
                          f"change. Nothing was written.")
        for (old, new), n in outcome_changes.most_common():
            self.stdout.write(f"  outcome {old} → {new}: {n}")
        if reasons_only:
            self.stdout.write(f"  reasons only (the same outcome): {reasons_only}")
        for reason, n in reasons_added.most_common():
            self.stdout.write(f"  reason +{reason}: {n}")
        for reason, n in reasons_removed.most_common():
            self.stdout.write(f"  reason -{reason}: {n}")
        if shown:
            self.stdout.write("Examples:")
            self.stdout.write("\n".join(shown))
