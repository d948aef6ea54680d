"""The passage-scores panel an author and a moderator read stays legible in the dark theme and fits a phone.

Found by hand: in the dark theme the panel kept its light background but inherited the page's light text
(unreadable), and on a 390-pixel screen its results table pushed the whole page sideways."""
from __future__ import annotations

import pytest

from moderation.services.evaluation import revision_evaluate
from tests.moderation.conftest import AI_TEXT, HUMAN_TEXT, KEYWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# WCAG 2 contrast of the computed text colour against the panel's background, in the page itself.
CONTRAST = """(el) => {
    const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const panel = el.closest('.passage-scores');
    const fg = lum(rgb(getComputedStyle(el).color)), bg = lum(rgb(getComputedStyle(panel).backgroundColor));
    return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
}"""


@pytest.fixture
def scored_post(settings, make_post):
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": [KEYWORD]}
    post = make_post(title="Ten habits of productive people", body=f"{HUMAN_TEXT}\n\n{AI_TEXT}")
    post.submission.refresh_from_db()
    revision_evaluate(revision_id=post.submission.current_revision_id)
    return post


def open_as_author(browser, live_server, login, post, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    login(page, "author")
    page.goto(f"{live_server.url}/posts/{post.public_id}/")
    page.locator(".passage-scores__results").wait_for()
    return context, page


def test_the_panel_text_is_legible_in_the_dark_theme(browser, live_server, login, scored_post):
    context, page = open_as_author(browser, live_server, login, scored_post, color_scheme="dark",
                                   viewport={"width": 1100, "height": 900})
    try:
        for selector in (".passage-scores__title", ".passage-scores__results td", ".passage-scores__body"):
            ratio = page.locator(selector).first.evaluate(CONTRAST)
            assert ratio >= 4.5, f"{selector}: contrast {ratio:.2f}"
    finally:
        context.close()


def test_the_panel_fits_a_phone_screen(browser, live_server, login, scored_post):
    context, page = open_as_author(browser, live_server, login, scored_post, viewport={"width": 390, "height": 800},
                                   is_mobile=True)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.locator(".passage-scores__results").is_visible()
    finally:
        context.close()
