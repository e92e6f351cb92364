"""The compliance gate against a model that breaks every rule on purpose.

Property: every draft the API shows either passes a checker written here (not the product's
validator: its own limits table, its own word patterns, its own reading of the brand's files) or
carries an error violation naming each problem the checker finds. With a polite model, nothing a
person would publish is flagged. The brands are the two demo brands (Russian and English), read
from their real-format files; every platform; every hostile mode, one at a time and all at once.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from brand_voice.brands import update_profile
from brand_voice.profile import BrandProfile
from generators.jobs import run_job
from generators.runtime import Runtime, build_runtime
from retrieval.embeddings import E5Embedder
from storage.access import create_workspace, get_or_create_user, issue_key
from storage.db import migrate, transaction
from storage.enums import Platform, Role
from storage.models import Brand
from storage.settings import Settings
from tests.conftest import DEMO, auth, import_demo_brand
from tests.fakes.hostile import Break
from tests.fakes.openai_server import FakeOpenAI, Hostile

# The checker's own figures (docs/platforms.md): text limits with a picture, hashtag caps.
LIMITS = {
    "x": 280,
    "threads": 500,
    "instagram": 2200,
    "facebook": 63206,
    "linkedin": 3000,
    "tiktok": 2200,
    "youtube": 5000,
    "telegram": 1024,
    "vk": 4096,
    "ok": 4096,
    "pinterest": 500,
}
TAG_CAPS = {"instagram": 5, "threads": 1, "youtube": 15}
LABELLED = {"vk", "ok", "telegram"}
# What each problem of the checker must be named as in `validation`.
CODES = {
    "length": {"too_long"},
    "hashtags": {"too_many_hashtags"},
    "banned": {"banned_word"},
    "disclaimer": {"missing_disclaimer"},
    "ad_label": {"missing_ad_label"},
    "invisible": {"invisible_characters"},
    "language": {"wrong_language"},
    "mixed": {"mixed_script"},
    "contact": {"unknown_contact"},
    "copied": {"copied_competitor_text"},
    "rival": {"competitor_mention"},
    "markup": {"prompt_markup"},
    "caption_link": {"link_not_clickable"},
}
ERID = "2VtzqwXyZ9a"


@dataclass(frozen=True)
class BrandCase:
    """A demo brand as the checker knows it, from its files and the extra profile fields."""

    slug: str
    language: str
    topic: str
    link: str
    banned: tuple[str, ...]  # regexes for the banned words in any form
    disclaimers: tuple[str, ...]
    label: str | None  # the legal ad label on VK, OK and Telegram
    rivals: tuple[str, ...]  # the competitors' names as a post would write them
    rival_texts: tuple[str, ...]
    own_text: str


def _files_text(slug: str) -> str:
    folder = DEMO / slug
    return "\n".join(
        p.read_text(encoding="utf-8", errors="ignore") for p in folder.iterdir() if p.is_file()
    )


def _rival_texts(slug: str) -> tuple[str, ...]:
    folder = DEMO / slug
    if (folder / "competitors.csv").exists():
        with (folder / "competitors.csv").open(encoding="utf-8") as handle:
            return tuple(row["text"] for row in csv.DictReader(handle))
    posts = json.loads((folder / "competitors.json").read_text(encoding="utf-8"))["posts"]
    return tuple(str(p["text"]) for p in posts)


ZERNO = BrandCase(
    slug="zerno",
    language="ru",
    topic="Как заварить эфиопский лот в воронке",
    link="https://zerno.example/shop/ethiopia",
    banned=(r"деш[её]в\w*", r"бюджетн\w*", r"элитн\w*", r"лучш\w* в город\w*", r"кофе[её]к\w*"),
    disclaimers=("Не является публичной офертой.",),
    label="Реклама. ООО «Зерно и Пламя», ИНН 6670123456. erid: " + ERID,
    rivals=("Бодрост", "Полтора Зерн", "Кофейн\\w* Двор", "Медн\\w* Кит"),
    rival_texts=_rival_texts("zerno"),
    own_text=_files_text("zerno"),
)
NORTHWIND = BrandCase(
    slug="northwind",
    language="en",
    topic="Closing the month in three days",
    link="https://northwindledger.example/close",
    banned=(r"revolutionar\w*", r"game-changers?", r"disrupt\w*", r"seamless\w*", r"synerg\w*"),
    disclaimers=("Northwind Ledger automates bookkeeping; it is not tax advice.",),
    label="Реклама. Northwind Ledger Ltd, ИНН 7701234567. erid: " + ERID,
    rivals=("Tallyforge", "Ferncount", "Brightcolumn", "Quarry Books"),
    rival_texts=_rival_texts("northwind"),
    own_text=_files_text("northwind"),
)


NORTHWIND_ADVERTISER = {"name": "Northwind Ledger Ltd", "inn": "7701234567"}


@dataclass
class Stage:
    """The API, the runtime behind it and the fake model, shared by the module's tests."""

    api: TestClient
    runtime: Runtime
    fake: FakeOpenAI
    key: str
    brands: dict[str, str]


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory, embedder: E5Embedder) -> Iterator[Stage]:
    """Both demo brands on a runtime whose LLM is the fake server."""
    with FakeOpenAI() as fake:
        settings = Settings(
            data_dir=tmp_path_factory.mktemp("hostile"),
            OPENAI_BASE_URL=fake.url,
            OPENAI_API_KEY="test",
            LLM_MODEL="fake-model",
        )
        runtime = build_runtime(settings, embedder=embedder)
        migrate(runtime.engine)
        with transaction(runtime.sessions) as session:
            workspace = create_workspace(session, "Agency").id
            admin = get_or_create_user(session, workspace, "m@x.test", "M", Role.ADMIN)
            key = issue_key(session, admin, "admin", None).secret
        brands = {
            slug: import_demo_brand(runtime, workspace, slug) for slug in ("zerno", "northwind")
        }
        _extend_profile(runtime, brands["zerno"], disclaimers=list(ZERNO.disclaimers))
        _extend_profile(runtime, brands["northwind"], advertiser=NORTHWIND_ADVERTISER)
        with TestClient(create_app(settings, runtime)) as api:
            yield Stage(api, runtime, fake, key, brands)


