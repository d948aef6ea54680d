"""A forum's own flag threshold: ``calibrate_detector`` on posts from before a date, then used by the
pipeline, the policy's ``passage_flagged``, ``score_texts``' ``flagged``/``verdict`` and the stats page."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from moderation.classifiers.base import Classifier, PassageScore

PERCENT = "tests.moderation.test_calibration.PercentClassifier"
CUTOFF = datetime(2022, 11, 30, tzinfo=timezone.utc)


class PercentClassifier(Classifier):
    """Scores each ``[[p=0.NN]]`` written in an author passage as one window; ships with threshold 0.9."""

    name = "percent"
    version = "1"

    def classify(self, passages, disclosure):
        scores = [PassageScore(start=p.start + m.start(), end=p.start + m.end(), kind=p.kind,
                               probability=float(m.group(1)))
                  for p in passages if p.kind == "author" for m in re.finditer(r"\[\[p=([\d.]+)\]\]", p.text)]
        if not scores:
            return self.output(status="insufficient_evidence", details={"threshold": 0.9})
        return self.output(status="ok", score=max(s.probability for s in scores), passages=scores,
                           details={"threshold": 0.9})


@pytest.fixture
def percent(settings):
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": [PERCENT]}


def backdate(post, when):
    from moderation.models import Revision, Submission

    Submission.objects.filter(pk=post.submission.pk).update(created_at=when)
    Revision.objects.filter(submission=post.submission).update(created_at=when)


@pytest.fixture
def old_posts(percent, make_post):
    """50 posts written before the cut-off scoring 0.00, 0.02, … 0.98, and 5 newer ones scoring 0.99."""
    for i in range(50):
        backdate(make_post(body=f"An old post of mine. [[p={i / 50:.2f}]]"), CUTOFF - timedelta(days=400 - i))
    for i in range(5):
        make_post(body="A recent post. [[p=0.99]]")


def _calibrate(*args) -> str:
    out = StringIO()
    call_command("calibrate_detector", "--before", "2022-11-30", "--no-progress", "--min-posts", "20", *args,
                 stdout=out)
    return out.getvalue()


def test_calibration_stores_the_lowest_threshold_that_flags_at_most_the_chosen_share_of_old_posts(old_posts):
    from moderation.models import SiteThreshold

    out = _calibrate("--false-flag-rate", "0.04")

    row = SiteThreshold.objects.get(classifier="percent", version="1")
    # 4% of 50 = 2 posts may be flagged: 0.98 and 0.96; 0.94 may not; the recent posts do not count
    assert 0.94 < row.threshold <= 0.96
    assert (row.posts_scored, row.posts_flagged, row.posts_flagged_shipped) == (50, 2, 5)
    assert (row.shipped_threshold, row.false_flag_rate, row.posts_before) == (0.9, 0.04, CUTOFF)
    assert row.post_threshold is None  # PercentClassifier has no post rule
    assert "flags 2/50 posts from before 2022-11-30" in out and "Stored." in out


def test_a_dry_run_prints_the_threshold_and_stores_nothing(old_posts):
    from moderation.models import SiteThreshold

    assert "Nothing stored" in _calibrate("--dry-run")
    assert not SiteThreshold.objects.exists()


def test_too_few_old_posts_are_refused_not_calibrated(old_posts):
    from moderation.models import SiteThreshold

    with pytest.raises(CommandError, match=r"Not calibrated: only 50 post\(s\) .* at least 100"):
        call_command("calibrate_detector", "--before", "2022-11-30", "--no-progress")
    with pytest.raises(CommandError, match="between 0 and 1"):
        _calibrate("--false-flag-rate", "5")
    with pytest.raises(CommandError, match="Not configured: statistical"):
        _calibrate("--classifier", "statistical")
    assert not SiteThreshold.objects.exists()


@pytest.mark.parametrize("args, message", [
    (["--min-posts", "0"], "--min-posts must be at least 1"),
    (["--min-posts", "-3"], "--min-posts must be at least 1"),
    (["--limit", "0"], "--limit must be at least 1"),
    (["--limit", "-1"], "--limit must be at least 1"),
])
def test_settings_that_could_only_store_a_meaningless_threshold_are_refused(db, percent, args, message):
    """With no old posts and --min-posts 0 a threshold of 0.0 was stored (every post flagged), then the command
    crashed dividing by zero."""
    from moderation.models import SiteThreshold

    with pytest.raises(CommandError, match=message):
        call_command("calibrate_detector", "--before", "2022-11-30", "--no-progress", *args)
    assert not SiteThreshold.objects.exists()


def test_a_date_in_the_future_is_refused_not_read_as_old_posts(old_posts):
    from moderation.models import SiteThreshold

    with pytest.raises(CommandError, match="in the future"):
        call_command("calibrate_detector", "--before", "2202-11-30", "--no-progress", "--min-posts", "20")
    assert not SiteThreshold.objects.exists()


def test_the_service_refuses_them_too(db, percent):
    from moderation.classifiers.registry import configured_classifiers
    from moderation.services.calibration import CalibrationError, site_threshold_calibrate

    classifier = configured_classifiers()[0]
    for kwargs in ({"min_posts": 0}, {"limit": 0}, {"before": datetime(2202, 1, 1, tzinfo=timezone.utc)}):
        with pytest.raises(CalibrationError):
            site_threshold_calibrate(classifier=classifier, **{"before": CUTOFF, **kwargs})


def test_a_classifier_that_reads_results_not_text_is_named_as_such(db, settings, percent):
    settings.MODERATION = {**settings.MODERATION,
                           "CLASSIFIERS": [PERCENT, "moderation.classifiers.consistency.DisclosureConsistencyClassifier"]}
    with pytest.raises(CommandError, match="reads other classifiers' results, not text"):
        _calibrate("--classifier", "disclosure_consistency")


def test_results_classified_after_calibration_are_flagged_at_the_site_threshold(old_posts, make_post):
    from moderation.models import ClassifierResult
    from moderation.policy.evidence import passage_flagged
    from moderation.services.evaluation import revision_classify

    def flagged(body):
        post = make_post(body=body)
        revision_classify(revision=post.submission.current_revision)
        return ClassifierResult.objects.get(revision=post.submission.current_revision, classifier="percent")

    before = flagged("Written before calibrating. [[p=0.93]]")
    _calibrate("--false-flag-rate", "0.04")
    after = flagged("Written after calibrating. [[p=0.93]]")
    higher = flagged("Another one. [[p=0.97]]")

    assert before.details["threshold"] == 0.9 and passage_flagged([before], ["author"])
    assert 0.94 < after.details["threshold"] <= 0.96 and after.details["shipped_threshold"] == 0.9
    assert not passage_flagged([after], ["author"])
    assert passage_flagged([higher], ["author"])


def test_score_texts_says_per_text_whether_it_is_flagged_and_its_verdict(percent, old_posts, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in [
        {"id": "high", "text": "Surely written by a model. [[p=0.97]]"},
        {"id": "between", "text": "Somewhere between. [[p=0.93]]"},
        {"id": "low", "text": "Plainly mine. [[p=0.10]]"},
        {"id": "code", "text": "```\nonly code [[p=0.99]]\n```"},
    ]) + "\n")

    def run():
        out = StringIO()
        call_command("score_texts", str(source), "--no-progress", stdout=out)
        return {r["id"]: (r["flagged"], r["verdict"]) for r in map(json.loads, out.getvalue().splitlines())}

    shipped = run()
    _calibrate("--false-flag-rate", "0.04")
    site = run()

    assert shipped == {"high": (True, "flag"), "between": (True, "flag"), "low": (False, "no_evidence"),
                       "code": (False, "insufficient_evidence")}
    assert site == {**shipped, "between": (False, "no_evidence")}


def test_the_stats_page_shows_the_site_threshold(old_posts, client, moderator):
    mod_client = client
    mod_client.force_login(moderator)
    assert "Not calibrated" in mod_client.get("/moderation/stats/").content.decode()
    _calibrate("--false-flag-rate", "0.04")

    page = mod_client.get("/moderation/stats/").content.decode()
    row = re.search(r'<tr data-classifier="percent">(.*?)</tr>', page, re.S).group(1)
    assert "0.9000" in row and "50 posts before 2022-11-30" in row and "2 / 5" in row


class AveragingClassifier(PercentClassifier):
    """The same windows, scored like the built-in detector since version 9: the post score is the windows'
    mean, and a post of two or more windows is also flagged when it reaches the post threshold 0.7."""

    name = "averaging"

    def classify(self, passages, disclosure):
        output = super().classify(passages, disclosure)
        if output.status == "ok":
            output.score = sum(p.probability for p in output.passages) / len(output.passages)
        output.details = {**output.details, "post_threshold": 0.7}
        return output


@pytest.fixture
def old_averaged_posts(settings, make_post):
    """Old posts: 25 of one window scoring 0.00, 0.02, … 0.48, two more scoring 0.92 and 0.94; 22 of two
    windows averaging 0.15, 0.16, … 0.36 and one averaging 0.65 (windows 0.50 and 0.80)."""
    settings.MODERATION = {**settings.MODERATION,
                           "CLASSIFIERS": ["tests.moderation.test_calibration.AveragingClassifier"]}
    bodies = [f"An old post. [[p={i / 50:.2f}]]" for i in range(25)] + ["Old. [[p=0.92]]", "Old. [[p=0.94]]"]
    bodies += [f"Two windows. [[p=0.10]]\n\nTwo. [[p={0.20 + i / 50:.2f}]]" for i in range(22)]
    bodies += ["Two windows. [[p=0.50]]\n\nTwo. [[p=0.80]]"]
    for i, body in enumerate(bodies):
        backdate(make_post(body=body), CUTOFF - timedelta(days=400 - i))


def test_a_classifier_with_a_post_rule_gets_a_site_post_threshold_above_every_old_post_it_could_flag(
        old_averaged_posts, make_post):
    from moderation.models import ClassifierResult, SiteThreshold
    from moderation.policy.evidence import passage_flagged
    from moderation.services.evaluation import revision_classify

    out = _calibrate("--false-flag-rate", "0.04")

    row = SiteThreshold.objects.get(classifier="averaging")
    # 2 of 50 may be flagged (0.94, 0.92); no long post is, and the highest average among them is 0.65
    assert 0.80 < row.threshold <= 0.81 and row.posts_flagged == 2
    assert 0.65 < row.post_threshold < 0.65 + 1e-5
    assert row.posts_flagged_shipped == 2  # 0.92, 0.94 by the window; 0.65 is under the shipped post rule's 0.7
    assert "Post threshold 0.6500" in out

    def result(body):
        post = make_post(body=body)
        revision_classify(revision=post.submission.current_revision)
        return ClassifierResult.objects.get(revision=post.submission.current_revision)

    consistent = result("New. [[p=0.68]]\n\nNew. [[p=0.70]]")
    lower = result("New. [[p=0.60]]\n\nNew. [[p=0.64]]")
    single = result("New. [[p=0.80]]")
    assert (consistent.details["post_threshold"], consistent.details["shipped_post_threshold"]) == (
        row.post_threshold, 0.7)
    assert passage_flagged([consistent], ["author"])           # by its average: 0.69
    assert not passage_flagged([consistent], ["author"], ignore_post=True)
    assert not passage_flagged([lower], ["author"])
    assert not passage_flagged([single], ["author"])          # one window is judged by the window rule only
    assert not passage_flagged([consistent], ["declared_ai"])  # the post rule reads the author's text


def test_with_too_few_long_old_posts_no_post_rule_is_set_and_the_calibrated_rate_holds(
        old_averaged_posts, make_post):
    """The shipped post threshold was set against the shipped passage threshold, not the forum's: kept, it
    could flag far more old posts than the chosen rate. Too few long posts to set one: no post rule."""
    from moderation.models import ClassifierResult, SiteThreshold
    from moderation.policy.evidence import passage_flagged
    from moderation.services.evaluation import revision_classify

    out = _calibrate("--false-flag-rate", "0.04", "--min-posts", "30")  # 23 posts of two windows

    row = SiteThreshold.objects.get(classifier="averaging")
    assert row.post_threshold is None and row.posts_flagged == 2
    assert "No post threshold: fewer than 30 old posts have two or more passages" in out
    post = make_post(body="New. [[p=0.78]]\n\nNew. [[p=0.80]]")  # averages 0.79, over the shipped 0.7
    revision_classify(revision=post.submission.current_revision)
    result = ClassifierResult.objects.get(revision=post.submission.current_revision)
    assert result.details["post_threshold"] is None and result.details["shipped_post_threshold"] == 0.7
    assert not passage_flagged([result], ["author"])


def test_score_texts_flags_a_text_by_its_post_score_and_prints_the_post_threshold(old_averaged_posts, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in [
        {"id": "throughout", "text": "New. [[p=0.72]]\n\nNew. [[p=0.74]]"},   # averages 0.73 >= 0.7
        {"id": "lower", "text": "New. [[p=0.60]]\n\nNew. [[p=0.64]]"},
        {"id": "one", "text": "New. [[p=0.80]]"},
    ]) + "\n")
    out = StringIO()
    call_command("score_texts", str(source), "--no-progress", stdout=out)

    rows = {r["id"]: r for r in map(json.loads, out.getvalue().splitlines())}
    assert {k: (r["flagged"], r["verdict"]) for k, r in rows.items()} == {
        "throughout": (True, "flag"), "lower": (False, "no_evidence"), "one": (False, "no_evidence")}
    assert rows["throughout"]["classifiers"]["averaging"]["post_threshold"] == 0.7


def test_a_classifier_without_a_post_rule_gets_none_from_calibration(old_posts):
    from moderation.models import SiteThreshold

    out = _calibrate("--false-flag-rate", "0.04")

    assert SiteThreshold.objects.get().post_threshold is None and "Post threshold" not in out


def test_the_item_page_says_when_a_post_is_flagged_as_a_whole(old_averaged_posts, make_post):
    from django.template.loader import render_to_string

    from moderation.selectors.passage_report import revision_passage_report
    from moderation.services.evaluation import revision_classify

    flagged = make_post(body="New. [[p=0.72]]\n\nNew. [[p=0.74]]")
    by_window = make_post(body="New. [[p=0.95]]\n\nNew. [[p=0.74]]")
    for post in (flagged, by_window):
        revision_classify(revision=post.submission.current_revision)

    report = revision_passage_report(flagged.submission.current_revision)
    html = render_to_string("moderation/_passage_scores.html", {"report": report})
    assert [r["classifier"] for r in report.post_flags] == ["averaging"] and report.flagged_count == 0
    assert "Flagged as a whole" in html and "post score 73%" in html and "post threshold 70%" in html
    assert not revision_passage_report(by_window.submission.current_revision).post_flags


@pytest.fixture
def old_posts_of_two_lengths(percent, make_post):
    """Before the cut-off, 50 one-window posts whose window scores 0.00, 0.01, … 0.49, and 50 five-window
    posts whose most AI-like window scores 0.50, 0.51, … 0.99 (the others 0.10): long posts score higher,
    as they do with a real detector, where each of their windows is one more chance."""
    for i in range(50):
        backdate(make_post(body=f"A short old post. [[p={i / 100:.2f}]]"), CUTOFF - timedelta(days=400 - i))
        body = "\n\n".join(["A paragraph of a long old post. [[p=0.10]]"] * 4
                             + [f"The last one. [[p={0.5 + i / 100:.2f}]]"])
        backdate(make_post(body=body), CUTOFF - timedelta(days=300 - i))
    backdate(make_post(body="Two windows. [[p=0.20]]\n\nTwo windows. [[p=0.30]]"), CUTOFF - timedelta(days=10))


def test_every_calibration_reports_the_old_posts_flagged_by_length(old_posts_of_two_lengths):
    from moderation.models import SiteThreshold

    out = _calibrate("--false-flag-rate", "0.04")

    row = SiteThreshold.objects.get()
    # 4% of 101 posts = 4 may be flagged, and one threshold gives all four to the long posts
    assert 0.95 < row.threshold <= 0.96 and row.posts_flagged == 4
    assert row.by_length == [
        {"band": "1", "posts": 50, "threshold": None, "own": False, "flagged": 0, "flagged_shipped": 0},
        {"band": "2-3", "posts": 1, "threshold": None, "own": False, "flagged": 0, "flagged_shipped": 0},
        {"band": "4-7", "posts": 50, "threshold": None, "own": False, "flagged": 4, "flagged_shipped": 10},
    ]
    assert "4-7: site threshold flags 4/50 (8.00%), shipped threshold 10/50" in out
    assert "Posts of 4-7 passages are flagged more than 1.5 times the target rate: --by-length" in out


def test_by_length_stores_a_threshold_per_length_band_that_has_enough_posts(old_posts_of_two_lengths):
    from moderation.models import SiteThreshold

    out = _calibrate("--false-flag-rate", "0.04", "--by-length")

    row = SiteThreshold.objects.get()
    bands = {b["band"]: b for b in row.by_length}
    # 4% of each band's 50 posts = 2 may be flagged: 0.49 and 0.48 of the short ones, 0.99 and 0.98 of the long
    assert 0.47 < bands["1"]["threshold"] <= 0.48 and bands["1"]["flagged"] == 2 and bands["1"]["own"]
    assert 0.97 < bands["4-7"]["threshold"] <= 0.98 and bands["4-7"]["flagged"] == 2 and bands["4-7"]["own"]
    # one two-window post is too few for a threshold of its own: it gets the highest of the forum's threshold
    # and the shorter bands'; no eight-window post at all: the highest of everything shorter
    assert bands["2-3"]["threshold"] == row.threshold and not bands["2-3"]["own"] and bands["2-3"]["flagged"] == 0
    assert bands["8+"] == {"band": "8+", "posts": 0, "threshold": bands["4-7"]["threshold"], "own": False,
                           "flagged": 0, "flagged_shipped": 0}
    assert row.posts_flagged == 4 and 0.95 < row.threshold <= 0.96
    assert "with the length bands' thresholds below, it flags 4/101" in out
    assert "2-3: threshold 0.95" in out and "(too few posts for its own" in out
    assert "8+: threshold 0.97" in out and "(no posts: the highest of the site's, the shorter bands' and the shipped one for its length)" in out
    assert "Posts of" not in out


def test_a_long_band_without_enough_posts_never_gets_a_lower_threshold_than_a_shorter_band(percent, make_post):
    """Few long posts: the forum's one threshold, set mostly by the many shorter posts, would flag them more
    often; they get the shorter band's higher threshold instead, and the command says they are still over."""
    from moderation.models import SiteThreshold

    for i in range(100):
        backdate(make_post(body=f"Short. [[p={i / 200:.3f}]]"), CUTOFF - timedelta(days=400 - i))
    for i in range(40):
        backdate(make_post(body=f"Two. [[p=0.10]]\n\nWindows. [[p={0.5 + i / 100:.2f}]]"),
                 CUTOFF - timedelta(days=200 - i))
    for top in (0.80, 0.81, 0.82, 0.86, 0.90):
        backdate(make_post(body="\n\n".join(["Long. [[p=0.10]]"] * 4 + [f"End. [[p={top}]]"])),
                 CUTOFF - timedelta(days=50))

    _calibrate("--false-flag-rate", "0.05")
    one = SiteThreshold.objects.get()
    out = _calibrate("--false-flag-rate", "0.05", "--by-length")
    by_length = SiteThreshold.objects.get()

    # 5% of 145 posts = 7 may be flagged: down to the 0.84 two-window post, so 0.86 and 0.90 of the long ones
    assert 0.84 < one.threshold <= 0.85 and {b["band"]: b["flagged"] for b in one.by_length}["4-7"] == 2
    bands = {b["band"]: b for b in by_length.by_length}
    # 5% of 40 two-window posts = 2: 0.89 and 0.88; the five long posts get that band's threshold, not 0.84
    assert bands["2-3"]["own"] and 0.87 < bands["2-3"]["threshold"] <= 0.88
    assert not bands["4-7"]["own"] and bands["4-7"]["threshold"] == bands["2-3"]["threshold"]
    assert (bands["4-7"]["posts"], bands["4-7"]["flagged"]) == (5, 1)
    assert "Posts of 4-7 passages are still flagged more than 1.5 times the target rate" in out


