"""The review-item state machine: one guarded service function per arrow.

```
open ──claim──> claimed ──release / claim expired──> open
open/claimed ──approve | reject | request_changes | hide──> decided
open ──snooze──> snoozed ──time passed or the author posts again──> open
decided (reject) ──the author appeals, once──> a new item, kind=appeal, open
```

Every function: inside one transaction, lock the item (``select_for_update``), check its status and, when
given, ``expected_version``; change it, bump ``version``, write the :class:`~moderation.models.Action` audit
row and any outbox event and notification; side effects run after commit. A wrong status or version raises
:class:`ReviewConflict` (HTTP 409 in the API, a clear message in the web queue). The web queue, the API,
bulk actions and keyboard shortcuts all call these same functions.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from disclosure.errors import InputInvalid
from disclosure.text import storable, unstorable_message

from .. import signals
from ..conf import app_settings
from ..logs import pipeline_context
from ..models import (
    Action,
    ApiClient,
    ClassifierResult,
    DecisionAction,
    Evaluation,
    LabelSource,
    RejectionTemplate,
    ResultMark,
    Revision,
    ReviewItem,
    ReviewItemKind,
    ReviewStatus,
    Submission,
    SubmissionStatus,
)
from ..policy.appeals import AppealRefused, appeal_check
from ..selectors.labels import revision_has_ai_blocks
from ..selectors.queue import is_own_post
from .labelling import LabelInvalid, moderator_label_check
from .notify import notification_send, outbox_record
from .report_outcomes import reports_resolve
from .statements import statement_record

logger = logging.getLogger(__name__)


class ReviewConflict(Exception):
    """The item is not in a state that allows this action, or changed since the caller loaded it."""

    def __init__(self, message: str, *, item: ReviewItem | None = None):
        super().__init__(message)
        self.message = message
        self.item = item


class ReviewActionInvalid(InputInvalid):
    """The action's input is wrong (e.g. a rejection without a reason); ``field`` names the culprit."""


@dataclass(frozen=True)
class Actor:
    """Who acts: a moderator (user), another forum (API client) or the system (policy, sweeps, expiry)."""

    kind: str
    user: object | None = None
    client: ApiClient | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls("system")

    @classmethod
    def for_user(cls, user) -> Actor:
        return cls("user", user=user)

    @classmethod
    def for_client(cls, client: ApiClient) -> Actor:
        return cls("client", client=client)

    @property
    def label(self) -> str:
        if self.kind == "user":
            return self.user.get_username()
        if self.kind == "client":
            return f"api:{self.client.name}"
        return Action.SYSTEM

    def holds_claim(self, item: ReviewItem) -> bool:
        if self.kind == "user":
            return item.claimed_by_id == self.user.pk
        if self.kind == "client":
            return item.claimed_by_client_id == self.client.pk
        return False


def _audit(*, actor: Actor, item: ReviewItem | None, submission: Submission, verb: str, from_status: str = "",
           to_status: str = "", note: str = "", data: dict | None = None) -> Action:
    with pipeline_context(submission=submission, item=item):
        logger.info("review %s by %s: %s -> %s", verb, actor.label, from_status or "-", to_status or "-",
                    extra={"verb": verb, "actor": actor.label})
    return Action.objects.create(
        actor_kind=actor.kind, actor_user=actor.user if actor.kind == "user" else None,
        actor_client=actor.client if actor.kind == "client" else None, actor_label=actor.label, item=item,
        submission=submission, verb=verb, from_status=from_status, to_status=to_status, note=note,
        data=data or {},
    )


def _refuse_own_post(item: ReviewItem, actor: Actor) -> None:
    """A moderator does not judge their own post: a colleague claims, decides or snoozes it (``DECIDE_OWN_POSTS``
    lets a forum with one moderator do otherwise). An API client's moderators are the client's to keep apart."""
    if actor.kind == "user" and is_own_post(item, actor.user):
        raise ReviewActionInvalid(gettext("This is your own post: another moderator decides it."), field="")


def _claim_expired(item: ReviewItem, now: datetime) -> bool:
    return item.claimed_at is not None and now - item.claimed_at > timedelta(seconds=app_settings.CLAIM_TTL_SECONDS)


