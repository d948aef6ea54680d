"""Art. 50(5): the EU label is shown at first exposure — above the post text — and its panel opens."""
import pytest

PROCESS = "The model drafted most of this text from my notes; I edited it lightly."


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_label_sits_above_the_post_text_and_the_panel_opens(page, live_server, make_post, settings):
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": []}
    post = make_post(title="Mostly generated", body="Body text written mostly by a model, lightly edited.",
                     disclosure={"human_only": False, "assistance": [{"kind": "drafting", "extent": "most"}],
                                 "ai_share_percent": 80, "process": PROCESS})
    page.goto(f"{live_server.url}/posts/{post.public_id}/")
    label = page.locator("[data-eu-label]")
    body = page.locator(".post__body")
    assert label.get_attribute("data-eu-variant") == "ai_generated"
    assert page.locator(".eu-mark").inner_text() == "AI-generated"
    label_box, body_box = label.bounding_box(), body.bounding_box()
    assert label_box["y"] + label_box["height"] <= body_box["y"]
    panel = page.locator("[data-disclosure-panel]")
    assert not panel.evaluate("el => el.open")
    panel.locator("summary").click()
    assert panel.evaluate("el => el.open")
    assert PROCESS in panel.inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_screen_reader_hears_the_panel_and_each_ai_section_by_name(page, live_server, make_post, settings):
    """Both are <details>, which the accessibility tree shows as a group: the groups were unnamed."""
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": []}
    post = make_post(title="With a section", body="My own opening.\n\n::: ai-written model=\"Claude\"\n"
                                                  "A paragraph the model wrote for me.\n:::\n",
                     disclosure={"human_only": False, "assistance": [{"kind": "drafting", "extent": "substantial"}],
                                 "ai_share_percent": 30, "process": PROCESS})
    page.goto(f"{live_server.url}/posts/{post.public_id}/")

    assert page.get_by_role("group", name="How AI was used", exact=True).count() == 1
    section = page.get_by_role("group", name="AI-written · Claude", exact=True)
    assert section.count() == 1
    section.locator("summary").click()
    assert "A paragraph the model wrote for me." in section.inner_text()
