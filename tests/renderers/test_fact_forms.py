"""renderers/fact_forms.py: the words it adds around CLDR's forms belong to the answer's language."""
from __future__ import annotations

from datetime import time

import pytest

from engine.facts import Hours
from renderers import fact_forms

ALWAYS = Hours(0, 6, time(0, 0), time(0, 0), until_midnight=True)


def test_always_open_is_said_in_spanish_for_spanish() -> None:
    where = fact_forms.babel_locale("es-US")
    assert where is not None
    assert fact_forms.hours(ALWAYS, where) == "24 horas al día, 7 días a la semana"


@pytest.mark.parametrize("language", ["fr", "de", "pt-BR"])
def test_a_language_without_words_of_its_own_gets_no_spanish(language: str) -> None:
    where = fact_forms.babel_locale(language)
    assert where is not None
    written = fact_forms.hours(ALWAYS, where)
    assert "horas" not in written and written == "24/7"


def test_english_has_no_cldr_forms_unless_asked() -> None:
    assert fact_forms.babel_locale("en-GB") is None
    english = fact_forms.babel_locale("en-US", english=True)
    assert english is not None and english.language == "en"
