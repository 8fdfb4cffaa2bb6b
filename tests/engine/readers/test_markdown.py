"""The chat Markdown reader: the words a chat client shows, one line per block, and the link targets."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.readers.markdown import plain, read
from tests.engine.readers.test_text import assert_reads_back, built_outputs, kinds, sample_outputs


def test_backslash_escapes_and_entities_are_resolved() -> None:
    text, links = plain(r"Fee \*really\* \$2.50 \[not a link\](x) \_a\_ \\ \# &amp; &lt;b&gt;")
    assert text == r"Fee *really* $2.50 [not a link](x) _a_ \ # & <b>"
    assert links == ()


def test_emphasis_strong_and_strike_show_their_words_only() -> None:
    assert plain("*Call* **now**, ~~not later~~ _ok_")[0] == "Call now, not later ok"


def test_a_link_shows_its_words_and_its_target_is_a_link_and_a_fact() -> None:
    got = read(b"[Call us](tel:+18005550100) or [write](mailto:billing@riverton.gov) or "
               b"[pay online](https://riverton.gov/pay/)")
    assert got.text == "Call us or write or pay online"
    assert got.links == ("tel:+18005550100", "mailto:billing@riverton.gov", "https://riverton.gov/pay/")
    assert kinds(got) == [("phone", "+18005550100"), ("email", "billing@riverton.gov"),
                          ("url", "https://riverton.gov/pay")]


def test_an_autolink_shows_its_url() -> None:
    got = read(b"Pay at <https://riverton.gov/pay>.")
    assert got.text == "Pay at https://riverton.gov/pay."
    assert got.links == ("https://riverton.gov/pay",)
    assert kinds(got) == [("url", "https://riverton.gov/pay"), ("url", "https://riverton.gov/pay")]


def test_inline_code_keeps_its_content() -> None:
    got = read(b"Type `riverton.gov/pay` and `*2*`")
    assert got.text == "Type riverton.gov/pay and *2*"
    assert kinds(got) == [("url", "https://riverton.gov/pay")]


def test_raw_html_shows_as_the_characters_written() -> None:
    assert plain("Press <b>2</b> <script>x</script>")[0] == "Press <b>2</b> <script>x</script>"


def test_one_line_per_block_and_no_list_markers() -> None:
    source = ("# Pay by phone\n\nCall (800) 555-0100\nany time.\n\n1. Have your bill.\n2. Press 2.\n\n"
              "- one\n- two\n\n> quoted\n\n---\n\n```\ncode  line\nsecond\n```\n")
    text, _ = plain(source)
    assert text.split("\n") == ["Pay by phone", "Call (800) 555-0100", "any time.", "Have your bill.", "Press 2.",
                                "one", "two", "quoted", "code line", "second"]


def test_a_hard_break_ends_a_line() -> None:
    assert plain("Call us  \nany time\\\nor write")[0] == "Call us\nany time\nor write"


def test_table_cells_are_joined_by_a_bar() -> None:
    text, _ = plain("| Fee | Amount |\n| --- | --- |\n| Card | $2.50 |\n| Late | 1.5% \\| min $5 |\n")
    assert text.split("\n") == ["Fee | Amount", "Card | $2.50", "Late | 1.5% | min $5"]


def test_an_image_shows_its_alt_text() -> None:
    got = read(b"![Map of *Main Street* office](map.png)")
    assert got.text == "Map of Main Street office"
    assert got.links == ()


def test_facts_of_the_text_and_the_targets() -> None:
    got = read(b"Open Monday to Friday, 8 am to 5 pm. Late fee 1.5% after 10 business days.\n\n"
               b"[Full answer](https://riverton.gov/help/billing/pay/)")
    assert kinds(got) == [("hours", "Mon-Fri 08:00-17:00"), ("percent", "1.5%"), ("duration", "10 business-day"),
                          ("url", "https://riverton.gov/help/billing/pay")]
    assert got.title == ""


@pytest.mark.parametrize("data", [b"", b"\n\n   \n"])
def test_an_empty_snippet_reads_as_nothing(data: bytes) -> None:
    got = read(data)
    assert (got.text, got.facts, got.links) == ("", (), ())


def test_every_chat_snippet_of_a_small_build_reads_back(tmp_path: Path) -> None:
    outputs = built_outputs(tmp_path / "dist", "chat")
    assert all(o.path.endswith(".md") for o in outputs)
    assert assert_reads_back(outputs) >= 5


def test_every_chat_snippet_of_the_sample_reads_back() -> None:
    outputs = sample_outputs("chat")
    assert len(outputs) > 40 and any(o.override for o in outputs)
    assert assert_reads_back(outputs) > 100
