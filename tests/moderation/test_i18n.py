"""A second language (German) as proof that the user-facing strings are translatable: the editor, the label
readers see and the moderators' queue render in German when the reader picks it with the language switch
(or the browser asks for it), and every catalogue is complete and compiled."""
from __future__ import annotations

import ast
import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import HONEST_DISCLOSURE

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = (sorted(ROOT.glob("*/locale/de/LC_MESSAGES/*.po")) + sorted(ROOT.glob("locale/de/LC_MESSAGES/*.po"))
              + sorted(ROOT.glob("integrations/*/locale/de/LC_MESSAGES/*.po")))


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
    assert "KI-verändert – das Zeichen der EU-KI-Verordnung für die Kennzeichnung dieses Beitrags, „KI-gestützt: " \
        "Entwurf“" in page
    assert "AI-assisted" not in page


def test_an_ai_written_section_is_labelled_in_the_readers_language(make_post, author):
    """The section's badge was written in English on every German page (and cached so for every language)."""
    body = 'Mein Teil.\n\n:::ai-written model="GPT-5"\nDer Teil des Modells.\n:::\n' + "Mehr von mir. " * 300
    post = make_post(title="Ein Beitrag", body=body, disclosure=HONEST_DISCLOSURE)
    english = Client().get(f"/posts/{post.public_id}/").content.decode()
    page = german().get(f"/posts/{post.public_id}/").content.decode()
    assert '<span class="ai-block__badge">AI-written</span>' in english
    assert '<span class="ai-block__badge">KI-geschrieben</span>' in page


def test_the_notifications_flash_and_the_tools_limit_in_german(author, category):
    client = german(author)
    response = client.post("/notifications/read/", follow=True)
    assert "Als gelesen markiert." in response.content.decode()
    response = client.post("/posts/new/", {
        "title": "Titel", "category": category.pk, "format": "markdown", "body": "Mein Text.",
        "assist_editing": "minor", "ai_share_percent": "0", "process": "Ich habe die Sprache glätten lassen.",
        "tools": ", ".join(f"Werkzeug {n}" for n in range(21))})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nennen Sie höchstens 20 Werkzeuge." in page and "List should have" not in page


def test_a_body_syntax_error_is_explained_in_the_authors_language(author, category):
    """The parser's messages were English on German pages; the same body refused in English afterwards must not
    get the German message from the parser's cache."""
    body = 'Mein Text.\n\n:::ai-written model="X"\nNie geschlossen.'
    form = {"title": "Titel", "category": category.pk, "format": "markdown", "body": body,
            "assist_drafting": "minor", "ai_share_percent": "10", "process": "Das Modell schrieb den Abschnitt."}
    page = german(author).post("/posts/new/", form).content.decode()
    assert "Der in Zeile 3 geöffnete KI-geschriebene Abschnitt wird nie geschlossen" in page
    english = Client()
    english.force_login(author)
    page = english.post("/posts/new/", form).content.decode()
    assert "The AI-written section opened on line 3 is never closed" in page


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


def test_the_site_thresholds_section_of_the_stats_page_in_german(moderator):
    page = german(moderator).get("/moderation/stats/").content.decode()
    for text in ("Eigene Schwellenwerte dieses Forums", "<code>manage.py calibrate_detector</code>",
                 "Schwellenwert des Forums", "Mitgeliefert", "Kalibriert mit",
                 "Nicht kalibriert: Es gelten die mitgelieferten Schwellenwerte der Klassifikatoren."):
        assert text in page, text
    assert "own thresholds" not in page and "Not calibrated" not in page


def test_the_per_length_thresholds_on_the_stats_page_in_german(moderator):
    from django.utils import timezone

    from moderation.models import SiteThreshold

    SiteThreshold.objects.create(classifier="statistical", version="8", threshold=0.93, false_flag_rate=0.01,
                                 posts_before=timezone.now(), posts_scored=200, posts_flagged=2,
                                 by_length=[{"band": "1", "posts": 200, "threshold": None, "own": False,
                                             "flagged": 2, "flagged_shipped": 3},
                                            {"band": "2-3", "posts": 0, "threshold": 0.95, "own": False,
                                             "flagged": 0, "flagged_shipped": 0}])
    page = german(moderator).get("/moderation/stats/").content.decode()
    for text in ("Nach Beitragslänge (bewertete Abschnitte;", "1: der Schwellenwert des Forums, 2/200 / 3",
                 "2-3: 0,9500 (zu wenige Beiträge für einen eigenen Schwellenwert), 0/0 / 0",
                 "Markiert bei den Schwellenwerten des Forums / beim mitgelieferten"):
        assert text in page, text
    assert "By post length" not in page and "too few posts" not in page


