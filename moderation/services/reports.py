"""Reader reports: "this looks like undisclosed AI", an input to the queue like a classifier's flag.

A report opens the submission's review item, or updates its undecided one, with the reason
``reader_report``; the priority it adds is weighted by the reporter's accuracy (how many of their decided
reports a moderator upheld, with a prior, as forum flag systems do), so a reader whose reports usually hold
moves a post up the queue faster than one whose reports usually do not. When a moderator decides the item,
every pending report on the submission is marked ``upheld`` (reject, hide, request changes, or an AI label)
or ``not_upheld`` (approved as it is): ``reports_resolve`` in services/report_outcomes.py, called by the
decision service.

Reporters are ``(client, reporter_external_id)``: the host forum's readers report through the ``local``
client. Limits: one report per reporter per revision (:class:`ReportDuplicate`, 409), and
``MODERATION["REPORTS"]["per_hour"]`` reports per reporter per hour (:class:`ReportRateLimited`, 429).
"""
from __future__ import annotations

import math
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from disclosure.errors import InputInvalid
from disclosure.text import storable, unstorable_message

from .. import signals
from ..models import (
    ApiClient,
    Evaluation,
    ReaderReport,
    ReportReason,
    ReviewItem,
    ReviewStatus,
    Submission,
    SubmissionStatus,
)
from ..selectors.reports import ReporterAccuracy, reporter_accuracy, reports_config
from .apikeys import api_client_lock
from .notify import outbox_record
from .review import Actor, _audit

REASON = "reader_report"
NOTE_MAX = 2000


class ReportInvalid(InputInvalid):
    """The report's input is wrong; ``field`` names the culprit. Nothing was written."""


class ReportDuplicate(Exception):
    """This reporter already reported this revision of the post."""

    def __init__(self, message: str, *, report: ReaderReport):
        super().__init__(message)
        self.message = message
        self.report = report


class ReportRateLimited(Exception):
    """The reporter sent too many reports lately; ``retry_after`` is in seconds."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class ReportNotAllowed(Exception):
    """The post cannot be reported (readers do not see it)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _config() -> dict:
    return reports_config()


def report_weight(accuracy: ReporterAccuracy) -> int:
    """The priority a report adds: ``priority`` for a reporter at 50 %, double for one always upheld."""
    return int(round(_config()["priority"] * 2 * accuracy.accuracy))


def _check_rate(*, client: ApiClient, reporter_external_id: str) -> None:
    limit = int(_config()["per_hour"])
    since = timezone.now() - timedelta(hours=1)
    recent = list(ReaderReport.objects.filter(client=client, reporter_external_id=reporter_external_id,
                                              created_at__gte=since).order_by("created_at")
                  .values_list("created_at", flat=True)[:limit])
    if len(recent) >= limit:
        retry_after = max(1, math.ceil((recent[0] + timedelta(hours=1) - timezone.now()).total_seconds()))
        raise ReportRateLimited(ngettext("You sent %(count)d report in the last hour; try again later.",
                                         "You sent %(count)d reports in the last hour; try again later.", limit)
                                % {"count": limit},
                                retry_after=retry_after)


