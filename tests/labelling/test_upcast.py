"""Disclosure schema v2 reads version-1 revisions unchanged."""
import pytest

from disclosure.schema import SCHEMA_VERSION, load_stored, upcast, validate_disclosure
from moderation.selectors.labels import submission_label

V1 = {"schema_version": 1, "human_only": False, "assistance": [{"kind": "editing", "extent": "substantial"}],
      "tools": ["Claude"], "ai_share_percent": 10, "process": "The assistant restructured two paragraphs for me.",
      "verification": ""}


def test_v1_upcasts_to_v2_with_everything_else_unchanged():
    upcast_v1 = upcast(V1)
    assert upcast_v1["schema_version"] == SCHEMA_VERSION == 2
    assert upcast_v1["human_review"] is None
    assert {k: v for k, v in upcast_v1.items() if k not in ("schema_version", "human_review")} == \
        {k: v for k, v in V1.items() if k != "schema_version"}
    assert V1["schema_version"] == 1  # the stored value is not modified


def test_v1_input_still_validates_and_unknown_versions_are_refused():
    disclosure, errors = validate_disclosure(V1)
    assert errors == [] and disclosure.human_review is None
    _, errors = validate_disclosure({**V1, "schema_version": 7})
    assert errors[0].field == "schema_version"


def test_v1_cannot_smuggle_v2_fields_as_unknown_fields():
    _, errors = validate_disclosure({**V1, "reviewed_by": "someone"})
    assert errors and errors[0].field == "reviewed_by"


@pytest.mark.django_db
def test_a_stored_v1_revision_is_read_through_the_upcaster(make_post):
    post = make_post(disclosure={k: v for k, v in V1.items() if k != "schema_version"})
    revision = post.submission.current_revision
    type(revision).objects.filter(pk=revision.pk).update(disclosure=V1, disclosure_version=1)
    revision.refresh_from_db()
    assert load_stored(revision.disclosure).schema_version == 2
    label = submission_label(post.submission, revision)
    assert (label.grade.grade, label.grade.eu_variant) == ("ai_modified", "ai_modified")
