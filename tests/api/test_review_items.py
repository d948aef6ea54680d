"""The review queue over the API (scope ``moderate``): list with filters, ordering and cursor pages; claim;
decide through the same state machine as the web queue — 200, or 409 when the item changed or was decided."""
import pytest

from moderation.models import Action, ReviewItem
from moderation.services.review import Actor, review_item_claim

from .conftest import QUEUED_DISCLOSURE, error_fields, post_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_queued(forum, submit):
    def make(external_id, *, body="A post with a section the model drafted, which I edited."):
        response = submit(forum, post_payload(external_id, standing="new", disclosure=QUEUED_DISCLOSURE, body=body))
        assert response.status_code == 202
        return ReviewItem.objects.get(submission__public_id=response.json()["id"])

    return make


def test_list_shows_open_items_by_priority(forum, make_queued):
    low, high = make_queued("low"), make_queued("high")
    ReviewItem.objects.filter(pk=high.pk).update(priority=90, reasons=["undisclosed_ai_suspected"])
    response = forum.http.get("/api/v1/review-items?status=open&ordering=-priority")
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [str(high.public_id), str(low.public_id)]
    row = response.json()["results"][0]
    assert row["submission"]["external_id"] == "high" and row["version"] == high.version
    assert row["reasons"] == ["undisclosed_ai_suspected"] and row["priority"] == 90


def test_filter_by_reason_and_status(forum, make_queued):
    a, b = make_queued("a"), make_queued("b")
    ReviewItem.objects.filter(pk=a.pk).update(reasons=["reader_report", "mostly_ai_content"])
    rows = forum.http.get("/api/v1/review-items?reason=reader_report").json()["results"]
    assert [r["id"] for r in rows] == [str(a.public_id)]
    review_item_claim(item_id=b.pk, actor=Actor.for_client(forum.client))
    rows = forum.http.get("/api/v1/review-items?status=claimed").json()["results"]
    assert [r["id"] for r in rows] == [str(b.public_id)]
    response = forum.http.get("/api/v1/review-items?status=bogus")
    assert response.status_code == 400 and error_fields(response) == ["status"]


def test_cursor_pagination_walks_every_item_once(forum, make_queued):
    items = [make_queued(f"p{i}") for i in range(5)]
    seen, url = [], "/api/v1/review-items?page_size=2"
    while url:
        page = forum.http.get(url).json()
        assert len(page["results"]) <= 2
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(str(i.public_id) for i in items)
    assert forum.http.get("/api/v1/review-items?cursor=garbage").status_code == 404


@pytest.mark.parametrize("ordering", ["-priority", "priority", "-priority,created_at"])
def test_walking_the_pages_of_a_client_chosen_order_returns_every_item_once(forum, make_queued, ordering):
    """``ordering=-priority`` (the docs' own example) had no tie-breaker: among items of equal priority each page
    query returned its own order, so the walk skipped an item and returned another twice."""
    items = [make_queued(f"t{i}") for i in range(12)]
    ReviewItem.objects.filter(pk__in=[i.pk for i in items]).update(priority=40)
    seen, url = [], f"/api/v1/review-items?page_size=2&ordering={ordering}"
    while url:
        page = forum.http.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 12
    assert set(seen) == {str(i.public_id) for i in items}


def test_items_leaving_the_filter_between_pages_make_the_walk_skip_none(forum, make_queued):
    """The cursor held the first ordering field and an offset among equal ones: with most items at one
    priority, claiming three items of page 1 shifted the offset and the walk of the open items skipped three."""
    items = [make_queued(f"s{i}") for i in range(13)]
    ReviewItem.objects.filter(pk__in=[i.pk for i in items]).update(priority=30)
    first = forum.http.get("/api/v1/review-items?page_size=5&status=open&ordering=-priority").json()
    for row in first["results"][:3]:
        item = ReviewItem.objects.get(public_id=row["id"])
        review_item_claim(item_id=item.pk, actor=Actor.for_client(forum.client))
    seen, url = [], first["next"]
    while url:
        page = forum.http.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    remaining = {str(i.public_id) for i in items} - {row["id"] for row in first["results"]}
    assert set(seen) == remaining and len(seen) == len(remaining) == 8