def test_results_are_flagged_at_their_length_bands_threshold(old_posts_of_two_lengths, make_post):
    from moderation.models import ClassifierResult
    from moderation.policy.evidence import passage_flagged
    from moderation.services.evaluation import revision_classify

    _calibrate("--false-flag-rate", "0.04", "--by-length")

    def result(body):
        post = make_post(body=body)
        revision_classify(revision=post.submission.current_revision)
        return ClassifierResult.objects.get(revision=post.submission.current_revision, classifier="percent")

    short = result("A new short post. [[p=0.60]]")
    long = result("\n\n".join(["A new long post. [[p=0.10]]"] * 4 + ["And its last paragraph. [[p=0.96]]"]))
    medium = result("Two. [[p=0.10]]\n\nWindows. [[p=0.96]]")

    assert short.details["threshold_length_band"] == "1" and passage_flagged([short], ["author"])
    assert long.details["threshold_length_band"] == "4-7" and not passage_flagged([long], ["author"])
    assert medium.details["threshold_length_band"] == "2-3" and 0.95 < medium.details["threshold"] <= 0.96
    assert passage_flagged([medium], ["author"])


def test_the_evidence_bar_covers_every_length_bands_threshold():
    from moderation.policy.engine import RulePolicy
    from moderation.services.calibration import SiteRule, site_threshold_values
    from moderation.services.evaluation import evidence_bar_for

    thresholds = {("statistical", "8"): SiteRule(0.93, (("1", 0.91), ("4-7", 0.975))), ("percent", "1"): SiteRule(0.9)}
    assert sorted(site_threshold_values(thresholds)) == [0.9, 0.91, 0.93, 0.975]
    assert evidence_bar_for(thresholds=site_threshold_values(thresholds), policy=RulePolicy([])) == 0.975


