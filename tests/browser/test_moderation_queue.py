"""A moderator triages the queue in a real browser (headless Debian Chromium): filters it, opens an item
from the keyboard, sees the highlighted passage, claims it, rejects it with a template reason; the author
then reads the reason on the post page and in the notifications, and once they rewrite the post, the page
no longer shows the reason about the old revision. No CSP violation on the way."""
from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from forum.models import Category
from moderation.models import RejectionTemplate, SiteThreshold
from moderation.services.evaluation import revision_evaluate
from tests.moderation.conftest import AI_TEXT, HUMAN_TEXT, KEYWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEMPLATE_MESSAGE = "Parts of this post read as AI-written but are not declared. Please put AI text in a section."


@pytest.fixture
def queue(settings, make_user, make_post):
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": [KEYWORD]}
    make_user("moderator", standing="trusted", is_staff=True, moderator=True)
    research = Category.objects.create(slug="research", name="Research", requires_disclosure=True)
    RejectionTemplate.objects.create(code="undisclosed-ai", title="Undisclosed AI text", message=TEMPLATE_MESSAGE)
    suspicious = make_post(title="Ten habits of productive people", body=f"{HUMAN_TEXT}\n\n{AI_TEXT}")
    mostly_ai = make_post(title="A model's essay on broadband", cat=research, body=(
        ':::ai-written model="Llama"\nMunicipal broadband projects have a mixed record.\n:::\n\nMy two cents.'),
        disclosure={"human_only": False, "assistance": [{"kind": "drafting", "extent": "most"}],
                    "ai_share_percent": 80, "process": "The model wrote the essay from my notes; I edited it."})
    for post in (suspicious, mostly_ai):
        post.submission.refresh_from_db()
        revision_evaluate(revision_id=post.submission.current_revision_id)
    return {"suspicious": suspicious, "mostly_ai": mostly_ai}


