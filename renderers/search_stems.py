"""Light stemmers for search terms, one per language the reference site stems: English (`stem`) and Spanish
(`stem_es`), applied to folded words (lowercase, accents gone). `assets/search.js` has the same rules, line for
line; the browser tests compare the two over every word of the sample knowledge base."""
from __future__ import annotations

from typing import Callable

Stemmer = Callable[[str], str]


def _undouble(word: str) -> str:
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        return word[:-1]
    return word


def stem(word: str) -> str:
    """A light English stemmer (plural, -ing, -ed, -ly, final e)."""
    if len(word) <= 3 or not (word.isascii() and word.isalpha()):
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("ing") and len(word) >= 6:
        word = _undouble(word[:-3])
    elif word.endswith("ed") and len(word) >= 5:
        word = _undouble(word[:-2])
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) >= 4:
        word = word[:-1]
    if word.endswith("ly") and len(word) >= 6:
        word = word[:-2]
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word


# Checked in this order, the first that leaves at least three letters wins: reflexive infinitives, gerunds,
# participles, infinitives.
SPANISH_ENDINGS = ("arse", "erse", "irse", "iendo", "ando", "ado", "ada", "ido", "ida", "ar", "er", "ir")


def stem_es(word: str) -> str:
    """A light Spanish stemmer for a folded word: -mente, the first person plural, the plural (-s, -es after a
    consonant, -ces as -z), then a gerund, participle or (reflexive) infinitive ending, else a final a, e or o; so that
    cita/citas, pago/pagos/pagar/pagado and luz/luces each share one stem."""
    if len(word) <= 3 or not (word.isascii() and word.isalpha()):
        return word
    if word.endswith("mente") and len(word) >= 9:
        word = word[:-5]
    if word.endswith(("amos", "emos", "imos")) and len(word) >= 7:
        return word[:-4]
    if word.endswith("ces") and len(word) >= 5:
        word = word[:-3] + "z"
    elif word.endswith("es") and len(word) >= 5 and word[-3] not in "aeiou":
        word = word[:-2]
    elif word.endswith("s") and len(word) >= 4:
        word = word[:-1]
    for ending in SPANISH_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[:-len(ending)]
    if word[-1] in "aeo" and len(word) >= 4:
        word = word[:-1]
    return word


def stemmer(language: str) -> Stemmer:
    """The stemmer for a BCP 47 language tag: Spanish for `es` and its regions, else English (also for ""; a
    language without a stemmer of its own is only lowercased and folded by the words it shares with English)."""
    return stem_es if language.split("-")[0].lower() == "es" else stem