def test_the_stats_page_shows_each_length_bands_threshold(old_posts_of_two_lengths, client, moderator):
    client.force_login(moderator)
    _calibrate("--false-flag-rate", "0.04", "--by-length")

    page = client.get("/moderation/stats/").content.decode()
    row = re.search(r'<tr class="by-length" data-classifier="percent">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r'data-band="1">1: 0\.4[78]\d\d, 2/50 / 0</li>', row)
    assert re.search(r'data-band="4-7">4-7: 0\.9[78]\d\d, 2/50 / 10</li>', row)
    assert re.search(r'data-band="2-3">2-3: 0\.95\d\d \(too few posts for a threshold of their own\), 0/1 / 0</li>',
                     row)


def test_without_by_length_the_stats_page_shows_each_band_at_the_site_threshold(old_posts_of_two_lengths, client,
                                                                                 moderator):
    client.force_login(moderator)
    _calibrate("--false-flag-rate", "0.04")

    row = re.search(r'<tr class="by-length" data-classifier="percent">(.*?)</tr>',
                    client.get("/moderation/stats/").content.decode(), re.S).group(1)
    assert 'data-band="4-7">4-7: the site threshold, 4/50 / 10</li>' in row


def test_the_built_in_detector_counts_a_posts_length_in_author_windows_only():
    """Calibration and the pipeline count the same thing: the detector's scored author windows (collapsible
    text joins the author's), never a declared AI block's."""
    from disclosure.blocks import parse_body
    from moderation.classifiers.stylometric import StylometricClassifier
    from moderation.services.calibration import SiteRule, author_probabilities, site_thresholds_apply
    from tests.detector.fixtures import AI_TEXTS, HUMAN_TEXTS

    rule = SiteRule(0.9, (("1", 0.91), ("2-3", 0.92), ("4-7", 0.93), ("8+", 0.94)))
    classifier = StylometricClassifier()

    def band(body):
        output = classifier.run(parse_body(body, "markdown").passages, None)
        site_thresholds_apply([output], {(classifier.name, str(classifier.version)): rule})
        return len(author_probabilities(output)), output.details["threshold_length_band"]

    declared = ":::ai-written model=\"X\"\n" + "\n\n".join(AI_TEXTS) + "\n:::"
    assert band(HUMAN_TEXTS[0]) == (1, "1")
    assert band(HUMAN_TEXTS[0] + "\n\n" + declared) == (1, "1")
    assert band("\n\n".join(HUMAN_TEXTS)) == (3, "2-3")
    assert band("\n\n".join(HUMAN_TEXTS * 2) + "\n\n" + declared) == (6, "4-7")
    assert band("\n\n".join(HUMAN_TEXTS) + "\n\n+++ collapsible Details\n" + HUMAN_TEXTS[1] + "\n+++") == (4, "4-7")


def test_score_texts_compares_each_text_with_its_length_bands_threshold(old_posts_of_two_lengths, tmp_path):
    _calibrate("--false-flag-rate", "0.04", "--by-length")
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in [
        {"id": "short", "text": "One paragraph. [[p=0.60]]"},
        {"id": "long", "text": "\n\n".join(["A long text. [[p=0.10]]"] * 4 + ["Its last paragraph. [[p=0.96]]"])},
    ]) + "\n")
    out = StringIO()
    call_command("score_texts", str(source), "--no-progress", stdout=out)

    rows = {r["id"]: r for r in map(json.loads, out.getvalue().splitlines())}
    assert rows["short"]["flagged"] and rows["short"]["classifiers"]["percent"]["threshold_length_band"] == "1"
    assert not rows["long"]["flagged"] and rows["long"]["classifiers"]["percent"]["threshold_length_band"] == "4-7"


