"""Token counting with tiktoken, from vocabulary files shipped in this package (no download)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import tiktoken

VOCAB_DIR = Path(__file__).parent / "vocab"
DEFAULT_ENCODING = "o200k_base"


@cache
def encoding(name: str = DEFAULT_ENCODING) -> tiktoken.Encoding:
    """Load an encoding from the shipped vocabulary files; never from the network."""
    # tiktoken reads this variable when it loads a file; pointing it at the shipped files is
    # what keeps it offline, so it is set here, right before the only load.
    os.environ["TIKTOKEN_CACHE_DIR"] = str(VOCAB_DIR)
    return tiktoken.get_encoding(name)


def encoding_for_model(model: str | None) -> tiktoken.Encoding:
    """The encoding a model uses, or the default when tiktoken does not know the model."""
    if model:
        try:
            return encoding(tiktoken.encoding_name_for_model(model))
        except KeyError:
            pass
    return encoding()


def count_tokens(text: str, model: str | None = None) -> int:
    """How many tokens `text` is for `model` (o200k_base when the model is unknown)."""
    return len(encoding_for_model(model).encode(text, disallowed_special=()))


def truncate_to_tokens(text: str, max_tokens: int, model: str | None = None) -> str:
    """`text` cut to at most `max_tokens` tokens, at a whitespace boundary when one is near."""
    enc = encoding_for_model(model)
    ids = enc.encode(text, disallowed_special=())
    if len(ids) <= max_tokens:
        return text
    cut = enc.decode(ids[:max_tokens])
    space = cut.rfind(" ")
    return (cut[:space] if space > len(cut) * 0.8 else cut).rstrip() + "…"
