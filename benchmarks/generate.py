"""Generate a realistic knowledge base of N answers, deterministically, for benchmarks and scale tests.

Each answer has ~150-400 words: a short answer, 2-5 steps, detail paragraphs and lists, shared fact
references, literal facts, internal notes, channel blocks, related links; 5% are internal, some carry
hand-written `sms:` overrides. The same (n, seed) always gives byte-identical files.

    python benchmarks/generate.py OUT_DIR --answers 10000
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Sequence

TOPICS = ["billing", "service", "outages", "accounts", "accessibility", "feedback", "standards", "appointments",
          "privacy", "water-quality", "meters", "conservation"]
WORDS = ("account bill payment meter reading service water power outage crew office customer request form "
         "online phone letter notice deposit refund credit balance schedule visit repair line street home "
         "business tenant owner address record plan program discount rebate review standard team").split()
# Internal text draws on words no public text uses, as staff procedures are worded apart: with one shared
# vocabulary, a run of 8 words (the leak check's run) from an internal text turns up by chance in some public
# answer once there are ~100,000 answers, and the build rightly refuses it.
STAFF_WORDS = ("escalate ledger supervisor queue ticket audit adjust waiver approval batch console dispatch "
               "roster shift handover override workflow case note flag hold exception verify manual").split()
VERBS = "check send call visit pay review update open close request confirm schedule report".split()


def facts_yaml(groups: int) -> str:
    lines: list[str] = []
    for g in range(groups):
        lines.append(f"group{g}:")
        lines += [f"  phone:\n    type: phone\n    value: (800) 555-01{g % 100:02d}\n    label: Line {g}",
                  f"  fee:\n    type: money\n    value: ${g + 1}.{g % 100:02d}\n    label: Fee {g}",
                  f"  start:\n    type: date\n    value: 2027-{g % 12 + 1:02d}-{g % 28 + 1:02d}\n    label: Start {g}",
                  f"  hours:\n    type: hours\n    value: Monday to Friday, {g % 4 + 6} am to {g % 4 + 4} pm",
                  f"  wait:\n    type: duration\n    value: {g % 9 + 2} business days",
                  f"  page:\n    type: url\n    value: https://riverton.gov/help/{g}",
                  f"  email:\n    type: email\n    value: team{g}@riverton.gov",
                  f"  rate:\n    type: percent\n    value: {g % 7 + 1}.5%",
                  f"  office:\n    type: text\n    value: {100 + g} Main Street, Riverton"]
    return "\n".join(lines) + "\n"


def sentence(rng: random.Random, words: int, vocabulary: Sequence[str] = WORDS) -> str:
    chosen = [rng.choice(vocabulary) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


def answer(rng: random.Random, index: int, topic: str, ids: list[str], groups: int) -> str:
    g = rng.randrange(groups)
    h = rng.randrange(groups)
    internal = rng.random() < 0.05
    said = STAFF_WORDS if internal else WORDS  # the words of its body
    related = sorted({rng.choice(ids) for _ in range(rng.randint(0, 3))} - {ids[index]})
    front = [
        "---",
        f"question: How do I {rng.choice(VERBS)} my {rng.choice(WORDS)} {rng.choice(WORDS)} ({index})?",
        "asked_as:",
        *(f"  - {rng.choice(VERBS)} {rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(rng.randint(1, 4))),
        f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]",
        f"audience: {'internal' if internal else 'public'}",
        f"owner: {topic}-team",
        f"reviewed: 2026-{rng.randint(6, 11):02d}-{rng.randint(1, 28):02d}",
        f"review_every: {rng.choice([90, 180, 365])}",
        f"related: [{', '.join(related)}]",
    ]
    if rng.random() < 0.2:
        front.append(f'sms: "Call {{{{ group{g}.phone }}}} or visit {{{{ group{g}.page }}}} about your '
                     f'{rng.choice(WORDS)}. Fee {{{{ group{g}.fee }}}}."')
    front.append("---")
    opening = "Staff only: check" if internal else "Call"
    # what the phone line speaks (the opening, the steps and the wait) stays within its 45 s budget even where
    # the fact values are longest, at 100,000 answers
    body = [
        f"{opening} {{{{ group{g}.phone }}}} or visit {{{{ group{g}.page }}}}. {sentence(rng, rng.randint(8, 12), said)}",
        "",
        *(f"{n}. {sentence(rng, rng.randint(5, 8), said)[:-1]}, fee {{{{ group{g}.fee }}}}." if n == 1
          else f"{n}. {sentence(rng, rng.randint(5, 8), said)}" for n in range(1, rng.randint(3, 6))),
        "",
        f"It takes {{{{ group{h}.wait }}}}. Open {{{{ group{h}.hours }}}}.",
        "",
        "::: except sms ivr",
        f"{sentence(rng, 12, said)} {sentence(rng, 10, said)}",
        "",
        f"- {sentence(rng, 8, said)}",
        f"- Write to {{{{ group{h}.email }}}} or visit {{{{ group{h}.office }}}}.",
        f"- {sentence(rng, 9, said)} From {{{{ group{h}.start }}}} the rate is {{{{ group{h}.rate }}}}.",
        "",
        " ".join(sentence(rng, rng.randint(8, 16), said) for _ in range(rng.randint(3, 10))),
        "",
        " ".join(sentence(rng, rng.randint(8, 16), said) for _ in range(rng.randint(2, 6))),
        ":::",
        "",
        "::: internal",
        f"{sentence(rng, 20, STAFF_WORDS)} Check the {rng.choice(STAFF_WORDS)} log first.",
        ":::",
    ]
    if internal:  # internal answers are worded apart from public ones, as real staff procedures are
        body = [line.replace("the rate is", "staff apply the rate").replace("Write to", "Staff escalate to")
                .replace("It takes", "Staff allow") for line in body]
    return "\n".join(front + body) + "\n"


def generate(out: Path, answers: int, seed: int = 7) -> list[Path]:
    """Write a knowledge base of `answers` answers into `out` (which must be empty or absent)."""
    rng = random.Random(seed)
    groups = max(10, answers // 50)
    out.mkdir(parents=True, exist_ok=True)
    (out / "_facts.yaml").write_text(facts_yaml(groups), encoding="utf-8")
    (out / "_settings.yaml").write_text("name: Riverton Public Utilities\n", encoding="utf-8")
    ids = [f"{TOPICS[i % len(TOPICS)]}/answer-{i:06d}" for i in range(answers)]
    paths = []
    for index, answer_id in enumerate(ids):
        path = out / f"{answer_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(answer(rng, index, answer_id.split("/")[0], ids, groups), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.out, args.answers, args.seed)


if __name__ == "__main__":
    main()