def test_previous_returns_exactly_the_page_before(forum, make_queued):
    """From the last page, `previous` jumped to another run of equal priorities and skipped items."""
    items = [make_queued(f"b{i}") for i in range(22)]
    for index, item in enumerate(items):
        ReviewItem.objects.filter(pk=item.pk).update(priority=[30, 30, 30, 10, 0][index % 5])
    pages, url = [], "/api/v1/review-items?page_size=3&ordering=-priority"
    while url:
        page = forum.http.get(url).json()
        pages.append([row["id"] for row in page["results"]])
        url = page["next"]
    assert sum(len(p) for p in pages) == 22
    last, url = None, "/api/v1/review-items?page_size=3&ordering=-priority"
    while url:  # to the last page
        last = forum.http.get(url).json()
        url = last["next"]
    back, url = [], last["previous"]
    while url:
        page = forum.http.get(url).json()
        back.append([row["id"] for row in page["results"]])
        url = page["previous"]
    assert back == pages[-2::-1]


def _cursor(query: str) -> str:
    import base64
    from urllib.parse import quote

    return quote(base64.b64encode(query.encode()).decode())


@pytest.mark.parametrize("position,ordering", [
    ("p=abc", ""), ("p=2026-01-01", ""), ("p=", ""), ("p=\0", ""), ("p=1e999", ""), ("o=1&p=x", ""),
    ("p=abc", "created_at"), ("p=12", "-created_at"), ("r=1&p=2026-13-45", "created_at"), ("p=\0", "created_at")])
def test_a_hand_made_cursor_the_ordering_cannot_read_is_an_invalid_cursor_not_a_crash(forum, make_queued,
                                                                                        position, ordering):
    make_queued("p")
    response = forum.http.get(f"/api/v1/review-items?cursor={_cursor(position)}&ordering={ordering}")
    assert response.status_code == 404, response.content[:200]
    assert response.json() == {"errors": [{"field": "", "message": "Invalid cursor"}]}


def _json_cursor(data) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize("data", [
    {"k": ["x", "2026-01-01T00:00:00+00:00", 1], "r": 0},      # a priority that is not a number
    {"k": [30, "yesterday", 1], "r": 0},                       # a date that is not one
    {"k": [30, "2026-01-01T00:00:00+00:00"], "r": 0},          # a value short
    {"k": [30, "2026-01-01T00:00:00+00:00", 1], "r": 2},       # neither forwards nor backwards
    {"k": [None, "2026-01-01T00:00:00+00:00", 1], "r": 0},     # a null where the key has none
    {"k": [[30], "2026-01-01T00:00:00+00:00", 1], "r": 0},     # a list for a number
    {"k": [30, "2026-01-01T00:00:00+00:00", True], "r": 0},    # a boolean for an id
    {"v": [30], "r": 0}, [30, 1], "30",
    {"k": [30, "9999-12-31T23:59:59-14:00", 1], "r": 0},     # a date past year 9999 in UTC
    {"k": [30, "0001-01-01T00:00:00+14:00", 1], "r": 1}])    # a date before year 1 in UTC
def test_a_keyset_cursor_with_values_the_ordering_cannot_read_is_an_invalid_cursor(forum, make_queued, data):
    make_queued("p")
    response = forum.http.get(f"/api/v1/review-items?cursor={_json_cursor(data)}")
    assert response.status_code == 404, response.content[:200]
    assert response.json() == {"errors": [{"field": "", "message": "Invalid cursor"}]}


