"""Writing and editing posts through the forum's pages, as a browser without JavaScript does it.

Every failed submit answers 400 with the message next to the field it concerns and keeps everything the
author typed; nothing is half-written.
"""
import re

import pytest
from django.urls import reverse

from forum.models import Post
from moderation.models import Revision, Submission

from .conftest import AI_BODY, field_errors, parse_html

pytestmark = pytest.mark.django_db

NEW = "/posts/new/"


def edit_url(post):
    return reverse("forum:post_edit", args=[post.public_id])


def textarea_value(page, name):
    """What a browser shows in the textarea: HTML drops one newline right after <textarea>."""
    text = page.find("textarea", name=name).text()
    return text[1:] if text.startswith("\n") else text


# --- New posts --------------------------------------------------------------------------------------

def test_a_human_only_post_is_saved_with_its_first_revision_and_redirects_to_it(client, author, post_data):
    client.force_login(author)

    response = client.post(NEW, post_data())

    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("forum:post_detail", args=[post.public_id])
    revision = post.submission.current_revision
    assert revision.number == 1
    assert revision.title == "A post about tide pools"
    assert revision.body == "Written by me, entirely by hand."
    assert revision.disclosure["human_only"] is True
    assert revision.disclosure["assistance"] == []
    assert post.author == author


def test_a_post_with_an_ai_block_and_an_honest_disclosure_is_saved(client, author, post_data, honest_ai_fields):
    client.force_login(author)

    response = client.post(NEW, post_data(body=AI_BODY, **honest_ai_fields))

    assert response.status_code == 302
    revision = Post.objects.get().submission.current_revision
    assert revision.body == AI_BODY
    assert revision.disclosure["human_only"] is False
    assert revision.disclosure["assistance"] == [{"kind": "drafting", "extent": "substantial", "details": None}]
    assert revision.disclosure["tools"] == ["Claude Opus 4.5"]
    assert revision.disclosure["ai_share_percent"] == 30


def test_an_ai_block_in_a_post_marked_human_written_is_refused_next_to_the_checkbox(client, author, post_data):
    client.force_login(author)

    response = client.post(NEW, post_data(body=AI_BODY, title="Keep this title"))

    assert response.status_code == 400
    page = parse_html(response.content)
    errors = field_errors(page, "human_only")
    assert len(errors) == 1 and "1 AI-written section" in errors[0] and "cannot be marked entirely" in errors[0]
    assert textarea_value(page, "body") == AI_BODY
    assert page.find("input", name="title").attrs["value"] == "Keep this title"
    assert "checked" in page.find("input", name="human_only").attrs
    assert not Post.objects.exists() and not Submission.objects.exists() and not Revision.objects.exists()


def test_help_left_selected_under_human_written_is_reported_not_dropped(client, author, post_data):
    """Without JavaScript the details stay visible; what is still filled in there is a contradiction."""
    client.force_login(author)

    response = client.post(NEW, post_data(assist_editing="minor", tools="DeepL",
                                          process="I typed some words about a process here."))

    assert response.status_code == 400
    page = parse_html(response.content)
    assert any("cannot list AI assistance" in e for e in field_errors(page, "assistance"))
    assert any("cannot name AI tools" in e for e in field_errors(page, "tools"))
    assert page.find("select", name="assist_editing").find("option", selected=True).attrs["value"] == "minor"
    assert page.find("input", name="tools").attrs["value"] == "DeepL"
    assert textarea_value(page, "process") == "I typed some words about a process here."
    assert not Post.objects.exists()


