"""Unicode format characters (category Cf) in source text: which are refused, which stripped, which kept.

They are invisible, so an editor cannot see them, and each channel treats them its own way: a zero-width space
splits a word for search but not for the eye, a soft hyphen is read out by some speech engines, an SMS counts
them. Each class gets the treatment that keeps every channel saying what the editor sees:

- Refused (error `format-character`): the tag characters U+E0000-E007F. They spell ASCII text nobody sees,
  and assistants that read chat text follow it (hidden instructions). Their one use in text, a subdivision
  flag (a black flag, tag letters, CANCEL TAG: the flag of Scotland), is kept.
- Refused elsewhere (error `bidi-control`, engine/source.py): bidi embeddings, overrides and isolates.
- Kept, because a script needs them: the LRM, RLM and ALM marks (U+200E, U+200F, U+061C) that place
  right-to-left text and reorder nothing; ZWJ (U+200D) inside an emoji sequence; ZWNJ and ZWJ (U+200C,
  U+200D) between letters of a script that picks letter forms with them (Arabic and Persian, Syriac, N'Ko,
  Mongolian, the Indic scripts); the prepended concatenation marks (U+0600-0605, U+06DD, U+070F, U+0890-0891,
  U+08E2, U+110BD, U+110CD) and the Egyptian hieroglyph format controls, which are visible parts of their
  scripts' text. A byte-order mark that opens a file is dropped when the file is decoded.
- Stripped, with a warning `format-character` at the first of each kind in a file: all others (zero-width
  space, word joiner, a byte-order mark inside the text, soft hyphen, ZWJ and ZWNJ anywhere else, invisible
  math operators, the deprecated U+206A-206F, interlinear annotation marks). What a reader sees is the same
  without them, so the text means the same, and no channel can be given something the others are not.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from engine.scripts import JOINING, script

# Every Cf character in Unicode 15 but the bidi controls (tests check this against `unicodedata`).
FORMAT = re.compile("[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2060-\u2064"
                    "\u206a-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
                    "\U0001d173-\U0001d17a\U000e0000-\U000e007f]")
TAGS = re.compile("[\U000e0000-\U000e007f]+")
_FLAG = re.compile("\U0001f3f4[\U000e0030-\U000e0039\U000e0061-\U000e007a]{3,6}\U000e007f")
_KEPT = frozenset("\u200e\u200f\u061c\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2"
                  "\U000110bd\U000110cd") | frozenset(map(chr, range(0x13430, 0x13440)))
_ZWNJ, _ZWJ = "\u200c", "\u200d"
_EMOJI_MODIFIERS = frozenset("\ufe0f") | frozenset(map(chr, range(0x1F3FB, 0x1F400)))  # VS16, skin tones


@dataclass
class Scan:
    """`text` with the stripped characters taken out; offsets below are into the text as it was read."""

    text: str
    hidden: tuple[int, str] | None = None  # the first run of tag characters outside a flag: offset, run
    stripped: dict[str, tuple[int, int]] = field(default_factory=dict)  # character -> (first offset, count)


def name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}"


def spelled(run: str) -> str:
    """The ASCII text a run of tag characters spells (each is an invisible twin of a printable character)."""
    return "".join(chr(ord(c) - 0xE0000) for c in run if 0xE0020 <= ord(c) <= 0xE007E)


def scan(text: str) -> Scan:
    if FORMAT.search(text) is None:
        return Scan(text)
    flags = [(m.start(), m.end()) for m in _FLAG.finditer(text)] if "\U0001f3f4" in text else []
    result = Scan(text)
    kept: list[str] = []
    last = 0
    for found in FORMAT.finditer(text):
        at, char = found.start(), found.group()
        if _keeps(text, at, char, flags):
            continue
        if TAGS.fullmatch(char):
            if result.hidden is None:
                run = TAGS.match(text, at)
                result.hidden = (at, run.group() if run else char)
            continue
        first, count = result.stripped.get(char, (at, 0))
        result.stripped[char] = (first, count + 1)
        kept.append(text[last:at])
        last = found.end()
    result.text = "".join(kept) + text[last:] if kept else text
    return result


def _keeps(text: str, at: int, char: str, flags: list[tuple[int, int]]) -> bool:
    if char in _KEPT:
        return True
    if TAGS.fullmatch(char):
        return any(start < at < end for start, end in flags)
    if char not in (_ZWNJ, _ZWJ):
        return False
    before = at - 1
    while before >= 0 and text[before] in _EMOJI_MODIFIERS:
        before -= 1
    after = text[at + 1] if at + 1 < len(text) else ""
    previous = text[before] if before >= 0 else ""
    if not previous or not after:
        return False
    if char == _ZWJ and unicodedata.category(previous) == "So" and unicodedata.category(after) == "So":
        return True
    return script(previous) in JOINING and script(after) in JOINING
