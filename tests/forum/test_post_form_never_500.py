"""Whatever a client posts to the editor, the answer is a redirect (saved) or a 400 with messages — never a
500, and never a half-written post."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.models import Post
from moderation.models import Revision, Submission

pytestmark = pytest.mark.django_db

LINES = [':::ai-written model="M"', ":::", "::::ai-written", "::::", '%%% llm-output model="L"', "%%% /llm-output",
         "+++ Title", "+++", "```", "> quoted", "    indented", '<section data-ai-written data-model="H">',
         "</section>", '<div class="llm-content-block">', "</div>", "Plain words.", "", "\r", "<script>x</script>"]
bodies = st.lists(st.one_of(st.sampled_from(LINES), st.text(max_size=20)), max_size=8).map("\n".join)
values = st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["", "on", "minor", "substantial", "most",
                                                                     "0", "30", "100", "101", "-1", "1e3"]))
forms = st.fixed_dictionaries({
    "title": st.one_of(st.text(max_size=40), st.just("A title")),
    "format": st.sampled_from(["markdown", "html", "rtf", ""]),
    "body": bodies,
    "human_only": values, "assist_drafting": values, "assist_research": values, "tools": values,
    "ai_share_percent": values, "process": st.one_of(values, st.just("x" * 60)), "verification": values,
})


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(forms)
def test_any_submission_is_saved_or_refused_with_400(client, author, category, data):
    client.force_login(author)
    data = {k: v for k, v in data.items() if v is not None}
    data["category"] = str(category.pk)
    before = (Post.objects.count(), Submission.objects.count(), Revision.objects.count())

    response = client.post("/posts/new/", data)

    assert response.status_code in (302, 400)
    after = (Post.objects.count(), Submission.objects.count(), Revision.objects.count())
    if response.status_code == 400:
        assert after == before
    else:
        assert after == tuple(n + 1 for n in before)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(bodies, st.sampled_from(["markdown", "html", "rtf"]))
def test_the_preview_answers_200_or_400(client, author, body, fmt):
    client.force_login(author)

    response = client.post("/disclosure/preview/", {"body": body, "format": fmt})

    assert response.status_code in (200, 400)


@pytest.mark.parametrize("value", ["%00", "a%00b", "%ED%A0%80", "tide pools"])
def test_a_category_parameter_that_is_no_slug_is_ignored_by_the_listing_and_the_editor(client, author, category,
                                                                                     make_post, value):
    """Found by review: ``?category=%00`` answered 500 on PostgreSQL (NUL in a text lookup), on the front page
    with no login needed."""
    make_post(title="A post about moss")
    listing = client.get(f"/?category={value}")
    assert listing.status_code == 200 and "A post about moss" in listing.content.decode()  # unfiltered
    client.force_login(author)
    assert client.get(f"/posts/new/?category={value}").status_code == 200
    assert client.get(f"/?category={category.slug}").status_code == 200
