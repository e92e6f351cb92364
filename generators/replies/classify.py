"""The offline, rule-based classifier of comments under a brand's post (Russian and English).

Rules only, no model, in a fixed order: a crisis first (`crisis_signal`: legal, safety or scandal
matters, which go to a person whatever else the comment is), then obscenity, spam, a complaint
(a service problem, for support), a negative or hostile comment, a question, praise, and
off-topic for the rest. A question that reports a problem is a complaint; praise with a question
is a question. Text that tries to instruct the model that reads comments ("ignore the previous
instructions…") is judged by what it really is: negative when it carries a hostile payload, else
off-topic, never praise or question; its signals say "instruction-like text".

Words match by stems over case-folded text (ё as е), so inflected Russian forms match: one
compiled pattern per word list of `lexicon.py`, each list a tuple easy to extend. Obscenity
is also looked for behind the usual disguises: masks (х*й, f**k), letters split by dots or
spaces (б.л.я), stretched letters (fuuuck), digits and signs for letters (b1tch, a$$hole) and
Latin look-alike letters inside Cyrillic words (xyйня); the roots are anchored so that innocent
words that contain them (сукно, употреблять, скипидар, рубля, Ёбург, Scunthorpe) stay clean.

Everything here is pure: no I/O and no state that changes, except the language identifier's
model, which `LanguageJudge` loads once on the first comment long enough to need it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from generators.compliance.grounding import contacts, without_addresses
from generators.compliance.language import MIN_LETTERS, LanguageJudge, letters, prose_of
from generators.compliance.terms import script_of
from generators.replies.lexicon import (
    ADDRESSED,
    CLAUSE,
    COMPLAINT,
    EXCLAMATION,
    INJECTION,
    LEGAL,
    MASKED_EN,
    MASKED_RU,
    NEGATIVE,
    NEGATIVE_EMOJI,
    OBSCENE_EN,
    OBSCENE_RU,
    OFF_TOPIC,
    PRAISE,
    PRAISE_EMOJI,
    QUESTION_START,
    SAFETY,
    SCANDAL,
    SHARED_HOSTS,
    SPAM_DOMAIN,
    SPAM_STRONG,
    SPAM_WEAK,
    WALL,
)


class CommentClass(StrEnum):
    """What a comment is, for the community manager."""

    QUESTION = "question"
    PRAISE = "praise"
    COMPLAINT = "complaint"
    NEGATIVE = "negative"  # negative or hostile, without a service problem to fix
    SPAM = "spam"
    OBSCENE = "obscene"
    CRISIS = "crisis"
    OFF_TOPIC = "off_topic"


class CrisisKind(StrEnum):
    """Which kind of crisis a comment raises (who must look at it)."""

    LEGAL = "legal"  # lawsuits, courts, lawyers, regulators (Роспотребнадзор, прокуратура), police
    SAFETY = "safety"  # poisoning, allergy, injury, hospital, glass in food, fire, death, self-harm
    SCANDAL = "scandal"  # media, boycott, discrimination, leaked data, viral outrage


@dataclass(frozen=True)
class Classification:
    """The verdict on one comment and the reasons for it."""

    label: CommentClass
    language: str  # ISO code: "ru", "en", or another; "" when too short to tell
    crisis: CrisisKind | None  # set iff label is CRISIS
    signals: tuple[str, ...]  # the words or rules that decided, shown to the community manager


INJECTION_SIGNAL = "instruction-like text"

# A short reply that only agrees with the thread ("+1", «у меня тоже»).
_AGREEMENT = re.compile(
    r"^(?:\++1?|me too|same(?: here| problem| issue)?|same for (?:me|us)|\+1 same|"
    r"у меня (?:тоже|также|то же самое)(?: самое)?|аналогично|та же (?:проблема|история|беда)|"
    r"тоже|и у меня(?: тоже)?|подтверждаю|плюсую)\W*$"
)
_THREAD_DEPTH = 5  # how many earlier comments an agreement looks back through

_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_TOKEN = re.compile(r"[\w*@$!#%]+")
_LETTER = re.compile(r"[^\W\d_]")
# Single letters split by dots, spaces, dashes or underscores: "б.л.я", "f u c k".
_SPACED = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][ .\-_]{1,2}){2,}[^\W\d_](?![^\W\d_])")
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")  # "fuuuck", «сууука»
_MASK = re.compile(r"([*#@$!%]+)")
_MASKED_ENDING = 2  # letters of an inflection a masked word may add to a listed form
# Look-alike letters (after case folding) and the digits and signs that stand for letters.
_LATIN_LOOKS = "aceopxyk"
_LATIN_LOOKS_SET = frozenset(_LATIN_LOOKS)
_CYRILLIC_LOOKS = "асеорхук"
_TO_CYRILLIC = str.maketrans(_LATIN_LOOKS + "036@", _CYRILLIC_LOOKS + "озба")
_TO_LATIN = str.maketrans(_CYRILLIC_LOOKS + "013457$@!", _LATIN_LOOKS + "oieasts" + "ai")
_LOOKS_ONLY_TO_CYRILLIC = str.maketrans(_LATIN_LOOKS, _CYRILLIC_LOOKS)
_CYRILLIC_TO_LATIN_LOOKS = str.maketrans(_CYRILLIC_LOOKS, _LATIN_LOOKS)
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")
_HEBREW = re.compile("[\u0590-\u05ff]")
_RU_ONLY_LETTERS = set("ыэъ")
_UK_ONLY_LETTERS = set("іїєґ")
_LATIN_LANGUAGES = ("en", "fi")
_CYRILLIC_LANGUAGES = ("ru", "uk")
_SCRIPT_LANGUAGE = {"CYRILLIC": "ru", "HEBREW": "he", "LATIN": "en"}
_LANGUAGE_SCRIPT = {
    "ru": "CYRILLIC",
    "uk": "CYRILLIC",
    "he": "HEBREW",
    "en": "LATIN",
    "fi": "LATIN",
}
_MIN_LATIN_LETTERS = 3  # "ok" says nothing; "meh" or "wow" is English enough

_JUDGE = LanguageJudge()


def _compile(parts: Iterable[str]) -> re.Pattern[str]:
    """One pattern for a word list. The alternatives that start at a word boundary share one
    `\\b`, so that inside a word the engine fails at once instead of trying each of them."""
    at_word: list[str] = []
    anywhere: list[str] = []
    for part in parts:
        for alternative in _alternatives(part):
            if alternative.startswith(r"\b"):
                at_word.append(alternative[2:])
            else:
                anywhere.append(alternative)
    grouped = [rf"\b(?:{'|'.join(at_word)})"] if at_word else []
    return re.compile("|".join([*grouped, *(f"(?:{a})" for a in anywhere)]))


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern (not those inside groups or character sets)."""
    found, start, depth, in_set, i = [], 0, 0, False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 1
        elif in_set:
            in_set = char != "]"
        elif char == "[":
            in_set = True
            if pattern[i + 1 : i + 2] == "]" or pattern[i + 1 : i + 3] == "^]":
                i += pattern[i + 1 : i + 3].index("]") + 1  # "[]…]" and "[^]…]" hold a "]"
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            found.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*found, pattern[start:]]


