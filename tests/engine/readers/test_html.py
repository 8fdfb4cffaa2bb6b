"""The HTML reader: the page's h1, and the visible words and links of the answer region."""
from __future__ import annotations

from pathlib import Path

from engine.readers import Reading
from engine.readers.html import read
from tests.engine.readers.test_text import assert_reads_back, built_outputs, kinds, sample_outputs


def page(body: str) -> Reading:
    return read(f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Tab title</title>'
                f'<script>var fee = "$9.99";</script></head><body>{body}</body></html>'.encode("utf-8"))


CHROME = """
<nav aria-label="Breadcrumb"><a href="../../">Help</a> <a href="../../billing/">Billing</a></nav>
<main id="main"><article>
<h1>How do I pay by phone?</h1>
<div class="answer" id="answer">
<p class="short-answer">Call <a href="tel:+18005550142">(800) 555-0142</a> any time. A card payment costs $2.50.</p>
<ol><li>Have your bill ready.</li><li>Press 2.</li></ol>
</div>
<section class="related"><h2>Related answers</h2><ul><li><a href="../late-fees/">Late fees: 1.5%</a></li></ul></section>
<p class="reviewed">Last reviewed <time datetime="2026-09-14">September 14, 2026</time></p>
</article></main>
<footer><p>Call 800-555-0199</p></footer>
"""


def test_only_the_answer_region_is_the_text_and_the_h1_is_the_title() -> None:
    got = page(CHROME)
    assert got.title == "How do I pay by phone?"
    assert got.text == ("Call (800) 555-0142 any time. A card payment costs $2.50.\nHave your bill ready.\n"
                        "Press 2.")
    assert got.links == ("tel:+18005550142",)
    assert kinds(got) == [("phone", "+18005550142"), ("money", "USD 2.50"), ("phone", "+18005550142")]


def test_without_an_answer_element_main_is_read_without_its_h1() -> None:
    got = page("<header><p>Riverton 800-555-0199</p></header><main><h1>Pay</h1><p>Fee $2.50</p></main>"
               "<footer>1.5%</footer>")
    assert (got.title, got.text) == ("Pay", "Fee $2.50")


def test_without_main_the_body_is_read() -> None:
    got = page("<h1>Pay</h1><p>Fee $2.50</p><div>Call 800-555-0199</div>")
    assert (got.title, got.text) == ("Pay", "Fee $2.50\nCall 800-555-0199")


def test_no_h1_no_title() -> None:
    assert page("<p>Fee $2.50</p>").title == ""


def test_what_a_visitor_cannot_see_is_not_read() -> None:
    got = page('<div id="answer"><p>Shown</p><script>alert("$1")</script><style>p{content:"$2"}</style>'
               '<template><p>$3</p></template><p hidden>Call 800-555-0199</p>'
               '<div aria-hidden="true"><a href="tel:+18005550199">icon</a></div>'
               '<span style="color: red; display: none">$4</span><span style="visibility:hidden">$5</span>'
               '<!-- $6 --><noscript><p>No scripts needed</p></noscript></div>')
    assert got.text == "Shown\nNo scripts needed"
    assert got.facts == () and got.links == ()


def test_an_answer_inside_a_hidden_element_shows_nothing() -> None:
    assert page('<div hidden><div id="answer"><p>Fee $2.50</p></div></div>').text == ""


def test_blocks_end_lines_and_white_space_collapses_within_a_line() -> None:
    got = page('<div id="answer"><h2>Pay   by\n phone</h2><p>Call <strong>us</strong>\n  now<br>or write</p>'
               '<ul><li>one</li><li><p>two</p></li></ul><blockquote>quoted</blockquote><dl><dt>Fee</dt>'
               '<dd>$2.50</dd></dl><section><aside>aside</aside></section></div>')
    assert got.text.split("\n") == ["Pay by phone", "Call us now", "or write", "one", "two", "quoted", "Fee",
                                    "$2.50", "aside"]


def test_table_cells_are_joined_by_a_bar() -> None:
    got = page('<div id="answer"><table><caption>Fees</caption><thead><tr><th>Fee</th><th>Amount</th></tr>'
               '</thead><tbody><tr><td>Card</td><td>$2.50</td></tr><tr><td>Late</td><td hidden>x</td>'
               '<td>1.5%</td></tr></tbody></table></div>')
    assert got.text.split("\n") == ["Fees", "Fee | Amount", "Card | $2.50", "Late | 1.5%"]
    assert kinds(got) == [("money", "USD 2.50"), ("percent", "1.5%")]


def test_preformatted_lines_are_kept() -> None:
    got = page('<div id="answer"><pre>Line one  $2.50\nLine two\n\n1.5%</pre></div>')
    assert got.text.split("\n") == ["Line one $2.50", "Line two", "1.5%"]


def test_images_show_their_alt_text() -> None:
    got = page('<div id="answer"><p>See<img src="map.png" alt="map of 100 Main Street">here'
               '<img src="x.png"></p></div>')
    assert got.text == "See map of 100 Main Street here"


def test_links_are_every_href_in_order_and_their_targets_are_facts() -> None:
    got = page('<div id="answer"><p><a href="mailto:Billing@Riverton.gov">write to us</a>, '
               '<a href="https://riverton.gov/pay/">pay online</a>, <a href="../late-fees/">late fees</a>, '
               '<a name="x">no target</a>, <a href="tel:+1%20800%20555%200100">call</a></p></div>')
    assert got.text == "write to us, pay online, late fees, no target, call"
    assert got.links == ("mailto:Billing@Riverton.gov", "https://riverton.gov/pay/", "../late-fees/",
                         "tel:+1%20800%20555%200100")
    assert kinds(got) == [("email", "billing@riverton.gov"), ("url", "https://riverton.gov/pay"),
                          ("phone", "+18005550100")]


def test_entities_are_decoded_and_markup_in_text_is_not_read_twice() -> None:
    got = page('<div id="answer"><p>Don&#39;t pay &amp; &lt;b&gt;twice&lt;/b&gt; &mdash; $2.50</p></div>')
    assert got.text == "Don't pay & <b>twice</b> — $2.50"


def test_a_page_in_another_encoding_is_decoded() -> None:
    data = '<html><head><meta charset="windows-1252"></head><body><p>Café fee €2</p></body></html>'
    got = read(data.encode("windows-1252"))
    assert got.text == "Café fee €2"
    assert kinds(got) == [("money", "EUR 2.00")]


def test_every_page_of_a_small_build_reads_back(tmp_path: Path) -> None:
    assert assert_reads_back(built_outputs(tmp_path / "dist", "web")) >= 5


def test_every_page_of_the_sample_reads_back_with_its_question_as_title() -> None:
    outputs = sample_outputs("web")
    assert len(outputs) > 40
    assert assert_reads_back(outputs) > 100
    for output in outputs:
        got = read(output.data)
        assert got.title == output.view.answer.question, output.path
        assert "Last reviewed" not in got.text and "Related answers" not in got.text


def test_every_reference_page_of_the_sample_reads_back() -> None:
    outputs = sample_outputs("reference")
    assert any(o.view.answer.audience == "internal" for o in outputs)
    assert assert_reads_back(outputs) > 100