@pytest.mark.parametrize("fields, field, message", [
    ({"human_only": None}, "assistance", "choose at least one kind"),
    ({"human_only": None, "assist_editing": "minor", "process": "Too short."}, "process", "at least a sentence"),
    ({"human_only": None, "assist_research": "substantial",
      "process": "It found three papers on tide pools which I then read myself."},
     "verification", "how you checked"),
    ({"human_only": None, "assist_drafting": "minor", "ai_share_percent": "0",
      "process": "It drafted one paragraph from my notes, which I then edited."}, "ai_share_percent", "estimate"),
    ({"human_only": None, "assist_editing": "minor", "ai_share_percent": "150",
      "process": "It fixed my grammar and suggested shorter sentences here and there."},
     "ai_share_percent", "less than or equal to 100"),
    ({"human_only": None, "assist_editing": "always"}, "assist_editing", "Select a valid choice"),
    ({"human_only": None, "assist_editing": "minor", "tools": "ChatGPT, DeepL, chatgpt",
      "process": "It fixed my grammar and suggested shorter sentences here and there."},
     "tools", "“chatgpt” is named twice"),
])
def test_each_disclosure_rule_is_shown_next_to_its_field(client, author, post_data, fields, field, message):
    client.force_login(author)

    response = client.post(NEW, post_data(**fields))

    assert response.status_code == 400
    errors = field_errors(parse_html(response.content), field)
    assert any(message in e for e in errors), errors
    assert not Post.objects.exists()


def test_an_ai_block_needs_drafting_declared_and_a_share(client, author, post_data):
    client.force_login(author)

    response = client.post(NEW, post_data(
        body=AI_BODY, human_only=None, assist_editing="minor", ai_share_percent="0",
        process="It tightened my wording and I drafted nothing with it, honestly."))

    assert response.status_code == 400
    page = parse_html(response.content)
    assert any("declare “drafting”" in e for e in field_errors(page, "assistance"))
    assert any("more than 0%" in e for e in field_errors(page, "ai_share_percent"))


def test_every_error_of_a_submit_is_shown_at_once(client, author, post_data):
    """An author fixes the form in one go: a field's own error does not hide the rules' or the sections'."""
    client.force_login(author)

    response = client.post(NEW, post_data(body=AI_BODY, title="", human_only=None, assist_drafting="minor",
                                          ai_share_percent="150", process="short"))

    assert response.status_code == 400
    page = parse_html(response.content)
    assert field_errors(page, "title")
    assert field_errors(page, "ai_share_percent") == ["Ensure this value is less than or equal to 100."]
    assert any("at least a sentence" in e for e in field_errors(page, "process"))
    assert not Post.objects.exists()


def test_a_contradiction_and_its_sections_are_reported_together_without_javascript(client, author, post_data):
    client.force_login(author)

    response = client.post(NEW, post_data(body=AI_BODY, assist_editing="minor", ai_share_percent="150"))

    assert response.status_code == 400
    page = parse_html(response.content)
    assert field_errors(page, "ai_share_percent") == ["Ensure this value is less than or equal to 100."]
    assert any("cannot list AI assistance" in e for e in field_errors(page, "assistance"))
    assert any("1 AI-written section" in e for e in field_errors(page, "human_only"))


@pytest.mark.parametrize("body, message", [
    ('Intro.\n\n:::ai-written model="GPT-5"\n:::\n', "Line 3: this AI-written section is empty"),
    ('Intro.\n\n<section data-ai-written data-model="D">Four.</section>\n', "Line 3: in a Markdown post"),
])
def test_an_empty_section_or_the_html_form_in_markdown_is_refused_on_the_body(client, author, post_data,
                                                                              honest_ai_fields, body, message):
    client.force_login(author)

    response = client.post(NEW, post_data(body=body, **honest_ai_fields))

    assert response.status_code == 400
    page = parse_html(response.content)
    assert any(e.startswith(message) for e in field_errors(page, "body")), field_errors(page, "body")
    assert textarea_value(page, "body") == body
    assert not Post.objects.exists()


def test_the_length_limit_counts_the_characters_the_author_sees_not_the_browsers_crlf(client, author, post_data):
    client.force_login(author)
    lines = ["x" * 99] * 1000  # 99,000 letters and 999 line breaks: 99,999 characters as typed
    body = "\r\n".join(lines)  # as a browser sends it: 100,998

    response = client.post(NEW, post_data(body=body))

    assert response.status_code == 302
    assert len(Post.objects.get().submission.current_revision.body) == 99_999


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_the_form_states_the_length_limit_before_the_author_hits_it(client, author, fmt):
    """The textarea has no maxlength (a browser would cut a long paste silently), so the limit was only learnt
    from the error after submitting."""
    client.force_login(author)
    page = client.get(NEW + ("?format=html" if fmt == "html" else "")).content.decode()
    assert "At most 100,000 characters." in page
    assert re.search(r'<textarea[^>]*data-max-length="100000"', page)  # the editor script checks it