def report_create(*, submission_id: int, client: ApiClient, reporter_external_id: str,
                  reason: str = ReportReason.UNDISCLOSED_AI, note: str = "", actor: Actor | None = None
                  ) -> ReaderReport:
    """File a reader's report on a submission's current revision and put the post in front of a moderator.

    Locks the Submission row (as every path that opens a review item does), so two reports never open two
    items. Raises :class:`ReportInvalid`, :class:`ReportRateLimited`, :class:`ReportDuplicate` or
    :class:`ReportNotAllowed`; nothing is written then. Writes an Action (``report``) and, when the post
    enters the queue, a ``submission.queued`` outbox event.
    """
    reporter_external_id = (reporter_external_id or "").strip()
    if not reporter_external_id or len(reporter_external_id) > 200:
        raise ReportInvalid(gettext("Say who reports: 1–200 characters."), field="reporter_external_id")
    if reason not in ReportReason.values:
        raise ReportInvalid(gettext("Unknown reason %(reason)r; use one of %(reasons)s.")
                            % {"reason": reason, "reasons": ", ".join(ReportReason.values)},
                            field="reason")
    if not storable(reporter_external_id):
        raise ReportInvalid(unstorable_message(), field="reporter_external_id")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ReportInvalid(gettext("Keep the note under %(max)d characters.") % {"max": NOTE_MAX}, field="note")
    if not storable(note):
        raise ReportInvalid(unstorable_message(), field="note")
    accuracy = reporter_accuracy(client=client, reporter_external_id=reporter_external_id)
    weight = report_weight(accuracy)
    actor = actor or Actor.for_client(client)
    with transaction.atomic():
        api_client_lock(client)  # counted and written under one lock: reports sent at once cannot all pass
        _check_rate(client=client, reporter_external_id=reporter_external_id)
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        revision = submission.current_revision
        if revision is None or not submission.visible:
            raise ReportNotAllowed(gettext("Readers do not see this post, so it cannot be reported."))
        if reporter_external_id == submission.author_external_id:  # an author corrects their disclosure instead
            raise ReportInvalid(gettext("Authors cannot report their own post; edit its disclosure instead."),
                                field="reporter_external_id")
        existing = ReaderReport.objects.filter(revision=revision, client=client,
                                               reporter_external_id=reporter_external_id).first()
        if existing is not None:
            raise ReportDuplicate(gettext("You reported this version of the post already."), report=existing)
        item = submission.review_items.exclude(status=ReviewStatus.DECIDED).select_for_update().first()
        if item is None:
            evaluation = Evaluation.objects.filter(revision=revision).order_by("-created_at", "-id").first()
            scores = [r.score for r in revision.classifier_results.all() if r.score is not None]
            item = ReviewItem.objects.create(submission=submission, revision=revision, evaluation=evaluation,
                                             reasons=[REASON], priority=weight,
                                             top_score=max(scores) if scores else None)
            verb, from_status = "open", ""
        else:
            from_status = item.status
            if REASON not in item.reasons:
                item.reasons = [*item.reasons, REASON]
            item.priority += weight
            item.version += 1
            item.save()
            verb = "report"
        try:
            with transaction.atomic():
                report = ReaderReport.objects.create(
                    submission=submission, revision=revision, client=client,
                    reporter_external_id=reporter_external_id, reason=reason, note=note, weight=weight, item=item)
        except IntegrityError:  # the same reporter, concurrently: the first one counts
            raise ReportDuplicate(gettext("You reported this version of the post already."), report=ReaderReport.objects.get(
                revision=revision, client=client, reporter_external_id=reporter_external_id)) from None
        queued = submission.status in (SubmissionStatus.PUBLISHED, SubmissionStatus.APPROVED)
        if queued:  # stays visible meanwhile: a report alone never hides a post
            submission.status = SubmissionStatus.QUEUED
            submission.save(update_fields=["status", "updated_at"])
        action = _audit(actor=actor, item=item, submission=submission, verb=verb, from_status=from_status,
                        to_status=item.status, note=note,
                        data={"reasons": item.reasons, "priority": item.priority, "report": str(report.public_id),
                              "weight": weight, "reporter": reporter_external_id})
        if queued or verb == "open":
            outbox_record(submission=submission, type="submission.queued", item=item)
        signals.review_item_changed.send(sender=ReviewItem, item=item, action=action)
    return report


def report_by_member(*, submission_id: int, user, note: str = "") -> ReaderReport:
    """A report by one of the host forum's own members (the local client; the adapter names the reporter), as
    the demo forum and the Spirit integration file it. Raises as :func:`report_create` does."""
    from ..conf import app_settings
    from .intake import local_client

    return report_create(submission_id=submission_id, client=local_client(),
                         reporter_external_id=app_settings.adapter.author_external_id(user),
                         note=(note or "")[:2000], actor=Actor.for_user(user))