class BandedClassifier(PercentClassifier):
    """PercentClassifier shipping thresholds by length, as the built-in detector does from version 10: 0.9 for
    one window, 0.99 for two or more (reported with the band, as ``detect()`` reports it)."""

    name = "banded"

    def classify(self, passages, disclosure):
        out = super().classify(passages, disclosure)
        if len(out.passages) >= 2:
            out.details = {**out.details, "threshold": 0.99, "threshold_length_band": "2-3"}
        return out


def test_the_shipped_flags_a_calibration_reports_use_each_posts_own_shipped_threshold(settings, make_post):
    """Old posts flagged at the shipped operating point are counted with each post's length band's threshold,
    and the shipped threshold shown is the one-window one."""
    from moderation.models import SiteThreshold

    settings.MODERATION = {**settings.MODERATION,
                           "CLASSIFIERS": ["tests.moderation.test_calibration.BandedClassifier"]}
    for i in range(20):  # one window each, 0.00 … 0.95: two (0.90, 0.95) at or over the shipped 0.9
        backdate(make_post(body=f"An old post. [[p={i / 20:.2f}]]"), CUTOFF - timedelta(days=100 + i))
    for i in range(5):  # two windows at 0.95: flagged at 0.9, not at their band's 0.99
        backdate(make_post(body="Old and long. [[p=0.95]] [[p=0.95]]"), CUTOFF - timedelta(days=50 + i))

    _calibrate("--false-flag-rate", "0.04")

    row = SiteThreshold.objects.get(classifier="banded", version="1")
    assert row.shipped_threshold == 0.9 and row.posts_scored == 25
    assert row.posts_flagged_shipped == 2


