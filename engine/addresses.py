"""Which web addresses a voice can say, and when two addresses name the same page.

The IVR speaks an address only when a caller can take it down by ear: a site and at most one short path
segment ("irs.gov/refunds"), never a query, a fragment or a long path. Any other address is handed over to
the website, and the consistency gate does not ask the IVR to say it.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from engine.facts import FactType, normalize_url

SHORT_SEGMENT = 20  # characters of the one path segment a caller can still take down


def speakable(canonical: str) -> bool:
    """Can this address be said aloud: a site and at most one short path segment, no query or fragment?"""
    parts = urlsplit(canonical)
    segments = [segment for segment in parts.path.split("/") if segment]
    return not parts.query and not parts.fragment and (
        not segments or len(segments) == 1 and len(segments[0]) <= SHORT_SEGMENT)


def handed_over(kind: FactType, canonical: str) -> bool:
    """A fact the IVR hands over to the website rather than say: a web address it cannot speak."""
    return kind is FactType.URL and not speakable(canonical)


def _site(canonical: str) -> tuple[str, str]:
    parts = urlsplit(normalize_url(canonical))
    return (parts.hostname or "").lower().removeprefix("www."), parts.path.rstrip("/")


def same_site(first: str, second: str) -> bool:
    """Do two web addresses name the same page, `www.` and letter case aside?"""
    try:
        return _site(first) == _site(second)
    except ValueError:
        return False
