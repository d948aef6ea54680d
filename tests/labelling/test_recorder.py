"""AI tools in the editor record their help; the disclosure form arrives pre-filled; the author confirms."""
import pytest

import disclosure
from disclosure.recorder import RecorderError, draft_create, draft_prefill

pytestmark = pytest.mark.django_db


def test_recorded_help_merges_to_the_largest_extent_per_kind():
    draft = draft_create(owner_key="user:1")
    disclosure.record_assistance(draft, kind="editing", extent="minor", tool="Rewrite button")
    disclosure.record_assistance(draft, kind="editing", extent="substantial", tool="Rewrite button")
    disclosure.record_assistance(draft.public_id, kind="translation", extent="minor", tool="DeepL")
    draft.refresh_from_db()
    assert len(draft.events) == 3
    assert draft_prefill(draft) == {
        "human_only": False,
        "assistance": [{"kind": "editing", "extent": "substantial"}, {"kind": "translation", "extent": "minor"}],
        "tools": ["Rewrite button", "DeepL"],
    }


@pytest.mark.parametrize("kwargs, field", [
    ({"kind": "telepathy", "extent": "minor"}, "kind"),
    ({"kind": "editing", "extent": "a lot"}, "extent"),
    ({"kind": "editing", "extent": "minor", "tool": ""}, "tool"),
])
def test_bad_recordings_are_refused_with_the_field_named(kwargs, field):
    draft = draft_create(owner_key="user:1")
    with pytest.raises(RecorderError) as error:
        disclosure.record_assistance(draft, **kwargs)
    assert error.value.field == field
    draft.refresh_from_db()
    assert draft.events == []


def test_the_editor_prefills_the_disclosure_from_the_authors_draft(client, author, category):
    draft = draft_create(owner_key=f"user:{author.pk}")
    disclosure.record_assistance(draft, kind="translation", extent="substantial", tool="DeepL")
    client.force_login(author)
    page = client.get(f"/posts/new/?draft={draft.public_id}").content.decode()
    assert '<option value="substantial" selected>' in page.split('name="assist_translation"')[1].split("</select>")[0]
    assert 'value="DeepL"' in page
    assert "pre-filled" in page


def test_someone_elses_draft_prefills_nothing(client, author, make_user, category):
    draft = draft_create(owner_key="user:999999")
    disclosure.record_assistance(draft, kind="translation", extent="substantial", tool="DeepL")
    client.force_login(author)
    page = client.get(f"/posts/new/?draft={draft.public_id}").content.decode()
    assert 'value="DeepL"' not in page
    assert client.get("/posts/new/?draft=not-a-uuid").status_code == 200
