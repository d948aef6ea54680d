"""The public surface a third-party host (a forum nobody here wrote, like Spirit) builds on, one gap of
docs/integrations/spirit.md at a time: everything here is imported from ``moderation.public`` /
``disclosure.public`` or used through settings and template tags, never from the plugin's internals."""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save
from django.template import Context, Template
from django.urls import reverse

from disclosure.public import load_stored
from moderation.public import (
    Submission, SubmissionInvalid, disclosure_pending, local_client, pending_disclosure,
    submission_label, submission_submit, submissions_by_external_id,
    submit_on_save,
)

pytestmark = pytest.mark.django_db

HUMAN = {"human_only": True}
ASSISTED = {"human_only": False, "assistance": [{"kind": "editing", "extent": "minor"}], "tools": ["Claude"],
            "process": "The model suggested clearer wording for two sentences; I kept some of it."}


def submit(external_id="c-1", *, title: str | None = "A comment", body="Written by hand, on a bus.",
           standing="new", disclosure=HUMAN, client=None):
    return submission_submit(client=client or local_client(), external_id=external_id, author_external_id="u-1",
                             author_standing=standing, category="general", title=title, body=body,
                             disclosure_data=disclosure)


# --- Gap 2: the host finds its objects' submissions by its own ids -----------------------------------

def test_submissions_by_external_id_finds_a_page_of_posts_in_one_query(django_assert_num_queries):
    from moderation.models import ApiClient

    submit("c-1")
    submit("c-2")
    other = ApiClient.objects.create(name="another-forum", scopes=["submit"])
    submit("c-3", client=other)
    client = local_client()
    with django_assert_num_queries(1):
        found = submissions_by_external_id(client=client, external_ids=["c-1", "c-2", "c-3", "never"])
        revisions = [s.current_revision.number for s in found.values()]  # fetched with the submissions
    assert sorted(found) == ["c-1", "c-2"]  # another client's c-3 and an unknown id are absent
    assert revisions == [1, 1]
    assert submissions_by_external_id(client=client, external_ids=[]) == {}


# --- Gap 4: one tag for the label readers see -------------------------------------------------------

def test_submission_label_block_shows_the_badge_and_the_eu_mark_of_the_current_revision():
    result = submit("c-1", disclosure=ASSISTED, body="Mostly mine; the model fixed two sentences.")
    submission = Submission.objects.get(pk=result.submission.pk)
    one_tag = Template("{% load moderation_tags %}{% submission_label_block s %}").render(Context({"s": submission}))
    three_calls = Template("{% load disclosure_tags eu_labels %}{% ai_badge label %}{% eu_label label d %}").render(
        Context({"label": submission_label(submission), "d": load_stored(submission.current_revision.disclosure)}))
    assert 'data-label-block="ai_assisted"' in one_tag
    assert "data-eu-label" in one_tag
    # The same badge and mark as the three calls a host used to make.
    normalise = lambda html: " ".join(html.split())  # noqa: E731
    assert normalise(three_calls).split('<aside')[1] in normalise(one_tag)


def test_submission_label_block_is_empty_without_a_revision():
    empty = Submission(client=local_client(), external_id="x")
    rendered = Template("{% load moderation_tags %}{% submission_label_block s %}{% submission_label_block n %}")
    assert rendered.render(Context({"s": empty, "n": None})).strip() == ""


# --- Gap 7: untitled posts for hosts without titles, a clear error where the host asked for one -------

def test_an_untitled_submission_is_stored_without_a_title():
    result = submit("c-1", title=None)
    assert result.revision.title == ""


@pytest.mark.parametrize("title", ["", "   "])
def test_a_blank_title_is_still_a_title_field_error(title):
    with pytest.raises(SubmissionInvalid) as refused:
        submit("c-1", title=title)
    assert [e["field"] for e in refused.value.errors] == ["title"]
    assert not Submission.objects.exists()


def test_the_demo_forums_form_still_requires_a_title(category):
    from forum.forms import PostForm

    form = PostForm(data={"title": "", "category": category.pk, "format": "markdown", "body": "Text."})
    assert not form.is_valid()
    assert list(form.errors) == ["title"]


def test_the_queue_names_an_untitled_post(client, moderator):
    from moderation.models import ReviewItem

    result = submit("c-1", title=None)
    ReviewItem.objects.create(submission=result.submission, revision=result.revision, reasons=["reported"])
    client.force_login(moderator)
    page = client.get(reverse("moderation:queue")).content.decode()
    assert re.search(r'class="mod-queue__title"[^>]*>\(untitled\)</a>', page)


# --- Gap 1: the disclosure travels with a host's own save ------------------------------------------

@pytest.fixture
def users_submitted():
    """A host whose "posts" are users' first names (any model the host owns will do)."""
    User = get_user_model()

    def submit_user(*, instance, disclosure_data):
        return submission_submit(client=local_client(), external_id=f"user:{instance.pk}",
                                 author_external_id=str(instance.pk), title=None, body=instance.first_name,
                                 disclosure_data=disclosure_data)

    submit_on_save(User, external_id=lambda user: f"user:{user.pk}", submit=submit_user,
                   when=lambda user: bool(user.first_name), dispatch_uid="test_host_surface.users")
    yield User
    post_save.disconnect(sender=User, dispatch_uid="test_host_surface.users")


def current(user) -> Submission | None:
    return submissions_by_external_id(client=local_client(), external_ids=[f"user:{user.pk}"]).get(f"user:{user.pk}")


