"""Per-channel views: audience, channel lists, effective dates and ::: blocks resolved in one place."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from engine.model import Paragraph, Scoped, inline_text, walk_inlines
from engine.select import filter_blocks, publishes
from tests.kb import answer_file, load_kb, views_of, write_kb

BODY = """Short answer.

1. Step one.

::: internal
Secret note.
:::

::: only ivr
Press 2.
:::

::: except sms ivr
Web detail.
:::
"""


def words(blocks: tuple) -> str:
    return " ".join(inline_text((node,)) for node in walk_inlines(blocks))


def test_each_channel_sees_only_its_content(tmp_path: Path) -> None:
    kb = load_kb(write_kb(tmp_path, {"billing/a": answer_file(BODY)}))
    seen = {channel: words(views_of(kb, channel)[0].blocks) for channel in ("web", "ivr", "sms", "reference")}
    assert "Secret" not in seen["web"] + seen["ivr"] + seen["sms"]
    assert "Press 2" in seen["ivr"] and "Press 2" not in seen["web"] + seen["sms"]
    assert "Web detail" in seen["web"] and "Web detail" not in seen["ivr"] + seen["sms"]
    reference = views_of(kb, "reference")[0]
    assert any(isinstance(b, Scoped) and b.kind == "internal" for b in reference.blocks)
    assert "Press 2" not in seen["reference"]


def test_views_split_short_answer_steps_and_detail(tmp_path: Path) -> None:
    kb = load_kb(write_kb(tmp_path, {"billing/a": answer_file(BODY)}))
    web = views_of(kb, "web")[0]
    assert inline_text(web.short_answer.inlines) == "Short answer."
    assert web.steps is not None and len(web.steps.items) == 1
    assert [inline_text(b.inlines) for b in web.detail if isinstance(b, Paragraph)] == ["Web detail."]


def test_internal_answers_channel_lists_and_effective_dates_decide_publication(tmp_path: Path) -> None:
    kb = load_kb(write_kb(tmp_path, {
        "billing/internal": answer_file("Staff only.", audience="internal"),
        "billing/web-only": answer_file("Web only.", channels="[web]"),
        "billing/future": answer_file("Later.", effective_from="2027-01-01"),
        "billing/past": answer_file("Gone.", effective_until="2026-01-01"),
        "billing/related": answer_file("See others.", related="[billing/internal, billing/web-only]"),
    }))
    answers = {a.id: a for a in kb.answers}
    today = date(2026, 11, 23)
    assert not publishes(answers["billing/internal"], "web", False, today)
    assert publishes(answers["billing/internal"], "reference", True, today)
    assert not publishes(answers["billing/web-only"], "sms", False, today)
    assert not publishes(answers["billing/future"], "web", False, today)
    assert publishes(answers["billing/future"], "web", False, date(2027, 1, 1))
    assert not publishes(answers["billing/past"], "web", False, today)
    sms_related = {v.id: v.related for v in views_of(kb, "sms")}["billing/related"]
    web_related = {v.id: v.related for v in views_of(kb, "web")}["billing/related"]
    assert sms_related == () and web_related == ("billing/web-only",)


def test_nested_blocks_resolve_inside_lists() -> None:
    from engine.model import ListBlock, ListItem

    inner = Scoped("only", frozenset({"ivr"}), (Paragraph((), 3),), 3)
    listing = ListBlock(True, 1, (ListItem((inner,), 3),), 2)
    assert filter_blocks((listing,), "web", False)[0].items[0].blocks == ()
    assert filter_blocks((listing,), "ivr", False)[0].items[0].blocks == (Paragraph((), 3),)


PROCEDURES = """It depends on whether you can still sign in.

## If you can still sign in

Follow these steps:

1. Open settings.
2. Choose a new password.

## If you cannot sign in

1. Select "Forgot password".
2. Open the email.

Some background.

1. A numbered list that nothing introduces.
"""


def test_steps_are_the_list_a_heading_or_lead_in_introduces_with_that_condition(tmp_path: Path) -> None:
    kb = load_kb(write_kb(tmp_path, {"accounts/reset": answer_file(PROCEDURES)}))
    chat = views_of(kb, "chat")[0]
    assert [[inline_text(c.inlines) for c in p.condition] for p in chat.procedures] == [
        ["If you can still sign in", "Follow these steps:"], ["If you cannot sign in"]]
    assert chat.steps is chat.procedures[0].steps and chat.condition == chat.procedures[0].condition
    assert words((chat.steps,)) == "Open settings. Choose a new password."
    # the condition is said with the steps, not again as detail; the rest stays in source order
    assert [b.line for b in chat.detail] == [b.line for b in chat.blocks[4:]]


def test_the_list_right_after_the_short_answer_needs_no_condition(tmp_path: Path) -> None:
    kb = load_kb(write_kb(tmp_path, {"billing/a": answer_file("Pay online.\n\n1. Sign in.\n\n## Later\n\n1. Other.\n")}))
    web = views_of(kb, "web")[0]
    assert web.condition == () and words((web.steps,)) == "Sign in."
    assert len(web.procedures) == 2


def test_a_numbered_list_after_plain_detail_is_no_procedure(tmp_path: Path) -> None:
    kb = load_kb(write_kb(tmp_path, {"billing/a": answer_file("Pay online.\n\nSome detail.\n\n1. A list.\n")}))
    web = views_of(kb, "web")[0]
    assert web.steps is None and web.procedures == ()
    assert len(web.detail) == 2
