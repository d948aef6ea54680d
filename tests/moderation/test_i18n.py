"""A second language (German) as proof that the user-facing strings are translatable: the editor, the label
readers see and the moderators' queue render in German when the reader picks it with the language switch
(or the browser asks for it), and every catalogue is complete and compiled."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import HONEST_DISCLOSURE

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("*/locale/de/LC_MESSAGES/*.po")) + sorted(ROOT.glob("locale/de/LC_MESSAGES/*.po"))


def german(user=None) -> Client:
    """A browser that chose Deutsch in the language switch (a real POST to Django's set_language)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert response.status_code == 302
    return client


def test_the_language_switch_is_on_every_page_and_works_without_javascript(author):
    page = Client().get("/").content.decode()
    assert 'action="/i18n/setlang/"' in page and '<option value="de"' in page and 'lang="en"' in page
    page = german().get("/").content.decode()
    assert '<html lang="de">' in page and "Demo-Forum" in page and "Anmelden" in page


def test_the_editor_in_german(author, category):
    page = german(author).get("/posts/new/").content.decode()
    for text in ("<h1>Neuer Beitrag</h1>", "KI-geschriebener Abschnitt", "Vorschau", "KI-Unterstützung",
                 "Dieser Beitrag ist vollständig von Menschen geschrieben", "Wie haben Sie KI verwendet?",
                 "Entwurf: KI hat einen Teil des Textes geschrieben", "Veröffentlichen"):
        assert text in page, text
    assert "New post" not in page and "How did you use AI?" not in page


def test_a_refused_post_explains_itself_in_german(author, category):
    response = german(author).post("/posts/new/", {
        "title": "Titel", "category": category.pk, "format": "markdown",
        "body": ':::ai-written model="X"\nEin Absatz.\n:::\n', "human_only": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ihr Beitrag wurde noch nicht gespeichert" in page
    assert "Ihr Beitrag enthält 1 KI-geschriebenen Abschnitt" in page


def test_the_label_and_the_eu_mark_in_german(make_post, reader_client_factory):
    post = make_post(title="Ein Beitrag", body="Mein Text, mit Hilfe.", disclosure=HONEST_DISCLOSURE)
    page = reader_client_factory().get(f"/posts/{post.public_id}/").content.decode()
    assert "KI-gestützt" in page and "von der Autorin oder dem Autor angegeben" in page
    assert "Teile dieses Textes wurden mit KI geschrieben (Entwurf); die Autorin oder der Autor hat die Führung." \
        in page
    assert "Wie KI verwendet wurde" in page and "Anteil des von KI geschriebenen Textes" in page
    assert "AI-assisted" not in page


def test_the_queue_and_an_item_in_german(moderator, queued_post, item_of):
    item = item_of(queued_post(title="Verdächtig"))
    client = german(moderator)
    queue = client.get("/moderation/").content.decode()
    for text in ("<h1>Prüfwarteschlange</h1>", "Verdacht auf nicht offengelegte KI", "Freigeben", "Übernehmen",
                 "Zurückstellen", "Ausgewählte ablehnen", "Offen", "gerade eben"):
        assert text in queue, text
    detail = client.get(f"/moderation/items/{item.public_id}/").content.decode()
    assert "Ablehnen (r)" in detail and "Korrektur der Offenlegung anfordern" in detail
    response = client.post(f"/moderation/items/{item.public_id}/approve/", {"version": item.version + 5},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and "Jemand anderes hat diesen Eintrag geändert" in response.content.decode()


@pytest.fixture
def reader_client_factory(make_user):
    return lambda: german(make_user("leser"))


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_catalogue_is_complete_and_its_compiled_file_is_current(catalogue, tmp_path):
    if not shutil.which("msgfmt"):
        pytest.skip("msgfmt (gettext) is not installed")
    stats = subprocess.run(["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(catalogue)],
                           capture_output=True, text=True)
    assert stats.returncode == 0, stats.stderr
    assert "untranslated" not in stats.stderr and "fuzzy" not in stats.stderr, stats.stderr
    committed = catalogue.with_suffix(".mo")
    assert committed.read_bytes() == (tmp_path / "django.mo").read_bytes(), \
        f"{committed.relative_to(ROOT)} is stale: run `python manage.py compilemessages`"