def _extend_profile(runtime: Runtime, brand_id: str, **fields: object) -> None:
    """Give a demo brand what the test needs beyond its files (a disclaimer, an advertiser)."""
    with transaction(runtime.sessions) as session:
        brand = session.get(Brand, brand_id)
        assert brand is not None
        profile = BrandProfile.model_validate({**brand.profile, **fields})
        update_profile(session, brand, profile, None, None)


def _drafts(
    stage: Stage, case: BrandCase, modes: frozenset[Break], is_ad: bool
) -> list[dict[str, Any]]:
    stage.fake.default = Hostile(modes)
    request: dict[str, Any] = {
        "topic": case.topic,
        "platforms": [p.value for p in Platform],
        "link": case.link,
        "is_ad": is_ad,
    }
    if is_ad:
        request["erid"] = ERID
    brand = stage.brands[case.slug]
    headers = auth(stage.key)
    job = stage.api.post(f"/v1/brands/{brand}/drafts", json=request, headers=headers)
    assert job.status_code == 202, job.text
    run_job(stage.runtime, job.json()["id"])
    done = stage.api.get(f"/v1/jobs/{job.json()['id']}", headers=headers).json()
    assert done["status"] == "succeeded", done
    drafts: list[dict[str, Any]] = done["drafts"]
    assert len(drafts) == len(Platform)
    return drafts


# The checker