def test_a_moderator_rejects_with_a_template_and_the_author_sees_why(browser, page, live_server, login, queue,
                                                                      artifacts):
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    login(page, "moderator")
    page.goto(f"{live_server.url}/")
    page.click("text=Review queue")
    expect(page.locator(".mod-queue__row")).to_have_count(2)

    # Filter by reason.
    page.locator(".mod-filters select[name=reason]").select_option(label="Undisclosed AI suspected")  # by its name, not its code
    page.click(".mod-filters button[type=submit]")
    page.wait_for_url("**/moderation/?*reason=undisclosed_ai_suspected*")
    page.wait_for_load_state()
    rows = page.locator(".mod-queue__row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ten habits of productive people")
    # what the filter found is said in words, and a screen reader hears it first: it takes the focus
    expect(page.locator("#queue-results")).to_be_focused()
    expect(page.locator("#queue-results")).to_have_text("1 item on this page · sorted: Priority")
    page.screenshot(path=str(artifacts / "moderation-queue.png"), full_page=True)

    # j selects the first row, Enter opens it.
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url("**/moderation/items/**")
    page.wait_for_load_state()
    highlighted = page.locator("mark.ps-flagged[data-start]")
    expect(highlighted).to_have_count(1)
    expect(highlighted).to_have_text(AI_TEXT)
    assert HUMAN_TEXT not in highlighted.inner_text()

    # c claims it.
    page.keyboard.press("c")
    page.wait_for_selector(".mod-item[data-status=claimed]")
    page.wait_for_load_state()

    # Pick the reason, write a note, press r.
    page.select_option("#decision-form select[name=template]", "undisclosed-ai")
    page.fill("#decision-form textarea[name=message]", "The second paragraph is the problem.")
    page.click("h1")  # leave the form so the shortcut is not typed into it
    page.keyboard.press("r")
    expect(page.locator(".messages")).to_contain_text("Rejected")
    page.screenshot(path=str(artifacts / "moderation-item-rejected.png"), full_page=True)

    # The audit log shows the decision.
    page.goto(f"{live_server.url}/moderation/audit/?verb=reject")
    assert "Claimed → Decided" in page.inner_text(".mod-audit tbody")

    # The stats page draws its charts as images, without scripts, and lists the forum's own thresholds, one
    # per post length when it calibrated by length.
    SiteThreshold.objects.create(
        classifier="keyword", version="an-older-version", threshold=0.93, shipped_threshold=0.8, false_flag_rate=0.01,
        posts_before=timezone.now(), posts_scored=400, posts_flagged=4, posts_flagged_shipped=30,
        by_length=[{"band": "1", "posts": 300, "threshold": 0.91, "own": True, "flagged": 3, "flagged_shipped": 20},
                   {"band": "2-3", "posts": 100, "threshold": 0.97, "own": True, "flagged": 1, "flagged_shipped": 10},
                   {"band": "4-7", "posts": 0, "threshold": 0.97, "own": False, "flagged": 0, "flagged_shipped": 0}])
    page.goto(f"{live_server.url}/moderation/stats/")
    charts = page.locator(".mod-chart img")
    expect(charts).to_have_count(3)
    assert all(charts.nth(i).evaluate("img => img.complete && img.naturalWidth > 0") for i in range(3))
    bands = page.locator('#site-thresholds tr.by-length[data-classifier="keyword"] [data-band]')
    expect(bands).to_have_text(["1: 0.9100, 3/300 / 20", "2-3: 0.9700, 1/100 / 10",
                                "4-7: 0.9700 (too few posts for a threshold of their own), 0/0 / 0"])
    page.screenshot(path=str(artifacts / "moderation-stats.png"), full_page=True)

    # The author reads the reason on the post page and in the notifications.
    author_context = browser.new_context()
    author_page = author_context.new_page()
    author_page.set_default_timeout(10_000)
    try:
        login(author_page, "author")
        author_page.goto(f"{live_server.url}/posts/{queue['suspicious'].public_id}/")
        banner = author_page.inner_text(".status-banner")
        assert "Rejected" in banner and TEMPLATE_MESSAGE in banner
        assert "The second paragraph is the problem." in banner
        author_page.goto(f"{live_server.url}/notifications/")
        notification = author_page.locator(".notification[data-verb='review.reject']")
        expect(notification).to_have_count(1)
        expect(notification).to_contain_text(TEMPLATE_MESSAGE)

        # The author rewrites the post: the page now speaks of revision 2, and the message about revision 1 is
        # gone from it (it stays in the notifications).
        author_page.goto(f"{live_server.url}/posts/{queue['suspicious'].public_id}/edit/")
        author_page.fill("textarea[name=body]", HUMAN_TEXT)
        author_page.check("input[name=confirm]")
        author_page.click("button[type=submit].primary")
        expect(author_page.locator(".post__meta")).to_contain_text("revision 2")
        banner = author_page.inner_text(".status-banner")
        assert "Rejected" not in banner and TEMPLATE_MESSAGE not in banner
        assert "The second paragraph is the problem." not in author_page.content()
        assert author_page.locator(".statement-of-reasons").count() == 0
    finally:
        author_context.close()
    assert csp_errors == []


def test_triage_from_the_list_with_the_keyboard_and_see_a_conflict(browser, page, live_server, login, queue,
                                                                  make_user):
    from moderation.models import ReviewItem
    from moderation.services.review import Actor, review_item_claim

    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    login(page, "moderator")
    page.goto(f"{live_server.url}/moderation/?sort=priority")
    rows = page.locator(".mod-queue__row")
    expect(rows).to_have_count(2)
    first_title = rows.nth(0).locator(".mod-queue__title").inner_text()

    # Meanwhile another moderator claims the second item: this page still holds its old version.
    second_id = rows.nth(1).get_attribute("data-item")
    other = make_user("second_mod", standing="trusted", is_staff=True, moderator=True)
    review_item_claim(item_id=ReviewItem.objects.get(public_id=second_id).pk, actor=Actor.for_user(other))

    expect(page.locator("#mod-counts")).to_contain_text("Open 2 · Claimed 0")  # drawn before the claim
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(rows.nth(0).locator(".mod-queue__status")).to_have_text("Decided: Approve")
    expect(page.locator("#mod-live")).to_contain_text(first_title)
    # the counts follow the decision (found by review: they stayed as they were until a reload)
    expect(page.locator("#mod-counts")).to_contain_text("Open 0 · Claimed 1")

    page.keyboard.press("a")  # the selection moved to the second row
    expect(page.locator("#mod-live.mod-live--error")).to_contain_text("changed this item")
    assert ReviewItem.objects.get(public_id=second_id).status == "claimed"
    assert ReviewItem.objects.filter(status="decided").count() == 1
    # htmx swapped rows in place: the page was never reloaded, and nothing broke the CSP.
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert page.evaluate("window.htmx && htmx.version") == "2.0.11"
    assert csp_errors == []