def test_a_reader_report_refused_by_the_service_says_why_in_german(make_post, make_user):
    post = make_post(title="Ein Beitrag")
    reader = german(make_user("leser"))
    url = f"/posts/{post.public_id}/report/"
    assert "Danke" in reader.post(url, {"note": "Klingt nach Chatbot."}, follow=True).content.decode()
    page = reader.post(url, {"note": "Noch einmal."}, follow=True).content.decode()
    assert "Sie haben diese Version des Beitrags bereits gemeldet." in page
    assert "You reported" not in page


def test_the_statement_of_reasons_in_german(author, moderator, queued_post, item_of, templates):
    from moderation.services.review import Actor, review_item_request_changes

    post = queued_post(title="Verdächtig")
    review_item_request_changes(item_id=item_of(post).pk, actor=Actor.for_user(moderator),
                                template_code="low-effort-ai", message="Bitte den KI-Absatz angeben.")
    page = german(author).get(f"/posts/{post.public_id}/").content.decode()
    statement = page[page.index('class="statement-of-reasons"'):page.index("</section>", page.index(
        'class="statement-of-reasons"'))]
    for text in ("Korrektur angefordert: der Beitrag ist für Lesende verborgen, bis die Offenlegung korrigiert ist",
                 "Warum der Beitrag geprüft wurde:", "Eine zertifizierte außergerichtliche Streitbeilegungsstelle (DSA Art. 21).",
                 "Die Gerichte des Mitgliedstaats der Autorin oder des Autors."):
        assert text in statement, text
    for text in ("Changes requested", "hidden from readers", "out-of-court", "Member State"):
        assert text not in statement, text


@pytest.fixture
def reader_client_factory(make_user):
    return lambda: german(make_user("leser"))


SOURCES = ("disclosure", "moderation", "forum", "templates", "locale", "integrations")
DOMAINS = {"django": (".py", ".html", ".po"), "djangojs": (".js", ".po")}


