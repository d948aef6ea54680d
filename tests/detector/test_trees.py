"""Detector version 5's cheap stage: boosted trees exported to JSON and scored in numpy, and the
text-distortion n-grams they read beside the 189 features."""

import json
import math

import numpy as np
import pytest

from moderation.detector import distortion as D
from moderation.detector import features as F
from moderation.detector.api import detect, score_window
from moderation.detector.combiner import load_artifact
from moderation.detector.trees import TreeCombiner

sklearn = pytest.importorskip("sklearn")


def _tiny_model(seed=0, n=600, distortion=()):
    """HistGradientBoosting on synthetic rows, under the detector's monotonic constraints, exported."""
    from moderation.detector.train.training import export_hgb, fit_gbt

    names = list(F.FEATURE_NAMES) + [D.PREFIX + g for g in distortion]
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, len(names)))
    ai = names.index("ai_lex_rate")
    casual = names.index("lower_start_rate")
    y = (X[:, ai] - X[:, casual] + 0.5 * X[:, 3] * X[:, 4] + rng.normal(scale=0.5, size=n) > 0).astype(int)
    clf = fit_gbt(X, y, np.ones(n), seed, names, max_iter=30, min_samples_leaf=10)
    tc = TreeCombiner(**export_hgb(clf, names), distortion=list(distortion))
    return clf, tc, X, names


def test_exported_trees_score_exactly_as_sklearn():
    clf, tc, X, _ = _tiny_model()
    rows = X[:25]
    np.testing.assert_allclose(tc.logits(rows), clf.decision_function(rows), atol=1e-9)
    for r in rows[:5]:  # the one-window path gives the same logit as the batch path
        assert tc.logit(r) == pytest.approx(float(clf.decision_function(r[None])[0]), abs=1e-9)


def test_path_attributions_add_up_to_the_logit_and_name_features():
    _clf, tc, X, names = _tiny_model()
    for r in X[:10]:
        _node, contrib = tc._walk(r)
        assert tc._base + contrib.sum() == pytest.approx(tc.logit(r), abs=1e-9)
        p, top = tc.score(r, 6)
        assert 0 < p < 1 and all(v > 0 for v in top.values()) and set(top) <= set(names)


def test_a_bag_of_tree_models_is_exported_as_one_model_scoring_their_average():
    """Version 7 averages three models, each fitted on 80% of the documents; the artifact holds all their
    trees and scores exactly their mean logit, with path attributions that still add up."""
    from moderation.detector.train.training import bag_logit, export_bag, export_hgb, fit_gbt_bag

    _clf, _tc, X, names = _tiny_model()
    y = (X[:, names.index("ai_lex_rate")] > 0).astype(int)
    groups = np.arange(len(X)) // 3  # a paragraph and its variants stay together
    models = fit_gbt_bag(X, y, np.ones(len(X)), groups, bag=3, seed=0, names=names, max_iter=10,
                         min_samples_leaf=10)
    tc = TreeCombiner(**export_bag(models, names))

    assert len(models) == 3 and len(tc.roots) == sum(m.n_iter_ for m in models)
    assert len({round(float(m.decision_function(X[:1])[0]), 9) for m in models}) == 3  # different samples
    np.testing.assert_allclose(tc.logits(X[:25]), bag_logit(models, X[:25]), atol=1e-9)
    # the moderator's top_features are the members' path attributions averaged, not K times too large
    singles = [TreeCombiner(**export_hgb(m, names)) for m in models]
    for row in X[:5]:
        contrib = tc._walk(row)[1]
        np.testing.assert_allclose(contrib, np.mean([t._walk(row)[1] for t in singles], axis=0), atol=1e-9)
        assert tc._base + contrib.sum() == pytest.approx(tc.logit(row), abs=1e-9)


def test_out_of_fold_scores_of_a_bag_come_from_models_that_never_saw_the_document():
    """Each fold's bag is fitted on the other folds only: a document's out-of-fold score does not move when
    its own label is flipped."""
    from moderation.detector.train.training import grouped_oof_gbt

    _clf, _tc, X, names = _tiny_model()
    y = (X[:, names.index("ai_lex_rate")] > 0).astype(int)
    groups = np.arange(len(X)) // 3
    params = dict(names=names, bag=3, max_iter=10, min_samples_leaf=10)
    oof = grouped_oof_gbt(X, y, np.ones(len(X)), groups, **params)
    flipped = y.copy()
    flipped[:3] = 1 - flipped[:3]  # one document (group 0)
    again = grouped_oof_gbt(X, flipped, np.ones(len(X)), groups, **params)

    np.testing.assert_allclose(again[:3], oof[:3], atol=1e-12)
    assert not np.allclose(again[3:], oof[3:])  # the other folds did learn from the flipped labels


