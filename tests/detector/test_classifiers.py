from disclosure.blocks import Passage
from moderation.classifiers.statistical import StatisticalClassifier
from moderation.classifiers.stylometric import StylometricClassifier

from .fixtures import AI_TEXTS, HUMAN_TEXTS


def _passages(body_parts):
    body, passages, pos = "", [], 0
    for kind, text in body_parts:
        if body:
            body += "\n\n"
            pos += 2
        passages.append(Passage(start=pos, end=pos + len(text), kind=kind, text=text))
        body += text
        pos += len(text)
    return body, passages


def test_stylometric_classifier_scores_author_passages_with_body_offsets():
    body, passages = _passages([("author", HUMAN_TEXTS[0]), ("quote", "someone said this"),
                                ("declared_ai", AI_TEXTS[0]), ("author", AI_TEXTS[2])])
    out = StylometricClassifier().run(passages, None)
    assert out.classifier == "stylometric" and out.status == "ok", out.error
    assert out.score is not None
    kinds = [p.kind for p in out.passages]
    assert "quote" in kinds and "declared_ai" in kinds and "author" in kinds
    for p in out.passages:
        assert 0 <= p.start < p.end <= len(body)
        if p.kind == "quote":
            assert p.status == "skipped"
        if p.status == "ok":
            assert p.features and p.stage == "cheap"
    author_windows = [p for p in out.passages if p.kind == "author" and p.status == "ok"]
    assert author_windows
    for p in author_windows:
        assert body[p.start].isalnum()
    assert out.details["declared_ai_max"] is not None


def test_short_post_is_insufficient_evidence():
    _, passages = _passages([("author", "Thanks, this worked for me.")])
    out = StylometricClassifier().run(passages, None)
    assert out.status == "insufficient_evidence" and out.score is None


def test_cascade_without_lm_matches_cheap_stage():
    _, passages = _passages([("author", AI_TEXTS[1])])
    a = StylometricClassifier().run(passages, None)
    b = StatisticalClassifier(use_lm=False).run(passages, None)
    assert b.classifier == "statistical"
    assert a.score == b.score


def test_the_old_dotted_path_of_the_statistical_classifier_still_loads():
    import warnings

    from django.utils.module_loading import import_string

    from moderation.classifiers.statistical import StatisticalClassifier

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        old = import_string("moderation.classifiers.cascade.CascadeClassifier")
    assert old is StatisticalClassifier and old.name == "statistical"


def test_quoted_text_is_read_only_where_the_forum_asks_for_it():
    """An answer that continues its one-line quote is, in Markdown, part of the quote: skipped by default
    (a quote is usually someone else's words), scored as the author's with ``read_quotes``."""
    from disclosure.blocks import parse_body
    from moderation.policy.evidence import passage_flagged
    from moderation.models import ClassifierResult

    ai_text = AI_TEXTS[0]  # flagged on its own
    body = f"> Is there a simple answer here?\n{ai_text}"
    passages = parse_body(body, "markdown").passages
    assert {p.kind for p in passages} == {"quote"}

    default = StylometricClassifier().run(passages, None)
    strict = StylometricClassifier(read_quotes=True).run(passages, None)

    assert default.status == "insufficient_evidence" and all(p.status == "skipped" for p in default.passages)
    assert strict.status == "ok" and strict.score is not None
    assert strict.version == default.version + "+quotes"
    assert any(p.status == "ok" and body[p.start:p.end].strip() for p in strict.passages)
    flagged_as_author = passage_flagged([ClassifierResult(classifier=strict.classifier, status=strict.status,
                                                          score=strict.score, details=strict.details,
                                                          passage_scores=[p.model_dump() for p in strict.passages])],
                                        ["author"])
    assert strict.details["flagged"] is True and flagged_as_author


def test_a_forum_can_compare_every_post_with_the_one_window_threshold():
    """By default a long post is compared with its length band's threshold (detector version 10); with the
    ``one_threshold`` option, with the one-window threshold, as before version 10, under a version of its own."""
    from disclosure.blocks import parse_body
    from moderation.detector.combiner import load_artifact

    body = "\n\n".join(AI_TEXTS[:3])
    passages = parse_body(body, "markdown").passages

    default = StylometricClassifier().run(passages, None)
    one = StylometricClassifier(one_threshold=True).run(passages, None)
    cheap = load_artifact("cheap")

    assert default.details["threshold_length_band"] in ("2-3", "4-7")
    assert default.details["threshold"] == cheap.threshold_for(len(default.passages))[0] > cheap.threshold
    assert one.details["threshold"] == cheap.threshold and "threshold_length_band" not in one.details
    # beside a band's threshold, the one-window one: what a forum's calibration reports as shipped
    assert default.details["one_window_threshold"] == cheap.threshold and "one_window_threshold" not in one.details
    assert one.version == default.version + "+one-threshold"
    assert StatisticalClassifier(use_lm=False, one_threshold=True).version.endswith("+one-threshold")
