"""``POST /api/v1/author-data`` and ``manage.py export_author_data``: everything the plugin keeps about one
author (GDPR Art. 15 and 20), and nothing of anyone else's."""
import json

import pytest

from .conftest import DISCLOSURE, error_fields

pytestmark = pytest.mark.django_db


def export(forum, author="u-1"):
    response = forum.http.post("/api/v1/author-data", {"author_external_id": author}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_export_holds_their_posts_decisions_appeals_reports_and_drafts(forum, history):
    ada, bob = history
    data = export(forum)
    assert data["export_version"] == 1 and data["forum"] == "forum-a" and data["author_external_id"] == "u-1"
    [post] = data["submissions"]
    assert post["id"] == ada["id"] and post["display_name"] == "Ada Lovelace" and post["status"] == "queued"
    [revision] = post["revisions"]
    assert "tapestry" in revision["body"] and revision["disclosure"]["process"] == DISCLOSURE["process"]
    [result] = revision["classifier_results"]
    assert result["classifier"] == "delve" and max(p["probability"] for p in result["passages"]) == 0.97
    assert revision["policy_evaluations"][0]["outcome"] == "hold"
    assert [d["action"] for d in post["decisions"]] == ["reject"]
    assert post["decisions"][0]["message"] == "Please declare it."
    assert post["appeals"][0]["message"].startswith("This is my appeal in my own words")
    assert post["statements_of_reasons"][0]["decision"]["action"] == "reject"
    assert [r["note"] for r in data["reports_filed"]] == ["A reader note of mine about Bob's post."]
    assert data["reports_filed"][0]["post"] == "bob-1"
    assert len(data["drafts"]) == 1
    # nobody else's: not Bob's post, not who reported what
    assert "u-bob" not in json.dumps(data) and "Bob" not in json.dumps(data["submissions"])


def test_an_author_with_nothing_kept_gets_empty_lists_and_another_forum_sees_nothing(forum, other_forum, history):
    assert export(forum, "u-nobody")["submissions"] == []
    theirs = export(other_forum)
    assert theirs["submissions"] == [] and theirs["reports_filed"] == [] and theirs["drafts"] == []


def test_after_an_erasure_the_export_shows_nothing_of_them(forum, history):
    forum.http.post("/api/v1/erasures", {"author_external_id": "u-1"}, format="json")
    data = export(forum)
    assert data["submissions"] == [] and data["reports_filed"] == [] and data["drafts"] == []


@pytest.mark.parametrize("payload, field", [({}, "author_external_id"), ({"author_external_id": " "},
                                                                        "author_external_id"), ({"x": 1}, "x")])
def test_bad_input_is_400_on_its_field(forum, payload, field):
    response = forum.http.post("/api/v1/author-data", payload, format="json")
    assert response.status_code == 400 and field in error_fields(response)


def test_the_command_writes_a_local_member_s_data(make_post, author, tmp_path):
    from django.core.management import call_command

    from disclosure.models import Draft

    make_post(body="A post of mine about moss, written by hand.")
    Draft.objects.create(owner_key=f"user:{author.pk}")
    out = tmp_path / "export.json"
    call_command("export_author_data", str(author.pk), "--output", str(out))
    data = json.loads(out.read_text())
    assert data["forum"] == "local" and "moss" in data["submissions"][0]["revisions"][0]["body"]
    assert len(data["drafts"]) == 1


# --- Found by a review --------------------------------------------------------------------------------------

def test_the_forums_removal_note_for_its_moderators_is_not_exported(forum, history):
    ada, _bob = history
    forum.http.put(f"/api/v1/submissions/{ada['id']}/removal",
                   {"reason": "removed_by_moderators", "note": "Removed by Carol after Dave complained."},
                   format="json")
    [post] = export(forum)["submissions"]
    assert post["removed_in_forum"]["reason"] == "removed_by_moderators" and post["removed_in_forum"]["at"]
    assert "Carol" not in json.dumps(post) and "Dave" not in json.dumps(post)


def test_a_draft_started_without_an_author_id_that_became_their_post_is_exported(forum, submit):
    from .conftest import post_payload

    draft = forum.http.post("/api/v1/drafts", {}, format="json").json()
    payload = post_payload("ada-7", disclosure=DISCLOSURE)
    payload["draft_id"] = draft["id"]
    assert submit(forum, payload).status_code == 202
    assert [d["id"] for d in export(forum)["drafts"]] == [draft["id"]]


def test_their_edits_of_someone_else_s_post_are_listed_without_that_post(forum, submit):
    from .conftest import post_payload

    bob = post_payload("bob-3", body="Bob's own words about rivers.")
    bob["author"] = {"external_id": "u-bob", "display_name": "Bob", "standing": "regular"}
    submit(forum, bob)
    submit(forum, {**bob, "body": "Bob's own words about rivers, tidied.",
                   "editor": {"external_id": "u-1", "display_name": "Ada"}})
    data = export(forum)
    assert [(e["post"], e["revision"], e["display_name"]) for e in data["edits_of_others_posts"]] == [
        ("bob-3", 2, "Ada")]
    assert "rivers" not in json.dumps(data)


def test_the_export_reads_a_page_of_posts_in_a_fixed_number_of_queries(forum, submit, django_assert_max_num_queries):
    from .conftest import post_payload

    for n in range(8):
        submit(forum, post_payload(f"many-{n}"))
    with django_assert_max_num_queries(20):
        assert len(export(forum)["submissions"]) == 8


def test_an_author_id_in_other_digits_names_no_local_account(make_user, tmp_path):
    """``"٢"`` is a digit to str.isdigit(): it named user 2 of the host forum."""
    from django.core.management import call_command

    from disclosure.models import Draft
    from moderation.services.intake import local_client

    local_client()
    owner = make_user("owner")
    Draft.objects.create(owner_key=f"user:{owner.pk}")
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in str(owner.pk))
    out = tmp_path / "export.json"
    call_command("export_author_data", arabic_indic, "--output", str(out))
    assert json.loads(out.read_text())["drafts"] == []
    call_command("export_author_data", str(owner.pk), "--output", str(out))
    assert len(json.loads(out.read_text())["drafts"]) == 1


# --- Found by an operator's review --------------------------------------------------------------------------

def test_a_member_s_data_is_exported_before_any_member_has_posted(author, tmp_path):
    """On a new forum no post has been sent through the host's client yet; a member who only saved drafts
    still has data to export (the command answered "No API client is called “local”" and exit status 1)."""
    from django.core.management import call_command

    from disclosure.models import Draft
    from moderation.models import ApiClient

    assert not ApiClient.objects.filter(name=ApiClient.LOCAL_NAME).exists()
    Draft.objects.create(owner_key=f"user:{author.pk}")
    out = tmp_path / "export.json"
    call_command("export_author_data", str(author.pk), "--output", str(out))
    data = json.loads(out.read_text())
    assert data["forum"] == "local" and data["submissions"] == [] and len(data["drafts"]) == 1


def test_an_output_file_that_cannot_be_written_is_a_clear_error_without_a_traceback(forum, history, tmp_path):
    """As export_statements and score_texts say: ``--output`` into a missing folder was a FileNotFoundError."""
    from django.core.management import CommandError, call_command

    target = tmp_path / "no-such-folder" / "export.json"
    with pytest.raises(CommandError, match=r"Cannot write .*export\.json: No such file or directory"):
        call_command("export_author_data", "u-1", "--client", "forum-a", "--output", str(target))
    assert not target.exists()
