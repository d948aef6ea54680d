"""One label, consistent everywhere: the badge, the EU variant, the IPTC type, the JSON-LD and the page's
``ai-disclosure`` meta all follow one label value, whatever its source (author, classifier, moderator). A
moderator's label is locked and survives the author's edits; a classifier-derived label is shown only when
the operator opts in and is dropped when the text changes; refused labels are 400 with a field error."""
from __future__ import annotations

import json

import pytest
from django.urls import reverse

from disclosure.grades import grade_named
from disclosure.labels import IPTC_BASE, IPTC_BY_GRADE, LABELS, derive_label, value_from_grade
from disclosure.schema import Disclosure
from forum.services import post_update
from moderation.models import ReviewItem, Submission
from moderation.selectors.labels import submission_label
from moderation.services.review import Actor, ReviewActionInvalid, review_item_approve, review_item_decide
from tests.forum.conftest import AI_BODY, parse_html

pytestmark = pytest.mark.django_db

MOSTLY_AI = {"human_only": False, "assistance": [{"kind": "drafting", "extent": "most"}], "tools": ["Claude"],
             "ai_share_percent": 80, "process": "The model drafted most of it from my outline; I edited it."}
DISCLOSURES = [None, {"human_only": True}, MOSTLY_AI,
               {**MOSTLY_AI, "assistance": [{"kind": "editing", "extent": "minor"}], "ai_share_percent": 5}]


@pytest.mark.parametrize("source", ["moderator", "classifier"])
@pytest.mark.parametrize("value", sorted(LABELS))
@pytest.mark.parametrize("declared", DISCLOSURES)
def test_every_view_of_a_label_follows_its_value_for_every_source(source, value, declared):
    disclosure = Disclosure.model_validate(declared) if declared else None
    label = derive_label(disclosure=disclosure, has_ai_blocks=False, override_value=value, override_source=source,
                         locked=source == "moderator")

    assert (label.value, label.source, label.text) == (value, source, LABELS[value])
    assert value_from_grade(label.grade) == value
    assert label.grade.eu_variant == grade_named(value).eu_variant
    iptc = IPTC_BY_GRADE[label.grade.grade]
    assert label.iptc_uri == (f"{IPTC_BASE}{iptc}" if iptc else None)


@pytest.mark.parametrize("declared", DISCLOSURES)
def test_the_authors_own_label_agrees_with_its_grade(declared):
    """The author is the source only of what they declared: no disclosure is ``not_disclosed`` from ``none``."""
    label = derive_label(disclosure=Disclosure.model_validate(declared) if declared else None)
    assert label.source == ("author" if declared else "none") and value_from_grade(label.grade) == label.value


@pytest.fixture
def moderator_actor(moderator):
    return Actor.for_user(moderator)


def item_for(post):
    submission = Submission.objects.get(pk=post.submission_id)
    return ReviewItem.objects.filter(submission=submission).exclude(status="decided").first() or \
        ReviewItem.objects.create(submission=submission, revision=submission.current_revision,
                                  reasons=["reader_report"])


def test_a_human_written_label_on_an_ai_declared_post_is_human_everywhere(client, make_post, moderator_actor,
                                                                         make_user):
    post = make_post(body="Every word mine, whatever I ticked.", disclosure=MOSTLY_AI)
    review_item_approve(item_id=item_for(post).pk, actor=moderator_actor, label="human_only")
    client.force_login(make_user("reader"))

    page = parse_html(client.get(reverse("forum:post_detail", args=[post.public_id])).content)

    assert page.find("span", class_="ai-label").attrs["data-label"] == "human_only"
    assert page.find("aside", class_="eu-label").attrs["data-eu-variant"] == "none"
    data = json.loads(page.find("script", type="application/ld+json").text())
    assert data["digitalSourceType"] == IPTC_BASE + "digitalCreation"
    assert data["additionalProperty"]["value"] == "human_only"
    assert page.find("meta", name="ai-disclosure").attrs["content"] == "none"


def test_a_moderators_label_is_locked_through_the_authors_edits(make_post, moderator_actor):
    post = make_post(body="By hand.")
    review_item_approve(item_id=item_for(post).pk, actor=moderator_actor, label="ai_generated")

    post_update(post=post, category=post.category, title="Edited", body="By hand, honestly, all of it.",
                disclosure_data={"human_only": True})

    submission = Submission.objects.get(pk=post.submission_id)
    assert submission.current_revision.number == 2
    label = submission_label(submission)
    assert (label.value, label.source, label.locked) == ("ai_generated", "moderator", True)


