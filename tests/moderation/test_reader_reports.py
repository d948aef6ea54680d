"""Reader reports through the host forum: a report puts a published post in the queue (still visible) with the
reason ``reader_report``, a decision marks each report upheld or not, and the reporter's accuracy weights the
priority their next reports add."""
from __future__ import annotations

import pytest
from django.urls import reverse

from moderation.models import Action, OutboxEvent, ReaderReport, ReviewItem, Submission
from moderation.services.intake import local_client
from moderation.selectors.reports import reporter_accuracy
from moderation.services.reports import (
    ReportDuplicate,
    ReportInvalid,
    ReportNotAllowed,
    ReportRateLimited,
    report_create,
)
from moderation.services.review import Actor, review_item_approve, review_item_decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(make_user):
    return make_user("reader")


def report(post, reporter="reader-1", note=""):
    return report_create(submission_id=post.submission_id, client=local_client(), reporter_external_id=reporter,
                         note=note)


def decide(item, moderator, action, **kwargs):
    return review_item_decide(item_id=item.pk, actor=Actor.for_user(moderator), action=action,
                              reason="undisclosed-ai" if action != "approve" else "", **kwargs)


def test_a_report_puts_a_published_post_in_the_queue_and_leaves_it_visible(make_post):
    post = make_post()
    assert Submission.objects.get(pk=post.submission_id).status == "published"

    filed = report(post, note="Reads like a chatbot.")

    submission = Submission.objects.get(pk=post.submission_id)
    assert (submission.status, submission.visible) == ("queued", True)
    item = ReviewItem.objects.get(submission=submission)
    assert item.reasons == ["reader_report"] and item.priority == filed.weight == 20
    assert filed.item == item and filed.outcome == ""
    opened = Action.objects.get(item=item, verb="open")
    assert opened.data["report"] == str(filed.public_id) and opened.note == "Reads like a chatbot."
    assert OutboxEvent.objects.filter(type="submission.queued").count() == 1


def test_a_second_reporter_updates_the_same_item_and_adds_priority(make_post):
    post = make_post()
    first = report(post, "reader-1")
    version = first.item.version

    second = report(post, "reader-2")

    item = ReviewItem.objects.get(pk=first.item_id)
    assert second.item_id == item.pk and ReviewItem.objects.filter(submission=item.submission).count() == 1
    assert item.reasons == ["reader_report"] and item.priority == first.weight + second.weight
    assert item.version == version + 1
    assert Action.objects.filter(item=item, verb="report").count() == 1


def test_a_report_adds_its_reason_to_a_post_already_in_the_queue(queued_post, item_of):
    post = queued_post()
    item = item_of(post)
    before = item.priority

    report(post)

    item.refresh_from_db()
    assert item.reasons == ["undisclosed_ai_suspected", "reader_report"]
    assert item.priority == before + 20


def test_the_same_reader_cannot_report_the_same_revision_twice(make_post):
    post = make_post()
    report(post)

    with pytest.raises(ReportDuplicate):
        report(post)
    assert ReaderReport.objects.count() == 1


def test_reports_are_rate_limited_per_reader(settings, make_post):
    settings.MODERATION = {**settings.MODERATION, "REPORTS": {"per_hour": 2}}
    posts = [make_post(title=f"Post {n}") for n in range(3)]
    report(posts[0])
    report(posts[1])

    with pytest.raises(ReportRateLimited) as limited:
        report(posts[2])

    assert 0 < limited.value.retry_after <= 3600
    report(posts[2], reporter="someone-else")  # the limit is per reader


def test_bad_input_and_hidden_posts_are_refused(make_post):
    post = make_post()
    with pytest.raises(ReportInvalid) as bad:
        report_create(submission_id=post.submission_id, client=local_client(), reporter_external_id="r",
                      reason="spam")
    assert bad.value.field == "reason"
    with pytest.raises(ReportInvalid) as long:
        report(post, note="x" * 2001)
    assert long.value.field == "note"
    for note, field in (("a \ud800 b", "note"), ("a \x00 b", "note")):
        with pytest.raises(ReportInvalid) as unstorable:
            report(post, note=note)
        assert unstorable.value.field == field
    with pytest.raises(ReportInvalid) as reporter:
        report_create(submission_id=post.submission_id, client=local_client(), reporter_external_id="r\x00")
    assert reporter.value.field == "reporter_external_id"
    Submission.objects.filter(pk=post.submission_id).update(visible=False)
    with pytest.raises(ReportNotAllowed):
        report(post)
    assert not ReaderReport.objects.exists()


