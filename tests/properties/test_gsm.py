"""Laws of SMS segment packing: segments fit their limits, lose nothing, agree with encode_info, and are full."""
from __future__ import annotations

from hypothesis import given, strategies as st

from renderers import gsm

GSM_CHARS = sorted(gsm.BASIC | set(gsm.EXTENSION.values()))
CHARS = st.one_of(
    st.sampled_from(GSM_CHARS),
    st.sampled_from(sorted(gsm.EXTENSION.values())),
    st.sampled_from(["😀", "👍", "\U0001F3FD", "ж", "é", "\u2019", "\u00a0"]),
    st.characters(),
)
GSM_TEXT = st.sampled_from(GSM_CHARS)
# Long texts and texts whose interesting characters land near a segment boundary, not only short ones.
TEXTS = st.one_of(
    st.text(CHARS, max_size=60),
    st.text(CHARS, min_size=60, max_size=400),
    st.text(GSM_TEXT, min_size=150, max_size=700),
    st.builds(lambda pad, tail: "a" * pad + tail, st.integers(60, 330), st.text(CHARS, min_size=1, max_size=40)),
)


@given(TEXTS)
def test_packing_keeps_every_character_within_the_limits(text: str) -> None:
    encoding, units, count, forcing = gsm.encode_info(text)
    segments = gsm.split(text)
    assert "".join(segments) == text
    assert len(segments) == count
    assert (encoding == gsm.GSM7) == (forcing is None)
    costs = [sum(gsm.cost(ch, encoding) for ch in segment) for segment in segments]
    assert sum(costs) == units
    single, each = gsm.LIMITS[encoding]
    assert all(cost <= (single if count == 1 else each) for cost in costs)


@given(TEXTS)
def test_packing_is_greedy_every_segment_but_the_last_is_full(text: str) -> None:
    encoding = gsm.encode_info(text)[0]
    segments = gsm.split(text)
    _, each = gsm.LIMITS[encoding]
    for segment, following in zip(segments, segments[1:]):
        used = sum(gsm.cost(ch, encoding) for ch in segment)
        assert used + gsm.cost(following[0], encoding) > each


@given(TEXTS)
def test_normalising_never_makes_a_message_need_ucs2(text: str) -> None:
    if gsm.encode_info(text)[0] == gsm.GSM7:
        assert gsm.encode_info(gsm.normalise(text))[0] == gsm.GSM7