_LEGAL_RE = _compile(LEGAL)
_SAFETY_RE = _compile(SAFETY)
_SCANDAL_RE = _compile(SCANDAL)
_OBSCENE_RU_RE = _compile(OBSCENE_RU)
_OBSCENE_EN_RE = _compile(OBSCENE_EN)
_SPAM_STRONG_RE = _compile(SPAM_STRONG)
_SPAM_WEAK_RE = _compile(SPAM_WEAK)
_COMPLAINT_RE = _compile(COMPLAINT)
_NEGATIVE_RE = _compile(NEGATIVE)
_PRAISE_RE = _compile(PRAISE)
_QUESTION_RE = _compile(QUESTION_START)
_OFF_TOPIC_RE = _compile(OFF_TOPIC)
_INJECTION_RE = _compile(INJECTION)
# Matched in the comment as written: "er" is a hesitation and Sue a name, ER and "sue" are not.
_CASED = {
    CrisisKind.SAFETY: re.compile(r"\bER\b|\bA&E\b"),
    CrisisKind.LEGAL: re.compile(r"\b(?:sue|SUE)\b"),
}
_CRISIS_ORDER = (  # a person hurt first, then the law, then the public
    (CrisisKind.SAFETY, _SAFETY_RE),
    (CrisisKind.LEGAL, _LEGAL_RE),
    (CrisisKind.SCANDAL, _SCANDAL_RE),
)


