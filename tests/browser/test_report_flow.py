"""Reader reports in a real browser (headless Debian Chromium), as a new user would try them: a reader
reports a published post, a moderator sees it in the queue with the reader's accuracy, labels it AI-generated
and approves it, and the reader's report shows as upheld and their accuracy rises. Also the recorder's
JavaScript hook, called as an editor's AI tool would. No CSP violation on the way."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from moderation.models import ReaderReport, ReviewItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(make_user):
    make_user("reader")
    make_user("moderator", standing="trusted", is_staff=True, moderator=True)


def test_report_decide_and_see_the_reporters_accuracy_change(browser, page, live_server, login, people, make_post,
                                                             artifacts):
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    post = make_post(title="Ten habits of productive people", body="A smooth list that reads machine-made.")

    # The reader reports the post.
    login(page, "reader")
    page.goto(f"{live_server.url}/posts/{post.public_id}/")
    page.click("text=Report: this looks like undisclosed AI")
    page.fill("#report-note", "Every paragraph has the same rhythm.")
    page.click("button[data-action=report]")
    expect(page.locator(".messages")).to_contain_text("a moderator will look at this post")
    expect(page.locator(".report-done")).to_have_attribute("data-report-state", "pending")
    page.screenshot(path=str(artifacts / "report-sent.png"), full_page=True)

    # The moderator finds it in the queue, with the reader's report and accuracy.
    moderator_context = browser.new_context(viewport={"width": 1100, "height": 900})
    moderator_page = moderator_context.new_page()
    moderator_page.set_default_timeout(10_000)
    moderator_page.on("console", lambda msg: csp_errors.append(msg.text)
                      if "Content Security Policy" in msg.text else None)
    try:
        login(moderator_page, "moderator")
        moderator_page.goto(f"{live_server.url}/moderation/?reason=reader_report")
        rows = moderator_page.locator(".mod-queue__row")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Ten habits of productive people")
        rows.first.locator(".mod-queue__title").click()
        moderator_page.wait_for_url("**/moderation/items/**")
        report_row = moderator_page.locator(".mod-reports tr[data-report]")
        expect(report_row).to_have_count(1)
        expect(report_row).to_contain_text("Every paragraph has the same rhythm.")
        expect(report_row.locator("[data-accuracy]")).to_have_attribute("data-accuracy", "0.50")
        expect(report_row.locator("[data-outcome]")).to_have_attribute("data-outcome", "pending")

        # Decide: AI-generated, approved (the post stays up with the label).
        moderator_page.select_option("#decision-form select[name=label]", "ai_generated")
        moderator_page.click("button[data-action=approve-with-label]")
        expect(moderator_page.locator(".messages")).to_contain_text("Approved")
        report_row = moderator_page.locator(".mod-reports tr[data-report]")
        expect(report_row.locator("[data-outcome]")).to_have_attribute("data-outcome", "upheld")
        expect(report_row.locator("[data-accuracy]")).to_have_attribute("data-accuracy", "0.67")
        expect(report_row).to_contain_text("1 of 1 upheld")
        moderator_page.screenshot(path=str(artifacts / "report-decided.png"), full_page=True)

        moderator_page.goto(f"{live_server.url}/moderation/stats/")
        expect(moderator_page.locator("[data-reports-weekly] [data-share-upheld]")).to_have_text("1.00")
    finally:
        moderator_context.close()

    # The reader sees their report upheld, and the post labelled.
    page.goto(f"{live_server.url}/posts/{post.public_id}/")
    expect(page.locator(".report-done")).to_have_attribute("data-report-state", "upheld")
    expect(page.locator(".ai-label")).to_have_attribute("data-label", "ai_generated")
    assert ReaderReport.objects.get().outcome == "upheld"
    assert csp_errors == []


def test_an_editor_tool_records_through_the_hook_and_the_post_links_the_draft(page, live_server, login, category,
                                                                             author):
    from disclosure.models import Draft
    from forum.models import Post

    login(page, "author")
    page.goto(f"{live_server.url}/posts/new/")
    page.wait_for_function("window.aiDisclosureRecorder !== undefined")

    draft = page.evaluate("""() => window.aiDisclosureRecorder.record(
        {kind: "translation", extent: "substantial", tool: "DeepL"})""")

    assert draft["disclosure_prefill"]["assistance"] == [{"kind": "translation", "extent": "substantial"}]
    assert f"draft={draft['id']}" in page.url
    expect(page.locator("[data-recorder-status]")).to_contain_text("translation (substantial) by DeepL")
    refused = page.evaluate("""() => window.aiDisclosureRecorder.record({kind: "telepathy", extent: "minor"})
        .then(() => null, (error) => error)""")
    assert refused["status"] == 400 and refused["errors"][0]["field"] == "kind"

    page.fill("input[name=title]", "Translated notes")
    page.fill("textarea[name=body]", "Notes I wrote in German, translated by a tool and corrected by me.")
    page.check("input[name=human_only]")
    page.click("button.primary[type=submit]")
    page.wait_for_url("**/posts/*/")

    post = Post.objects.get()
    assert Draft.objects.get(public_id=draft["id"]).used_for == str(post.public_id)
    item = ReviewItem.objects.get(submission=post.submission)
    assert "recorded_vs_declared" in item.reasons


def test_the_hook_sends_recordings_only_to_a_draft_never_to_a_path_the_address_names(page, live_server, login,
                                                                                    category, author):
    """``?draft=`` in the page's address is the reader's to write: a link with ``?draft=../../../notifications/
    read/?`` made the hook POST (with the CSRF token) to another page of the site once an editor tool recorded.
    A ``draft`` that is not a draft id is ignored: the hook starts a draft of its own."""
    from disclosure.models import Draft

    login(page, "author")
    posted = []
    page.on("request", lambda request: posted.append(request.url) if request.method == "POST" else None)
    for planted in ("../../../notifications/read/?", "..%2F..%2F..%2Faccounts%2Flogout%2F%3F"):
        posted.clear()
        page.goto(f"{live_server.url}/posts/new/?draft={planted}")
        page.wait_for_function("window.aiDisclosureRecorder !== undefined")

        draft = page.evaluate("""() => window.aiDisclosureRecorder.record(
            {kind: "editing", extent: "minor", tool: "Grammarly"}).catch((error) => ({error: String(error)}))""")

        assert posted and all(url.startswith(f"{live_server.url}/disclosure/drafts/") for url in posted), posted
        assert Draft.objects.filter(public_id=draft["id"], owner_key=f"user:{author.pk}").exists()