#: audited on an item without changing its version
_VERSIONLESS_VERBS = ("note", "mark_result")


def _changed_since(item: ReviewItem, actor: Actor) -> str:
    """Why the caller's page is out of date, from the item's last change: "Someone else changed this item"
    suggested a colleague where the author's new version, new scores or a reader's report had changed it."""
    last = item.actions.exclude(verb__in=_VERSIONLESS_VERBS).order_by("-at", "-id").first()
    facts = {"version": item.version, "status": str(item.get_status_display()).lower()}
    if last is not None and last.verb == "update":
        text = gettext("A new version of the post, or new scores, changed this item since you opened it (now "
                       "version %(version)s, %(status)s). Reload and try again.")
    elif last is not None and last.verb == "report":
        text = gettext("A reader's report changed this item since you opened it (now version %(version)s, "
                       "%(status)s). Reload and try again.")
    elif last is not None and last.actor_label == actor.label and actor.kind != "system":
        text = gettext("You changed this item in another window since this page was drawn (now version "
                       "%(version)s, %(status)s). Reload and try again.")
    elif last is not None and last.actor_kind == "user" and actor.kind != "user":
        # an API client sees a person only as "a moderator": their username is the host's (as ClaimedBy, NoteBy)
        text = gettext("A moderator changed this item since you opened it (now version %(version)s, %(status)s). "
                       "Reload and try again.")
    elif last is not None and last.actor_kind in ("user", "client"):
        text = gettext("%(who)s changed this item since you opened it (now version %(version)s, %(status)s). "
                       "Reload and try again.")
        facts["who"] = last.actor_label
    else:
        text = gettext("Someone else changed this item since you opened it (now version %(version)s, %(status)s). "
                       "Reload and try again.")
    return text % facts


def _transition(*, item_id: int, actor: Actor, expected_version: int | None, allowed_from: tuple[str, ...],
                 verb: str, change: Callable[[ReviewItem], None], note: str = "", data: dict | None = None,
                 respect_claims: bool = True) -> ReviewItem:
    with transaction.atomic():
        # The submission first, then the item: the order intake, evaluation and reports lock them in. One joined
        # query locked the two in the other order, and a decision meeting a report deadlocked (a 500).
        submission_id = ReviewItem.objects.filter(pk=item_id).values_list("submission_id", flat=True).first()
        if submission_id is None:
            raise ReviewConflict(gettext("This review item does not exist."))
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        item = ReviewItem.objects.select_for_update().get(pk=item_id)
        item.submission = submission
        if expected_version is not None and item.version != expected_version:
            raise ReviewConflict(_changed_since(item, actor), item=item)
        if item.status not in allowed_from:
            raise ReviewConflict(gettext("Cannot %(verb)s: the item is already %(status)s.")
                                 % {"verb": verb.replace("_", " "), "status": str(item.get_status_display()).lower()},
                                 item=item)
        now = timezone.now()
        if (respect_claims and item.status == ReviewStatus.CLAIMED and not actor.holds_claim(item)
                and not _claim_expired(item, now) and actor.kind != "system"):
            holder = item.claimed_by or item.claimed_by_client
            raise ReviewConflict(gettext("%(holder)s is working on this item; wait, or ask them to release it.")
                                 % {"holder": holder}, item=item)
        from_status = item.status
        item.version += 1  # before the change, so what it records (the review.decided event) has the new version
        try:
            change(item)
        except (ReviewConflict, ReviewActionInvalid):
            # nothing was written: the refusal reports the item as stored (a 409's current_version was one more
            # than the real one, and a client retrying with it got another 409)
            item.refresh_from_db()
            raise
        item.save()
        action = _audit(actor=actor, item=item, submission=item.submission, verb=verb, from_status=from_status,
                        to_status=item.status, note=note, data=data)
        signals.review_item_changed.send(sender=ReviewItem, item=item, action=action)
    return item