@pytest.mark.parametrize("data,ordering", [
    ({"k": [20, 7], "r": 0, "p": 1}, "-priority"),                     # a key the API never writes
    ({"k": [20, 1.5], "r": 0}, "-priority"),                           # a decimal id
    ({"k": [20.0, 7], "r": 0}, "-priority"),                           # a priority written as a decimal
    ({"k": [20, 1e20], "r": 0}, "-priority"),                          # a huge decimal id
    ({"k": [20, 10**20], "r": 0}, "-priority"),                        # an id past the column's range
    ({"k": [2**31, 7], "r": 0}, "-priority"),                          # a priority past the column's range
    ({"k": ["20", 7], "r": 0}, "-priority"),                           # a number as a string
    ({"k": [20, 7], "r": True}, "-priority"),                          # a boolean for the direction
    ({"k": [20, 7], "r": 1.0}, "-priority"),                           # a decimal for the direction
    ({"k": ["2026-01-01T00:00:00+00:00\u0000", 7], "r": 0}, "created_at"),  # a NUL after the time
    ({"k": ["2026-01-01 00:00:00+00:00", 7], "r": 0}, "created_at"),   # a time the API writes otherwise
    ({"k": ["2026-01-01T00:00:00", 7], "r": 0}, "created_at"),         # a time without its offset
])
def test_a_cursor_the_api_could_not_have_written_is_an_invalid_cursor(forum, make_queued, data, ordering):
    """Each key and value as the API writes them, or 404: an extra key, a decimal or a huge number, or a
    timestamp with a NUL in it were read as a cursor (200)."""
    make_queued("p")
    response = forum.http.get(f"/api/v1/review-items?cursor={_json_cursor(data)}&ordering={ordering}")
    assert response.status_code == 404, response.content[:200]
    assert response.json() == {"errors": [{"field": "", "message": "Invalid cursor"}]}


def test_the_first_and_last_page_validate_against_the_published_openapi_3_1_schema(forum, make_queued):
    """``next``/``previous`` are null at the ends of the list; OpenAPI 3.1 says so with a type list (3.0's
    ``nullable`` means nothing in 3.1, and clients generated from it typed the links as never null)."""
    import jsonschema

    make_queued("p")
    schema = forum.http.get("/api/v1/schema", HTTP_ACCEPT="application/json").json()
    page = forum.http.get("/api/v1/review-items").json()
    assert page["next"] is None and page["previous"] is None
    for name in ("PaginatedReviewItemOutList", "PaginatedDeliveryOutList"):
        assert "nullable" not in str(schema["components"]["schemas"][name])
    jsonschema.Draft202012Validator({"$ref": "#/components/schemas/PaginatedReviewItemOutList",
                                     "components": schema["components"]}).validate(page)


def test_a_cursor_the_api_wrote_still_reads_after_the_check(forum, make_queued):
    items = [make_queued(f"p{i}") for i in range(3)]
    seen, url = [], "/api/v1/review-items?page_size=1&ordering=created_at"
    while url:
        page = forum.http.get(url)
        assert page.status_code == 200
        seen += [row["id"] for row in page.json()["results"]]
        url = page.json()["next"]
    assert seen == [str(i.public_id) for i in items]


@pytest.mark.parametrize("query,field", [("ordering=bogus", "ordering"), ("ordering=priority,bogus", "ordering"),
                                         ("ordering=--priority", "ordering"), ("page_size=abc", "page_size"),
                                         ("page_size=-1", "page_size"), ("page_size=0", "page_size"),
                                         ("page_size=1.5", "page_size")])
def test_an_ordering_or_page_size_the_list_cannot_use_is_a_400_naming_it(forum, make_queued, query, field):
    make_queued("p")
    response = forum.http.get(f"/api/v1/review-items?{query}")
    assert response.status_code == 400 and error_fields(response) == [field]


def test_a_page_size_over_the_maximum_is_capped_and_a_blank_ordering_is_the_default(forum, make_queued):
    make_queued("p")
    assert forum.http.get("/api/v1/review-items?page_size=5000").status_code == 200
    assert forum.http.get("/api/v1/review-items?ordering=").status_code == 200
    assert forum.http.get("/api/v1/review-items?ordering=priority,-created_at").status_code == 200


