"""Shared fixtures. Tests run on real PostgreSQL and Redis (config/settings/test.py)."""
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HONEST_DISCLOSURE = {
    "human_only": False,
    "assistance": [{"kind": "drafting", "extent": "substantial"}],
    "tools": ["Claude Opus 4.5"],
    "ai_share_percent": 30,
    "process": "The model drafted the marked section from my outline; I rewrote the rest myself.",
}


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in German (the test client, a task) leaves German active in this thread: the next test, in
    whatever order it runs, starts in the default language."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def make_user(db, django_user_model):
    from forum.models import Profile

    def make(username="author", *, standing="regular", is_staff=False, moderator=False):
        user = django_user_model.objects.create_user(username=username, password="demo", is_staff=is_staff)
        Profile.objects.create(user=user, standing=standing)
        if moderator:
            from django.contrib.auth.models import Group, Permission

            group, _ = Group.objects.get_or_create(name="Moderators")
            group.permissions.add(*Permission.objects.filter(content_type__app_label="moderation"))
            user.groups.add(group)
        return user

    return make


@pytest.fixture
def author(make_user):
    return make_user("author")


@pytest.fixture
def moderator(make_user):
    return make_user("moderator", standing="trusted", is_staff=True, moderator=True)


@pytest.fixture
def category(db):
    from forum.models import Category

    return Category.objects.create(slug="general", name="General", requires_disclosure=True)


@pytest.fixture
def make_post(author, category, django_capture_on_commit_callbacks):
    """Create a post through the forum's service; after-commit work (evaluation) runs as in production."""
    from forum.services import post_create

    def make(*, title="A post", body="Written by me, entirely by hand, with care.", fmt="markdown",
             disclosure=None, user=None, cat=None):
        with django_capture_on_commit_callbacks(execute=True):
            return post_create(author=user or author, category=cat or category, title=title, body=body,
                               fmt=fmt, disclosure_data=disclosure if disclosure is not None else {"human_only": True})

    return make


# --- Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API ----------------
# One browser per test session for every folder: a second sync_playwright() in the same process fails.
# Browser tests use ``live_server`` (so ``transaction=True`` data access) and DJANGO_ALLOW_ASYNC_UNSAFE.

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs Debian's chromium.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def login(live_server):
    """``login(page, "author")`` logs a user in through the real login form (password ``demo``)."""

    def do_login(page, username, password="demo"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()

    return do_login


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# tests/embedded runs in its own pass with the embedded settings (scripts/test.sh).
collect_ignore = [] if os.environ.get("DJANGO_SETTINGS_MODULE") == "config.settings.embedded_test" \
    else ["embedded"]
