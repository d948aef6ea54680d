"""The evaluation command: seeded per-source samples, the figures it prints, and clear errors."""
import dataclasses
import json

import pytest
from django.core.management import CommandError, call_command

from moderation.detector.train.data import Doc
from moderation.detector.train.evaluation import sample_per_source

from .fixtures import AI_TEXTS, HUMAN_TEXTS


def docs_of(source: str, n: int) -> list[Doc]:
    return [Doc(f"{source} text {i}", 0, source, source, "test", {}) for i in range(n)]


def test_each_source_gets_its_own_sample_size_and_prefixes_override_it():
    docs = docs_of("se:beer", 30) + docs_of("liang:TOEFL_real", 30) + docs_of("own:casual", 4)

    sample = sample_per_source(docs, 10, {"liang:": 25}, seed=0)

    sizes = {s: sum(d.source == s for d in sample) for s in ("se:beer", "liang:TOEFL_real", "own:casual")}
    assert sizes == {"se:beer": 10, "liang:TOEFL_real": 25, "own:casual": 4}


def test_a_sources_sample_does_not_change_when_another_source_is_added():
    beer = docs_of("se:beer", 40)

    alone = sample_per_source(beer, 10, {}, seed=0)
    with_more = [d for d in sample_per_source(docs_of("debian:jargon", 40) + beer, 10, {}, seed=0)
                 if d.source == "se:beer"]

    assert [d.text for d in alone] == [d.text for d in with_more]
    assert [d.text for d in sample_per_source(beer, 10, {}, seed=1)] != [d.text for d in alone]


def test_evaluate_detector_prints_auroc_and_flag_rates_and_writes_json(tmp_path, capsys):
    human = tmp_path / "human.jsonl"
    human.write_text("".join(json.dumps({"site": "coffee.stackexchange.com", "text": t}) + "\n"
                             for t in [*HUMAN_TEXTS, "\n\n".join(HUMAN_TEXTS)]))  # three short, one long
    out = tmp_path / "figures.json"

    call_command("evaluate_detector", "--data", str(human), "--split", "all", "--bootstrap", "20",
                 "--json", str(out))

    printed = capsys.readouterr().out
    assert "all documents (whole text)" in printed and "AUROC" in printed
    assert "all human documents:" in printed
    figures = json.loads(out.read_text())
    assert 0.5 < figures["all"]["auroc"] <= 1.0
    assert figures["by_subset"]["se:coffee"]["n"] == len(HUMAN_TEXTS) + 1
    assert {band: r["n"] for band, r in figures["human_by_length"].items()} == {"1": 3, "2-3": 1}
    assert "2-3 windows" in printed


def test_a_malformed_per_prefix_sample_size_is_a_clear_error():
    with pytest.raises(CommandError, match="expected PREFIX=N"):
        call_command("evaluate_detector", "--data", "debian", "--lm-docs-for", "liang:twenty")


def _scored(source: str, probs: list[float]):
    from moderation.detector.train.evaluation import Scored
    return [Scored(Doc(f"{source} {i}", 0, source, source, "test", {}), p, None, prob_max=p)
            for i, p in enumerate(probs)]


def test_each_protected_group_is_reported_against_its_own_bound():
    from moderation.detector.train.evaluation import protected_checks

    scored = (_scored("liang:TOEFL_real", [0.1] * 49 + [0.95])  # 1/50 = 2%: at the bound
              + _scored("liang:CollegeEssay_real", [0.1] * 48 + [0.95, 0.97])  # 2/100 native essays
              + _scored("liang:CS224N_real", [0.2] * 50)
              + _scored("se:beer", [0.1] * 1000))  # many human documents would hide the native essays' 2%

    checks = protected_checks(scored, 0.9)

    toefl, native = checks["TOEFL essays (non-native writers)"], checks["native-English essays (Hewlett, college, CS224N)"]
    assert (toefl["flagged"], toefl["n"], toefl["met"]) == (1, 50, True)
    assert (native["flagged"], native["n"], native["bound"], native["met"]) == (2, 100, 0.01, False)
    assert set(checks) == {"TOEFL essays (non-native writers)", "native-English essays (Hewlett, college, CS224N)"}


