"""A version saved by someone other than the author (a moderator fixing a typo) says so: the revision names its
editor, an item waiting in the queue gives "edited by someone other than the author" as its reason instead of
"author posted a new revision", and the moderator's item page names the editor. Before, such an edit was
recorded and shown as the author's."""
from __future__ import annotations

import pytest
from django.urls import reverse

from moderation.models import Revision
from moderation.services.evaluation import revision_evaluate
from moderation.services.intake import submission_submit

from .conftest import HUMAN_TEXT

pytestmark = pytest.mark.django_db


def resubmit(submission, *, body, editor_external_id="", editor_display_name=""):
    return submission_submit(client=submission.client, external_id=submission.external_id,
                             author_external_id=submission.author_external_id,
                             author_standing=submission.author_standing, category=submission.category,
                             title="Suspicious post", body=body, disclosure_data={"human_only": True},
                             editor_external_id=editor_external_id, editor_display_name=editor_display_name)


def test_a_moderators_edit_names_its_editor_and_the_waiting_item_says_who_edited(queued_post, item_of, client,
                                                                                  moderator):
    item = item_of(queued_post())
    client.force_login(moderator)

    result = resubmit(item.submission, body=HUMAN_TEXT, editor_external_id="mod-7", editor_display_name="Mo")
    revision_evaluate(revision_id=result.revision.pk)

    assert (result.revision.editor_external_id, result.revision.editor_display_name) == ("mod-7", "Mo")
    item.refresh_from_db()
    assert (item.revision_id, item.reasons) == (result.revision.pk, ["edited_by_other"])
    page = client.get(reverse("moderation:item_detail", args=[item.public_id])).content.decode()
    assert "(edited by Mo, not the author)" in page
    assert "Edited by someone other than the author" in page


def test_the_authors_own_edit_names_no_editor_even_under_their_own_id(queued_post, item_of):
    item = item_of(queued_post())
    submission = item.submission

    own = resubmit(submission, body=HUMAN_TEXT, editor_external_id=submission.author_external_id,
                   editor_display_name="The author")
    revision_evaluate(revision_id=own.revision.pk)

    assert (own.revision.editor_external_id, own.revision.editor_display_name) == ("", "")
    item.refresh_from_db()
    assert item.reasons == ["author_revised"]
    assert not Revision.objects.exclude(editor_external_id="").exists()


def test_a_moderators_edit_of_a_post_sent_back_for_a_fix_does_not_publish_it_as_the_authors_fix(
        queued_post, item_of, moderator):
    """Found by review: the rule for the author's fix (publish and queue, "resubmitted after a fix") fired for a
    moderator's typo fix, so the post came back to readers without the author's fix, credited to the author."""
    from moderation.services.review import Actor, review_item_decide

    item = item_of(queued_post())
    review_item_decide(item_id=item.pk, actor=Actor.for_user(moderator), action="request_changes",
                       reason="undisclosed", expected_version=item.version, message="Mark the model's paragraph.")

    edit = resubmit(item.submission, body=HUMAN_TEXT + "\n\nTypo fixed.", editor_external_id="mod-7")
    evaluation = revision_evaluate(revision_id=edit.revision.pk)

    submission = edit.submission
    submission.refresh_from_db()
    assert (evaluation.outcome, evaluation.reasons) == ("hold", ["edited_by_other"])
    assert not submission.visible and submission.status == "queued"

    own = resubmit(submission, body=HUMAN_TEXT + "\n\nThe author's fix.")
    assert revision_evaluate(revision_id=own.revision.pk).reasons == ["resubmitted_after_changes"]