def po_entries(path: Path) -> dict[tuple[str, str], dict]:
    """The live entries of a .po file by (msgctxt, msgid): their msgstr forms and whether they are fuzzy.
    Obsolete (``#~``) entries are returned under the key ("#~", msgid) so a test can see them too."""
    entries, entry, field = {}, None, None

    def close():
        if entry is not None and entry.get("msgid"):
            key = ("#~" if entry["obsolete"] else entry.get("msgctxt", ""), entry["msgid"])
            entries[key] = entry

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            close()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"fuzzy": False, "obsolete": False, "msgstr": {}}
        entry["obsolete"] = entry["obsolete"] or obsolete
        if line.startswith("#,"):
            entry["fuzzy"] = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += text
            else:
                entry[field[0]] += text
        else:
            keyword, _, rest = line.partition(" ")
            text = ast.literal_eval(rest)
            if keyword.startswith("msgstr"):
                field = ("msgstr", keyword[7:-1] or "0")
                entry["msgstr"][field[1]] = text
            else:
                field = (keyword, None)
                entry[keyword] = text
    return entries


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_makemessages_finds_no_string_the_catalogues_lack(domain, tmp_path, monkeypatch, settings):
    """Every string marked for translation in the code, the templates and the scripts is in the committed
    German catalogue, and no committed entry is one the code no longer uses: running ``makemessages -l de``
    on a copy of the sources (so the checkout is not touched) adds and obsoletes nothing."""
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        pytest.skip("xgettext/msgmerge (gettext) is not installed")
    from django.core.management import call_command

    keep = DOMAINS[domain]
    for name in SOURCES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=lambda folder, names: [
            n for n in names if not (Path(folder, n).is_dir() and n != "__pycache__") and not n.endswith(keep)])
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["de"], domain=domain, no_location=True, verbosity=0)
    for regenerated in sorted(tmp_path.glob(f"**/locale/de/LC_MESSAGES/{domain}.po")):
        where = regenerated.relative_to(tmp_path)
        assert (ROOT / where).exists(), f"{where} is missing: run makemessages -l de -d {domain} --no-location"
        committed = po_entries(ROOT / where)
        fresh = po_entries(regenerated)
        new = sorted(msgid for key, msgid in fresh if key != "#~" and (key, msgid) not in committed)
        gone = sorted(msgid for key, msgid in fresh if key == "#~" and ("#~", msgid) not in committed)
        assert not new, f"{where} lacks {len(new)} string(s) the sources mark for translation: {new}"
        assert not gone, f"{where} still holds {len(gone)} string(s) the sources no longer use: {gone}"


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_catalogue_is_complete_and_its_compiled_file_is_current(catalogue, tmp_path):
    """No entry is empty, fuzzy or obsolete, and the committed .mo holds exactly what compiling the .po gives
    (compared as catalogues read by Python's ``gettext``, so a different msgfmt version does not matter)."""
    if not shutil.which("msgfmt"):
        pytest.skip("msgfmt (gettext) is not installed")
    entries = po_entries(catalogue)
    assert not [msgid for (ctx, msgid), e in entries.items() if ctx == "#~"], "obsolete entries: drop them"
    untranslated = [msgid for msgid, e in ((k[1], e) for k, e in entries.items())
                    if e["fuzzy"] or not all(e["msgstr"].values())]
    assert not untranslated, f"empty or fuzzy: {untranslated}"
    stats = subprocess.run(["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "fresh.mo"), str(catalogue)],
                           capture_output=True, text=True)
    assert stats.returncode == 0, stats.stderr
    assert "untranslated" not in stats.stderr and "fuzzy" not in stats.stderr, stats.stderr
    committed = catalogue.with_suffix(".mo")
    with committed.open("rb") as old, (tmp_path / "fresh.mo").open("rb") as fresh:
        assert gettext.GNUTranslations(old)._catalog == gettext.GNUTranslations(fresh)._catalog, \
            f"{committed.relative_to(ROOT)} is stale: run `python manage.py compilemessages`"


def test_a_german_author_reads_the_decision_in_german_and_the_moderators_words_as_written(
        author, queued_post, item_of, moderator):
    """Notifications were stored as English sentences when the decision was made, so a German author read
    "A moderator approved your post." on a German page."""
    from moderation.models import Notification
    from moderation.services.review import Actor, review_item_approve

    post = queued_post(title="Mein Beitrag")
    review_item_approve(item_id=item_of(post).pk, actor=Actor.for_user(moderator), label="ai_assisted",
                        message="Danke für die Offenlegung.")

    page = german(author).get("/notifications/").content.decode()
    assert "Die Moderation hat Ihren Beitrag freigegeben." in page
    assert "Er trägt jetzt die Kennzeichnung „KI-gestützt“" in page
    assert "Danke für die Offenlegung." in page and "A moderator" not in page
    english = Client()
    english.force_login(author)
    assert "A moderator approved your post. It now carries the label “AI-assisted”" in english.get(
        "/notifications/").content.decode()
    assert Notification.objects.get().message.startswith("A moderator approved your post.")  # the record


def test_a_notification_stored_before_it_had_parts_is_shown_as_stored(author, queued_post):
    from moderation.models import Notification

    post = queued_post(title="Old post")
    Notification.objects.create(recipient_external_id=post.submission.author_external_id,
                                submission=post.submission, verb="review.approve", message="Approved long ago.")

    assert "Approved long ago." in german(author).get("/notifications/").content.decode()


def test_an_automatic_rejection_is_told_in_the_authors_language_unless_the_operator_wrote_its_text(queued_post):
    from django.utils import translation

    from moderation.services.notify import notification_send, notification_text

    post = queued_post(title="Automatisch")
    default = notification_send(submission=post.submission, verb="review.reject", automatic=True)
    written = notification_send(submission=post.submission, verb="review.reject", automatic=True,
                                note="Posts made only of AI text are not accepted here.")

    with translation.override("de"):
        assert notification_text(default) == "Ihr Beitrag wurde automatisch abgelehnt."
        assert notification_text(written) == "Posts made only of AI text are not accepted here."
    assert default.message == "Your post was rejected automatically."



def test_the_authors_standing_is_in_the_moderators_language(moderator, queued_post, item_of):
    """The queue and the item page showed the stored code ("new", "regular") on German pages."""
    item = item_of(queued_post(title="Ein Beitrag"))
    client = german(moderator)

    code = item.submission.author_standing
    german_word = {"new": "Neu", "regular": "Regelmäßig", "trusted": "Vertrauenswürdig"}[code]
    for path in ("/moderation/", f"/moderation/items/{item.public_id}/"):
        page = client.get(path).content.decode()
        assert f'standing--{code}">{german_word}<' in page and f">{code}<" not in page


def test_the_audit_trail_is_in_the_moderators_language(moderator, queued_post, item_of, templates):
    """The audit log and the item page's history showed the stored verbs and statuses ("reject", "open")."""
    from moderation.services.review import Actor, review_item_reject

    item = item_of(queued_post(title="Ein Beitrag"))
    review_item_reject(item_id=item.pk, actor=Actor.for_user(moderator), template_code="undisclosed-ai")
    client = german(moderator)

    audit = client.get("/moderation/audit/").content.decode()
    assert "<td>Abgelehnt</td>" in audit and "<td>Geöffnet</td>" in audit
    assert "Offen → Entschieden" in audit
    assert '<option value="request_changes">Korrektur der Offenlegung erbeten</option>' in audit
    history = client.get(f"/moderation/items/{item.public_id}/").content.decode()
    assert '<span data-verb="reject">Abgelehnt</span> (Offen → Entschieden)' in history
