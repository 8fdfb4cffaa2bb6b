"""Web addresses in prose, as customers meet them on every channel.

A site name written without a scheme, `www.` or path ("IdentityTheft.gov", "USA.gov’s", "Login.gov") is the
organisation's name in a sentence: it is kept exactly as written (no link, no case change) and spoken as written.
"""
from __future__ import annotations

from engine.addresses import same_site, speakable
from engine.facts import FactType
from engine.model import FactMention

__all__ = ["same_site", "speakable", "written_name"]


def written_name(node: FactMention) -> str | None:
    """The mention exactly as written when it is a site's name: a literal host written without a scheme, a
    `www.` or a path ("Login.gov", not "login.gov/help" or "www.login.gov", which are addresses), else None."""
    raw = node.raw
    if node.fact.type is FactType.URL and node.origin == "literal" and "://" not in raw and "/" not in raw \
            and not raw.lower().startswith("www."):
        return raw
    return None
