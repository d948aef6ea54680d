"""``python manage.py fill_lm_cache CACHE.jsonl --data PATH... [--per-source N] [--source-regex RE]``

Fills the LM stage's cache (:mod:`moderation.detector.train.lmcache`) with the windows the product scores of
each sampled document, its author passages posted as Markdown, as ``train_detector`` and ``evaluate_detector``
read them: so that ``evaluate_detector --lm --lm-cached-only`` leaves no document out for want of them.
"""

from django.core.management.base import BaseCommand

from moderation.management.detector_data import data_errors_as_command_errors


class Command(BaseCommand):
    help = "Fill the detector's LM cache with the windows the product scores."

    def add_arguments(self, parser):
        from moderation.detector.train.lmcache import add_arguments

        add_arguments(parser)

    def handle(self, *args, **o):
        from moderation.classifiers.detector_plugin import as_posted
        from moderation.detector.train.lmcache import run

        with data_errors_as_command_errors():
            run(o["cache"], o["data"], o["per_source"], o["source_regex"], scored_text=as_posted,
                log=lambda m: self.stderr.write(str(m)), tokens=o["tokens"])