def test_after_a_refused_row_action_the_next_one_moves_on(page, live_server, login, queue, make_post, make_user):
    """Found by review: after one refusal, the next approval left the focus on the row it had just decided,
    where a and s then did nothing (a swapped element keeps the replaced one's classes until htmx settles, so
    the success read as another refusal)."""
    from moderation.models import ReviewItem
    from moderation.services.review import Actor, review_item_claim

    third = make_post(title="A third suspicious post", body=queue["suspicious"].submission.current_revision.body)
    third.submission.refresh_from_db()
    revision_evaluate(revision_id=third.submission.current_revision_id)
    login(page, "moderator")
    page.goto(f"{live_server.url}/moderation/?sort=priority")
    rows = page.locator(".mod-queue__row")
    expect(rows).to_have_count(3)
    other = make_user("second_mod", standing="trusted", is_staff=True, moderator=True)
    review_item_claim(item_id=ReviewItem.objects.get(public_id=rows.nth(0).get_attribute("data-item")).pk,
                      actor=Actor.for_user(other))

    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator("#mod-live.mod-live--error")).to_contain_text("changed this item")
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(rows.nth(1).locator(".mod-queue__status")).to_have_text("Decided: Approve")
    expect(rows.nth(2)).to_have_attribute("aria-current", "true")  # the selection moved on
    page.keyboard.press("a")
    expect(rows.nth(2).locator(".mod-queue__status")).to_have_text("Decided: Approve")
    assert ReviewItem.objects.filter(status="decided").count() == 2


def test_ticked_rows_stay_ticked_after_a_refused_bulk_reject_and_a_claim(browser, page, live_server, login, queue):
    from moderation.models import ReviewItem

    login(page, "moderator")
    page.goto(f"{live_server.url}/moderation/?sort=priority")
    rows = page.locator(".mod-queue__row")
    expect(rows).to_have_count(2)
    boxes = page.locator(".mod-queue__row input[name=items]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Reject selected").click()
    expect(page.locator("#mod-live.mod-live--error")).to_have_text("Pick a reason to reject the selected items.")
    expect(boxes.nth(0)).to_be_checked()
    expect(boxes.nth(1)).to_be_checked()
    assert page.evaluate("document.activeElement.name") == "template"
    # the error is the reason field's, said when it has the focus (it was only a line above the table)
    reason = page.get_by_role("combobox", name="Reason for rejecting")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description("Pick a reason to reject the selected items.")
    expect(page.get_by_role("textbox", name="Note to the authors (optional)")).to_have_count(1)
    assert not ReviewItem.objects.filter(status="decided").exists()

    # c claims the selected row: htmx draws it again, still ticked (now with the item's new version)
    first_id = rows.nth(0).get_attribute("data-item")
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("c")
    expect(rows.nth(0).locator(".mod-queue__status")).to_contain_text("Claimed")
    version = ReviewItem.objects.get(public_id=first_id).version
    expect(page.locator(f".mod-queue__row[data-item='{first_id}'] input[name=items]")).to_have_value(
        f"{first_id}:{version}")
    expect(page.locator(f".mod-queue__row[data-item='{first_id}'] input[name=items]")).to_be_checked()
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_row_actions_work_without_javascript(browser, live_server, queue):
    from moderation.models import ReviewItem

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "moderator")
        page.fill("input[name=password]", "demo")
        page.click("button[type=submit]")
        page.goto(f"{live_server.url}/moderation/?sort=priority")
        rows = page.locator(".mod-queue__row")
        expect(rows).to_have_count(2)
        item_id = rows.nth(0).get_attribute("data-item")
        rows.nth(0).locator("button[data-key=c]").click()  # a plain form submit, then back to the queue
        page.wait_for_load_state()
        expect(page.locator(".messages")).to_contain_text("You claimed this item.")
        assert ReviewItem.objects.get(public_id=item_id).status == "claimed"
        page.locator(f".mod-queue__row[data-item='{item_id}'] button[data-key=a]").click()
        page.wait_for_load_state()
        expect(page.locator(".messages")).to_contain_text("Approved.")
        assert ReviewItem.objects.get(public_id=item_id).decision_action == "approve"
        assert "/moderation/" in page.url
    finally:
        context.close()


