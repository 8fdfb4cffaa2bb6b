"""Text for SSML: characters XML cannot hold removed, and `&`, `<`, `>` escaped so text never becomes markup."""
from __future__ import annotations

import re
from xml.sax.saxutils import escape

_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """`text` without the characters XML 1.0 does not allow anywhere (C0 controls, lone surrogates, U+FFFE/F)."""
    return _INVALID_XML.sub("", text)


def fragment(text: str) -> str:
    """`text` as SSML character data: safe inside `<speak>` or any element that holds text."""
    return escape(clean(text))
