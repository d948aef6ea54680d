"""The error pages a Spirit forum shows (403, 413, the login lock-out) are drawn in Spirit's frame. The project's
own templates link the demo forum's URLs, which Spirit does not have: every "permission denied" in the Spirit
setup was a 500 (NoReverseMatch: 'forum' is not a registered namespace)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

RENDER = """
import django, json
django.setup()
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.test import RequestFactory
from django.views.defaults import permission_denied
from config.views import bad_request
from django.template.loader import render_to_string

request = RequestFactory().get("/moderation/")
request.user = AnonymousUser()
out = {}
response = permission_denied(request, PermissionDenied("Only moderators can see the review queue."))
out["403"] = [response.status_code, response.content.decode()]
response = bad_request(request, RequestDataTooBig())
out["413"] = [response.status_code, response.content.decode()]
out["locked"] = [200, render_to_string("registration/locked_out.html", {}, request=request)]
from django.utils import translation
from django.utils.translation import gettext
with translation.override("de"):
    out["de"] = [gettext(text) for text in (
        "Your appeal was sent to the moderators.", "Thank you: a moderator will look at this post.",
        "A moderator will look at this comment before readers see it.", "report undisclosed AI")]
print(json.dumps(out))
"""


def render_under_spirit() -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "integrations.spirit.settings", "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", RENDER], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_403_413_and_the_lock_out_page_render_in_spirits_frame():
    pages = render_under_spirit()
    status, html = pages["403"]
    assert status == 403 and "Only moderators can see the review queue." in html
    status, html = pages["413"]
    assert status == 413 and "That was too large to send" in html
    assert "Too many login attempts" in pages["locked"][1]
    german = pages.pop("de")
    for _status, html in pages.values():
        assert 'class="ai-spirit-frame"' in html and 'href="/"' in html  # Spirit's front page
    # the integration's own words in German (the demo forum's catalogue, which had some, is not installed)
    assert german == ["Ihr Einspruch wurde an die Moderation gesendet.", "Danke: Die Moderation wird sich diesen "
                      "Beitrag ansehen.", "Ein Moderator wird sich diesen Kommentar ansehen, bevor Lesende ihn "
                      "sehen.", "nicht offengelegte KI melden"]
