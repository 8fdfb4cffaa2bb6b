"""Properties of where the SMS cuts a long short answer (renderers/sms_degrade.py): only after a sentence."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from renderers.sms_degrade import sentences

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
ADDRESS = st.builds(lambda host, path: f"{host}.gov/{path}", WORD, WORD)
LATIN = st.builds(lambda words, end: " ".join(words) + end, st.lists(st.one_of(WORD, ADDRESS), min_size=1, max_size=6),
                  st.sampled_from([".", "!", "?"]))
HAN = st.builds(lambda chars, end: chars + end, st.text(alphabet="選民登記投票州網站", min_size=1, max_size=10),
                st.sampled_from(["。", "！", "？"]))


@given(st.lists(LATIN, min_size=1, max_size=6))
def test_latin_sentences_come_back_whole_and_in_order(parts: list[str]) -> None:
    assert sentences(" ".join(parts)) == parts


@given(st.lists(HAN, min_size=1, max_size=6))
def test_chinese_sentences_split_after_each_full_stop_without_spaces(parts: list[str]) -> None:
    assert sentences("".join(parts)) == parts


@given(st.lists(st.one_of(LATIN, HAN), min_size=1, max_size=6))
def test_nothing_is_lost_or_added(parts: list[str]) -> None:
    text = " ".join(parts)
    assert "".join(sentences(text)).replace(" ", "") == text.replace(" ", "")
