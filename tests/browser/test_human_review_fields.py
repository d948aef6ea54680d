"""EU AI Act Art. 50(4): the human-review fields appear only when the post will need an AI label."""
import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_review_fields_appear_only_when_the_grade_requires_a_label(page, live_server, login, author, category):
    login(page, "author")
    page.goto(f"{live_server.url}/posts/new/")
    review = page.locator("[data-human-review]")
    assert not review.is_visible()
    page.select_option("[name=assist_research]", "substantial")
    assert not review.is_visible()  # research alone: ai_supported, no label required
    page.select_option("[name=assist_drafting]", "minor")
    assert review.is_visible()      # drafting: ai_assisted, label required
    page.check("[data-human-only]")
    assert not review.is_visible()