@pytest.mark.parametrize("action, label, message", [
    ("approve", "not_disclosed", "cannot be applied by a moderator"),
    ("hide", "robot", "Unknown label"),
])
def test_refused_labels_name_the_label_field(make_post, moderator_actor, action, label, message):
    post = make_post()
    item = item_for(post)
    with pytest.raises(ReviewActionInvalid) as refused:
        review_item_decide(item_id=item.pk, actor=moderator_actor, action=action, label=label,
                           reason="undisclosed-ai")
    assert refused.value.field == "label" and message in refused.value.message
    assert ReviewItem.objects.get(pk=item.pk).status == "open"


CLASSIFIER = "tests.moderation.classifiers.KeywordClassifier"
DELVE = "Let us delve into the many facets of this topic, which is important to understand for everyone."


def test_a_classifier_label_is_shown_only_when_the_operator_opts_in(settings, make_post):
    from moderation.services.evaluation import revision_evaluate

    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": [CLASSIFIER]}
    quiet = make_post(title="Quiet", body=DELVE)
    revision_evaluate(revision_id=quiet.submission.current_revision_id)
    assert submission_label(Submission.objects.get(pk=quiet.submission_id)).source == "author"

    settings.MODERATION = {**settings.MODERATION, "CLASSIFIER_LABEL": {"enabled": True, "min_score": 0.5}}
    shown = make_post(title="Shown", body=DELVE)
    revision_evaluate(revision_id=shown.submission.current_revision_id)
    label = submission_label(Submission.objects.get(pk=shown.submission_id))
    assert (label.value, label.source, label.locked) == ("ai_assisted", "classifier", False)
    assert label.grade.grade == "ai_assisted" and label.iptc_uri.endswith("compositeWithTrainedAlgorithmicMedia")

    post_update(post=shown, category=shown.category, title="Shown", body="I rewrote it all by hand, no fancy words.",
                disclosure_data={"human_only": True})
    revision_evaluate(revision_id=Submission.objects.get(pk=shown.submission_id).current_revision_id)
    assert submission_label(Submission.objects.get(pk=shown.submission_id)).source == "author"


def test_a_classifier_label_never_replaces_a_moderators(settings, make_post, moderator_actor):
    from moderation.services.evaluation import revision_evaluate

    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": [CLASSIFIER],
                           "CLASSIFIER_LABEL": {"enabled": True, "min_score": 0.5}}
    post = make_post(body=DELVE)
    revision_evaluate(revision_id=post.submission.current_revision_id)
    review_item_approve(item_id=item_for(post).pk, actor=moderator_actor, label="human_only")
    post_update(post=post, category=post.category, title="Again", body=DELVE + " Delve again.",
                disclosure_data={"human_only": True})
    revision_evaluate(revision_id=Submission.objects.get(pk=post.submission_id).current_revision_id)

    label = submission_label(Submission.objects.get(pk=post.submission_id))
    assert (label.value, label.source) == ("human_only", "moderator")


def test_ai_blocks_carry_the_explainers_element_level_attributes(client, make_post, make_user):
    post = make_post(body=AI_BODY, disclosure={**MOSTLY_AI, "ai_share_percent": 30,
                                               "assistance": [{"kind": "drafting", "extent": "substantial"}]})
    client.force_login(make_user("reader"))
    page = parse_html(client.get(reverse("forum:post_detail", args=[post.public_id])).content)

    block = page.find("section", class_="ai-block")
    assert block.attrs["aidisclosure"] == "ai-generated" and block.attrs["aimodel"] == "Claude Opus 4.5"
    meta = page.find("meta", name="ai-disclosure")
    assert meta.attrs["content"] == "ai-assisted" and meta.attrs["data-grade"] == submission_label(
        Submission.objects.get(pk=post.submission_id)).grade.grade


def test_an_authors_markup_cannot_claim_a_section_is_human_written(client, make_post, make_user):
    body = '<section aidisclosure="none"><p>Mine, I promise.</p></section><section data-ai-written data-model="X">AI</section>'
    post = make_post(body=body, fmt="html", disclosure={**MOSTLY_AI, "ai_share_percent": 30,
                                                        "assistance": [{"kind": "drafting", "extent": "substantial"}]})
    client.force_login(make_user("reader"))
    html = client.get(reverse("forum:post_detail", args=[post.public_id])).content.decode()

    assert 'aidisclosure="none"' not in html
    assert html.count('aidisclosure="ai-generated"') == 1