def test_a_decision_marks_reports_and_the_reporters_accuracy_weights_their_next_report(make_post, moderator):
    client = local_client()
    # Two reports by "sharp" upheld, two by "loose" not upheld.
    for n in range(2):
        post = make_post(title=f"Upheld {n}")
        report(post, "sharp")
        report(post, "loose")
        decide(ReviewItem.objects.get(submission_id=post.submission_id), moderator, "reject")
    for n in range(2):
        post = make_post(title=f"Fine {n}")
        report(post, "loose")
        review_item_approve(item_id=ReviewItem.objects.get(submission_id=post.submission_id).pk,
                            actor=Actor.for_user(moderator))

    sharp = reporter_accuracy(client=client, reporter_external_id="sharp")
    loose = reporter_accuracy(client=client, reporter_external_id="loose")
    assert (sharp.upheld, sharp.decided) == (2, 2) and sharp.accuracy == pytest.approx(3 / 4)
    assert (loose.upheld, loose.decided) == (2, 4) and loose.accuracy == pytest.approx(3 / 6)
    assert set(ReaderReport.objects.values_list("outcome", flat=True)) == {"upheld", "not_upheld"}

    target = make_post(title="Next")
    assert report(target, "sharp").weight == 30  # 20 × 2 × 3/4
    assert report(target, "loose").weight == 20  # 20 × 2 × 1/2
    assert report(target, "newcomer").weight == 20  # the prior: 1 of 2
    assert ReviewItem.objects.get(submission_id=target.submission_id).priority == 70


def test_an_ai_label_upholds_a_report_even_on_approval(make_post, moderator):
    post = make_post()
    filed = report(post)

    review_item_approve(item_id=filed.item_id, actor=Actor.for_user(moderator), label="ai_generated")

    filed.refresh_from_db()
    assert filed.outcome == "upheld" and filed.resolved_at is not None


# --- Through the forum's pages ----------------------------------------------------------------------

def test_a_reader_reports_from_the_post_page_and_the_moderator_sees_it(client, make_post, reader, moderator):
    post = make_post()
    client.force_login(reader)
    page = client.get(reverse("forum:post_detail", args=[post.public_id])).content.decode()
    assert reverse("forum:post_report", args=[post.public_id]) in page

    response = client.post(reverse("forum:post_report", args=[post.public_id]), {"note": "Too smooth."})

    assert response.status_code == 302
    filed = ReaderReport.objects.get()
    assert filed.reporter_external_id == str(reader.pk) and filed.note == "Too smooth."
    assert Action.objects.get(verb="open").actor_user == reader
    page = client.get(reverse("forum:post_detail", args=[post.public_id])).content.decode()
    assert "You reported this post" in page and 'action="/posts/' not in page.split("You reported")[1][:200]

    client.force_login(moderator)
    queue = client.get(reverse("moderation:queue")).content.decode()
    assert 'data-reason="reader_report"' in queue
    detail = client.get(reverse("moderation:item_detail", args=[filed.item.public_id])).content.decode()
    assert "Reader reports (1)" in detail and "Too smooth." in detail
    assert 'data-outcome="pending"' in detail


def test_a_report_the_service_refuses_keeps_the_readers_note_beside_the_error(client, make_post, reader):
    """Found by review: a NUL in the note answered 500 on PostgreSQL; a refused note was lost with a redirect."""
    post = make_post()
    client.force_login(reader)

    response = client.post(reverse("forum:post_report", args=[post.public_id]), {"note": "looks \x00 like AI"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "NUL character" in page and 'aria-describedby="report-error"' in page
    assert "like AI</textarea>" in page and '<details class="report-form" open>' in page
    assert not ReaderReport.objects.exists()


def test_authors_cannot_report_their_own_post(client, make_post, author):
    post = make_post()
    client.force_login(author)
    assert reverse("forum:post_report", args=[post.public_id]) not in client.get(
        reverse("forum:post_detail", args=[post.public_id])).content.decode()

    client.post(reverse("forum:post_report", args=[post.public_id]))

    assert not ReaderReport.objects.exists()


def test_anonymous_readers_are_sent_to_log_in(client, make_post):
    post = make_post()
    response = client.post(reverse("forum:post_report", args=[post.public_id]))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not ReaderReport.objects.exists()


def test_the_stats_page_shows_reports_per_week_and_the_share_upheld(client, make_post, moderator):
    for n, action in enumerate(["reject", "approve", "reject"]):
        post = make_post(title=f"Post {n}")
        report(post, f"r{n}")
        decide(ReviewItem.objects.get(submission_id=post.submission_id), moderator, action)
    report(make_post(title="Pending"), "r9")
    client.force_login(moderator)

    page = client.get(reverse("moderation:stats")).content.decode()

    table = page.split("data-reports-weekly")[1]
    assert "<td>4</td><td>3</td><td>2</td>" in table
    assert "data-share-upheld>0.67<" in table