def test_a_site_threshold_for_every_length_replaces_the_shipped_band_and_keeps_it_beside():
    """A forum calibrated with one threshold (not by length) compares every post with it: the shipped band's
    threshold and name are kept as ``shipped_*``, and the result names no band of its own."""
    from moderation.classifiers.base import ClassifierOutput
    from moderation.services.calibration import SiteRule, site_thresholds_apply

    output = ClassifierOutput(classifier="banded", version="1", status="ok", score=0.95, details={
        "threshold": 0.99, "threshold_length_band": "2-3", "one_window_threshold": 0.9}, passages=[
        PassageScore(start=0, end=5, kind="author", probability=0.95),
        PassageScore(start=6, end=9, kind="author", probability=0.9)])

    site_thresholds_apply([output], {("banded", "1"): SiteRule(0.93)})

    assert output.details["threshold"] == 0.93 and "threshold_length_band" not in output.details
    assert (output.details["shipped_threshold"], output.details["shipped_threshold_length_band"]) == (0.99, "2-3")
    assert output.details["shipped_one_window_threshold"] == 0.9 and "one_window_threshold" not in output.details


def test_a_length_band_with_too_few_old_posts_keeps_at_least_the_shipped_threshold_for_its_length(settings,
                                                                                                   make_post):
    """Calibrating by length, a band the forum has few posts in cannot set its own threshold: it takes the
    forum's threshold for shorter posts, or the classifier's shipped one for that length where that is higher."""
    from moderation.models import SiteThreshold

    settings.MODERATION = {**settings.MODERATION,
                           "CLASSIFIERS": ["tests.moderation.test_calibration.BandedClassifier"]}
    for i in range(30):  # one window each, 0.00 … 0.87
        backdate(make_post(body=f"An old post. [[p={i * 0.03:.2f}]]"), CUTOFF - timedelta(days=100 + i))
    for i in range(3):  # too few two-window posts for a threshold of their own
        backdate(make_post(body="Old and long. [[p=0.5]] [[p=0.5]]"), CUTOFF - timedelta(days=50 + i))

    _calibrate("--by-length", "--false-flag-rate", "0.04")

    row = SiteThreshold.objects.get(classifier="banded", version="1")
    bands = {b["band"]: b for b in row.by_length}
    assert bands["1"]["own"] and bands["1"]["threshold"] < 0.9
    assert not bands["2-3"]["own"] and bands["2-3"]["threshold"] == 0.99  # the shipped 2-3 threshold


