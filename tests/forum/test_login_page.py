"""The login page names the demo users `make run` seeds (README: author, newbie, reader, moderator) — in the
demo (DEBUG) only, never in production."""
import pytest

from forum.management.commands.seed_demo import USERS

pytestmark = pytest.mark.django_db


def test_the_demo_login_page_names_every_seeded_demo_user(client, settings):
    settings.DEBUG = True
    html = client.get("/accounts/login/").content.decode()
    for username, *_ in USERS:
        assert f"<code>{username}</code>" in html


def test_production_does_not_advertise_demo_logins(client, settings):
    settings.DEBUG = False
    html = client.get("/accounts/login/").content.decode()
    assert "Demo users" not in html and "<code>demo</code>" not in html