def test_an_automatic_rejection_never_falls_on_a_version_someone_else_saved(settings, classifiers, queued_post,
                                                                           item_of, templates):
    from moderation.models import Action, StatementOfReasons

    from .conftest import AI_TEXT

    settings.MODERATION = {**settings.MODERATION, "POLICY": {"extend_default": True, "rules": [
        {"name": "auto_reject_high_score", "when": {"classifier": "keyword", "score_at_least": 0.4},
         "outcome": "auto_reject", "reason": "auto_rejected_ai_score", "template": "low-effort-ai"}]}}
    from moderation.models import Submission

    assert item_of(queued_post(body=HUMAN_TEXT)) is None  # the author's own text: published, no item
    submission = Submission.objects.get()

    edit = resubmit(submission, body=AI_TEXT, editor_external_id="mod-7")
    evaluation = revision_evaluate(revision_id=edit.revision.pk)

    # held for a person, high enough to be seen, and not labelled "rejected automatically": nothing was
    assert evaluation.outcome == "hold" and evaluation.priority >= 45
    assert "edited_by_other" in evaluation.reasons and "auto_rejected_ai_score" not in evaluation.reasons
    assert evaluation.details["auto_reject_withheld"] == {"because": "edited_by_other",
                                                          "reasons": ["auto_rejected_ai_score"]}
    assert not Action.objects.filter(verb="auto_reject").exists() and not StatementOfReasons.objects.exists()


def test_a_moderators_edit_of_the_authors_published_fix_keeps_it_shown_and_the_fix_named(queued_post, item_of,
                                                                                         moderator):
    """Found by the second review: after the author had answered the request (their fix published and queued),
    a moderator's typo fix hid the post again and replaced "resubmitted after a fix" by "edited by someone else"."""
    from moderation.services.review import Actor, review_item_decide

    item = item_of(queued_post())
    review_item_decide(item_id=item.pk, actor=Actor.for_user(moderator), action="request_changes",
                       reason="undisclosed", expected_version=item.version, message="Mark the model's paragraph.")
    fix = resubmit(item.submission, body=HUMAN_TEXT + "\n\nThe author's fix.")
    assert revision_evaluate(revision_id=fix.revision.pk).outcome == "publish_and_queue"

    typo = resubmit(fix.submission, body=HUMAN_TEXT + "\n\nThe author's fix, typo fixed.",
                    editor_external_id="mod-7")
    evaluation = revision_evaluate(revision_id=typo.revision.pk)

    submission = typo.submission
    submission.refresh_from_db()
    assert (evaluation.outcome, evaluation.reasons) == ("publish_and_queue",
                                                        ["resubmitted_after_changes", "edited_by_other"])
    assert submission.visible
    waiting = submission.review_items.order_by("-id").first()
    assert waiting.status == "open" and waiting.reasons == ["resubmitted_after_changes", "edited_by_other"]


def test_a_clean_moderators_edit_wakes_a_snoozed_item_and_says_who_edited(queued_post, item_of, moderator):
    """A person looks again (a clean edit may have published a held post), told it was not the author's."""
    from moderation.services.review import Actor, review_item_snooze

    item = item_of(queued_post())
    review_item_snooze(item_id=item.pk, actor=Actor.for_user(moderator), until_next_revision=True)

    edit = resubmit(item.submission, body=HUMAN_TEXT, editor_external_id="mod-7")
    revision_evaluate(revision_id=edit.revision.pk)
    item.refresh_from_db()
    assert (item.status, item.reasons) == ("open", ["edited_by_other"])


def test_the_policy_dry_run_decides_an_editors_version_as_the_pipeline_did(queued_post, item_of, moderator):
    """Found by the third review: the dry run called the rules alone, so it reported a change ("reason
    -edited_by_other") on every queued version someone else saved."""
    from io import StringIO

    from django.core.management import call_command

    from moderation.services.review import Actor, review_item_decide

    item = item_of(queued_post())
    review_item_decide(item_id=item.pk, actor=Actor.for_user(moderator), action="reject", reason="undisclosed",
                       expected_version=item.version, message="Undisclosed AI.")
    edit = resubmit(item.submission, body=HUMAN_TEXT, editor_external_id="mod-7")
    assert revision_evaluate(revision_id=edit.revision.pk).reasons == ["edited_after_rejection", "edited_by_other"]

    out = StringIO()
    call_command("policy_dryrun", stdout=out, stderr=StringIO())
    assert "replayed 1 posts; 0 decisions would change" in out.getvalue()