class LongBandedClassifier(BandedClassifier):
    """BandedClassifier reporting its one-window threshold beside a band's, as the built-in detector does."""

    name = "longbanded"

    def classify(self, passages, disclosure):
        out = super().classify(passages, disclosure)
        if "threshold_length_band" in out.details:
            out.details = {**out.details, "one_window_threshold": 0.9}
        return out


def test_the_shipped_threshold_recorded_is_the_one_window_one_when_every_old_post_is_long(settings, make_post):
    """A forum whose old posts all have two windows or more still records the classifier's one-window
    threshold as the shipped one (not its lowest band's), and counts each post at its band's."""
    from moderation.models import SiteThreshold

    settings.MODERATION = {**settings.MODERATION,
                           "CLASSIFIERS": ["tests.moderation.test_calibration.LongBandedClassifier"]}
    for i in range(25):  # two windows each: 0.00 … 0.84, three at 0.95, two at the shipped 2-3 threshold's 0.995
        p = 0.995 if i >= 23 else 0.95 if i >= 20 else i / 25
        backdate(make_post(body=f"Old and long. [[p={p:.3f}]] [[p=0.1]]"), CUTOFF - timedelta(days=100 + i))

    _calibrate("--false-flag-rate", "0.04")

    row = SiteThreshold.objects.get(classifier="longbanded", version="1")
    assert row.shipped_threshold == 0.9 and row.posts_scored == 25
    assert row.posts_flagged_shipped == 2  # at their band's 0.99, not at 0.9 (which would flag five)


