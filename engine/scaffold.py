"""`new` and `init`: a scaffolded answer file with every field explained, and a new knowledge base that checks
clean, ready for an organisation to fill in, with the files of the content repository around it (a README for
editors, a pre-commit hook, a CI workflow)."""
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


# `init`: the content repository around the knowledge base, written into the folder that holds it. `{kb}` is
# the knowledge base's folder relative to the repository root; `{kb_pattern}` the same as a regular expression.
REPOSITORY = {
    "README.md": """\
# {name}: customer-service answers

Every answer customers get, on the website, in the app, on the phone line, in chat and by text message, is
written once here, in `{kb}/`, and compiled into every channel by one-answer.

## Set up once

```sh
pip install one-answer pre-commit   # or: pipx install one-answer
pre-commit install                   # checks the answers you change before each commit
```

## Write or change an answer

1. `one-answer new billing/pay-by-phone` writes `{kb}/billing/pay-by-phone.md` with every field explained.
   Open it and write the question, the short answer (the first paragraph: every channel leads with it) and the
   steps (the first numbered list).
2. Put phone numbers, fees, dates, hours and links in `{kb}/_facts.yaml` and write `{{{{ group.name }}}}` in the
   answer, so that a change made once reaches every answer and every channel.
3. `one-answer serve --watch --kb {kb}` and open the "Editor preview" address it prints: every channel of each
   answer side by side, with its length budget, rebuilt each time you save. Errors show in the page as
   `file:line:col`.
4. `one-answer check --kb {kb}` lists every problem at once; `one-answer explain CODE` says what a code means.
5. Commit. The hook checks the answers you changed; the pull request shows any problem on the line it is about.

## What the build makes

`one-answer build --kb {kb} --out dist` writes `dist/`: web pages, mobile cards, phone-line SSML, chat
snippets, text messages, the reference site for customer-service staff, and `dist/manifest.json`.
`one-answer verify dist` checks the bundle before it is deployed. The workflow in
`.github/workflows/one-answer.yml` does both on every push and keeps the bundle as a download.
""",
    ".pre-commit-config.yaml": """\
# pre-commit (https://pre-commit.com) runs `one-answer check` on the answer files a commit changes.
# Set up once: pip install one-answer pre-commit && pre-commit install
repos:
  - repo: local
    hooks:
      - id: one-answer-check
        name: one-answer check
        entry: one-answer check
        language: system
        files: ^{kb_pattern}/.*\\.(md|ya?ml)$
        require_serial: true
""",
    ".github/workflows/one-answer.yml": """\
# Check every change to the answers; build, verify and keep the bundle for deployment.
name: one-answer
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # the pull request's base is needed for the diff below
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install one-answer
        run: pip install "{requirement}"
      - name: Check (problems show on the pull request's lines)
        run: one-answer check --kb {kb} --format github
      - name: What this pull request changes, per channel and per shared fact
        if: github.event_name == 'pull_request'
        run: >-
          one-answer diff --base "origin/${{{{ github.base_ref }}}}" --kb {kb} --format markdown
          >> "$GITHUB_STEP_SUMMARY"
      - name: Build
        run: one-answer build --kb {kb} --out dist
      - name: Verify the bundle
        run: one-answer verify dist
      - name: Keep the bundle
        uses: actions/upload-artifact@v4
        with:
          name: one-answer-bundle
          path: dist/
""",
    ".gitignore": """\
# one-answer's output, its build cache, its lock file and the spare bundle it reuses
/dist/
/.dist.cache/
/.dist.lock
/.dist.spare/
""",
}


def repository(name: str, kb: str, version: str | None) -> dict[str, str]:
    """The content repository's own files, by path relative to its root; `kb` is the knowledge base's folder
    relative to that root (posix), `version` the engine's to pin in CI (None: the newest)."""
    requirement = f"one-answer=={version}" if version else "one-answer"
    return {path: text.format(name=name, kb=kb, kb_pattern=re.escape(kb), requirement=requirement)
            for path, text in REPOSITORY.items()}
