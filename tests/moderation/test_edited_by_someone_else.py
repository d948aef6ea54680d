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
