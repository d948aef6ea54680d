"""``/api/v1/docs`` works in a real browser under our Content-Security-Policy: Swagger UI loads from local
static files, lists every operation, and "Try it out" reaches the API."""
import pytest



@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_and_calls_the_api(page, live_server):
    blocked = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text or "Refused" in message.text else None)
    external = []
    page.on("request", lambda request: external.append(request.url)
            if not request.url.startswith(live_server.url) and not request.url.startswith("data:") else None)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    operations = [p for p in paths if p.startswith("/api/v1/")]
    assert any("/api/v1/submissions" in p for p in operations) and len(operations) == 24
    # the three webhook deliveries are listed too (OpenAPI 3.1 "webhooks")
    assert sorted(p.strip() for p in paths if not p.startswith("/api/v1/")) == [
        "review.decided", "submission.evaluated", "submission.queued"]
    health = page.locator(".opblock", has=page.locator(".opblock-summary-path", has_text="/api/v1/health"))
    health.locator(".opblock-summary").click()
    health.locator("button.try-out__btn").click()
    health.locator("button.execute").click()
    live = health.locator(".live-responses-table tbody td.response-col_status").first
    live.wait_for(timeout=10_000)
    assert live.inner_text().strip().startswith("200")
    assert '"database": "ok"' in health.locator(".live-responses-table").inner_text()
    assert blocked == [] and external == []