class ListingBandedClassifier(BandedClassifier):
    """BandedClassifier listing every band's threshold in its details, as the built-in detector does."""

    name = "listingbanded"

    def classify(self, passages, disclosure):
        out = super().classify(passages, disclosure)
        out.details = {**out.details, "thresholds_by_length": [["2-3", 0.99], ["4-7", 0.995], ["8+", 0.995]]}
        return out


def test_a_length_the_forums_old_posts_lack_keeps_the_shipped_threshold_for_that_length(settings, make_post):
    """A forum whose old posts were all short gave its long posts its own low one-window threshold: the shipped
    threshold of a band was read only off old posts of that band."""
    from moderation.models import SiteThreshold

    settings.MODERATION = {**settings.MODERATION,
                           "CLASSIFIERS": ["tests.moderation.test_calibration.ListingBandedClassifier"]}
    for i in range(30):  # one window each, 0.00 … 0.58
        backdate(make_post(body=f"An old post. [[p={i * 0.02:.2f}]]"), CUTOFF - timedelta(days=100 + i))

    _calibrate("--by-length", "--false-flag-rate", "0.04")

    bands = {b["band"]: b["threshold"] for b in SiteThreshold.objects.get(classifier="listingbanded").by_length}
    assert bands["1"] < 0.6 and bands["2-3"] == 0.99 and bands["4-7"] == bands["8+"] == 0.995


def test_the_built_in_detector_lists_every_length_bands_threshold():
    from disclosure.blocks import parse_body
    from moderation.classifiers.stylometric import StylometricClassifier
    from moderation.detector.combiner import load_artifact
    from tests.detector.fixtures import AI_TEXTS

    output = StylometricClassifier().run(parse_body(AI_TEXTS[0], "markdown").passages, None)

    assert output.details["thresholds_by_length"] == [list(b) for b in load_artifact("cheap").by_length]
    assert {band for band, _t in output.details["thresholds_by_length"]} == {"2-3", "4-7", "8+"}
