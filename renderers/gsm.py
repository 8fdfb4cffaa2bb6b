"""SMS encoding: the GSM 03.38 alphabet, GSM-friendly normalisation, and segment counting by packing."""
from __future__ import annotations

import unicodedata

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# The default alphabet, in code order (0x00-0x7F). 0x1B is the escape to the extension table, not a character.
_BASIC_TABLE = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
ESCAPE = 0x1B
BASIC: frozenset[str] = frozenset(ch for code, ch in enumerate(_BASIC_TABLE) if code != ESCAPE)
# The extension table: each character is sent as ESC + its code, so it costs two septets.
EXTENSION: dict[int, str] = {
    0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\", 0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€",
}
_EXTENDED: frozenset[str] = frozenset(EXTENSION.values())

# Per-segment limits: (one segment alone, each segment of a concatenated message). Concatenated segments
# lose room to the user data header: 7 septets in GSM-7, 3 code units in UCS-2.
LIMITS: dict[str, tuple[int, int]] = {GSM7: (160, 153), UCS2: (70, 67)}

_SUBSTITUTES: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    "\u2026": "...",
    **dict.fromkeys("\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                    "\u202f\u205f\u3000", " "),
    # Invisible characters that carry nothing in a text message.
    **dict.fromkeys("\u00ad\u200b\u2060\ufeff", ""),
}
_TRANSLATE = str.maketrans(_SUBSTITUTES)


def normalise(text: str) -> str:
    """`text` with typographic quotes, dashes, ellipses and Unicode spaces replaced by their GSM-7 equivalents
    (composed to NFC first, so an accent typed as a combining mark still finds its GSM letter)."""
    return unicodedata.normalize("NFC", text).translate(_TRANSLATE)


def septets(ch: str) -> int | None:
    """What one character costs in GSM-7 (1, or 2 for the extension table), or None if it has no GSM-7 form."""
    if ch in BASIC:
        return 1
    if ch in _EXTENDED:
        return 2
    return None


def ucs2_units(ch: str) -> int:
    """UTF-16 code units of one character: 2 for anything outside the Basic Multilingual Plane (most emoji)."""
    return 2 if ord(ch) > 0xFFFF else 1


def forcing_char(text: str) -> str | None:
    """The first character that GSM-7 cannot carry, or None if the whole text is GSM-7."""
    return next((ch for ch in text if septets(ch) is None), None)


def cost(ch: str, encoding: str) -> int:
    """What one character costs in `encoding` (septets or UTF-16 code units)."""
    if encoding == GSM7:
        units = septets(ch)
        if units is None:
            raise ValueError(f"{ch!r} (U+{ord(ch):04X}) has no GSM-7 form")
        return units
    return ucs2_units(ch)


def capacity(encoding: str, segments: int) -> int:
    """How many units fit in `segments` segments of `encoding`."""
    single, each = LIMITS[encoding]
    return single if segments == 1 else each * segments


def split(text: str, encoding: str | None = None) -> list[str]:
    """The segments a carrier sends `text` in: one if it fits, else packed greedily, character by character,
    so an escape pair or a surrogate pair is never cut in two. An empty text is still one (empty) message."""
    encoding = encoding or (GSM7 if forcing_char(text) is None else UCS2)
    single, each = LIMITS[encoding]
    costs = [cost(ch, encoding) for ch in text]
    if sum(costs) <= single:
        return [text]
    segments: list[str] = []
    start, used = 0, 0
    for index, units in enumerate(costs):
        if used + units > each:
            segments.append(text[start:index])
            start, used = index, 0
        used += units
    segments.append(text[start:])
    return segments


def encode_info(text: str) -> tuple[str, int, int, str | None]:
    """(encoding, units, segments, forcing character) of `text` as given (call `normalise` first):
    GSM-7 in septets when every character has a GSM-7 form, else UCS-2 in UTF-16 code units."""
    forcing = forcing_char(text)
    encoding = GSM7 if forcing is None else UCS2
    units = sum(cost(ch, encoding) for ch in text)
    return encoding, units, len(split(text, encoding)), forcing
