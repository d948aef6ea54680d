"""The login page names the demo users `make run` seeds (README: author, newbie, reader, moderator) — in the
demo (DEBUG) only, never in production."""
import re

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


def test_a_refused_log_in_is_announced_and_both_fields_point_at_why(client, make_user):
    """The error was a plain list: a screen reader, back on the username field, heard "Username: author"."""
    make_user("author")
    html = client.post("/accounts/login/", {"username": "author", "password": "wrong"}).content.decode()
    error = re.search(r'<ul class="errorlist" id="login-error" role="alert" tabindex="-1" data-focus-on-load>'
                      r'<li>(.*?)</li></ul>', html)
    assert error and "correct username and password" in error.group(1)
    for name in ("username", "password"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in field and 'aria-describedby="login-error"' in field
    fresh = client.get("/accounts/login/").content.decode()
    assert "aria-invalid" not in fresh and "login-error" not in fresh
