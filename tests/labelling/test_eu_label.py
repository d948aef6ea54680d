"""The post page shows the EU mark, the disclosure sentence and the panel before the text."""
import pytest

pytestmark = pytest.mark.django_db

PROCESS = "The model translated the quoted paragraph; I wrote everything else myself."


def page_for(client, post):
    return client.get(f"/posts/{post.public_id}/").content.decode()


def test_human_only_post_shows_no_eu_mark(client, make_post):
    html = page_for(client, make_post(disclosure={"human_only": True}))
    assert 'data-eu-variant="none"' in html
    assert 'class="eu-mark' not in html
    assert "entirely human-written" in html


def test_translated_post_shows_the_ai_modified_mark_before_the_body(client, make_post):
    post = make_post(disclosure={"human_only": False, "assistance": [{"kind": "translation", "extent": "substantial"}],
                                 "process": PROCESS})
    html = page_for(client, post)
    assert 'aria-label="AI-modified — the EU AI Act mark for this post’s label, “AI-assisted: translation”"' in html
    assert html.index("data-eu-label") < html.index('class="post__body"')
    assert "This text was modified with AI (translation)." in html


def test_operator_icons_replace_the_text_marks(client, make_post, settings):
    settings.DISCLOSURE = {**settings.DISCLOSURE, "EU_ICON_URLS": {"ai_generated": "/static/eu/ai-generated.svg"}}
    post = make_post(disclosure={"human_only": False, "assistance": [{"kind": "drafting", "extent": "most"}],
                                 "ai_share_percent": 90, "process": PROCESS})
    html = page_for(client, post)
    assert '<img class="eu-label__icon" src="/static/eu/ai-generated.svg" alt="AI-generated — the EU AI Act mark for this post’s label, “Mostly AI-written: drafting”"' in html


def test_reviewed_post_names_who_holds_editorial_responsibility(client, make_post):
    post = make_post(disclosure={"human_only": False, "assistance": [{"kind": "drafting", "extent": "most"}],
                                 "ai_share_percent": 90, "process": PROCESS,
                                 "human_review": {"reviewed": True, "responsible": "The news desk"}})
    html = page_for(client, post)
    assert "editorial responsibility: The news desk" in html
    assert 'aria-label="AI-generated — the EU AI Act mark' in html  # shown by default even when exempt


def test_json_ld_digital_source_type_follows_the_grade(client, make_post):
    minor = make_post(title="minor", disclosure={"human_only": False, "assistance": [
        {"kind": "editing", "extent": "minor"}], "process": PROCESS})
    assert "digitalsourcetype/algorithmicallyEnhanced" in page_for(client, minor)


def _mark(html: str) -> dict[str, str]:
    from tests.forum.conftest import parse_html

    mark = parse_html(html).find("span", class_="eu-mark")
    badge = parse_html(html).find("span", class_="ai-label__text")
    return {"visible": mark.text().strip(), "name": mark.attrs["aria-label"], "title": mark.attrs["title"],
            "badge": " ".join(badge.text().split())}


@pytest.mark.parametrize(("assistance", "share", "badge", "mark"), [
    ([{"kind": "drafting", "extent": "substantial"}], 30, "AI-assisted: drafting", "AI-modified"),
    ([{"kind": "editing", "extent": "substantial"}], 10, "AI-assisted: editing", "AI-modified"),
    ([{"kind": "drafting", "extent": "most"}], 80, "Mostly AI-written: drafting", "AI-generated"),
])
def test_the_eu_mark_names_the_badge_it_stands_for(client, make_post, assistance, share, badge, mark):
    """The badge uses the forum's words ("AI-assisted"), the EU mark the AI Act's (Art. 50: AI-generated or
    AI-modified): the mark keeps its term and says, to screen readers and on hover, which label it marks, so
    the reader is not left with two different claims side by side."""
    post = make_post(disclosure={"human_only": False, "assistance": assistance, "ai_share_percent": share,
                                 "process": PROCESS})
    shown = _mark(page_for(client, post))
    assert shown["badge"] == badge and shown["visible"] == mark
    assert shown["name"] == shown["title"] == f"{mark} — the EU AI Act mark for this post’s label, “{badge}”"


def test_a_moderators_label_is_named_by_the_eu_mark_too(client, make_post):
    from moderation.models import Submission

    post = make_post(disclosure={"human_only": True})
    Submission.objects.filter(pk=post.submission_id).update(label_value="ai_generated", label_source="moderator",
                                                           label_locked=True)
    shown = _mark(page_for(client, post))
    assert shown["badge"] == "Mostly AI-written" and shown["visible"] == "AI-generated"
    assert shown["name"] == "AI-generated — the EU AI Act mark for this post’s label, “Mostly AI-written”"
