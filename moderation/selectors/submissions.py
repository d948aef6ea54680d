"""Finding the plugin's submissions from the host's side, by the ids the host gave them."""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F
from django.utils.translation import gettext

from ..conf import app_settings
from ..models import ApiClient, Evaluation, HostRemovalReason, Revision, Submission
from ..policy.engine import current_policy


def submissions_by_external_id(*, client: ApiClient, external_ids: Iterable[str]) -> dict[str, Submission]:
    """``{external_id: Submission}`` for those of ``external_ids`` the client has submitted, in one query.

    For a host that cannot add a field to its own models (a third-party forum): it keeps its object's id as the
    submission's ``external_id`` and looks a whole page of objects up at once. Ids never submitted are absent
    from the result. The current revision is fetched with each submission.
    """
    ids = list(dict.fromkeys(external_ids))
    if not ids:
        return {}
    rows = Submission.objects.select_related("current_revision", "client").filter(client=client,
                                                                                  external_id__in=ids)
    return {row.external_id: row for row in rows}


def host_removal_text(submission: Submission) -> str:
    """What the host said when it removed the post through the API, in words ("" when it did not)."""
    if submission.host_removed_at is None:
        return ""
    why = (str(HostRemovalReason(submission.host_removed_reason).label)
           if submission.host_removed_reason in HostRemovalReason.values else gettext("The forum removed it."))
    return f"{why} {submission.host_removed_note}".strip()


def removed_in_forum(submissions: list[Submission]) -> dict[int, str]:
    """``{submission pk: why}`` for the posts the host forum took away from its readers itself: what an API
    client stored (``PUT /submissions/{id}/removal``) and what the host's adapter answers
    (``removed_by_host_many``, e.g. Spirit's own delete). Where both say so, the adapter's words: it names which
    delete, in the moderator's language (Spirit's integration also stores its deletes, without a note); an
    erased author's post says so whatever the adapter answers."""
    out = {}
    for submission in submissions:
        if stored := host_removal_text(submission):
            out[submission.pk] = stored
    out.update(app_settings.adapter.removed_by_host_many(submissions))
    out.update({s.pk: host_removal_text(s) for s in submissions if s.author_erased_at is not None})
    return out


def revisions_decided_under_another_policy(revisions=None):
    """The revisions (of ``revisions``; default: every current one of a post not erased) whose applied
    evaluation (``Revision.applied_evaluation``) was made under another policy version than the one in force:
    the operator changed the rules, or an upgrade changed how they are read. A revision the pipeline gave up
    on is not one of them (it waits for a person, not for the policy). One join on primary keys."""
    if revisions is None:
        revisions = Revision.objects.filter(submission__current_revision=F("pk"), submission__author_erased_at=None)
    return revisions.filter(applied_evaluation__isnull=False).exclude(
        applied_evaluation__policy_version__in=[current_policy().version, Evaluation.GAVE_UP])
