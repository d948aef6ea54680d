"""Stage (c): the cheap stylometric + lexical feature set.

This is the project's *stylometric classifier*'s feature extraction (the public
facade is :mod:`moderation.classifiers.stylometric`).  Every feature is computed
on text that :func:`normalize` already folded (no curly quotes, no em dashes,
no nbsp), and is a *rate* (per word or per sentence) or a length-robust
statistic, so that a 60-word and a 150-word window are comparable.

What we deliberately do not use: topic words (a model that learns "beer" vs
"alignment" learns the data sets, not authorship), raw length, and typographic
punctuation (editor-dependent).  Each feature is listed in :data:`FEATURE_DOCS`
with what it is and why it is there.
"""

from __future__ import annotations

import math
import re
from collections import Counter

__all__ = ["FEATURE_NAMES", "FEATURE_DOCS", "extract", "extract_many"]

# name -> (what it is, why it may separate LLM from human prose)
FEATURE_DOCS: dict[str, tuple[str, str]] = {
    "word_len_mean": ("mean characters per word", "LLM prose prefers longer latinate words"),
    "word_len_std": ("std of characters per word", "humans mix very short and long words more"),
    "long_word_rate": ("share of words with >= 9 letters", "nominalised, formal vocabulary"),
    "short_word_rate": ("share of words with <= 3 letters", "plain, spoken-style wording"),
    "sent_len_mean": ("mean words per sentence (log1p)", "sentence length preference"),
    "sent_len_cv": ("coefficient of variation of sentence length", "'burstiness': humans vary more"),
    "sent_len_max_ratio": ("longest sentence / mean sentence", "humans write occasional run-ons"),
    "short_sent_rate": ("share of sentences with <= 6 words", "fragments, asides, 'Yes.'"),
    "ttr_root": ("Guiraud's root TTR: types / sqrt(tokens)", "vocabulary richness, length-corrected"),
    "hapax_rate": ("share of types used once", "lexical repetition vs variety"),
    "sent_start_div": ("distinct first words / sentences", "LLMs reuse openers (This/The/It)"),
    "comma_per_word": ("commas per word", "clause chaining"),
    "comma_per_sent": ("commas per sentence (log1p)", "clause chaining per sentence"),
    "semicolon_rate": ("semicolons per sentence", "formal clause joining"),
    "colon_rate": ("colons per sentence", "'Here's the thing:' set-ups and lists"),
    "paren_rate": ("parentheses per sentence", "human asides"),
    "quote_rate": ("double quotes per word", "scare quotes and citations"),
    "hyphen_rate": ("hyphens (incl. folded dashes) per word", "compounds and dash asides"),
    "question_rate": ("questions per sentence", "rhetorical vs genuine questions"),
    "exclaim_rate": ("exclamations per sentence", "emotional register"),
    "ellipsis_rate": ("'...' per sentence", "trailing-off, very human on forums"),
    "multi_punct_rate": ("'!!', '??', '?!' per sentence", "informal emphasis, rare in LLM output"),
    "digit_rate": ("share of words containing a digit", "concrete numbers, versions, dates"),
    "caps_word_rate": ("share of ALL-CAPS words (len>=2)", "shouting, acronyms"),
    "lower_start_rate": ("sentences starting lower-case", "casual typing; LLMs capitalise"),
    "lower_i_rate": ("lower-case ' i ' per word", "casual typing"),
    "space_before_punct": ("' ,' ' .' per word", "typing habits absent from LLM output"),
    "no_space_after_punct": ("',x' '.X' per word", "typing habits absent from LLM output"),
    "contraction_rate": ("contractions per word", "informality; LLM 'casual' mode overuses some"),
    "first_sing_rate": ("I/me/my per word", "personal stance and anecdote"),
    "first_plur_rate": ("we/us/our per word", "LLM 'we' of advice"),
    "second_rate": ("you/your per word", "advice register"),
    "hedge_rate": ("maybe/perhaps/probably/I think/guess per word", "uncertainty markers"),
    "intensifier_rate": ("really/very/so/pretty/totally per word", "spoken intensifiers"),
    "informal_rate": ("lol/yeah/gonna/kinda/tbh/imo/ok per word", "forum slang"),
    "ai_lex_rate": ("LLM-favoured words per word (delve, crucial, robust, nuanced...)",
                    "vocabulary over-represented in instruction-tuned model output"),
    "ai_phrase_rate": ("LLM-favoured phrases per sentence (it's worth noting, that said...)",
                       "stock transitions of assistant prose"),
    "connective_start_rate": ("sentences opening with However/Additionally/Ultimately/...",
                              "signposting typical of LLM paragraphs"),
    "contrast_frame_rate": ("'not X, but Y' / 'isn't X, it's Y' frames per sentence",
                            "a strong LLM rhetorical habit"),
    "triad_rate": ("'X, Y, and Z' lists per sentence", "LLMs list in threes"),
    "ly_adverb_rate": ("-ly adverbs per word", "adverb-heavy polish"),
    "nominal_rate": ("-tion/-ment/-ness/-ity words per word", "nominalised, abstract style"),
    "func_the": ("'the' per word", "article use; non-native writers differ here too"),
    "func_and": ("'and' per word", "coordination"),
    "func_of": ("'of' per word", "nominal phrases"),
    "func_to": ("'to' per word", "infinitives, purpose clauses"),
    "func_that": ("'that' per word", "complement clauses"),
    "func_it": ("'it'/'it's' per word", "pronominal reference"),
    "func_but": ("'but' per word", "contrast"),
    "func_this": ("'this'/'these' per word", "'This means...' anaphora favoured by LLMs"),
    "func_can": ("modals can/could/may/might per word", "possibility framing"),
    "func_should": ("should/must/need per word", "prescriptive framing"),
    "generic_rate": ("typically/usually/generally/often/various/several... per word",
                     "generalising, encyclopaedic framing typical of assistant answers"),
    "proper_noun_rate": ("capitalised words not at a sentence start (excluding 'I') per word",
                         "specific names, places and products: concrete human detail"),
    "bigram_repeat": ("share of word bigrams that repeat", "formulaic repetition"),
    "para_rate": ("line breaks per sentence", "paragraphing inside a window"),
    "list_marker_rate": ("lines starting with '-', '*', digits per sentence", "list formatting"),
}
#: Function words: the classic authorship-attribution signal (topic-free).  One
#: rate per word; the list deliberately excludes every content word.
FUNCTION_WORDS = """a about after all also although an any are as at be because been before being
both but by can could did do does either even ever every few for from had has have he her here
him his how however i if in into is it its just less may me might more most much must my neither
no nor not now of off often on once one only or other our out over own perhaps quite rather really
same she should since so some still such than that the their them then there these they this those
though through thus to too under until up upon us very was we well were what when where whether
which while who whom whose why will with within without would yet you your""".split()
for _w in FUNCTION_WORDS:
    FEATURE_DOCS[f"fw_{_w}"] = (f"rate of the function word '{_w}'", "function-word profile (stylometry)")