def item_mark_decided(item: ReviewItem, *, actor: Actor, decision: str, template: RejectionTemplate | None,
                      reason: str, message: str) -> None:
    """What deciding writes on the item (not saved): a moderator's decision, or the policy's automatic
    rejection of an edit deciding the item that was still waiting (``services.auto_reject``)."""
    item.status = ReviewStatus.DECIDED
    item.decision_action = decision
    item.decision_template = template
    item.decision_reason = reason[:100]
    item.decision_message = message
    item.decided_by = actor.user if actor.kind == "user" else None
    item.decided_by_client = actor.client if actor.kind == "client" else None
    item.decided_at = timezone.now()
    _clear_claim(item)


def _clear_claim(item: ReviewItem) -> None:
    item.claimed_by = None
    item.claimed_by_client = None
    item.claimed_at = None


def review_item_claim(*, item_id: int, actor: Actor, expected_version: int | None = None) -> ReviewItem:
    """Take an open item (or one whose claim expired) so that no other moderator works on it."""

    def change(item):
        _refuse_own_post(item, actor)
        if item.status == ReviewStatus.CLAIMED and not _claim_expired(item, timezone.now()) \
                and not actor.holds_claim(item):
            holder = item.claimed_by or item.claimed_by_client
            raise ReviewConflict(gettext("%(holder)s already claimed this item.") % {"holder": holder}, item=item)
        item.status = ReviewStatus.CLAIMED
        item.claimed_by = actor.user if actor.kind == "user" else None
        item.claimed_by_client = actor.client if actor.kind == "client" else None
        item.claimed_at = timezone.now()

    return _transition(item_id=item_id, actor=actor, expected_version=expected_version, verb="claim",
                       allowed_from=(ReviewStatus.OPEN, ReviewStatus.CLAIMED), change=change, respect_claims=False)


def review_item_release(*, item_id: int, actor: Actor, expected_version: int | None = None) -> ReviewItem:
    def change(item):
        item.status = ReviewStatus.OPEN
        _clear_claim(item)

    return _transition(item_id=item_id, actor=actor, expected_version=expected_version, verb="release",
                       allowed_from=(ReviewStatus.CLAIMED,), change=change)


DECISION_EFFECTS = {
    DecisionAction.APPROVE: (SubmissionStatus.APPROVED, True),
    DecisionAction.REJECT: (SubmissionStatus.REJECTED, False),
    DecisionAction.REQUEST_CHANGES: (SubmissionStatus.NEEDS_CHANGES, False),
    DecisionAction.HIDE: (SubmissionStatus.HIDDEN, False),
}
def review_item_decide(*, item_id: int, actor: Actor, action: str, reason: str = "", message: str = "",
                       template_code: str | None = None, label: str | None = None,
                       expected_version: int | None = None, expected_revision: int | None = None) -> ReviewItem:
    """Approve, reject, request a disclosure fix, or hide. Every decision but an approval needs a reason (a
    template code or free text), the author's statement of reasons says why: a hide without one told the author
    only "A moderator hid your post". The template's message is used when no message is given. A ``label``
    (e.g. ``ai_generated``) is applied to the post as the moderator's, locked against the author's edits.

    A decision is about the revision the moderator read: ``expected_revision`` (its number) must be the
    item's, and the item's revision must still be the post's current one. When the author posted a newer
    revision that the pipeline has not put in front of the moderator yet, the decision is refused
    (:class:`ReviewConflict`), so approving revision 1 never publishes an unreviewed revision 2.
    """
    try:
        decision = DecisionAction(action)
    except ValueError:
        raise ReviewActionInvalid(f"Unknown action {action!r}; use one of "
                                  f"{', '.join(DecisionAction.values)}.", field="action") from None
    template = None
    if template_code and decision == DecisionAction.APPROVE:  # its text would tell the author why they were refused
        raise ReviewActionInvalid(gettext("A rejection template does not go with an approval."), field="template")
    if template_code:
        template = RejectionTemplate.objects.filter(code=template_code, is_active=True).first()
        if template is None:
            raise ReviewActionInvalid(f"No active rejection template {template_code!r}.", field="template")
        reason = reason or template.code
        message = message or template.message
    if decision != DecisionAction.APPROVE and not (reason or message).strip():
        raise ReviewActionInvalid(gettext("Give a reason: pick a template or write a message for the author."),
                                  field="reason")
    status, visible = DECISION_EFFECTS[decision]
    if label:
        try:
            moderator_label_check(label=label)
        except LabelInvalid as exc:
            raise ReviewActionInvalid(exc.message, field="label") from None

    def change(item):
        _refuse_own_post(item, actor)
        _check_revision(item, expected_revision)
        if label == "human_only" and item.submission.current_revision is not None \
                and revision_has_ai_blocks(item.submission.current_revision):
            # what an author gets a field error for: a "Human-written" badge above a labelled AI section
            raise ReviewActionInvalid(gettext("This post contains an AI-written section, so it cannot be labelled "
                                              "human-written."), field="label")
        item_mark_decided(item, actor=actor, decision=decision, template=template, reason=reason, message=message)
        submission = item.submission
        previously_visible = submission.visible
        submission.status = status
        submission.visible = visible and submission.author_erased_at is None  # an erased text shows nothing
        if label:
            submission.label_value = label
            submission.label_source = LabelSource.MODERATOR
            submission.label_locked = True
        submission.save()
        signals.visibility_changed_send(submission=submission, previous=previously_visible)
        notification_send(submission=submission, verb=f"review.{decision}", note=message, label=label or "",
                          appeal=item.kind == ReviewItemKind.APPEAL)
        reports_resolve(item=item, decision=decision, label=label)
        statement = statement_record(submission=submission, decision=decision, item=item,
                                     evaluation=item.evaluation, reason=reason, message=message, label=label,
                                     automated_decision=False)
        outbox_record(submission=submission, type="review.decided", item=item,
                      extra={"statement_of_reasons": str(statement.public_id)})

    return _transition(item_id=item_id, actor=actor, expected_version=expected_version, verb=str(decision),
                       allowed_from=(ReviewStatus.OPEN, ReviewStatus.CLAIMED), change=change, note=message,
                       data={"reason": reason, "template": template_code or "", "label": label or ""})