def test_monotonic_constraints_hold_in_the_exported_model():
    """Raising a casual-typing feature never raises the AI score; raising the LLM lexicon never lowers it."""
    _clf, tc, X, names = _tiny_model()
    ai, casual = names.index("ai_lex_rate"), names.index("lower_start_rate")
    for r in X[:20]:
        for i, sign in ((ai, 1), (casual, -1)):
            lo, hi = r.copy(), r.copy()
            lo[i], hi[i] = -3.0, 3.0
            assert sign * (tc.logit(hi) - tc.logit(lo)) >= -1e-12


def test_json_round_trip_through_load_artifact(tmp_path):
    _clf, tc, X, _ = _tiny_model(distortion=("of the", "* , and"))
    tc.threshold, tc.platt_a, tc.platt_b = 0.9, 1.3, -0.2
    path = tmp_path / "cheap.json"
    tc.save(path)
    assert json.loads(path.read_text())["format"] == "gbt-v1"
    back = load_artifact(str(path))
    assert isinstance(back, TreeCombiner) and back.distortion == ["of the", "* , and"]
    assert back.probability(X[0]) == pytest.approx(tc.probability(X[0]))
    assert back.threshold == 0.9


def test_distortion_masks_content_words_and_keeps_function_words():
    assert D.distorted("It's worth noting that the model fails, but") == \
        ["*", "*", "*", "that", "the", "*", "*", ",", "but"]
    g = D.ngrams("The cat sat on the mat. The dog sat on the rug.")
    assert g["on the *"] == 2 and not any("cat" in k or "dog" in k for k in g)


def test_distortion_vocabulary_is_deterministic_and_rates_are_per_word():
    texts = ["I think that the answer is no, but it depends.", "The answer is that it is what it is."]
    vocab = D.build_vocabulary(texts, k=5)
    assert vocab == D.build_vocabulary(list(reversed(texts)), k=5)
    index = {g: i for i, g in enumerate(vocab)}
    r = D.rates(texts[1], index)
    assert len(r) == 5 and all(0 <= v <= 1 for v in r)


def test_a_tree_artifact_reads_its_distortion_ngrams_after_the_189_features():
    text = ("The cat sat on the mat and then it slept for a while. " * 6).strip()
    _clf, tc, _X, _ = _tiny_model(distortion=("on the *", "the * *"))
    x = F.extract(text)
    full = tc.extend(x, text)
    assert len(full) == len(F.FEATURE_NAMES) + 2 and full[:len(x)] == list(x)
    p, p_cheap, stage, _top = score_window(text, tc, None)
    assert p == p_cheap == pytest.approx(tc.probability(full)) and stage == "cheap"


def test_the_shipped_cheap_artifact_scores_a_post():
    text = ("Honestly the biggest thing with sourdough is patience. Mine took three weeks before it doubled "
            "reliably and I nearly threw it out twice. Keep it somewhere warm, feed it at the same time every "
            "day, and don't worry about the hooch on top, just pour it off. ") * 2
    r = detect(text, use_lm=False)
    assert r.status == "ok" and 0 <= r.probability <= 1
    assert all(v > 0 for w in r.windows for v in w.top_features.values())


def test_rates_count_exactly_what_ngrams_counts():
    """``rates`` is the per-window fast path; it must give the training-time counts bit for bit."""
    texts = ["I think that the answer is no, but it depends on the thing.",
             "WHAT IT'S WORTH: the (x) - y; and the and the and the.", "", "word"]
    vocab = D.build_vocabulary(texts, k=40)
    index = {g: i for i, g in enumerate(vocab)}
    for t in texts:
        counts = D.ngrams(t)
        n = max(len(t.split()), 1)
        assert D.rates(t, index) == [counts[g] / n for g in vocab]


