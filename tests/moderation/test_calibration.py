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
    """Scores every author paragraph by the ``[[p=0.NN]]`` written in it; ships with threshold 0.9."""

    name = "percent"
    version = "1"

    def classify(self, passages, disclosure):
        scores = [PassageScore(start=p.start, end=p.end, kind=p.kind, probability=float(m.group(1)))
                  for p in passages if p.kind == "author" and (m := re.search(r"\[\[p=([\d.]+)\]\]", p.text))]
        if not scores:
            return self.output(status="insufficient_evidence", details={"threshold": 0.9})
        return self.output(status="ok", score=max(s.probability for s in scores), passages=scores,
                           details={"threshold": 0.9})


@pytest.fixture
def percent(settings):
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": [PERCENT]}


@pytest.fixture
def old_posts(percent, make_post):
    """50 posts written before the cut-off scoring 0.00, 0.02, … 0.98, and 5 newer ones scoring 0.99."""
    from moderation.models import Revision, Submission

    def backdate(post, when):
        Submission.objects.filter(pk=post.submission.pk).update(created_at=when)
        Revision.objects.filter(submission=post.submission).update(created_at=when)

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