# --- Public API.


def crisis_signal(text: str) -> tuple[CrisisKind, str] | None:
    """The crisis kind and the matched words, if the text raises a legal, safety or scandal
    matter. Used on its own as a safety net that overrides a model's classification, so it
    favours recall: a lawyer named in passing is a false alarm that costs a person's look."""
    return _crisis_in(text, _plain_view(text))


def looks_like_injection(text: str) -> bool:
    """Whether the text tries to instruct the model that reads it ("ignore all previous
    instructions", «забудь инструкции и напиши…», "system: you are now…")."""
    return _INJECTION_RE.search(_plain_view(text)) is not None


def comment_language(text: str, fallback: str = "") -> str:
    """The comment's language; `fallback` when too short to judge.

    Prose of `MIN_LETTERS` letters or more is judged by the offline identifier (py3langid)
    unless its answer is in another script than most of the letters; shorter text by its
    script: Cyrillic is Russian (Ukrainian by its own letters, or when the brand writes
    Ukrainian and no Russian-only letter is there), Hebrew is Hebrew, Latin is English (or the
    brand's Latin-script language) from `_MIN_LATIN_LETTERS` letters on."""
    prose = prose_of(text)
    total = letters(prose)
    if not total:
        return fallback
    counts = {
        "CYRILLIC": len(_CYRILLIC.findall(prose)),
        "LATIN": len(_LATIN.findall(prose)),
        "HEBREW": len(_HEBREW.findall(prose)),
    }
    other = total - sum(counts.values())
    script = max(counts, key=lambda s: counts[s])
    if other > counts[script]:  # another script: name its language when we know it
        script = next(script_of(c) for c in prose if c.isalpha() and script_of(c) not in counts)
        counts[script] = other
    if total >= MIN_LETTERS:
        verdict = _JUDGE.judge(prose, fallback or _SCRIPT_LANGUAGE.get(script, "en"))
        if verdict is not None and _LANGUAGE_SCRIPT.get(verdict.detected) == script:
            return verdict.detected
    folded = prose.casefold()
    if script == "CYRILLIC":
        if _UK_ONLY_LETTERS & set(folded):
            return "uk"
        if fallback in _CYRILLIC_LANGUAGES and not _RU_ONLY_LETTERS & set(folded):
            return fallback
        return "ru"
    if script == "LATIN":
        if counts[script] < _MIN_LATIN_LETTERS:
            return fallback
        return fallback if fallback in _LATIN_LANGUAGES else "en"
    return _SCRIPT_LANGUAGE.get(script, fallback)


def classify(
    comment: str, post: str = "", thread: Sequence[str] = (), fallback_language: str = ""
) -> Classification:
    """Rules only, no model: crisis first (crisis_signal), then obscene, spam, complaint,
    negative, question, praise, off_topic.

    `post` is the text the comment is under: links to its own sites are not spam. `thread` is
    the earlier comments of the thread, oldest first: a bare agreement ("+1", «у меня тоже»)
    takes the class of the latest complaint, crisis or question it agrees with."""
    language = comment_language(comment, fallback_language)
    label, crisis, signals = _rules(comment, post)
    if label is CommentClass.OFF_TOPIC and thread and _agrees(comment):
        for earlier in list(thread)[::-1][:_THREAD_DEPTH]:
            if _agrees(earlier):
                continue
            before, kind, _ = _rules(earlier, post)
            if before in (CommentClass.CRISIS, CommentClass.COMPLAINT, CommentClass.QUESTION):
                label, crisis = before, kind
                signals = [f'agrees with an earlier {before.value}: "{_snippet(earlier)}"']
            break
    return Classification(label, language, crisis, tuple(signals))


def _agrees(comment: str) -> bool:
    return _AGREEMENT.match(_plain_view(comment).strip()) is not None


# --- The rules.