def test_enter_on_a_link_or_button_does_what_it_says_after_a_row_was_selected(page, live_server, login, queue):
    """After j (or a click on a row), Enter on any link or button opened the selected item instead: the audit
    log link, another row's Claim button, the filter button, a bulk approval."""
    login(page, "moderator")
    page.goto(f"{live_server.url}/moderation/?sort=priority")
    rows = page.locator(".mod-queue__row")
    expect(rows).to_have_count(2)
    page.keyboard.press("j")

    # another row's Claim, from the keyboard: claims that row, opens nothing, and focus stays on the row
    rows.nth(1).locator("button[data-key=c]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#mod-live")).to_contain_text("You claimed this item.")
    assert "/moderation/items/" not in page.url
    expect(rows.nth(1)).to_be_focused()
    # a letter on a link decides nothing
    page.focus(".mod-nav a[href$='/moderation/audit/']")
    page.keyboard.press("a")
    expect(rows.nth(0).locator(".mod-queue__status")).not_to_contain_text("Approve")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/moderation/audit/")


def test_a_moderator_can_switch_the_letter_shortcuts_off_and_it_is_remembered(page, live_server, login, queue):
    """WCAG 2.1.4: single-letter shortcuts must be possible to switch off (a speech-input user saying a word
    would otherwise approve items). There was no way to."""
    login(page, "moderator")
    page.goto(f"{live_server.url}/moderation/?sort=priority")
    rows = page.locator(".mod-queue__row")
    toggle = page.get_by_label("Keyboard shortcuts")
    expect(toggle).to_be_checked()

    toggle.uncheck()
    expect(page.locator("[data-shortcuts-help]")).to_be_hidden()
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator(".mod-queue__row--selected")).to_have_count(0)
    expect(rows).to_have_count(2)

    page.reload()
    expect(page.get_by_label("Keyboard shortcuts")).not_to_be_checked()
    page.keyboard.press("j")
    expect(page.locator(".mod-queue__row--selected")).to_have_count(0)

    page.get_by_label("Keyboard shortcuts").check()
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("j")
    expect(page.locator(".mod-queue__row--selected")).to_have_count(1)


def test_a_rejection_without_a_reason_puts_the_focus_on_the_reason_with_its_error(page, live_server, login, queue):
    """The refusal was a message at the top of the page, tied to no field, and the focus went nowhere. And r
    in the list, which opens the item "at the reason field", left the focus on the page: the browser's own
    move to #decision-form on load took it back."""
    login(page, "moderator")
    page.goto(f"{live_server.url}/moderation/?sort=priority")
    page.keyboard.press("j")
    page.keyboard.press("r")
    page.wait_for_url("**/moderation/items/**#decision-form")
    expect(page.locator("#decision-form select[name=template]")).to_be_focused()
    expect(page.locator("#decision-error")).to_have_count(0)

    page.get_by_role("button", name="Reject (r)").click()
    page.wait_for_url("**#decision-form")
    reason = page.locator("#decision-form select[name=template]")
    expect(reason).to_be_focused()
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#decision-error")).to_contain_text("Give a reason")


