"""``/api/v1/review-items/{id}/notes``: moderators' notes over the API (scope ``moderate``), the same rows as the
web queue's, never shown to the author, in the author's data export without who wrote them."""
import pytest

from moderation.models import Action

from .conftest import error_fields

pytestmark = pytest.mark.django_db


def notes_url(item) -> str:
    return f"/api/v1/review-items/{item.public_id}/notes"


def test_a_note_is_201_listed_and_changes_no_state(forum, queued):
    _data, item = queued
    created = forum.http.post(notes_url(item), {"text": "Waiting for the author's answer."}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["text"] == "Waiting for the author's answer." and created.json()["by"] == "api:forum-a"
    assert [n["text"] for n in forum.http.get(notes_url(item)).json()] == ["Waiting for the author's answer."]
    item.refresh_from_db()
    assert item.version == 1 and item.status == "open"


def test_the_authors_export_holds_the_notes_without_who_wrote_them(forum, queued):
    _data, item = queued
    forum.http.post(notes_url(item), {"text": "Looks like a quote from the FAQ."}, format="json")
    export = forum.http.post("/api/v1/author-data", {"author_external_id": "u-1"}, format="json").json()
    [post] = export["submissions"]
    assert [n["text"] for n in post["moderator_notes"]] == ["Looks like a quote from the FAQ."]
    assert "api:forum-a" not in str(post["moderator_notes"])


@pytest.mark.parametrize("payload, field", [({}, "text"), ({"text": "   "}, "text"), ({"text": "x" * 2001}, "text"),
                                            ({"text": "a", "extra": 1}, "extra")])
def test_bad_notes_are_400_on_their_field(forum, queued, payload, field):
    _data, item = queued
    response = forum.http.post(notes_url(item), payload, format="json")
    assert response.status_code == 400 and field in error_fields(response)
    assert not Action.objects.filter(verb="note").exists()


def test_a_web_moderators_username_is_not_shown_to_another_forum(forum, queued, make_user):
    """Found by review: ``by`` gave API clients the host's moderators' usernames (``claimed_by`` says
    "moderator")."""
    from moderation.services.review import Actor, review_item_note

    _data, item = queued
    mira = make_user("mira-the-mod", is_staff=True, moderator=True)
    review_item_note(item_id=item.pk, actor=Actor.for_user(mira), text="Checked the sources.")
    [note] = forum.http.get(notes_url(item)).json()
    assert note["by"] == "moderator" and "mira" not in str(note)


def test_spaces_around_a_note_do_not_count_toward_its_length(forum, queued):
    _data, item = queued
    response = forum.http.post(notes_url(item), {"text": " " * 5 + "a" * 1998}, format="json")
    assert response.status_code == 201 and response.json()["text"] == "a" * 1998


def test_another_forums_item_is_404_and_a_submit_only_key_403(other_forum, make_forum, queued):
    _data, item = queued
    assert other_forum.http.post(notes_url(item), {"text": "hi"}, format="json").status_code == 404
    assert other_forum.http.get(notes_url(item)).status_code == 404
    submit_only = make_forum("forum-c", scopes=("submit",))
    assert submit_only.http.post(notes_url(item), {"text": "hi"}, format="json").status_code == 403
