"""Hosted detectors and LLM judges, behind one base class.

Every adapter here sends post text to another server, so each is ``sends_text_off_site`` (skipped unless
``MODERATION["ALLOW_REMOTE_CLASSIFIERS"]`` is on) and ``does_io`` (run in parallel with the others).
A remote failure — timeout, refused connection, 4xx/5xx after retries, malformed answer, open circuit — is
an ``error`` result with a message a moderator can read; it is never read as "human".

What is sent: the passages of the configured ``kinds`` (by default the prose kinds: the author's text,
declared AI blocks and collapsible sections; never quotes or code), joined by blank lines, cut at
``max_chars``. Whatever the service scores (Pangram's windows, Sapling's sentences, a generic service's spans)
is mapped back through that document onto the passages' offsets in the post body.

Options shared by all adapters (``{"path": "...", "options": {...}}`` in ``MODERATION["CLASSIFIERS"]``):
``url``, ``api_key``, ``timeout`` (read, s), ``connect_timeout``, ``max_chars``, ``kinds``, ``attempts``,
``backoff``, ``max_retry_after``, ``breaker_threshold``, ``breaker_reset_seconds``; in code only,
``transport`` (an ``httpx`` transport).
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from disclosure.blocks import AUTHOR, COLLAPSIBLE, PROSE_KINDS, Passage
from disclosure.schema import Disclosure

from .base import Classifier, ClassifierOutput, PassageScore, Span
from ..http import CircuitBreaker, RemoteError, RetryPolicy, http_client, post_json

SEPARATOR = "\n\n"


class ResponseInvalid(RemoteError):
    """The service answered, but not in the shape we expect."""


# --- The text we send, and the way back to body offsets -------------------------------------------

@dataclass
class Document:
    """The text sent to a service, and where each passage sits in it."""

    text: str
    #: (offset in ``text``, passage, number of the passage's characters included)
    pieces: list[tuple[int, Passage, int]] = field(default_factory=list)
    truncated: bool = False
    #: Passages of a sent kind that did not fit under the cap.
    left_out: list[Passage] = field(default_factory=list)

    def overlaps(self, start: int, end: int):
        """Yield (passage, passage-text start, passage-text end) for every passage that [start, end) covers."""
        for offset, passage, length in self.pieces:
            lo, hi = max(start, offset), min(end, offset + length)
            if lo < hi:
                yield passage, lo - offset, hi - offset

    def find(self, needle: str, start: int = 0) -> tuple[int, int] | None:
        """Locate ``needle`` in the text from ``start``, tolerating differences in whitespace."""
        needle = needle.strip()
        if not needle:
            return None
        index = self.text.find(needle, start)
        if index >= 0:
            return index, index + len(needle)
        words = needle.split()
        pattern = r"\s+".join(re.escape(w) for w in words)
        match = re.compile(pattern).search(self.text, start)
        return (match.start(), match.end()) if match else None


def build_document(passages: Sequence[Passage], *, kinds: Sequence[str], max_chars: int) -> Document:
    doc_parts: list[str] = []
    doc = Document(text="")
    cursor = 0
    for passage in passages:
        if passage.kind not in kinds:
            continue
        separator = SEPARATOR if doc_parts else ""
        room = max_chars - cursor - len(separator)
        if room <= 0:
            doc.truncated = True
            doc.left_out.append(passage)
            continue
        text = passage.text[:room]
        if len(text) < len(passage.text):
            doc.truncated = True
        doc_parts.append(separator + text)
        cursor += len(separator)
        doc.pieces.append((cursor, passage, len(text)))
        cursor += len(text)
    doc.text = "".join(doc_parts)
    return doc


@dataclass
class Window:
    """A stretch of the sent document the service scored."""

    start: int
    end: int
    probability: float
    label: str = ""


def passage_scores_from_windows(doc: Document, windows: Sequence[Window]) -> list[PassageScore]:
    """Each sent passage gets the length-weighted mean of the windows over it, and the windows as spans
    (in body offsets). Passages no window covers get no score (``insufficient_evidence``), not a guess."""
    by_passage: dict[int, list[tuple[float, int, Span]]] = {}
    for window in windows:
        for passage, lo, hi in doc.overlaps(window.start, window.end):
            span = Span(start=passage.body_offset(lo), end=passage.body_offset(hi - 1) + 1,
                        probability=window.probability, label=window.label)
            by_passage.setdefault(id(passage), []).append((window.probability, hi - lo, span))
    scores = []
    for _offset, passage, _length in doc.pieces:
        covered = by_passage.get(id(passage))
        if not covered:
            scores.append(PassageScore(start=passage.start, end=passage.end, kind=passage.kind,
                                       status="insufficient_evidence"))
            continue
        total = sum(length for _, length, _ in covered)
        mean = sum(p * length for p, length, _ in covered) / total
        scores.append(PassageScore(
            start=passage.start, end=passage.end, kind=passage.kind, probability=round(min(1.0, max(0.0, mean)), 4),
            features={"max_window": round(max(p for p, _, _ in covered), 4), "windows": float(len(covered))},
            spans=[span for _, _, span in covered],
        ))
    for passage in doc.left_out:
        scores.append(PassageScore(start=passage.start, end=passage.end, kind=passage.kind, status="skipped"))
    return scores


def _probability(value: Any, *, what: str, scale: float = 1.0) -> float:
    try:
        number = float(value) / scale
    except (TypeError, ValueError):
        raise ResponseInvalid(f"{what} is not a number: {value!r}")
    if not 0.0 <= number <= 1.0:
        raise ResponseInvalid(f"{what} is outside [0, 1]: {value!r}")
    return number


def dig(data: Any, path: str) -> Any:
    """``dig({"a": [{"b": 1}]}, "a.0.b") == 1``; missing → None."""
    current = data
    for part in path.split("."):
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.lstrip("-").isdigit() and -len(current) <= int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


# --- The base adapter -----------------------------------------------------------------------------

class RemoteClassifier(Classifier):
    """Build the document, respect the circuit, POST with retries, parse, map back. Subclasses implement
    :meth:`request` (payload and headers) and :meth:`parse` (the answer → an output)."""

    does_io: ClassVar[bool] = True
    sends_text_off_site: ClassVar[bool] = True
    default_url: ClassVar[str] = ""
    default_max_chars: ClassVar[int] = 20_000
    default_kinds: ClassVar[tuple[str, ...]] = PROSE_KINDS

    def __init__(self, **options: Any):
        super().__init__(**options)
        if options.get("name"):
            self.name = str(options["name"])
        self.url = str(options.get("url") or self.default_url)
        self.api_key = str(options.get("api_key") or "")
        self.max_chars = int(options.get("max_chars") or self.default_max_chars)
        self.kinds = tuple(options.get("kinds") or self.default_kinds)
        self.retry = RetryPolicy(attempts=int(options.get("attempts", 3)), backoff=float(options.get("backoff", 0.5)),
                                 max_backoff=float(options.get("max_backoff", 8.0)),
                                 max_retry_after=float(options.get("max_retry_after", 30.0)))
        self.timeout = float(options.get("timeout", 20.0))
        self.connect_timeout = float(options.get("connect_timeout", 5.0))
        self.transport = options.get("transport")
        self.breaker = CircuitBreaker(f"{self.name}:{self.url}", threshold=int(options.get("breaker_threshold", 5)),
                                      reset_after=float(options.get("breaker_reset_seconds", 60.0)))
        #: Injected by tests to observe backoff without waiting.
        self.sleep = options["sleep"] if options.get("sleep") is not None else time.sleep

    def request(self, doc: Document, passages: Sequence[Passage]) -> tuple[Any, dict[str, str]]:
        raise NotImplementedError

    def parse(self, data: Any, doc: Document, passages: Sequence[Passage]) -> ClassifierOutput:
        raise NotImplementedError

    def classify(self, passages: Sequence[Passage], disclosure: Disclosure | None) -> ClassifierOutput:
        if not self.url:
            return self.output(status="error", error=f"{self.name}: no URL configured (options.url).")
        doc = build_document(passages, kinds=self.kinds, max_chars=self.max_chars)
        if not doc.text.strip():
            return self.output(status="insufficient_evidence", details={"reason": "no prose to score"})
        if not self.breaker.allow():
            return self.output(status="error", error=(
                f"{self.name}: not called, the circuit is open after {self.breaker.threshold} consecutive "
                f"failures; next try in {self.breaker.retry_in():.0f}s."), details={"circuit": "open"})
        payload, headers = self.request(doc, passages)
        # The classifier log keeps the hash and size of what left the server, not a second copy of the text.
        from ..services.classifier_log import request_fingerprint

        sent = request_fingerprint(payload, remote=True)
        try:
            with http_client(timeout=self.timeout, connect_timeout=self.connect_timeout,
                             transport=self.transport) as client:
                data = post_json(client, self.url, payload=payload, headers=headers, retry=self.retry,
                                 sleep=self.sleep)
            output = self.parse(data, doc, passages)
        except RemoteError as exc:
            self.breaker.record_failure()
            return self.output(status="error", error=f"{self.name}: {exc}", details={"request": sent})
        self.breaker.record_success()
        output.details["request"] = sent
        output.details.setdefault("sent_chars", len(doc.text))
        if doc.truncated:
            output.details["truncated_at_chars"] = self.max_chars
        return output


# --- Pangram --------------------------------------------------------------------------------------

class PangramClassifier(RemoteClassifier):
    """Pangram's text API (v3): ``fraction_ai`` / ``fraction_ai_assisted`` / ``fraction_human``, a
    prediction (AI, Human, Mixed…) and windows with ``start_index``/``end_index`` and an
    ``ai_assistance_score``. The post score is ``fraction_ai`` (the share of the text Pangram calls
    AI-written, the number LessWrong's policy uses); the windows become passage scores."""

    name = "pangram"
    version = "v3-1"
    default_url = "https://text.api.pangram.com/v3"

    def request(self, doc, passages):
        return {"text": doc.text}, {"x-api-key": self.api_key}

    def parse(self, data, doc, passages):
        if not isinstance(data, dict):
            raise ResponseInvalid(f"expected a JSON object, got {type(data).__name__}")
        if data.get("stage") == "STAGE_FAILED":
            raise RemoteError(f"Pangram reported the analysis failed: {data.get('error') or 'no detail'}")
        if "fraction_ai" not in data:
            raise ResponseInvalid("the answer has no fraction_ai")
        fraction_ai = _probability(data.get("fraction_ai"), what="fraction_ai")
        fractions = {k: _probability(data[k], what=k) for k in ("fraction_ai_assisted", "fraction_human")
                     if data.get(k) is not None}
        windows = []
        raw_windows = data.get("windows") or []
        if not isinstance(raw_windows, list):
            raise ResponseInvalid("windows is not a list")
        for i, raw in enumerate(raw_windows):
            if not isinstance(raw, dict):
                raise ResponseInvalid(f"window {i} is not an object")
            score = raw.get("ai_assistance_score", raw.get("score"))
            probability = _probability(score, what=f"window {i} ai_assistance_score")
            start, end = raw.get("start_index"), raw.get("end_index")
            located = None
            if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(doc.text):
                located = (start, end)
                text = raw.get("text")
                if isinstance(text, str) and text.strip() and doc.text[start:end].strip() != text.strip():
                    located = doc.find(text, max(0, start - 200)) or doc.find(text) or located
            elif isinstance(raw.get("text"), str):
                located = doc.find(raw["text"])
            if located:
                windows.append(Window(located[0], located[1], probability, str(raw.get("label") or "")))
        return self.output(
            status="ok", score=round(fraction_ai, 4), passages=passage_scores_from_windows(doc, windows),
            details={"prediction": data.get("prediction_short") or data.get("prediction") or "",
                     "headline": data.get("headline") or "", "fraction_ai": fraction_ai, **fractions,
                     "api_version": data.get("version") or "", "windows": len(windows)},
        )


# --- Sapling --------------------------------------------------------------------------------------

class SaplingClassifier(RemoteClassifier):
    """Sapling's ``aidetect``: an overall ``score`` and ``sentence_scores`` ``[{sentence, score}]``; each
    sentence is found in the sent text (in order) and scored as a window."""

    name = "sapling"
    version = "v1-1"
    default_url = "https://api.sapling.ai/api/v1/aidetect"

    def request(self, doc, passages):
        return {"key": self.api_key, "text": doc.text, "sent_scores": True}, {}

    def parse(self, data, doc, passages):
        if not isinstance(data, dict) or "score" not in data:
            raise ResponseInvalid("the answer has no overall score")
        score = _probability(data["score"], what="score")
        sentences = data.get("sentence_scores") or []
        if not isinstance(sentences, list):
            raise ResponseInvalid("sentence_scores is not a list")
        windows, cursor, unlocated = [], 0, 0
        for i, item in enumerate(sentences):
            if not isinstance(item, dict) or not isinstance(item.get("sentence"), str):
                raise ResponseInvalid(f"sentence_scores[{i}] has no sentence")
            probability = _probability(item.get("score"), what=f"sentence_scores[{i}].score")
            located = doc.find(item["sentence"], cursor) or doc.find(item["sentence"])
            if located is None:
                unlocated += 1
                continue
            cursor = located[1]
            windows.append(Window(located[0], located[1], probability, "sentence"))
        return self.output(status="ok", score=round(score, 4), passages=passage_scores_from_windows(doc, windows),
                           details={"sentences": len(sentences), "sentences_not_located": unlocated})


# --- A generic hosted detector --------------------------------------------------------------------

class GenericRemoteClassifier(RemoteClassifier):
    """Any JSON detector, configured by options:

    - ``url``, ``api_key``, ``auth_header`` (default ``Authorization``), ``auth_scheme`` (default ``Bearer``;
      empty sends the bare key), ``text_field`` (default ``text``), ``extra_body`` (merged into the request);
    - ``score_field``: dotted path to the post score (``result.ai_probability``, ``data.0.score``);
      ``score_scale``: divide by this (100 for percentages);
    - optional spans: ``spans_field`` (dotted path to a list) and, per span, ``span_start_field`` /
      ``span_end_field`` (offsets into the sent text) or ``span_text_field`` (text to locate), and
      ``span_score_field``.
    """

    name = "remote"
    version = "1"

    def request(self, doc, passages):
        body = dict(self.options.get("extra_body") or {})
        body[self.options.get("text_field", "text")] = doc.text
        headers = {}
        if self.api_key:
            scheme = self.options.get("auth_scheme", "Bearer")
            headers[self.options.get("auth_header", "Authorization")] = f"{scheme} {self.api_key}".strip()
        return body, headers

    def parse(self, data, doc, passages):
        scale = float(self.options.get("score_scale", 1.0))
        score_field = self.options.get("score_field", "score")
        raw_score = dig(data, score_field)
        if raw_score is None:
            raise ResponseInvalid(f"the answer has no {score_field!r}")
        score = _probability(raw_score, what=score_field, scale=scale)
        windows = []
        spans_field = self.options.get("spans_field")
        if spans_field:
            spans = dig(data, spans_field) or []
            if not isinstance(spans, list):
                raise ResponseInvalid(f"{spans_field!r} is not a list")
            start_f, end_f = self.options.get("span_start_field", "start"), self.options.get("span_end_field", "end")
            text_f, score_f = self.options.get("span_text_field", "text"), self.options.get("span_score_field", "score")
            for i, span in enumerate(spans):
                if not isinstance(span, dict):
                    raise ResponseInvalid(f"{spans_field}[{i}] is not an object")
                probability = _probability(dig(span, score_f), what=f"{spans_field}[{i}].{score_f}", scale=scale)
                start, end = dig(span, start_f), dig(span, end_f)
                if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(doc.text):
                    windows.append(Window(start, end, probability))
                elif isinstance(dig(span, text_f), str) and (located := doc.find(dig(span, text_f))):
                    windows.append(Window(located[0], located[1], probability))
        return self.output(status="ok", score=round(score, 4), passages=passage_scores_from_windows(doc, windows))


# --- LLM judge ------------------------------------------------------------------------------------

JUDGE_PROMPT = """You check forum posts for text written by an AI model that the author did not declare.
You get the post's passages, numbered. Judge whether each passage reads as written by a language model
(generic hedging, list-like structure, stock phrases, uniform sentence rhythm, assistant register) or by a
person. Do not guess: a short or ordinary passage is not evidence.

Answer with one JSON object and nothing else:
{"ai_probability": <0..1, that the undeclared text is mostly AI-written>,
 "reasons": [<short reasons>],
 "suspicious_passages": [{"index": <passage number>, "probability": <0..1>, "reason": "<why>"}]}"""


class LLMJudgeClassifier(RemoteClassifier):
    """A language model behind any OpenAI-compatible ``/v1/chat/completions`` endpoint (a local llama.cpp,
    vLLM or Ollama server is typical) asked for a JSON verdict. Options: ``url`` (the base URL or the full
    endpoint), ``model``, ``api_key``, ``max_tokens``, ``json_mode`` (send ``response_format``; default on).
    Only the passages the judge names get a passage score; its answer is parsed defensively (code fences,
    prose around the JSON, percentages) and anything else is an ``error``."""

    name = "llm_judge"
    version = "1"
    default_kinds = (AUTHOR, COLLAPSIBLE)
    default_max_chars = 12_000

    def __init__(self, **options):
        super().__init__(**options)
        url = self.url.rstrip("/")
        if url and not url.endswith("/chat/completions"):
            url = url + ("/chat/completions" if url.endswith("/v1") else "/v1/chat/completions")
        self.url = url

    def request(self, doc, passages):
        numbered = "\n\n".join(f"[{i}] {doc.text[offset:offset + length]}"
                               for i, (offset, _passage, length) in enumerate(doc.pieces, start=1))
        payload = {
            "model": self.options.get("model", "default"),
            "temperature": 0,
            "max_tokens": int(self.options.get("max_tokens", 600)),
            "messages": [{"role": "system", "content": JUDGE_PROMPT},
                         {"role": "user", "content": f"Passages:\n\n{numbered}"}],
        }
        if self.options.get("json_mode", True):
            payload["response_format"] = {"type": "json_object"}
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        return payload, headers

    @staticmethod
    def extract_verdict(content: str) -> dict:
        text = content.strip()
        fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
        candidates = [fenced.group(1)] if fenced else []
        candidates.append(text)
        if "{" in text and "}" in text:
            candidates.append(text[text.index("{"):text.rindex("}") + 1])
        for candidate in candidates:
            try:
                verdict = json.loads(candidate)
            except ValueError:
                continue
            if isinstance(verdict, dict):
                return verdict
        raise ResponseInvalid(f"the judge did not answer with the JSON verdict: {' '.join(text[:120].split())!r}")

    @staticmethod
    def _judge_probability(value: Any, what: str) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ResponseInvalid(f"{what} is not a number: {value!r}")
        if 1.0 < number <= 100.0:  # some models answer in percent
            number /= 100.0
        return _probability(number, what=what)

    def parse(self, data, doc, passages):
        content = dig(data, "choices.0.message.content")
        if not isinstance(content, str):
            raise ResponseInvalid("no choices[0].message.content in the answer")
        verdict = self.extract_verdict(content)
        key = next((k for k in ("ai_probability", "probability", "score") if k in verdict), None)
        if key is None:
            raise ResponseInvalid("the verdict has no ai_probability")
        probability = self._judge_probability(verdict[key], key)
        reasons = [str(r)[:300] for r in (verdict.get("reasons") or []) if isinstance(r, (str, int, float))][:10]
        scores = []
        for entry in verdict.get("suspicious_passages") or []:
            index, p, reason = entry, probability, ""
            if isinstance(entry, dict):
                index = entry.get("index")
                if entry.get("probability") is not None:
                    p = self._judge_probability(entry["probability"], "suspicious_passages probability")
                reason = str(entry.get("reason") or "")[:300]
            if not isinstance(index, int) or isinstance(index, bool) or not 1 <= index <= len(doc.pieces):
                continue  # a passage number the judge made up
            passage = doc.pieces[index - 1][1]
            scores.append(PassageScore(start=passage.start, end=passage.end, kind=passage.kind,
                                       probability=round(p, 4), features={"judge": round(p, 4)},
                                       spans=[Span(start=passage.start, end=passage.end, probability=p,
                                                   label=reason)]))
        return self.output(status="ok", score=round(probability, 4), passages=scores,
                           details={"reasons": reasons, "model": str(dig(data, "model") or "")})


__all__ = ["Document", "GenericRemoteClassifier", "LLMJudgeClassifier", "PangramClassifier",
           "RemoteClassifier", "ResponseInvalid", "SaplingClassifier", "Window", "build_document",
           "passage_scores_from_windows"]
