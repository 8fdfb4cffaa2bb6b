"""Per-channel views: `audience`, `channels`, `::: internal`, `::: only` and `::: except` resolved in one place,
so every renderer (and later every reader) sees exactly the same content for a channel."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.model import Answer, Block, Heading, ListBlock, ListItem, Override, Paragraph, Quote, Scoped, inline_text

Condition = Paragraph | Heading


@dataclass(frozen=True)
class Procedure:
    """An ordered list of steps and what scopes it: the heading whose section it is in and the lead-in sentence
    ending in ":" right before it ("If you can still sign in:"), in source order. No condition: the short
    answer introduces the list, and every channel says the short answer first."""

    steps: ListBlock
    condition: tuple[Condition, ...]


@dataclass(frozen=True)
class View:
    """An answer as one channel must present it.

    `blocks` is the filtered body; on channels that may show internal content, `::: internal` blocks stay as
    `Scoped(kind="internal")` nodes so they can be set apart; `only`/`except` blocks are already resolved
    (flattened where they apply, gone where they do not). `detail` is `blocks` without the short answer and
    the steps and the condition that travels with them. `related` holds only ids published on the same channel.

    `steps` is the first procedure (`procedures`): the list the short answer introduces, else the first list a
    heading or a lead-in sentence introduces; `condition` is what scopes it, said before it on every channel
    that carries it. A numbered list elsewhere in the detail is no procedure."""

    answer: Answer
    channel: str
    blocks: tuple[Block, ...]
    short_answer: Paragraph
    steps: ListBlock | None
    detail: tuple[Block, ...]
    override: Override | None
    related: tuple[str, ...]
    condition: tuple[Condition, ...] = ()
    procedures: tuple[Procedure, ...] = ()
    notice: Paragraph | None = None  # an active notice (engine/notices.py): every channel says it first

    @property
    def notice_text(self) -> str:
        """The notice as plain text (facts in their canonical form), "" when there is none."""
        return " ".join(inline_text(self.notice.inlines).split()) if self.notice is not None else ""

    @property
    def id(self) -> str:
        return self.answer.id


def publishes(answer: Answer, channel: str, internal_channel: bool, as_of: date) -> bool:
    """Is `answer` published on `channel` as of that day?"""
    if channel not in answer.channels or not answer.is_live(as_of):
        return False
    return answer.audience == "public" or internal_channel


def filter_blocks(blocks: tuple[Block, ...], channel: str, internal_channel: bool) -> tuple[Block, ...]:
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Scoped):
            if block.kind == "internal":
                if internal_channel:
                    out.append(Scoped("internal", block.channels,
                                      filter_blocks(block.blocks, channel, internal_channel), block.line))
                continue
            applies = (channel in block.channels) == (block.kind == "only")
            if applies:
                out.extend(filter_blocks(block.blocks, channel, internal_channel))
        elif isinstance(block, ListBlock):
            items = tuple(ListItem(filter_blocks(i.blocks, channel, internal_channel), i.line) for i in block.items)
            out.append(block if items == block.items else ListBlock(block.ordered, block.start, items, block.line))
        elif isinstance(block, Quote):
            children = filter_blocks(block.blocks, channel, internal_channel)
            out.append(block if children == block.blocks else Quote(children, block.line))
        else:
            out.append(block)
    return tuple(out)


def view(answer: Answer, channel: str, internal_channel: bool, published: frozenset[str],
         notice: Paragraph | None = None) -> View:
    """The answer as `channel` sees it; `published` is the set of ids live on that channel (for `related`);
    `notice` the notice active for it on the build day, if any."""
    blocks = filter_blocks(answer.blocks, channel, internal_channel)
    found = procedures(blocks, answer.short_answer)
    first = found[0] if found else None
    steps = first.steps if first is not None else None
    condition = first.condition if first is not None else ()
    carried = {id(answer.short_answer), *((id(steps),) if steps is not None else ()),
               *(id(block) for block in _consumed(blocks, first))}
    detail = tuple(b for b in blocks if id(b) not in carried)
    related = tuple(r for r in answer.related if r in published)
    return View(answer, channel, blocks, answer.short_answer, steps, detail, answer.override(channel), related,
                condition, found, notice)


def _ends_with_colon(block: Block) -> bool:
    return isinstance(block, Paragraph) and inline_text(block.inlines).rstrip().endswith(":")


def procedures(blocks: tuple[Block, ...], short_answer: Paragraph) -> tuple[Procedure, ...]:
    """Every ordered list the short answer, a heading (its section's first numbered list) or a lead-in sentence
    ending in ":" introduces, with that heading and that lead-in as its condition. Any other numbered list is
    detail: lifted out alone, it would answer a question nobody asked."""
    found: list[Procedure] = []
    heading: Heading | None = None  # the heading of the section, until its first numbered list
    for index, block in enumerate(blocks):
        if isinstance(block, Heading):
            heading = block
            continue
        if not (isinstance(block, ListBlock) and block.ordered):
            continue
        before = blocks[index - 1] if index else None
        lead_in = before if before is not None and _ends_with_colon(before) else None
        condition: tuple[Condition, ...] = tuple(c for c in (heading, lead_in) if c is not None)
        if before is short_answer:
            found.append(Procedure(block, ()))
        elif condition:
            found.append(Procedure(block, condition))
        heading = None
    return tuple(found)


def _consumed(blocks: tuple[Block, ...], procedure: Procedure | None) -> list[Condition]:
    """The condition blocks said with the steps, so not again as detail: the lead-in always; the heading when
    its section holds nothing but the lead-in and the steps (else it still heads the rest of its section)."""
    if procedure is None:
        return []
    out: list[Condition] = []
    for block in procedure.condition:
        if isinstance(block, Paragraph):
            out.append(block)
            continue
        start = next(i for i, b in enumerate(blocks) if b is block)
        end = next((i for i in range(start + 1, len(blocks)) if isinstance(blocks[i], Heading)), len(blocks))
        if all(b is procedure.steps or b in procedure.condition for b in blocks[start + 1:end]):
            out.append(block)
    return out


def lead_in_list(view: View) -> ListBlock | None:
    """The list a short answer ending in ":" introduces (the block right after it), or None: the two belong
    together, so a channel that cannot carry the list must not leave the colon dangling."""
    if not inline_text(view.short_answer.inlines).rstrip().endswith(":"):
        return None
    at = next((i for i, block in enumerate(view.blocks) if block is view.short_answer), None)
    following = view.blocks[at + 1] if at is not None and at + 1 < len(view.blocks) else None
    return following if isinstance(following, ListBlock) else None
