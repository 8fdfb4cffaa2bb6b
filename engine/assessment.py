"""Self-assessment: how the organisation does against its own standards and the channel-readiness of its
answers, as a short text a manager can read (the last section of `report`).

Graded from the published bundle (its manifest) and the knowledge base on the day: every public answer on every
customer channel with nothing left out, reviews on time, feedback success at or above a threshold, and each
standard's reach (the answers stating it, and whether a notice says it is not met)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Mapping

from engine.feedback import AnswerFeedback, worst_pairs
from engine.knowledge import KnowledgeBase
from engine.standards import concerned
from renderers.plain_facts import Style, written

CUSTOMER = ("web", "mobile", "ivr", "chat", "sms")
SUCCESS_THRESHOLD = 0.7


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole} ({part / whole:.0%})" if whole else "none to grade"


def assessment(kb: KnowledgeBase, manifest: Any, feedback: Mapping[str, AnswerFeedback], day: date) -> str:
    public = {i: e for i, e in manifest.answers.items() if e.audience == "public"}
    everywhere = [i for i, e in public.items() if all(c in e.channels for c in CUSTOMER)]
    whole = [i for i in everywhere if not any(e.metrics.get("fallbacks") for e in public[i].channels.values())]
    answers = [a for a in kb.answers if a.id in manifest.answers]
    on_time = [a for a in answers if a.reviewed + timedelta(days=a.review_every) >= day]
    pairs = worst_pairs(feedback)
    good = [p for p in pairs if p[1].success >= SUCCESS_THRESHOLD]
    lines = ["", f"Self-assessment as of {day}:",
             f"  public answers on every customer channel: {_share(len(everywhere), len(public))}",
             f"  ... with nothing left out for a budget: {_share(len(whole), len(public))}",
             f"  answers reviewed on time: {_share(len(on_time), len(answers))}",
             f"  answer x channel pairs with feedback at or above {SUCCESS_THRESHOLD:.0%} helpful: "
             f"{_share(len(good), len(pairs))}"]
    active = kb.notices.active(day)
    for standard_id, standard in kb.standards.items.items():
        fact = kb.facts.get(f"standards.{standard_id}")
        value = written(fact.value, Style(kb.settings.locale)) if fact else "?"
        reach = concerned(kb.standards, standard_id, kb.answers)
        missed = [n.id for n in kb.notices.items if n.active(day) and n.target.standard == standard_id]
        state = f"NOT MET (notice {', '.join(missed)})" if missed else "met"
        lines.append(f"  standard {standard_id} ({standard.title}: {value}, {standard.applies_to}): {state}; "
                     f"stated in {len(reach)} answer{'s' * (len(reach) != 1)}"
                     + (f", {sum(1 for a in reach if a in active)} showing a notice" if active else ""))
    return "\n".join(lines) + "\n"
