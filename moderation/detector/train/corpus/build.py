"""Build ``ai_generated.jsonl`` from the hand-written batch files in ``src/``.

Every paragraph in ``src/*.txt`` was written by an LLM (the assistant that built
this detector) for this corpus, in the register and on the topic named in its
``### register | topic`` header.  Run: ``python -m moderation.detector.train.corpus.build``.
"""

import json
import re
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    out = []
    for f in sorted((HERE / "src").glob("*.txt")):
        blocks = re.split(r"(?m)^### ", f.read_text(encoding="utf-8"))
        for k, b in enumerate(blocks):
            b = b.strip()
            if not b:
                continue
            head, _, body = b.partition("\n")
            register, _, topic = (x.strip() for x in head.partition("|"))
            body = body.strip()
            if body:
                out.append({"id": f"{f.stem}-{k:03d}", "register": register, "topic": topic,
                            "generator": "llm (assistant writing this corpus)", "text": body})
    with open(HERE / "ai_generated.jsonl", "w", encoding="utf-8") as fh:
        for r in out:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(out)} paragraphs")


if __name__ == "__main__":
    main()