def test_a_group_with_no_documents_is_left_out_rather_than_reported_as_met():
    from moderation.detector.train.evaluation import protected_checks

    assert protected_checks(_scored("se:beer", [0.99]), 0.9) == {}


def test_false_flags_are_reported_by_post_length_so_long_posts_cannot_hide_among_short_ones():
    from moderation.detector.train.evaluation import flagged_by_length

    def docs(n_windows, probs):
        return [dataclasses.replace(s, n_windows=n_windows) for s in _scored(f"se:{n_windows}", probs)]

    scored = docs(1, [0.1] * 995 + [0.95] * 5) + docs(2, [0.1] * 20) + docs(5, [0.1] * 18 + [0.95] * 2) + docs(9, [0.2])

    bands = flagged_by_length(scored, 0.9)

    assert {b: (r["flagged"], r["n"]) for b, r in bands.items()} == {"1": (5, 1000), "2-3": (0, 20),
                                                                     "4-7": (2, 20), "8+": (0, 1)}
    assert bands["4-7"]["rate"] == 0.1 and bands["1"]["rate"] == 0.005  # 0.7% over all lengths together


def test_length_bands_cover_every_post_length_once():
    from moderation.detector.windows import length_band

    assert [length_band(n) for n in range(10)] == [None, "1", "2-3", "2-3", "4-7", "4-7", "4-7", "4-7", "8+", "8+"]


def test_documents_are_scored_as_the_product_scores_them_posted_as_markdown(tmp_path):
    """A reply whose answer continues its one-line quote (no blank line) is, in Markdown, all quote: the
    product scores none of it, so neither does the evaluation; with a blank line, the answer is scored."""
    from moderation.detector.train.evaluation import score_docs
    from moderation.classifiers.detector_plugin import as_posted

    answer = " ".join(HUMAN_TEXTS)  # one paragraph
    lazy = Doc(f"> Is the kettle broken?\n{answer}", 1, "own:reply", "own:reply", "test", {})
    apart = Doc(f"> Is the kettle broken?\n\n{answer}", 1, "own:reply", "own:reply", "test", {})

    as_product = score_docs([lazy, apart], progress=False, scored_text=as_posted)
    as_raw = score_docs([lazy], progress=False)

    assert as_product[0].prob is None and as_product[0].n_windows == 0
    assert as_product[1].prob is not None and as_product[1].n_windows == as_raw[0].n_windows >= 1


def test_training_and_the_lm_cache_read_documents_as_the_product_scores_them():
    """What the product leaves unscored teaches nothing: a reply that is all quote gives no training window and
    no LM-cache window, and a reply with its answer apart gives the answer's windows, as the evaluation scores."""
    from moderation.classifiers.detector_plugin import as_posted
    from moderation.detector.train.evaluation import score_docs
    from moderation.detector.train.lmcache import doc_windows
    from moderation.detector.train.training import build_examples

    answer = " ".join(HUMAN_TEXTS)
    lazy = Doc(f"> Is the kettle broken?\n{answer}", 1, "own:reply", "own:reply", "train", {})
    apart = Doc(f"> Is the kettle broken?\n\n{answer}", 1, "own:reply", "own:reply", "train", {})

    examples = build_examples([lazy, apart], max_windows_per_doc=99, prefix=False, scored_text=as_posted)
    scored = score_docs([apart], progress=False, scored_text=as_posted)[0]

    assert [e for e in examples if e.doc == 0] == [] and doc_windows(lazy.text, as_posted) == []
    assert len([e for e in examples if e.doc == 1]) == scored.n_windows >= 1
    assert all("kettle broken" not in e.text for e in examples)
    assert build_examples([lazy], max_windows_per_doc=99, prefix=False)  # the raw text would have taught it


