"""Representation experiments for the LM stage (detector version 4), on the cached LM sample.

Compares, on the same documents (every window of the first N documents per source, see :mod:`.lmcache`),
trained on the training split and scored on the held-out split:

* ``cheap``: the stylometric features alone;
* ``cheap+lm``: plus the ten perplexity statistics (the shipped LM combiner's form);
* ``cheap+lm+probe``: plus one feature, a linear probe's logit over the mean-pooled hidden states
  (fitted out-of-fold on the training split, so the combiner never sees an in-sample probe score);
* ``probe``: the probe alone.

    python -m moderation.detector.train.experiment CACHE.jsonl --data ... [--per-source 100]
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np

from .. import features as F
from ..normalize import normalize
from ..lm import LM_FEATURE_NAMES
from .lmcache import LMCache, doc_windows, lm_sample
from .training import EXCLUDED, auroc, fit_lr, lr_logit, source_weights, tpr_at_fpr


def _examples(docs, cache):
    rows = []
    for i, d in enumerate(docs):
        wins = doc_windows(d.text)
        if not wins or any(w not in cache for w in wins):
            continue
        norm = normalize(d.text).text
        prefix = " ".join(norm.split()[:60]) if len(norm.split()) >= 75 else None
        for w in wins:
            rows.append((i, w, w == prefix))
    return rows


def probe_fit(H, y, w, C=0.01):
    from sklearn.linear_model import LogisticRegression
    mean, scale = H.mean(0), H.std(0) + 1e-6
    m = LogisticRegression(C=C, max_iter=2000)
    m.fit((H - mean) / scale, y, sample_weight=w)
    return lambda X: ((X - mean) / scale) @ m.coef_[0] + m.intercept_[0]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("cache")
    ap.add_argument("--data", nargs="+", required=True)
    ap.add_argument("--per-source", type=int, default=100)
    ap.add_argument("--C", type=float, default=0.05)
    ap.add_argument("--probe-C", type=float, nargs="+", default=[0.003, 0.01, 0.03])
    ap.add_argument("--loso-human", action="store_true",
                    help="topic check: each human source left out of training, its false-flag rate at the "
                         "1%%-FPR point of the other human sources")
    a = ap.parse_args(argv)
    from .data import load
    cache = LMCache(a.cache)
    docs = lm_sample(load(a.data), a.per_source)
    ex = _examples(docs, cache)
    print(f"{len(ex)} windows of {len({i for i, _, _ in ex})} documents with cached LM outputs")
    idx = np.array([i for i, _, _ in ex])
    y = np.array([docs[i].label for i in idx])
    split = np.array([docs[i].split for i in idx])
    isprefix = np.array([p for _, _, p in ex])
    src = [docs[i].source for i in idx]
    X = np.array([F.extract(t) for _, t, _ in ex])
    L = np.array([cache.features(t) for _, t, _ in ex])
    H = np.array([cache.hidden(t) for _, t, _ in ex])
    groups = np.array([hash(docs[i].meta.get("group", f"d{i}")) for i in idx])
    tr, te = split == "train", split == "test"
    w = source_weights([s for s, m in zip(src, tr) if m], y[tr])
    names = list(F.FEATURE_NAMES)

    # out-of-fold probe logits on the training split (5 folds by group), the full probe for the test split
    from sklearn.model_selection import GroupKFold
    results = {}
    for pc in a.probe_C:
        oof = np.zeros(tr.sum())
        for ftr, fte in GroupKFold(5).split(H[tr], y[tr], groups[tr]):
            oof[fte] = probe_fit(H[tr][ftr], y[tr][ftr], w[ftr], pc)(H[tr][fte])
        full = probe_fit(H[tr], y[tr], w, pc)(H[te])
        results[pc] = (oof, full)

    def evaluate(name, Xtr, Xte, feat_names):
        params = fit_lr(Xtr, y[tr], w, a.C, names=feat_names)
        z = lr_logit(params, Xte)
        # document level: mean of window logits (ranking), max window (flags)
        by = defaultdict(list)
        pre = {}
        for j, d in enumerate(idx[te]):
            if isprefix[te][j]:
                pre[d] = z[j]
            else:
                by[d].append(z[j])
        dids = sorted(by)
        yd = np.array([docs[d].label for d in dids])
        mean = np.array([np.mean(by[d]) for d in dids])
        mx = np.array([np.max(by[d]) for d in dids])
        t1, thr = tpr_at_fpr(yd, mx, 0.01)
        forum = np.array([docs[d].source.startswith(("se:", "own:", "ai_paragraphs")) for d in dids])
        liang = np.array([docs[d].source.startswith("liang:") for d in dids])
        hum_src = defaultdict(list)
        for d, v in zip(dids, mx):
            if docs[d].label == 0:
                hum_src[docs[d].source].append(v >= thr)
        for d in dids:  # a document of 50-75 words: its one window stands for its first 60 words
            if d not in pre and len(by[d]) == 1 and len(docs[d].text.split()) <= 75:
                pre[d] = by[d][0]
        pd = [d for d in dids if d in pre and docs[d].source.startswith(("se:", "own:", "ai_paragraphs"))]
        a60 = auroc([docs[d].label for d in pd], [pre[d] for d in pd])
        print(f"{name:24s} docs {len(dids)}  AUROC {auroc(yd, mean):.4f}  forum {auroc(yd[forum], mean[forum]):.4f}  "
              f"forum-60w {a60:.4f} (n={len(pd)})  "
              f"liang {auroc(yd[liang], mean[liang]):.4f}  max-window TPR@1%FPR {t1:.3f}  "
              f"window AUROC {auroc(y[te], z):.4f}")
        print("    human flags at that point by source: " + ", ".join(
            f"{s} {sum(v)}/{len(v)}" for s, v in sorted(hum_src.items())))
        ai_reg = defaultdict(list)
        for d, v in zip(dids, mx):
            if docs[d].label == 1:
                ai_reg[docs[d].subset].append(v >= thr)
        print("    AI recall by subset: " + ", ".join(f"{s} {np.mean(v):.2f}/{len(v)}" for s, v in sorted(ai_reg.items())))

    lm_names = names + list(LM_FEATURE_NAMES)
    if a.loso_human:
        _loso_human(docs, idx, y, split, src, isprefix, X, L, H, w, a, lm_names)
        return
    evaluate("cheap", X[tr], X[te], names)
    evaluate("cheap+lm", np.hstack([X, L])[tr], np.hstack([X, L])[te], lm_names)
    for pc, (oof, full) in results.items():
        Xa = np.hstack([X[tr], L[tr], oof[:, None]])
        Xb = np.hstack([X[te], L[te], full[:, None]])
        evaluate(f"cheap+lm+probe C={pc}", Xa, Xb, lm_names + ["lm_probe"])
        evaluate(f"probe alone C={pc}", oof[:, None], full[:, None], ["lm_probe"])


def _loso_human(docs, idx, y, split, src, isprefix, X, L, H, w_unused, a, lm_names):
    """Does a representation flag human text on topics it never saw?  For every human source S: train on the
    training split of all other sources, set the threshold at 1% of the other human sources' held-out
    documents (most AI-like window), and report the share of S's documents (all of them) reaching it."""
    src = np.array(src)
    hum_sources = sorted({docs[i].source for i in idx if docs[i].label == 0})
    variants = {"cheap": lambda M: M[0], "cheap+lm": lambda M: np.hstack([M[0], M[1]]),
                "probe": lambda M: M[2], "cheap+lm+probe": None}
    rows = defaultdict(dict)
    pooled = defaultdict(list)  # every human document scored by a model that never saw its source
    from sklearn.model_selection import GroupKFold
    for S in hum_sources:
        trm = (split == "train") & (src != S)
        w = source_weights(list(src[trm]), y[trm])
        for name, get in variants.items():
            if name == "cheap+lm+probe":
                oof = np.zeros(trm.sum())
                Ht = H[trm]
                g = np.array([hash(docs[i].meta.get("group", f"d{i}")) for i in idx[trm]])
                for ftr, fte in GroupKFold(5).split(Ht, y[trm], g):
                    oof[fte] = probe_fit(Ht[ftr], y[trm][ftr], w[ftr], a.probe_C[0])(Ht[fte])
                full = probe_fit(Ht, y[trm], w, a.probe_C[0])(H)
                full[np.where(trm)[0]] = oof
                M = np.hstack([X, L, full[:, None]])
                params = fit_lr(M[trm], y[trm], w, a.C, names=lm_names + ["lm_probe"])
                z = lr_logit(params, M)
            elif name == "probe":
                M = H
                f = probe_fit(M[trm], y[trm], w, a.probe_C[0])
                z = f(M)
            else:
                M = get((X, L, H))
                params = fit_lr(M[trm], y[trm], w, a.C, names=lm_names[:M.shape[1]])
                z = lr_logit(params, M)
            by = defaultdict(list)
            for j, d in enumerate(idx):
                if not isprefix[j]:
                    by[d].append(z[j])
            other_h = [max(v) for d, v in by.items() if docs[d].label == 0 and docs[d].source != S
                       and docs[d].split == "test"]
            thr = np.quantile(other_h, 0.99, method="higher")
            s_docs = [max(v) >= thr for d, v in by.items() if docs[d].source == S]
            ai = [max(v) >= thr for d, v in by.items() if docs[d].label == 1 and docs[d].split == "test"]
            rows[S][name] = (np.mean(s_docs), len(s_docs), np.mean(ai))
            pooled[name] += [(max(v), "h") for d, v in by.items() if docs[d].source == S]
            pooled[name + "/ai"] = [max(v) for d, v in by.items() if docs[d].label == 1 and docs[d].split == "test"]
    for S, r in rows.items():
        print(f"{S:34s} " + "  ".join(f"{n}: flagged {v[0]:.3f} of {v[1]} (AI recall {v[2]:.2f})" for n, v in r.items()))
    for name in variants:
        h = np.array([v for v, _ in pooled[name]])
        thr = np.quantile(h, 0.99, method="higher")
        ai = np.array(pooled[name + "/ai"])
        print(f"{name}: threshold at 1% of left-out-source human documents: AI recall {np.mean(ai >= thr):.3f} "
              f"(last model; {len(h)} human docs)")


if __name__ == "__main__":
    main()