def test_an_html_post_hiding_text_in_a_comment_browsers_end_early_is_refused_and_kept_in_the_form(client, author,
                                                                                                    post_data):
    """``<!-->`` ends a comment at once in a browser: the paragraph after it was shown to readers as the author's
    while the classifiers, reading it as a comment, never scored it, and the post was published."""
    client.force_login(author)
    body = ("<p>My own short intro.</p>\n<!--><p>In today's fast-paced world, it is important to note that "
            "every journey matters.</p><!-- -->")

    response = client.post(NEW, post_data(format="html", body=body))

    assert response.status_code == 400
    page = parse_html(response.content)
    assert any(e.startswith("Line 2: browsers end this HTML comment") for e in field_errors(page, "body"))
    assert textarea_value(page, "body") == body
    assert not Post.objects.exists()


def test_an_unterminated_ai_block_is_an_error_on_the_body_with_its_line(client, author, post_data,
                                                                        honest_ai_fields):
    client.force_login(author)
    body = 'First line.\n\n:::ai-written model="GPT-5"\nNever closed.'

    response = client.post(NEW, post_data(body=body, **honest_ai_fields))

    assert response.status_code == 400
    page = parse_html(response.content)
    errors = field_errors(page, "body")
    assert errors == ["The AI-written section opened on line 3 is never closed: add a line with ':::' after its "
                      "text."]
    assert textarea_value(page, "body") == body
    assert not Post.objects.exists()


def test_a_missing_title_is_an_error_on_the_title(client, author, post_data):
    client.force_login(author)

    response = client.post(NEW, post_data(title=""))

    assert response.status_code == 400
    assert field_errors(parse_html(response.content), "title") == ["This field is required."]


def test_a_title_or_body_of_invisible_characters_only_is_refused_as_a_blank_one_is(client, author, post_data):
    """Django's form strips spaces but not zero-width ones: the service refuses them, for the API and the form."""
    client.force_login(author)

    response = client.post(NEW, post_data(title="\u200b\u200b", body="\u200b\u200d\ufeff"))

    assert response.status_code == 400
    page = parse_html(response.content)
    assert field_errors(page, "title") == ["Give the post a title."]
    assert field_errors(page, "body") == ["The post is empty."]
    assert not Post.objects.exists()


# --- Editing ----------------------------------------------------------------------------------------

def test_the_edit_page_shows_the_stored_post_and_asks_to_confirm_the_disclosure(client, author, make_post):
    post = make_post(body="Original body, by hand.")
    client.force_login(author)

    page = parse_html(client.get(edit_url(post)).content)

    assert textarea_value(page, "body") == "Original body, by hand."
    assert "checked" in page.find("input", name="human_only").attrs
    assert page.find("input", name="confirm") is not None


def test_an_edit_without_confirming_the_disclosure_is_refused(client, author, make_post, post_data):
    post = make_post(title="A post about tide pools", body="Original body, by hand.")
    client.force_login(author)

    response = client.post(edit_url(post), post_data(body="Edited body, still by hand."))

    assert response.status_code == 400
    page = parse_html(response.content)
    assert field_errors(page, "confirm") == [
        "You edited the post: confirm the disclosure still holds, or change it."]
    assert textarea_value(page, "body") == "Edited body, still by hand."
    assert post.submission.revisions.count() == 1


def test_an_edit_that_changes_the_disclosure_needs_no_confirmation(client, author, make_post, post_data):
    """"Confirm the disclosure still holds, or change it": an edit whose author changed the disclosure was
    refused all the same, asking them to confirm the one they had just replaced."""
    post = make_post(title="A post about tide pools", body="Original body, by hand.")
    client.force_login(author)

    response = client.post(edit_url(post), post_data(
        body="Edited body; a model tidied my grammar.", human_only=None, assist_editing="minor",
        tools="Claude Opus 4.5", ai_share_percent="5",
        process="I asked the model to fix the grammar of my draft and kept its corrections."))

    assert response.status_code == 302, response.content.decode()[:2000]
    current = post.submission.revisions.order_by("-number").first()
    assert current.number == 2 and [(a["kind"], a["extent"]) for a in current.disclosure["assistance"]] == [
        ("editing", "minor")]


