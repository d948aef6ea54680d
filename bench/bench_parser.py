"""Speed of the one parser and the renderer, by body size, for ordinary and pathological bodies.

    python bench/bench_parser.py [--sizes 10000,50000,100000,200000] [--repeat 3]

Prints, for each body and size, the best of ``--repeat`` runs of ``parse_body`` and of rendering (uncached; CPU
milliseconds of this process, so other jobs on a shared machine count less), whether the parser refused the
body, and the ratio to the previous size (about 2 per doubling means linear). Then the cost a front-page row
pays for its label: reading the flag stored at intake versus parsing the body, as every row did before.
No database is needed.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

PROSE = ("The committee met on Tuesday and, after a long argument about the budget, agreed to fund the "
         "library's new reading room for another year. ")


def ordinary_markdown(size: int) -> str:
    parts, n = [], 0
    while n < size:
        i = len(parts)
        part = (f':::ai-written model="Model {i}"\n{PROSE * 2}\n:::' if i % 7 == 3 else
                f"> {PROSE}" if i % 5 == 2 else f"```\ncode_{i}()\n```" if i % 11 == 4 else PROSE * 3)
        parts.append(part)
        n += len(part) + 2
    return "\n\n".join(parts)


def ordinary_html(size: int) -> str:
    parts, n = [], 0
    while n < size:
        i = len(parts)
        part = (f'<section data-ai-written data-model="Model {i}"><p>{PROSE * 2}</p></section>' if i % 7 == 3 else
                f"<blockquote>{PROSE}</blockquote>" if i % 5 == 2 else f"<p>{PROSE * 3}</p>")
        parts.append(part)
        n += len(part) + 1
    return "\n".join(parts)


def repeat_to(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


BODIES = {
    "ordinary markdown": ("markdown", ordinary_markdown),
    "ordinary html": ("html", ordinary_html),
    "unclosed <b> (html)": ("html", lambda n: repeat_to("<b>a", n)),
    "unclosed <!-- (html)": ("html", lambda n: repeat_to("<!--", n)),
    "paired AI sections (html)": ("html", lambda n: repeat_to("<section data-ai-written>x</section>", n)),
    "AI blocks (markdown)": ("markdown", lambda n: repeat_to(":::ai-written\nx\n:::\n", n)),
    "alternating quotes (markdown)": ("markdown", lambda n: repeat_to("> quoted\nmine\n", n)),
    "unclosed +++ (markdown)": ("markdown", lambda n: repeat_to("+++ a\n", n)),
    "'[' run (markdown)": ("markdown", lambda n: "[" * n),
    "'*a' run (markdown)": ("markdown", lambda n: repeat_to("*a", n)),
}


def best(fn, repeat: int) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(repeat):
        start = time.process_time()
        try:
            result = fn()
        except Exception as exc:  # a refused body is a result too
            result = exc
        timings.append(time.process_time() - start)
    return min(timings) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,50000,100000,200000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    import django

    django.setup()
    from disclosure import blocks
    from disclosure.render import _render, render_body

    def parse_fresh(body, fmt):
        blocks._RECENT.clear()  # time a parse, not the per-process memo of recent bodies
        return blocks.parse_body(body, fmt)

    print(f"{'body':32} {'chars':>7} {'parse ms':>9} {'x':>5} {'render ms':>10} {'x':>5}  result")
    for name, (fmt, make) in BODIES.items():
        previous = None
        for size in sizes:
            body = make(size)
            parse_ms, parsed = best(lambda: parse_fresh(body, fmt), args.repeat)
            render_ms, _ = best(lambda: _render(body, fmt, True), args.repeat)  # uncached
            ratio = ("" if previous is None else f"{parse_ms / max(previous[0], 0.01):.1f}",
                     "" if previous is None else f"{render_ms / max(previous[1], 0.01):.1f}")
            result = (f"refused: {parsed.message[:40]}" if isinstance(parsed, blocks.BlockSyntaxError) else
                      f"{len(parsed.passages)} passages, {len(parsed.blocks)} blocks")
            print(f"{name:32} {len(body):7} {parse_ms:9.1f} {ratio[0]:>5} {render_ms:10.1f} {ratio[1]:>5}  {result}")
            previous = (parse_ms, render_ms)

    body = "[" * 200_000
    render_body(body)
    cached_ms, _ = best(lambda: render_body(body), args.repeat)
    print(f"\nrender_body of 200 KB of '[' once rendered (kept in the cache): {cached_ms:.1f} ms")

    from moderation.models import Revision
    from moderation.selectors.labels import revision_has_ai_blocks

    print("\nfront page, per row: the label's has_ai_blocks for a 200 KB body of AI blocks")
    body = repeat_to(":::ai-written\nx\n:::\n", 200_000)
    stored = Revision(body=body, format="markdown", has_ai_blocks=True)
    unstored = Revision(body=body, format="markdown", has_ai_blocks=None)
    stored_ms, _ = best(lambda: revision_has_ai_blocks(stored), 5)
    parsed_ms, _ = best(lambda: (blocks._RECENT.clear(), revision_has_ai_blocks(unstored)), args.repeat)
    print(f"  stored at intake: {stored_ms:.3f} ms    parsed per row (what every row did before): {parsed_ms:.1f} ms")


if __name__ == "__main__":
    main()