def test_a_save_inside_disclosure_pending_carries_that_disclosure(users_submitted):
    assert pending_disclosure() is None
    with disclosure_pending(HUMAN) as pending:
        assert pending_disclosure() is pending
        user = users_submitted.objects.create(username="ana", first_name="Written by hand.")
    assert pending_disclosure() is None
    assert current(user).current_revision.disclosure["human_only"] is True


def test_a_save_elsewhere_keeps_the_disclosure_the_post_has(users_submitted):
    with disclosure_pending(ASSISTED):
        user = users_submitted.objects.create(username="ana", first_name="Mostly mine.")
    user.first_name = "Mostly mine, edited in the shell."
    user.save()
    submission = current(user)
    assert submission.current_revision.number == 2
    stored = submission.current_revision.disclosure
    assert stored["human_only"] is False
    assert [(a["kind"], a["extent"]) for a in stored["assistance"]] == [("editing", "minor")]


def test_someone_elses_edit_of_an_object_from_before_the_plugin_is_not_submitted(users_submitted):
    """Only the author can disclose: a moderator's edit of a never-submitted object would have submitted it with
    no disclosure ("AI use not disclosed", held for a check). Its author's own edit is submitted."""
    user = users_submitted.objects.create(username="old")  # not a post yet: as if from before the plugin
    user.first_name = "Written long ago, a typo fixed."
    with disclosure_pending(None, editor=("9", "A moderator")):
        user.save()
    assert current(user) is None
    with disclosure_pending(HUMAN):
        user.save()
    assert current(user).current_revision.disclosure["human_only"] is True


def test_an_edit_that_carries_a_disclosure_is_submitted_whoever_is_named_as_editor(users_submitted):
    """A host that names the author as editor too must not lose the author's disclosure (found by review)."""
    user = users_submitted.objects.create(username="old")  # not a post yet: as if from before the plugin
    user.first_name = "Now mostly written by a chatbot."
    with disclosure_pending(ASSISTED, editor=(str(user.pk), "The author")):
        user.save()
    assert current(user).current_revision.disclosure["human_only"] is False


def test_someone_elses_edit_of_a_submitted_object_is_submitted_with_the_authors_disclosure(users_submitted):
    with disclosure_pending(ASSISTED):
        user = users_submitted.objects.create(username="ana", first_name="Mostly mine.")
    user.first_name = "Mostly mine, a typo fixed."
    with disclosure_pending(current(user).current_revision.disclosure, editor=("9", "A moderator")):
        user.save()
    revision = current(user).current_revision
    assert revision.number == 2 and revision.disclosure["human_only"] is False


def test_when_decides_which_saves_are_submitted(users_submitted):
    user = users_submitted.objects.create(username="bot")  # no first name: not a post
    assert current(user) is None


def test_a_refused_post_rolls_the_hosts_save_back(users_submitted):
    with pytest.raises(SubmissionInvalid), transaction.atomic(), disclosure_pending(HUMAN):
        users_submitted.objects.create(username="ana", first_name=":::ai-written\nnever closed")
    assert not users_submitted.objects.filter(username="ana").exists()
    assert not Submission.objects.exists()


# --- Gap 5: the frame of the plugin's pages is a setting ---------------------------------------------

def test_the_queue_extends_the_configured_base_template(client, moderator, settings, tmp_path):
    (tmp_path / "host_frame.html").write_text(
        "<!doctype html><title>{% block title %}{% endblock %}</title>{% block head %}{% endblock %}"
        "<body data-host-frame>{% block content %}{% endblock %}{% block scripts %}{% endblock %}</body>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    client.force_login(moderator)
    assert b"data-host-frame" not in client.get(reverse("moderation:queue")).content

    settings.MODERATION = {**settings.MODERATION, "BASE_TEMPLATE": "host_frame.html"}
    page = client.get(reverse("moderation:queue"))
    assert page.status_code == 200
    assert b"<body data-host-frame>" in page.content
    assert b'class="mod-nav"' in page.content  # the queue's own content, inside the host's frame


def test_a_base_template_nobody_can_load_is_a_system_check_error(settings):
    from django.core.checks import run_checks

    settings.MODERATION = {**settings.MODERATION, "BASE_TEMPLATE": "no/such/frame.html"}
    errors = [e for e in run_checks() if e.id == "moderation.E010"]
    assert len(errors) == 1 and "no/such/frame.html" in errors[0].msg


# --- Gap 9: the host's Markdown plugins in the renderer ----------------------------------------------

def test_the_hosts_markdown_plugins_render_inside_posts_and_are_sanitised(settings):
    from disclosure.templatetags.disclosure_tags import render_post_body

    body = 'Thanks @ana!\n\n:::ai-written model="Claude"\nA summary for @ben.\n:::'
    before = str(render_post_body(body, "markdown"))
    assert "/users/ana" not in before

    settings.DISCLOSURE = {"MARKDOWN_PLUGINS": ["tests.integrations.markdown_plugins.mentions",
                                                "tests.integrations.markdown_plugins.unsafe"]}
    html = str(render_post_body(body, "markdown"))
    assert re.search(r'<a href="/users/ana"[^>]*>@ana</a>', html)
    # inside the AI-written section, which still collapses
    assert re.search(r'<a href="/users/ben"[^>]*>@ben</a>', html)
    assert "ai-block" in html and "<details" in html
    assert "<script" not in html and "onerror" not in html  # a plugin's output is sanitised like the rest


def test_a_markdown_plugin_that_cannot_be_imported_is_a_system_check_error(settings):
    from django.core.checks import run_checks

    settings.DISCLOSURE = {"MARKDOWN_PLUGINS": ["tests.integrations.markdown_plugins.missing"]}
    errors = [e for e in run_checks() if e.id == "disclosure.E002"]
    assert len(errors) == 1 and "missing" in errors[0].msg