def test_train_detector_and_fill_lm_cache_hand_the_product_reading_to_the_tools(monkeypatch, tmp_path):
    from moderation.classifiers.detector_plugin import as_posted
    from moderation.detector.train import lmcache, training

    seen = {}
    monkeypatch.setattr(training, "run_training", lambda paths, **kw: seen.update(train=kw["scored_text"]))
    monkeypatch.setattr(lmcache, "fill", lambda cache, docs, n, log=None, scored_text=None, tokens=False:
                        seen.update(cache=scored_text, n=n, tokens=tokens))

    call_command("train_detector", "--data", str(tmp_path), "--dry-run")
    call_command("fill_lm_cache", str(tmp_path / "c.jsonl"), "--data", "debian", "--per-source", "3",
                 "--source-regex", "^debian:jargon$")

    assert seen == {"train": as_posted, "cache": as_posted, "n": 3, "tokens": False}


@pytest.mark.lm
def test_a_fill_that_keeps_the_tokens_caches_the_statistics_a_plain_fill_caches(tmp_path):
    """``fill_lm_cache --tokens`` is for experiments: the ten statistics it caches are the plain fill's, and
    the per-token arrays it keeps beside them give those statistics back."""
    from moderation.detector.lm import get_lm
    from moderation.detector.train.lmcache import LMCache, doc_windows, fill

    docs = [Doc(AI_TEXTS[0], 1, "own:casual", "own:casual", "train", {})]
    fill(LMCache(tmp_path / "plain.jsonl"), docs, 1, log=lambda m: None)
    fill(LMCache(tmp_path / "tokens.jsonl"), docs, 1, log=lambda m: None, tokens=True)
    plain, kept = LMCache(tmp_path / "plain.jsonl"), LMCache(tmp_path / "tokens.jsonl")  # as read back from disk

    windows = doc_windows(AI_TEXTS[0])
    assert windows
    for w in windows:
        assert kept.features(w) == plain.features(w) and plain.tokens(w) is None
        logp, rank, ent, var = kept.tokens(w)
        assert len(logp) == len(get_lm().tokenize(w))
        assert get_lm()._features(logp, rank, ent, var) == pytest.approx(plain.features(w), rel=1e-5, abs=1e-6)


def test_the_cached_lm_sample_is_the_documents_whose_scored_windows_are_cached():
    """``--lm-cached-only`` keeps a reply whose scored windows ``fill_lm_cache`` cached, though its raw text's
    windows (quote included) are not."""
    from moderation.classifiers.detector_plugin import as_posted
    from moderation.detector.train.evaluation import cached_docs
    from moderation.detector.train.lmcache import doc_windows

    quoted_on, answer = HUMAN_TEXTS[0], " ".join(HUMAN_TEXTS[1:])  # the first paragraph continues the quote
    reply = Doc(f"> Is the kettle broken?\n{quoted_on}\n\n{answer}", 1, "own:reply", "own:reply", "test", {})
    cache = set(doc_windows(reply.text, as_posted))

    assert set(doc_windows(reply.text)) - cache  # the raw text has windows the product never scores
    assert cached_docs([reply], cache, as_posted) == [reply]
    assert cached_docs([reply], set(), as_posted) == []


def test_the_stacks_verdict_flags_what_either_classifier_flags():
    """``evaluate_detector --stack`` reports the verdict ``score_texts`` reports: a document the cascade leaves
    alone still counts as flagged when the cheap stage alone flags it, and one neither flags does not."""
    from moderation.detector import detect
    from moderation.detector.train.evaluation import Scored, mark_cheap_verdicts, score_docs

    flagged_text = next(t for t in AI_TEXTS if detect(t, use_lm=False).flagged)
    docs = [Doc(flagged_text, 1, "own:casual", "own:casual", "test", {}),
            Doc(HUMAN_TEXTS[0], 0, "se:coffee", "se:coffee", "test", {})]
    # as the cascade might score them: neither window reaches its threshold, each window's cheap probability kept
    cheap = score_docs(docs, progress=False)
    scored = [Scored(d, 0.1, None, stage="lm", prob_max=0.1, n_windows=c.n_windows, cheap_probs=c.cheap_probs)
              for d, c in zip(docs, cheap)]
    assert not any(s.flagged(0.9) for s in scored)

    mark_cheap_verdicts(scored)

    assert [s.flagged(0.9) for s in scored] == [True, False]


def test_the_stacks_verdict_needs_the_lm_stage():
    with pytest.raises(CommandError, match="--stack: .* add --lm"):
        call_command("evaluate_detector", "--data", "debian", "--stack")