def test_train_detector_gbt_settings_are_parsed_and_typos_refused():
    """``train_detector --gbt NAME=VALUE`` (version 5.1's settings) reaches HistGradientBoosting with the
    right types, and a misspelt name stops the run instead of training the default model silently."""
    from django.core.management.base import CommandError

    from moderation.management.commands.train_detector import parse_gbt

    assert parse_gbt(["max_depth=6", "learning_rate=0.1", "max_leaf_nodes=None", "early_stopping=False"]) == {
        "max_depth": 6, "learning_rate": 0.1, "max_leaf_nodes": None, "early_stopping": False}
    assert isinstance(parse_gbt(["max_iter=500"])["max_iter"], int)
    with pytest.raises(CommandError):
        parse_gbt(["max_dept=6"])
    with pytest.raises(CommandError):
        parse_gbt(["max_depth"])


def test_train_detector_refuses_a_bag_it_would_not_train():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    for args, message in ((["--bag", "0", "--cheap-model", "gbt"], ">= 1"),
                          (["--bag", "3"], "--cheap-model gbt"),
                          (["--threshold-folds", "0"], "fold assignments >= 1")):
        with pytest.raises(CommandError, match=message):
            call_command("train_detector", "--data", "nowhere", "--dry-run", *args)


def _toefl_and_forum_oof(rng, toefl_shift=0.0):
    """Out-of-fold logits of one fold assignment: 46 TOEFL essays, 1,000 forum paragraphs, 1,000 AI windows."""
    toefl = rng.normal(-1.0, 1.0, 46) + toefl_shift
    return np.r_[toefl, rng.normal(-2.5, 1.0, 1000), rng.normal(2.5, 1.0, 1000)]


def _operating_point_inputs():
    y = np.r_[np.zeros(1046, int), np.ones(1000, int)]
    subsets = ["liang:TOEFL_real"] * 46 + ["se:beer"] * 1000 + ["own:w1"] * 1000
    return y, np.ones(len(y)), subsets, np.arange(len(y))


def test_one_fold_assignment_gives_the_platt_scaling_and_threshold_of_the_plain_rule():
    from moderation.detector.train.training import choose_threshold, fit_platt, pooled_operating_point

    y, w, subsets, docs = _operating_point_inputs()
    oof = _toefl_and_forum_oof(np.random.RandomState(0))

    a, b, threshold, info = pooled_operating_point([oof], y, w, subsets, docs)

    assert (a, b) == fit_platt(oof, y, w)
    assert threshold == choose_threshold(1 / (1 + np.exp(-(a * oof + b))), y, subsets, docs)[0]
    assert info["per_assignment"] == [threshold]


def test_the_threshold_over_several_fold_assignments_is_their_median_not_the_unlucky_one():
    """Version 7's bag gave 0.927, 0.967 and 0.926 over three fold assignments: with several, one draw in
    which the TOEFL essays happened to score high does not set the threshold, and Platt scaling sees them all."""
    from moderation.detector.train.training import choose_threshold, fit_platt, pooled_operating_point

    y, w, subsets, docs = _operating_point_inputs()
    rng = np.random.RandomState(0)
    oofs = [_toefl_and_forum_oof(rng), _toefl_and_forum_oof(rng, toefl_shift=0.8), _toefl_and_forum_oof(rng)]

    a, b, threshold, info = pooled_operating_point(oofs, y, w, subsets, docs)

    low, unlucky, other = info["per_assignment"]
    assert unlucky > max(low, other)
    assert threshold == sorted([low, unlucky, other])[1]
    assert (a, b) == fit_platt(np.concatenate(oofs), np.tile(y, 3), np.tile(w, 3))
    # each assignment's threshold is read on that pooled scale, not on a Platt fit of its own
    for oof, t in zip(oofs, info["per_assignment"]):
        assert t == choose_threshold(1 / (1 + np.exp(-(a * oof + b))), y, subsets, docs)[0]
    assert info["per_assignment"][1] != choose_threshold(
        1 / (1 + np.exp(-np.polyval(fit_platt(oofs[1], y, w), oofs[1]))), y, subsets, docs)[0]


