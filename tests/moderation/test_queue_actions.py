"""Acting from the queue's pages: every action is a POST with the item's version, goes through the state
machine's service, writes an audit row, and a conflict is a clear message (409 for htmx/JSON callers)."""
from __future__ import annotations

import pytest
from django.urls import reverse

from moderation.models import Action, ReviewItem
from moderation.services.review import Actor, review_item_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(queued_post, item_of):
    return item_of(queued_post())


def act(client, item, verb, data=None, **headers):
    url = reverse(f"moderation:item_{verb}", args=[item.public_id]) if verb in ("claim", "release", "snooze") \
        else reverse("moderation:item_decide", args=[item.public_id, verb])
    return client.post(url, {"version": item.version, **(data or {})}, **headers)


def flashes(response):
    return [str(m) for m in response.wsgi_request._messages]


def test_claim_then_release(mod_client, item, moderator):
    response = act(mod_client, item, "claim")
    assert response.status_code == 302 and response["Location"] == reverse("moderation:item_detail",
                                                                          args=[item.public_id])
    claimed = ReviewItem.objects.get(pk=item.pk)
    assert (claimed.status, claimed.claimed_by) == ("claimed", moderator)
    act(mod_client, claimed, "release")
    assert ReviewItem.objects.get(pk=item.pk).status == "open"
    assert list(Action.objects.filter(item=item, actor_user=moderator).values_list("verb", flat=True)
                .order_by("id")) == ["claim", "release"]


def test_reject_with_a_template_and_a_note_tells_the_author(mod_client, item, templates):
    response = act(mod_client, item, "reject", {"template": "undisclosed-ai", "message": "See the 3rd paragraph."})
    assert response.status_code == 302
    decided = ReviewItem.objects.select_related("submission").get(pk=item.pk)
    assert (decided.decision_action, decided.decision_template.code, decided.decision_message) == \
        ("reject", "undisclosed-ai", f"{templates['undisclosed-ai'].message}\n\nSee the 3rd paragraph.")
    assert decided.submission.status == "rejected"
    note = decided.submission.notifications.get()
    assert "See the 3rd paragraph." in note.message


