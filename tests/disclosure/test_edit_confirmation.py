"""An edit asks its author to confirm the disclosure still holds, or to change it: a changed disclosure needs
no confirmation, and the same one written in another order or spacing is not a change."""
import pytest

from disclosure.forms import DisclosureForm

STORED = {"schema_version": 2, "human_only": False, "tools": ["DeepL", "Claude Opus 4.5"], "ai_share_percent": 10,
          "assistance": [{"kind": "translation", "extent": "minor"}, {"kind": "editing", "extent": "minor"}],
          "process": "I asked the model to fix my grammar  and DeepL to translate two quotes.", "verification": ""}
FORM = {"assist_editing": "minor", "assist_translation": "minor", "tools": "Claude Opus 4.5, DeepL",
        "ai_share_percent": "10", "process": "I asked the model to fix my grammar and DeepL to translate two quotes.",
        "verification": ""}


def errors(data):
    form = DisclosureForm(data, body="My text.", require_confirm=True, previous=STORED)
    form.is_valid()
    return set(form.errors)


def test_the_same_disclosure_in_another_order_and_spacing_still_asks_for_the_confirmation():
    assert errors(FORM) == {"confirm"}
    assert errors({**FORM, "confirm": "on"}) == set()


@pytest.mark.parametrize("change", [{"ai_share_percent": "20"}, {"assist_research": "minor", "verification": "I "
                                    "checked each source."}, {"tools": "Claude Opus 4.5"}])
def test_a_changed_disclosure_needs_no_confirmation(change):
    assert errors({**FORM, **change}) == set()
