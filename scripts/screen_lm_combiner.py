"""Screen LM-stage combiners on the training split, in minutes (docs/detector.md, "Round 17").

Reads a training run's saved cheap-stage out-of-fold scores (``train_detector --out DIR --save-oof``) and the
LM cache that run trained on, rebuilds the LM sample's examples exactly as ``training.train`` does, and scores
three combiners out-of-fold on the same grouped folds:

* baseline: the shipped form, a logistic regression over the cheap log-odds and the ten LM statistics;
* A: gradient-boosted trees on the same 11 inputs;
* B: the logistic regression plus log(words) and log(words) times each input (short windows' statistics are
  noisier);
* C (round 18, when the cache was filled with ``fill_lm_cache --tokens``): the logistic regression plus 18
  per-token inputs (:func:`per_token_inputs`), with its two halves C1 and C2 as diagnostics.

It prints, per combiner, the cascade's AUROC (cheap probability outside DIR's LM band, the combiner's inside)
on the 60-word openings and on the windows, and the combiner's alone. Nothing is written.

    DEBUG=1 python scripts/screen_lm_combiner.py --from DIR --lm-cache CACHE.jsonl --data PATH...
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


BURN_IN = 16  # tokens of context before a token counts in the burn-in statistics
PER_TOKEN_NAMES = ["z_std", "z_p10", "z_p50", "z_p90", "logp_p25", "logp_p50", "logp_p90", "entropy_std"]


def per_token_inputs(tokens) -> list[float]:
    """Round 18's 18 inputs from a window's per-token arrays: the ten LM statistics over the tokens with at
    least BURN_IN tokens of context (the whole window's when it has fewer than BURN_IN + 8 tokens), then the
    spread and tails of the normalised surprise z and of log p, and the spread of the entropy."""
    from moderation.detector.lm import SmolLM

    logp, rank, ent, var = (np.asarray(a, dtype=np.float64) for a in tokens)
    keep = slice(BURN_IN, None) if len(logp) >= BURN_IN + 8 else slice(None)
    burn = SmolLM._features(logp[keep], rank[keep], ent[keep], var[keep])
    z = (logp + ent) / np.sqrt(var)
    return [*burn, float(z.std()), *(float(np.percentile(z, q)) for q in (10, 50, 90)),
            *(float(np.percentile(logp, q)) for q in (25, 50, 90)), float(ent.std())]


def side_cache_read(path, field: str) -> dict:
    """A side cache (JSONL ``{"k": sha1 of a window, field: its values}``) as ``{sha1: values}``."""
    table = {}
    for line in open(path, encoding="utf-8"):
        if line.strip():
            row = json.loads(line)
            table[row["k"]] = row[field]
    return table


def side_cache_fill(path, texts, values, field: str, every: int = 100) -> None:
    """Append ``values(text)`` for each of ``texts`` not in the side cache yet (a stopped fill resumes), one
    flushed line each, with progress on stderr."""
    import time

    from moderation.detector.train.lmcache import key

    done = set(side_cache_read(path, field)) if os.path.exists(path) else set()
    todo = [t for t in texts if key(t) not in done]
    print(f"{len(todo)} windows", file=sys.stderr, flush=True)
    t0 = time.time()
    with open(path, "a", encoding="utf-8") as fh:
        for j, text in enumerate(todo):
            k = key(text)
            if k in done:
                continue
            fh.write(json.dumps({"k": k, field: values(text)}) + "\n")
            fh.flush()
            done.add(k)
            if j % every == 0:
                print(f"{j}/{len(todo)} {time.time() - t0:.0f}s", file=sys.stderr, flush=True)


def side_cache_docs(a) -> list:
    """The documents of ``a.data`` whose source matches ``a.source_regex`` (all when it is empty)."""
    import re

    from moderation.detector.train.data import load

    return [d for d in load(a.data) if not a.source_regex or re.search(a.source_regex, d.source)]


def side_cache_main(argv, description: str, side_option: str, fill, screen, fill_options=()) -> None:
    """The command line the side-cache screens share: ``fill OUT --data PATH... --per-source N
    [--source-regex RE]`` and ``screen --from DIR --lm-cache CACHE.jsonl --<side_option> OUT.jsonl --data
    PATH...``; ``fill_options``: further ``(flag, add_argument keywords)`` for ``fill``."""
    ap = argparse.ArgumentParser(description=description)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fill")
    f.add_argument("out")
    f.add_argument("--data", nargs="+", required=True)
    f.add_argument("--per-source", type=int, required=True)
    f.add_argument("--source-regex", default="")
    for flag, options in fill_options:
        f.add_argument(flag, **options)
    s = sub.add_parser("screen")
    s.add_argument("--from", dest="run", required=True)
    s.add_argument("--lm-cache", required=True)
    s.add_argument(f"--{side_option}", required=True)
    s.add_argument("--data", nargs="+", required=True)
    a = ap.parse_args(argv)
    fill(a) if a.cmd == "fill" else screen(a)


def main(argv=None, extra=()) -> None:
    """``extra``: further combiners read from a side cache, ``[(name, {sha1 of a window: its values}, inputs)]``
    (``primed_lm_screen.py``, ``second_lm_screen.py``). ``inputs(base, values)`` returns the columns added to
    the shipped inputs and their names (``base``: the shipped inputs, one row per example, the cheap log-odds
    first; ``values``: the side cache's rows for the same examples)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="run", required=True, help="a train_detector --out DIR --save-oof folder")
    ap.add_argument("--lm-cache", required=True, help="the DETECTOR_LM_CACHE that run trained its LM stage on")
    ap.add_argument("--data", nargs="+", required=True, help="that run's --data")
    a = ap.parse_args(argv)

    import django
    django.setup()
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from moderation.classifiers.detector_plugin import as_posted
    from moderation.detector.api import STACKED
    from moderation.detector.lm import LM_FEATURE_NAMES
    from moderation.detector.train import training as T
    from moderation.detector.train.data import load
    from moderation.detector.train.lmcache import LMCache

    run = Path(a.run)
    oof = T.load_cheap_oof(run / T.CHEAP_OOF_FILE)["_oof_by_text"]
    lo, hi = json.loads((run / "lm.json").read_text())["band"]
    train_docs = [d for d in load(a.data) if d.split == "train"]
    cache = LMCache(a.lm_cache)
    ex = [e for e in T.build_examples(train_docs, max_windows_per_doc=12, seed=0, scored_text=as_posted)
          if cache.features(e.text) is not None]
    y = np.array([train_docs[e.doc].label for e in ex])
    w = T.example_weights([train_docs[e.doc].source for e in ex], [train_docs[e.doc].subset for e in ex], y)
    group_of: dict = {}
    groups = np.array([group_of.setdefault(train_docs[e.doc].meta.get("group", f"doc{e.doc}"), len(group_of))
                       for e in ex])
    cheap = np.clip(np.array([oof[e.text] for e in ex]), 1e-9, 1 - 1e-9)
    base = np.hstack([np.log(cheap / (1 - cheap))[:, None],
                      np.array([cache.features(e.text) for e in ex], dtype=float)])
    names = [STACKED, *LM_FEATURE_NAMES]
    kinds = np.array([e.kind for e in ex])
    rng = np.random.RandomState(0)
    uniq = np.unique(groups)
    perm = dict(zip(uniq, rng.permutation(len(uniq))))
    folds = list(GroupKFold(n_splits=5).split(base, y, np.array([perm[g] for g in groups])))
    print(f"{len(ex)} LM-sample examples ({int(y.sum())} AI), band [{lo:.4f}, {hi:.4f})")

    def lr(X, nm):
        out = np.zeros(len(y))
        for tr, te in folds:
            params = T.fit_lr(X[tr], y[tr], w[tr], 0.05, 0, names=nm)
            out[te] = T.lr_logit(params, X[te])
        return out

    def trees(X):
        out = np.zeros(len(y))
        for tr, te in folds:
            g = HistGradientBoostingClassifier(max_depth=3, max_iter=200, learning_rate=0.05, min_samples_leaf=40,
                                               random_state=0).fit(X[tr], y[tr], sample_weight=w[tr])
            p = np.clip(g.predict_proba(X[te])[:, 1], 1e-6, 1 - 1e-6)
            out[te] = np.log(p / (1 - p))
        return out

    def report(name, logit):
        # Platt-scaled, as train() does, so that the cascade mixes probabilities on one scale
        p = LogisticRegression(C=1e6).fit(logit[:, None], y, sample_weight=w).predict_proba(logit[:, None])[:, 1]
        casc = np.where((cheap >= lo) & (cheap < hi), p, cheap)
        row = {f"{what}_{kind}": T.auroc(y[kinds == kind], s[kinds == kind])
               for what, s in (("cascade", casc), ("combiner", p)) for kind in ("prefix60", "window")}
        print(f"{name:<28}" + "  ".join(f"{k} {v:.4f}" for k, v in row.items()), flush=True)

    logw = np.log(np.array([len(e.text.split()) for e in ex], dtype=float))[:, None]
    report("baseline: LR, 11 inputs", lr(base, names))
    report("A: trees, 11 inputs", trees(base))
    report("B: LR + length, 23 inputs", lr(np.hstack([base, logw, base * (logw - logw.mean())]),
                                           names + ["log_words"] + [f"{n}_x_log_words" for n in names]))
    from moderation.detector.train.lmcache import key
    for name, table, inputs in extra:
        missing = sum(key(e.text) not in table for e in ex)
        if missing:
            print(f"{name} skipped: {missing} windows not in its side cache")
            continue
        columns, more = inputs(base, np.array([table[key(e.text)] for e in ex], dtype=float))
        report(name, lr(np.hstack([base, columns]), names + more))
    toks = [cache.tokens(e.text) for e in ex]
    if any(t is None for t in toks):
        print(f"C skipped: {sum(t is None for t in toks)} windows without per-token arrays (fill_lm_cache --tokens)")
        return
    extra = np.array([per_token_inputs(t) for t in toks])
    burn_names = [f"burn_{n}" for n in LM_FEATURE_NAMES]
    report("C: LR + 18 per-token", lr(np.hstack([base, extra]), names + burn_names + PER_TOKEN_NAMES))
    report("C1: LR + burn-in (10)", lr(np.hstack([base, extra[:, :10]]), names + burn_names))
    report("C2: LR + distribution (8)", lr(np.hstack([base, extra[:, 10:]]), names + PER_TOKEN_NAMES))


if __name__ == "__main__":
    main()