def _check_revision(item: ReviewItem, expected_revision: int | None) -> None:
    """The item (locked with its submission) still shows the revision the caller read, and it is current."""
    shown = Revision.objects.only("number").get(pk=item.revision_id).number
    if expected_revision is not None and expected_revision != shown:
        raise ReviewConflict(gettext("You read revision %(read)s, but this item now shows revision %(shown)s. "
                                     "Reload and review it again.") % {"read": expected_revision, "shown": shown},
                             item=item)
    current_id = item.submission.current_revision_id
    if current_id is not None and current_id != item.revision_id:
        current = Revision.objects.only("number").get(pk=current_id).number
        raise ReviewConflict(gettext("The author posted revision %(current)s after the revision %(shown)s you read; "
                                     "it is being checked and will come back to this item. Reload and review it "
                                     "then.") % {"current": current, "shown": shown}, item=item)


def review_item_approve(*, item_id: int, actor: Actor, **kwargs) -> ReviewItem:
    return review_item_decide(item_id=item_id, actor=actor, action=DecisionAction.APPROVE, **kwargs)


def review_item_reject(*, item_id: int, actor: Actor, **kwargs) -> ReviewItem:
    return review_item_decide(item_id=item_id, actor=actor, action=DecisionAction.REJECT, **kwargs)


def review_item_request_changes(*, item_id: int, actor: Actor, **kwargs) -> ReviewItem:
    return review_item_decide(item_id=item_id, actor=actor, action=DecisionAction.REQUEST_CHANGES, **kwargs)


def review_item_hide(*, item_id: int, actor: Actor, **kwargs) -> ReviewItem:
    return review_item_decide(item_id=item_id, actor=actor, action=DecisionAction.HIDE, **kwargs)


def review_item_snooze(*, item_id: int, actor: Actor, until: datetime | None = None,
                       until_next_revision: bool = False, expected_version: int | None = None) -> ReviewItem:
    """Put an item aside until a time, or until the author posts a new revision."""
    if until is None and not until_next_revision:
        raise ReviewActionInvalid(gettext("Snooze until a time or until the author posts again."), field="until")
    if until is not None and until <= timezone.now():
        raise ReviewActionInvalid(gettext("Snooze until a time in the future."), field="until")

    def change(item):
        _refuse_own_post(item, actor)
        item.status = ReviewStatus.SNOOZED
        item.snoozed_until = until
        item.snoozed_until_next_revision = until_next_revision
        _clear_claim(item)

    return _transition(item_id=item_id, actor=actor, expected_version=expected_version, verb="snooze",
                       allowed_from=(ReviewStatus.OPEN, ReviewStatus.CLAIMED), change=change,
                       data={"until": until.isoformat() if until else None, "until_next_revision": until_next_revision})