def test_train_ships_the_median_of_its_fold_assignments_thresholds():
    """``train(threshold_folds=K)`` runs K fold assignments and its artifact carries their median."""
    import random

    from moderation.detector.train.data import OWN_CORPUS, Doc
    from moderation.detector.train.training import train

    records = [json.loads(line) for line in OWN_CORPUS.read_text(encoding="utf-8").splitlines()][:60]
    rng = random.Random(0)
    words = "the a of we it my was on in so but and then i went there with our old dog back home".split()
    human = [" ".join(rng.choice(words) for _ in range(90)) + "." for _ in range(60)]
    docs = ([Doc(r["text"], 1, "own:test", "own:test") for r in records]
            + [Doc(t, 0, "se:test", "se:test") for t in human])

    comb, report = train(docs, with_loso=False, seed=1, threshold_folds=3, log=lambda *a: None)

    thresholds = report["threshold_info"]["per_assignment"]
    assert len(thresholds) == 3 and report["threshold_folds"] == 3
    assert comb.threshold == report["threshold"] == float(np.median(thresholds))
    assert comb.threshold != thresholds[0]  # seed 1: the median is not the first assignment's
    # one-window human documents only: nothing to set a post threshold on, so no post rule
    assert comb.post_threshold is None and "post_threshold" not in report
    with pytest.raises(ValueError, match="fold assignments >= 1"):
        train(docs, with_loso=False, threshold_folds=0, log=lambda *a: None)


def test_protected_essays_weights_are_multiplied_after_class_balancing_and_nothing_else_is():
    """``train_detector --toefl-weight`` / ``--native-weight``: only the named essays' weights change."""
    from moderation.detector.train.training import example_weights, source_weights

    subsets = (["liang:TOEFL_real"] * 3 + ["liang:CollegeEssay_real", "liang:CS224N_real",
               "liang:HewlettStudentEssay_real"] + ["se:beer"] * 4 + ["liang:CollegeEssay_gpt3"] * 2)
    sources = subsets
    y = np.array([0] * 10 + [1] * 2)
    base = source_weights(sources, y)

    assert np.array_equal(example_weights(sources, subsets, y), base)
    w = example_weights(sources, subsets, y, toefl_weight=4, native_weight=2)
    assert np.allclose(w[:3], 4 * base[:3])
    assert np.allclose(w[3:6], 2 * base[3:6])
    assert np.array_equal(w[6:], base[6:])  # forum text and the AI essays of the same prompts: unchanged


def _with_long_human_documents():
    """60 of our AI paragraphs and 40 human documents of three ~90-word paragraphs (2-3 windows) each."""
    import random

    from moderation.detector.train.data import OWN_CORPUS, Doc

    records = [json.loads(line) for line in OWN_CORPUS.read_text(encoding="utf-8").splitlines()][:60]
    rng = random.Random(0)
    words = "the a of we it my was on in so but and then i went there with our old dog back home".split()
    human = ["\n\n".join(" ".join(rng.choice(words) for _ in range(90)) + "." for _ in range(3)) for _ in range(40)]
    return ([Doc(r["text"], 1, "own:test", "own:test") for r in records]
            + [Doc(t, 0, "se:test", "se:test") for t in human])


def test_train_ships_the_median_of_its_fold_assignments_post_thresholds():
    """Version 9: with long human documents in training, each fold assignment gives a post threshold (just above
    its highest unflagged long human document, out-of-fold) and the artifact carries their median."""
    from moderation.detector.train.training import train

    docs = _with_long_human_documents()

    comb, report = train(docs, with_loso=False, seed=1, threshold_folds=3, post_min_documents=20,
                         log=lambda *a: None)

    info = report["post_threshold_info"]
    assert len(info["per_assignment"]) == 3 and info["multiwindow_docs"]["human"] == 40
    assert comb.post_threshold == report["post_threshold"] == float(np.median(info["per_assignment"]))
    assert len(info["docs_gained"]["human"]) == 3
    # the assignment whose own value is the median adds no human document out-of-fold
    assert 0 in info["docs_gained"]["human"]
    assert train(docs, with_loso=False, seed=1, post_min_documents=41, log=lambda *a: None)[0].post_threshold is None