def test_whose_version_answered_the_decision_is_read_version_by_version(queued_post, item_of, moderator):
    """A moderator's edit, then the author's fix, then a moderator's edit again: only the author's counts as the
    fix, the last edit keeps it shown, and a tie in time between the decision and the author's answer counts
    as the answer (as the decision's own query counts it)."""
    from moderation.models import ReviewItem
    from moderation.services.review import Actor, review_item_decide

    item = item_of(queued_post())
    review_item_decide(item_id=item.pk, actor=Actor.for_user(moderator), action="request_changes",
                       reason="undisclosed", expected_version=item.version, message="Mark the model's paragraph.")
    first = resubmit(item.submission, body=HUMAN_TEXT + "\n\nTypo.", editor_external_id="mod-7")
    assert revision_evaluate(revision_id=first.revision.pk).reasons == ["edited_by_other"]
    fix = resubmit(item.submission, body=HUMAN_TEXT + "\n\nThe author's fix.")
    # the decision recorded in the same instant as the author's answer
    ReviewItem.objects.filter(pk=item.pk).update(decided_at=Revision.objects.get(pk=fix.revision.pk).created_at)
    assert revision_evaluate(revision_id=fix.revision.pk).reasons == ["resubmitted_after_changes"]
    second = resubmit(item.submission, body=HUMAN_TEXT + "\n\nThe author's fix, typo fixed.",
                      editor_external_id="mod-7")

    evaluation = revision_evaluate(revision_id=second.revision.pk)

    assert (evaluation.outcome, evaluation.reasons) == ("publish_and_queue",
                                                        ["resubmitted_after_changes", "edited_by_other"])


# --- A person approved the post; then someone else edits it ------------------------------------------------

def approved_ai_assisted_post(make_post, make_user, evaluate, moderator, *, body):
    """A new author's AI-drafted post: held by the declaration alone (``new_author_ai_assisted``), then approved."""
    from moderation.services.review import Actor, review_item_decide
    from tests.conftest import HONEST_DISCLOSURE

    post = make_post(body=body, disclosure=HONEST_DISCLOSURE, user=make_user("newcomer", standing="new"))
    evaluation = evaluate(post)
    assert evaluation.outcome == "hold" and "new_author_ai_assisted" in evaluation.reasons
    item = post.submission.review_items.get()
    review_item_decide(item_id=item.pk, actor=Actor.for_user(moderator), action="approve", reason="ok",
                       expected_version=item.version)
    post.submission.refresh_from_db()
    assert post.submission.visible and post.submission.status == "approved"
    return post.submission


def edit(submission, *, body, disclosure=None, editor_external_id="mod-7"):
    from tests.conftest import HONEST_DISCLOSURE

    result = submission_submit(client=submission.client, external_id=submission.external_id,
                               author_external_id=submission.author_external_id,
                               author_standing=submission.author_standing, category=submission.category,
                               title="An approved post", body=body, disclosure_data=disclosure or HONEST_DISCLOSURE,
                               editor_external_id=editor_external_id)
    return revision_evaluate(revision_id=result.revision.pk)


def test_a_moderators_typo_fix_of_an_approved_post_does_not_hide_it_or_ask_about_the_declaration_again(
        classifiers, make_post, make_user, evaluate, moderator):
    """Before, the new author's declaration held the edited version again: the post the moderator had approved
    disappeared from readers until someone approved it a second time."""
    submission = approved_ai_assisted_post(make_post, make_user, evaluate, moderator, body=HUMAN_TEXT)

    evaluation = edit(submission, body=HUMAN_TEXT + " Typo fixed.")

    submission.refresh_from_db()
    assert evaluation.outcome == "publish" and evaluation.reasons == []
    assert "new_author_ai_assisted" in evaluation.details["approved_declaration"]
    assert submission.visible and submission.status == "published"
    assert not submission.review_items.exclude(status="decided").exists()