def review_item_wake(*, item_id: int, actor: Actor, revision: Revision | None = None,
                     expected_version: int | None = None) -> ReviewItem:
    """A snoozed item returns to the queue: its time passed, the author posted ``revision``, or a moderator
    woke it (a snooze is one keystroke, and it must be undone as easily)."""

    def change(item):
        item.status = ReviewStatus.OPEN
        item.snoozed_until = None
        item.snoozed_until_next_revision = False
        if revision is not None:
            item.revision = revision

    return _transition(item_id=item_id, actor=actor, expected_version=expected_version, verb="wake",
                       allowed_from=(ReviewStatus.SNOOZED,), change=change)


def review_item_appeal(*, submission_id: int, actor: Actor, message: str) -> ReviewItem:
    """The author contests a rejection or a hide, once: a new ``appeal`` item goes into the queue with their
    message (:func:`~moderation.policy.appeals.appeal_check`)."""
    if len(message.strip()) < 10:
        raise ReviewActionInvalid(gettext("Explain in a sentence why the decision should change."), field="message")
    if not storable(message):
        raise ReviewActionInvalid(unstorable_message(), field="message")
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        try:  # the one appeal rule (moderation/policy/appeals.py)
            basis = appeal_check(submission)
        except AppealRefused as exc:
            raise ReviewConflict(exc.message) from None
        evaluation, reasons, priority, top_score = basis.evaluation, basis.reasons, basis.priority, basis.top_score
        item = ReviewItem.objects.create(
            submission=submission, revision=submission.current_revision, evaluation=evaluation,
            kind=ReviewItemKind.APPEAL, reasons=["appeal", *[r for r in reasons if r != "appeal"]],
            priority=priority + 10, top_score=top_score, appeal_message=message,
        )
        submission.status = SubmissionStatus.QUEUED
        submission.save(update_fields=["status", "updated_at"])
        action = _audit(actor=actor, item=item, submission=submission, verb="appeal", from_status="",
                        to_status=item.status, note=message)
        outbox_record(submission=submission, type="submission.queued", item=item)
        signals.review_item_changed.send(sender=ReviewItem, item=item, action=action)
    return item


def review_item_open_or_update(*, submission: Submission, revision: Revision, evaluation: Evaluation,
                               reasons: list[str], priority: int, top_score: float | None) -> ReviewItem:
    """Put a submission in the queue, or refresh its undecided item (called by the pipeline, as system).

    The caller holds the Submission row lock, so two evaluations never open two items.
    """
    actor = Actor.system()
    item = submission.review_items.exclude(status=ReviewStatus.DECIDED).select_for_update().first()
    if item is None:
        item = ReviewItem.objects.create(submission=submission, revision=revision, evaluation=evaluation,
                                         reasons=reasons, priority=priority, top_score=top_score)
        action = _audit(actor=actor, item=item, submission=submission, verb="open", to_status=item.status,
                        data={"reasons": reasons, "priority": priority})
    else:
        from_status = item.status
        # A clean new revision of a flagged post still waits for the person who was going to look at it;
        # say why it is in the queue instead of showing no reason at all.
        reasons = reasons or ["edited_by_other" if revision.editor_external_id else "author_revised"]
        if "reader_report" in item.reasons and "reader_report" not in reasons:  # reports wait for a person too
            reasons = [*reasons, "reader_report"]
        if item.kind == ReviewItemKind.APPEAL:  # still the author's appeal, found by its reason and above the rest
            reasons = ["appeal", *[r for r in reasons if r != "appeal"]]
        if item.kind == ReviewItemKind.APPEAL or "reader_report" in reasons:
            priority = max(priority, item.priority)  # what people added (an appeal, reports) is not lost to an edit
        new_revision = item.revision_id != revision.pk
        item.revision, item.evaluation, item.reasons = revision, evaluation, reasons
        item.priority, item.top_score = priority, top_score
        if item.status == ReviewStatus.SNOOZED and new_revision:
            # a new version (the author's, or someone else's that may have published a held post): back in front
            # of a person, whichever way it was snoozed. A re-evaluation of the same version (a classifier
            # upgrade) leaves it asleep: the moderator chose to wait for a new text, not a new score.
            item.status = ReviewStatus.OPEN
            item.snoozed_until = None
            item.snoozed_until_next_revision = False
        item.version += 1
        item.save()
        action = _audit(actor=actor, item=item, submission=submission, verb="update", from_status=from_status,
                        to_status=item.status, data={"reasons": reasons, "priority": priority})
    signals.review_item_changed.send(sender=ReviewItem, item=item, action=action)
    return item