def test_claim_then_decide(forum, make_queued):
    item = make_queued("p")
    response = forum.http.post(f"/api/v1/review-items/{item.public_id}/claim", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "claimed" and response.json()["claimed_by"] == "api:forum-a"
    version = response.json()["version"]
    response = forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                               {"action": "approve", "version": version}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "decided" and response.json()["decision"]["action"] == "approve"
    assert response.json()["submission"]["status"] == "approved"
    verbs = list(Action.objects.filter(item=item).order_by("at", "id").values_list("verb", "actor_label"))
    assert verbs[-2:] == [("claim", "api:forum-a"), ("approve", "api:forum-a")]


def test_decide_with_a_stale_version_is_409(forum, make_queued):
    item = make_queued("p")
    stale = item.version
    forum.http.post(f"/api/v1/review-items/{item.public_id}/claim", {}, format="json")
    response = forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                               {"action": "reject", "reason": "spam", "version": stale}, format="json")
    assert response.status_code == 409
    assert response.json()["current_version"] == stale + 1
    assert ReviewItem.objects.get(pk=item.pk).status == "claimed"


def test_a_hide_without_a_reason_is_refused_with_the_field(forum, make_queued):
    """The author's statement of reasons must say why a post was hidden: it said nothing."""
    item = make_queued("h")
    response = forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                               {"action": "hide", "version": item.version}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "reason"
    assert ReviewItem.objects.get(pk=item.pk).status == "open"


def test_a_stale_version_names_no_web_moderator_to_an_api_client(forum, make_queued, make_user):
    """The refusal says what changed the item; to another forum a person of the host is "a moderator", never
    their username (found by review)."""
    from moderation.services.review import Actor, review_item_claim, review_item_release

    alice = make_user("alice.secret.username", standing="trusted", is_staff=True, moderator=True)
    item = make_queued("s")
    review_item_claim(item_id=item.pk, actor=Actor.for_user(alice), expected_version=item.version)
    review_item_release(item_id=item.pk, actor=Actor.for_user(alice), expected_version=item.version + 1)
    response = forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                               {"action": "approve", "version": item.version}, format="json")
    message = response.json()["errors"][0]["message"]
    assert response.status_code == 409 and message.startswith("A moderator changed this item")
    assert "alice" not in response.content.decode()


def test_deciding_twice_is_409(forum, make_queued):
    item = make_queued("p")
    first = forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                            {"action": "hide", "version": item.version, "message": "Hidden while we check."}, format="json")
    assert first.status_code == 200
    again = forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                            {"action": "approve", "version": first.json()["version"]}, format="json")
    assert again.status_code == 409
    assert "decided" in again.json()["errors"][0]["message"]


def test_item_claimed_by_a_web_moderator_cannot_be_taken(forum, make_queued, moderator):
    item = make_queued("p")
    claimed = review_item_claim(item_id=item.pk, actor=Actor.for_user(moderator))
    response = forum.http.post(f"/api/v1/review-items/{item.public_id}/claim", {"version": claimed.version},
                               format="json")
    # the version the answer gives is the stored one: it said one more, which does not exist, so a client
    # retrying with it got another 409
    assert response.status_code == 409 and response.json()["current_version"] == claimed.version
    response = forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                               {"action": "approve", "version": claimed.version}, format="json")
    assert response.status_code == 409 and response.json()["current_version"] == claimed.version
    assert ReviewItem.objects.get(pk=item.pk).version == claimed.version


def test_a_decision_on_a_revision_the_item_no_longer_shows_gives_the_stored_version(forum, make_queued):
    item = make_queued("p")
    response = forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                               {"action": "approve", "version": item.version, "revision": 7}, format="json")
    assert response.status_code == 409 and "revision" in response.json()["errors"][0]["message"]
    assert response.json()["current_version"] == item.version == ReviewItem.objects.get(pk=item.pk).version


