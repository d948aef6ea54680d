"""Everything the plugin keeps about one author, for their right of access (GDPR Art. 15) and to take it
elsewhere (Art. 20): ``POST /api/v1/author-data`` and ``manage.py export_author_data``.

Their posts (every revision as written and declared), what the classifiers found in each (automated
processing of their text: scores and flagged passages), the policy's and moderators' decisions with the
messages they were sent, statements of reasons, their appeals, the reports they filed as a reader (with the
outcome), their notifications and drafts. Not included: other people's data, such as who reported their
posts or what those readers wrote (only how many reports each post received), and moderators' names.
"""
from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from disclosure.models import Draft

from ..models import Action, ApiClient, Notification, ReaderReport, Revision, Submission
from .labels import submission_label
from .results import results_current
from .statements import statement_as_dict

EXPORT_VERSION = 1


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _revision(revision) -> dict:
    return {
        "number": revision.number, "created_at": _iso(revision.created_at), "title": revision.title,
        "body": revision.body, "format": revision.format, "disclosure": revision.disclosure,
        "saved_by_someone_else": bool(revision.editor_external_id),
        "classifier_results": [
            {"classifier": r.classifier, "version": r.version, "status": r.status, "score": r.score,
             "passages": [{"start": p.get("start"), "end": p.get("end"), "probability": p.get("probability"),
                           "kind": p.get("kind")} for p in (r.passage_scores or []) if isinstance(p, dict)]}
            for r in results_current(revision)],
        "policy_evaluations": [
            {"outcome": e.outcome, "reasons": e.reasons, "priority": e.priority, "at": _iso(e.created_at)}
            for e in sorted(revision.evaluations.all(), key=lambda e: (e.created_at, e.pk))],
    }


def _submission(submission: Submission, reports_received: int) -> dict:
    items = sorted(submission.review_items.all(), key=lambda i: (i.created_at, i.pk))  # prefetched
    return {
        "id": str(submission.public_id), "external_id": submission.external_id,
        "display_name": submission.author_display_name, "standing": submission.author_standing,
        "category": submission.category, "status": submission.status, "visible": submission.visible,
        "label": submission_label(submission).as_dict(), "created_at": _iso(submission.created_at),
        # the reason and when, not the forum's note: that is written for its moderators and may name others
        "removed_in_forum": {"reason": submission.host_removed_reason, "at": _iso(submission.host_removed_at)}
        if submission.host_removed_at else None,
        "revisions": [_revision(r) for r in sorted(submission.revisions.all(), key=lambda r: r.number)],
        "decisions": [{"revision": i.revision.number, "kind": i.kind, "action": i.decision_action,
                       "reason": i.decision_reason, "message": i.decision_message, "decided_at": _iso(i.decided_at)}
                      for i in items if i.decision_action],
        "appeals": [{"message": i.appeal_message, "at": _iso(i.created_at), "status": i.status}
                    for i in items if i.kind == "appeal"],
        "statements_of_reasons": [statement_as_dict(s) for s in sorted(submission.statements.all(),
                                                                        key=lambda s: (s.created_at, s.pk))],
        "reports_received": reports_received,
        # what moderators noted about the post, without who wrote it
        "moderator_notes": [{"text": a.note, "at": _iso(a.at)}
                            for a in sorted(submission.actions.all(), key=lambda a: (a.at, a.pk)) if a.verb == "note"],
    }


def author_drafts(*, client: ApiClient, author_external_id: str, external_ids: list[str], user=None):
    """The author's drafts: those started for them (or by their local account ``user``), and those that became
    their posts (``external_ids``) though started without an author id. The export reads them; the erasure
    deletes them."""
    owners = [f"{client.draft_owner_prefix}{author_external_id}"] + ([f"user:{user.pk}"] if user else [])
    became_theirs = Q(used_for__in=external_ids, owner_key__startswith=client.draft_owner_prefix)
    if client.name == ApiClient.LOCAL_NAME:
        became_theirs |= Q(used_for__in=external_ids, owner_key__startswith="user:")
    return Draft.objects.filter(Q(owner_key__in=owners) | became_theirs)


def author_data(*, client: ApiClient, author_external_id: str, user=None) -> dict:
    """The export for ``client``'s author ``author_external_id`` (``user``: the local account behind it, whose
    drafts are keyed by the account). Empty lists when the plugin holds nothing of them."""
    submissions = list(
        Submission.objects.filter(client=client, author_external_id=author_external_id)
        .select_related("client", "current_revision").annotate(n_reports=Count("reports"))
        .prefetch_related("revisions__evaluations", "revisions__classifier_results", "review_items__revision",
                          "statements__submission__client",
                          Prefetch("actions", queryset=Action.objects.filter(verb="note")))
        .order_by("created_at", "pk"))
    reports = (ReaderReport.objects.filter(client=client, reporter_external_id=author_external_id)
               .select_related("submission").order_by("created_at", "pk"))
    notifications = Notification.objects.filter(submission__client=client,
                                                recipient_external_id=author_external_id).order_by("created_at")
    edits = (Revision.objects.filter(submission__client=client, editor_external_id=author_external_id)
             .exclude(submission__author_external_id=author_external_id).select_related("submission")
             .order_by("created_at", "pk"))
    drafts = author_drafts(client=client, author_external_id=author_external_id,
                           external_ids=[s.external_id for s in submissions], user=user).order_by("created_at")
    return {
        "export_version": EXPORT_VERSION, "generated_at": timezone.now().isoformat(), "forum": client.name,
        "author_external_id": author_external_id,
        "submissions": [_submission(s, s.n_reports) for s in submissions],
        "reports_filed": [{"post": r.submission.external_id, "reason": r.reason, "note": r.note,
                           "outcome": r.outcome, "at": _iso(r.created_at)} for r in reports],
        "notifications": [{"verb": n.verb, "message": n.message, "at": _iso(n.created_at),
                           "read_at": _iso(n.read_at)} for n in notifications],
        # versions of other people's posts they saved (a moderator's edit): which, and when; not those posts
        "edits_of_others_posts": [{"post": r.submission.external_id, "revision": r.number,
                                   "display_name": r.editor_display_name, "at": _iso(r.created_at)} for r in edits],
        "drafts": [{"id": str(d.public_id), "events": d.events, "used_for": d.used_for,
                    "created_at": _iso(d.created_at)} for d in drafts],
    }
