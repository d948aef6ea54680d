"""What a screen reader and the keyboard find on every page of the demo forum: a way past the header, named
navigation, a heading on the front page, and which notifications are new, said in words."""
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_first_tab_stop_skips_to_the_content_and_the_navigation_is_named(author):
    client = Client()
    client.force_login(author)

    page = client.get("/").content.decode()

    assert re.search(r'<body>\s*<a class="skip-link" href="#main">Skip to content</a>', page)
    assert '<main class="site-main" id="main" tabindex="-1">' in page
    assert '<nav class="site-header__nav" aria-label="Site">' in page and 'aria-label="Categories"' in page
    assert '<h1 class="visually-hidden">Posts</h1>' in page  # the front page had no heading at all


def test_an_unread_notification_says_so_in_words(author, make_post):
    from moderation.services.notify import notification_send

    post = make_post()
    notification_send(submission=post.submission, verb="review.approve")
    client = Client()
    client.force_login(author)

    assert '<span class="visually-hidden">Unread:</span>' in client.get("/notifications/").content.decode()
    client.post("/notifications/read/")
    assert "Unread:" not in client.get("/notifications/").content.decode()  # bold type alone said it


def test_a_refused_disclosure_ties_each_error_to_its_control(author, post_data):
    """The "entirely human-written" box and the group of kinds of help showed their errors, but a screen reader
    on the box heard neither that it was invalid nor why."""
    client = Client()
    client.force_login(author)

    contradiction = client.post("/posts/new/", post_data(body=':::ai-written model="M"\nTheirs.\n:::\n\nMine.'))
    nothing_declared = client.post("/posts/new/", post_data(human_only=None))

    page = contradiction.content.decode()
    assert contradiction.status_code == 400
    assert re.search(r'data-human-only[^>]*aria-invalid="true" aria-describedby="id_human_only_error"', page)
    assert 'id="id_human_only_error"' in page
    page = nothing_declared.content.decode()
    assert nothing_declared.status_code == 400
    assert re.search(r'data-field="assistance" aria-describedby="assistance-errors"', page)
    assert re.search(r'<ul class="errorlist" id="assistance-errors"><li>Say what kind of help', page)
