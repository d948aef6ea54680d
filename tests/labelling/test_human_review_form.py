"""The disclosure form records human review and editorial responsibility (schema v2)."""

from disclosure.forms import DisclosureForm

PROCESS = "The model drafted most of the text from my notes; I edited it carefully."


def form_data(**extra):
    return {"assist_drafting": "most", "ai_share_percent": "80", "process": PROCESS, **extra}


def test_review_is_stored_with_who_holds_responsibility():
    form = DisclosureForm(form_data(reviewed="on", responsible="The news desk"), body="Plain text.")
    assert form.is_valid(), form.errors
    assert form.to_data()["human_review"] == {"reviewed": True, "responsible": "The news desk"}


def test_review_without_a_responsible_person_is_an_error_on_that_field():
    form = DisclosureForm(form_data(reviewed="on"), body="Plain text.")
    assert not form.is_valid()
    assert "name who holds editorial responsibility" in form.errors["responsible"][0]


def test_no_review_means_no_human_review_key():
    form = DisclosureForm(form_data(), body="Plain text.")
    assert form.is_valid(), form.errors
    assert "human_review" not in form.to_data()


def test_editing_prefills_the_review():
    initial = DisclosureForm.initial_from({"schema_version": 2, "human_only": False,
                                           "assistance": [{"kind": "drafting", "extent": "most"}],
                                           "ai_share_percent": 80, "process": PROCESS,
                                           "human_review": {"reviewed": True, "responsible": "Desk"}})
    assert initial["reviewed"] is True and initial["responsible"] == "Desk"
