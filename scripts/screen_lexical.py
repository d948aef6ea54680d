"""Screen a lexical model beside the cheap stage, on the training split only (docs/detector.md, "Round 21").

Round 19 found that modern AI text is *less* predictable than human text to both small language models, so a
model's surprise cannot rank it; what a small model does not know is what modern text looks like. The cheapest
model of that is lexical: a logistic regression over hashed word and punctuation unigrams and bigrams, trained
on the training split's windows. Words carry topic as well as style, so it is checked leave-one-source-out
from the start.

Reads a training run's saved cheap-stage out-of-fold scores (``train_detector --out DIR --save-oof``),
rebuilds the training examples exactly as ``training.train`` does (same documents, windows, groups and first
fold assignment), and prints:

* the cheap stage alone, out-of-fold (first fold assignment);
* the lexical model alone, out-of-fold on the same folds;
* stacked: a logistic regression over the cheap log-odds and the lexical log-odds, itself cross-fitted on the
  same folds;
* leave-one-source-out: the lexical model trained without each source in turn, stacked with the weights
  fitted above; per source, its windows against every window of the other class.

Nothing is written.

    DEBUG=1 python scripts/screen_lexical.py --from DIR --data PATH...
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

#: fixed before anything was computed (no setting is tuned)
N_FEATURES = 2 ** 20
C_LEXICAL = 1.0
TOKEN_PATTERN = r"[a-z0-9]+(?:'[a-z]+)?|[.,;:!?()\"*\u2014\u2013-]"
TOEFL_WEIGHT = 4.0


def vectorizer():
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(n_features=N_FEATURES, ngram_range=(1, 2), lowercase=True,
                             token_pattern=TOKEN_PATTERN, alternate_sign=False, norm="l2")


def shared_columns(X, y, sources, n: int) -> np.ndarray:
    """The columns (hashed n-grams) present in at least ``n`` distinct sources of each class."""
    counts = {0: np.zeros(X.shape[1], dtype=np.int32), 1: np.zeros(X.shape[1], dtype=np.int32)}
    for s in np.unique(sources):
        rows = np.where(sources == s)[0]
        present = np.asarray((X[rows] != 0).sum(axis=0)).ravel() > 0
        counts[int(y[rows[0]])] += present
    return np.where((counts[0] >= n) & (counts[1] >= n))[0]


class Lexical:
    """The lexical model; ``min_sources`` > 0 (variant L2): only the n-grams found in at least that many human
    and AI sources of the fitting data."""

    def __init__(self, X, y, w, sources, min_sources: int = 0):
        from sklearn.linear_model import LogisticRegression

        self.cols = shared_columns(X, y, sources, min_sources) if min_sources else None
        self.model = LogisticRegression(C=C_LEXICAL, max_iter=2000, solver="liblinear", random_state=0).fit(
            X[:, self.cols] if self.cols is not None else X, y, sample_weight=w)

    def decision_function(self, X):
        return self.model.decision_function(X[:, self.cols] if self.cols is not None else X)


def folds(groups: np.ndarray, seed: int = 0, n_splits: int = 5):
    """The first fold assignment of ``training.grouped_oof_gbt`` (the same shuffle of group ids)."""
    from sklearn.model_selection import GroupKFold

    rng = np.random.RandomState(seed)
    uniq = np.unique(groups)
    perm = dict(zip(uniq, rng.permutation(len(uniq))))
    g2 = np.array([perm[g] for g in groups])
    return list(GroupKFold(n_splits=n_splits).split(np.zeros(len(groups)), groups, g2))


def logit(p):
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def summary(name, y, s, kinds, log=print):
    from moderation.detector.train.training import auroc, tpr_at_fpr

    m60, mw = kinds == "prefix60", kinds == "window"
    log(f"{name:<34} 60-word AUROC {auroc(y[m60], s[m60]):.4f}  windows AUROC {auroc(y[mw], s[mw]):.4f}  "
        f"TPR@1%FPR 60-word {tpr_at_fpr(y[m60], s[m60], 0.01)[0]:.3f} windows {tpr_at_fpr(y[mw], s[mw], 0.01)[0]:.3f}")
    return auroc(y[m60], s[m60]), auroc(y[mw], s[mw])


def cheap_loso(run: str, ex, y, w, groups, sources) -> np.ndarray:
    """The cheap stage's log-odds for each source from trees fitted without it, with the run's settings
    (round 15's command: 300 distortion n-grams, learning rate 0.2, bags of 3) and read on the run's Platt
    scale, so that the stacker fitted above applies. The distortion vocabulary is the run's, built from every
    training window (only masked n-grams: a small leak, in the cheap stage's favour)."""
    import json

    from moderation.detector import distortion as D
    from moderation.detector import features as F
    from moderation.detector.train.training import bag_logit, featurize, fit_gbt_bag

    artifact = json.loads((Path(run) / "cheap.json").read_text())
    vocab = D.build_vocabulary([e.text for e in ex], 300)
    index = {g: i for i, g in enumerate(vocab)}
    X = np.hstack([featurize(ex), np.asarray([D.rates(e.text, index) for e in ex], dtype=np.float64)])
    names = list(F.FEATURE_NAMES) + [D.PREFIX + g for g in vocab]
    out = np.zeros(len(y))
    for k, s in enumerate(np.unique(sources)):
        te = sources == s
        models = fit_gbt_bag(X[~te], y[~te], w[~te], groups[~te], 3, 0, names, learning_rate=0.2)
        out[te] = bag_logit(models, X[te])
        print(f"cheap stage without {s} ({k + 1}/{len(np.unique(sources))})", flush=True)
    return artifact["platt"]["a"] * out + artifact["platt"]["b"]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="run", required=True)
    ap.add_argument("--data", nargs="+", required=True)
    ap.add_argument("--cheap-loso", action="store_true", help="also the cheap stage leave-one-source-out (its "
                    "trees refitted without each source: about 25 minutes on two cores), so that both sides of the "
                    "comparison have not seen the source (a diagnostic, not part of the rule)")
    ap.add_argument("--min-sources", type=int, default=0, help="variant L2: keep n-grams found in at least N "
                    "human and N AI sources of the fitting data (0: every n-gram, variant L1)")
    a = ap.parse_args(argv)

    import django

    django.setup()
    from sklearn.linear_model import LogisticRegression

    from moderation.classifiers.detector_plugin import as_posted
    from moderation.detector.train.data import load
    from moderation.detector.train.training import (CHEAP_OOF_FILE, auroc, build_examples, example_weights,
                                                    load_cheap_oof)

    rep = load_cheap_oof(Path(a.run) / CHEAP_OOF_FILE)
    saved = rep["_oof_by_text"]
    docs = load(a.data)
    train_docs = [d for d in docs if d.split == "train"]
    # The machine's packages change the Debian READMEs (installing Chromium adds some): keep the documents the
    # run trained on, those with a window among its saved scores, so that windows, groups and folds are the run's
    every = build_examples(train_docs, max_windows_per_doc=10 ** 9, seed=0, scored_text=as_posted)
    seen = {e.doc for e in every if e.text in saved}
    dropped = {e.doc for e in every} - seen
    train_docs = [d for i, d in enumerate(train_docs) if i not in dropped]
    ex = build_examples(train_docs, max_windows_per_doc=12, seed=0, scored_text=as_posted)
    missing = sum(e.text not in saved for e in ex)
    print(f"{len(dropped)} training documents not in the run's data left out", flush=True)
    if missing:
        raise SystemExit(f"{missing} examples have no saved score: not the run's data")
    y = np.array([train_docs[e.doc].label for e in ex])
    sources = np.array([train_docs[e.doc].source for e in ex])
    subsets = [train_docs[e.doc].subset for e in ex]
    kinds = np.array([e.kind for e in ex])
    group_of: dict = {}
    groups = np.array([group_of.setdefault(train_docs[e.doc].meta.get("group", f"doc{e.doc}"), len(group_of))
                       for e in ex])
    w = example_weights(sources.tolist(), subsets, y, toefl_weight=TOEFL_WEIGHT)
    cheap = logit([rep["_oof_by_text"][e.text] for e in ex])
    print(f"{len(ex)} examples ({int(y.sum())} AI) from {len(set(sources))} sources; "
          f"{int((kinds == 'prefix60').sum())} 60-word openings", flush=True)

    X = vectorizer().transform([e.text for e in ex])
    fs = folds(groups)
    lex = np.zeros(len(y))
    for k, (tr, te) in enumerate(fs):
        fit = Lexical(X[tr], y[tr], w[tr], sources[tr], a.min_sources)
        lex[te] = fit.decision_function(X[te])
        print(f"lexical fold {k + 1}/5" + (f" ({len(fit.cols)} n-grams shared by >= {a.min_sources} sources of "
              "each class)" if a.min_sources else ""), flush=True)

    Z = np.column_stack([cheap, lex])
    stacked = np.zeros(len(y))
    for tr, te in fs:
        stacked[te] = LogisticRegression(C=1e4, max_iter=1000).fit(Z[tr], y[tr], sample_weight=w[tr]) \
            .decision_function(Z[te])
    stacker = LogisticRegression(C=1e4, max_iter=1000).fit(Z, y, sample_weight=w)
    print(f"stacker weights (cheap log-odds, lexical log-odds): {stacker.coef_[0].round(3).tolist()} "
          f"bias {stacker.intercept_[0]:.3f}")

    base60, basew = summary("cheap stage (out-of-fold)", y, cheap, kinds)
    summary("lexical alone (out-of-fold)", y, lex, kinds)
    st60, stw = summary("stacked (out-of-fold)", y, stacked, kinds)

    # leave-one-source-out: the lexical model never saw the source it scores
    lexo = np.zeros(len(y))
    for s in np.unique(sources):
        te = sources == s
        tr = ~te
        lexo[te] = Lexical(X[tr], y[tr], w[tr], sources[tr], a.min_sources).decision_function(X[te])
    stacked_lo = stacker.decision_function(np.column_stack([cheap, lexo]))
    summary("lexical alone (LOSO)", y, lexo, kinds)
    lo60, low = summary("stacked, lexical LOSO", y, stacked_lo, kinds)

    cheapo = cheap_loso(a.run, ex, y, w, groups, sources) if a.cheap_loso else None
    if cheapo is not None:
        summary("cheap stage, LOSO", y, cheapo, kinds)
        both = stacker.decision_function(np.column_stack([cheapo, lexo]))
        summary("stacked, both LOSO", y, both, kinds)

    print("\nper source (its examples against every example of the other class): cheap / stacked LOSO / lexical LOSO")
    worst = []
    for s in sorted(set(sources)):
        m = sources == s
        lab = int(y[m][0])
        idx = np.concatenate([np.where(m)[0], np.where(y != lab)[0]])
        c, st, lx = (auroc(y[idx], v[idx]) for v in (cheap, stacked_lo, lexo))
        worst.append((st - c, s, int(m.sum())))
        more = "" if cheapo is None else "   LOSO both: cheap {:.4f}  stacked {:.4f}".format(
            auroc(y[idx], cheapo[idx]), auroc(y[idx], both[idx]))
        print(f"  {s:<44} {'AI' if lab else 'human':<5} n={int(m.sum()):>5}  {c:.4f}  {st:.4f}  {lx:.4f}{more}")
    big = [(d, s, n) for d, s, n in worst if n >= 100]
    drop = min(big)
    print(f"\nlargest loss, sources of >= 100 examples: {drop[0]:+.4f} ({drop[1]}, n={drop[2]})")

    passed = st60 >= base60 + 0.005 and stw >= basew and lo60 >= base60 + 0.005 and drop[0] >= -0.01
    print(f"\nRULE: 60-word +{st60 - base60:.4f} (>= 0.005), windows {stw - basew:+.4f} (>= 0), "
          f"LOSO 60-word +{lo60 - base60:.4f} (>= 0.005), worst source {drop[0]:+.4f} (>= -0.01): "
          f"{'PASS' if passed else 'FAIL'}")


if __name__ == "__main__":
    main()
