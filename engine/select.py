"""Per-channel views: `audience`, `channels`, `::: internal`, `::: only` and `::: except` resolved in one place,
so every renderer (and later every reader) sees exactly the same content for a channel."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.model import Answer, Block, ListBlock, ListItem, Override, Paragraph, Quote, Scoped, inline_text


@dataclass(frozen=True)
class View:
    """An answer as one channel must present it.

    `blocks` is the filtered body; on channels that may show internal content, `::: internal` blocks stay as
    `Scoped(kind="internal")` nodes so they can be set apart; `only`/`except` blocks are already resolved
    (flattened where they apply, gone where they do not). `detail` is `blocks` without the short answer and
    the steps. `related` holds only ids published on the same channel."""

    answer: Answer
    channel: str
    blocks: tuple[Block, ...]
    short_answer: Paragraph
    steps: ListBlock | None
    detail: tuple[Block, ...]
    override: Override | None
    related: tuple[str, ...]

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


def view(answer: Answer, channel: str, internal_channel: bool, published: frozenset[str]) -> View:
    """The answer as `channel` sees it; `published` is the set of ids live on that channel (for `related`)."""
    blocks = filter_blocks(answer.blocks, channel, internal_channel)
    steps = answer.steps
    if steps is not None:
        steps = next((b for b in blocks if isinstance(b, ListBlock) and b.ordered and b.line == steps.line), None)
    detail = tuple(b for b in blocks if b is not answer.short_answer and b is not steps)
    related = tuple(r for r in answer.related if r in published)
    return View(answer, channel, blocks, answer.short_answer, steps, detail, answer.override(channel), related)


def lead_in_list(view: View) -> ListBlock | None:
    """The list a short answer ending in ":" introduces (the block right after it), or None: the two belong
    together, so a channel that cannot carry the list must not leave the colon dangling."""
    if not inline_text(view.short_answer.inlines).rstrip().endswith(":"):
        return None
    at = next((i for i, block in enumerate(view.blocks) if block is view.short_answer), None)
    following = view.blocks[at + 1] if at is not None and at + 1 < len(view.blocks) else None
    return following if isinstance(following, ListBlock) else None
