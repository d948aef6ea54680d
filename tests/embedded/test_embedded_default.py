"""The embedded default (SQLite with WAL, filesystem broker) runs the product with no servers."""
import pytest
from django.conf import settings
from django.core.management import call_command


def test_embedded_settings_use_sqlite_and_the_filesystem_broker():
    assert settings.DATABASES["default"]["ENGINE"] == "config.sqlite_backend"  # SQLite, with retry-on-lock
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert settings.CELERY_BROKER_URL == "filesystem://"


@pytest.mark.django_db(transaction=True)
def test_seed_demo_and_the_front_page_work_on_sqlite(client, settings):
    settings.DEBUG = True  # seed_demo runs for the demo only
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    from forum.management.commands.seed_demo import POSTS
    from forum.models import Post

    assert Post.objects.count() == len(POSTS)
    response = client.get("/")
    assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "author", "password": "demo"})
    assert response.status_code == 302, response.content[:500]
    assert client.get("/posts/new/").status_code == 200
