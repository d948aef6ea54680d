"""A body is parsed once per revision and handed on: the form, the disclosure check, intake and the
evaluation that follows it all read one parse, and labels read what intake stored (before: three parses per
submit, three more per evaluation, and one per label, i.e. per row of the front page)."""
import pytest

from forum.models import Post

from .conftest import AI_BODY

pytestmark = pytest.mark.django_db


@pytest.fixture
def parses(monkeypatch):
    from disclosure import blocks

    seen = []
    real = blocks.parse_markdown

    def counting(body):
        seen.append(body)
        return real(body)

    monkeypatch.setattr(blocks, "parse_markdown", counting)
    blocks._RECENT.clear()
    return seen


def test_a_forum_submit_and_its_evaluation_parse_the_body_once(client, author, post_data, honest_ai_fields, parses,
                                                                django_capture_on_commit_callbacks):
    client.force_login(author)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/posts/new/", post_data(body=AI_BODY, **honest_ai_fields))

    assert response.status_code == 302 and callbacks  # the evaluation ran too
    revision = Post.objects.get().submission.current_revision
    assert revision.evaluated_at is not None
    assert parses.count(AI_BODY) == 1
    assert revision.has_ai_blocks is True


def test_labels_read_the_flag_intake_stored_and_never_parse(client, make_post, parses):
    from moderation.models import Submission
    from moderation.selectors.labels import submission_label

    post = make_post(body="Only my own words here.")
    Submission.objects.update(visible=True)
    parses.clear()

    assert client.get("/").status_code == 200
    label = submission_label(Submission.objects.get(pk=post.submission_id))

    assert parses == [] and label is not None