def test_a_long_post_gets_the_window_threshold_that_flags_as_few_long_human_posts():
    """Version 10: per length band, the smallest window threshold at which at most 1% of the band's human
    documents have a window at or over it; never below the one-window threshold or a shorter band's; a band
    with too few documents takes the shorter band's."""
    from moderation.detector.train.training import length_thresholds, median_length_thresholds
    from moderation.detector.trees import threshold_for_length

    # 200 human documents of 2-3 windows: four with a window over 0.9
    evidence = {d: (2, 0.5, 0.3) for d in range(196)}
    evidence.update({196: (2, 0.93, 0.2), 197: (3, 0.95, 0.4), 198: (2, 0.97, 0.5), 199: (2, 0.99, 0.6)})
    evidence.update({300 + d: (5, 0.2, 0.1) for d in range(10)})  # 4-7 windows: too few to set a threshold on

    bands = length_thresholds(evidence, set(evidence), 0.9, min_documents=100)

    assert dict(bands)["2-3"] == math.nextafter(0.95, 1)  # flags 2 of 200 (0.99 and 0.97): 1%
    assert dict(bands)["4-7"] == dict(bands)["8+"] == dict(bands)["2-3"]
    at = [threshold_for_length(0.9, bands, n)[0] for n in (1, 2, 5)]
    assert tuple(at) == (0.9, math.nextafter(0.95, 1), math.nextafter(0.95, 1))
    # never below the one-window threshold
    assert dict(length_thresholds(evidence, set(evidence), 0.995, min_documents=100))["2-3"] == 0.995
    # the native-English essays (issue 13's check) are protected as the TOEFL essays are: at most 1% of them,
    # interpolated (so 50 long essays keep the 4-7 band above most of the way to their most AI-like one)
    essays = {400 + d: (5, 0.4 + d / 100, 0.3) for d in range(48)}  # 50 essays: 0.40 ... 0.87, 0.96, 0.99
    essays.update({448: (5, 0.96, 0.4), 449: (5, 0.99, 0.5)})
    evidence.update(essays)
    protected = dict(length_thresholds(evidence, set(evidence), 0.9, min_documents=100, protected=set(essays)))
    assert protected["2-3"] == dict(bands)["2-3"]  # no essay of 2-3 windows
    assert protected["4-7"] == math.nextafter(0.96 + 0.51 * 0.03, 1) == protected["8+"]  # 99th percentile
    assert median_length_thresholds([[["2-3", 0.95], ["4-7", 0.96]], [["2-3", 0.97], ["4-7", 0.93]],
                                     [["2-3", 0.99], ["4-7", 0.94]]]) == [["2-3", 0.97], ["4-7", 0.97]]


def test_train_ships_the_median_of_its_fold_assignments_thresholds_by_length():
    """Version 10: ``train`` writes each length band's median over fold assignments into the artifact, never
    below the one-window threshold, and sets the post threshold at them."""
    from moderation.detector.train.training import train

    docs = _with_long_human_documents()

    comb, report = train(docs, with_loso=False, seed=1, threshold_folds=3, post_min_documents=20,
                         log=lambda *a: None)

    info = report["by_length_info"]
    assert len(info["per_assignment"]) == 3 and info["human_docs"]["2-3"] == 40
    assert comb.by_length == report["by_length"] and [b for b, _t in comb.by_length] == ["2-3", "4-7", "8+"]
    assert comb.by_length[0][1] == float(np.median([per[0][1] for per in info["per_assignment"]]))
    assert all(t >= comb.threshold for _b, t in comb.by_length)
    # the post rule is set at the thresholds by length: it adds no human document out-of-fold
    assert 0 in report["post_threshold_info"]["docs_gained"]["human"]


def test_detect_reads_a_long_post_against_its_length_bands_threshold(monkeypatch):
    from moderation.detector import api
    from moderation.detector.combiner import load_artifact
    from moderation.detector.train.data import OWN_CORPUS

    comb = load_artifact.__wrapped__("cheap")  # a copy of the shipped cheap stage
    monkeypatch.setattr(api, "_artifacts", lambda use_lm: (comb, None))
    records = [json.loads(line) for line in OWN_CORPUS.read_text(encoding="utf-8").splitlines()]
    records = [r for r in records if 90 <= len(r["text"].split()) <= 140][:3]
    long_post = "\n\n".join(r["text"] for r in records)
    comb.by_length = []
    as_one = api.detect(long_post, use_lm=False)
    assert as_one.flagged_by == "window" and as_one.threshold == comb.threshold
    above = min(1.0, as_one.max_window_probability + 1e-6)
    comb.by_length = [["2-3", above], ["4-7", above], ["8+", above]]
    comb.post_threshold = None

    result = api.detect(long_post, use_lm=False)

    assert result.threshold == above and result.threshold_length_band in ("2-3", "4-7")
    assert not result.flagged and not any(w.flagged for w in result.windows)
    one = api.detect(records[0]["text"], use_lm=False)
    assert one.threshold == comb.threshold and one.threshold_length_band is None