_URL = re.compile(r"https?://[^\s<>\"«»]+")
_BARE = re.compile(r"(?<![\w@./-])(?:[a-z0-9-]+\.)+(?:example|shop|com|ru|io|net|org)\b")
_HANDLE = re.compile(r"(?<![\w@])@\w{2,}")
_PHONE = re.compile(r"\+\d[\d ()-]{8,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HIDDEN = re.compile("[\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_TAG = re.compile(r"#(\w+)")


def _contacts(text: str) -> set[str]:
    found = {m.group().rstrip(".,;:!?)") for m in _URL.finditer(text)}
    found |= {m.group() for m in _EMAIL.finditer(text)}
    rest = _EMAIL.sub(" ", _URL.sub(" ", text))
    found |= {m.group() for m in _BARE.finditer(rest)}
    found |= {m.group() for m in _HANDLE.finditer(rest)}
    found |= {re.sub(r"\D", "", m.group())[-10:] for m in _PHONE.finditer(rest)}
    return found


def _host(contact: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", contact).split("/")[0].split("?")[0].casefold()


def _letters_share(text: str, script: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < (8 if script == "CYRILLIC" else 24):  # Latin text may be any language
        return 1.0
    return sum(unicodedata.name(c, "").startswith(script) for c in letters) / len(letters)


def _x_length(text: str) -> int:
    text = _URL.sub("x" * 23, unicodedata.normalize("NFC", text))
    return sum(1 if ord(c) <= 0x10FF or 0x2000 <= ord(c) <= 0x201F else 2 for c in text)


def problems(draft: dict[str, Any], case: BrandCase, is_ad: bool) -> set[str]:
    """What is wrong with the draft as shown, judged without the product's code."""
    platform, text = draft["platform"], draft["text"]
    words = "\n".join([draft["headline"], draft["body"], draft["call_to_action"]])
    found: set[str] = set()
    length = _x_length(text) if platform == "x" else len(unicodedata.normalize("NFC", text))
    if length > LIMITS[platform]:
        found.add("length")
    if len({t.casefold() for t in _TAG.findall(text)}) > TAG_CAPS.get(platform, 10**6):
        found.add("hashtags")
    tags_as_words = " ".join(
        re.sub(r"(?<=[a-zа-я])(?=[A-ZА-Я])", " ", t) for t in draft["hashtags"]
    )
    for pattern in case.banned:
        if re.search(rf"(?<!\w){pattern}(?!\w)", f"{words}\n{tags_as_words}", re.IGNORECASE):
            found.add("banned")
    if any(d not in text for d in case.disclaimers):
        found.add("disclaimer")
    if is_ad:
        label = case.label if platform in LABELLED and case.label else "Ad"
        if not re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text):
            found.add("ad_label")
    if _HIDDEN.search(text) or re.search("(?<![\U0001f000-\U0001faff])\u200d", text):
        found.add("invisible")
    prose = _TAG.sub(" ", _URL.sub(" ", words))
    for phrase in (*case.disclaimers, case.label or ""):
        prose = prose.replace(phrase, " ") if phrase else prose
    if _letters_share(prose, "CYRILLIC" if case.language == "ru" else "LATIN") < 0.6:
        found.add("language")
    if re.search(r"\b(?=\w*[a-zA-Z])(?=\w*[а-яА-Я])\w+\b", words):
        found.add("mixed")
    known = {_host(c) for c in _contacts(case.own_text + "\n" + case.link)}
    known |= _contacts(case.own_text)
    for contact in _contacts(text):
        if contact not in known and _host(contact) not in known:
            found.add("contact")
    if _shares_run(words, case.rival_texts, 8):
        found.add("copied")
    squeezed = " ".join(draft["hashtags"]).casefold()
    for name in case.rivals:  # a name, capitalised as a name, or inside a hashtag
        if re.search(rf"(?<!\w){name}", words) or name.replace(" ", "").casefold() in squeezed:
            found.add("rival")
    if re.search(r"<\s*/?\s*(competitor|example|guide)\b", text, re.IGNORECASE):
        found.add("markup")
    if platform == "instagram" and (_URL.search(text) or _BARE.search(_EMAIL.sub(" ", text))):
        found.add("caption_link")
    return found


def _shares_run(text: str, others: tuple[str, ...], n: int) -> bool:
    def grams(value: str) -> set[tuple[str, ...]]:
        tokens = re.findall(r"\w+", value.casefold())
        return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}

    mine = grams(text)
    return any(mine & grams(other) for other in others)


def silent_failures(draft: dict[str, Any], case: BrandCase, is_ad: bool) -> list[str]:
    """Each problem the checker sees that the draft's validation does not name as an error."""
    report = draft["validation"]
    errors = {v["code"] for v in report["violations"] if v["severity"] == "error"}
    missed = []
    for problem in sorted(problems(draft, case, is_ad)):
        if report["passed"] or not errors & CODES[problem]:
            missed.append(f"{draft['platform']}: {problem} not named")
    return missed


HOSTILE = [frozenset({mode}) for mode in Break] + [frozenset(Break)]
CASES = [ZERNO, NORTHWIND]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
@pytest.mark.parametrize(
    "modes", HOSTILE, ids=lambda m: "+".join(sorted(m)) if len(m) < 3 else "all"
)
def test_no_draft_breaks_a_rule_silently(
    stage: Stage, case: BrandCase, modes: frozenset[Break]
) -> None:
    is_ad = Break.MISSING_AD_LABEL in modes or len(modes) > 1
    drafts = _drafts(stage, case, modes, is_ad)
    seen = sum(len(problems(draft, case, is_ad)) for draft in drafts)
    missed = [miss for draft in drafts for miss in silent_failures(draft, case, is_ad)]
    shown = sum(not d["validation"]["passed"] for d in drafts)
    print(f"\n{case.slug} {sorted(modes)}: {len(drafts)} drafts, {shown} flagged, {seen} problems "
          f"seen by the checker, {len(missed)} silent")  # fmt: skip
    assert missed == [], missed


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
@pytest.mark.parametrize("is_ad", [False, True], ids=["post", "ad"])
def test_a_polite_model_gets_nothing_flagged(stage: Stage, case: BrandCase, is_ad: bool) -> None:
    for draft in _drafts(stage, case, frozenset(), is_ad):
        assert problems(draft, case, is_ad) == set(), draft["text"]
        flagged = [v for v in draft["validation"]["violations"] if v["code"] != "too_similar"]
        assert flagged == [], (draft["platform"], flagged, draft["text"])
