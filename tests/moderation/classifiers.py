"""Real classifier classes for the queue's tests, configured through ``settings.MODERATION``.

``KeywordClassifier`` scores each paragraph of the author's and declared AI passages by a rule a test can
read: a paragraph containing the word "delve" reads as AI (probability 0.97), any other as human (0.05). The
post score is the share of scored words in "AI" paragraphs. ``BrokenClassifier`` always raises, as a crashed detector would.
"""
from __future__ import annotations

import re

from moderation.classifiers.base import Classifier, PassageScore

AI_WORD = "delve"
AI_PROBABILITY = 0.97
HUMAN_PROBABILITY = 0.05


class KeywordClassifier(Classifier):
    name = "keyword"
    version = "1"

    def classify(self, passages, disclosure):
        scores, ai_words, words = [], 0, 0
        for passage in passages:
            if passage.kind not in ("author", "declared_ai"):
                continue
            for paragraph in re.finditer(r"\S[^\n]*(?:\n[^\n]*\S[^\n]*)*", passage.text):
                text = paragraph.group()
                is_ai = AI_WORD in text.lower()
                scores.append(PassageScore(
                    start=passage.body_offset(paragraph.start()), end=passage.body_offset(paragraph.end() - 1) + 1,
                    kind=passage.kind, probability=AI_PROBABILITY if is_ai else HUMAN_PROBABILITY))
                words += len(text.split())
                ai_words += len(text.split()) if is_ai else 0
        return self.output(status="ok", score=round(ai_words / words, 4) if words else None, passages=scores)


class BrokenClassifier(Classifier):
    name = "broken"
    version = "1"

    def classify(self, passages, disclosure):
        raise RuntimeError("detector unavailable")