def test_a_refused_submit_says_so_at_the_top_of_the_form(client, author, make_post, post_data):
    """The field errors can sit a screen below (the confirm box is last): without a note at the top the page
    just reloads, scrolled up, as if nothing happened."""
    post = make_post(title="A post about tide pools", body="Original body, by hand.")
    client.force_login(author)

    refused = parse_html(client.post(edit_url(post), post_data(body="Edited body, still by hand.")).content)
    form = refused.find("form", data_post_form=True)
    assert form.find(class_="form-summary").attrs.get("role") == "alert"
    assert "not saved yet" in form.find(class_="form-summary").text()
    assert parse_html(client.get(edit_url(post)).content).find(class_="form-summary") is None


def test_the_summary_of_a_refused_submit_links_each_field_to_fix(client, author, make_post, post_data):
    """The summary took the focus but named nothing: the one field to fix (the confirm box) was 22 Tabs away."""
    post = make_post(title="A post about tide pools", body="Original body, by hand.")
    client.force_login(author)

    page = parse_html(client.post(edit_url(post), post_data(body="Edited body, still by hand.", title="")).content)
    form = page.find("form", data_post_form=True)
    links = form.find(class_="form-summary").find_all("a")
    targets = [a.attrs["href"].removeprefix("#") for a in links]
    assert {"id_title", "id_confirm"} <= set(targets), [a.text() for a in links]
    for target in targets:
        assert page.find(id=target) is not None, target


def test_the_summary_of_a_refused_submit_names_the_kinds_of_help_too(client, author, post_data):
    """An error about the kinds of help as a whole ("choose at least one kind") sits on the group, not on a
    field: the summary a screen reader hears first listed only the field errors, so an author who followed
    its links fixed those, published again and was refused again for the one it left out."""
    client.force_login(author)

    page = parse_html(client.post(NEW, post_data(
        human_only=None, process="I asked a model to tidy my grammar and kept most of its edits.")).content)

    assert any("choose at least one kind" in e for e in field_errors(page, "assistance"))
    links = page.find("form", data_post_form=True).find(class_="form-summary").find_all("a")
    kinds = [a for a in links if "choose at least one kind" in a.text()]
    assert len(kinds) == 1, [a.text() for a in links]
    assert kinds[0].text().startswith("What did AI help with, and how much?")
    # the link leads to the group's first choice, inside the group that carries the error
    target = page.find(id=kinds[0].attrs["href"].removeprefix("#"))
    assert target is not None and target.attrs["name"] == "assist_drafting"


def test_a_confirmed_edit_creates_revision_two(client, author, make_post, post_data, honest_ai_fields):
    post = make_post(title="A post about tide pools", body="Original body, by hand.")
    client.force_login(author)

    response = client.post(edit_url(post), post_data(body=AI_BODY, confirm="on", **honest_ai_fields))

    assert response.status_code == 302
    post.submission.refresh_from_db()
    assert [r.number for r in post.submission.revisions.order_by("number")] == [1, 2]
    current = post.submission.current_revision
    assert current.number == 2 and current.body == AI_BODY
    assert current.disclosure["assistance"][0]["kind"] == "drafting"
    assert post.submission.revisions.get(number=1).body == "Original body, by hand."


def test_an_unchanged_edit_makes_no_revision(client, author, make_post, post_data):
    post = make_post(title="A post about tide pools", body="Original body, by hand.")
    client.force_login(author)

    response = client.post(edit_url(post), post_data(body="Original body, by hand.", confirm="on"), follow=True)

    assert response.status_code == 200
    assert post.submission.revisions.count() == 1
    assert "Nothing changed, so no new revision was made." in response.content.decode()


def test_moving_a_post_to_another_category_is_a_new_revision_the_policy_sees(client, author, make_post, post_data):
    """Only the category changes: the submission must follow, or a post written in an ordinary category and then
    moved into a public-interest one would skip the holds that category has."""
    from forum.models import Category

    post = make_post(title="A post about tide pools", body="Original body, by hand.")
    news = Category.objects.create(slug="news", name="News", public_interest=True)
    client.force_login(author)

    response = client.post(edit_url(post), post_data(title="A post about tide pools", body="Original body, by hand.",
                                                     category=str(news.pk), confirm="on"), follow=True)

    assert response.status_code == 200
    post.refresh_from_db()
    post.submission.refresh_from_db()
    assert post.category == news
    assert post.submission.category == "news"
    assert [r.number for r in post.submission.revisions.order_by("number")] == [1, 2]
    assert "Nothing changed" not in response.content.decode()


