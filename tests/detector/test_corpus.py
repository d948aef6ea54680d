"""Our AI corpus and its split: whole generation units, one register and one topic family held out, and
derived (lightly edited) variants that stay with their original."""
import json
from collections import defaultdict

import numpy as np

from moderation.detector.normalize import normalize
from moderation.detector.train.corpus.build import _records, topic_family
from moderation.detector.train.data import (HELD_OUT_REGISTERS, HELD_OUT_TOPIC_FAMILIES, HELD_OUT_WRITERS,
                                            OWN_CORPUS, Doc, augmentations, load_own_corpus, mixed_posts,
                                            own_split)
from moderation.detector.train.lmcache import LMCache
from moderation.detector.train.training import choose_threshold

PARAGRAPH = ("I tried three different grinders before settling on a flat burr model. The first one was too "
             "noisy for early mornings. The second one clogged constantly with oily beans. The third one "
             "finally gave me consistent results, and I haven't looked back since. It's worth noting that "
             "grind consistency matters more than the price tag.")


def test_a_batch_header_gives_register_topic_persona_and_recipe(tmp_path):
    batch = tmp_path / "batch07.txt"
    batch.write_text("### casual | espresso grinders | home barista | A08\nSome text here.\n\n"
                     "### reply | AI governance, compute thresholds | policy analyst | B11\n> quoted\nAnswer.\n")

    first, second = _records(batch, "w2")

    assert (first["register"], first["topic"], first["persona"], first["recipe"], first["batch"]) == \
        ("casual", "espresso grinders", "home barista", "w2:A08", "w2-batch07")
    assert first["topic_family"] == "food-drink" and second["topic_family"] == "ai-rationality"
    assert second["text"] == "> quoted\nAnswer."


def test_topic_families_group_the_rationalist_and_ai_safety_topics():
    for topic in ("mesa-optimization", "what the orthogonality thesis says", "forecasting calibration",
                  "effective altruism cause prioritization", "LLM hallucination in citations"):
        assert topic_family(topic) == "ai-rationality", topic
    assert topic_family("why my sourdough starter smells like acetone") == "food-drink"


def test_records_of_one_recipe_or_batch_share_their_split_and_held_out_units_are_test_only():
    records = [json.loads(line) for line in OWN_CORPUS.read_text(encoding="utf-8").splitlines()]
    splits = defaultdict(set)
    for r in records:
        split = own_split(r)
        if (r["register"] in HELD_OUT_REGISTERS or r["topic_family"] in HELD_OUT_TOPIC_FAMILIES
                or r["writer"] in HELD_OUT_WRITERS):
            assert split == "test", r["id"]
        else:
            splits[r["recipe"] if r["writer"] != "w0" else r["batch"]].add(split)
    assert all(len(s) == 1 for s in splits.values())
    assert {"train", "test"} <= set().union(*splits.values())


def test_derived_variants_are_deterministic_edits_that_stay_with_their_original():
    variants = augmentations(PARAGRAPH)

    assert variants == augmentations(PARAGRAPH)
    assert set(variants) == {"typos", "lowercase", "sentence-drop"}
    assert variants["lowercase"] == variants["lowercase"].lower() and not variants["lowercase"].endswith(".")
    assert len(variants["sentence-drop"].split(". ")) == len(PARAGRAPH.split(". ")) - 1
    assert variants["typos"] != PARAGRAPH and len(variants["typos"].split()) == len(PARAGRAPH.split())
    docs = load_own_corpus()
    by_group = defaultdict(list)
    for d in docs:
        by_group[d.meta["group"]].append(d)
    assert all(len({d.split for d in g}) == 1 and len({d.source for d in g}) == 1 for g in by_group.values())
    written = sum(1 for d in docs if not d.meta["derived"])
    assert len(docs) > 3 * written  # derived variants counted apart: see docs/detector.md


def test_a_mixed_post_puts_the_ai_paragraph_between_two_human_ones():
    ai = Doc(PARAGRAPH, 1, "own:casual", "own:casual", "test", {"derived": ""})
    humans = [Doc(f"Human paragraph number {i}, written by a person.", 0, "se:beer", "se:beer", "test")
              for i in range(5)]

    [post] = mixed_posts([ai], humans)

    first, middle, last = post.text.split("\n\n")
    assert middle == PARAGRAPH and first != last and {first, last} <= {h.text for h in humans}
    assert (post.label, post.split, post.meta["derived"]) == (1, "test", "mixed")
    assert mixed_posts([ai], humans)[0].text == post.text


def test_the_lm_cache_keeps_statistics_and_hidden_states_across_runs(tmp_path):
    path = tmp_path / "lm.jsonl"
    cache = LMCache(path)
    hidden = np.linspace(-3, 3, 12, dtype=np.float32)
    cache.put("a window", [0.5, -1.25], hidden)
    with open(path, "a") as fh:
        fh.write('{"k": "cut short')  # a run killed mid-line

    again = LMCache(path)

    assert "a window" in again and "another" not in again
    assert again.features("a window") == [0.5, -1.25]
    assert np.allclose(again.hidden("a window"), hidden, atol=1e-2)


def test_the_non_native_constraint_is_not_set_by_the_single_most_ai_like_essay():
    # 46 TOEFL essays (one window each) and 1,000 other human documents; one essay scores 0.99
    toefl = np.r_[np.linspace(0.1, 0.9, 45), 0.99]
    other = np.linspace(0.0, 0.8, 1000)
    prob = np.r_[toefl, other]
    subsets = ["liang:TOEFL_real"] * 46 + ["se:beer"] * 1000

    threshold, info = choose_threshold(prob, np.zeros(1046, int), subsets, np.arange(1046))

    assert 0.9 < threshold < 0.99
    assert info["liang:TOEFL_real_doc_q_at_1pct"] == 0.99


def test_a_held_out_writer_is_test_only_whatever_its_recipe():
    """w5 is the held-out split's unseen writer: none of its recipes may reach training."""
    records = [json.loads(line) for line in OWN_CORPUS.read_text(encoding="utf-8").splitlines()]
    held = [r for r in records if r["writer"] in HELD_OUT_WRITERS]
    assert held and {own_split(r) for r in held} == {"test"}
    recipe_of_w4 = next(r for r in records if r["writer"] == "w4" and own_split(r) == "train")
    assert own_split({**recipe_of_w4, "writer": HELD_OUT_WRITERS[0]}) == "test"


def test_a_sentence_dropped_from_a_reply_keeps_the_quote_on_a_line_of_its_own():
    """Joined with spaces, the quote and the answer were one Markdown quote: a variant with nothing to score."""
    reply = ("> Sycophancy is just a training data problem.\n\n"
             "I don't think it's that simple, though raters are part of it. Even careful raters reward answers "
             "people like. People reliably like being agreed with. So the pressure comes back through the "
             "preference data itself. Fixing the raters helps at the margin.")

    dropped = augmentations(reply)["sentence-drop"]

    assert dropped.startswith("> Sycophancy is just a training data problem.\n\nI don't think")
    assert len(dropped.split()) < len(reply.split())
    assert normalize(dropped).text.startswith("I don't think")
