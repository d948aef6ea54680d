"""The login page names the demo users `make run` seeds (README: author, newbie, reader, moderator)."""
import pytest

from forum.management.commands.seed_demo import USERS

pytestmark = pytest.mark.django_db


def test_the_login_page_names_every_seeded_demo_user(client):
    html = client.get("/accounts/login/").content.decode()
    for username, *_ in USERS:
        assert f"<code>{username}</code>" in html