FEATURE_NAMES: list[str] = list(FEATURE_DOCS)

_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['-][A-Za-z0-9]+)*")
_SENT_RE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"')\]]*|\n|$)")

_CONTR_SUFFIX = frozenset(["s", "t", "re", "ve", "ll", "d", "m"])
_FIRST_SING = frozenset(["i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll"])
_FIRST_PLUR = frozenset(["we", "us", "our", "ours", "ourselves", "we're", "we've", "we'd", "we'll"])
_SECOND = frozenset(["you", "your", "yours", "yourself", "you're", "you've", "you'd", "you'll", "u"])
_HEDGE_WORDS = frozenset(["maybe", "perhaps", "probably", "possibly", "guess", "suppose", "apparently",
                          "afaik", "iirc", "imho", "imo", "seems", "seem", "somewhat"])
_INTENS = frozenset(["really", "very", "so", "pretty", "totally", "super", "quite", "definitely",
                     "absolutely", "completely", "extremely", "actually", "literally"])
_INFORMAL = frozenset(["lol", "yeah", "yep", "nope", "gonna", "wanna", "kinda", "sorta", "tbh", "imo",
                       "imho", "btw", "ok", "okay", "hmm", "huh", "oh", "dunno", "stuff", "guys",
                       "anyway", "anyways", "cool", "awesome", "haha", "ugh", "meh", "lots", "nah",
                       "thx", "thanks", "pls", "plz", "fwiw", "afaik", "iirc", "yup", "wow", "damn"])
