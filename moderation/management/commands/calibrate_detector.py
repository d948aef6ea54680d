"""``python manage.py calibrate_detector --before 2022-11-30 [--false-flag-rate 0.01] [--classifier NAME]``

Scores the forum's own posts from before a date (assumed human: pick one before LLM text was common) with a
configured detector classifier and stores the site's threshold: the smallest at which at most the chosen
share of those posts would have been flagged. It prints those posts flagged by length (a post is flagged
when any one window is, so long posts are flagged more often); with ``--by-length`` it stores one threshold
per length band instead, for each band with at least ``--min-posts`` posts. The policy, ``score_texts`` and
the stats page use it for results classified afterwards, for this classifier version only. Logic:
:func:`moderation.services.calibration.site_threshold_calibrate`.
"""
from __future__ import annotations

import sys
from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from moderation.classifiers.registry import configured_classifiers
from moderation.services.calibration import CalibrationError, site_threshold_calibrate

DETECTORS = ("statistical", "stylometric")
#: a length band flagged more than this many times the target rate gets the --by-length hint
HINT_FACTOR = 1.5


def _date(value: str) -> datetime:
    try:
        day = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--before: {value!r} is not a date like 2022-11-30") from None
    if day.tzinfo is None:
        day = timezone.make_aware(datetime.combine(day.date(), time.min) if len(value) <= 10 else day)
    return day


class Command(BaseCommand):
    help = "Calibrate the detector's flag threshold on this forum's own posts from before a date."

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="Posts written before this date (YYYY-MM-DD) "
                                                            "are assumed human.")
        parser.add_argument("--false-flag-rate", type=float, default=0.01,
                            help="Share of those posts allowed to be flagged (default 0.01).")
        parser.add_argument("--classifier", help="Configured classifier to calibrate (default: the first "
                                                 f"configured of {', '.join(DETECTORS)}, else the first "
                                                 "configured one that reads text).")
        parser.add_argument("--min-posts", type=int, default=100,
                            help="Refuse to calibrate on fewer scorable posts (default 100); with --by-length, "
                                 "a length band needs as many for a threshold of its own.")
        parser.add_argument("--by-length", action="store_true",
                            help="One threshold per post length (1, 2-3, 4-7, 8+ scored passages: for the "
                                 "built-in detectors, windows of ~110 words), so that at most the chosen share "
                                 "of the posts of each length with at least --min-posts posts is flagged, not "
                                 "of all posts together; a band with fewer gets the highest of the site's, "
                                 "the shorter bands' and the shipped threshold for its length.")
        parser.add_argument("--limit", type=int, help="Score at most this many posts (the oldest).")
        parser.add_argument("--dry-run", action="store_true", help="Print the threshold, store nothing.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        rate = options["false_flag_rate"]
        if not 0 < rate < 1:
            raise CommandError("--false-flag-rate must be between 0 and 1 (0.01 is 1%).")
        before = _date(options["before"])
        if options["min_posts"] < 1:
            raise CommandError("--min-posts must be at least 1 (default 100).")
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        if before > timezone.now():
            raise CommandError(f"--before {options['before']} is in the future: the posts read as human must be "
                               "old ones, from before LLM text was common (e.g. 2022-11-30).")
        every = {c.name: c for c in configured_classifiers()}
        configured = {n: c for n, c in every.items() if not c.needs_results}
        name = options["classifier"] or next((n for n in DETECTORS if n in configured), next(iter(configured), None))
        if name in every and name not in configured:
            raise CommandError(f"{name} reads other classifiers' results, not text: calibrate one that reads "
                               f"text ({', '.join(configured) or 'none configured'}).")
        if name is None or name not in configured:
            raise CommandError(f"Not configured: {name or 'a classifier that reads text'} "
                               f"(configured: {', '.join(configured) or 'none'}).")
        bar = tqdm(desc="scoring posts", unit="post", file=sys.stderr, disable=options["no_progress"])
        try:
            result = site_threshold_calibrate(classifier=configured[name], before=before, false_flag_rate=rate,
                                              min_posts=options["min_posts"], by_length=options["by_length"],
                                              limit=options["limit"],
                                              store=not options["dry_run"], progress=lambda i: bar.update(1))
        except CalibrationError as exc:
            raise CommandError(f"Not calibrated: {exc}.") from None
        finally:
            bar.close()
        shipped = (f"; the shipped threshold {result.shipped_threshold:.4f} flags "
                   f"{result.flagged_shipped}/{result.scored}" if result.shipped_threshold is not None else "")
        flagged = " flags" if not options["by_length"] else "; with the length bands' thresholds below, it flags"
        self.stdout.write(f"{name} {configured[name].version}: site threshold {result.threshold:.4f}{flagged} "
                          f"{result.flagged}/{result.scored} posts from before {before:%Y-%m-%d} "
                          f"({result.flagged / result.scored:.2%}; target {rate:.2%}){shipped}. "
                          f"{result.skipped} post(s) could not be scored. "
                          + ("Nothing stored (--dry-run)." if options["dry_run"] else "Stored."))
        if result.post_threshold is not None:
            self.stdout.write(f"Post threshold {result.post_threshold:.4f}: a post of two or more passages is also "
                              f"flagged when its score reaches it; above every old post the site threshold "
                              f"leaves unflagged, so it adds no flag to these counts (on new long posts, about "
                              f"one in as many as there were old ones).")
        elif result.post_rule_dropped:
            self.stdout.write(f"No post threshold: fewer than {options['min_posts']} old posts have two or more "
                              f"passages, too few to set one; only the passage threshold flags.")
        self.stdout.write("By length (scored passages; the built-in detectors' are windows of about 110 words):")
        for band in result.by_length:
            if band["threshold"] is None:
                applied = "site threshold"
            elif band["own"]:
                applied = f"own threshold {band['threshold']:.4f}"
            else:
                few = "no posts" if not band["posts"] else "too few posts for its own"
                applied = f"threshold {band['threshold']:.4f} ({few}: the highest of the site's, the shorter bands' and the shipped one for its length)"
            rate_band = f" ({band['flagged'] / band['posts']:.2%})" if band["posts"] else ""
            shipped_band = (f", shipped threshold {band['flagged_shipped']}/{band['posts']}"
                            if band["flagged_shipped"] is not None else "")
            self.stdout.write(f"  {band['band']:>4}: {applied} flags {band['flagged']}/{band['posts']}"
                              f"{rate_band}{shipped_band}")
        over = [b for b in result.by_length if b["flagged"] > HINT_FACTOR * rate * b["posts"]]
        if over and not options["by_length"]:
            self.stdout.write(f"Posts of {', '.join(b['band'] for b in over)} passages are flagged more than "
                              f"{HINT_FACTOR:g} times the target rate: --by-length gives each length band with "
                              f"at least --min-posts posts a threshold of its own.")
        elif over:
            self.stdout.write(f"Posts of {', '.join(b['band'] for b in over)} passages are still flagged more than "
                              f"{HINT_FACTOR:g} times the target rate: too few of them for a threshold of their "
                              f"own (--min-posts).")
