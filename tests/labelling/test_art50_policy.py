"""EU AI Act Art. 50 in the policy: in public-interest categories, AI text that would be published without
the label it needs, and with no person holding editorial responsibility, waits for a moderator."""
import pytest

from disclosure.schema import load_stored
from moderation.policy.engine import policy_build
from moderation.policy.inputs import PolicyInput
from tests.moderation.test_policy_table import AUTHOR_AI, AUTHOR_HUMAN, CONSISTENCY, DRAFTING_MOST, HUMAN

pytestmark = pytest.mark.django_db

REVIEWED_MOST = {**DRAFTING_MOST, "human_review": {"reviewed": True, "responsible": "The news desk"}}
EDITED_MINOR_REVIEWED = {"human_only": False, "assistance": [{"kind": "editing", "extent": "minor"}],
                         "process": "The assistant corrected my grammar; every sentence is mine.",
                         "human_review": {"reviewed": True, "responsible": "The news desk"}}


def decide(disclosure, results, *, public_interest=True, standing="trusted"):
    data = PolicyInput(disclosure=load_stored(disclosure) if disclosure is not None else None, standing=standing,
                       category="news", results=results, public_interest=public_interest)
    return policy_build().decide(data)


@pytest.mark.parametrize("name, disclosure, results, public_interest, held", [
    ("undeclared AI text in a public-interest category", HUMAN, [AUTHOR_AI], True, True),
    ("no disclosure at all, text reads as AI", None, [AUTHOR_AI], True, True),
    ("the consistency check says human-only is contradicted", HUMAN, [CONSISTENCY], True, True),
    ("the same post outside public-interest categories", HUMAN, [AUTHOR_AI], False, False),
    ("human text in a public-interest category", HUMAN, [AUTHOR_HUMAN], True, False),
    ("AI text declared, so labelled", DRAFTING_MOST, [AUTHOR_AI], True, False),
    ("AI text declared and reviewed", REVIEWED_MOST, [AUTHOR_AI], True, False),
    ("a low grade but a person holds editorial responsibility", EDITED_MINOR_REVIEWED, [AUTHOR_AI], True, False),
])
def test_art50_label_missing(name, disclosure, results, public_interest, held):
    decision = decide(disclosure, results, public_interest=public_interest)
    assert ("art50_label_missing" in decision.reasons) is held, name
    if held:
        assert decision.outcome == "hold"  # even for a trusted author