def test_what_an_edit_brings_that_the_person_did_not_approve_applies_as_written(
        classifiers, make_post, make_user, evaluate, moderator):
    """Text the classifiers flag that was not in the approved version holds the post again, with who edited it:
    the approval covered what the person saw, not what someone added later."""
    from .conftest import AI_TEXT

    submission = approved_ai_assisted_post(make_post, make_user, evaluate, moderator, body=HUMAN_TEXT)

    evaluation = edit(submission, body=f"{HUMAN_TEXT}\n\n{AI_TEXT}")

    submission.refresh_from_db()
    assert evaluation.outcome == "hold"
    assert "undisclosed_ai_suspected" in evaluation.reasons and "edited_by_other" in evaluation.reasons
    assert "approved_declaration" in evaluation.details  # the declaration they approved is not asked again
    assert not submission.visible and submission.review_items.filter(status="open").exists()


def test_what_the_person_saw_and_approved_does_not_hide_the_edit_again(classifiers, make_post, make_user, evaluate,
                                                                      moderator):
    """A flagged passage the moderator approved, kept by a typo fix: back to the queue, and still shown."""
    from .conftest import AI_TEXT

    submission = approved_ai_assisted_post(make_post, make_user, evaluate, moderator,
                                           body=f"{HUMAN_TEXT}\n\n{AI_TEXT}")

    evaluation = edit(submission, body=f"{HUMAN_TEXT}\n\n{AI_TEXT} Typo fixed.")

    submission.refresh_from_db()
    assert evaluation.outcome == "publish_and_queue"
    assert "undisclosed_ai_suspected" in evaluation.reasons and "edited_by_other" in evaluation.reasons
    assert submission.visible and submission.review_items.filter(status="open").exists()


def test_an_editor_who_changes_the_declaration_has_it_checked_again(classifiers, make_post, make_user, evaluate,
                                                                   moderator):
    from tests.conftest import HONEST_DISCLOSURE

    submission = approved_ai_assisted_post(make_post, make_user, evaluate, moderator, body=HUMAN_TEXT)

    evaluation = edit(submission, body=HUMAN_TEXT, disclosure={**HONEST_DISCLOSURE, "ai_share_percent": 80})

    submission.refresh_from_db()
    # "mostly AI" is new (held); "a new author's AI-assisted post" was approved (it alone would not hide it)
    assert evaluation.outcome == "hold" and "mostly_ai_content" in evaluation.reasons
    assert "new_author_ai_assisted" in evaluation.reasons and "approved_declaration" not in evaluation.details
    assert not submission.visible


def test_an_approval_covers_only_the_rules_that_matched_the_approved_version(settings, classifiers, make_post,
                                                                            make_user, evaluate, moderator):
    """Found by review: a forum's own rule about others' edits was skipped as if a person had approved it, and
    an automatic rejection that changed nothing (a re-score of an approved version) counted as a rejection."""
    from moderation.services.evaluation import revision_evaluate as evaluate_again

    submission = approved_ai_assisted_post(make_post, make_user, evaluate, moderator, body=HUMAN_TEXT)
    settings.MODERATION = {**settings.MODERATION, "POLICY": {"extend_default": True, "rules": [
        {"name": "others_edits_reviewed", "when": {"edited_by_other": True}, "outcome": "publish_and_queue",
         "reason": "others_edit", "priority": 5},
        {"name": "auto_reject_high_score", "when": {"always": True}, "outcome": "auto_reject",
         "reason": "auto_rejected_ai_score", "template": "low-effort-ai"}]}}
    evaluate_again(revision_id=submission.current_revision_id)  # a re-score: the approval stands
    submission.refresh_from_db()
    assert submission.status == "approved" and submission.visible

    evaluation = edit(submission, body=HUMAN_TEXT + " Typo fixed.")

    assert "others_edit" in evaluation.reasons and "edited_after_rejection" not in evaluation.reasons


def test_the_authors_own_edit_of_an_approved_post_is_judged_as_before(classifiers, make_post, make_user, evaluate,
                                                                      moderator):
    submission = approved_ai_assisted_post(make_post, make_user, evaluate, moderator, body=HUMAN_TEXT)

    evaluation = edit(submission, body=HUMAN_TEXT + " My own change.", editor_external_id="")

    submission.refresh_from_db()
    assert evaluation.outcome == "hold" and "new_author_ai_assisted" in evaluation.reasons
    assert not submission.visible