_AI_LEX = frozenset("""delve delves delving crucial crucially essential essentially robust leverage
leveraging nuanced nuance nuances landscape realm foster fostering navigate navigating tapestry
intricate intricacies pivotal comprehensive furthermore moreover additionally ultimately notably
significant significantly various enhance enhancing facilitate streamline showcase showcasing
underscore underscores highlight highlights valuable vital seamless seamlessly meaningful genuinely
particularly specifically arguably overall multifaceted holistic dynamic dynamics embark journey
resonate resonates testament invaluable paramount commendable meticulous meticulously boast boasts
elevate unwavering profound insights insightful framework frameworks ensure ensuring optimal
broader context contexts approach approaches aspects aspect key potential potentially foundational
nuanced complexities crucially thoughtful thoughtfully intentional genuine consistently typically
tradeoff tradeoffs trade-off trade-offs underlying fundamentally""".split())
_AI_PHRASES = tuple("""it's worth noting|it's worth mentioning|worth pointing out|it is important to|it's important to|that said|in other words|at the end of the day|the key is|the key here|the key thing|plays a crucial role|play a crucial role|plays a key role|here's the thing|the real question|the real issue|the real problem|in summary|in conclusion|to be clear|a great way|a good way|on the other hand|when it comes to|whether you're|can be a great|this means that|one of the most|one of the best|it depends|depends on|a few things|keep in mind|the short answer|not just about|not only about|not simply about|rather than|more about|less about|the bigger picture|the broader|for what it's worth|i'd argue|i'd say|i'd suggest|goes a long way|make sure|a lot of people|honestly, |in practice|the tricky part|the catch is|the upside|the downside|a solid|game changer|game-changer|worth it|the goal is|the point is|tends to|what matters""".split("|"))
_GENERIC = frozenset(["typically", "usually", "generally", "often", "commonly", "various", "several",
                      "tend", "tends", "common", "overall", "many", "frequently", "especially",
                      "particularly", "certain", "numerous", "range", "variety", "factors"])
_CAP_RE = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+")
_CONNECTIVES = frozenset(["however", "additionally", "ultimately", "moreover", "furthermore",
                          "overall", "importantly", "instead", "similarly", "consequently",
                          "therefore", "thus", "meanwhile", "finally", "first", "second", "third",
                          "firstly", "secondly", "lastly", "still", "plus", "also", "notably",
                          "crucially", "essentially", "ultimately", "honestly", "basically"])
_CONTRAST_RE = re.compile(
    r"\bnot (?:just |only |merely |simply )?[^.,;!?]{1,60}[,;-] (?:but|it'?s|it is|they'?re|that'?s)\b|"
    r"\b(?:isn'?t|aren'?t|wasn'?t|doesn'?t|don'?t) (?:just |only |really )?(?:about )?[^.,;!?]{1,50}[,;-] "
    r"(?:it'?s|they'?re|it is|but)\b|\bless (?:about|a matter of) [^.;!?]{1,50} (?:and )?more (?:about|a matter of)\b",
    re.I)
_TRIAD_RE = re.compile(r", [A-Za-z]+(?: [A-Za-z]+)?,? (?:and|or) [A-Za-z]")
_DIGIT_WORD_RE = re.compile(r"[A-Za-z0-9]*[0-9][A-Za-z0-9]*")
_MULTI_PUNCT_RE = re.compile(r"[!?]{2,}")
_SPACE_BEFORE_RE = re.compile(r"\w [,.;:!?](?!\w)")
_NO_SPACE_AFTER_RE = re.compile(r"[a-z][,;][A-Za-z]|[a-z]\.[A-Z][a-z]")
_LIST_RE = re.compile(r"(?m)^\s*(?:[-*+]|\d+[.)])\s")
_LOWER_I_RE = re.compile(r"(?:^|\s)i(?:'m|'ve|'d|'ll)?(?=[\s,.!?])")
_TAIL_CHARS = ".!?\"')] \n"


