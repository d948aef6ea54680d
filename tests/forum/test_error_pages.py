"""Error pages a member can meet say why, inside the site's frame (Django's bare default said only "403")."""
import re

import pytest

pytestmark = pytest.mark.django_db


def test_a_member_who_is_not_a_moderator_is_told_why_the_queue_is_closed(client, author):
    client.force_login(author)
    response = client.get("/moderation/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only moderators can see the review queue." in html
    assert 'class="site-header"' in html


def test_a_post_body_over_the_upload_limit_gets_a_413_page_that_says_nothing_was_saved(client, author, post_data,
                                                                                       settings):
    from forum.models import Post

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    client.force_login(author)
    response = client.post("/posts/new/", post_data(body="x" * 60_000))
    assert response.status_code == 413
    html = response.content.decode()
    assert "nothing was saved" in html
    assert 'class="site-header"' in html
    assert not Post.objects.exists()


def test_a_body_over_100000_characters_is_refused_with_the_text_given_back(client, author, post_data):
    client.force_login(author)
    form = client.get("/posts/new/").content.decode()
    textarea = re.search(r"<textarea[^>]*data-editor-body[^>]*>", form).group(0)
    assert "maxlength" not in textarea  # a browser would cut a long paste without a word
    body = "word " * 20_001
    response = client.post("/posts/new/", post_data(body=body))
    assert response.status_code == 400
    html = response.content.decode()
    assert "100000" in html.replace(",", "").replace("\u00a0", "")
    assert body.strip() in html


def test_the_site_has_a_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith(".svg")