def test_reject_without_a_reason_is_refused_with_the_field(mod_client, item):
    response = act(mod_client, item, "reject", HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = act(mod_client, item, "reject", {"message": "  "})
    detail = reverse("moderation:item_detail", args=[item.public_id])
    assert response.status_code == 302 and response["Location"] == f"{detail}#decision-form"
    assert ReviewItem.objects.get(pk=item.pk).status == "open"
    # the error is said beside the reason menu, which points at it (it was a message at the top of the page)
    page = mod_client.get(detail).content.decode()
    assert '<p id="decision-error" class="errorlist" role="alert">Give a reason' in page
    assert 'name="template" aria-invalid="true" aria-describedby="decision-error"' in page
    assert "decision-error" not in mod_client.get(detail).content.decode()  # said once


def test_a_refused_decision_keeps_the_moderators_note(mod_client, item):
    url = reverse("moderation:item_decide", args=[item.public_id, "reject"])
    response = mod_client.post(url, {"version": item.version + 5, "message": "Paragraph three reads as pasted."})
    assert response.status_code == 302 and ReviewItem.objects.get(pk=item.pk).status == "open"
    page = mod_client.get(reverse("moderation:item_detail", args=[item.public_id])).content.decode()
    assert "Paragraph three reads as pasted.</textarea>" in page
    again = mod_client.get(reverse("moderation:item_detail", args=[item.public_id])).content.decode()
    assert "Paragraph three reads as pasted.</textarea>" not in again  # given back once, not forever


def test_a_missing_version_is_a_400_not_a_500(mod_client, item):
    url = reverse("moderation:item_decide", args=[item.public_id, "approve"])
    response = mod_client.post(url, {}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "version" in response.json()["errors"]


def test_an_unknown_action_is_404(mod_client, item):
    assert mod_client.post(reverse("moderation:item_decide", args=[item.public_id, "delete"]),
                           {"version": item.version}).status_code == 404


@pytest.mark.parametrize("verb, data, status", [
    ("request_changes", {"message": "Please mark the second paragraph as AI-written."}, "needs_changes"),
    ("hide", {"message": "Hidden while we check the sources."}, "hidden"),
    ("approve", {"label": "ai_assisted"}, "approved")])
def test_other_decisions(mod_client, item, verb, data, status):
    assert act(mod_client, item, verb, data).status_code == 302
    submission = ReviewItem.objects.select_related("submission").get(pk=item.pk).submission
    assert submission.status == status
    if data.get("label"):
        assert (submission.label_value, submission.label_locked) == ("ai_assisted", True)


def test_snooze_until_the_author_posts_again(mod_client, item):
    act(mod_client, item, "snooze", {"snooze": "next_revision"})
    snoozed = ReviewItem.objects.get(pk=item.pk)
    assert (snoozed.status, snoozed.snoozed_until_next_revision) == ("snoozed", True)


def test_snooze_for_a_day(mod_client, item):
    act(mod_client, item, "snooze", {"snooze": "24"})
    snoozed = ReviewItem.objects.get(pk=item.pk)
    assert snoozed.status == "snoozed" and snoozed.snoozed_until is not None


def test_a_stale_page_gets_a_flash_message_and_changes_nothing(mod_client, item, make_user):
    other = make_user("second_mod", standing="trusted", is_staff=True, moderator=True)
    review_item_claim(item_id=item.pk, actor=Actor.for_user(other))
    response = act(mod_client, item, "approve")  # the page still carries the old version
    assert response.status_code == 302
    assert any("changed this item" in m for m in flashes(response))
    assert ReviewItem.objects.get(pk=item.pk).status == "claimed"


def test_a_conflict_is_409_for_json(mod_client, item):
    assert act(mod_client, item, "approve", HTTP_ACCEPT="application/json").status_code == 200
    response = act(mod_client, item, "approve", HTTP_ACCEPT="application/json")
    assert response.status_code == 409 and response.json()["conflict"] is True


def test_an_htmx_row_action_answers_the_row_and_announces_it(mod_client, item):
    response = act(mod_client, item, "approve", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<tr class="mod-queue__row mod-queue__row--done"')
    assert f'data-version="{item.version + 1}"' in html and "Decided: Approve" in html
    assert 'id="mod-live"' in html and 'hx-swap-oob="true"' in html and "Approved." in html
    # the queue's counts, drawn again out of band (they stayed as they were until a reload)
    assert '<div class="mod-counts" id="mod-counts" hx-swap-oob="true">' in html and "Open 0" in html


def test_the_counts_drawn_with_a_row_follow_the_filters_of_the_page_it_came_from(mod_client, queued_post, item_of):
    """The counts per reason are within the page's status filter, read from htmx's ``HX-Current-URL``; a page
    whose filters are refused counts as the page itself did (the defaults)."""
    first, second = item_of(queued_post(title="First")), item_of(queued_post(title="Second"))
    reason = first.reasons[0]
    page = f"http://testserver/moderation/?status=undecided&reason={reason}"
    html = act(mod_client, first, "approve", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page).content.decode()
    assert f"?status=undecided&amp;reason={reason}" in html and "reason--active" in html
    refused = "http://testserver/moderation/?status=undecided&since=bogus"
    html = act(mod_client, second, "claim", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=refused).content.decode()
    assert "?status=undecided" not in html and "?status=active" in html


def test_an_htmx_conflict_is_409_and_only_retargets_the_announcement(mod_client, item):
    assert act(mod_client, item, "approve", HTTP_HX_REQUEST="true").status_code == 200
    response = act(mod_client, item, "approve", HTTP_HX_REQUEST="true")  # the old version again
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#mod-live" and response["HX-Reswap"] == "outerHTML"
    html = response.content.decode()
    assert "mod-live--error" in html and "<tr" not in html


def test_after_a_decision_the_moderator_moves_to_the_next_item(mod_client, queued_post, item_of):
    first, second = item_of(queued_post(title="First")), item_of(queued_post(title="Second"))
    page = mod_client.get(reverse("moderation:item_detail", args=[first.public_id]))
    following = page.context["following"]
    assert following.public_id == second.public_id
    response = act(mod_client, first, "approve", {"next": reverse("moderation:item_detail",
                                                                  args=[second.public_id])})
    assert response["Location"] == reverse("moderation:item_detail", args=[second.public_id])
    # the page that follows is another post's: the message names the one decided and says the page moved on
    # (a moderator pressing the next key on it acted on another post without being told)
    [message] = [str(m) for m in mod_client.get(response["Location"]).context["messages"]]
    assert message == "“First”: Approved. This is the next item in the queue."
    response = act(mod_client, second, "claim", {})
    assert [str(m) for m in mod_client.get(response["Location"]).context["messages"]] == [
        "“Second”: You claimed this item."]


def test_next_must_stay_on_this_site(mod_client, item):
    response = act(mod_client, item, "approve", {"next": "https://evil.example/"})
    assert response["Location"] == reverse("moderation:item_detail", args=[item.public_id])


def test_mark_a_classifier_result(mod_client, item):
    result = item.revision.classifier_results.get()
    response = mod_client.post(reverse("moderation:result_mark", args=[result.pk]), {"verdict": "confirmed"})
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.moderator_verdict == "confirmed"
    assert Action.objects.filter(verb="mark_result", to_status="confirmed").exists()
    bad = mod_client.post(reverse("moderation:result_mark", args=[result.pk]), {"verdict": "meh"},
                          HTTP_ACCEPT="application/json")
    assert bad.status_code == 400


# --- bulk ------------------------------------------------------------------------------------------

def test_bulk_approve(mod_client, queued_post, item_of):
    items = [item_of(queued_post(title=f"Post {n}")) for n in range(3)]
    response = mod_client.post(reverse("moderation:bulk"), {
        "action": "approve", "items": [f"{i.public_id}:{i.version}" for i in items]})
    assert response.status_code == 302 and "Approved 3 items." in flashes(response)
    assert set(ReviewItem.objects.values_list("decision_action", flat=True)) == {"approve"}
    assert Action.objects.filter(verb="approve").count() == 3


def test_bulk_reject_needs_a_reason(mod_client, item):
    response = mod_client.post(reverse("moderation:bulk"), {"action": "reject",
                                                            "items": [f"{item.public_id}:{item.version}"]},
                               HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "template" in response.json()["errors"]


def test_a_refused_bulk_action_without_javascript_keeps_the_ticked_rows_ticked(mod_client, queued_post, item_of):
    ticked, other = item_of(queued_post(title="Ticked")), item_of(queued_post(title="Other"))
    response = mod_client.post(reverse("moderation:bulk"), {
        "action": "reject", "items": [f"{ticked.public_id}:{ticked.version}"], "next": reverse("moderation:queue")})
    assert response.status_code == 302 and "Pick a reason to reject the selected items." in flashes(response)
    page = mod_client.get(response["Location"]).content.decode()
    assert f'value="{ticked.public_id}:{ticked.version}" checked' in page
    assert f'value="{other.public_id}:{other.version}" checked' not in page
    again = mod_client.get(reverse("moderation:queue")).content.decode()  # once: a later visit starts clean
    assert f'value="{ticked.public_id}:{ticked.version}" checked' not in again


def test_bulk_reject_reports_each_conflict(mod_client, queued_post, item_of, templates, make_user):
    fresh, taken = item_of(queued_post(title="Fresh")), item_of(queued_post(title="Taken"))
    other = make_user("second_mod", standing="trusted", is_staff=True, moderator=True)
    review_item_claim(item_id=taken.pk, actor=Actor.for_user(other))
    response = mod_client.post(reverse("moderation:bulk"), {
        "action": "reject", "template": "undisclosed-ai",
        "items": [f"{fresh.public_id}:{fresh.version}", f"{taken.public_id}:{taken.version}"]},
        HTTP_ACCEPT="application/json")
    body = response.json()
    assert response.status_code == 200 and body["done"] == [str(fresh.public_id)]
    assert [c["id"] for c in body["conflicts"]] == [str(taken.public_id)]
    assert ReviewItem.objects.get(pk=taken.pk).status == "claimed"


def test_bulk_with_garbage_items_is_a_400(mod_client):
    response = mod_client.post(reverse("moderation:bulk"), {"action": "approve", "items": ["nope"]},
                               HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "items" in response.json()["errors"]


def test_a_rows_approve_ignores_the_rejection_reason_picked_in_the_bulk_form(mod_client, item, templates):
    """Without JavaScript a row's Approve sends the whole bulk form: the approval carried the bulk rejection
    template, and the author was told "approved" followed by the rejection's text."""
    from moderation.models import Notification

    response = act(mod_client, item, "approve", {"template": "undisclosed-ai", "message": ""})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.decision_action, item.decision_template, item.decision_reason) == ("approve", None, "")
    note = Notification.objects.get(submission=item.submission, verb="review.approve")
    assert templates["undisclosed-ai"].message not in note.message


def test_a_bulk_approve_ignores_the_rejection_reason(mod_client, queued_post, item_of, templates):
    target = item_of(queued_post())
    response = mod_client.post(reverse("moderation:bulk"), {
        "action": "approve", "template": "undisclosed-ai", "items": [f"{target.public_id}:{target.version}"]})
    assert response.status_code == 302 and "Approved 1 item." in flashes(response)
    target.refresh_from_db()
    assert target.decision_template is None


def test_the_snooze_duration_has_a_name(client, queued_post, item_of, moderator):
    """The one control of the item page without a label: a screen reader read only its value."""
    client.force_login(moderator)
    page = client.get(f"/moderation/items/{item_of(queued_post()).public_id}/").content.decode()

    assert '<label class="visually-hidden" for="id_snooze">Snooze for</label>' in page and 'id="id_snooze"' in page


def test_each_rows_buttons_are_named_with_its_post(mod_client, queued_post, item_of):
    """A screen reader's list of buttons read "Approve", "Claim", "Snooze" once per row, with nothing to tell
    the rows apart."""
    for title in ("First post", "Second post"):
        item_of(queued_post(title=title))

    page = mod_client.get("/moderation/").content.decode()

    for title in ("First post", "Second post"):
        for action in ("Approve", "Claim", "Snooze"):
            assert f'aria-label="{action}: {title}"' in page