def extract(text: str) -> list[float]:
    """Feature vector (ordered as :data:`FEATURE_NAMES`) for one normalised window."""
    words = _WORD_RE.findall(text)
    nw = len(words) or 1
    lw = [w.lower() for w in words]
    lens = [len(w) for w in words] or [0]
    mean_len = sum(lens) / nw
    var_len = sum((x - mean_len) ** 2 for x in lens) / nw
    n_long = sum(1 for x in lens if x >= 9)
    n_short = sum(1 for x in lens if x <= 3)

    sents = [s for s in (m.group(0).strip() for m in _SENT_RE.finditer(text)) if s]
    sent_lens = [len(_WORD_RE.findall(s)) for s in sents]
    pairs = [(s, k) for s, k in zip(sents, sent_lens) if k > 0]
    sents = [p[0] for p in pairs]
    sent_lens = [p[1] for p in pairs]
    ns = len(sents) or 1
    sl_mean = (sum(sent_lens) / ns) if sent_lens else float(nw)
    sl_std = math.sqrt(sum((x - sl_mean) ** 2 for x in sent_lens) / ns) if sent_lens else 0.0
    sl_max = max(sent_lens) if sent_lens else nw

    counts = Counter(lw)
    n_types = len(counts)
    n_hapax = sum(1 for c in counts.values() if c == 1)

    first_words = []
    n_lower_start = 0
    n_conn_start = 0
    for s in sents:
        m = _WORD_RE.search(s)
        if not m:
            continue
        fw = m.group(0)
        first_words.append(fw.lower())
        if fw[0].islower():
            n_lower_start += 1
        if fw.lower() in _CONNECTIVES:
            n_conn_start += 1

    c = text.count
    n_q = sum(1 for s in sents if s.rstrip(_TAIL_CHARS[3:]).endswith("?"))
    n_ex = sum(1 for s in sents if s.rstrip(_TAIL_CHARS[3:]).endswith("!"))

    low = text.lower()
    n_contr = sum(v for w, v in counts.items() if "'" in w and w.rsplit("'", 1)[1] in _CONTR_SUFFIX)
    fs = sum(counts[w] for w in _FIRST_SING if w in counts)
    fp = sum(counts[w] for w in _FIRST_PLUR if w in counts)
    sp = sum(counts[w] for w in _SECOND if w in counts)
    hedge = sum(counts[w] for w in _HEDGE_WORDS if w in counts) + low.count("i think")
    inten = sum(counts[w] for w in _INTENS if w in counts)
    informal = sum(counts[w] for w in _INFORMAL if w in counts)
    ai_lex = sum(v for w, v in counts.items() if w in _AI_LEX)
    ai_phr = sum(low.count(p) for p in _AI_PHRASES)
    contrast = len(_CONTRAST_RE.findall(text))
    triad = len(_TRIAD_RE.findall(text))
    ly = sum(v for w, v in counts.items() if len(w) > 4 and w.endswith("ly"))
    nominal = sum(v for w, v in counts.items()
                  if len(w) > 6 and w.endswith(("tion", "tions", "ment", "ments", "ness", "ity", "ities")))
    bigrams = list(zip(lw, lw[1:]))
    nb = len(bigrams) or 1
    bc = Counter(bigrams)
    rep = sum(v for v in bc.values() if v > 1)
    n_digit = len(_DIGIT_WORD_RE.findall(text))
    n_caps = sum(1 for w in words if len(w) >= 2 and w.isupper() and w.isalpha())

    return [
        mean_len,
        math.sqrt(var_len),
        n_long / nw,
        n_short / nw,
        math.log1p(sl_mean),
        (sl_std / sl_mean) if sl_mean else 0.0,
        (sl_max / sl_mean) if sl_mean else 1.0,
        sum(1 for x in sent_lens if x <= 6) / ns,
        n_types / math.sqrt(nw),
        n_hapax / (n_types or 1),
        len(set(first_words)) / ns,
        c(",") / nw,
        math.log1p(c(",") / ns),
        c(";") / ns,
        c(":") / ns,
        (c("(") + c(")")) / 2 / ns,
        c('"') / nw,
        c("-") / nw,
        n_q / ns,
        n_ex / ns,
        c("...") / ns,
        len(_MULTI_PUNCT_RE.findall(text)) / ns,
        n_digit / nw,
        n_caps / nw,
        n_lower_start / ns,
        len(_LOWER_I_RE.findall(text)) / nw,
        len(_SPACE_BEFORE_RE.findall(text)) / nw,
        len(_NO_SPACE_AFTER_RE.findall(text)) / nw,
        n_contr / nw,
        fs / nw,
        fp / nw,
        sp / nw,
        hedge / nw,
        inten / nw,
        informal / nw,
        ai_lex / nw,
        ai_phr / ns,
        n_conn_start / ns,
        contrast / ns,
        triad / ns,
        ly / nw,
        nominal / nw,
        counts.get("the", 0) / nw,
        counts.get("and", 0) / nw,
        counts.get("of", 0) / nw,
        counts.get("to", 0) / nw,
        counts.get("that", 0) / nw,
        (counts.get("it", 0) + counts.get("it's", 0)) / nw,
        counts.get("but", 0) / nw,
        (counts.get("this", 0) + counts.get("these", 0)) / nw,
        (counts.get("can", 0) + counts.get("could", 0) + counts.get("may", 0) + counts.get("might", 0)) / nw,
        (counts.get("should", 0) + counts.get("must", 0) + counts.get("need", 0)) / nw,
        sum(counts[w] for w in _GENERIC if w in counts) / nw,
        sum(1 for w in _CAP_RE.findall(text) if w != "I") / nw,
        rep / nb,
        c("\n") / ns,
        len(_LIST_RE.findall(text)) / ns,
    ] + [counts.get(w, 0) / nw for w in FUNCTION_WORDS]




def extract_many(texts):
    return [extract(t) for t in texts]
