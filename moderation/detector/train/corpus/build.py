"""Build ``ai_generated.jsonl`` from the hand-written batch files in ``src/``.

Every paragraph under ``src/`` was written by an LLM for this corpus (the assistant that built this detector,
in detector version 4 two more writer sessions of it, ``w1`` and ``w2``, then ``w3`` (version 5) and
``w4`` and ``w5``, four parallel sessions each, given six recipes per session (version 6; ``w5`` is
held out whole, see ``data.HELD_OUT_WRITERS``), and ``w6`` the same way (version 7); ``w7``
(documentation and research registers, after version 10) waits in ``pending/``), in the register, on the topic,
as the persona and following the recipe named in its header:

* ``src/batchNN.txt`` (version 3, writer ``w0``): ``### register | topic``;
* ``src/<writer>/batchNN.txt``: ``### register | topic | persona | recipe-id``, the recipes (the prompt
  given to the writer, with length and style constraints) in ``src/<writer>/recipes.md``.

Each record keeps its writer, batch and recipe id, so evaluation can hold out whole batches, recipes,
registers and topic families (:func:`topic_family`).

    python -m moderation.detector.train.corpus.build                      # rebuild the JSONL
    python -m moderation.detector.train.corpus.build --import w1=DIR ...  # copy a writer's batches first
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

HERE = Path(__file__).parent
GENERATOR = "llm (assistant writing this corpus)"

#: topic families, by keywords in the topic (first match wins); evaluation holds one family out
TOPIC_FAMILIES = [
    ("ai-rationality", r"\bai\b|a\.i\.|alignment|\bllms?\b|chatgpt|gpt|interpretab|forecast|rational|lesswrong|"
                       r"effective altruism|\bea\b|decision theory|newcomb|orthogonality|goodhart|aumann|schelling|"
                       r"crux|epistemic|p-zombie|superposition|human feedback|oversight|timelines|frontier|"
                       r"mesa|existential|\bagi\b|x-risk|eval|bayes|calibration|steelman|utilitarian|"
                       r"prediction market|dangerous-capabilit|capabilities|reward|scalable|safety research|"
                       r"compute|tokeniz|hallucinat|machine learning|neural|\bml\b|\brl\b"),
    ("food-drink", r"beer|brew|coffee|espresso|\btea\b|matcha|bak|bread|sourdough|cook|wine|grain|hops|mash|wort|"
                   r"ferment|cider|chicken|crema|pour-over|kitchen|recipe|food|canner|stout|lager|ale\b|yeast|kombucha"),
    ("site-meta", r"\bmeta\b|moderat|duplicate|close vote|homework|policy|community wiki|help center|\bse\b|"
                  r"stack exchange|question|answers|tag"),
    ("education-math", r"math|teach|fraction|proof|geometry|calculus|student|school|homeschool|algebra|slope|"
                       r"induction|determinant|newton's method|tutor|essay"),
    ("history-politics", r"histor|treaty|empire|council|domesday|library of alexandria|war\b|politic|"
                         r"sovereignty|medieval|ancient"),
]


def topic_family(topic: str) -> str:
    t = topic.lower()
    for name, pattern in TOPIC_FAMILIES:
        if re.search(pattern, t):
            return name
    return "other"


def _records(path: Path, writer: str) -> list[dict]:
    out = []
    blocks = re.split(r"(?m)^### ", path.read_text(encoding="utf-8"))
    for k, block in enumerate(blocks):
        block = block.strip()
        if not block:
            continue
        head, _, body = block.partition("\n")
        fields = [x.strip() for x in head.split("|")]
        body = body.strip()
        if not body or not fields[0]:
            continue
        register, topic = fields[0], (fields[1] if len(fields) > 1 else "")
        persona = fields[2] if len(fields) > 2 else ""
        recipe = fields[3] if len(fields) > 3 else f"{register}"
        batch = path.stem if writer == "w0" else f"{writer}-{path.stem}"
        out.append({"id": f"{batch}-{k:03d}", "writer": writer, "batch": batch, "recipe": f"{writer}:{recipe}",
                    "register": register, "topic": topic, "topic_family": topic_family(topic),
                    "persona": persona, "generator": GENERATOR, "text": body})
    return out


def build() -> list[dict]:
    src = HERE / "src"
    out = []
    for f in sorted(src.glob("*.txt")):
        out += _records(f, "w0")
    for d in sorted(p for p in src.iterdir() if p.is_dir()):
        for f in sorted(d.glob("batch*.txt")):
            out += _records(f, d.name)
    with open(HERE / "ai_generated.jsonl", "w", encoding="utf-8") as fh:
        for r in out:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return out


def import_writer(writer: str, folder: Path) -> int:
    """Copy a writer's ``batch*.txt`` and ``recipes.md`` into ``src/<writer>/``."""
    dest = HERE / "src" / writer
    dest.mkdir(parents=True, exist_ok=True)
    n = 0
    for f in sorted(folder.glob("batch*.txt")) + sorted(folder.glob("recipes.md")):
        shutil.copyfile(f, dest / f.name)
        n += 1
    return n


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--import", dest="imports", action="append", default=[], metavar="WRITER=DIR")
    a = ap.parse_args(argv)
    for spec in a.imports:
        writer, _, folder = spec.partition("=")
        print(f"{writer}: {import_writer(writer, Path(folder))} files")
    out = build()
    from collections import Counter
    print(f"{len(out)} paragraphs; by writer {dict(Counter(r['writer'] for r in out))}")
    print("by register", dict(sorted(Counter(r["register"] for r in out).items())))
    print("by topic family", dict(sorted(Counter(r["topic_family"] for r in out).items())))


if __name__ == "__main__":
    main()
