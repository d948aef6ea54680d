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