@pytest.mark.parametrize("payload, field", [
    ({"action": "burn", "version": 1}, "action"),
    ({"action": "approve"}, "version"),
    ({"action": "approve", "version": 0}, "version"),
    ({"action": "reject", "version": 1}, "reason"),
    ({"action": "approve", "version": 1, "template": "no-such-template"}, "template"),
    ({"action": "approve", "version": 1, "label": "robot"}, "label"),
])
def test_invalid_decision_is_400(forum, make_queued, payload, field):
    item = make_queued("p")
    response = forum.http.post(f"/api/v1/review-items/{item.public_id}/decision", payload, format="json")
    assert response.status_code == 400
    assert error_fields(response) == [field]
    assert ReviewItem.objects.get(pk=item.pk).status == "open"


def test_claim_with_stale_version_is_409(forum, make_queued):
    item = make_queued("p")
    response = forum.http.post(f"/api/v1/review-items/{item.public_id}/claim", {"version": item.version + 5},
                               format="json")
    assert response.status_code == 409


@pytest.mark.parametrize("version", ["1", 1.0, True])
def test_a_version_that_is_not_a_json_integer_is_400_on_that_field(forum, make_queued, version):
    item = make_queued("p")
    response = forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                               {"action": "approve", "version": version}, format="json")
    assert response.status_code == 400
    assert "version" in str(response.json())
    assert ReviewItem.objects.get(pk=item.pk).status == item.status



def test_an_approval_with_a_rejection_template_is_400_and_tells_the_author_nothing(forum, make_queued):
    """It was approved, and the author's notification carried the rejection template's text."""
    from moderation.models import Notification, RejectionTemplate

    RejectionTemplate.objects.create(code="low-effort-ai", title="Low effort", message="Please rewrite it.")
    item = make_queued("p")
    response = forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                               {"action": "approve", "version": item.version, "template": "low-effort-ai"},
                               format="json")
    assert response.status_code == 400
    assert error_fields(response) == ["template"]
    assert ReviewItem.objects.get(pk=item.pk).status == "open"
    assert not Notification.objects.filter(submission=item.submission, verb="review.approve").exists()


def test_the_decided_event_carries_the_items_version_after_the_decision(forum, make_queued):
    """It carried the version before the decision: one behind what the decision's response and GET said."""
    from moderation.models import OutboxEvent

    item = make_queued("v")
    claimed = forum.http.post(f"/api/v1/review-items/{item.public_id}/claim", {"version": item.version},
                              format="json").json()
    decided = forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                              {"action": "approve", "version": claimed["version"]}, format="json").json()
    event = OutboxEvent.objects.filter(type="review.decided").latest("id")
    assert event.payload["data"]["review_item"]["version"] == decided["version"] == ReviewItem.objects.get(
        pk=item.pk).version


def test_the_decided_event_names_the_revision_the_decision_was_about(forum, make_queued):
    """GET /submissions/{id} gives decision.revision; the review.decided event did not."""
    from moderation.models import OutboxEvent

    item = make_queued("r")
    decided = forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                              {"action": "hide", "version": item.version, "message": "Hidden while we check."}, format="json")
    assert decided.status_code == 200
    event = OutboxEvent.objects.filter(type="review.decided").latest("id")
    detail = forum.http.get(f"/api/v1/submissions/{event.payload['data']['id']}").json()
    assert event.payload["data"]["decision"]["revision"] == detail["decision"]["revision"] == item.revision.number


def test_an_item_on_a_version_someone_else_saved_names_its_editor(forum, submit, make_queued):
    """A moderator driving the queue through the API saw the editor nowhere (only the web item page said it)."""
    item = make_queued("ed")
    edited = post_payload("ed", standing="new", disclosure=QUEUED_DISCLOSURE,
                          body="A post with a section the model drafted, which I edited (typo fixed).")
    edited["editor"] = {"external_id": "mod-3", "display_name": "Mo"}
    assert submit(forum, edited).status_code == 202

    rows = forum.http.get("/api/v1/review-items?status=open").json()["results"]
    (row,) = [r for r in rows if r["id"] == str(item.public_id)]
    assert (row["revision"], row["edited_by"]) == (2, {"external_id": "mod-3", "display_name": "Mo"})
    assert "edited_by_other" in row["reasons"]
