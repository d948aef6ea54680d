"""Disclosure consistency: undisclosed AI is the offence, not AI use."""
from __future__ import annotations

import pytest

from disclosure.blocks import parse_body
from disclosure.schema import Disclosure
from moderation.classifiers.base import ClassifierOutput, PassageScore, Span
from moderation.classifiers.consistency import DisclosureConsistencyClassifier

HUMAN = ("We drove up the coast on Tuesday and the ferry was late again, so we ate chips on the harbour wall "
         "and watched a seal steal a fisherman's bait twice before anyone noticed what it was doing.")
AI = ("In conclusion, coastal travel offers a unique blend of scenic beauty, cultural richness, and opportunities "
      "for relaxation, making it an ideal choice for travellers seeking both adventure and tranquillity today.")
DECLARED = f':::ai-written model="Claude"\n{AI}\n:::'


def scored_by(name: str, body: str, probabilities: dict[str, float]) -> ClassifierOutput:
    """A classifier output scoring each given paragraph of ``body`` (found by its text)."""
    passages = []
    for text, probability in probabilities.items():
        start = body.index(text)
        passages.append(PassageScore(start=start, end=start + len(text), probability=probability))
    return ClassifierOutput(classifier=name, version="1", status="ok", score=max(probabilities.values()),
                            passages=passages)


def judge(body: str, disclosure: dict | None, *outputs: ClassifierOutput, **options) -> ClassifierOutput:
    parsed = parse_body(body)
    disclosure_model = Disclosure.model_validate(disclosure) if disclosure is not None else None
    return DisclosureConsistencyClassifier(**options).run(parsed.passages, disclosure_model, list(outputs))


def codes(output: ClassifierOutput) -> set[str]:
    return {f["code"] for f in output.details.get("findings", [])}


AI_ASSISTED = {"human_only": False, "assistance": [{"kind": "drafting", "extent": "substantial"}],
               "tools": ["Claude"], "ai_share_percent": 50,
               "process": "The model drafted the closing paragraph from my notes; I wrote the rest myself."}


def test_an_undeclared_ai_paragraph_in_a_human_only_post_is_flagged_with_its_offsets():
    body = f"{HUMAN}\n\n{AI}\n"
    output = judge(body, {"human_only": True}, scored_by("detector", body, {HUMAN: 0.1, AI: 0.93}))

    assert output.status == "ok"
    assert codes(output) == {"undisclosed_ai_passages", "human_only_contradicted", "declared_share_understated"}
    evidence = output.details["findings"][0]["evidence"]
    assert [body[e["start"]:e["end"]] for e in evidence] == [AI]
    assert output.score == 0.93


def test_ai_text_inside_a_declared_block_is_not_an_offence():
    body = f"{HUMAN}\n\n{DECLARED}\n"
    output = judge(body, AI_ASSISTED, scored_by("detector", body, {HUMAN: 0.1, AI: 0.95}))

    assert output.status == "ok" and codes(output) == set()
    assert output.score == 0.1, "only undeclared text counts towards the consistency score"


def test_a_declared_share_far_below_the_declared_blocks_is_understated():
    body = f"{HUMAN}\n\n{DECLARED}\n"
    understated = {**AI_ASSISTED, "ai_share_percent": 5}
    output = judge(body, understated, scored_by("detector", body, {HUMAN: 0.1, AI: 0.95}))

    assert codes(output) == {"declared_share_understated"}
    assert output.details["declared_ai_share_percent"] == 5
    assert output.details["estimated_ai_share_percent"] >= 45


def test_unmarked_ai_text_that_the_declared_share_covers_is_reported_as_unmarked_not_undisclosed():
    body = f"{HUMAN}\n\n{AI}\n"
    output = judge(body, AI_ASSISTED, scored_by("detector", body, {HUMAN: 0.1, AI: 0.93}))

    assert codes(output) == {"ai_passages_unmarked"}


def test_classifiers_are_averaged_so_one_excited_classifier_does_not_flag_alone():
    body = f"{HUMAN}\n\n{AI}\n"
    outputs = [scored_by("a", body, {AI: 0.95}), scored_by("b", body, {AI: 0.3})]

    assert codes(judge(body, {"human_only": True}, *outputs)) == set()
    assert "undisclosed_ai_passages" in codes(judge(body, {"human_only": True}, *outputs, combine="max"))


def test_a_window_inside_a_passage_is_judged_on_its_own():
    """A passage of two paragraphs scored as one coarse result with finer spans: the spans decide."""
    body = f"{HUMAN}\n\n{AI}\n"
    start = body.index(AI)
    coarse = PassageScore(start=0, end=len(body) - 1, probability=0.5,
                          spans=[Span(start=0, end=len(HUMAN), probability=0.05),
                                 Span(start=start, end=start + len(AI), probability=0.97)])
    output = judge(body, None, ClassifierOutput(classifier="w", version="1", status="ok", score=0.5,
                                                passages=[coarse]))

    assert "undisclosed_ai_passages" in codes(output)
    assert [body[p.start:p.end] for p in output.passages if p.probability > 0.9] == [AI]


def test_a_short_passage_is_never_flagged():
    body = f"{HUMAN}\n\nIn conclusion, it is a delight.\n"
    output = judge(body, {"human_only": True}, scored_by("d", body, {"In conclusion, it is a delight.": 0.99}))

    assert codes(output) == set()
    assert [p.status for p in output.passages] == ["insufficient_evidence"]


@pytest.mark.parametrize("status", ["error", "insufficient_evidence"])
def test_without_a_usable_result_there_is_no_judgement(status):
    body = f"{HUMAN}\n"
    failed = ClassifierOutput(classifier="d", version="1", status=status, error="boom" if status == "error" else None)

    output = judge(body, {"human_only": True}, failed)

    assert output.status == "insufficient_evidence" and output.score is None


def test_the_flag_threshold_follows_the_operating_point_the_classifiers_report():
    body = f"{HUMAN}\n\n{AI}\n"
    cautious = scored_by("detector", body, {HUMAN: 0.1, AI: 0.93})
    cautious.details["threshold"] = 0.96

    assert codes(judge(body, {"human_only": True}, cautious)) == set()
    assert judge(body, {"human_only": True}, cautious).details["flag_threshold"] == 0.96
    assert "undisclosed_ai_passages" in codes(judge(body, {"human_only": True}, cautious, flag_threshold=0.9))