def review_items_expire_claims() -> int:
    """Return items whose claim expired to the queue (run on beat). Returns how many."""
    cutoff = timezone.now() - timedelta(seconds=app_settings.CLAIM_TTL_SECONDS)
    count = 0
    for item_id in ReviewItem.objects.filter(status=ReviewStatus.CLAIMED, claimed_at__lt=cutoff).values_list(
            "pk", flat=True):
        try:
            _transition(item_id=item_id, actor=Actor.system(), expected_version=None, verb="claim_expired",
                        allowed_from=(ReviewStatus.CLAIMED,), change=lambda item: (
                            setattr(item, "status", ReviewStatus.OPEN), _clear_claim(item)))
            count += 1
        except ReviewConflict:
            continue
    return count


def review_items_wake_due() -> int:
    """Wake items snoozed until a time that has passed (run on beat)."""
    count = 0
    due = ReviewItem.objects.filter(status=ReviewStatus.SNOOZED, snoozed_until__lte=timezone.now())
    for item_id in due.values_list("pk", flat=True):
        try:
            review_item_wake(item_id=item_id, actor=Actor.system())
            count += 1
        except ReviewConflict:
            continue
    return count


def classifier_result_mark(*, result_id: int, actor: Actor, verdict: str) -> ClassifierResult:
    """A moderator marks a classifier's flag ``confirmed`` or ``false_positive`` ("" withdraws the mark).

    The mark is a :class:`~moderation.models.ResultMark` row of its own: the classifier log is append-only
    (services/classifier_log.py), so the result is not edited; the newest mark counts. Writes an Action.
    """
    if verdict not in ("confirmed", "false_positive", ""):
        raise ReviewActionInvalid("Verdict must be confirmed or false_positive.", field="verdict")
    with transaction.atomic():
        result = ClassifierResult.objects.select_for_update().select_related("revision__submission").get(
            pk=result_id)
        previous = result.moderator_verdict
        ResultMark.objects.create(result=result, verdict=verdict,
                                  actor_user=actor.user if actor.kind == "user" else None, actor_label=actor.label)
        _audit(actor=actor, item=None, submission=result.revision.submission, verb="mark_result",
               from_status=previous, to_status=verdict, data={"classifier": result.classifier,
                                                               "version": result.version, "result": result.pk})
    return result


NOTE_MAX = 2000


def review_item_note(*, item_id: int, actor: Actor, text: str) -> Action:
    """A note for the other moderators ("asked the author by message; waiting"): never shown to the author, not
    part of a decision or its statement. An audit row (verb ``note``) on the item; the item's state and
    ``version`` do not change, so a note never conflicts with a colleague's claim or decision."""
    text = (text or "").strip()
    if not text:
        raise ReviewActionInvalid(gettext("Write the note first."), field="text")
    if len(text) > NOTE_MAX:
        raise ReviewActionInvalid(gettext("A note is at most %(max)s characters of text.") % {"max": NOTE_MAX},
                                  field="text")
    if not storable(text):
        raise ReviewActionInvalid(unstorable_message(), field="text")
    item = ReviewItem.objects.select_related("submission").get(pk=item_id)
    return _audit(actor=actor, item=item, submission=item.submission, verb="note", note=text)
