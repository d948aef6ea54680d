"""Detector version 9's second flag rule: a post of two or more windows is also flagged when its post
probability (the windows' averaged log-odds) reaches the artifact's post threshold, set so that it flags none
of the human documents the window rule leaves unflagged."""
import json

import pytest

from moderation.detector import detect
from moderation.detector.api import flagged_rule, post_threshold_for
from moderation.detector.combiner import Combiner, load_artifact

from .fixtures import AI_TEXTS, HUMAN_TEXTS


def test_the_window_rule_is_checked_first_and_the_post_rule_needs_two_windows():
    assert flagged_rule(0.95, 0.40, 3, threshold=0.93, post_threshold=0.7) == "window"
    assert flagged_rule(0.90, 0.80, 2, threshold=0.93, post_threshold=0.7) == "post"
    assert flagged_rule(0.90, 0.80, 1, threshold=0.93, post_threshold=0.7) is None  # one window: its own score
    assert flagged_rule(0.90, 0.69, 4, threshold=0.93, post_threshold=0.7) is None
    assert flagged_rule(0.90, 0.80, 2, threshold=0.93, post_threshold=None) is None  # no post rule shipped


def test_the_post_threshold_sits_just_above_every_long_human_document_the_window_rule_leaves_alone():
    documents = [(1, 0.85, 0.85),   # one window: the post rule never applies
                 (3, 0.95, 0.90),   # flagged by its window already: the post rule adds nothing here
                 (2, 0.80, 0.62),
                 (5, 0.70, 0.55)]
    threshold = post_threshold_for(documents, 0.93, min_documents=3)
    assert 0.62 < threshold < 0.62 + 1e-5
    assert not any(flagged_rule(top, post, n, 0.93, threshold) == "post" for n, top, post in documents)
    # a forum calibrated by length: the threshold that applies depends on the window count
    assert post_threshold_for(documents, lambda n: 0.97 if n >= 3 else 0.93,
                              min_documents=3) == pytest.approx(0.90 + 1e-6)


def test_too_few_long_human_documents_give_no_post_rule_rather_than_a_low_one():
    """The threshold is the highest of their scores, and the highest of a few is too low an estimate: with no
    long document at all it would be ~0, and every two-window post would be flagged."""
    assert post_threshold_for([(1, 0.5, 0.5)] * 500, 0.93) is None
    assert post_threshold_for([(2, 0.5, 0.3)] * 99, 0.93) is None
    assert post_threshold_for([(2, 0.5, 0.3)] * 100, 0.93) == pytest.approx(0.3 + 1e-6)
    assert post_threshold_for([(2, 0.5, None)] * 200, 0.93) is None  # a classifier that gave no post score


@pytest.fixture
def long_human_post():
    text = "\n\n".join(HUMAN_TEXTS)
    r = detect(text, use_lm=False)
    assert sum(w.status == "ok" for w in r.windows) >= 2 and not r.flagged
    return text, r


def test_detect_flags_a_long_post_by_its_average_at_the_artifacts_post_threshold(monkeypatch, long_human_post):
    text, before = long_human_post
    cheap = load_artifact("cheap")

    monkeypatch.setattr(cheap, "post_threshold", before.probability)
    at = detect(text, use_lm=False)
    monkeypatch.setattr(cheap, "post_threshold", before.probability + 1e-6)
    above = detect(text, use_lm=False)
    monkeypatch.setattr(cheap, "post_threshold", 0.0)
    one_window = detect(AI_TEXTS[0].split("\n\n")[0], use_lm=False)

    assert (at.flagged, at.flagged_by, at.verdict, at.post_threshold) == (True, "post", "flag", before.probability)
    assert not any(w.flagged for w in at.windows)  # no single window is over the window threshold
    assert (above.flagged, above.flagged_by, above.verdict) == (False, None, "no_evidence")
    assert sum(w.status == "ok" for w in one_window.windows) == 1
    assert one_window.flagged_by != "post"


def test_the_post_threshold_is_stored_in_the_artifact(tmp_path):
    comb = Combiner(["a"], [0.0], [1.0], [1.0], 0.0, threshold=0.9, post_threshold=0.71)
    comb.save(tmp_path / "x.json")
    assert json.loads((tmp_path / "x.json").read_text())["post_threshold"] == 0.71
    assert load_artifact(str(tmp_path / "x.json")).post_threshold == 0.71
    old = {k: v for k, v in comb.to_dict().items() if k != "post_threshold"}  # an artifact before version 9
    assert Combiner.from_dict(old).post_threshold is None


def test_the_shipped_cheap_stage_has_a_post_rule_and_the_cascade_none():
    """The cheap stage's threshold comes from whole training documents out-of-fold; the LM combiner is trained
    on windows sampled per source, which say nothing about whole documents."""
    cheap = load_artifact("cheap")
    assert cheap.post_threshold is not None and 0.5 < cheap.post_threshold < cheap.threshold
    assert cheap.meta["report"]["post_threshold"] == pytest.approx(cheap.post_threshold, abs=1e-4)
    assert load_artifact("lm").post_threshold is None


@pytest.mark.django_db
def test_score_texts_reports_the_post_rule_of_the_built_in_detector(monkeypatch, long_human_post, tmp_path,
                                                                    settings):
    """What the independent held-out set is scored with: ``flagged`` includes the post rule."""
    from io import StringIO

    from django.core.management import call_command

    settings.MODERATION = {**settings.MODERATION,
                           "CLASSIFIERS": ["moderation.classifiers.stylometric.StylometricClassifier"]}
    text, before = long_human_post
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "long", "text": text}) + "\n")

    def flagged():
        out = StringIO()
        call_command("score_texts", str(source), "--classifier", "stylometric", "--no-progress", stdout=out)
        row = json.loads(out.getvalue())
        stylometric = row["classifiers"]["stylometric"]
        return row["flagged"], stylometric["post_threshold"], stylometric["score"]

    shipped_post_threshold = load_artifact("cheap").post_threshold
    shipped = flagged()
    monkeypatch.setattr(load_artifact("cheap"), "post_threshold", shipped[2])  # the text's own post score
    at_its_score = flagged()

    assert shipped[:2] == (False, shipped_post_threshold) and shipped[2] < shipped_post_threshold
    assert at_its_score == (True, shipped[2], shipped[2])
