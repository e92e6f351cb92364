"""Phrases a post must carry word for word: the ad label and the brand's disclaimers; and the
words a caption uses instead of a link where links are not clickable.

Russian advertising law (since 1 September 2022) wants an ad to carry the word «Реклама», the
advertiser (its name or INN) and the erid token from the ORD; the platforms that need it say so
in the registry (`ad_label_required`). A phrase is found only as itself: the same characters,
with any run of spaces for a space, and no letter or digit glued to either end, so "Ad" is not
found in "instead" or "preload" and «Реклама» not in «Рекламация».
"""

from __future__ import annotations

import re
import unicodedata

from brand_voice.profile import Advertiser
from generators.compliance.platforms import PlatformRules

_LINK_IN_PROFILE = {
    "ru": "Ссылка — в шапке профиля.",
    "uk": "Посилання — у шапці профілю.",
    "en": "Link in bio.",
    "fi": "Linkki profiilissa.",
    "he": "הקישור בפרופיל.",
}


def ad_label(
    rules: PlatformRules, is_ad: bool, erid: str, advertiser: Advertiser | None
) -> str | None:
    """The label an ad must carry on this platform, or None for a post that is not an ad.

    Where the law applies: «Реклама. <advertiser>. erid: <token>»; elsewhere "Ad" (with the
    erid when one was given)."""
    if not is_ad:
        return None
    if rules.ad_label_required:
        who = f" {advertiser.legal_line()}." if advertiser is not None else ""
        return f"Реклама.{who} erid: {erid}"
    return f"Ad. erid: {erid}" if erid else "Ad"


def missing_erid(rules: PlatformRules, is_ad: bool, erid: str) -> str | None:
    """Why an ad cannot be labelled on this platform without its erid, or None."""
    if is_ad and rules.ad_label_required and not erid:
        return f"an ad on {rules.name} needs its erid (the ad token from the ORD)"
    return None


def missing_advertiser(
    rules: PlatformRules, is_ad: bool, advertiser: Advertiser | None
) -> str | None:
    """Why an ad cannot be labelled on this platform without its advertiser, or None."""
    if is_ad and rules.ad_label_required and advertiser is None:
        return (
            f"an ad on {rules.name} must name its advertiser: set `advertiser` (name or INN) "
            "in the brand profile"
        )
    return None


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def _phrase(phrase: str) -> re.Pattern[str]:
    """The phrase as itself: its characters, any spaces for a space, nothing glued to it."""
    wanted = re.escape(_normal(phrase)).replace(r"\ ", r"\s+")
    return re.compile(r"(?<![\w])" + wanted + r"(?![\w])")


def has_phrase(text: str, phrase: str) -> bool:
    """Whether the text carries the phrase exactly, as a whole (see the module docstring)."""
    if not _normal(phrase):
        return True
    return _phrase(phrase).search(unicodedata.normalize("NFC", text)) is not None


def remove_phrase(text: str, phrase: str) -> str:
    """The text without the phrase wherever `has_phrase` finds it, blank lines tidied."""
    if not _normal(phrase):
        return text
    text = _phrase(phrase).sub("", unicodedata.normalize("NFC", text))
    return re.sub(r"\n[ \t]*(?:\n[ \t]*)+", "\n\n", text).strip()


def link_in_profile(language: str) -> str:
    """ "Link in bio", in the post's language: what a caption says where links do not work."""
    return _LINK_IN_PROFILE.get(language, _LINK_IN_PROFILE["en"])
