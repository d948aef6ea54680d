"""``python manage.py score_texts INPUT.jsonl [--output OUT.jsonl]``: score texts with the configured stack.

Each input line is ``{"id": …, "text": …}``; each output line is ``{"id", "ai_probability", "flagged",
"verdict", "passages", "classifiers"}``: ``flagged`` is what the policy acts on (some author passage at or
over its classifier's threshold: the site's own, from ``calibrate_detector``, when there is one, else the
shipped threshold for the post's length, its band named in ``threshold_length_band``; or, from two author
passages on, the classifier's post score at or over its ``post_threshold``), ``verdict``
is ``flag``, ``no_evidence`` or ``insufficient_evidence``. The text is parsed as a post body (Markdown unless ``--format html``) with no disclosure,
so declared AI blocks, quotes and code are treated exactly as in a post. Nothing is written to the database.
Lines that are not valid are reported on stderr with their line number and skipped (exit status 1).
``--classifier NAME`` (repeatable) runs only part of the configured stack. ``--jobs N`` scores in N processes
(the language-model stage uses one core per process); the output keeps the input's order.
"""
from __future__ import annotations

import json
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections
from tqdm import tqdm

from disclosure.blocks import BlockSyntaxError
from moderation.classifiers.registry import configured_classifiers
from moderation.services.evaluation import text_score


def _line_error(data) -> str | None:
    if not isinstance(data, dict):
        return "expected a JSON object with \"id\" and \"text\""
    if "id" not in data or not isinstance(data["id"], (str, int)) or isinstance(data["id"], bool):
        return "\"id\" is missing or not a string or integer"
    if not isinstance(data.get("text"), str) or not data["text"].strip():
        return "\"text\" is missing, not a string, or empty"
    return None


#: the classifiers a ``--jobs`` child process uses (set before the pool forks)
_CHILD: dict = {}


def _score_line(item: tuple[int, str]) -> tuple[int, dict | None, str | None]:
    """(line number, output record or None, error or None) for one input line."""
    number, line = item
    try:
        data = json.loads(line.rstrip("\r\n"))  # a column past the newline would point nowhere
    except ValueError as exc:
        return number, None, f"not valid JSON ({exc.msg} at column {exc.colno})"
    error = _line_error(data)
    if error is not None:
        return number, None, error
    try:
        result = text_score(text=data["text"], fmt=_CHILD["fmt"], classifiers=_CHILD["classifiers"],
                            thresholds=_CHILD["thresholds"])
    except BlockSyntaxError as exc:
        return number, None, f"the text does not parse: {exc.message}"
    return number, {
        "id": data["id"],
        "ai_probability": result.ai_probability,
        "flagged": result.flagged,
        "verdict": result.verdict,
        "passages": [{**p, "text": data["text"][p["start"]:p["end"]]} for p in result.passages],
        "classifiers": {o.classifier: {"version": o.version, "status": o.status, "score": o.score,
                                       "error": o.error, "threshold": o.details.get("threshold"),
                                       **({"post_threshold": o.details["post_threshold"]}
                                          if o.details.get("post_threshold") is not None else {}),
                                       **({"threshold_length_band": o.details["threshold_length_band"]}
                                          if "threshold_length_band" in o.details else {})}
                        for o in result.outputs},
    }, None


class Command(BaseCommand):
    help = "Score a JSONL file of {\"id\", \"text\"} lines with the configured classifiers."

    def add_arguments(self, parser):
        parser.add_argument("input", help="JSONL file of {\"id\": …, \"text\": …} lines ('-' reads stdin).")
        parser.add_argument("--output", "-o", help="Where to write the JSONL results (default: stdout).")
        parser.add_argument("--format", choices=["markdown", "html"], default="markdown",
                            help="How to parse each text (default: markdown).")
        parser.add_argument("--classifier", action="append", default=[], metavar="NAME",
                            help="Only this configured classifier (repeat for several; default: the whole stack).")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")
        parser.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                            help="Score in N processes (default 1; the LM stage uses one core each).")

    def _site_thresholds(self) -> dict:
        """The site's calibrated thresholds; scoring needs no database, so without one it says so and goes on."""
        from moderation.services.calibration import site_thresholds
        try:
            return site_thresholds()
        except DatabaseError as exc:
            self.stderr.write(f"Site thresholds not read (database: {str(exc).strip().splitlines()[0]}); "
                              "using each classifier's own threshold.")
            return {}

    def handle(self, *args, **options):
        if options["jobs"] < 1:
            raise CommandError("--jobs must be at least 1.")
        classifiers = configured_classifiers()
        if not classifiers:
            raise CommandError("No classifier is configured: set MODERATION['CLASSIFIERS'] in the settings.")
        if options["classifier"]:
            unknown = set(options["classifier"]) - {c.name for c in classifiers}
            if unknown:
                raise CommandError(f"Not configured: {', '.join(sorted(unknown))} (configured: "
                                   f"{', '.join(c.name for c in classifiers)}).")
            classifiers = tuple(c for c in classifiers if c.name in options["classifier"])
        try:  # utf-8-sig: a byte-order mark (Windows tools write one) is not part of the first line's JSON
            source = sys.stdin if options["input"] == "-" else open(options["input"], encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"Cannot read {options['input']}: {exc.strerror}")
        try:
            with source:
                lines = source.readlines()
        except UnicodeDecodeError as exc:
            raise CommandError(f"Cannot read {options['input']}: it is not UTF-8 text (byte {exc.start}).") from None
        try:
            sink = open(options["output"], "w", encoding="utf-8") if options["output"] else None
        except OSError as exc:
            raise CommandError(f"Cannot write {options['output']}: {exc.strerror}")
        out = sink or self.stdout
        _CHILD.update(fmt=options["format"], classifiers=classifiers, thresholds=self._site_thresholds())
        work = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
        scored, invalid = 0, 0
        progress = tqdm(total=len(lines), desc="scoring", unit="text", file=sys.stderr,
                        disable=options["no_progress"])
        pool = None
        if options["jobs"] > 1:
            if not any(c.in_atomic_block for c in connections.all()):
                connections.close_all()  # children must not share the parent's database connections
            pool = ProcessPoolExecutor(options["jobs"], mp_context=multiprocessing.get_context("fork"))
            results = pool.map(_score_line, work)  # in input order; a dead worker raises BrokenProcessPool
        else:
            results = map(_score_line, work)
        try:
            progress.update(len(lines) - len(work))  # blank lines
            for number, record, error in results:
                progress.update(1)
                if error is not None:
                    invalid += 1
                    progress.write(f"line {number}: {error}", file=sys.stderr)
                    continue
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                scored += 1
        except BrokenProcessPool:
            raise CommandError(f"A scoring process died (out of memory?) after {scored} text(s); "
                               "try fewer --jobs.") from None
        finally:
            if pool is not None:  # waited for: a pool still stopping races the interpreter's exit (CPython 3.11)
                pool.shutdown(wait=True, cancel_futures=True)
            progress.close()
            if sink:
                sink.close()
        summary = f"Scored {scored} text(s)" + (f" → {options['output']}" if options["output"] else "")
        if invalid:
            raise CommandError(f"{summary}; {invalid} invalid line(s) skipped (listed above).")
        self.stderr.write(summary + ".")
