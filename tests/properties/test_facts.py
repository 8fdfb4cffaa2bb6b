"""Laws of the fact normalisers: every written form of a value is one canonical value; distinct values
never collide; and the prose recogniser finds the same value the fact-file parser does."""
from __future__ import annotations

from hypothesis import given, strategies as st

from engine.facts import FactType, find_facts, parse_value
from tests.properties.strategies import AFTER, BY_TYPE, PROSE, Written

TYPES = sorted(BY_TYPE)


def canonicals(kind: str, written: Written) -> set[str]:
    return {parse_value(FactType(kind), form).canonical for form in written.forms}


@given(st.data())
def test_every_form_of_a_value_normalises_to_one_canonical_value(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(TYPES), label="type")
    written = data.draw(BY_TYPE[kind], label="value")
    assert len(canonicals(kind, written)) == 1, written.forms


@given(st.data())
def test_different_values_never_collide(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(TYPES), label="type")
    first = data.draw(BY_TYPE[kind], label="first")
    second = data.draw(BY_TYPE[kind], label="second")
    if first.key != second.key:
        assert canonicals(kind, first).isdisjoint(canonicals(kind, second))


@given(st.data())
def test_the_recogniser_finds_each_form_in_prose_with_the_same_value(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(TYPES), label="type")
    written = data.draw(BY_TYPE[kind], label="value")
    form = data.draw(st.sampled_from(written.forms), label="form")
    before, after = data.draw(PROSE, label="before"), data.draw(AFTER, label="after")
    sentence = f"{before} {form}{after}"
    found = find_facts(sentence)
    assert [(f.type.value, f.raw) for f in found] == [(kind, form)], sentence
    assert found[0].value is not None
    assert found[0].value.canonical == parse_value(FactType(kind), form).canonical


@given(st.text(max_size=300))
def test_the_recogniser_never_raises_and_spans_do_not_overlap(text: str) -> None:
    found = find_facts(text)
    for left, right in zip(found, found[1:]):
        assert left.end <= right.start
    for item in found:
        assert text[item.start:item.end] == item.raw
        assert (item.value is None) != (item.error is None)
