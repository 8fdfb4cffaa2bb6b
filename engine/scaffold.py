"""`new` and `init`: a scaffolded answer file with every field explained, and a new knowledge base that checks
clean, ready for an organisation to fill in."""
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


# `init`: a knowledge base of one's own. Every file says what it is for; the example answer checks clean.
KNOWLEDGE_BASE = {
    "_settings.yaml": """\
# The organisation this knowledge base speaks for.
name: {name}
# ISO 3166 region (phone numbers), ISO 4217 currency (`$` amounts), BCP 47 language of the content.
region: US
currency: USD
language: en-US
# Channel options, merged over the engine's defaults (see `one-answer schema settings`).
channels:
  web:
    # Where the web pages are published: every channel's "full answer" link points here. Change it.
    base_url: https://help.example.org
""",
    "_facts.yaml": """\
# Shared facts: typed values referenced as {{{{ group.name }}}} from any answer, so a change here changes every
# channel of every answer that states it.
contact:
  main:
    type: phone
    value: (800) 555-0100
    label: Customer service
""",
    "_synonyms.yaml": """\
# Words customers and answers use for the same thing, for the reference site's search.
groups:
  - [bill, invoice, statement]
""",
    "general/contact-us.md": """\
---
question: How do I contact customer service?
asked_as: [phone number, talk to someone]
owner: customer-service-team
reviewed: {today}
---
Call {{{{ contact.main }}}} to talk to customer service.
""",
}


def knowledge_base(name: str, today: date) -> dict[str, str]:
    """The files of a new knowledge base, by relative path."""
    return {path: text.format(name=name, today=today.isoformat()) for path, text in KNOWLEDGE_BASE.items()}