def _rules(comment: str, post: str) -> tuple[CommentClass, CrisisKind | None, list[str]]:
    text = _plain_view(comment)
    crisis = _crisis_in(comment, text)
    if crisis is not None:
        return CommentClass.CRISIS, crisis[0], [f'{crisis[0].value}: "{crisis[1]}"']
    obscene = _obscene_words(comment)
    if obscene:
        return CommentClass.OBSCENE, None, [f'obscene: "{", ".join(obscene)}"']
    injection = [INJECTION_SIGNAL] if _INJECTION_RE.search(text) else []
    spam = _spam_signals(comment, text, post)
    if spam:
        return CommentClass.SPAM, None, [*spam, *injection]
    complaint = _found(_COMPLAINT_RE, text)
    if complaint:
        return CommentClass.COMPLAINT, None, [_quoted("complaint", complaint), *injection]
    negative = _found(_NEGATIVE_RE, text) + [c for c in comment if c in NEGATIVE_EMOJI]
    if negative:
        return CommentClass.NEGATIVE, None, [_quoted("negative", negative), *injection]
    if injection:  # never praise or a question, whatever words it borrows
        return CommentClass.OFF_TOPIC, None, injection
    prose = _plain_view(without_addresses(comment)).strip() if "." in comment else text.strip()
    off_topic = _found(_OFF_TOPIC_RE, prose)
    addressed = ADDRESSED.search(prose) is not None
    question = _question_signals(prose)
    if question:
        if off_topic and not addressed:
            return CommentClass.OFF_TOPIC, None, [_quoted("off-topic", off_topic), *question]
        return CommentClass.QUESTION, None, question
    praise = _found(_PRAISE_RE, prose) + [c for c in comment if c in PRAISE_EMOJI]
    if praise:
        if off_topic and not addressed:
            return CommentClass.OFF_TOPIC, None, [_quoted("off-topic", off_topic)]
        return CommentClass.PRAISE, None, [_quoted("praise", praise)]
    if off_topic:
        return CommentClass.OFF_TOPIC, None, [_quoted("off-topic", off_topic)]
    return CommentClass.OFF_TOPIC, None, ["no rule matched"]


def _crisis_in(text: str, view: str) -> tuple[CrisisKind, str] | None:
    for kind, pattern in _CRISIS_ORDER:
        found = _found(pattern, view)
        if kind in _CASED:
            found += [m.group().casefold() for m in _CASED[kind].finditer(text)]
        if found:
            return kind, ", ".join(dict.fromkeys(found))
    return None


def _question_signals(prose: str) -> list[str]:
    if "?" in prose:
        return ["question mark"]
    for clause in CLAUSE.split(prose):  # "Quick one: is there an SSO option…"
        found = _found(_QUESTION_RE, clause.strip())
        if found and not EXCLAMATION.search(clause.strip()):
            return [_quoted("question word", found)]
    return []


def _spam_signals(comment: str, text: str, post: str) -> list[str]:
    signals: list[str] = []
    found = contacts(comment)
    links = _foreign_links(comment, [c.written for c in found if c.kind == "link"], post)
    if links:
        signals.append(f"link to another site: {', '.join(links)}")
    if WALL.search(re.sub(r"[\s\ufe0f\u200d]", "", comment)):
        signals.append("a wall of repeated characters")
    strong = _found(_SPAM_STRONG_RE, text)
    if strong:
        signals.append(_quoted("spam words", strong))
    if signals:
        return signals
    weak = _found(_SPAM_WEAK_RE, text)
    if any(c.kind == "phone" for c in found):
        weak.append("a phone number")
    alpha = [c for c in comment if c.isalpha()]
    if len(alpha) >= 12 and sum(c.isupper() for c in alpha) >= 0.8 * len(alpha):
        weak.append("all capitals")
    if "!!!" in comment:
        weak.append("!!!")
    return [_quoted("spam words", weak)] if len(weak) >= 2 else []


def _foreign_links(comment: str, found: list[str], post: str) -> list[str]:
    """The links in the comment (`found` and spam domains) to sites the post does not link: own
    pages and subdomains are fine; on a social network or a shortener only the same link is."""
    found = found + [m.group() for m in SPAM_DOMAIN.finditer(comment.casefold())]
    if not found:
        return []
    own = [_bare(c.written) for c in contacts(post) if c.kind == "link"]
    own_hosts = {link.split("/", 1)[0] for link in own}
    foreign: list[str] = []
    for written in dict.fromkeys(found):
        link = _bare(written)
        host = link.split("/", 1)[0]
        if host in SHARED_HOSTS:
            if not any(link.startswith(mine) and mine != host for mine in own):
                foreign.append(written)
        elif not any(
            host == h or host.endswith("." + h) or h.endswith("." + host) for h in own_hosts
        ):
            foreign.append(written)
    return foreign