def test_an_operating_point_given_to_train_is_the_scale_its_thresholds_by_length_are_read_on():
    """``train_detector --by-length-only`` keeps the shipped trees: their Platt scaling and one-window threshold
    are handed to ``train``, which reads its out-of-fold scores with them (not with its own run's), so each band's
    threshold is set on the shipped scale and never below the shipped one-window threshold."""
    from moderation.detector.train.training import length_thresholds, post_probability, train

    docs = _with_long_human_documents()
    _comb, own = train(docs, with_loso=False, seed=1, threshold_folds=3, post_min_documents=20, log=lambda *a: None)
    a0, b0 = own["platt"]
    shipped = (0.7, -0.3, 0.97)

    comb, report = train(docs, with_loso=False, seed=1, threshold_folds=3, post_min_documents=20,
                         operating_point=shipped, log=lambda *a: None)

    assert report["platt"] == [0.7, -0.3] and report["threshold"] == comb.threshold == 0.97
    assert report["own_operating_point"]["platt"] == [a0, b0]
    assert report["own_operating_point"]["threshold"] == own["threshold"]

    def on_the_given_scale(p):  # the same out-of-fold logit, read with the given Platt scaling
        logit = (math.log(p / (1 - p)) - b0) / a0
        return 1 / (1 + math.exp(-(0.7 * logit - 0.3)))

    oof = own["_oofs_by_text"][0]
    evidence = {d: (len(texts), max(on_the_given_scale(oof[t]) for t in texts),
                    post_probability([on_the_given_scale(oof[t]) for t in texts]))
                for d, texts in own["_human_doc_windows"].items()}
    assert report["by_length_info"]["per_assignment"][0] == length_thresholds(evidence, set(evidence), 0.97,
                                                                               min_documents=20)
    assert all(t >= 0.97 for _band, t in comb.by_length)
    with pytest.raises(ValueError, match="not saved"):
        train(docs, with_loso=False, operating_point=shipped, out_name="cheap", log=lambda *a: None)


def test_the_cheap_stages_out_of_fold_scores_saved_for_an_lm_stage_run_read_back_as_train_returned_them(tmp_path):
    """``train_detector --save-oof`` then ``--lm-from``: the LM stage is trained from the saved out-of-fold scores
    instead of refitting the trees, so they must read back exactly as :func:`train` returned them."""
    from moderation.detector.train.training import load_cheap_oof, save_cheap_oof, train

    _comb, report = train(_with_long_human_documents(), with_loso=False, seed=1, threshold_folds=2,
                          post_min_documents=20, log=lambda *a: None)
    save_cheap_oof(report, tmp_path / "cheap-oof.json.gz")
    back = load_cheap_oof(tmp_path / "cheap-oof.json.gz")

    for key in ("_oof_by_text", "_labels_by_text", "_kind_by_text", "_oofs_by_text", "_human_doc_windows",
                "_native_docs"):
        assert back[key] == report[key], key
    assert {"prefix60", "window"} <= set(back["_kind_by_text"].values())


def test_save_oof_needs_an_output_folder_and_lm_from_needs_both_files(tmp_path):
    """The scores are tens of megabytes: never written into the shipped artifacts' folder (committed)."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--out"):
        call_command("train_detector", "--data", "nowhere", "--save-oof")
    with pytest.raises(CommandError, match="--dry-run"):
        call_command("train_detector", "--data", "nowhere", "--save-oof", "--out", str(tmp_path), "--dry-run")
    (tmp_path / "cheap.json").write_text("{}")
    with pytest.raises(CommandError, match="missing cheap-oof.json.gz"):
        call_command("train_detector", "--data", "nowhere", "--lm-from", str(tmp_path))


def test_saved_scores_from_another_run_are_refused_naming_what_differs():
    """``--lm-from`` with other data, seed or fold assignments, or with trees rewritten since the scores were
    saved, would train an LM stage no run would have: refused before the LM pass, naming the difference."""
    from moderation.detector.train.data import DataError
    from moderation.detector.train.training import check_oof_provenance

    run = {"seed": 0, "threshold_folds": 5, "data": ["a", "b"], "documents": 100, "cheap_sha1": "abc"}
    check_oof_provenance(dict(run), dict(run), "dir")  # the same run: accepted
    with pytest.raises(DataError, match="another cheap_sha1, threshold_folds than this one"):
        check_oof_provenance(dict(run), {**run, "threshold_folds": 1, "cheap_sha1": "def"}, "dir")
    with pytest.raises(DataError, match="another cheap_sha1, data, documents, seed, threshold_folds"):
        check_oof_provenance({}, run, "dir")  # scores saved before provenance was recorded