def test_only_the_author_can_edit(client, make_user, make_post, post_data):
    post = make_post()
    client.force_login(make_user("someone_else"))

    assert client.get(edit_url(post)).status_code == 404
    assert client.post(edit_url(post), post_data(confirm="on", body="Hijacked.")).status_code == 404
    assert post.submission.current_revision.body != "Hijacked."


@pytest.mark.parametrize("method", ["get", "post"])
def test_writing_and_editing_require_login(client, make_post, method):
    post = make_post()

    for url in (NEW, edit_url(post)):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"/accounts/login/?next={url}")


# --- Who sees what ----------------------------------------------------------------------------------

def pending_post(author, category):
    """A post whose evaluation has not run yet: its after-commit work is never executed in this test."""
    from forum.services import post_create

    return post_create(author=author, category=category, title="A post", body="By hand.",
                       disclosure_data={"human_only": True})


def test_a_reader_cannot_see_another_authors_pending_post(client, make_user, author, category):
    post = pending_post(author, category)
    assert post.submission.status == "pending" and not post.submission.visible
    client.force_login(make_user("reader"))

    assert client.get(reverse("forum:post_detail", args=[post.public_id])).status_code == 404
    assert "A post" not in client.get("/").content.decode()


def test_the_author_sees_their_pending_post_as_being_checked(client, author, category):
    post = pending_post(author, category)
    client.force_login(author)

    response = client.get(reverse("forum:post_detail", args=[post.public_id]))

    assert response.status_code == 200
    assert "Your post is being checked" in response.content.decode()


def test_a_reader_sees_a_post_once_it_is_evaluated(client, make_user, make_post, settings):
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": []}
    post = make_post()  # runs the after-commit evaluation, synchronous with no classifiers
    post.submission.refresh_from_db()
    assert post.submission.visible
    client.force_login(make_user("reader"))

    response = client.get(reverse("forum:post_detail", args=[post.public_id]))

    assert response.status_code == 200
    assert parse_html(response.content).find("h1", class_="post__title").text() == "A post"


# --- The preview endpoint ----------------------------------------------------------------------------

PREVIEW = "/disclosure/preview/"


