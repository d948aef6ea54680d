"""``python manage.py evaluate_detector --data PATH... [--compare-liang] [--png roc.png]``

Prints AUROC (bootstrap CIs), TPR at 1% and 5% FPR and the false-flag rate on
human text at the shipped threshold, by subset, on the held-out split; saves ROC
curves as a PNG (needs matplotlib: the ``[eval]`` extra).  ``--compare-liang``
prints our figures beside the seven commercial detectors' on the same Liang
texts.  Logic: :mod:`moderation.detector.train.evaluation`.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from moderation.management.detector_data import data_errors_as_command_errors


class Command(BaseCommand):
    help = "Evaluate the built-in AI-text detector on held-out data."

    def add_arguments(self, parser):
        parser.add_argument("--data", nargs="+", required=True)
        parser.add_argument("--split", choices=["test", "train", "all"], default="test",
                            help="which documents to score (default: the held-out test split)")
        lm = parser.add_mutually_exclusive_group()
        lm.add_argument("--lm", dest="use_lm", action="store_true", default=False,
                        help="score with the full cascade (needs the [lm] extra)")
        lm.add_argument("--auto-lm", dest="use_lm", action="store_const", const=None,
                        help="use the LM stage when installed")
        parser.add_argument("--max-lm-windows", type=int, default=10**9,
                            help="stop scoring documents once this many windows needed a fresh LM pass")
        parser.add_argument("--lm-docs-per-source", type=int, default=None,
                            help="with --lm: score a seeded sample of this many documents per source")
        parser.add_argument("--lm-docs-for", action="append", default=[], metavar="PREFIX=N",
                            help="with --lm-docs-per-source: another sample size for sources starting with "
                                 "PREFIX, e.g. liang:=25 (repeatable)")
        parser.add_argument("--lm-cached-only", action="store_true",
                            help="with --lm: score only the documents whose windows all have cached LM outputs "
                                 "(DETECTOR_LM_CACHE, filled by manage.py fill_lm_cache)")
        parser.add_argument("--stack", action="store_true",
                            help="with --lm: report the default stack's verdict, the one score_texts reports as "
                                 "flagged (the cascade or the cheap stage alone flags the document)")
        parser.add_argument("--artifacts", metavar="DIR", help="evaluate the cheap.json/lm.json in DIR instead of "
                                                             "the shipped ones (e.g. an older version's)")
        parser.add_argument("--compare-liang", action="store_true")
        parser.add_argument("--png", default=None, help="save ROC curves to this PNG file")
        parser.add_argument("--bootstrap", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--json", default=None, help="also write the figures as JSON")

    def handle(self, *args, **o):
        from moderation.classifiers.detector_plugin import as_posted
        from moderation.detector.train import evaluation
        from moderation.detector.train.evaluation import evaluate

        if o["stack"] and o["use_lm"] is False:  # --auto-lm: evaluate() says so if the LM is not installed
            raise CommandError("--stack: the default stack's verdict needs the LM stage; add --lm")
        if o["artifacts"]:
            evaluation.ARTIFACTS["dir"] = o["artifacts"]

        sizes = dict(_prefix_size(v) for v in o["lm_docs_for"])
        with data_errors_as_command_errors():
            res = evaluate(o["data"], use_lm=o["use_lm"], split=o["split"], n_boot=o["bootstrap"], seed=o["seed"],
                           compare_liang=o["compare_liang"], png=o["png"], max_lm_windows=o["max_lm_windows"],
                           docs_per_source=o["lm_docs_per_source"], docs_per_source_for=sizes,
                           lm_cached_only=o["lm_cached_only"], scored_text=as_posted, stack=o["stack"],
                           log=lambda m="": self.stdout.write(str(m)))
        if o["json"]:
            with open(o["json"], "w") as fh:
                json.dump(res, fh, indent=1, default=float)


def _prefix_size(value: str) -> tuple[str, int]:
    prefix, sep, n = value.rpartition("=")
    if not sep or not n.isdigit():
        raise CommandError(f"--lm-docs-for {value!r}: expected PREFIX=N, e.g. liang:=25")
    return prefix, int(n)

