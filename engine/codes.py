"""Every diagnostic code the engine reports, what it means and what to do: `explain CODE` prints one, and the
tests make sure no code is reported that is not listed here."""
from __future__ import annotations

import os

# code -> (what it means, what to do)
CODES: dict[str, tuple[str, str]] = {
    # files and YAML
    "encoding": ("The file is not UTF-8 text.", "Save it as UTF-8."),
    "nul-byte": ("The file holds a NUL byte: it is binary, or damaged.", "Save it again as plain UTF-8 text."),
    "control-character": ("A control character other than tab or newline is in the text.", "Delete it."),
    "bidi-control": ("A bidirectional embedding/override/isolate character can make text show differently from "
                     "what it says.", "Delete it; RLM/LRM marks are fine."),
    "format-character": ("An invisible Unicode format character: tag characters are refused (they can carry hidden "
                         "instructions), others are stripped with a warning.", "Delete it."),
    "too-large": ("The file is larger than the engine reads (32 KiB an answer, 2 MB for _facts/_settings).",
                  "Split it into several answers."),
    "too-many-numbers": ("The text holds more numbers than any real answer.", "Split it, or link to a page."),
    "too-deep": ("Lists or quotes nested so deep the parser would drop content.", "Flatten the nesting."),
    "symlink": ("A symbolic link leading out of the knowledge base (never read).", "Replace it with the file."),
    "not-a-file": ("A pipe, socket or device in the knowledge base (never read).", "Remove it."),
    "unreadable": ("The file could not be read.", "Check its permissions."),
    "yaml-syntax": ("The YAML cannot be parsed.", "Fix the syntax at the position given."),
    "yaml-tab": ("YAML indented with a tab.", "Indent with spaces."),
    "yaml-alias": ("YAML anchors and aliases are refused (no 'billion laughs').", "Write the value out."),
    "yaml-tag": ("Explicit YAML tags (`!!python/...`) are refused.", "Write a plain value."),
    "yaml-too-deep": ("YAML nested deeper than 16 levels.", "Flatten it."),
    "duplicate-key": ("A key appears twice in one mapping.", "Keep one of them."),
    # front matter and ids
    "no-front-matter": ("An answer file must start with front matter between `---` lines.", "Run `new` for a template."),
    "unclosed-front-matter": ("The front matter has no closing `---`.", "Add the closing line."),
    "invalid-front-matter": ("The front matter is not a mapping of fields.", "Write `field: value` lines."),
    "missing-field": ("A required field is missing.", "Add it, as the hint shows."),
    "unknown-field": ("A field the answer file does not have (often a typo).", "Use the did-you-mean."),
    "invalid-value": ("A field's value has the wrong type or form.", "Write it as the message says."),
    "invalid-date": ("A date that is not on the calendar, or out of order.", "Write YYYY-MM-DD, a real day."),
    "invalid-id": ("The id is not lowercase `topic/slug`, or too long.", "Rename the file or set `id:`."),
    "reserved-id": ("The id uses a name the bundle needs (index, assets, search...).", "Choose another slug."),
    "duplicate-id": ("Two answers have the same id (or ids equal but for case).", "Give one another `id`."),
    "misplaced-answer": ("Answer files live in a topic folder.", "Move it to knowledge/<topic>/<slug>.md."),
    "unknown-channel": ("A channel name that does not exist.", "Use one of the channels listed."),
    "invalid-override": ("A channel override (`sms:`...) must be non-empty text.", "Write the text, or remove it."),
    "self-related": ("An answer lists itself in `related`.", "Remove it."),
    "unknown-related": ("`related` names an answer id that does not exist.", "Use the did-you-mean."),
    "related-unavailable": ("`related` names an answer whose file failed to load.", "Fix that file."),
    "related-missing": ("A related answer is not published on this channel.", "Nothing, or publish it there."),
    "stale-review": ("The review is overdue: reviewed + review_every is past.", "Check the answer, update `reviewed`."),
    "future-review": ("`reviewed` is in the future.", "Write the day it was checked."),
    "duplicate-question": ("Two answers answer the same question: the copies drift apart.",
                           "Keep one; list the other wording in its `asked_as`."),
    "unedited-scaffold": ("The text `new` scaffolded is still there.", "Write the answer in its place."),
    # body
    "empty-short-answer": ("The answer does not open with a short-answer paragraph.",
                           "Write one or two sentences first, or give `summary:`."),
    "image-short-answer": ("The short answer is only an image.", "Write it in words; the image can follow."),
    "raw-html": ("Raw HTML in Markdown is refused.", "Write Markdown; escape a literal `<` as `\\<`."),
    "unsafe-link": ("A link other than http(s), mailto: or tel:, or an unsafe image source.", "Link to a web page."),
    "invalid-link": ("A `tel:` or `mailto:` link whose target is not a phone number or address one can use.",
                     "Write a full number (or a short code valid in `region`), or a whole address."),
    "insecure-link": ("An `http://` address: not encrypted.", "Use `https://` where the site offers it."),
    "mixed-script-host": ("A web host mixing scripts (a look-alike letter).", "Write the host in one script."),
    "relative-link": ("A relative link has no meaning on every channel.", "Write the full address."),
    "unknown-block": ("A `:::` block kind that does not exist.", "Use internal, only or except."),
    "invalid-block": ("A `:::` block written wrongly (e.g. `only` without channels).", "Fix it as the message says."),
    "unclosed-block": ("A `:::` block is never closed.", "End it with a `:::` line."),
    "broken-fact-reference": ("A fact reference with a brace missing.", "Write `{{ group.name }}`."),
    "unknown-fact": ("A fact reference that is not in _facts.yaml.", "Use the did-you-mean, or add the fact."),
    "internal-fact": ("A staff-only fact (audience: internal) in a public answer.",
                      "Move it into a `::: internal` note, or use a public fact."),
    "literal-fact": ("A value typed in prose equals a shared fact.", "Write the `{{ fact }}` reference."),
    "image-without-alt": ("An image with no description.", "Write the description in `![...]`."),
    # facts, settings, synonyms, channels
    "invalid-fact": ("A fact's value cannot be read as its type, or is implausible.", "Write it as the hint shows."),
    "invalid-fact-name": ("A fact group or name is not lowercase letters, digits and `_`.", "Rename it."),
    "invalid-facts": ("_facts.yaml is not `group: {name: {type, value}}`.", "Fix its shape."),
    "invalid-settings": ("_settings.yaml has a wrong or unknown setting.", "Fix it as the message says."),
    "invalid-synonyms": ("_synonyms.yaml has a wrong group or phrase.", "Fix it as the message says."),
    "invalid-config": ("A channel option is wrong (in channels/<name>.yaml or _settings.yaml `channels:`).",
                       "Fix it at the line given."),
    "default-base-url": ("The knowledge base does not set its own web address: links point at the sample site.",
                         "Set `channels: {web: {base_url: ...}}` in _settings.yaml."),
    "no-renderer": ("A channel config without a renderer module.", "Add renderers/<name>.py or remove the config."),
    # the gate and the renderers
    "missing-fact": ("A channel does not state a fact of the short answer or the steps.", "Fix the override or block."),
    "invented-fact": ("A channel states a fact the answer does not.", "Fix the override, or `accept:` it with a reason."),
    "internal-leak": ("Eight words in a row of internal text appear in a customer channel.", "Remove them there."),
    "short-answer-not-first": ("A channel does not open with the short answer.", "Make the override lead with it."),
    "list-left-out": ("Chat leaves out the list a short answer ending in \":\" introduces (or the steps after it) to "
                      "keep to its budget, and leads to the full answer instead.", "Nothing, or shorten the list."),
    "core-fact-missing": ("A fact the SMS states is not on another customer channel: its hand-written text or a "
                          "channel block drops it.", "Say the fact there too, or take it out of the SMS."),
    "core-fact-left-out": ("A fact the SMS states is left out by another channel's shorter derived text.",
                           "Nothing, or move the fact into the short answer or the steps."),
    "step-order": ("A channel gives an answer's steps in another order than the answer does.",
                   "Fix the override or the channel block; steps keep their source order."),
    "step-condition": ("A channel gives steps without the heading or lead-in that says whom they are for.",
                       "Say the condition before the steps (or leave the steps to the web page)."),
    "over-budget": ("An output is over its channel's budget even after degrading.", "Shorten it, or write an override."),
    "detail-left-out": ("The IVR leaves detail out to keep to its time budget and hands over to the website.",
                        "Nothing, or shorten the detail."),
    "unspeakable": ("Something the IVR cannot speak (a table, a code block): the caller hears where it is.",
                    "Nothing, or wrap it in `::: except ivr`."),
    "table-as-text": ("A table a channel cannot lay out is shown as text.", "Nothing, or simplify the table."),
    "table": ("A table sent as a list of cells.", "Nothing, or simplify it."),
    "image": ("An image a channel cannot show: its description is used.", "Nothing."),
    "image-moved": ("An image shown apart from the text it stood in.", "Nothing."),
    "strikethrough": ("Struck-out text sent as plain text.", "Nothing, or remove the struck text."),
    "strike-not-shown": ("Struck-out text a channel cannot strike out.", "Nothing."),
    "code-block": ("A code block sent as one line of text.", "Nothing."),
    "quick-replies": ("More related answers than chat quick replies hold.", "Nothing, or trim `related`."),
    "ucs2": ("A character with no GSM-7 form makes the SMS UCS-2 (70 characters a segment).", "Replace it."),
    "accepted": ("A finding an answer's `accept:` waives, reported with its reason.", "Nothing."),
    "unused-accept": ("An `accept:` entry that matches nothing any more.", "Remove it."),
    # real help-center text (issue 13): explicit degradations of long answers
    "steps-left-out": ("A derived SMS, chat or IVR text leaves the steps to the full answer to keep to its budget.",
                       "Nothing, or shorten the steps, or write an override for that channel."),
    "short-answer-cut": ("The SMS carries the short answer's first sentences only, to keep to its budget; the "
                         "rest (and its facts) is behind the link.", "Nothing, or shorten the short answer."),
    # the build
    "unsafe-out": ("The output folder is not one the engine may replace.", "Choose another --out."),
    "write-failed": ("The bundle could not be written: nothing was published.", "Free space or fix permissions."),
    "internal-error": ("The engine could not read this file: a bug.", "Report it with the file attached."),
    "exists": ("The answer file `new` would write exists already.", "Edit it instead."),
    # import
    "import-unreadable": ("`import` could not read a page or an export file.", "Check the path and that it is UTF-8."),
    "import-syntax": ("The export is not what its kind says: not JSON, no `articles` array, no `question` and "
                      "`answer` columns.", "Export it again, or give --kind."),
    "import-row": ("One article or row of the export has no question (title) or no answer (body), or more "
                   "fields than the header: it was skipped, the others were imported.", "Fix the row and import again."),
    "import-no-body": ("No element of the page matches the article-body selector.",
                       "Give --selector the CSS selector of the article's body on your pages."),
    "import-no-title": ("The page has no <h1> and no <title>, so there is no question to use.", "Add a title."),
    # service standards, notices, status, feedback (issue 19)
    "invalid-standards": ("_standards.yaml does not follow its shape (standards: {id: {title, type, value, "
                          "applies_to, answers}}).", "Fix the value at the position given."),
    "standards-conflict": ("_facts.yaml has a `standards` group too: a standard has one source.",
                           "Move those facts into _standards.yaml."),
    "unknown-standard-answer": ("A standard names an answer id that does not exist.", "Use the did-you-mean."),
    "invalid-notices": ("_notices.yaml does not follow its shape (notices: [{id, message, effective_from, "
                        "effective_until, target}]).", "Fix the value at the position given."),
    "unknown-notice-target": ("A notice targets a standard, topic or answer that does not exist.",
                              "Use the did-you-mean."),
    "notice-missing": ("An output of an answer an active notice targets does not open with the notice.",
                       "A renderer bug: every channel must lead with `view.notice`."),
    "notice-misplaced": ("A notice's text is in an output it does not target (or is not active for).",
                         "A renderer bug, or a notice copied into an answer's text."),
    "notice-over-budget": ("With an active notice, an SMS or IVR output no longer fits its budget.",
                           "Shorten the notice, or write a shorter `sms:`/`ivr:` override for those answers."),
    "invalid-feedback": ("A feedback row that cannot be imported (its line and the field are given).",
                         "Fix the row in the export and import the file again; the other rows were kept."),
    # the channel contract (engine/contract.py), the email and social channels, locales
    "invalid-channel": ("A renderer module does not keep the channel contract (engine/contract.py).",
                        "Fix renderers/<name>.py as the message says."),
    "render-failed": ("A renderer raised an exception on this answer: a bug in the renderer.",
                      "Report it with the answer attached; the other channels are still checked."),
    "reader-failed": ("The gate could not read a channel's output back (no reader for it, or the reader failed).",
                      "Set READER in the renderer module, or report the bug with the answer attached."),
    "unknown-translation-source": ("`translation_of` names no answer.", "Write the id of the answer translated."),
    "invalid-translation": ("A translation of a translation, or one without a language of its own.",
                            "Point `translation_of` at the source and set `language:`."),
    "stale-translation": ("A translation reviewed before its source last changed (the source's `reviewed`).",
                          "Bring it up to date with the source, then update its `reviewed`."),
    "translation-fact-missing": ("A translation's output leaves out a fact its source's output states there.",
                                 "State the fact in the translation (use the same `{{ fact }}`)."),
    "translation-fact-changed": ("A translation's output states a fact its source's output does not (a changed "
                                 "fee, a different phone number).", "Use the source's facts in the translation."),
    "social-left-out": ("The social post leaves part of the answer out to fit its character budget.",
                        "Nothing (the link carries the rest), or write a `social:` override."),
}

STRICT_VARIABLE = "ONE_ANSWER_STRICT_CODES"  # set by the tests: reporting an unlisted code is then a bug


def check(code: str) -> None:
    if os.environ.get(STRICT_VARIABLE) and code not in CODES:
        raise AssertionError(f"diagnostic code `{code}` is not documented in engine/codes.py")


def explain(code: str) -> str | None:
    found = CODES.get(code)
    return f"{code}: {found[0]}\n  what to do: {found[1]}\n" if found else None