def assert_no_page_scrolls_sideways(phone, live_server, login, queue):
    """The queue, an item, the audit log and the stats, as a moderator: none wider than the screen."""
    login(phone, "moderator")
    item = queue["suspicious"].submission.review_items.get()
    for path in ("/moderation/", f"/moderation/items/{item.public_id}/", "/moderation/audit/", "/moderation/stats/"):
        phone.goto(f"{live_server.url}{path}")
        widths = phone.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], (path, widths)


def test_the_moderation_pages_fit_a_phone_screen(browser, live_server, login, queue):
    """At 390 px the item page scrolled sideways to 665 px (its disclosure panel cut off on the right), and the
    queue, the audit log and the stats to 738, 594 and 495: a wide table now scrolls in a box of its own."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    assert_no_page_scrolls_sideways(context.new_page(), live_server, login, queue)
    context.close()


def test_the_queue_reflows_at_320_css_pixels_as_a_desktop_at_400_percent_zoom(browser, live_server, login, queue):
    """WCAG 1.4.10 (reflow): at 320 CSS pixels (a 1280-pixel screen zoomed to 400 %, or a small phone) the page
    must not scroll sideways; a wide table may scroll in its own box. The queue's Reason filter, as wide as
    its longest reason, pushed the whole page 17 pixels to the side."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    phone = context.new_page()
    assert_no_page_scrolls_sideways(phone, live_server, login, queue)
    # the filter is still whole: it shrank to the screen, it was not cut off
    phone.goto(f"{live_server.url}/moderation/")
    box = phone.locator(".mod-filters select[name=reason]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    context.close()


def test_a_rows_action_buttons_are_big_enough_to_tap(browser, live_server, login, queue):
    """WCAG 2.5.8 (target size, minimum): a target is at least 24 by 24 CSS pixels, or has room around it. A row's
    Approve, Claim and Snooze are link-style buttons stacked in a narrow cell: 23 pixels tall each, touching, so
    a thumb on a phone or a tablet meant for Claim could approve the post."""
    for width in (390, 768):
        context = browser.new_context(viewport={"width": width, "height": 844}, has_touch=True)
        page = context.new_page()
        login(page, "moderator")
        page.goto(f"{live_server.url}/moderation/")
        buttons = page.locator(".mod-queue__row button[data-key]")
        assert buttons.count() >= 3
        for i in range(buttons.count()):
            box = buttons.nth(i).bounding_box()
            assert box["height"] >= 24 and box["width"] >= 24, (width, buttons.nth(i).inner_text(), box)
        context.close()


def test_after_an_action_the_focus_is_on_what_the_server_said_and_escape_never_drops_it(page, live_server, login,
                                                                                        queue):
    """An action on the item page reloads it: the focus fell to <body>, the confirmation was plain text a
    screen reader did not read, and the next control was twenty Tabs away. With the shortcuts on, Escape in a
    field also dropped the focus to <body>, where a screen reader loses its place."""
    login(page, "moderator")
    page.goto(f"{live_server.url}/moderation/?sort=priority")
    page.keyboard.press("j")
    selected = page.locator(".mod-queue__row").nth(0)
    # the row j focused says which post and its state (its accessible name was empty)
    title = selected.locator(".mod-queue__title").inner_text()
    expect(selected).to_be_focused()
    expect(selected).to_have_accessible_name(re.compile(rf"^{re.escape(title)} Open"))
    expect(selected).to_have_attribute("aria-current", "true")
    page.locator("input[name=message]").focus()  # the bulk note to the authors
    page.keyboard.press("Escape")
    expect(selected).to_be_focused()

    selected.locator(".mod-queue__title").click()
    page.get_by_role("button", name=re.compile("^Claim")).first.click()
    page.wait_for_load_state()
    messages = page.locator("ul.messages")
    expect(messages).to_be_focused()
    expect(messages).to_have_attribute("role", "status")
    expect(messages).to_contain_text("You claimed this item")
    page.locator("textarea").first.focus()
    page.keyboard.press("Escape")
    expect(page.locator("#main")).to_be_focused()
