"""CSRF on every form: each state-changing URL of the forum, the moderation queue, the admin and the login
refuses a POST without the token (403, nothing changed), and every POST form the pages render carries one."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from moderation.models import Action, ReviewItem

pytestmark = [pytest.mark.security, pytest.mark.django_db]


@pytest.fixture
def world(queued_post, item_of, moderator, author):
    post = queued_post(user=author)
    item = item_of(post)
    result = item.revision.classifier_results.first()
    return {"post": post, "item": item, "result": result}


def post_urls(world):
    post, item = world["post"], world["item"]
    return {
        "author": [
            reverse("forum:post_new"), reverse("forum:post_edit", args=[post.public_id]),
            reverse("forum:post_appeal", args=[post.public_id]), reverse("forum:preferences"),
            reverse("forum:notifications_mark_read"), "/disclosure/preview/", "/accounts/logout/",
        ],
        "moderator": [
            reverse("moderation:item_claim", args=[item.public_id]),
            reverse("moderation:item_release", args=[item.public_id]),
            reverse("moderation:item_snooze", args=[item.public_id]),
            *[reverse("moderation:item_decide", args=[item.public_id, a])
              for a in ("approve", "reject", "request_changes", "hide")],
            reverse("moderation:result_mark", args=[world["result"].pk]),
            reverse("moderation:bulk"), "/admin/moderation/rejectiontemplate/add/", "/admin/logout/",
        ],
    }


def test_every_state_changing_url_refuses_a_post_without_the_token(world, author, moderator):
    urls = post_urls(world)
    actions_before = Action.objects.count()
    for user, paths in ((author, urls["author"]), (moderator, urls["moderator"])):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        for path in paths:
            response = client.post(path, {"version": world["item"].version, "title": "x", "body": "y",
                                          "message": "Please look again at this.", "verdict": "confirmed"})
            assert response.status_code == 403, (path, response.status_code)
    assert Action.objects.count() == actions_before
    assert ReviewItem.objects.get(pk=world["item"].pk).status == "open"


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_the_login_forms_refuse_a_post_without_the_token(path, moderator):
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, {"username": "moderator", "password": "demo"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


def test_every_post_form_rendered_carries_the_token(world, author, moderator):
    post, item = world["post"], world["item"]
    pages = {author: [reverse("forum:post_list"), reverse("forum:post_new"),
                      reverse("forum:post_detail", args=[post.public_id]),
                      reverse("forum:post_edit", args=[post.public_id]), reverse("forum:preferences"),
                      reverse("forum:notifications")],
             moderator: [reverse("moderation:queue"), reverse("moderation:item_detail", args=[item.public_id]),
                         "/admin/", "/admin/moderation/rejectiontemplate/add/"]}
    from moderation.services.notify import notification_send

    notification_send(submission=post.submission, verb="review.approve")
    seen = 0
    for user, paths in pages.items():
        client = Client()
        client.force_login(user)
        for path in paths:
            html = client.get(path).content.decode()
            for form in FORM.findall(html):
                if re.search(r'method=["\']?post', form, re.I):
                    seen += 1
                    assert 'name="csrfmiddlewaretoken"' in form, (path, form[:300])
    assert seen >= 10  # the pages really had forms to check
