"""`new`: a scaffolded answer file with every field explained, ready for an editor to fill in."""
from __future__ import annotations

import re
from datetime import date

from engine.frontmatter import ID_PATTERN

# The scaffold's opening words: an answer that still holds them was never written.
PLACEHOLDER = "Write the short answer here"
TEMPLATE = """\
---
# The question as a customer would ask it. It is the page title and what search shows first.
question: {question}
# Other ways customers ask the same thing, in their own words (search and chat use them).
asked_as: []
# Free tags, lowercase.
tags: []
# public (every channel) or internal (the CSR reference site only).
audience: public
# The team that keeps this answer true.
owner: {topic}-team
# When the answer was last checked (YYYY-MM-DD), and how often it must be checked, in days.
reviewed: {today}
review_every: 180
# Ids of related answers, e.g. [billing/pay-by-phone]. They become quick replies in chat.
related: []
# Optional:
#   id: {topic}/{slug}               stable id; defaults to the file's path
#   channels: [web, mobile, ivr, chat, sms, reference]   default: every channel
#   effective_from: YYYY-MM-DD       first day it is published
#   effective_until: YYYY-MM-DD      last day it is published
#   sms: "Hand-written text message, with {{{{ facts }}}}."   also chat:, ivr:
---
Write the short answer here: one or two plain sentences that answer the question on their own. Every
channel leads with this paragraph. Use shared facts like `{{{{ group.name }}}}` from _facts.yaml for phone
numbers, fees, dates, hours and links.

1. The first numbered list is the steps.
2. Keep each step short: one action.

Anything after this is detail.

::: internal
Notes for customer-service representatives only: how to solve the customer's real problem.
:::
"""


def slug_error(target: str) -> str | None:
    if not re.fullmatch(ID_PATTERN, target) or target.count("/") != 1:
        return f"`{target}` is not `topic/slug` (lowercase letters, digits and `-`, e.g. billing/pay-by-phone)"
    return None


def render(target: str, today: date) -> str:
    topic, slug = target.split("/")
    question = slug.replace("-", " ").capitalize() + "?"
    return TEMPLATE.format(question=question, topic=topic, slug=slug, today=today.isoformat())
