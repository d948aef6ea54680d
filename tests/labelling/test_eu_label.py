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
    assert 'aria-label="AI-modified"' in html
    assert html.index("data-eu-label") < html.index('class="post__body"')
    assert "This text was modified with AI (translation)." in html


def test_operator_icons_replace_the_text_marks(client, make_post, settings):
    settings.DISCLOSURE = {**settings.DISCLOSURE, "EU_ICON_URLS": {"ai_generated": "/static/eu/ai-generated.svg"}}
    post = make_post(disclosure={"human_only": False, "assistance": [{"kind": "drafting", "extent": "most"}],
                                 "ai_share_percent": 90, "process": PROCESS})
    html = page_for(client, post)
    assert '<img class="eu-label__icon" src="/static/eu/ai-generated.svg" alt="AI-generated"' in html


def test_reviewed_post_names_who_holds_editorial_responsibility(client, make_post):
    post = make_post(disclosure={"human_only": False, "assistance": [{"kind": "drafting", "extent": "most"}],
                                 "ai_share_percent": 90, "process": PROCESS,
                                 "human_review": {"reviewed": True, "responsible": "The news desk"}})
    html = page_for(client, post)
    assert "editorial responsibility: The news desk" in html
    assert 'aria-label="AI-generated"' in html  # shown by default even when exempt


def test_json_ld_digital_source_type_follows_the_grade(client, make_post):
    minor = make_post(title="minor", disclosure={"human_only": False, "assistance": [
        {"kind": "editing", "extent": "minor"}], "process": PROCESS})
    assert "digitalsourcetype/algorithmicallyEnhanced" in page_for(client, minor)
