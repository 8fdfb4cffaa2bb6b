"""Which writing system a character is written in, read from its Unicode name: enough to spot a host name that
mixes look-alike letters of two scripts, and to tell where a joiner belongs to the text around it."""
from __future__ import annotations

import unicodedata
from functools import lru_cache

# Scripts in which ZWNJ/ZWJ between letters choose a letter form (Persian, Urdu, Hindi, Bengali, Tamil ...).
JOINING = frozenset({"ARABIC", "SYRIAC", "NKO", "MONGOLIAN", "DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI",
                     "ORIYA", "TAMIL", "TELUGU", "KANNADA", "MALAYALAM", "SINHALA"})
# Scripts written together in one word (Unicode TS 39, "highly restrictive"): Japanese, Chinese with
# Bopomofo, Korean, each with Latin. Any other pair in one host label is refused.
_TOGETHER = (frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}), frozenset({"LATIN", "HAN", "BOPOMOFO"}),
             frozenset({"LATIN", "HAN", "HANGUL"}))
_ALIASES = {"CJK": "HAN", "IDEOGRAPHIC": "HAN"}
_NOT_A_SCRIPT = frozenset({"COMBINING", "MODIFIER", "KATAKANA-HIRAGANA", "VARIATION"})


@lru_cache(maxsize=4096)
def script(char: str) -> str | None:
    """The script of a letter or mark (`LATIN`, `CYRILLIC`, `HAN` ...); None for digits, punctuation, symbols
    and marks shared by every script."""
    if not unicodedata.category(char).startswith(("L", "M")):
        return None
    words = unicodedata.name(char, "").split(" ")
    word = words[1] if words[0] in ("FULLWIDTH", "HALFWIDTH") and len(words) > 1 else words[0]
    if not word or word in _NOT_A_SCRIPT:
        return None
    return _ALIASES.get(word, word)


def scripts(text: str) -> set[str]:
    return {found for char in text if (found := script(char)) is not None}


def mixed(text: str) -> bool:
    """Does `text` mix scripts that are never written together in one word?"""
    found = scripts(text)
    return len(found) > 1 and not any(found <= together for together in _TOGETHER)