def test_the_preview_renders_the_body_as_readers_will_see_it(client, author):
    client.force_login(author)

    response = client.post(PREVIEW, {"body": AI_BODY, "format": "markdown"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["X-AI-Blocks"] == "1"
    page = parse_html(response.content)
    section = page.find("section", class_="ai-block")
    assert section.find("summary").text() == "AI-written · Claude Opus 4.5"


def test_the_preview_answers_400_with_the_block_error_and_its_line(client, author):
    client.force_login(author)

    response = client.post(PREVIEW, {"body": "ok\n:::\n", "format": "markdown"})

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "body" and error["line"] == 2 and "closes nothing" in error["message"]


def test_the_preview_refuses_an_unknown_format(client, author):
    client.force_login(author)

    response = client.post(PREVIEW, {"body": "x", "format": "rtf"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "format"


def test_the_preview_requires_login_and_post(client, author):
    assert client.post(PREVIEW, {"body": "x"}).status_code == 302
    client.force_login(author)
    assert client.get(PREVIEW).status_code == 405


def test_the_preview_requires_the_csrf_token(author):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(author)

    assert strict.post(PREVIEW, {"body": "x", "format": "markdown"}).status_code == 403


def test_an_html_post_with_an_ai_section(client, author, post_data, honest_ai_fields):
    client.force_login(author)
    page = parse_html(client.get(NEW + "?format=html").content)
    assert page.find("input", name="format").attrs["value"] == "html"
    body = '<p>Mine.</p><section data-ai-written data-model="Claude Opus 4.5"><p>Theirs.</p></section>'

    response = client.post(NEW, post_data(format="html", body=body, **honest_ai_fields))

    assert response.status_code == 302
    revision = Post.objects.get().submission.current_revision
    assert (revision.format, revision.body) == ("html", body)


def test_crlf_from_browsers_is_stored_as_lf(client, author, post_data):
    client.force_login(author)

    client.post(NEW, post_data(body="Line one.\r\nLine two."))

    assert Post.objects.get().submission.current_revision.body == "Line one.\nLine two."


def test_a_tampered_format_is_refused_with_a_visible_message(client, author, post_data):
    client.force_login(author)

    response = client.post(NEW, post_data(format="rtf"))

    assert response.status_code == 400
    assert field_errors(parse_html(response.content), "format") == [
        "Select a valid choice. rtf is not one of the available choices."]


def test_null_characters_are_refused_not_stored(client, author, post_data):
    client.force_login(author)

    response = client.post(NEW, post_data(body="Hi\x00there"))

    assert response.status_code == 400
    assert field_errors(parse_html(response.content), "body") == ["Null characters are not allowed."]


def test_an_edit_keeps_what_the_author_said_about_each_kind_of_help(client, author, make_post, post_data):
    """Specifics per kind of help ("details") are shown on the edit page and kept by a confirmed edit:
    the form used to drop them silently."""
    disclosure = {"human_only": False, "ai_share_percent": 30,
                  "assistance": [{"kind": "drafting", "extent": "substantial", "details": "the summary paragraph"},
                                 {"kind": "translation", "extent": "minor"}],
                  "tools": ["Claude Opus 4.5"],
                  "process": "The model drafted the marked section from my outline; I wrote the rest myself."}
    post = make_post(title="A post about tide pools", body=AI_BODY, disclosure=disclosure)
    client.force_login(author)

    page = parse_html(client.get(edit_url(post)).content)
    assert textarea_value(page, "assist_drafting_details") == "the summary paragraph"

    fields = {"human_only": None, "assist_drafting": "substantial", "assist_translation": "minor",
              "assist_drafting_details": "the summary paragraph",
              "assist_translation_details": "  two German quotes ", "tools": "Claude Opus 4.5",
              "ai_share_percent": "30", "process": disclosure["process"], "confirm": "on"}
    response = client.post(edit_url(post), post_data(body=AI_BODY + "\n\nOne more line.", **fields))

    assert response.status_code == 302
    assistance = post.submission.revisions.get(number=2).disclosure["assistance"]
    assert {a["kind"]: a.get("details") for a in assistance} == {"drafting": "the summary paragraph",
                                                                 "translation": "two German quotes"}


def test_details_for_a_kind_of_help_not_chosen_are_refused_next_to_them(client, author, post_data, honest_ai_fields):
    client.force_login(author)

    response = client.post(NEW, post_data(body=AI_BODY, assist_research_details="found the sources",
                                          **honest_ai_fields))

    assert response.status_code == 400
    page = parse_html(response.content)
    assert field_errors(page, "assist_research_details") == [
        "Choose how much AI helped with research, or clear this."]
    assert textarea_value(page, "assist_research_details") == "found the sources"
    assert not Post.objects.exists()


@pytest.mark.parametrize("field, value", [
    ("process", "The model wrote a part of this post which I then checked carefully."),
    ("verification", "I checked every figure against the source."),
    ("reviewed", "on"),
    ("responsible", "Desk editor"),
])
def test_ai_details_left_beside_entirely_human_written_are_reported_not_dropped(client, author, post_data, field,
                                                                                 value):
    """Without JavaScript the details stay visible: what was typed there was silently thrown away and the post
    published as human-written."""
    client.force_login(author)

    response = client.post(NEW, post_data(**{field: value}))

    assert response.status_code == 400
    errors = field_errors(parse_html(response.content), field)
    assert errors and "entirely human-written" in errors[0]
    assert not Post.objects.exists()


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_every_description_a_field_points_to_is_on_the_page(client, author, fmt):
    """Django points each field with help text at ``<id>_helptext``; the help was a ``<small>`` without that id,
    so a screen reader never read the body's syntax hint or "Required when AI helped with research…"."""
    client.force_login(author)
    page = client.get(NEW + ("?format=html" if fmt == "html" else "")).content.decode()

    described = {i for ids in re.findall(r'aria-describedby="([^"]+)"', page) for i in ids.split()}
    assert described and "id_body_helptext" in described
    assert {i for i in described if f'id="{i}"' not in page} == set()