def _bare(link: str) -> str:
    link = re.sub(r"^[a-z]+://", "", link.casefold())
    return link.removeprefix("www.").rstrip("/.")


def _obscene_words(text: str) -> list[str]:
    folded = _fold(text)
    folded = _SPACED.sub(lambda m: re.sub(r"[ .\-_]", "", m.group()), folded)
    folded = _STRETCHED.sub(r"\1", folded)
    ru_view = _TOKEN.sub(lambda m: _ru_token(m.group()), folded)
    en_view = _TOKEN.sub(lambda m: _en_token(m.group()), folded)
    found = _found(_OBSCENE_RU_RE, ru_view) + _found(_OBSCENE_EN_RE, en_view)
    return list(dict.fromkeys(found))


def _ru_token(token: str) -> str:
    if token.isalpha() and not token.isascii() and not _LATIN.search(token):
        return token  # plain Cyrillic
    token = token.strip("!").lstrip("@#")
    if _CYRILLIC.search(token):
        token = token.translate(_TO_CYRILLIC)
    elif len(token) >= 3 and token.isalpha() and set(token) <= _LATIN_LOOKS_SET:
        token = token.translate(_LOOKS_ONLY_TO_CYRILLIC)  # "cyka" is «сука» in disguise
    return _unmasked(token, MASKED_RU)


def _en_token(token: str) -> str:
    if token.isascii() and token.isalpha():
        return token  # plain Latin
    token = token.strip("!").lstrip("@#")
    if _LATIN.search(token):
        token = token.translate(_TO_LATIN)
    return _unmasked(token, MASKED_EN)


def _unmasked(token: str, forms: tuple[str, ...]) -> str:
    """The obscene form a masked word stands for ("х*й" for «хуй»), or the word as it is."""
    if not _MASK.search(token) or len(_LETTER.findall(token)) < 2:
        return token
    pieces = _MASK.split(token)
    for cut in range(_MASKED_ENDING + 1):  # "п*дарасы" is «пидарас» with an ending
        last, ending = pieces[-1][: len(pieces[-1]) - cut], pieces[-1][len(pieces[-1]) - cut :]
        if cut and (cut > len(pieces[-1]) or not ending.isalpha()):
            break
        stem = [*pieces[:-1], last]
        pattern = "".join(
            re.escape(piece) if i % 2 == 0 else rf"\w{{1,{len(piece) + 1}}}"
            for i, piece in enumerate(stem)
        )
        form = next((form for form in forms if re.fullmatch(pattern, form)), None)
        if form is not None:
            return form + ending
    return token


# --- Text preparation.


def _fold(text: str) -> str:
    """Case-folded NFKC text with ё as е and invisible characters removed."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return text.casefold().replace("ё", "е")


def _plain_view(text: str) -> str:
    """The folded text with each word that mixes Cyrillic and Latin look-alikes written in the
    script most of its letters are in (a spoofed «cуд» reads as «суд»)."""
    folded = _fold(text)
    if not (_CYRILLIC.search(folded) and _LATIN.search(folded)):
        return folded
    return _TOKEN.sub(lambda m: _unmixed(m.group()), folded)


def _unmixed(token: str) -> str:
    cyrillic, latin = len(_CYRILLIC.findall(token)), len(_LATIN.findall(token))
    if not cyrillic or not latin:
        return token
    if cyrillic >= latin:
        return token.translate(_LOOKS_ONLY_TO_CYRILLIC)
    return token.translate(_CYRILLIC_TO_LATIN_LOOKS)


def _found(pattern: re.Pattern[str], text: str) -> list[str]:
    return list(dict.fromkeys(m.group().strip() for m in pattern.finditer(text) if m.group()))


def _quoted(what: str, found: list[str]) -> str:
    return f"{what}: " + ", ".join(f'"{word}"' for word in found[:3])


def _snippet(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"
