"""Hand-worked cases for GSM-7 / UCS-2 encoding, normalisation and segment packing."""
from __future__ import annotations

import pytest

from renderers import gsm


@pytest.mark.parametrize(("text", "units"), [
    ("€", 2), ("[", 2), ("{", 2), ("}", 2), ("]", 2), ("\\", 2), ("^", 2), ("~", 2), ("|", 2), ("\f", 2),
    ("a", 1), ("@", 1), ("£", 1), ("Ä", 1), ("\n", 1), ("Δ", 1), ("Pay €5 [now]", 15),
])
def test_gsm_costs_one_septet_and_extension_characters_two(text: str, units: int) -> None:
    assert gsm.encode_info(text) == (gsm.GSM7, units, 1, None)


def test_an_emoji_forces_ucs2_and_costs_two_code_units() -> None:
    assert gsm.encode_info("Hi 😀") == (gsm.UCS2, 5, 1, "😀")


def test_the_forcing_character_is_the_first_one_gsm_cannot_carry() -> None:
    # GSM has the Greek capitals that differ from Latin ones (Δ, Λ), not capital Epsilon or small letters.
    encoding, units, _, forcing = gsm.encode_info("Café ok, ΔΛ Ελλάδα ☎")
    assert (encoding, forcing) == (gsm.UCS2, "\u0395")
    assert units == len("Café ok, ΔΛ Ελλάδα ☎")


def test_typography_is_normalised_to_gsm_and_stays_gsm7() -> None:
    text = "\u201cHi\u201d \u2013 it\u2019s\u2026 ok\u00a0now \u2014 9\u2009am\u202f\u2012\u20125"
    normalised = gsm.normalise(text)
    assert normalised == "\"Hi\" - it's... ok now - 9 am --5"
    assert gsm.encode_info(text)[0] == gsm.UCS2
    assert gsm.encode_info(normalised) == (gsm.GSM7, len(normalised), 1, None)


def test_a_combining_accent_is_composed_to_its_gsm_letter() -> None:
    assert gsm.normalise("Cafe\u0301") == "Café"
    assert gsm.encode_info(gsm.normalise("Cafe\u0301"))[0] == gsm.GSM7


@pytest.mark.parametrize(("length", "segments"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)])
def test_gsm7_segments(length: int, segments: int) -> None:
    assert gsm.encode_info("a" * length) == (gsm.GSM7, length, segments, None)


def test_an_escape_pair_at_septet_153_moves_to_the_next_segment() -> None:
    text = "a" * 152 + "€" + "b" * 10  # the euro sign would take septets 153 and 154
    assert gsm.split(text) == ["a" * 152, "€" + "b" * 10]
    assert gsm.encode_info(text) == (gsm.GSM7, 164, 2, None)


def test_an_escape_pair_that_ends_exactly_at_153_stays() -> None:
    text = "a" * 151 + "€" + "b" * 10
    assert gsm.split(text) == ["a" * 151 + "€", "b" * 10]


def test_extension_characters_can_push_a_message_over_one_segment() -> None:
    assert gsm.encode_info("a" * 158 + "{")[2] == 1
    assert gsm.encode_info("a" * 159 + "{")[2] == 2


@pytest.mark.parametrize(("length", "segments"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_ucs2_segments(length: int, segments: int) -> None:
    assert gsm.encode_info("ж" * length) == (gsm.UCS2, length, segments, "ж")


def test_a_surrogate_pair_is_never_split() -> None:
    text = "ж" * 66 + "😀" + "ж" * 10  # the emoji would take code units 67 and 68
    assert gsm.split(text) == ["ж" * 66, "😀" + "ж" * 10]
    assert gsm.encode_info(text) == (gsm.UCS2, 78, 2, "ж")


def test_an_emoji_alone_fills_a_single_segment_by_code_units() -> None:
    assert gsm.encode_info("😀" * 35)[1:3] == (70, 1)
    assert gsm.encode_info("😀" * 36)[1:3] == (72, 2)


def test_capacity() -> None:
    assert [gsm.capacity(gsm.GSM7, n) for n in (1, 2, 3)] == [160, 306, 459]
    assert [gsm.capacity(gsm.UCS2, n) for n in (1, 2, 3)] == [70, 134, 201]


def test_the_alphabet_has_128_codes_less_the_escape_and_ten_extensions() -> None:
    assert len(gsm.BASIC) == 127 and len(gsm.EXTENSION) == 10
    assert not gsm.BASIC & set(gsm.EXTENSION.values())


def test_an_empty_message_is_one_segment() -> None:
    assert gsm.encode_info("") == (gsm.GSM7, 0, 1, None)
